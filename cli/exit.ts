/**
 * `mif`'s exit statuses and the reason codes of `mif connect --json`,
 * `mif fetch --json` and `mif check --json`: the library's
 * ConnectFailedReason and FetchFailureReason codes, plus the few only the
 * command line has (a usage error, an interruption, a platform that could
 * not be read, an HTTP error status under --fail, no PD with full
 * connectivity). Each reason's exit status is stated once, here.
 *
 * @module
 */

import { CONNECT_FAILED_REASONS } from "../connect/failure.ts";
import { FETCH_FAILURE_REASONS } from "../fetch/fetch_error.ts";

/** The exit statuses. */
export const EXIT = {
  /** Done: connected, an address found, status printed, a PD has full connectivity. */
  ok: 0,
  /** Failed: not connected (every attempt failed, timed out, no usable PD), no PD with full connectivity, interrupted, or the platform could not be read. */
  failed: 1,
  /** A usage error: the command line names something that is not there. */
  usage: 2,
  /** No PD translated the name into an address (resolve, connect, fetch). */
  notTranslated: 3,
  /** fetch: the TLS handshake or the certificate check failed. */
  tlsFailed: 4,
  /** fetch: the HTTP exchange failed (or a redirect could not be followed), or --fail met a status >= 400. */
  httpFailed: 5,
} as const;

/** The command line's own reasons, which every command's report may give. */
const CLI_REASONS = ["usage", "interrupted", "platform-failed"] as const;

/** Why `mif connect` did not connect: connect()'s reasons, then the command line's own. */
export const CONNECT_REPORT_REASONS = [...CONNECT_FAILED_REASONS, ...CLI_REASONS] as const;

/** One of {@linkcode CONNECT_REPORT_REASONS}. */
export type ConnectReportReason = typeof CONNECT_REPORT_REASONS[number];

/** Why `mif fetch` failed: fetch()'s reasons, then the command line's own. */
export const FETCH_REPORT_REASONS = [
  ...FETCH_FAILURE_REASONS,
  "http-status",
  ...CLI_REASONS,
] as const;

/** One of {@linkcode FETCH_REPORT_REASONS}. */
export type FetchReportReason = typeof FETCH_REPORT_REASONS[number];

/**
 * Why `mif check` failed: no PD has full connectivity (`not-full`), or
 * there is no PD to check (`no-pd`); then the command line's own.
 */
export const CHECK_REPORT_REASONS = ["not-full", "no-pd", ...CLI_REASONS] as const;

/** One of {@linkcode CHECK_REPORT_REASONS}. */
export type CheckReportReason = typeof CHECK_REPORT_REASONS[number];

/** A reason of any command's report. */
export type ReportReason = ConnectReportReason | FetchReportReason | CheckReportReason;

/** The exit status of each reason: the one place they are mapped. */
const EXIT_OF_REASON: Readonly<Record<ReportReason, number>> = {
  "no-pd": EXIT.failed,
  "not-translated": EXIT.notTranslated,
  "no-source": EXIT.failed,
  "not-connected": EXIT.failed,
  "timed-out": EXIT.failed,
  "api-failed": EXIT.failed,
  name: EXIT.notTranslated,
  connect: EXIT.failed,
  tls: EXIT.tlsFailed,
  http: EXIT.httpFailed,
  redirect: EXIT.httpFailed,
  "http-status": EXIT.httpFailed,
  usage: EXIT.usage,
  interrupted: EXIT.failed,
  "platform-failed": EXIT.failed,
  "not-full": EXIT.failed,
};

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
 * assert.equal(exitStatus("name"), 3);
 * assert.equal(exitStatus("tls"), 4);
 * assert.equal(exitStatus("http-status"), 5);
 * assert.equal(exitStatus("not-full"), 1);
 * ```
 * @param reason Why it failed, or null when it did not.
 * @returns An {@linkcode EXIT} status.
 */
export function exitStatus(reason: ReportReason | null): number {
  return reason === null ? EXIT.ok : EXIT_OF_REASON[reason];
}
