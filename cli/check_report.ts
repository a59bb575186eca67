/**
 * What `mif check` says, as pure functions: the `--json` report, and one
 * aligned line per PD with its connectivity state, the probe's status and
 * time, and where a captive portal sends the user or why it is not full.
 *
 * @module
 */

import type { PdConnectivity } from "../fetch/connectivity_check.ts";
import type { ConnectivityState } from "../connect/validation.ts";
import type { CheckReportReason } from "./exit.ts";

/** One PD's result in `mif check --json`: checkConnectivity()'s, with every key. */
export interface CheckResult {
  /** The PD. */
  readonly pdId: string;
  /** What the probe found. */
  readonly state: ConnectivityState;
  /** Milliseconds the probe took, to 0.1 ms (0 when kept). */
  readonly ms: number;
  /** Whether this is a kept result, not a new probe. */
  readonly kept: boolean;
  /** The probe's HTTP status, or null when none came. */
  readonly status: number | null;
  /** Where a captive portal sends the user, or null. */
  readonly portalUrl: string | null;
  /** Why it is not `full`, or null. */
  readonly detail: string | null;
}

/**
 * `mif check --json`'s object: always every key. `ok` when at least one
 * PD has full connectivity; `reason` and `error` are null then; `url` is
 * the probe (null when a usage error came before it was known).
 */
export interface CheckReport {
  /** Whether at least one PD has full connectivity. */
  readonly ok: boolean;
  /** Why not, as a code; null when ok. */
  readonly reason: CheckReportReason | null;
  /** Why not, in one line; null when ok. */
  readonly error: string | null;
  /** The probe URL, or null. */
  readonly url: string | null;
  /** One result per PD checked, in announcement order. */
  readonly results: readonly CheckResult[];
}

/**
 * A result with every key, its time rounded to 0.1 ms.
 *
 * @example A captive portal
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkResult } from "./check_report.ts";
 * assert.deepEqual(
 *   checkResult({ pdId: "wlan0/ipv4", state: "captive-portal", ms: 12.34, kept: false,
 *     status: 302, portalUrl: "http://portal.example/login" }),
 *   { pdId: "wlan0/ipv4", state: "captive-portal", ms: 12.3, kept: false, status: 302,
 *     portalUrl: "http://portal.example/login", detail: null },
 * );
 * ```
 * @param result From checkConnectivity().
 * @returns The result for the report.
 */
export function checkResult(result: PdConnectivity): CheckResult {
  return {
    pdId: result.pdId,
    state: result.state,
    ms: Math.round(result.ms * 10) / 10,
    kept: result.kept,
    status: result.status ?? null,
    portalUrl: result.portalUrl ?? null,
    detail: result.detail ?? null,
  };
}

/**
 * The report of a check that did not get to probe.
 *
 * @example A usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedCheckReport } from "./check_report.ts";
 * assert.deepEqual(failedCheckReport(null, "usage", "--url must be ..."), {
 *   ok: false, reason: "usage", error: "--url must be ...", url: null, results: [] });
 * ```
 * @param url The probe URL, or null.
 * @param reason Why.
 * @param error The message.
 * @returns The report.
 */
export function failedCheckReport(
  url: string | null,
  reason: CheckReportReason,
  error: string,
): CheckReport {
  return { ok: false, reason, error, url, results: [] };
}

/** "1 captive-portal, 2 limited": how many PDs are in each state, in the states' order. */
function countStates(results: readonly CheckResult[]): string {
  const counts = new Map<ConnectivityState, number>();
  for (const r of results) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const order: readonly ConnectivityState[] = ["full", "captive-portal", "limited", "none"];
  return order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`).join(", ");
}

/**
 * The report of a check: ok when some PD has full connectivity, else
 * `not-full` (or `no-pd` when there was no PD to check), with a message
 * that counts the states.
 *
 * @example No PD gets through
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReport } from "./check_report.ts";
 * const report = checkReport("http://probe.example/generate_204", [
 *   { pdId: "wlan0/ipv4", state: "captive-portal", ms: 9, kept: false, status: 302 },
 *   { pdId: "tun0/ipv4", state: "none", ms: 4, kept: false, detail: "nxdomain" },
 * ]);
 * assert.deepEqual([report.ok, report.reason], [false, "not-full"]);
 * assert.equal(report.error, "No PD has full connectivity to " +
 *   "http://probe.example/generate_204: 1 captive-portal, 1 none");
 * assert.equal(checkReport("http://p.example/", []).reason, "no-pd");
 * ```
 * @param url The probe URL.
 * @param found checkConnectivity()'s results.
 * @returns The report.
 */
export function checkReport(url: string, found: readonly PdConnectivity[]): CheckReport {
  const results = found.map(checkResult);
  if (results.length === 0) {
    return failedCheckReport(url, "no-pd", `Cannot check connectivity to ${url}: no PD to check`);
  }
  if (results.some((r) => r.state === "full")) {
    return { ok: true, reason: null, error: null, url, results };
  }
  const error = `No PD has full connectivity to ${url}: ${countStates(results)}`;
  return { ok: false, reason: "not-full", error, url, results };
}

/**
 * A probe's time: milliseconds to 0.1 below a second, else seconds to 0.1.
 *
 * @example Both
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./check_report.ts";
 * assert.equal(formatDuration(12.34), "12.3 ms");
 * assert.equal(formatDuration(3012), "3.0 s");
 * ```
 * @param ms Milliseconds.
 * @returns A few characters.
 */
export function formatDuration(ms: number): string {
  return ms < 999.95 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What follows a result's state: status and time (or "kept"), then the portal or the detail. */
function outcome(result: CheckResult): string {
  const time = result.kept
    ? "kept from an earlier check"
    : `${result.status === null ? "" : `${result.status} `}in ${formatDuration(result.ms)}`;
  const portal = result.portalUrl === null ? "" : ` → ${result.portalUrl}`;
  const detail = result.detail === null ? "" : `: ${result.detail}`;
  return `${time}${portal}${detail}`;
}

/**
 * One line per PD, the PD ids and the states in aligned columns.
 *
 * @example Full, a captive portal, limited
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkResult, formatResults } from "./check_report.ts";
 * import type { PdConnectivity } from "../fetch/connectivity_check.ts";
 * const lines = formatResults([
 *   { pdId: "eth0/ipv4", state: "full", ms: 8.06, kept: false, status: 204 },
 *   { pdId: "wlan0/ipv4", state: "captive-portal", ms: 12.3, kept: false, status: 302,
 *     portalUrl: "http://portal.example/login" },
 *   { pdId: "rmnet0/ipv4", state: "limited", ms: 3000, kept: false, detail: "timed out" },
 * ].map((r) => checkResult(r as PdConnectivity)));
 * assert.deepEqual(lines, [
 *   "eth0/ipv4    full            204 in 8.1 ms",
 *   "wlan0/ipv4   captive-portal  302 in 12.3 ms → http://portal.example/login",
 *   "rmnet0/ipv4  limited         in 3.0 s: timed out",
 * ]);
 * ```
 * @param results The report's results.
 * @returns Lines without newlines.
 */
export function formatResults(results: readonly CheckResult[]): string[] {
  const pdWidth = Math.max(0, ...results.map((r) => r.pdId.length));
  const stateWidth = Math.max(0, ...results.map((r) => r.state.length));
  return results.map((r) =>
    `${r.pdId.padEnd(pdWidth)}  ${r.state.padEnd(stateWidth)}  ${outcome(r)}`
  );
}
