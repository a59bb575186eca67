/**
 * Prefix arithmetic over IP addresses, on one routine
 * ({@linkcode commonPrefixLength}): whether an address is inside a prefix,
 * the prefix an address is in, and subnet masks as DHCP clients write them.
 * Used by the platforms (attributing addresses and servers to advertised
 * prefixes), the PD workers (which destinations a PD without a default
 * router reaches) and RFC 6724 (addrselect.ts).
 *
 * @module
 */

import { formatIp, parseIp } from "./ip.ts";

/**
 * How many leading bits two addresses of one family share, counting at
 * most `limit` of them (RFC 6724 §2.2's CommonPrefixLen).
 *
 * @example Two addresses on one /64
 * ```ts
 * import { commonPrefixLength } from "./prefix.ts";
 * import { parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * const a = parseIp("2001:db8:c1::5")!.bytes, b = parseIp("2001:db8:c1::80")!.bytes;
 * assert.equal(commonPrefixLength(a, b), 120);
 * assert.equal(commonPrefixLength(a, b, 64), 64);
 * ```
 * @param a An address's bytes.
 * @param b Another address's bytes, as many.
 * @param limit The most bits to count (default: all of them).
 * @returns The number of leading bits that are equal.
 */
export function commonPrefixLength(
  a: Uint8Array,
  b: Uint8Array,
  limit: number = a.length * 8,
): number {
  let n = 0;
  while (n < limit && ((a[n >> 3] ^ b[n >> 3]) & (0x80 >> (n % 8))) === 0) n++;
  return n;
}

/** The first `length` bits of bytes, the rest zero. */
function keepBits(bytes: Uint8Array, length: number): Uint8Array {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    return b & (0xff << (8 - keep) & 0xff);
  });
}

/**
 * How many leading bits of an address match a prefix, or -1 when the
 * address is outside it (or of another family).
 *
 * @example Match an address against a prefix
 * ```ts
 * import { prefixMatch } from "./prefix.ts";
 * import assert from "node:assert/strict";
 * assert.equal(prefixMatch("2001:db8:c1::5", "2001:db8:c1::/64"), 64);
 * assert.equal(prefixMatch("2001:db8:c2::5", "2001:db8:c1::/64"), -1);
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
  return commonPrefixLength(a.bytes, p.bytes, bits) < bits ? -1 : bits;
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
  return `${formatIp({ family: ip.family, bytes: keepBits(ip.bytes, length) })}/${length}`;
}

const IPV4_ONES = new Uint8Array([255, 255, 255, 255]);

/**
 * The prefix length a dotted-quad subnet mask stands for.
 *
 * @example Read a mask
 * ```ts
 * import { maskLength } from "./prefix.ts";
 * import assert from "node:assert/strict";
 * assert.equal(maskLength("255.255.255.0"), 24);
 * assert.equal(maskLength("255.0.255.0"), undefined);
 * ```
 * @param mask A subnet mask such as "255.255.255.0".
 * @returns Its length, or undefined when it is not a contiguous mask.
 */
export function maskLength(mask: string): number | undefined {
  const ip = parseIp(mask);
  if (!ip || ip.family !== "ipv4") return undefined;
  const ones = commonPrefixLength(ip.bytes, IPV4_ONES);
  // Contiguous: nothing but zeros after the leading ones.
  return commonPrefixLength(ip.bytes, keepBits(IPV4_ONES, ones)) === 32 ? ones : undefined;
}
