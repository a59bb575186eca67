/**
 * The "ra" configuration element (the items get-configuration-data answers,
 * §3.3.7.17) of an advertisement rdisc6 heard; the DHCP elements are
 * platform/dhcp_elements.ts's.
 *
 * @module
 */

import type { ConfigValue } from "../../protocol/types.ts";
import type { ElementInfo } from "../../protocol/model.ts";
import type { ReceivedAdvert } from "./host_state.ts";

type Data = Record<string, ConfigValue>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The "ra" element of a router's advertisement. `default-router` says
 * whether the kernel uses the router as a default router: false for a stub
 * router (router lifetime 0), and for a router whose Neighbor Advertisements
 * clear the Router flag (RFC 4861 §7.2.5), though its lifetime says more.
 *
 * @example Build it
 * ```ts
 * import { raElement } from "./element_data.ts";
 * import assert from "node:assert/strict";
 * const e = raElement({
 *   router: "fe80::1", managed: false, otherConfig: true, preference: "medium",
 *   routerLifetime: 1800, prefixes: [], dnsServers: [{ address: "2001:db8::53", lifetime: 600 }],
 *   searchDomains: [], routes: [], receivedAt: 0,
 * }, true);
 * assert.deepEqual(e.data.routers, ["fe80::1"]);
 * assert.deepEqual(e.data["dns-servers"], ["2001:db8::53"]);
 * ```
 * @param ra The advertisement.
 * @param defaultRouter Whether the kernel has a default route through the router.
 * @returns The element.
 */
export function raElement(ra: ReceivedAdvert, defaultRouter: boolean): ElementInfo {
  const data: Data = {
    routers: [ra.router],
    "default-router": defaultRouter,
    "router-lifetime": ra.routerLifetime,
    "router-preference": ra.preference,
    managed: ra.managed,
    "other-config": ra.otherConfig,
    prefixes: ra.prefixes.map((p) => ({
      prefix: p.prefix,
      "on-link": p.onLink,
      autonomous: p.autonomous,
      "valid-lifetime": p.validLifetime,
      "preferred-lifetime": p.preferredLifetime,
    })),
    "dns-servers": ra.dnsServers.map((s) => s.address),
    rdnss: ra.dnsServers.map((s) => ({ address: s.address, lifetime: s.lifetime })),
    "search-domains": ra.searchDomains.map((s) => s.domain),
    dnssl: ra.searchDomains.map((s) => ({ domain: s.domain, lifetime: s.lifetime })),
    "received-at": iso(ra.receivedAt),
  };
  if (ra.mtu !== undefined) data.mtu = ra.mtu;
  if (ra.hopLimit !== undefined) data["hop-limit"] = ra.hopLimit;
  if (ra.routes.length) data["route-information"] = ra.routes.map((r) => ({ ...r }));
  return { element: "ra", data, source: "rdisc6" };
}
