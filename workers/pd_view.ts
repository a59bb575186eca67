/**
 * What a PD worker reads off its PD's configuration: the DNS servers and
 * search domains every element delivered, and the source addresses a
 * connection may use.
 *
 * @module
 */

import { canonicalIp, isLinkLocal, parseIp } from "../ip/ip.ts";
import { prefixMatch } from "../ip/prefix.ts";
import type {
  ConnectToAddress,
  ConnectToAddressFromAddress,
  ElementType,
} from "../protocol/types.ts";
import type { PdInfo } from "../protocol/model.ts";
import { noSourceReason, selectSources } from "../ip/addrselect.ts";

/** A DNS server and the configuration element that supplied it. */
export interface DnsServerSource {
  /** The server's address, as the element holds it. */
  readonly address: string;
  /** The element whose dns-servers item lists it. */
  readonly element: ElementType;
}

/**
 * The PD's DNS servers with the elements that supplied them: the
 * dns-servers item of each configuration element, in element order, each
 * server once per element. Status shows these; the worker queries their
 * addresses ({@linkcode dnsServers}).
 *
 * @example A server both RA and DHCPv6 delivered, and one listed twice
 * ```ts
 * import { dnsServerSources } from "./pd_view.ts";
 * import assert from "node:assert/strict";
 * const servers = dnsServerSources({
 *   pdId: "eth0/ipv6", family: "ipv6", addresses: [],
 *   elements: [
 *     { element: "ra", data: { "dns-servers": ["2001:db8::53", "2001:db8::53"] } },
 *     { element: "dhcpv6", data: { "dns-servers": ["2001:db8::53", "2001:db8::54"] } },
 *   ],
 * });
 * assert.deepEqual(servers, [
 *   { address: "2001:db8::53", element: "ra" },
 *   { address: "2001:db8::53", element: "dhcpv6" },
 *   { address: "2001:db8::54", element: "dhcpv6" },
 * ]);
 * ```
 * @param pd The PD.
 * @returns Each element's servers, in element order, without repeats within an element.
 */
export function dnsServerSources(pd: PdInfo): DnsServerSource[] {
  return pd.elements.flatMap((e) => {
    const servers = e.data["dns-servers"];
    if (!Array.isArray(servers)) return [];
    const each = new Set(servers.filter((x): x is string => typeof x === "string"));
    return [...each].map((address) => ({ address, element: e.element }));
  });
}

/**
 * The PD's DNS servers, the ones its worker queries: the addresses of
 * {@linkcode dnsServerSources}, each once.
 *
 * @example Merge RA and DHCPv6 servers
 * ```ts
 * import { dnsServers } from "./pd_view.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(dnsServers({
 *   pdId: "eth0/ipv6", family: "ipv6", addresses: [],
 *   elements: [
 *     { element: "ra", data: { "dns-servers": ["2001:db8::53"] } },
 *     { element: "dhcpv6", data: { "dns-servers": ["2001:db8::53", "2001:db8::54"] } },
 *   ],
 * }), ["2001:db8::53", "2001:db8::54"]);
 * ```
 * @param pd The PD.
 * @returns Server strings as the elements hold them, in element order, each once.
 */
export function dnsServers(pd: PdInfo): string[] {
  return [...new Set(dnsServerSources(pd).map((s) => s.address))];
}

/**
 * The PD's search domains, the ones its worker qualifies short names with:
 * the search-domains item of each configuration element (DHCPv4 option
 * 15/119, RA DNSSL, DHCPv6 option 24, static), in element order, each once.
 *
 * @example DHCPv4's domain, then a static one
 * ```ts
 * import { searchDomains } from "./pd_view.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(searchDomains({
 *   pdId: "eth0/ipv4", family: "ipv4", addresses: [],
 *   elements: [
 *     { element: "dhcpv4", data: { "search-domains": ["isp1.test"] } },
 *     { element: "static", data: { "search-domains": ["isp1.test", "corp.test", 7] } },
 *   ],
 * }), ["isp1.test", "corp.test"]);
 * ```
 * @param pd The PD.
 * @returns Domain strings as the elements hold them, in element order, each once.
 */
export function searchDomains(pd: PdInfo): string[] {
  const domains = pd.elements.flatMap((e) => {
    const list = e.data["search-domains"];
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  });
  return [...new Set(domains)];
}

/** Sources to try, or why there are none. */
export type SourceChoice =
  | { readonly sources: readonly string[] }
  | { readonly reason: "no-source-address" | "source-not-in-pd"; readonly detail: string };

/**
 * The source addresses a connection request may use: the RFC 6724 order of
 * the PD's valid, preferred addresses (§3.3.7.21), or the one the request
 * names when the PD holds it, deprecated or not (§3.3.7.22).
 *
 * @example Refuse a source from another PD
 * ```ts
 * import { connectSources } from "./pd_view.ts";
 * import assert from "node:assert/strict";
 * const pd = { pdId: "eth0/ipv4", family: "ipv4" as const, elements: [],
 *   addresses: [{ address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null }] };
 * const request = { type: "connect-to-address-from-address" as const, pdId: "eth0/ipv4",
 *   source: "203.0.113.7", address: "198.51.100.80", port: 80, connectionId: "c" };
 * assert.deepEqual(connectSources(request, pd, Date.now()), {
 *   reason: "source-not-in-pd",
 *   detail: 'Cannot connect: 203.0.113.7 is not a valid address of "eth0/ipv4"',
 * });
 * ```
 * @param request The connection request.
 * @param pd The PD.
 * @param now Milliseconds since the epoch.
 * @returns The sources, best first, or why there are none.
 */
export function connectSources(
  request: ConnectToAddress | ConnectToAddressFromAddress,
  pd: PdInfo,
  now: number,
): SourceChoice {
  if (request.type === "connect-to-address-from-address") {
    const source = canonicalIp(request.source);
    const held = pd.addresses.some((a) =>
      a.address === source && (a.validUntil === null || a.validUntil > now)
    );
    return held ? { sources: [source!] } : {
      reason: "source-not-in-pd",
      detail: `Cannot connect: ${request.source} is not a valid address of "${pd.pdId}"`,
    };
  }
  const sources = selectSources(request.address, pd.addresses, now);
  if (sources.length > 0) return { sources };
  const why = noSourceReason(request.address, pd.addresses) === "no-address-of-family"
    ? `it has no address of ${request.address}'s family`
    : "its addresses of that family are deprecated or expired";
  return {
    reason: "no-source-address",
    detail:
      `Cannot connect to ${request.address}: "${pd.pdId}" has no usable source address (${why})`,
  };
}

/** The prefixes an ra element's item lists ("prefixes" with on-link set, "route-information"). */
function advertised(data: Readonly<Record<string, unknown>>, item: string): string[] {
  const list = data[item];
  if (!Array.isArray(list)) return [];
  return list.flatMap((x) => {
    const entry = x as { prefix?: unknown; "on-link"?: unknown };
    if (typeof entry?.prefix !== "string") return [];
    return item === "prefixes" && entry["on-link"] !== true ? [] : [entry.prefix];
  });
}

/**
 * Why a destination cannot be reached through a PD, or undefined when it
 * can. A PD whose router is no default router (a stub router, router
 * lifetime 0; or one the kernel dropped as a router) reaches only its
 * on-link prefixes, the routes it advertised (RFC 4191 Route Information)
 * and link-local addresses: anything else would leave through another
 * router with this PD's source address, and be dropped or never answered.
 *
 * @example A stub router's PD reaches its own prefix only
 * ```ts
 * import { routeProblem } from "./pd_view.ts";
 * import assert from "node:assert/strict";
 * const pd = { pdId: "eth0/ipv6/fe80::d2", family: "ipv6" as const, addresses: [], elements: [{
 *   element: "ra" as const,
 *   data: { "default-router": false, prefixes: [{ prefix: "2001:db8:d2::/64", "on-link": true }] },
 * }] };
 * assert.equal(routeProblem(pd, "2001:db8:d2::80"), undefined);
 * assert.match(routeProblem(pd, "2001:db8:10::80")!, /no default router/);
 * ```
 * @param pd The PD.
 * @param destination An IP literal.
 * @returns "Cannot connect ...: why", or undefined.
 */
export function routeProblem(pd: PdInfo, destination: string): string | undefined {
  const ra = pd.elements.find((e) => e.element === "ra");
  if (!ra || ra.data["default-router"] !== false) return undefined;
  const gateways = pd.elements.find((e) => e.element === "static")?.data.routers;
  if (Array.isArray(gateways) && gateways.length > 0) return undefined;
  const ip = parseIp(destination);
  if (ip?.family === "ipv6" && isLinkLocal(ip)) return undefined; // On the link itself.
  const reach = [...advertised(ra.data, "prefixes"), ...advertised(ra.data, "route-information")];
  if (reach.some((prefix) => prefixMatch(destination, prefix) >= 0)) return undefined;
  return `Cannot connect to ${destination}: "${pd.pdId}" has no default router, and ${
    reach.length
      ? `${destination} is in none of its prefixes and routes (${reach.join(", ")})`
      : "no prefix or route of its own"
  }`;
}
