/**
 * Parser for systemd-networkd's DHCPv4 lease files
 * (/run/systemd/netif/leases/<ifindex>), the KEY=VALUE files written by
 * `dhcp_lease_save()` in sd-dhcp-lease.c. Pure: text in, data out.
 *
 * @module
 */

import { compact, withoutTrailingDot } from "./field_text.ts";
import { canonicalIp } from "../../ip/ip.ts";
import type { Dhcp4Lease } from "../dhcp_elements.ts";
import { maskLength } from "../../ip/prefix.ts";

/** Seconds per unit of systemd's format_timespan(). */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  y: 31557600,
  month: 2629800,
  w: 604800,
  d: 86400,
  h: 3600,
  min: 60,
  s: 1,
};

/**
 * Parses a systemd-networkd DHCPv4 lease file. Keys read: ADDRESS, NETMASK,
 * ROUTER, SERVER_ADDRESS, DNS, DOMAINNAME, DOMAIN_SEARCH_LIST, MTU, LIFETIME,
 * T1 and T2; others (NTP, HOSTNAME, CLIENTID, ROUTES, ...) are ignored. Lists
 * are space separated. LIFETIME, T1 and T2 are plain seconds in older systemd
 * and timespans such as "1d" or "12h 30min" in newer systemd; "infinity"
 * stands for an infinite lease (0xffffffff seconds, as DHCP encodes it).
 *
 * @example Parse a lease file
 * ```ts
 * import { parseNetworkdLease } from "./parse_networkd_lease.ts";
 * import assert from "node:assert/strict";
 * const text = "# This is private data. Do not parse.\nADDRESS=198.51.100.20\n" +
 *   "NETMASK=255.255.255.0\nROUTER=198.51.100.1\nDNS=198.51.100.53\nLIFETIME=12h\n";
 * assert.deepEqual(parseNetworkdLease(text, "eth0", "/run/systemd/netif/leases/2"), {
 *   interfaceName: "eth0", address: "198.51.100.20", prefixLength: 24,
 *   routers: ["198.51.100.1"], dnsServers: ["198.51.100.53"], searchDomains: [],
 *   leaseTime: 43200, source: "/run/systemd/netif/leases/2",
 * });
 * ```
 * @param text The lease file's content.
 * @param interfaceName The interface the lease belongs to (the file is named
 * by interface index).
 * @param source Where the text was read from, for the result and errors.
 * @returns The lease; fields the file lacks are left out.
 * @throws {SyntaxError} When a line is not KEY=VALUE, or a value that should
 * be an address, a netmask or a number is not one.
 */
export function parseNetworkdLease(
  text: string,
  interfaceName: string,
  source: string,
): Dhcp4Lease {
  const fail = (problem: string) =>
    new SyntaxError(`Cannot parse networkd lease ${source}: ${problem}`);
  const values = new Map<string, string>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const equals = line.indexOf("=");
    if (equals < 1) throw fail(`line ${index + 1} is not KEY=VALUE`);
    const value = line.slice(equals + 1).trim().replace(/^(["'])(.*)\1$/, "$2");
    values.set(line.slice(0, equals).trim(), value);
  });
  const words = (key: string) => (values.get(key) ?? "").split(/\s+/).filter((w) => w !== "");
  const ipv4 = (word: string) => {
    const ip = canonicalIp(word);
    return ip === undefined || ip.includes(":") ? undefined : ip;
  };
  const addresses = (key: string) =>
    words(key).map((word) => {
      const ip = ipv4(word);
      if (ip === undefined) throw fail(`${key} "${word}" is not an IP address`);
      return ip;
    });
  const one = <T>(key: string, parse: (word: string) => T | undefined, what: string) => {
    const value = values.get(key);
    if (value === undefined || value === "") return undefined;
    const parsed = parse(value);
    if (parsed === undefined) throw fail(`${key} "${value}" is not ${what}`);
    return parsed;
  };
  const domainName = one("DOMAINNAME", (name) => withoutTrailingDot(name) || undefined, "a domain");
  const search = words("DOMAIN_SEARCH_LIST").map(withoutTrailingDot);
  return compact({
    interfaceName,
    address: one("ADDRESS", ipv4, "an IP address"),
    prefixLength: one("NETMASK", maskLength, "a netmask"),
    routers: addresses("ROUTER"),
    dnsServers: addresses("DNS"),
    searchDomains: search.length > 0 ? search : domainName === undefined ? [] : [domainName],
    domainName,
    serverIdentifier: one("SERVER_ADDRESS", ipv4, "an IP address"),
    mtu: one("MTU", mtu, "an MTU"),
    leaseTime: one("LIFETIME", timespan, "a duration"),
    renewalTime: one("T1", timespan, "a duration"),
    rebindingTime: one("T2", timespan, "a duration"),
    source,
  });
}

/** A 16-bit MTU, written in decimal. */
function mtu(text: string): number | undefined {
  return /^[1-9][0-9]{0,4}$/.test(text) && Number(text) <= 0xffff ? Number(text) : undefined;
}

/** Seconds in "86400", "1d 12h" or "infinity" (0xffffffff). */
function timespan(text: string): number | undefined {
  if (/^(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (text === "infinity") return 0xffffffff;
  let total = 0;
  for (const part of text.split(" ")) {
    const match = /^([1-9][0-9]*)(y|month|w|d|h|min|s)$/.exec(part);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_SECONDS[match[2]];
  }
  return total;
}
