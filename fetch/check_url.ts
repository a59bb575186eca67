/**
 * The connectivity probe's default address, in a module of its own so that
 * the CLI's help can name it without loading fetch().
 *
 * @module
 */

/**
 * The probe used when neither the url option nor MIF_CHECK_URL names one (Android's).
 *
 * @example It answers 204 without a body over plain HTTP
 * ```ts
 * import { DEFAULT_CHECK_URL } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert.equal(new URL(DEFAULT_CHECK_URL).protocol, "http:");
 * ```
 */
export const DEFAULT_CHECK_URL = "http://connectivitycheck.gstatic.com/generate_204";
