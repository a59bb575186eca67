/**
 * `mif`'s exit statuses and `mif connect --json`'s reason codes: the
 * library's ConnectFailedReason codes, plus the few only the command line
 * has (a usage error, an interruption, a platform that could not be read).
 *
 * @module
 */

import { CONNECT_FAILED_REASONS } from "../connect/failure.ts";

/** The exit statuses. */
export const EXIT = {
  /** Done: connected, an address found, status printed. */
  ok: 0,
  /** Failed: not connected (every attempt failed, timed out, no usable PD), interrupted, or the platform could not be read. */
  failed: 1,
  /** A usage error: the command line names something that is not there. */
  usage: 2,
  /** No PD translated the name into an address (resolve, connect). */
  notTranslated: 3,
} as const;

/** Why `mif connect` did not connect: connect()'s reasons, then the command line's own. */
export const CONNECT_REPORT_REASONS = [
  ...CONNECT_FAILED_REASONS,
  "usage",
  "interrupted",
  "platform-failed",
] as const;

/** One of {@linkcode CONNECT_REPORT_REASONS}. */
export type ConnectReportReason = typeof CONNECT_REPORT_REASONS[number];

/**
 * The exit status for a failure's reason (or for success).
 *
 * @example Each kind of ending
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitStatus } from "./exit.ts";
 * assert.equal(exitStatus(null), 0);
 * assert.equal(exitStatus("not-connected"), 1);
 * assert.equal(exitStatus("usage"), 2);
 * assert.equal(exitStatus("not-translated"), 3);
 * ```
 * @param reason Why it failed, or null when it did not.
 * @returns 0, 1, 2 or 3.
 */
export function exitStatus(reason: ConnectReportReason | null): number {
  if (reason === null) return EXIT.ok;
  if (reason === "usage") return EXIT.usage;
  return reason === "not-translated" ? EXIT.notTranslated : EXIT.failed;
}
