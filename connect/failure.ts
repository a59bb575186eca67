/**
 * Why a connect() failed, as a code a program can switch on and as a line
 * a person can act on: the cause ("no PD could translate the name: 2
 * timeout, 1 nxdomain"), not the symptom ("no addresses to try").
 *
 * @module
 */

import type { AttemptRecord, ResolutionRecord } from "./timeline.ts";

/**
 * Why a connect() failed, as ConnectFailedError.reason says:
 *
 * - `no-pd`: no provisioning domain may be used (none announced, or the
 *   options' require/avoid/prohibit left none);
 * - `not-translated`: no PD translated the name into an address;
 * - `no-source`: addresses were found, but no PD has a source address that
 *   can reach any of them (RFC 6724 Rule 1);
 * - `not-connected`: every connection attempt failed;
 * - `tls`: every connection attempt failed, and at least one reached a
 *   server whose TLS handshake or certificate check failed (the message
 *   quotes the first such attempt's detail);
 * - `timed-out`: the timeout passed before any attempt connected;
 * - `api-failed`: the MIF API closed or refused the race's requests.
 */
export const CONNECT_FAILED_REASONS = [
  "no-pd",
  "not-translated",
  "no-source",
  "not-connected",
  "tls",
  "timed-out",
  "api-failed",
] as const;

/** One of {@linkcode CONNECT_FAILED_REASONS}. */
export type ConnectFailedReason = typeof CONNECT_FAILED_REASONS[number];

/**
 * Why a race that ended with every translation done made no attempt: what
 * each PD's translation came to, counted by outcome ("timeout", "pd-gone",
 * "no address" for a success without any, "no source" for addresses no
 * source of that PD can reach).
 *
 * @param resolutions Every PD's translation, all ended.
 * @returns The reason code and the line.
 *
 * @example Two PDs timed out, one had no such name
 * ```ts
 * import assert from "node:assert/strict";
 * import { whyNoAttempt } from "./failure.ts";
 *
 * const r = (pdId: string, outcome: "timeout" | "nxdomain") => ({
 *   pdId, interfaceId: "eth0", family: "ipv4" as const, answers: [], end: 5, outcome,
 * });
 * assert.deepEqual(whyNoAttempt([r("a", "timeout"), r("b", "timeout"), r("c", "nxdomain")]), {
 *   reason: "not-translated",
 *   why: "no PD could translate the name: 2 timeout, 1 nxdomain",
 * });
 * ```
 */
export function whyNoAttempt(
  resolutions: readonly ResolutionRecord[],
): { reason: ConnectFailedReason; why: string } {
  if (resolutions.length === 0) {
    return { reason: "no-pd", why: "no provisioning domain was asked" };
  }
  const outcomes = resolutions.map((r) =>
    r.outcome !== "success"
      ? r.outcome ?? "unfinished"
      : r.answers.length === 0
      ? "no address"
      : "no source"
  );
  const summary = tally(outcomes);
  if (outcomes.includes("no source")) {
    return {
      reason: "no-source",
      why: `no PD has a source address for the addresses found: ${summary}`,
    };
  }
  return { reason: "not-translated", why: `no PD could translate the name: ${summary}` };
}

/**
 * The line for a race whose every attempt failed, counted by outcome.
 *
 * @param attempts Every attempt, all ended.
 * @returns "every attempt failed: 2 refused, 1 timeout"; when an attempt
 *   failed "tls", its PD and detail follow ("…: 1 tls; through eth0/ipv4:
 *   Cannot connect to … over TLS as www.example: CERT_HAS_EXPIRED: …").
 *
 * @example Two refused, one timed out
 * ```ts
 * import assert from "node:assert/strict";
 * import { whyEveryAttemptFailed } from "./failure.ts";
 *
 * const a = (outcome: "refused" | "timeout") => ({
 *   pdId: "eth0/ipv4", interfaceId: "eth0", source: "198.51.100.2",
 *   address: "203.0.113.80", port: 80, start: 0, end: 1, outcome,
 * });
 * assert.equal(
 *   whyEveryAttemptFailed([a("refused"), a("timeout"), a("refused")]),
 *   "every attempt failed: 2 refused, 1 timeout",
 * );
 * ```
 */
export function whyEveryAttemptFailed(attempts: readonly AttemptRecord[]): string {
  const line = `every attempt failed: ${tally(attempts.map((a) => a.outcome ?? "unfinished"))}`;
  const tls = attempts.find((a) => a.outcome === "tls");
  return tls ? `${line}; through ${tls.pdId}: ${tls.detail ?? "TLS failed"}` : line;
}

/**
 * The reason code for a race whose every attempt failed: "tls" when any
 * attempt reached a server whose TLS failed (the server was there, its
 * identity was not proven), else "not-connected".
 *
 * @example One refused, one failed its certificate check
 * ```ts
 * import assert from "node:assert/strict";
 * import { everyAttemptFailedReason } from "./failure.ts";
 * assert.equal(everyAttemptFailedReason([{ outcome: "refused" }, { outcome: "tls" }]), "tls");
 * assert.equal(everyAttemptFailedReason([{ outcome: "refused" }]), "not-connected");
 * ```
 * @param attempts Every attempt, all ended.
 * @returns "tls" or "not-connected".
 */
export function everyAttemptFailedReason(
  attempts: readonly Pick<AttemptRecord, "outcome">[],
): ConnectFailedReason {
  return attempts.some((a) => a.outcome === "tls") ? "tls" : "not-connected";
}

/** "2 timeout, 1 nxdomain": each outcome with its count, most frequent first. */
function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${n} ${o}`).join(", ");
}
