/**
 * Source address selection inside one provisioning domain, after RFC 6724
 * §5: the draft's "source address selection policy for that provisioning
 * domain" (§3.3.7.21). Only the PD's own addresses are candidates.
 *
 * @module
 */

import { type IpAddress, isLinkLocal, isLoopback, parseIp } from "../../protocol/ip.ts";
import type { AddressInfo } from "../../platform/types.ts";

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
 * import { parseIp } from "../../protocol/ip.ts";
 * import { scopeOf } from "./source_selection.ts";
 * console.log(scopeOf(parseIp("fe80::1")!), scopeOf(parseIp("2001:db8::1")!)); // 2 14
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

function commonPrefix(a: IpAddress, b: IpAddress, limit: number): number {
  let n = 0;
  while (n < limit) {
    const mask = 0x80 >> (n % 8);
    if ((a.bytes[n >> 3] & mask) !== (b.bytes[n >> 3] & mask)) break;
    n++;
  }
  return n;
}

/**
 * Gives an IPv6 link-local address without a zone the PD's interface as its
 * zone, which the kernel needs to know the link (RFC 4007 §11); any other
 * address is returned as it is.
 *
 * @example Scope a router's address
 * ```ts
 * import { zoned } from "./source_selection.ts";
 * console.log(zoned("fe80::1", "eth0"), zoned("2001:db8::1", "eth0")); // fe80::1%eth0 2001:db8::1
 * ```
 * @param address An IP literal.
 * @param interfaceId The PD's interface.
 * @returns The address, with a zone when it needs one.
 */
export function zoned(address: string, interfaceId: string): string {
  const ip = parseIp(address);
  const unscoped = ip?.family === "ipv6" && ip.zone === undefined && isLinkLocal(ip);
  return unscoped ? `${address}%${interfaceId}` : address;
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
 * import { selectSources } from "./source_selection.ts";
 * const a = (address: string) => ({ address, prefixLength: 64, validUntil: null, preferredUntil: null });
 * console.log(selectSources("2001:db8:c2::80", [a("2001:db8:c1::5"), a("2001:db8:c2::5")], Date.now()));
 * // ["2001:db8:c2::5", "2001:db8:c1::5"]
 * ```
 * @param destination An IP literal.
 * @param addresses The PD's addresses.
 * @param now Milliseconds since the epoch.
 * @returns Candidate sources, best first (empty when there is none).
 */
export function selectSources(
  destination: string,
  addresses: readonly AddressInfo[],
  now: number,
): string[] {
  const d = parseIp(destination);
  if (!d) throw new TypeError(`Cannot select a source: "${destination}" is not an IP address`);
  const dScope = scopeOf(d);
  const candidates = addresses.flatMap((a) => {
    const ip = parseIp(a.address);
    if (!ip || ip.family !== d.family) return [];
    if (a.validUntil !== null && a.validUntil <= now) return [];
    if (a.preferredUntil !== null && a.preferredUntil <= now) return [];
    const scope = scopeOf(ip);
    return [{
      address: a.address,
      same: commonPrefix(ip, d, ip.bytes.length * 8) === ip.bytes.length * 8,
      // Rule 2: a scope below the destination's sorts after every other.
      scopeRank: scope < dScope ? 0x100 - scope : scope - dScope,
      temporary: a.temporary === true,
      prefix: commonPrefix(ip, d, Math.min(a.prefixLength, ip.bytes.length * 8)),
    }];
  });
  candidates.sort((x, y) =>
    Number(y.same) - Number(x.same) || x.scopeRank - y.scopeRank ||
    Number(y.temporary) - Number(x.temporary) || y.prefix - x.prefix
  );
  return candidates.map((c) => c.address);
}

/**
 * Says why {@linkcode selectSources} found nothing, for a failure's detail.
 *
 * @example Explain an empty selection
 * ```ts
 * import { noSourceReason } from "./source_selection.ts";
 * console.log(noSourceReason("198.51.100.80", [])); // "no-address-of-family"
 * ```
 * @param destination An IP literal.
 * @param addresses The PD's addresses.
 * @returns Which case it is.
 */
export function noSourceReason(destination: string, addresses: readonly AddressInfo[]): NoSource {
  const family = parseIp(destination)?.family;
  return addresses.some((a) => parseIp(a.address)?.family === family)
    ? "all-deprecated-or-expired"
    : "no-address-of-family";
}
