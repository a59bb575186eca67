/**
 * What the Linux platform reads from DHCP clients and resolver
 * configuration, in one shape whatever the source: dhclient, dhcpcd,
 * systemd-networkd, NetworkManager, /etc/resolv.conf or systemd-resolved.
 * Parsers return these; the snapshot builder turns them into configuration
 * elements.
 *
 * @module
 */

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
  /** Preferred lifetime in seconds, as leased. */
  readonly preferredLifetime?: number;
  /** Valid lifetime in seconds, as leased. */
  readonly validLifetime?: number;
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
