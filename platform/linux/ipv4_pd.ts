/**
 * The IPv4 provisioning domain of a link (§3.1): its IPv4 addresses, with a
 * "dhcpv4" element when a current lease covers one of them and a "static"
 * element for addresses no lease explains.
 *
 * @module
 */

import type { AddressInfo } from "../../protocol/model.ts";
import { dhcp4Element } from "../dhcp_elements.ts";
import type { HostState } from "./host_state.ts";
import type { AddressRecord } from "./parse_addresses.ts";
import type { LinkRecord } from "./parse_links.ts";
import { PdDraft } from "../pd_draft.ts";

/**
 * An address as the platform reports it, lifetimes made absolute.
 *
 * @example Convert an address
 * ```ts
 * import { addressInfo } from "./ipv4_pd.ts";
 * import assert from "node:assert/strict";
 * const a = addressInfo({
 *   index: 2, interfaceName: "eth0", family: "ipv4", address: "198.51.100.7", prefixLength: 24,
 *   scope: "global", dynamic: true, deprecated: false, tentative: false, temporary: false,
 *   validLifetime: 600, preferredLifetime: 600,
 * }, 0);
 * assert.equal(a.validUntil, 600_000);
 * ```
 * @param a The address record.
 * @param now When it was read, epoch ms.
 * @returns The address.
 */
export function addressInfo(a: AddressRecord, now: number): AddressInfo {
  return {
    address: a.address,
    prefixLength: a.prefixLength,
    validUntil: a.validLifetime === null ? null : now + a.validLifetime * 1000,
    preferredUntil: a.preferredLifetime === null ? null : now + a.preferredLifetime * 1000,
    ...(a.temporary ? { temporary: true as const } : {}),
  };
}

type Routes = HostState["routes"];

/** Routes by device, per route list read (a host's snapshot asks once per link and family). */
const routeIndex = new WeakMap<Routes, { length: number; index: Map<string, Routes> }>();

/**
 * The routes of each device, in their order: built once per route list (and
 * again if its length changed), so that a host of N links costs O(routes),
 * not O(N × routes).
 */
function byDevice(routes: Routes): ReadonlyMap<string, Routes> {
  const known = routeIndex.get(routes);
  if (known?.length === routes.length) return known.index;
  const index = new Map<string, HostState["routes"][number][]>();
  for (const r of routes) {
    if (r.device === undefined) continue;
    const list = index.get(r.device);
    if (list) list.push(r);
    else index.set(r.device, [r]);
  }
  routeIndex.set(routes, { length: routes.length, index });
  return index;
}

/**
 * The static element's own data: the link's gateways no protocol installed,
 * the destinations routed through it that no protocol installed (`routes`:
 * a VPN's split routes, "0.0.0.0/0" for a full tunnel), and its MTU.
 *
 * @example Gateways of a link
 * ```ts
 * import { staticData } from "./ipv4_pd.ts";
 * import assert from "node:assert/strict";
 * const link = { index: 2, name: "eth0", mtu: 1500, operState: "up", flags: [], linkType: "ether" };
 * const route = { family: "ipv4" as const, destination: "0.0.0.0/0", gateway: "198.51.100.1",
 *   device: "eth0", protocol: "static", table: "main", type: "unicast", expires: null };
 * assert.deepEqual(staticData(link, [route], "ipv4"), {
 *   routers: ["198.51.100.1"], routes: ["0.0.0.0/0"], mtu: 1500,
 * });
 * ```
 * @param link The link.
 * @param routes All routes.
 * @param family The family.
 * @returns routers, routes and mtu.
 */
export function staticData(
  link: LinkRecord,
  routes: HostState["routes"],
  family: "ipv4" | "ipv6",
): { routers: string[]; routes?: string[]; mtu?: number } {
  const own = (byDevice(routes).get(link.name) ?? []).filter((r) =>
    r.family === family && r.table === "main" && r.protocol !== "ra" && r.protocol !== "dhcp" &&
    r.protocol !== "kernel" && r.type === "unicast"
  );
  const routers = [...new Set(own.flatMap((r) => r.gateway ? [r.gateway] : []))];
  // The destinations the link serves beyond its own prefixes: what a VPN
  // (a tun or WireGuard link) routes, split or full tunnel.
  const served = [...new Set(own.map((r) => r.destination))];
  return {
    routers,
    ...(served.length ? { routes: served } : {}),
    ...(link.mtu !== undefined ? { mtu: link.mtu } : {}),
  };
}

/**
 * Builds a link's IPv4 PD.
 *
 * @example A link with one static address
 * ```ts
 * import { ipv4Pd } from "./ipv4_pd.ts";
 * import assert from "node:assert/strict";
 * const link = { index: 2, name: "eth0", operState: "up", flags: [], linkType: "ether" };
 * const pd = ipv4Pd(link, [{
 *   index: 2, interfaceName: "eth0", family: "ipv4", address: "203.0.113.5", prefixLength: 24,
 *   scope: "global", dynamic: false, deprecated: false, tentative: false, temporary: false,
 *   validLifetime: null, preferredLifetime: null,
 * }], { now: 0, routes: [], sources: { dhcp4: [], dhcp6: [], resolvers: [] } });
 * assert.equal(pd?.pdId, "eth0/ipv4");
 * assert.equal(pd?.has("static"), true);
 * ```
 * @param link The link.
 * @param addresses The link's addresses.
 * @param state Routes, leases and the time.
 * @returns The PD, or undefined when the link has no IPv4 address.
 */
export function ipv4Pd(
  link: LinkRecord,
  addresses: readonly AddressRecord[],
  state: Pick<HostState, "now" | "routes" | "sources">,
): PdDraft | undefined {
  const v4 = addresses.filter((a) => a.family === "ipv4");
  if (v4.length === 0) return undefined;
  const pd = new PdDraft(`${link.name}/ipv4`, "ipv4");
  const lease = state.sources.dhcp4.findLast((l) =>
    l.interfaceName === link.name && v4.some((a) => a.address === l.address) &&
    (l.expiresAt === undefined || l.expiresAt > state.now)
  );
  if (lease) pd.set(dhcp4Element(lease));
  if (v4.some((a) => a.address !== lease?.address)) {
    pd.set({ element: "static", data: staticData(link, state.routes, "ipv4"), source: "ip addr" });
  }
  pd.addresses.push(...v4.map((a) => addressInfo(a, state.now)));
  return pd;
}
