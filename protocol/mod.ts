/**
 * The MIF message protocol (draft-ietf-mif-api-extension-02 §3.3.7): message
 * types, runtime validation and IP literal helpers. Types and validation
 * only; no behaviour lives here.
 *
 * @module
 */

export * from "./types.ts";
export * from "./validate.ts";
export * from "./ip.ts";
