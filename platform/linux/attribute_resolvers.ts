/**
 * Attributes resolver configuration (/etc/resolv.conf, systemd-resolved,
 * NetworkManager) to provisioning domains. A per-link server goes to that
 * link's PD of its family; a system-wide server goes to the PD whose link
 * the host routes it through (longest prefix match in the main table).
 * A server a protocol already delivered to the PD is left alone; any other
 * lands in the PD's "static" element, labelled with its source.
 *
 * @module
 */

import { isLinkLocal, isLoopback, parseIp } from "../../ip/ip.ts";
import type { SourceNote } from "../../protocol/model.ts";
import type { ResolverConfig } from "./source_types.ts";
import type { PdDraft } from "../pd_draft.ts";
import { prefixMatch } from "../../ip/prefix.ts";
import type { RouteRecord } from "./parse_routes.ts";

function route(server: string, routes: readonly RouteRecord[]): RouteRecord | undefined {
  let best: RouteRecord | undefined, bits = -1;
  for (const r of routes) {
    if (r.table !== "main" || r.type !== "unicast") continue;
    const m = prefixMatch(server, r.destination);
    if (m > bits || (m === bits && best && (r.metric ?? 0) < (best.metric ?? 0))) {
      best = r;
      bits = m;
    }
  }
  return bits < 0 ? undefined : best;
}

function choose(pds: readonly PdDraft[], server: string, gateway?: string): PdDraft | undefined {
  return pds.find((p) => p.hasDnsServer(server)) ??
    pds.find((p) => gateway !== undefined && p.router === gateway) ??
    pds.find((p) =>
      p.addresses.some((a) => prefixMatch(server, `${a.address}/${a.prefixLength}`) >= 0)
    ) ??
    pds.find((p) => p.router === undefined) ?? pds[0];
}

/**
 * Adds each resolver's servers to the PD they belong to.
 *
 * @example A system-wide server routed through eth0
 * ```ts
 * import { attributeResolvers } from "./attribute_resolvers.ts";
 * import assert from "node:assert/strict";
 * import { PdDraft } from "../pd_draft.ts";
 * const pd = new PdDraft("eth0/ipv4", "ipv4");
 * const notes: { source: string; reason: string }[] = [];
 * attributeResolvers(
 *   [{ dnsServers: ["203.0.113.53"], searchDomains: [], source: "/etc/resolv.conf" }],
 *   new Map([["eth0", [pd]]]),
 *   [{ family: "ipv4", destination: "0.0.0.0/0", gateway: "198.51.100.1", device: "eth0",
 *     protocol: "static", table: "main", type: "unicast", expires: null }],
 *   notes,
 * );
 * assert.deepEqual(pd.done().elements[0].data["dns-servers"], ["203.0.113.53"]);
 * ```
 * @param resolvers Resolver configuration from every source.
 * @param pdsByLink Each link's PDs.
 * @param routes All routes.
 * @param notes Receives a note for each server that belongs to no PD.
 */
export function attributeResolvers(
  resolvers: readonly ResolverConfig[],
  pdsByLink: ReadonlyMap<string, readonly PdDraft[]>,
  routes: readonly RouteRecord[],
  notes: SourceNote[],
): void {
  for (const r of resolvers) {
    for (const server of r.dnsServers) {
      const ip = parseIp(server);
      if (!ip) continue;
      let pd: PdDraft | undefined;
      let why = "";
      if (r.interfaceName !== undefined) {
        const pds = (pdsByLink.get(r.interfaceName) ?? []).filter((p) => p.family === ip.family);
        pd = choose(pds, server);
        why = `link ${r.interfaceName} has no ${ip.family} provisioning domain`;
      } else if (isLoopback(ip)) {
        why = "it is a local stub resolver, not a provisioning domain's server";
      } else if (ip.family === "ipv6" && isLinkLocal(ip)) {
        why = "a link-local server without a zone names no link";
      } else {
        const via = route(server, routes.filter((x) => x.family === ip.family));
        const pds = (pdsByLink.get(via?.device ?? "") ?? []).filter((p) => p.family === ip.family);
        pd = choose(pds, server, via?.gateway);
        why = via
          ? `its route leaves through ${via.device}, which has no ${ip.family} provisioning domain`
          : "the host has no route to it";
      }
      if (!pd) {
        notes.push({ source: r.source, reason: `Cannot attribute DNS server ${server}: ${why}` });
      } else if (!pd.hasDnsServer(server)) {
        pd.addStaticDns(server, r.searchDomains, r.source);
      }
    }
  }
}

/** Route destinations parsed once per route record (kept across reads of a few links). */
const destinations = new WeakMap<RouteRecord, { bytes: Uint8Array; bits: number } | null>();

/** prefixMatch(server, route.destination) for a parsed server. */
function matchBits(server: Uint8Array, route: RouteRecord): number {
  let d = destinations.get(route);
  if (d === undefined) {
    const slash = route.destination.lastIndexOf("/");
    const ip = parseIp(slash < 0 ? route.destination : route.destination.slice(0, slash));
    const bits = slash < 0
      ? (ip?.bytes.length ?? 0) * 8
      : Number(route.destination.slice(slash + 1));
    d = ip ? { bytes: ip.bytes, bits } : null;
    destinations.set(route, d);
  }
  if (!d || d.bytes.length !== server.length) return -1;
  const whole = d.bits >> 3, rest = d.bits & 7;
  for (let i = 0; i < whole; i++) if (server[i] !== d.bytes[i]) return -1;
  if (rest && ((server[whole] ^ d.bytes[whole]) & (0xff << (8 - rest)) & 0xff)) return -1;
  return d.bits;
}

/**
 * The links {@linkcode attributeResolvers} can give a server to: the link a
 * per-link resolver names, and the link the best main-table route to each
 * system-wide server leaves through. Only these links' PDs change when it
 * runs, so a snapshot rebuilt for a few links stays exact when they are
 * among them. Undefined when a server's best route is a tie between
 * routes through different links or gateways: then the kernel's route
 * order decides, and only a full read keeps that order.
 *
 * @example A system-wide server routed through eth0, a per-link one on wg0
 * ```ts
 * import { resolverLinks } from "./attribute_resolvers.ts";
 * import assert from "node:assert/strict";
 * const links = resolverLinks([
 *   { dnsServers: ["203.0.113.53"], searchDomains: [], source: "/etc/resolv.conf" },
 *   { dnsServers: ["198.51.100.53"], searchDomains: [], source: "resolvectl", interfaceName: "wg0" },
 * ], [{ family: "ipv4", destination: "0.0.0.0/0", gateway: "198.51.100.1", device: "eth0",
 *   protocol: "static", table: "main", type: "unicast", expires: null }]);
 * assert.deepEqual(links, new Set(["eth0", "wg0"]));
 * ```
 * @param resolvers Resolver configuration from every source.
 * @param routes All routes.
 * @returns Link names, or undefined when the route order decides.
 */
export function resolverLinks(
  resolvers: readonly ResolverConfig[],
  routes: readonly RouteRecord[],
): Set<string> | undefined {
  const links = new Set<string>();
  for (const r of resolvers) {
    if (r.interfaceName !== undefined) {
      links.add(r.interfaceName);
      continue;
    }
    for (const server of r.dnsServers) {
      const ip = parseIp(server);
      if (!ip || isLoopback(ip) || (ip.family === "ipv6" && isLinkLocal(ip))) continue;
      let best: RouteRecord[] = [], bits = -1, metric = Infinity;
      for (const x of routes) {
        if (x.family !== ip.family || x.table !== "main" || x.type !== "unicast") continue;
        const m = matchBits(ip.bytes, x);
        if (m < 0 || m < bits || (m === bits && (x.metric ?? 0) > metric)) continue;
        if (m > bits || (x.metric ?? 0) < metric) best = [];
        best.push(x);
        bits = m;
        metric = x.metric ?? 0;
      }
      const ways = new Set(best.map((x) => `${x.device} ${x.gateway}`));
      if (ways.size > 1) return undefined;
      for (const x of best) if (x.device !== undefined) links.add(x.device);
    }
  }
  return links;
}
