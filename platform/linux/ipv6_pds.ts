/**
 * The IPv6 provisioning domains of a link. The draft leaves open how a
 * host tells PDs apart (§3.1); mif answers with implicit PvDs (RFC 7556
 * §3.4): one PD per advertising router, keyed by its link-local address,
 * holding the addresses of the prefixes that router advertised. Global
 * addresses no protocol manages form a separate "static" PD.
 *
 * @module
 */

import type { AddressInfo, ElementInfo } from "../../protocol/model.ts";
import { raElement } from "./element_data.ts";
import { dhcp6Element } from "../dhcp_elements.ts";
import type { HostState, ReceivedAdvert } from "./host_state.ts";
import { addressInfo, staticData } from "./ipv4_pd.ts";
import type { AddressRecord } from "./parse_addresses.ts";
import type { LinkRecord } from "./parse_links.ts";
import { PdDraft } from "../pd_draft.ts";
import { networkOf } from "../../ip/prefix.ts";
import { addressOwners, flaggedRouters } from "../ipv6_attribution.ts";
import { neighbourRouters } from "./parse_neighbours.ts";

/** What the kernel knows of a default router when rdisc6 has not answered. */
function kernelRa(router: string, link: LinkRecord, routes: HostState["routes"]) {
  const def = routes.find((r) =>
    r.family === "ipv6" && r.destination === "::/0" && r.gateway === router &&
    r.device === link.name
  );
  // Which prefixes it advertised the kernel does not say: another router on
  // the link (a stub router, lifetime 0) may have sent some of them.
  const data: ElementInfo["data"] = {
    routers: [router],
    "default-router": true,
    ...(def?.preference ? { "router-preference": def.preference } : {}),
  };
  return { element: "ra" as const, data, source: "ip -6 route" };
}

/**
 * The routers with an RA default route (main table), by link: the key of
 * each IPv6 PD, and what rdisc6 is asked about.
 *
 * @example Routers by link
 * ```ts
 * import { raRouters } from "./ipv6_pds.ts";
 * import assert from "node:assert/strict";
 * const route = { family: "ipv6" as const, destination: "::/0", gateway: "fe80::1",
 *   device: "eth0", protocol: "ra", table: "main", type: "unicast", expires: 60 };
 * assert.deepEqual(raRouters([route]), new Map([["eth0", ["fe80::1"]]]));
 * ```
 * @param routes All routes.
 * @returns Link name → routers, sorted so PD order is stable whatever order the kernel lists routes in.
 */
export function raRouters(routes: HostState["routes"]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of routes) {
    if (
      r.family !== "ipv6" || r.destination !== "::/0" || r.protocol !== "ra" || !r.gateway ||
      !r.device || r.table !== "main"
    ) continue;
    const list = out.get(r.device) ?? [];
    if (!list.includes(r.gateway)) out.set(r.device, [...list, r.gateway].sort());
  }
  return out;
}

/** raRouters per route list read, for ipv6Pds (asked once per link). */
const routerIndex = new WeakMap<
  HostState["routes"],
  { length: number; routers: ReadonlyMap<string, readonly string[]> }
>();

/** raRouters of a route list, computed once per list (and again if its length changed). */
function routersOf(routes: HostState["routes"]): ReadonlyMap<string, readonly string[]> {
  const known = routerIndex.get(routes);
  if (known?.length === routes.length) return known.routers;
  const routers = raRouters(routes);
  routerIndex.set(routes, { length: routes.length, routers });
  return routers;
}

/**
 * What Router Advertisements have set up on each link, as a sorted list of
 * parts: `default <router>` for each default router, `router <router>` for
 * each neighbour flagged as a router, `prefix <prefix>` for each RA prefix
 * route and each prefix of a SLAAC or DHCPv6 address (an RA's prefix route
 * and address are one part, however the kernel's events split them). When
 * the parts change, the link's routers are asked again (rdisc6): a new
 * router, a new prefix, a link that came up, a default router that stopped
 * being one. Lifetimes are left out, so a refresh asks nothing.
 *
 * @example A stub router's prefix changes the parts
 * ```ts
 * import { raLinkKeys } from "./ipv6_pds.ts";
 * import assert from "node:assert/strict";
 * const route = (destination: string) => ({ family: "ipv6" as const, destination,
 *   device: "eth0", protocol: "kernel", table: "main", type: "unicast", expires: 600 });
 * const keys = raLinkKeys({ routes: [route("2001:db8:d1::/64"), route("2001:db8:d2::/64")], addresses: [] });
 * assert.deepEqual(keys.get("eth0"), ["prefix 2001:db8:d1::/64", "prefix 2001:db8:d2::/64"]);
 * ```
 * @param state Routes, neighbours and addresses.
 * @returns Link name → its parts, sorted.
 */
export function raLinkKeys(
  state: Pick<HostState, "routes" | "neighbours" | "addresses">,
): Map<string, string[]> {
  const parts = new Map<string, Set<string>>();
  const add = (link: string, part: string) => {
    const set = parts.get(link) ?? new Set();
    parts.set(link, set.add(part));
  };
  for (const [link, routers] of raRouters(state.routes)) {
    for (const r of routers) add(link, `default ${r}`);
  }
  for (const [link, routers] of neighbourRouters(state.neighbours ?? [])) {
    for (const r of routers) add(link, `router ${r}`);
  }
  for (const r of state.routes) {
    if (
      r.family === "ipv6" && r.device && r.protocol === "kernel" && r.expires !== null &&
      r.table === "main" && !r.destination.endsWith("/128")
    ) add(r.device, `prefix ${r.destination}`);
  }
  for (const a of state.addresses) {
    if (a.family === "ipv6" && a.dynamic && a.scope !== "link" && a.prefixLength < 128) {
      add(a.interfaceName, `prefix ${networkOf(a.address, a.prefixLength)}`);
    }
  }
  return new Map([...parts].map(([link, set]) => [link, [...set].sort()]));
}

/** The link's IPv6 PDs, and its addresses no PD can claim. */
export interface LinkIpv6 {
  /** One PD per advertising router, then the static PD if any. */
  readonly pds: PdDraft[];
  /** Addresses whose router is unknown (RA data not read) or gone. */
  readonly unattributed: AddressInfo[];
}

/**
 * Builds a link's IPv6 PDs: one per advertising router (implicit PvDs, RFC
 * 7556 §3.4), whatever its router lifetime; then the static PD when there
 * are static global addresses or gateways. Nothing is guessed: a SLAAC
 * address belongs to the PDs whose router advertised its prefix with the A
 * flag, a DHCPv6 address (IA_NA) to the PDs whose RA set M, the DHCPv6
 * data to the PDs whose RA set M or O (../ipv6_attribution.ts, shared with
 * macOS). What RA data cannot place (not read yet, the router gone, rdisc6
 * missing) is in `unattributed`.
 *
 * @example A default router and a stub router on one link
 * ```ts
 * import { ipv6Pds } from "./ipv6_pds.ts";
 * import assert from "node:assert/strict";
 * const link = { index: 2, name: "eth0", operState: "up", flags: [], linkType: "ether" };
 * const ra = (router: string, prefix: string, routerLifetime: number) => ({
 *   router, routerLifetime, managed: false, otherConfig: false, preference: "medium",
 *   prefixes: [{ prefix, onLink: true, autonomous: true, validLifetime: 600, preferredLifetime: 600 }],
 *   dnsServers: [], searchDomains: [], routes: [], receivedAt: 0,
 * });
 * const slaac = (address: string) => ({ index: 2, interfaceName: "eth0", family: "ipv6" as const,
 *   address, prefixLength: 64, scope: "global", dynamic: true, deprecated: false,
 *   tentative: false, temporary: false, validLifetime: 600, preferredLifetime: 600 });
 * const route = { family: "ipv6" as const, destination: "::/0", gateway: "fe80::d1",
 *   device: "eth0", protocol: "ra", table: "main", type: "unicast", expires: 600 };
 * const { pds, unattributed } = ipv6Pds(link, [slaac("2001:db8:d1::5"), slaac("2001:db8:d2::5")], {
 *   now: 0, routes: [route], sources: { dhcp4: [], dhcp6: [], resolvers: [] },
 *   adverts: new Map([["eth0", [ra("fe80::d1", "2001:db8:d1::/64", 600), ra("fe80::d2", "2001:db8:d2::/64", 0)]]]),
 * });
 * assert.deepEqual(pds.map((p) => [p.pdId, p.addresses.map((a) => a.address)]), [
 *   ["eth0/ipv6/fe80::d1", ["2001:db8:d1::5"]],
 *   ["eth0/ipv6/fe80::d2", ["2001:db8:d2::5"]],
 * ]);
 * assert.deepEqual(unattributed, []);
 * ```
 * @param link The link.
 * @param addresses The link's addresses.
 * @param state Routes, neighbours, advertisements, leases and the time.
 * @returns The PDs and the addresses no PD can claim.
 */
export function ipv6Pds(
  link: LinkRecord,
  addresses: readonly AddressRecord[],
  state: Pick<HostState, "now" | "routes" | "neighbours" | "adverts" | "sources">,
): LinkIpv6 {
  const defaults = routersOf(state.routes).get(link.name) ?? [];
  const adverts = new Map<string, ReceivedAdvert>();
  for (const a of state.adverts.get(link.name) ?? []) adverts.set(a.router, a);
  const routers = [...new Set([...defaults, ...adverts.keys()])].sort();
  const pds = routers.map((r) => new PdDraft(`${link.name}/ipv6/${r}`, "ipv6", r));
  for (const pd of pds) {
    const ra = adverts.get(pd.router!);
    pd.set(
      ra ? raElement(ra, defaults.includes(ra.router)) : kernelRa(pd.router!, link, state.routes),
    );
  }
  const lease = state.sources.dhcp6.findLast((l) => l.interfaceName === link.name);
  const owners = pds.map((pd) => {
    const ra = adverts.get(pd.router!);
    return {
      router: pd.router!,
      managed: ra?.managed,
      otherConfig: ra?.otherConfig,
      prefixes: ra?.prefixes ?? [],
      pd,
    };
  });
  const flagged = (flag: "managed" | "otherConfig") =>
    flaggedRouters(owners, flag).map((o) => o.pd);
  if (lease) {
    for (const pd of new Set([...flagged("managed"), ...flagged("otherConfig")])) {
      pd.set(dhcp6Element(lease));
    }
  }
  const unattributed: AddressInfo[] = [];
  const staticAddresses: AddressRecord[] = [];
  for (const a of addresses) {
    if (a.family !== "ipv6" || a.scope === "link" || a.tentative) continue;
    if (!a.dynamic) {
      staticAddresses.push(a);
      continue;
    }
    const leased = lease?.addresses.some((b) => b.value === a.address) ?? false;
    const mine = addressOwners(a.address, { slaac: true, dhcpv6: leased }, owners);
    if (!mine.length) unattributed.push(addressInfo(a, state.now));
    for (const { pd } of mine) pd.addresses.push(addressInfo(a, state.now));
  }
  const gateways = staticData(link, state.routes, "ipv6");
  if (staticAddresses.length || gateways.routers.length) {
    const pd = new PdDraft(`${link.name}/ipv6`, "ipv6");
    pd.set({ element: "static", data: gateways, source: "ip addr" });
    pd.addresses.push(...staticAddresses.map((a) => addressInfo(a, state.now)));
    pds.push(pd);
  }
  return { pds, unattributed };
}
