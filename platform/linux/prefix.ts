/**
 * Prefix arithmetic for attributing addresses and servers to routes and
 * advertised prefixes.
 *
 * @module
 */

import { parseIp } from "../../protocol/ip.ts";

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
 * The prefix length a dotted-quad subnet mask stands for.
 *
 * @example Read a mask
 * ```ts
 * import { maskLength } from "./prefix.ts";
 * console.log(maskLength("255.255.255.0")); // 24
 * console.log(maskLength("255.0.255.0")); // undefined
 * ```
 * @param mask A subnet mask such as "255.255.255.0".
 * @returns Its length, or undefined when it is not a contiguous mask.
 */
export function maskLength(mask: string): number | undefined {
  const ip = parseIp(mask);
  if (!ip || ip.family !== "ipv4") return undefined;
  const bits = [...ip.bytes].map((o) => o.toString(2).padStart(8, "0")).join("");
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, "").length : undefined;
}
