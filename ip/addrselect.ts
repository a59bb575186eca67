/**
 * RFC 6724, default address selection, in one place: the scopes (§3.1),
 * the default policy table (§2.1), source address selection (§5) and the
 * facts and rules that order destinations (§6). Source selection runs
 * inside one provisioning domain: the draft's "source address selection
 * policy for that provisioning domain" (§3.3.7.21), so only the PD's own
 * addresses are candidates. Destinations are ordered across PDs by
 * connect/destination_order.ts, which adds the PD's policy tier and RFC
 * 8305's history to these rules.
 *
 * @module
 */

import { type IpAddress, isLinkLocal, isLoopback, parseIp } from "./ip.ts";
import { commonPrefixLength } from "./prefix.ts";

/** RFC 6724 §3.1 scope values. */
const LINK_LOCAL = 0x2;
const SITE_LOCAL = 0x5;
const GLOBAL = 0xe;

/**
 * The scope of an address (RFC 6724 §3.1; IPv4 loopback and 169.254/16 are
 * link-local, as their IPv4-mapped forms are).
 *
 * @example Tell scopes apart
 * ```ts
 * import { parseIp } from "./ip.ts";
 * import { scopeOf } from "./addrselect.ts";
 * import assert from "node:assert/strict";
 * assert.equal(scopeOf(parseIp("fe80::1")!), 2);
 * assert.equal(scopeOf(parseIp("2001:db8::1")!), 14);
 * assert.equal(scopeOf(parseIp("127.0.0.1")!), 2);
 * ```
 * @param ip A parsed address.
 * @returns Its scope value.
 */
export function scopeOf(ip: IpAddress): number {
  const b = ip.bytes;
  if (ip.family === "ipv6" && b[0] === 0xff) return b[1] & 0x0f;
  if (isLoopback(ip) || isLinkLocal(ip)) return LINK_LOCAL;
  if (ip.family === "ipv6" && b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return SITE_LOCAL;
  return GLOBAL;
}

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

/**
 * RFC 6724 §2.1: an address's precedence and label in the default policy
 * table (longest matching prefix).
 *
 * @example IPv6 before IPv4, loopback first
 * ```ts
 * import { policyOf } from "./addrselect.ts";
 * import { parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(policyOf(parseIp("::1")!), { precedence: 50, label: 0 });
 * assert.deepEqual(policyOf(parseIp("2001:db8::1")!), { precedence: 40, label: 1 });
 * assert.deepEqual(policyOf(parseIp("198.51.100.1")!), { precedence: 35, label: 4 });
 * ```
 * @param ip The address.
 * @returns Its precedence and label.
 */
export function policyOf(ip: IpAddress): { precedence: number; label: number } {
  const bytes = asIpv6(ip);
  const entry = TABLE.find((e) => commonPrefixLength(bytes, e.bytes, e.length) === e.length)!;
  return { precedence: entry.precedence, label: entry.label };
}

/** A candidate source address, as a PD holds it (protocol/model.ts's AddressInfo fits). */
export interface SourceAddress {
  /** Canonical IP literal. */
  readonly address: string;
  /** Prefix length. */
  readonly prefixLength: number;
  /** When the address stops being valid, in ms since the epoch; null = never. */
  readonly validUntil: number | null;
  /** When the address becomes deprecated, in ms since the epoch; null = never. */
  readonly preferredUntil: number | null;
  /** An RFC 8981 temporary address (rule 7). */
  readonly temporary?: boolean;
}

/** A usable source, parsed, as {@linkcode rankSources} returns it. */
export interface RankedSource {
  /** The address as the PD holds it. */
  readonly address: string;
  /** The address, parsed. */
  readonly ip: IpAddress;
  /** Its prefix length, at most the family's width. */
  readonly prefixLength: number;
}

/** Why no source address was found, when none was. */
export type NoSource = "no-address-of-family" | "all-deprecated-or-expired";

/**
 * Orders a PD's addresses as sources for one destination: only valid,
 * non-deprecated addresses of the destination's family; then RFC 6724 rule 1
 * (the destination itself), rule 2 (a scope at least the destination's, the
 * smallest such first), rule 7 (temporary addresses before public ones, as
 * RFC 8981 hosts prefer them) and rule 8 (longest matching prefix, counted
 * within the source's prefix length). Rules 3–6 are moot inside one PD:
 * deprecated addresses are already left out, home addresses do not occur,
 * and the PD is one interface and one label.
 *
 * @example Pick the source on the destination's prefix
 * ```ts
 * import { rankSources } from "./addrselect.ts";
 * import { parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * const a = (address: string) => ({ address, prefixLength: 64, validUntil: null, preferredUntil: null });
 * const ranked = rankSources(parseIp("2001:db8:c2::80")!, [a("2001:db8:c1::5"), a("2001:db8:c2::5")], 0);
 * assert.deepEqual(ranked.map((s) => s.address), ["2001:db8:c2::5", "2001:db8:c1::5"]);
 * assert.equal(ranked[0].ip.family, "ipv6");
 * ```
 * @param destination The destination, parsed.
 * @param addresses The PD's addresses.
 * @param now Milliseconds since the epoch.
 * @returns Candidate sources, best first (empty when there is none).
 */
export function rankSources(
  destination: IpAddress,
  addresses: readonly SourceAddress[],
  now: number,
): RankedSource[] {
  const d = destination;
  const dScope = scopeOf(d);
  const candidates = addresses.flatMap((a) => {
    const ip = parseIp(a.address);
    if (!ip || ip.family !== d.family) return [];
    if (a.validUntil !== null && a.validUntil <= now) return [];
    if (a.preferredUntil !== null && a.preferredUntil <= now) return [];
    const scope = scopeOf(ip);
    const width = ip.bytes.length * 8;
    const prefixLength = Math.min(a.prefixLength, width);
    return [{
      source: { address: a.address, ip, prefixLength },
      same: commonPrefixLength(ip.bytes, d.bytes, width) === width,
      // Rule 2: a scope below the destination's sorts after every other.
      scopeRank: scope < dScope ? 0x100 - scope : scope - dScope,
      temporary: a.temporary === true,
      prefix: commonPrefixLength(ip.bytes, d.bytes, prefixLength),
    }];
  });
  candidates.sort((x, y) =>
    Number(y.same) - Number(x.same) || x.scopeRank - y.scopeRank ||
    Number(y.temporary) - Number(x.temporary) || y.prefix - x.prefix
  );
  return candidates.map((c) => c.source);
}

/**
 * {@linkcode rankSources} for a destination literal, as addresses.
 *
 * @example Pick the source on the destination's prefix
 * ```ts
 * import { selectSources } from "./addrselect.ts";
 * import assert from "node:assert/strict";
 * const a = (address: string) => ({ address, prefixLength: 64, validUntil: null, preferredUntil: null });
 * assert.deepEqual(
 *   selectSources("2001:db8:c2::80", [a("2001:db8:c1::5"), a("2001:db8:c2::5")], Date.now()),
 *   ["2001:db8:c2::5", "2001:db8:c1::5"],
 * );
 * ```
 * @param destination An IP literal.
 * @param addresses The PD's addresses.
 * @param now Milliseconds since the epoch.
 * @returns Candidate sources, best first (empty when there is none).
 * @throws {TypeError} When destination is not an IP literal.
 */
export function selectSources(
  destination: string,
  addresses: readonly SourceAddress[],
  now: number,
): string[] {
  const d = parseIp(destination);
  if (!d) throw new TypeError(`Cannot select a source: "${destination}" is not an IP address`);
  return rankSources(d, addresses, now).map((s) => s.address);
}

/**
 * Says why {@linkcode selectSources} found nothing, for a failure's detail.
 *
 * @example Explain an empty selection
 * ```ts
 * import { noSourceReason } from "./addrselect.ts";
 * import assert from "node:assert/strict";
 * assert.equal(noSourceReason("198.51.100.80", []), "no-address-of-family");
 * const old = { address: "198.51.100.7", prefixLength: 24, validUntil: 0, preferredUntil: 0 };
 * assert.equal(noSourceReason("198.51.100.80", [old]), "all-deprecated-or-expired");
 * ```
 * @param destination An IP literal, or one already parsed.
 * @param addresses The PD's addresses.
 * @returns Which case it is.
 */
export function noSourceReason(
  destination: string | IpAddress,
  addresses: readonly SourceAddress[],
): NoSource {
  const family = typeof destination === "string"
    ? parseIp(destination)?.family
    : destination.family;
  return addresses.some((a) => parseIp(a.address)?.family === family)
    ? "all-deprecated-or-expired"
    : "no-address-of-family";
}

/** What RFC 6724 §6 compares of a destination and its source. */
export interface DestinationKeys {
  /** Rule 2: the source's scope is the destination's. */
  readonly scopeMatch: boolean;
  /** Rule 5: the source's label is the destination's. */
  readonly labelMatch: boolean;
  /** Rule 6: the destination's precedence. */
  readonly precedence: number;
  /** Rule 8: the destination's scope. */
  readonly scope: number;
  /** Rule 9: the bits the destination shares with its source (IPv6 only, else 0). */
  readonly prefix: number;
}

/**
 * The RFC 6724 §6 facts of a destination reached from a source.
 *
 * @example An IPv6 destination on the source's prefix
 * ```ts
 * import { destinationKeys } from "./addrselect.ts";
 * import { parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * const source = { address: "2001:db8:a::7", ip: parseIp("2001:db8:a::7")!, prefixLength: 64 };
 * assert.deepEqual(destinationKeys(parseIp("2001:db8:a::80")!, source), {
 *   scopeMatch: true, labelMatch: true, precedence: 40, scope: 14, prefix: 64,
 * });
 * ```
 * @param destination The destination, parsed.
 * @param source Its best source ({@linkcode rankSources}).
 * @returns The facts the rules compare.
 */
export function destinationKeys(destination: IpAddress, source: RankedSource): DestinationKeys {
  const d = destination, s = source.ip;
  const dPolicy = policyOf(d);
  return {
    scopeMatch: scopeOf(d) === scopeOf(s),
    labelMatch: dPolicy.label === policyOf(s).label,
    precedence: dPolicy.precedence,
    scope: scopeOf(d),
    // Rule 9 only between IPv6 destinations (RFC 6724 §6).
    prefix: d.family === "ipv6" ? commonPrefixLength(d.bytes, s.bytes, source.prefixLength) : 0,
  };
}

/**
 * Compares two destinations by RFC 6724 §6 rules 2, 5, 6, 8 and 9. Rule 1
 * (a usable source) is the caller's: a destination without one is no
 * candidate; rule 3 has nothing to order, deprecated addresses being never
 * sources; rules 4 and 7 do not apply (no home addresses, no native
 * transport to tell apart); rule 10 is the caller's stable order. A rule of
 * the caller's own (RFC 8305 §4's history) may go between rules 8 and 9.
 *
 * @example The IPv6 destination first (rule 6)
 * ```ts
 * import { compareDestinations, destinationKeys, rankSources } from "./addrselect.ts";
 * import { parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * const held = (address: string, prefixLength: number) =>
 *   [{ address, prefixLength, validUntil: null, preferredUntil: null }];
 * const keys = (destination: string, address: string, prefixLength: number) => {
 *   const d = parseIp(destination)!;
 *   return destinationKeys(d, rankSources(d, held(address, prefixLength), 0)[0]);
 * };
 * const v4 = keys("198.51.100.80", "198.51.100.7", 24);
 * const v6 = keys("2001:db8:a::80", "2001:db8:a::7", 64);
 * assert(compareDestinations(v6, v4) < 0);
 * ```
 * @param x One destination's keys.
 * @param y The other's.
 * @param between8And9 The caller's rule between rules 8 and 9 (default: none).
 * @returns Negative when x goes first, positive when y does, 0 when the rules cannot tell.
 */
export function compareDestinations(
  x: DestinationKeys,
  y: DestinationKeys,
  between8And9: () => number = () => 0,
): number {
  return Number(y.scopeMatch) - Number(x.scopeMatch) || // Rule 2
    Number(y.labelMatch) - Number(x.labelMatch) || // Rule 5
    y.precedence - x.precedence || // Rule 6
    x.scope - y.scope || // Rule 8
    between8And9() ||
    y.prefix - x.prefix; // Rule 9
}
