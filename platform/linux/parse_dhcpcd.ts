/**
 * Parser for `dhcpcd -U <interface>` (--dumplease): the variables dhcpcd
 * hands its hooks (dhcpcd-run-hooks(8)) without their `new_` prefix. Pure:
 * text in, data out.
 *
 * @module
 */

import { compact } from "./field_text.ts";
import { canonicalIp } from "../../ip/ip.ts";
import type { ResolverConfig, SourceData } from "./source_types.ts";
import type { Dhcp4Lease, Dhcp6Binding, Dhcp6Lease } from "../dhcp_elements.ts";
import { maskLength } from "../../ip/prefix.ts";

/**
 * Parses a dhcpcd lease dump. Values may be bare (dhcpcd 9 and later print
 * `name=value`) or shell quoted (`name='value'`, as older versions and dumps
 * of lease files show). The DHCPv4 lease comes from ip_address, subnet_cidr
 * (or subnet_mask), routers, domain_name_servers, domain_search,
 * domain_name, dhcp_server_identifier, interface_mtu and the dhcp_*_time
 * variables; the DHCPv6 data from dhcp6_name_servers, dhcp6_domain_search,
 * dhcp6_server_id, dhcp6_info_refresh_time and the IA_NA and IA_PD
 * variables (dhcp6_ia_na1_ia_addr1, dhcp6_ia_pd1_prefix1, their _pltime and
 * _vltime, dhcp6_ia_na1_t1, ...). Router advertisement DNS options
 * (nd1_rdnss1_servers, nd1_dnssl1_search with a non-zero lifetime) give a
 * resolver configuration. Other variables (reason, interface, protocol,
 * ifcarrier, ...) are ignored, and link-local "%zone"s are dropped.
 *
 * @example Parse a DHCPv4 dump
 * ```ts
 * import { parseDhcpcdDump } from "./parse_dhcpcd.ts";
 * import assert from "node:assert/strict";
 * const text = "ip_address='198.51.100.20'\nsubnet_cidr='24'\nrouters='198.51.100.1'\n";
 * assert.deepEqual(parseDhcpcdDump(text, "eth0", "dhcpcd -U eth0").dhcp4, [{
 *   interfaceName: "eth0", address: "198.51.100.20", prefixLength: 24,
 *   routers: ["198.51.100.1"], dnsServers: [], searchDomains: [], source: "dhcpcd -U eth0",
 * }]);
 * ```
 * @param text The command's output.
 * @param interfaceName The interface that was dumped.
 * @param source The command, for the results and errors.
 * @returns At most one DHCPv4 lease, one DHCPv6 lease and one resolver.
 * @throws {SyntaxError} When a line is not name=value, or a value that should
 * be an address, a prefix or a number is not one.
 */
export function parseDhcpcdDump(text: string, interfaceName: string, source: string): SourceData {
  const vars = DumpVars.parse(text, source);
  const dhcp4 = vars.has("ip_address") ? [dhcp4Lease(vars, interfaceName)] : [];
  const dhcp6 = vars.names().some((name) => name.startsWith("dhcp6_"))
    ? [dhcp6Lease(vars, interfaceName)]
    : [];
  return { dhcp4, dhcp6, resolvers: ndResolvers(vars, interfaceName) };
}

/** A dump's variables, with readers that fail naming the dump. */
class DumpVars {
  constructor(readonly values: Map<string, string>, readonly source: string) {}

  /** Reads `name=value` lines (an optional `new_` prefix dropped). */
  static parse(text: string, source: string): DumpVars {
    const vars = new DumpVars(new Map(), source);
    text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      const match = /^(?:new_)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (!match) throw vars.fail(`line ${index + 1} is not name=value`);
      vars.values.set(match[1], unquote(match[2]));
    });
    return vars;
  }

  fail(problem: string): SyntaxError {
    return new SyntaxError(`Cannot parse dhcpcd dump ${this.source}: ${problem}`);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  words(name: string): string[] {
    return (this.values.get(name) ?? "").split(/\s+/).filter((w) => w !== "");
  }

  /** Addresses, canonical and without a "%zone". */
  ips(name: string): string[] {
    return this.words(name).map((word) => {
      const ip = canonicalIp(word);
      if (ip === undefined) throw this.fail(`${name} "${word}" is not an IP address`);
      return ip.replace(/%.*$/, "");
    });
  }

  domains(name: string): string[] {
    return this.words(name).map((d) => d.replace(/\.$/, ""));
  }

  integer(name: string, max = 0xffffffff): number | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === "") return undefined;
    if (!/^(0|[1-9][0-9]*)$/.test(value) || Number(value) > max) {
      throw this.fail(`${name} "${value}" is not a number up to ${max}`);
    }
    return Number(value);
  }
}

function dhcp4Lease(vars: DumpVars, interfaceName: string): Dhcp4Lease {
  const mask = vars.values.get("subnet_mask");
  const search = vars.domains("domain_search"), domainNames = vars.domains("domain_name");
  if (mask !== undefined && maskLength(mask) === undefined) {
    throw vars.fail(`subnet_mask "${mask}" is not a netmask`);
  }
  return compact({
    interfaceName,
    address: vars.ips("ip_address")[0],
    prefixLength: vars.integer("subnet_cidr", 32) ??
      (mask === undefined ? undefined : maskLength(mask)),
    routers: vars.ips("routers"),
    dnsServers: vars.ips("domain_name_servers"),
    searchDomains: search.length > 0 ? search : domainNames,
    domainName: domainNames[0],
    serverIdentifier: vars.ips("dhcp_server_identifier")[0],
    mtu: vars.integer("interface_mtu", 0xffff),
    leaseTime: vars.integer("dhcp_lease_time"),
    renewalTime: vars.integer("dhcp_renewal_time"),
    rebindingTime: vars.integer("dhcp_rebinding_time"),
    source: vars.source,
  });
}

/** The IA_NA addresses or IA_PD prefixes whose variables match a pattern. */
function bindings(vars: DumpVars, pattern: RegExp, prefix: boolean): Dhcp6Binding[] {
  return vars.names().filter((name) => pattern.test(name)).map((name) => {
    const [ip] = vars.ips(name), length = vars.integer(`${name}_length`, 128);
    if (ip === undefined || (prefix && length === undefined)) {
      throw vars.fail(`${name} is incomplete`);
    }
    return compact({
      value: prefix ? `${ip}/${length}` : ip,
      preferredLifetime: vars.integer(`${name}_pltime`),
      validLifetime: vars.integer(`${name}_vltime`),
    });
  });
}

function dhcp6Lease(vars: DumpVars, interfaceName: string): Dhcp6Lease {
  const addresses = bindings(vars, /^dhcp6_ia_na\d+_ia_addr\d+$/, false);
  const prefixes = bindings(vars, /^dhcp6_ia_pd\d+_prefix\d+$/, true);
  const ia = ["dhcp6_ia_na1", "dhcp6_ia_pd1"].find((name) => vars.has(`${name}_t1`));
  return compact({
    interfaceName,
    stateless: addresses.length === 0 && prefixes.length === 0,
    addresses,
    prefixes,
    dnsServers: vars.ips("dhcp6_name_servers"),
    searchDomains: vars.domains("dhcp6_domain_search"),
    serverId: vars.values.get("dhcp6_server_id") || undefined,
    renewTime: ia === undefined ? undefined : vars.integer(`${ia}_t1`),
    rebindTime: ia === undefined ? undefined : vars.integer(`${ia}_t2`),
    infoRefreshTime: vars.integer("dhcp6_info_refresh_time"),
    source: vars.source,
  });
}

/** The resolver the router advertisements' live RDNSS and DNSSL options give, if any. */
function ndResolvers(vars: DumpVars, interfaceName: string): ResolverConfig[] {
  const live = (name: string) => (vars.integer(name.replace(/_[a-z]+$/, "_lifetime")) ?? 0) > 0;
  const nd = (pattern: RegExp) => vars.names().filter((n) => pattern.test(n) && live(n));
  const dnsServers = [...new Set(nd(/^nd\d+_rdnss\d+_servers$/).flatMap((n) => vars.ips(n)))];
  const searchDomains = [
    ...new Set(nd(/^nd\d+_dnssl\d+_search$/).flatMap((n) => vars.domains(n))),
  ];
  return dnsServers.length > 0 || searchDomains.length > 0
    ? [{ interfaceName, dnsServers, searchDomains, source: vars.source }]
    : [];
}

/** The value of a shell word: bare, 'single quoted' or "double quoted". */
function unquote(value: string): string {
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replaceAll(`'\\''`, "'");
  if (/^".*"$/.test(value)) return value.slice(1, -1).replace(/\\([\\"$`])/g, "$1");
  return value;
}
