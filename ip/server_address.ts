/**
 * DNS server strings as a PD's dns-servers item holds them: an IP literal
 * with an optional port, in the syntax of systemd-resolved's DNS= setting
 * (resolved.conf(5)) without its "#name" suffix: "198.51.100.1",
 * "198.51.100.1:5353", "2001:db8::1", "[2001:db8::1]:5353",
 * "fe80::1%eth0", "[fe80::1%eth0]:53".
 *
 * @module
 */

import { type Family, formatIp, type IpAddress, parseIp } from "./ip.ts";
import { needsZone } from "./zone.ts";

/** A parsed DNS server. */
export interface DnsServer {
  /** The string as configured, used to name the server in answers. */
  readonly text: string;
  /** Canonical IP literal, with a %zone when it is link-local. */
  readonly host: string;
  /** UDP and TCP port. */
  readonly port: number;
  /** The server's address family. */
  readonly family: Family;
  /** `host`, parsed (its zone included): parsed once here, used as is further in. */
  readonly ip: IpAddress;
}

/** RFC 1035 §4.2: "The Internet supports name server access using TCP or UDP on port 53". */
export const DNS_PORT = 53;
const PORT = /^[1-9][0-9]{0,4}$/;

/**
 * Parses a server string. An IPv6 link-local server without a zone is on
 * the PD's own link, so it gets the PD's interface as its zone (RFC 4007
 * §11: a link-local address needs one to be used).
 *
 * @example Parse a server with a port
 * ```ts
 * import { parseServer } from "./server_address.ts";
 * import assert from "node:assert/strict";
 * const server = parseServer("[2001:DB8::1]:5353", "eth0")!;
 * assert.deepEqual({ ...server, ip: undefined }, {
 *   text: "[2001:DB8::1]:5353", host: "2001:db8::1", port: 5353, family: "ipv6", ip: undefined,
 * });
 * assert.equal(server.ip.bytes.length, 16);
 * assert.equal(parseServer("dns.example", "eth0"), undefined);
 * ```
 * @example Scope a link-local server
 * ```ts
 * import { parseServer } from "./server_address.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseServer("fe80::1", "wlan0")?.host, "fe80::1%wlan0");
 * ```
 * @param text The configured string.
 * @param interfaceId The PD's interface, the zone of unscoped link-local servers.
 * @returns The server, or undefined when text is not a server string.
 */
export function parseServer(text: string, interfaceId: string): DnsServer | undefined {
  if (typeof text !== "string") return undefined;
  let literal = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(text);
  if (bracketed) {
    [, literal, portText] = bracketed;
    if (!literal.includes(":")) return undefined; // Brackets are for IPv6 only.
  } else if (text.split(":").length === 2) {
    [literal, portText] = text.split(":"); // One colon: IPv4 and a port.
  }
  const ip = parseIp(literal);
  if (!ip) return undefined;
  let port = DNS_PORT;
  if (portText !== undefined) {
    if (!PORT.test(portText) || Number(portText) > 65535) return undefined;
    port = Number(portText);
  }
  const parsed = needsZone(ip) ? { ...ip, zone: interfaceId } : ip;
  return { text, host: formatIp(parsed), port, family: ip.family, ip: parsed };
}

/**
 * Writes a host and port as a server string ("[...]:port" for IPv6).
 *
 * @example Name a test server
 * ```ts
 * import { serverText } from "./server_address.ts";
 * import assert from "node:assert/strict";
 * assert.equal(serverText("127.0.0.12", 5353), "127.0.0.12:5353");
 * assert.equal(serverText("2001:db8::1", 53), "[2001:db8::1]:53");
 * ```
 * @param host An IP literal.
 * @param port A port.
 * @returns The server string.
 */
export function serverText(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
