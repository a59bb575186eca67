/**
 * Parses `ip -j -4 route show table all` and `ip -j -6 route show table all`.
 *
 * @module
 */

import { canonicalIp } from "../../ip/ip.ts";
import type { Family } from "../../protocol/types.ts";
import { jsonRecords } from "./json_records.ts";

/** One route as iproute2 reports it. */
export interface RouteRecord {
  /** Address family of the destination. */
  readonly family: Family;
  /** Destination prefix, canonical ("0.0.0.0/0" and "::/0" for default). */
  readonly destination: string;
  /** Next hop, canonical, where there is one. */
  readonly gateway?: string;
  /** Outgoing interface. */
  readonly device?: string;
  /** Who installed it: "kernel", "ra", "dhcp", "static", "boot", ... */
  readonly protocol: string;
  /** Routing table: "main", "local", or a number. */
  readonly table: string;
  /** "unicast", "local", "broadcast", "multicast", "unreachable", ... */
  readonly type: string;
  /** Seconds until the route expires (RA routes), or null. */
  readonly expires: number | null;
  /** RFC 4191 router preference of an RA route. */
  readonly preference?: string;
  /** Route metric. */
  readonly metric?: number;
}

/** Spellings seen so far → canonical ones; cleared when it holds this many. */
const CACHE_LIMIT = 1 << 16;
const canonical = new Map<string, string | undefined>();

/**
 * canonicalIp, remembered: iproute2 prints the same addresses read after
 * read, and a host with a thousand links has thousands of them, so each
 * spelling is parsed once (up to 65,536 spellings, then the memory starts
 * over).
 *
 * @example The same answers as canonicalIp
 * ```ts
 * import { canonicalIpCached } from "./parse_routes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonicalIpCached("2001:db8:0:0::1"), "2001:db8::1");
 * assert.equal(canonicalIpCached("2001:db8:0:0::1"), "2001:db8::1");
 * assert.equal(canonicalIpCached("198.51.100.300"), undefined);
 * ```
 * @param text The literal.
 * @returns The canonical text, or undefined when text is not an IP literal.
 */
export function canonicalIpCached(text: string): string | undefined {
  const known = canonical.get(text);
  if (known !== undefined || canonical.has(text)) return known;
  if (canonical.size >= CACHE_LIMIT) canonical.clear();
  const address = canonicalIp(text);
  canonical.set(text, address);
  return address;
}

function destination(dst: string, family: Family): string | undefined {
  if (dst === "default") return family === "ipv4" ? "0.0.0.0/0" : "::/0";
  const [ip, length, ...rest] = dst.split("/");
  const address = canonicalIpCached(ip);
  const max = family === "ipv4" ? 32 : 128;
  const bits = length === undefined ? max : Number(length);
  if (!address || rest.length > 0 || !Number.isInteger(bits) || bits < 0 || bits > max) {
    return undefined;
  }
  return `${address}/${bits}`;
}

/**
 * Parses the JSON of `ip -j -4|-6 route show table all`.
 *
 * @example Parse an RA default route
 * ```ts
 * import { parseRoutes } from "./parse_routes.ts";
 * import assert from "node:assert/strict";
 * const [r] = parseRoutes('[{"dst":"default","gateway":"fe80::1","dev":"eth0",' +
 *   '"protocol":"ra","metric":1024,"flags":[],"expires":58,"pref":"medium"}]', "ipv6");
 * assert.deepEqual([r.destination, r.gateway, r.protocol, r.expires], ["::/0", "fe80::1", "ra", 58]);
 * ```
 * @param text The command's output.
 * @param family The family that was asked for (-4 or -6).
 * @returns The routes in the order given.
 * @throws {SyntaxError} When the output is not what iproute2 prints.
 */
export function parseRoutes(text: string, family: Family): RouteRecord[] {
  return jsonRecords(text, `ip -${family === "ipv4" ? 4 : 6} route`).map((r) => {
    const dst = r.required("dst", r.string);
    const dest = destination(dst, family);
    if (!dest) throw r.error(`"${dst}" is not an ${family} prefix`);
    const via = r.string("gateway");
    const gateway = via === undefined ? undefined : canonicalIpCached(via);
    if (via !== undefined && !gateway) throw r.error(`gateway "${via}" is not an IP address`);
    const device = r.string("dev");
    const preference = r.string("pref");
    const metric = r.integer("metric");
    const table = r.raw("table");
    return {
      family,
      destination: dest,
      ...(gateway ? { gateway } : {}),
      ...(device !== undefined ? { device } : {}),
      protocol: r.string("protocol") ?? "boot",
      table: table === undefined ? "main" : String(table),
      type: r.string("type") ?? "unicast",
      expires: r.integer("expires") ?? null,
      ...(preference !== undefined ? { preference } : {}),
      ...(metric !== undefined ? { metric } : {}),
    };
  });
}
