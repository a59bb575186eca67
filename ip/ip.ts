/**
 * IP address literals: strict parsing and canonical formatting (RFC 5952 for
 * IPv6), so that every address that enters the state model has one spelling;
 * and the two address classes everyone asks about, loopback and link-local.
 * The ground floor of the library: it imports nothing.
 *
 * @module
 */

/**
 * The address families, as the protocol spells them.
 *
 * @example The two families
 * ```ts
 * import { FAMILIES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert.deepEqual(FAMILIES, ["ipv4", "ipv6"]);
 * ```
 */
export const FAMILIES = ["ipv4", "ipv6"] as const;

/** An address family: one of {@linkcode FAMILIES}. */
export type Family = typeof FAMILIES[number];

/** A parsed IP address literal. */
export interface IpAddress {
  /** "ipv4" or "ipv6". */
  readonly family: Family;
  /** 4 or 16 bytes in network order. */
  readonly bytes: Uint8Array;
  /** The zone of a scoped IPv6 address ("eth0" in "fe80::1%eth0"), if any. */
  readonly zone?: string;
}

const IPV4_PART = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /^[A-Za-z0-9_.:-]{1,64}$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!IPV4_PART.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (!v4) return undefined;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/**
 * Parses an IPv4 dotted quad or an IPv6 literal (with an optional "%zone").
 * Leading zeros in IPv4 parts are refused, as Go's net.ParseIP does, because
 * some parsers read them as octal.
 *
 * @example Parse an IPv6 literal
 * ```ts
 * import { parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseIp("2001:db8::1")?.family, "ipv6");
 * assert.equal(parseIp("fe80::1%eth0")?.zone, "eth0");
 * assert.equal(parseIp("010.0.0.1"), undefined);
 * ```
 * @param text The literal.
 * @returns The address, or undefined when text is not an IP literal.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (typeof text !== "string" || text.length > 64) return undefined;
  if (!text.includes(":")) {
    const bytes = parseIpv4(text);
    return bytes ? { family: "ipv4", bytes } : undefined;
  }
  const percent = text.indexOf("%");
  const literal = percent < 0 ? text : text.slice(0, percent);
  const zone = percent < 0 ? undefined : text.slice(percent + 1);
  if (zone !== undefined && !ZONE.test(zone)) return undefined;
  const bytes = parseIpv6(literal);
  if (!bytes) return undefined;
  return zone === undefined ? { family: "ipv6", bytes } : { family: "ipv6", bytes, zone };
}

/**
 * Formats an address canonically: dotted quad for IPv4, RFC 5952 for IPv6
 * (lower case, longest run of two or more zero groups compressed, IPv4-mapped
 * addresses as ::ffff:a.b.c.d).
 *
 * @example Canonicalise an IPv6 literal
 * ```ts
 * import { formatIp, parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatIp(parseIp("2001:DB8:0:0:0:0:0:1")!), "2001:db8::1");
 * ```
 * @param ip A parsed address.
 * @returns Its canonical text.
 */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.family === "ipv4") return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    // RFC 5952 §5: IPv4-mapped addresses keep their dotted quad.
    const text = `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return ip.zone === undefined ? text : `${text}%${ip.zone}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  const text = bestStart < 0
    ? hex.join(":")
    : `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
  return ip.zone === undefined ? text : `${text}%${ip.zone}`;
}

/**
 * Returns the canonical spelling of an IP literal.
 *
 * @example Canonicalise
 * ```ts
 * import { canonicalIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonicalIp("0:0::1"), "::1");
 * assert.equal(canonicalIp("www.example"), undefined);
 * ```
 * @param text The literal.
 * @returns The canonical text, or undefined when text is not an IP literal.
 */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : undefined;
}

/**
 * Tells whether an address is a loopback address (127.0.0.0/8 or ::1).
 *
 * @example Check a simulated PD address
 * ```ts
 * import { isLoopback, parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert(isLoopback(parseIp("127.0.1.2")!));
 * assert(isLoopback(parseIp("::1")!));
 * assert(!isLoopback(parseIp("::2")!));
 * ```
 * @param ip A parsed address.
 * @returns true for loopback addresses.
 */
export function isLoopback(ip: IpAddress): boolean {
  if (ip.family === "ipv4") return ip.bytes[0] === 127;
  return ip.bytes.every((byte, i) => byte === (i === 15 ? 1 : 0));
}

/**
 * Tells whether an address is link-local: fe80::/10, or 169.254.0.0/16
 * (RFC 3927). An IPv6 one needs a zone to be used (RFC 4007 §11).
 *
 * @example A router's address
 * ```ts
 * import { isLinkLocal, parseIp } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert(isLinkLocal(parseIp("fe80::d2")!));
 * assert(!isLinkLocal(parseIp("2001:db8:d2::1")!));
 * ```
 * @param ip A parsed address.
 * @returns true for link-local addresses.
 */
export function isLinkLocal(ip: IpAddress): boolean {
  if (ip.family === "ipv4") return ip.bytes[0] === 169 && ip.bytes[1] === 254;
  return ip.bytes[0] === 0xfe && (ip.bytes[1] & 0xc0) === 0x80;
}

/**
 * Tells whether an IPv4 address is self-assigned (RFC 3927): in
 * 169.254.0.0/16 with that whole /16 as its subnet, as macOS (when DHCP
 * finds no server), avahi-autoipd and the link-local modes of
 * NetworkManager and systemd-networkd configure it. Such an address comes
 * with no provisioning, so it is no PD's. A 169.254 address with a longer
 * prefix (a tunnel's /30, as cloud VPNs number their inside addresses) was
 * configured on purpose, like any other.
 *
 * @example A self-assigned address and a tunnel's
 * ```ts
 * import { isSelfAssigned } from "./ip.ts";
 * import assert from "node:assert/strict";
 * assert(isSelfAssigned("169.254.176.43", 16));
 * assert(!isSelfAssigned("169.254.10.2", 30));
 * assert(!isSelfAssigned("198.51.100.7", 16));
 * ```
 * @param address An IPv4 address (anything else is not self-assigned).
 * @param prefixLength Its prefix length.
 * @returns true for a self-assigned address.
 */
export function isSelfAssigned(address: string, prefixLength: number): boolean {
  const ip = parseIp(address);
  return ip?.family === "ipv4" && isLinkLocal(ip) && prefixLength === 16;
}
