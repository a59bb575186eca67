/**
 * Zones of scoped addresses (RFC 4007 §11): a link-local IPv6 address names
 * no link by itself, so it is used with its interface as a zone
 * ("fe80::1%eth0"); and a zone is left out where two spellings of one
 * address are compared.
 *
 * @module
 */

import { formatIp, type IpAddress, isLinkLocal, parseIp } from "./ip.ts";

/**
 * Tells whether an address needs a zone before it can be used: an IPv6
 * link-local address that has none.
 *
 * @example A router's address needs its link
 * ```ts
 * import { needsZone } from "./zone.ts";
 * import { parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert(needsZone(parseIp("fe80::1")!));
 * assert(!needsZone(parseIp("fe80::1%eth0")!));
 * assert(!needsZone(parseIp("169.254.0.1")!));
 * ```
 * @param ip A parsed address.
 * @returns true when it is IPv6 link-local without a zone.
 */
export function needsZone(ip: IpAddress): boolean {
  return ip.family === "ipv6" && ip.zone === undefined && isLinkLocal(ip);
}

/**
 * Gives an IPv6 link-local address without a zone the PD's interface as its
 * zone, which the kernel needs to know the link (RFC 4007 §11); any other
 * address is returned as it is.
 *
 * @example Scope a router's address
 * ```ts
 * import { zoned } from "./zone.ts";
 * import assert from "node:assert/strict";
 * assert.equal(zoned("fe80::1", "eth0"), "fe80::1%eth0");
 * assert.equal(zoned("2001:db8::1", "eth0"), "2001:db8::1");
 * ```
 * @param address An IP literal.
 * @param interfaceId The PD's interface.
 * @param ip The address parsed, when the caller has it already.
 * @returns The address, with a zone when it needs one.
 */
export function zoned(
  address: string,
  interfaceId: string,
  ip: IpAddress | undefined = parseIp(address),
): string {
  return ip && needsZone(ip) ? `${address}%${interfaceId}` : address;
}

/**
 * The canonical spelling of an address without its zone, for comparing
 * addresses whose zones may be spelled differently (an interface name or
 * its index).
 *
 * @example Compare a server with the sender of a datagram
 * ```ts
 * import { withoutZone } from "./zone.ts";
 * import assert from "node:assert/strict";
 * assert.equal(withoutZone("FE80::1%eth0"), "fe80::1");
 * assert.equal(withoutZone("www.example"), undefined);
 * ```
 * @param address An IP literal.
 * @returns Its canonical spelling without a zone, or undefined when it is not an IP literal.
 */
export function withoutZone(address: string): string | undefined {
  const ip = parseIp(address);
  return ip ? formatIp({ family: ip.family, bytes: ip.bytes }) : undefined;
}
