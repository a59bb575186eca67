/**
 * DHCP data as every platform reads it, whatever the client (dhclient,
 * dhcpcd, systemd-networkd and NetworkManager on Linux; IPConfiguration
 * through `ipconfig` on macOS), and the "dhcpv4" and "dhcpv6" configuration
 * elements (§3.3.7.17) made of it: one shape, one set of item names.
 *
 * @module
 */

import type { ConfigValue } from "../protocol/types.ts";
import type { ElementInfo } from "../protocol/model.ts";

type Data = Record<string, ConfigValue>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A DHCPv4 lease (RFC 2131/2132 options by their meaning). */
export interface Dhcp4Lease {
  /** The interface the lease is for. */
  readonly interfaceName: string;
  /** The leased address, canonical. */
  readonly address?: string;
  /** Prefix length from the subnet mask. */
  readonly prefixLength?: number;
  /** Option 3, canonical. */
  readonly routers: readonly string[];
  /** Option 6, canonical. */
  readonly dnsServers: readonly string[];
  /** Option 119, else option 15; without a trailing dot. */
  readonly searchDomains: readonly string[];
  /** Option 15, without a trailing dot. */
  readonly domainName?: string;
  /** Option 54, canonical. */
  readonly serverIdentifier?: string;
  /** Option 26. */
  readonly mtu?: number;
  /** Option 51, seconds. */
  readonly leaseTime?: number;
  /** Option 58, seconds. */
  readonly renewalTime?: number;
  /** Option 59, seconds. */
  readonly rebindingTime?: number;
  /** When the client renews, epoch ms, where the source records it. */
  readonly renewAt?: number;
  /** When the client rebinds, epoch ms, where the source records it. */
  readonly rebindAt?: number;
  /** When the lease expires, epoch ms, where the source records it. */
  readonly expiresAt?: number;
  /** The file or command the lease was read from. */
  readonly source: string;
}

/** A leased IPv6 address (IA_NA) or delegated prefix (IA_PD). */
export interface Dhcp6Binding {
  /** Canonical address, or a prefix written "2001:db8::/56". */
  readonly value: string;
  /** Preferred lifetime in seconds, as leased ("infinite" where the source says so). */
  readonly preferredLifetime?: number | "infinite";
  /** Valid lifetime in seconds, as leased ("infinite" where the source says so). */
  readonly validLifetime?: number | "infinite";
}

/** DHCPv6 data, stateful or stateless (RFC 8415). */
export interface Dhcp6Lease {
  /** The interface the data is for. */
  readonly interfaceName: string;
  /** True for Information-request data (no addresses leased). */
  readonly stateless: boolean;
  /** IA_NA addresses. */
  readonly addresses: readonly Dhcp6Binding[];
  /** IA_PD prefixes. */
  readonly prefixes: readonly Dhcp6Binding[];
  /** OPTION_DNS_SERVERS, canonical. */
  readonly dnsServers: readonly string[];
  /** OPTION_DOMAIN_LIST, without trailing dots. */
  readonly searchDomains: readonly string[];
  /** The server's DUID as the source writes it. */
  readonly serverId?: string;
  /** T1 in seconds. */
  readonly renewTime?: number;
  /** T2 in seconds. */
  readonly rebindTime?: number;
  /** OPTION_INFORMATION_REFRESH_TIME in seconds. */
  readonly infoRefreshTime?: number;
  /** When the lease started, epoch ms, where the source records it. */
  readonly startedAt?: number;
  /** The file or command the data was read from. */
  readonly source: string;
}

/**
 * The "dhcpv4" element of a lease.
 *
 * @example Build it
 * ```ts
 * import { dhcp4Element } from "./dhcp_elements.ts";
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
 * import { dhcp6Element } from "./dhcp_elements.ts";
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
