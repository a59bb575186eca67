/**
 * Why a configuration source was skipped, in a few words for status notes.
 *
 * @module
 */

import { describeError } from "../../protocol/text.ts";

/**
 * The reason a source was skipped, from the error that skipped it.
 *
 * @example A missing file, and a tool that is not installed
 * ```ts
 * import { skipReason } from "./skip_reason.ts";
 * import assert from "node:assert/strict";
 * assert.equal(skipReason(new Deno.errors.NotFound("No such file or directory (os error 2)")), "not present");
 * assert.equal(skipReason(new Deno.errors.NotFound("nmcli is not installed")), "not installed");
 * ```
 * @param error What reading it threw.
 * @returns A short reason.
 */
export function skipReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) {
    if (/os error 2/.test(error.message)) return "not present";
    return /not installed/.test(error.message) ? "not installed" : error.message;
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return `not readable (${error.message})`;
  }
  return describeError(error);
}
