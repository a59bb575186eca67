/**
 * The order of candidate destinations across provisioning domains: the
 * PD's policy tier, RFC 6724 §6 destination address selection
 * (ip/addrselect.ts) with RFC 8305 §4's history rule between its rules 8
 * and 9, for (PD, destination) pairs whose source is the PD's best address
 * for that destination (RFC 6724 §5 inside the PD).
 *
 * @module
 */

import { type Family, parseIp } from "../ip/ip.ts";
import {
  compareDestinations,
  type DestinationKeys,
  destinationKeys,
  rankSources,
  type SourceAddress,
} from "../ip/addrselect.ts";
import type { DestinationHistory } from "./path_history.ts";

/** A destination through one PD, with what the ordering needs. */
export interface Candidate {
  /** The PD. */
  readonly pdId: string;
  /** The destination. */
  readonly address: string;
  /** Its family. */
  readonly family: Family;
  /** The PD's best source for it. */
  readonly source: string;
  /** Policy tier: 0 preferred, 1 neither, 2 avoided. */
  readonly tier: number;
  /** What earlier races learned of this destination through this PD. */
  readonly history: DestinationHistory;
  /** That PD's smoothed connect RTT, if known. */
  readonly srtt?: number;
  /** Where the PD was announced, then where the answer came: the stable order (rule 10). */
  readonly rank: number;
  /** @internal Precomputed RFC 6724 facts. */
  readonly keys: DestinationKeys;
}

/**
 * Makes the candidate for a destination through a PD: its best source and
 * the RFC 6724 facts; undefined when the PD has no usable source for it
 * (rule 1).
 *
 * @example A destination through an IPv4 PD
 * ```ts
 * import { candidateFor } from "./destination_order.ts";
 * import assert from "node:assert/strict";
 * const addresses = [{ address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null }];
 * const c = candidateFor("wlan0/ipv4", addresses, "198.51.100.80", { tier: 1, history: "unknown", rank: 0 }, 0);
 * assert.equal(c?.source, "198.51.100.7");
 * assert.equal(candidateFor("wlan0/ipv4", addresses, "2001:db8::80", { tier: 1, history: "unknown", rank: 0 }, 0), undefined);
 * ```
 * @param pdId The PD.
 * @param addresses The PD's addresses.
 * @param address The destination.
 * @param facts Tier, history, the PD's SRTT and the stable rank.
 * @param now Milliseconds since the epoch, for lifetimes.
 * @returns The candidate, or undefined.
 */
export function candidateFor(
  pdId: string,
  addresses: readonly SourceAddress[],
  address: string,
  facts: { tier: number; history: DestinationHistory; srtt?: number; rank: number },
  now: number,
): Candidate | undefined {
  const d = parseIp(address);
  if (!d) return undefined;
  // The worker selects again when it connects (workers/pd_view.ts), and its choice is the one
  // used: connect-to-address carries no source, the worker holds the PD's addresses as they
  // are at that moment, and it falls back along its ranking. This selection, from the
  // announced addresses, only predicts it: the order of destinations (RFC 6724 rules 2, 5 and
  // 9 compare the destination with its source) and rule 1's filtering of destinations no
  // source reaches need it before anything is posted. An attempt's record shows this
  // prediction; a connected one's shows the source the worker used (connect/race.ts).
  const [source] = rankSources(d, addresses, now);
  if (source === undefined) return undefined;
  return {
    pdId,
    address,
    family: d.family,
    source: source.address,
    ...facts,
    keys: destinationKeys(d, source),
  };
}

/**
 * Compares two candidates: policy tier; then destinations that failed
 * through that PD in an earlier race go last (they would cost an attempt
 * delay each time: a silently broken path); then RFC 6724 rules 2, 5, 6
 * and 8 (rule 3 has nothing to order: deprecated addresses are never
 * sources, as in connect-to-address); then RFC 8305 §4's history rule
 * between rules 8 and 9
 * (destinations that answered through that PD before, the PD with the
 * lower RTT first); then rule 9, then the stable order.
 *
 * @example The preferred IPv6 destination first
 * ```ts
 * import { candidateFor, compareCandidates } from "./destination_order.ts";
 * import assert from "node:assert/strict";
 * const v4 = [{ address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null }];
 * const v6 = [{ address: "2001:db8:a::7", prefixLength: 64, validUntil: null, preferredUntil: null }];
 * const facts = { tier: 1, history: "unknown" as const, rank: 0 };
 * const a = candidateFor("a/ipv4", v4, "198.51.100.80", facts, 0)!;
 * const b = candidateFor("a/ipv6", v6, "2001:db8:a::80", { ...facts, rank: 1 }, 0)!;
 * assert.deepEqual([a, b].sort(compareCandidates).map((c) => c.address), ["2001:db8:a::80", "198.51.100.80"]);
 * ```
 * @param a One candidate.
 * @param b The other.
 * @returns Negative when a goes first.
 */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return a.tier - b.tier ||
    Number(a.history === "failed") - Number(b.history === "failed") ||
    compareDestinations(a.keys, b.keys, () =>
      // RFC 8305 §4, between rules 8 and 9.
      Number(b.history === "answered") - Number(a.history === "answered") ||
      (a.srtt ?? Infinity) - (b.srtt ?? Infinity)) ||
    a.rank - b.rank; // Rule 10
}
