/**
 * Configuration element data (the items get-configuration-data answers,
 * §3.3.7.17) built from leases and advertisements.
 *
 * @module
 */

import type { ConfigValue } from "../../protocol/types.ts";
import type { ElementInfo } from "../../protocol/model.ts";
import type { Dhcp4Lease, Dhcp6Lease } from "./lease_types.ts";
import type { ReceivedAdvert } from "./host_state.ts";

type Data = Record<string, ConfigValue>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The "dhcpv4" element of a lease.
 *
 * @example Build it
 * ```ts
 * import { dhcp4Element } from "./element_data.ts";
 * import assert from "node:assert/strict";
 * const e = dhcp4Element({
 *   interfaceName: "eth0", routers: ["198.51.100.1"], dnsServers: ["198.51.100.1"],
 *   searchDomains: [], leaseTime: 600, source: "/var/lib/dhcp/dhclient.eth0.leases",
 * });
 * assert.deepEqual(e.data["dns-servers"], ["198.51.100.1"]);
 * assert.equal(e.data["lease-time"], 600);
 * ```
 * @param lease The lease.
 * @returns The element.
 */
export function dhcp4Element(lease: Dhcp4Lease): ElementInfo {
  const data: Data = {
    "dns-servers": [...lease.dnsServers],
    "search-domains": [...lease.searchDomains],
    routers: [...lease.routers],
  };
  if (lease.address !== undefined) data.address = lease.address;
  if (lease.prefixLength !== undefined) data["prefix-length"] = lease.prefixLength;
  if (lease.domainName !== undefined) data["domain-name"] = lease.domainName;
  if (lease.serverIdentifier !== undefined) data["server-identifier"] = lease.serverIdentifier;
  if (lease.mtu !== undefined) data.mtu = lease.mtu;
  if (lease.leaseTime !== undefined) data["lease-time"] = lease.leaseTime;
  if (lease.renewalTime !== undefined) data["renewal-time"] = lease.renewalTime;
  if (lease.rebindingTime !== undefined) data["rebinding-time"] = lease.rebindingTime;
  if (lease.renewAt !== undefined) data["renew-at"] = iso(lease.renewAt);
  if (lease.rebindAt !== undefined) data["rebind-at"] = iso(lease.rebindAt);
  if (lease.expiresAt !== undefined) data["expires-at"] = iso(lease.expiresAt);
  return { element: "dhcpv4", data, source: lease.source };
}

/**
 * The "dhcpv6" element of DHCPv6 data.
 *
 * @example Build it from stateless data
 * ```ts
 * import { dhcp6Element } from "./element_data.ts";
 * import assert from "node:assert/strict";
 * const e = dhcp6Element({
 *   interfaceName: "eth0", stateless: true, addresses: [], prefixes: [],
 *   dnsServers: ["2001:db8:a::1"], searchDomains: ["a.example"], source: "x.env",
 * });
 * assert.equal(e.data.mode, "stateless");
 * assert.deepEqual(e.data["dns-servers"], ["2001:db8:a::1"]);
 * ```
 * @param lease The data.
 * @returns The element.
 */
export function dhcp6Element(lease: Dhcp6Lease): ElementInfo {
  const binding = (b: Dhcp6Lease["addresses"][number]) => ({
    [b.value.includes("/") ? "prefix" : "address"]: b.value,
    ...(b.preferredLifetime !== undefined ? { "preferred-lifetime": b.preferredLifetime } : {}),
    ...(b.validLifetime !== undefined ? { "valid-lifetime": b.validLifetime } : {}),
  });
  const data: Data = {
    mode: lease.stateless ? "stateless" : "stateful",
    "dns-servers": [...lease.dnsServers],
    "search-domains": [...lease.searchDomains],
  };
  if (lease.addresses.length) data.addresses = lease.addresses.map(binding);
  if (lease.prefixes.length) data.prefixes = lease.prefixes.map(binding);
  if (lease.serverId !== undefined) data["server-identifier"] = lease.serverId;
  if (lease.renewTime !== undefined) data["renewal-time"] = lease.renewTime;
  if (lease.rebindTime !== undefined) data["rebinding-time"] = lease.rebindTime;
  if (lease.infoRefreshTime !== undefined) data["information-refresh-time"] = lease.infoRefreshTime;
  if (lease.startedAt !== undefined) data["started-at"] = iso(lease.startedAt);
  return { element: "dhcpv6", data, source: lease.source };
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
