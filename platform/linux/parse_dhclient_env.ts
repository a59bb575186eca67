/**
 * Parses what mif's dhclient hook (dhclient_hook.sh) records: the
 * `reason`, `interface` and `new_*` variables dhclient hands its script.
 * dhclient keeps stateless DHCPv6 data (`dhclient -6 -S`) nowhere else: it
 * writes no lease and exits once it has the answer.
 *
 * @module
 */

import { canonicalIp } from "../../protocol/ip.ts";
import { maskLength } from "./prefix.ts";
import type { Dhcp4Lease, Dhcp6Lease, SourceData } from "./lease_types.ts";

/**
 * Parses a recorded dhclient environment.
 *
 * @example Read stateless DHCPv6 data
 * ```ts
 * import { parseDhclientEnv } from "./parse_dhclient_env.ts";
 * const { dhcp6 } = parseDhclientEnv([
 *   "reason=RENEW6", "interface=eth0", "new_dhcp6_name_servers=2001:db8:a::1",
 *   "new_dhcp6_domain_search=a.example.",
 * ].join("\n"), "/run/mif/dhclient/eth0.dhcpv6.env");
 * console.log(dhcp6[0].dnsServers, dhcp6[0].stateless); // ["2001:db8:a::1"] true
 * ```
 * @param text The file's contents: NAME=value lines.
 * @param source The file's path.
 * @returns One lease of the family the reason names; resolvers is empty.
 * @throws {SyntaxError} When a variable mif uses does not read as expected.
 */
export function parseDhclientEnv(text: string, source: string): SourceData {
  const fail = (what: string) => new SyntaxError(`Cannot parse dhclient state ${source}: ${what}`);
  const v = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) v.set(m[1], m[2]);
  }
  const interfaceName = v.get("interface");
  const reason = v.get("reason");
  if (!interfaceName || !reason) throw fail("reason or interface is missing");
  const ips = (name: string) =>
    (v.get(name) ?? "").split(/\s+/).filter(Boolean).map((w) => {
      const ip = canonicalIp(w);
      if (!ip) throw fail(`${name}: "${w}" is not an IP address`);
      return ip;
    });
  const domains = (name: string) =>
    (v.get(name) ?? "").split(/\s+/).filter(Boolean).map((d) => d.replace(/\.$/, ""));
  const num = (name: string) => {
    const s = v.get(name);
    if (s === undefined) return {};
    if (!/^\d+$/.test(s)) throw fail(`${name}: "${s}" is not a number`);
    return {
      [name.replace(/^new_(dhcp6?_)?/, "").replace(/_([a-z])/g, (_, c) => c.toUpperCase())]: +s,
    };
  };
  if (reason.endsWith("6")) {
    const address = v.get("new_ip6_address");
    const lease: Dhcp6Lease = {
      interfaceName,
      stateless: address === undefined,
      addresses: address === undefined ? [] : [{
        value: ips("new_ip6_address")[0],
        ...(v.has("new_preferred_life")
          ? { preferredLifetime: +v.get("new_preferred_life")! }
          : {}),
        ...(v.has("new_max_life") ? { validLifetime: +v.get("new_max_life")! } : {}),
      }],
      prefixes: [],
      dnsServers: ips("new_dhcp6_name_servers"),
      searchDomains: domains("new_dhcp6_domain_search"),
      ...(v.has("new_dhcp6_server_id") ? { serverId: v.get("new_dhcp6_server_id")! } : {}),
      ...(v.has("new_renew") ? { renewTime: num("new_renew").renew } : {}),
      ...(v.has("new_rebind") ? { rebindTime: num("new_rebind").rebind } : {}),
      ...num("new_dhcp6_info_refresh_time"),
      source,
    };
    return { dhcp4: [], dhcp6: [lease], resolvers: [] };
  }
  const mask = v.get("new_subnet_mask");
  const domainName = domains("new_domain_name")[0];
  const search = domains("new_domain_search");
  const expiry = v.get("new_expiry");
  const lease: Dhcp4Lease = {
    interfaceName,
    ...(v.has("new_ip_address") ? { address: ips("new_ip_address")[0] } : {}),
    ...(mask ? { prefixLength: maskBits(mask, fail) } : {}),
    routers: ips("new_routers"),
    dnsServers: ips("new_domain_name_servers"),
    searchDomains: search.length ? search : domainName ? [domainName] : [],
    ...(domainName ? { domainName } : {}),
    ...(v.has("new_dhcp_server_identifier")
      ? { serverIdentifier: ips("new_dhcp_server_identifier")[0] }
      : {}),
    ...(v.has("new_interface_mtu") ? { mtu: num("new_interface_mtu").interfaceMtu } : {}),
    ...num("new_dhcp_lease_time"),
    ...num("new_dhcp_renewal_time"),
    ...num("new_dhcp_rebinding_time"),
    ...(expiry !== undefined ? { expiresAt: (num("new_expiry").expiry ?? 0) * 1000 } : {}),
    source,
  };
  return { dhcp4: [lease], dhcp6: [], resolvers: [] };
}

function maskBits(mask: string, fail: (what: string) => SyntaxError): number {
  const bits = maskLength(mask);
  if (bits === undefined) throw fail(`"${mask}" is not a subnet mask`);
  return bits;
}
