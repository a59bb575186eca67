/**
 * Subnet masks as DHCP clients write them (prefix arithmetic itself is in
 * protocol/prefix.ts).
 *
 * @module
 */

import { parseIp } from "../../protocol/ip.ts";

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
