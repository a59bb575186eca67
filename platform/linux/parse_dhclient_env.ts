/**
 * Parses what mif's dhclient hook (dhclient_hook.sh) records: the
 * `reason`, `interface` and `new_*` variables dhclient hands its script.
 * dhclient keeps stateless DHCPv6 data (`dhclient -6 -S`) nowhere else: it
 * writes no lease and exits once it has the answer.
 *
 * @module
 */

import { compact, requireIp, requireMask, withoutTrailingDot } from "./field_text.ts";
import type { SourceData } from "./source_types.ts";
import type { Dhcp4Lease, Dhcp6Lease } from "../dhcp_elements.ts";

/**
 * Parses a recorded dhclient environment.
 *
 * @example Read stateless DHCPv6 data
 * ```ts
 * import { parseDhclientEnv } from "./parse_dhclient_env.ts";
 * import assert from "node:assert/strict";
 * const { dhcp6 } = parseDhclientEnv([
 *   "reason=RENEW6", "interface=eth0", "new_dhcp6_name_servers=2001:db8:a::1",
 *   "new_dhcp6_domain_search=a.example.",
 * ].join("\n"), "/run/mif/dhclient/eth0.dhcpv6.env");
 * assert.deepEqual(dhcp6[0].dnsServers, ["2001:db8:a::1"]);
 * assert.equal(dhcp6[0].stateless, true);
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
    (v.get(name) ?? "").split(/\s+/).filter(Boolean).map((w) => requireIp(w, fail, `${name}:`));
  const domains = (name: string) =>
    (v.get(name) ?? "").split(/\s+/).filter(Boolean).map(withoutTrailingDot);
  const count = (name: string) => {
    const s = v.get(name);
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s)) throw fail(`${name}: "${s}" is not a number`);
    return Number(s);
  };
  if (reason.endsWith("6")) {
    const address = ips("new_ip6_address")[0];
    const lease: Dhcp6Lease = compact({
      interfaceName,
      stateless: address === undefined,
      addresses: address === undefined ? [] : [compact({
        value: address,
        preferredLifetime: count("new_preferred_life"),
        validLifetime: count("new_max_life"),
      })],
      prefixes: [],
      dnsServers: ips("new_dhcp6_name_servers"),
      searchDomains: domains("new_dhcp6_domain_search"),
      serverId: v.get("new_dhcp6_server_id"),
      renewTime: count("new_renew"),
      rebindTime: count("new_rebind"),
      infoRefreshTime: count("new_dhcp6_info_refresh_time"),
      source,
    });
    return { dhcp4: [], dhcp6: [lease], resolvers: [] };
  }
  const mask = v.get("new_subnet_mask");
  const domainName = domains("new_domain_name")[0];
  const search = domains("new_domain_search");
  const expiry = count("new_expiry");
  const lease: Dhcp4Lease = compact({
    interfaceName,
    address: ips("new_ip_address")[0],
    prefixLength: mask ? requireMask(mask, fail) : undefined,
    routers: ips("new_routers"),
    dnsServers: ips("new_domain_name_servers"),
    searchDomains: search.length ? search : domainName ? [domainName] : [],
    domainName,
    serverIdentifier: ips("new_dhcp_server_identifier")[0],
    mtu: count("new_interface_mtu"),
    leaseTime: count("new_dhcp_lease_time"),
    renewalTime: count("new_dhcp_renewal_time"),
    rebindingTime: count("new_dhcp_rebinding_time"),
    expiresAt: expiry === undefined ? undefined : expiry * 1000,
    source,
  });
  return { dhcp4: [lease], dhcp6: [], resolvers: [] };
}
