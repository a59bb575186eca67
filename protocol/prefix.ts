/**
 * Prefix arithmetic over IP literals: whether an address is inside a prefix,
 * and the prefix an address is in. Used by the platforms (attributing
 * addresses and servers to advertised prefixes) and the PD workers (which
 * destinations a PD without a default router reaches).
 *
 * @module
 */

import { formatIp, parseIp } from "./ip.ts";

/**
 * How many leading bits of an address match a prefix, or -1 when the
 * address is outside it (or of another family).
 *
 * @example Match an address against a prefix
 * ```ts
 * import { prefixMatch } from "./prefix.ts";
 * console.log(prefixMatch("2001:db8:c1::5", "2001:db8:c1::/64")); // 64
 * console.log(prefixMatch("2001:db8:c2::5", "2001:db8:c1::/64")); // -1
 * ```
 * @param address An IP literal.
 * @param prefix "address/length".
 * @returns The prefix length when inside, else -1.
 */
export function prefixMatch(address: string, prefix: string): number {
  const slash = prefix.lastIndexOf("/");
  const a = parseIp(address), p = parseIp(slash < 0 ? prefix : prefix.slice(0, slash));
  if (!a || !p || a.family !== p.family) return -1;
  const bits = slash < 0 ? a.bytes.length * 8 : Number(prefix.slice(slash + 1));
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((a.bytes[i >> 3] & mask) !== (p.bytes[i >> 3] & mask)) return -1;
  }
  return bits;
}

/**
 * The prefix an address is in: its first `length` bits, the rest zero.
 *
 * @example The /64 of a SLAAC address
 * ```ts
 * import { networkOf } from "./prefix.ts";
 * import assert from "node:assert/strict";
 * assert.equal(networkOf("2001:db8:d2::8b8:eaff:fea0:a8b7", 64), "2001:db8:d2::/64");
 * ```
 * @param address An IP literal.
 * @param length The prefix length.
 * @returns "address/length", canonical.
 * @throws {TypeError} When address is not an IP literal.
 */
export function networkOf(address: string, length: number): string {
  const ip = parseIp(address);
  if (!ip) throw new TypeError(`Cannot take a prefix: "${address}" is not an IP address`);
  const bytes = ip.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    return b & (0xff << (8 - keep) & 0xff);
  });
  return `${formatIp({ family: ip.family, bytes })}/${length}`;
}
