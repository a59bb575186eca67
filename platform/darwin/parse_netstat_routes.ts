/**
 * Parsers for macOS `netstat -rn` (the routing tables of both families) and
 * `route -n get <destination>` (the route the kernel picks for one
 * destination). Pure functions over the commands' text.
 *
 * Formats follow network_cmds-741.100.2: netstat.tproj/route.c routepr()
 * (L257) prints "Routing tables", then per family pr_family() (L171)
 * "\nInternet:" / "\nInternet6:" and pr_rthdr() (L217) "Destination
 * Gateway Flags Netif Expire"; np_rtentry() (L328-430) prints each row,
 * with p_flags() letters from bits[] (L116-143: U up,
 * G gateway, H host, S static, C cloning, c prcloning, L llinfo, W
 * wascloned, I ifscope, i ifref, g global, ...), the Netif name, and an
 * Expire column that is blank, the seconds left, or "!" when the expiry
 * time is already past. With -n the columns only pad (`%-*s`), so wide
 * values push the rest right: rows are split on blanks. An AF_LINK gateway
 * without name or address prints `link#<index>` (p_sockaddr() L486-489).
 * IPv4 networks print netname() (L613): trailing zero octets of a classful
 * network dropped and `/len` only when the mask is not the classful one
 * (forgemask() L567, domask() L581); IPv6 ones netname6() (L669):
 * `addr[%zone]/len`, "default" for ::/0; host routes the bare address.
 *
 * route.tproj/route.c print_getmsg() (L1786-1878) prints `   route to:`, `destination:`,
 * `       mask:`, `    gateway:` (only for RTF_GATEWAY routes),
 * `  interface:`, `      flags: <...>`, then a metrics header and row.
 *
 * @module
 */

import { canonicalIp, type Family, parseIp } from "../../ip/ip.ts";
import { maskLength } from "../../ip/prefix.ts";

/** One row of `netstat -rn`. */
export interface NetstatRoute {
  /** The section the row is in ("Internet:" or "Internet6:"). */
  readonly family: Family;
  /** The Destination column as printed ("default", "10.100/24", "fe80::%en0/64"). */
  readonly destination: string;
  /** The destination as a canonical prefix ("10.100.0.0/24", "::/0", "fe80::/64"), when numeric. */
  readonly prefix?: string;
  /** The zone of a scoped IPv6 destination ("en0" in "fe80::%en0/64"). */
  readonly zone?: string;
  /** The Gateway column as printed (an address, "link#N", a MAC address). */
  readonly gateway: string;
  /** The gateway as a canonical address, when it is one ("fe80::1%en0"). */
  readonly gatewayIp?: string;
  /** N of a `link#N` gateway: the interface index of a directly connected route. */
  readonly gatewayLink?: number;
  /** The Flags letters ("UGScIg"); `I` marks an interface-scoped route. */
  readonly flags: string;
  /** The Netif column: the interface's name. */
  readonly netif: string;
  /** Seconds left, "expired" for "!", absent when the column is blank. */
  readonly expire?: number | "expired";
}

/** What `route -n get <destination>` prints. */
export interface RouteGet {
  /** The destination asked about, as printed ("default", "0.0.0.1"). */
  readonly routeTo: string;
  /** The matching route's destination ("default", "192.168.5.0"). */
  readonly destination?: string;
  /** The matching route's mask ("default", "128.0.0.0"). */
  readonly mask?: string;
  /** Its prefix length, from the mask ("default" is 0). */
  readonly prefixLength?: number;
  /** Its gateway (printed only for a route with the GATEWAY flag). */
  readonly gateway?: string;
  /** The interface's name. */
  readonly interface?: string;
  /** The route flag names ("UP", "GATEWAY", "IFSCOPE", ...). */
  readonly flags: readonly string[];
  /** The route's MTU from the metrics row. */
  readonly mtu?: number;
  /** The route's expire column (seconds, can be negative). */
  readonly expire?: number;
}

/** A default route through a router, per interface, from {@linkcode defaultRouters}. */
export interface DefaultRouter {
  readonly family: Family;
  /** The interface's name. */
  readonly netif: string;
  /** The router's canonical address. */
  readonly router: string;
  /** True for an interface-scoped default (`I` flag): not the primary one. */
  readonly scoped: boolean;
}

function fail(command: string, what: string, line: number): never {
  throw new SyntaxError(`Cannot parse ${command} output: ${what}, line ${line}`);
}

function classfulLength(first: number): number {
  return first < 128 ? 8 : first < 192 ? 16 : 24;
}

function ipv4Prefix(text: string, host: boolean): string | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){0,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const octets = m[1].split(".").map(Number);
  while (octets.length < 4) octets.push(0);
  const address = canonicalIp(octets.join("."));
  if (address === undefined) return undefined;
  let length = m[2] !== undefined ? Number(m[2]) : host ? 32 : classfulLength(octets[0]);
  if (length > 32) return undefined;
  // A 4-octet network without "/len" whose host part is not zero: its mask was 0.
  if (m[2] === undefined && !host && octets.slice(length / 8).some((o) => o !== 0)) length = 32;
  return `${address}/${length}`;
}

function destinationOf(
  text: string,
  family: Family,
  flags: string,
): { prefix?: string; zone?: string } {
  if (text === "default") return { prefix: family === "ipv4" ? "0.0.0.0/0" : "::/0" };
  if (family === "ipv4") return { prefix: ipv4Prefix(text, flags.includes("H")) };
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text);
  const address = m ? canonicalIp(m[1]) : undefined;
  if (!m || address === undefined) return {};
  const percent = address.indexOf("%");
  const length = m[2] ?? "128";
  if (percent < 0) return { prefix: `${address}/${length}` };
  return { prefix: `${address.slice(0, percent)}/${length}`, zone: address.slice(percent + 1) };
}

function parseRow(fields: string[], family: Family, n: number): NetstatRoute {
  const [destination, gateway, flags, netif, expire] = fields;
  if (fields.length < 4) fail("netstat -rn", `a route needs 4 columns, got ${fields.length}`, n);
  let expiry: number | "expired" | undefined;
  if (expire === "!") expiry = "expired";
  else if (expire !== undefined && /^\d+$/.test(expire)) expiry = Number(expire);
  else if (expire !== undefined) fail("netstat -rn", `bad Expire "${expire}"`, n);
  const link = /^link#(\d+)$/.exec(gateway)?.[1];
  const gatewayIp = canonicalIp(gateway);
  return {
    family,
    destination,
    ...destinationOf(destination, family, flags),
    gateway,
    ...(gatewayIp !== undefined ? { gatewayIp } : {}),
    ...(link !== undefined ? { gatewayLink: Number(link) } : {}),
    flags,
    netif,
    ...(expiry !== undefined ? { expire: expiry } : {}),
  };
}

const SECTIONS: Record<string, Family | null> = { "Internet:": "ipv4", "Internet6:": "ipv6" };

/**
 * Parses `netstat -rn` (also `-f inet`, `-f inet6`). Sections of other
 * families ("Protocol Family N:") are skipped. Rows before any section
 * header (an excerpt cut at the top) take their family from the
 * destination (IPv6 ones contain ":").
 *
 * @example An IPv4 primary default, a scoped default and a link default
 * ```ts
 * import { parseNetstatRoutes } from "./parse_netstat_routes.ts";
 * import assert from "node:assert/strict";
 * const routes = parseNetstatRoutes(`Routing tables
 *
 * Internet:
 * Destination        Gateway            Flags               Netif Expire
 * default            198.51.100.1       UGScg                 en0
 * default            203.0.113.1        UGScIg                en1
 * default            link#20            UCSIg           bridge100      !
 * 198.51.100         link#12            UCS                   en0      !
 *
 * Internet6:
 * Destination                             Gateway                                 Flags               Netif Expire
 * fe80::%en0/64                           link#12                                 UCI                   en0
 * `);
 * assert.equal(routes.length, 5);
 * assert.deepEqual(routes[1], {
 *   family: "ipv4", destination: "default", prefix: "0.0.0.0/0", gateway: "203.0.113.1",
 *   gatewayIp: "203.0.113.1", flags: "UGScIg", netif: "en1",
 * });
 * assert.equal(routes[2].gatewayLink, 20);
 * assert.equal(routes[2].expire, "expired");
 * assert.equal(routes[3].prefix, "198.51.100.0/24");
 * assert.deepEqual([routes[4].prefix, routes[4].zone], ["fe80::/64", "en0"]);
 * ```
 * @param text The output.
 * @returns The routes in output order.
 * @throws {SyntaxError} On a row with fewer than 4 columns or a bad Expire, or `-l` columns.
 */
export function parseNetstatRoutes(text: string): NetstatRoute[] {
  const routes: NetstatRoute[] = [];
  let family: Family | null | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line === "Routing tables") continue;
    if (/^\S+:$/.test(line) || /^Protocol Family \d+:$/.test(line)) {
      family = SECTIONS[line] ?? null;
      continue;
    }
    if (line.startsWith("Destination ")) {
      if (/\b(?:RT_IFA|Refs)\b/.test(line)) {
        fail("netstat -rn", "-l columns are not supported", i + 1);
      }
      continue;
    }
    if (family === null) continue;
    const fields = line.split(/\s+/);
    const rowFamily = family ?? (fields[0].includes(":") ? "ipv6" : "ipv4");
    routes.push(parseRow(fields, rowFamily, i + 1));
  }
  return routes;
}

/**
 * The default routes through a router (flag `G`, gateway an address), one
 * per interface and family. The primary default has no `I` flag; every
 * other interface's default is interface-scoped (`I`): used by sockets
 * bound to that interface or to one of its addresses. Defaults whose
 * gateway is `link#N` (VPN tunnels, bridges) have no router and are left out.
 *
 * @example The primary and a scoped IPv4 default
 * ```ts
 * import { defaultRouters, parseNetstatRoutes } from "./parse_netstat_routes.ts";
 * import assert from "node:assert/strict";
 * const routes = parseNetstatRoutes(`Internet:
 * default            link#17            UCSg               ipsec0
 * default            198.51.100.1       UGScg                 en0
 * default            198.51.100.1       UGScIg                en1
 * `);
 * assert.deepEqual(defaultRouters(routes), [
 *   { family: "ipv4", netif: "en0", router: "198.51.100.1", scoped: false },
 *   { family: "ipv4", netif: "en1", router: "198.51.100.1", scoped: true },
 * ]);
 * ```
 * @param routes Routes from {@linkcode parseNetstatRoutes}.
 * @returns The defaults through a router, in table order.
 */
export function defaultRouters(routes: readonly NetstatRoute[]): DefaultRouter[] {
  return routes
    .filter((r) => r.destination === "default" && r.flags.includes("G") && r.gatewayIp)
    .map((r) => ({
      family: r.family,
      netif: r.netif,
      router: r.gatewayIp!,
      scoped: r.flags.includes("I"),
    }));
}

const GET_KEYS: Record<
  string,
  "routeTo" | "destination" | "mask" | "gateway" | "interface" | "flags"
> = {
  "route to": "routeTo",
  destination: "destination",
  mask: "mask",
  gateway: "gateway",
  interface: "interface",
  flags: "flags",
};

/** The length of a contiguous IPv4 or IPv6 mask ("255.255.255.0", "ffff:ffff::"), "default" 0. */
function prefixLengthOf(mask: string): number | undefined {
  if (mask === "default") return 0;
  const ip = parseIp(mask);
  if (!ip || ip.family === "ipv4") return maskLength(mask);
  const bits = [...ip.bytes].map((b) => b.toString(2).padStart(8, "0")).join("");
  return /^1*0*$/.test(bits) ? bits.indexOf("0") < 0 ? 128 : bits.indexOf("0") : undefined;
}

function metrics(line: string | undefined, n: number): { mtu?: number; expire?: number } {
  if (line === undefined || line.trim() === "") return {};
  // Each of 8 columns is "%8u%c": the value, then "L" when locked.
  const values = line.trim().split(/\s+/).map((v) => v.replace(/L$/, ""));
  if (values.length < 8 || !values.every((v) => /^-?\d+$/.test(v))) {
    fail("route get", "bad metrics row", n);
  }
  return { mtu: Number(values[6]), expire: Number(values[7]) };
}

/**
 * Parses `route -n get <destination>` (e.g. `route -n get default`).
 *
 * @example The default route of a Wi-Fi interface
 * ```ts
 * import { parseRouteGet } from "./parse_netstat_routes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseRouteGet("   route to: 2001:db8::1\n       mask: ffff:ffff:ffff:ffff::\n      flags: <UP>\n").prefixLength, 64);
 * assert.deepEqual(parseRouteGet(`   route to: default
 * destination: default
 *        mask: default
 *     gateway: 198.51.100.1
 *   interface: en0
 *       flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
 *  recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire
 *        0         0         0         0         0         0      1500         0
 * `), {
 *   routeTo: "default", destination: "default", mask: "default", prefixLength: 0,
 *   gateway: "198.51.100.1", interface: "en0",
 *   flags: ["UP", "GATEWAY", "DONE", "STATIC", "PRCLONING", "GLOBAL"], mtu: 1500, expire: 0,
 * });
 * ```
 * @param text The output.
 * @returns The route.
 * @throws {SyntaxError} When "route to" or "flags" is missing, or the metrics row is bad.
 */
export function parseRouteGet(text: string): RouteGet {
  const found: Record<string, string> = {};
  let numbers: { mtu?: number; expire?: number } = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (/^recvpipe\s/.test(line)) {
      numbers = metrics(lines[i + 1], i + 2);
      i++;
      continue;
    }
    const m = /^([a-z][a-z ]*[a-z]):\s*(.*)$/.exec(line);
    const key = m && GET_KEYS[m[1]];
    if (key && !(key in found)) found[key] = m[2].trim();
  }
  if (found.routeTo === undefined) fail("route get", 'no "route to" line', 1);
  if (found.flags === undefined) fail("route get", 'no "flags" line', lines.length);
  const { routeTo, destination, mask, gateway, interface: netif, flags } = found;
  const prefixLength = mask !== undefined ? prefixLengthOf(mask) : undefined;
  return {
    routeTo,
    ...(destination !== undefined ? { destination } : {}),
    ...(mask !== undefined ? { mask } : {}),
    ...(prefixLength !== undefined ? { prefixLength } : {}),
    ...(gateway !== undefined ? { gateway } : {}),
    ...(netif !== undefined ? { interface: netif } : {}),
    flags: flags.replace(/^<|>$/g, "").split(",").filter((f) => f !== ""),
    ...numbers,
  };
}
