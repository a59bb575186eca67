/**
 * The order of candidate destinations across provisioning domains: RFC 6724
 * §6 destination address selection, with RFC 8305 §4's history rule, for
 * (PD, destination) pairs whose source is the PD's best address for that
 * destination (RFC 6724 §5 inside the PD, workers/net/source_selection.ts).
 *
 * @module
 */

import { type IpAddress, parseIp } from "../protocol/ip.ts";
import type { AddressInfo } from "../platform/types.ts";
import { scopeOf, selectSources } from "../workers/net/source_selection.ts";
import type { DestinationHistory } from "./path_history.ts";

/** RFC 6724 §2.1's default policy table: prefix, length, precedence, label. */
const POLICY: readonly (readonly [string, number, number, number])[] = [
  ["::1", 128, 50, 0],
  ["::ffff:0:0", 96, 35, 4],
  ["2002::", 16, 30, 2],
  ["2001::", 32, 5, 5],
  ["fc00::", 7, 3, 13],
  ["::", 96, 1, 3],
  ["fec0::", 10, 1, 11],
  ["3ffe::", 16, 1, 12],
  ["::", 0, 40, 1],
];
const TABLE = POLICY.map(([prefix, length, precedence, label]) => ({
  bytes: parseIp(prefix)!.bytes,
  length,
  precedence,
  label,
}));

/** The address as 16 bytes, IPv4 as IPv4-mapped (RFC 6724 §2.1). */
function asIpv6(ip: IpAddress): Uint8Array {
  if (ip.family === "ipv6") return ip.bytes;
  const bytes = new Uint8Array(16);
  bytes[10] = bytes[11] = 0xff;
  bytes.set(ip.bytes, 12);
  return bytes;
}

function commonBits(a: Uint8Array, b: Uint8Array, limit: number): number {
  let n = 0;
  while (n < limit && ((a[n >> 3] ^ b[n >> 3]) & (0x80 >> (n % 8))) === 0) n++;
  return n;
}

/**
 * RFC 6724 §2.1: an address's precedence and label in the default policy
 * table (longest matching prefix).
 *
 * @example IPv6 before IPv4, loopback first
 * ```ts
 * import { policyOf } from "./destination_order.ts";
 * import { parseIp } from "../protocol/ip.ts";
 * console.log(policyOf(parseIp("2001:db8::1")!), policyOf(parseIp("198.51.100.1")!));
 * // { precedence: 40, label: 1 } { precedence: 35, label: 4 }
 * ```
 * @param ip The address.
 * @returns Its precedence and label.
 */
export function policyOf(ip: IpAddress): { precedence: number; label: number } {
  const bytes = asIpv6(ip);
  const entry = TABLE.find((e) => commonBits(bytes, e.bytes, e.length) === e.length)!;
  return { precedence: entry.precedence, label: entry.label };
}

/** A destination through one PD, with what the ordering needs. */
export interface Candidate {
  /** The PD. */
  readonly pdId: string;
  /** The destination. */
  readonly address: string;
  /** Its family. */
  readonly family: "ipv4" | "ipv6";
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
  readonly keys: SortKeys;
}

/** @internal */
export interface SortKeys {
  readonly scopeMatch: boolean;
  readonly labelMatch: boolean;
  readonly precedence: number;
  readonly scope: number;
  readonly prefix: number;
}

/**
 * Makes the candidate for a destination through a PD: its best source and
 * the RFC 6724 facts; undefined when the PD has no usable source for it
 * (rule 1).
 *
 * @example A destination through an IPv4 PD
 * ```ts
 * import { candidateFor } from "./destination_order.ts";
 * const addresses = [{ address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null }];
 * const c = candidateFor("wlan0/ipv4", addresses, "198.51.100.80", { tier: 1, history: "unknown", rank: 0 }, 0);
 * console.log(c?.source); // "198.51.100.7"
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
  addresses: readonly AddressInfo[],
  address: string,
  facts: { tier: number; history: DestinationHistory; srtt?: number; rank: number },
  now: number,
): Candidate | undefined {
  const d = parseIp(address);
  if (!d) return undefined;
  const source = selectSources(address, addresses, now)[0];
  if (source === undefined) return undefined;
  const s = parseIp(source)!;
  const info = addresses.find((a) => a.address === source)!;
  const sourcePrefix = Math.min(info.prefixLength, s.bytes.length * 8);
  return {
    pdId,
    address,
    family: d.family,
    source,
    ...facts,
    keys: {
      scopeMatch: scopeOf(d) === scopeOf(s),
      labelMatch: policyOf(d).label === policyOf(s).label,
      precedence: policyOf(d).precedence,
      scope: scopeOf(d),
      // Rule 9 only between IPv6 destinations (RFC 6724 §6).
      prefix: d.family === "ipv6" ? commonBits(d.bytes, s.bytes, sourcePrefix) : 0,
    },
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
 * const v4 = [{ address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null }];
 * const v6 = [{ address: "2001:db8:a::7", prefixLength: 64, validUntil: null, preferredUntil: null }];
 * const facts = { tier: 1, history: "unknown" as const, rank: 0 };
 * const a = candidateFor("a/ipv4", v4, "198.51.100.80", facts, 0)!;
 * const b = candidateFor("a/ipv6", v6, "2001:db8:a::80", { ...facts, rank: 1 }, 0)!;
 * console.log([a, b].sort(compareCandidates).map((c) => c.address)); // ["2001:db8:a::80", "198.51.100.80"]
 * ```
 * @param a One candidate.
 * @param b The other.
 * @returns Negative when a goes first.
 */
export function compareCandidates(a: Candidate, b: Candidate): number {
  const x = a.keys, y = b.keys;
  return a.tier - b.tier ||
    Number(a.history === "failed") - Number(b.history === "failed") ||
    Number(y.scopeMatch) - Number(x.scopeMatch) || // Rule 2
    Number(y.labelMatch) - Number(x.labelMatch) || // Rule 5
    y.precedence - x.precedence || // Rule 6
    x.scope - y.scope || // Rule 8
    Number(b.history === "answered") - Number(a.history === "answered") || // RFC 8305 §4
    (a.srtt ?? Infinity) - (b.srtt ?? Infinity) ||
    y.prefix - x.prefix || // Rule 9
    a.rank - b.rank; // Rule 10
}
