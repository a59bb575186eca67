/**
 * What the Linux platform reads from resolver configuration and link
 * sources, in one shape whatever the source: /etc/resolv.conf,
 * systemd-resolved, NetworkManager, systemd-networkd. (DHCP leases are
 * platform/dhcp_elements.ts's, shared with macOS.)
 *
 * @module
 */

import type { Dhcp4Lease, Dhcp6Lease } from "../dhcp_elements.ts";

/** Resolver configuration: system-wide (no interface) or for one link. */
export interface ResolverConfig {
  /** The link, for per-link configuration (systemd-resolved, NetworkManager). */
  readonly interfaceName?: string;
  /** Name servers, canonical; a link-local one keeps no zone. */
  readonly dnsServers: readonly string[];
  /** Search domains, without trailing dots; routing-only domains ("~x") left out. */
  readonly searchDomains: readonly string[];
  /** The file or command it was read from. */
  readonly source: string;
}

/** Everything one DHCP client or resolver source yielded. */
export interface SourceData {
  /** DHCPv4 leases. */
  readonly dhcp4: readonly Dhcp4Lease[];
  /** DHCPv6 data. */
  readonly dhcp6: readonly Dhcp6Lease[];
  /** Resolver configuration. */
  readonly resolvers: readonly ResolverConfig[];
  /** What a source says of a link itself (NetworkManager: metered). */
  readonly links?: readonly LinkFacts[];
}

/** What a network manager says of a link itself. */
export interface LinkFacts {
  /** The interface. */
  readonly interfaceName: string;
  /**
   * Whether traffic on it costs (NetworkManager's GENERAL.METERED: "yes" and
   * "yes (guessed)" are true, "no" and "no (guessed)" false, "unknown" absent).
   */
  readonly metered?: boolean;
  /** The command it was read from. */
  readonly source: string;
}
