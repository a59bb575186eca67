/**
 * What earlier races learned about each provisioning domain: its connect
 * round-trip times (for the connection attempt delay, RFC 8305 §5) and
 * which destinations answered through it (for the order of candidates,
 * RFC 8305 §4). Kept per PD: one interface's RTT is never used for another.
 *
 * @module
 */

/** The least connection attempt delay (RFC 8305 §5). */
export const MIN_ATTEMPT_DELAY = 100;
/** The largest connection attempt delay (RFC 8305 §5). */
export const MAX_ATTEMPT_DELAY = 2000;
/** The connection attempt delay without history (RFC 8305 §8). */
export const DEFAULT_ATTEMPT_DELAY = 250;

/** How long a destination's outcome is remembered. */
const MEMORY_MS = 10 * 60 * 1000;
/** Destinations remembered at most (oldest forgotten first). */
const MAX_DESTINATIONS = 1024;

/** What is known of a destination through one PD. */
export type DestinationHistory = "answered" | "unknown" | "failed";

/** The PD that won the last race to a name. */
export interface LastWinner {
  /** The PD. */
  readonly pdId: string;
  /** Whether its answer skips the resolution delay (it won over IPv6 fairly, or is IPv6). */
  readonly skipsResolutionDelay: boolean;
}

interface Estimate {
  srtt: number;
  rttvar: number;
}

/**
 * Per-PD connect RTT estimates (RFC 6298's smoothing) and per-destination
 * outcomes.
 *
 * @example Learn a PD's RTT
 * ```ts
 * import { PathHistory } from "./path_history.ts";
 * import assert from "node:assert/strict";
 * const history = new PathHistory();
 * history.connected("wlan0/ipv4", "198.51.100.80", 40, 0);
 * assert.equal(history.attemptDelay("wlan0/ipv4", 250), 120);
 * assert.equal(history.attemptDelay("rmnet0/ipv6", 250), 250);
 * assert.equal(history.destination("wlan0/ipv4", "198.51.100.80", 1), "answered");
 * ```
 */
export class PathHistory {
  #rtt = new Map<string, Estimate>();
  #destinations = new Map<string, { outcome: "answered" | "failed"; at: number }>();
  #winners = new Map<string, { pdId: string; ipv6: boolean; ipv6FailedAt?: number }>();

  /**
   * Records a connection that succeeded after `rtt` ms.
   *
   * @param pdId The PD.
   * @param address The destination.
   * @param rtt Milliseconds from the attempt's start to its connection.
   * @param now The clock's time now.
   */
  connected(pdId: string, address: string, rtt: number, now: number): void {
    const e = this.#rtt.get(pdId);
    if (!e) {
      this.#rtt.set(pdId, { srtt: rtt, rttvar: rtt / 2 });
    } else {
      e.rttvar = 0.75 * e.rttvar + 0.25 * Math.abs(e.srtt - rtt);
      e.srtt = 0.875 * e.srtt + 0.125 * rtt;
    }
    this.#remember(pdId, address, "answered", now);
  }

  /**
   * Records an attempt that got no connection: it failed, or another
   * attempt won while it was still waiting.
   *
   * @param pdId The PD.
   * @param address The destination.
   * @param now The clock's time now.
   */
  failed(pdId: string, address: string, now: number): void {
    this.#remember(pdId, address, "failed", now);
  }

  /**
   * What is known of reaching `address` through `pdId`.
   *
   * @param pdId The PD.
   * @param address The destination.
   * @param now The clock's time now.
   * @returns Its last outcome, or "unknown".
   */
  destination(pdId: string, address: string, now: number): DestinationHistory {
    const entry = this.#destinations.get(`${pdId}\u0000${address}`);
    return entry && now - entry.at < MEMORY_MS ? entry.outcome : "unknown";
  }

  /**
   * The delay before the next attempt after one starts through `pdId`:
   * RFC 6298's retransmission timeout shape (SRTT + 4 × RTTVAR) from this
   * PD's own connects, kept within 100 ms to 2 s; `fallback` without them.
   *
   * @param pdId The PD.
   * @param fallback Milliseconds when the PD has no history.
   * @returns Milliseconds.
   */
  attemptDelay(pdId: string, fallback: number): number {
    const e = this.#rtt.get(pdId);
    if (!e) return fallback;
    const delay = Math.round(e.srtt + 4 * e.rttvar);
    return Math.min(MAX_ATTEMPT_DELAY, Math.max(MIN_ATTEMPT_DELAY, delay));
  }

  /**
   * Records the PD whose connection won a race to `hostname`, and whether
   * IPv6 failed in that race.
   *
   * @param hostname The name.
   * @param pdId The winning PD.
   * @param now The clock's time now.
   * @param outcome Whether the winner was IPv6, and whether an IPv6 attempt failed.
   */
  won(
    hostname: string,
    pdId: string,
    now: number,
    outcome: { readonly ipv6: boolean; readonly ipv6Failed: boolean },
  ): void {
    const before = this.#winners.get(hostname);
    const ipv6FailedAt = outcome.ipv6Failed ? now : before?.ipv6FailedAt;
    this.#winners.delete(hostname);
    this.#winners.set(hostname, { pdId, ipv6: outcome.ipv6, ipv6FailedAt });
    if (this.#winners.size > MAX_DESTINATIONS) {
      this.#winners.delete(this.#winners.keys().next().value!);
    }
  }

  /**
   * The PD that won the last race to `hostname`, and whether its answer
   * may skip RFC 8305's resolution delay: it was IPv6, or IPv6 failed in a
   * race to this name within the memory (10 minutes), so waiting for IPv6
   * answers would only delay a connection that IPv6 just lost.
   *
   * @param hostname The name.
   * @param now The clock's time now.
   * @returns The PD and the exemption, or undefined.
   */
  lastWinner(hostname: string, now: number): LastWinner | undefined {
    const entry = this.#winners.get(hostname);
    if (!entry) return undefined;
    const failedRecently = entry.ipv6FailedAt !== undefined &&
      now - entry.ipv6FailedAt < MEMORY_MS;
    return { pdId: entry.pdId, skipsResolutionDelay: entry.ipv6 || failedRecently };
  }

  /**
   * A PD's smoothed connect RTT.
   *
   * @param pdId The PD.
   * @returns Milliseconds, or undefined without history.
   */
  srtt(pdId: string): number | undefined {
    return this.#rtt.get(pdId)?.srtt;
  }

  #remember(pdId: string, address: string, outcome: "answered" | "failed", now: number): void {
    const key = `${pdId}\u0000${address}`;
    this.#destinations.delete(key); // Re-inserted last: the map's order is age.
    this.#destinations.set(key, { outcome, at: now });
    if (this.#destinations.size > MAX_DESTINATIONS) {
      this.#destinations.delete(this.#destinations.keys().next().value!);
    }
  }
}
