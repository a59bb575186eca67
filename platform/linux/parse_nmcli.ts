/**
 * Parser for NetworkManager's view of devices, as printed by `nmcli -t -f
 * GENERAL.DEVICE,GENERAL.METERED,IP4.ADDRESS,IP4.GATEWAY,IP4.DNS,IP4.DOMAIN,IP4.SEARCHES,DHCP4.OPTION,
 * IP6.ADDRESS,IP6.GATEWAY,IP6.DNS,IP6.DOMAIN,IP6.SEARCHES,DHCP6.OPTION device show`
 * (see NMCLI_FIELDS). Pure: text in, data out.
 *
 * @module
 */

import { compact, withoutTrailingDot } from "./field_text.ts";
import { canonicalIp } from "../../ip/ip.ts";
import type { LinkFacts, ResolverConfig, SourceData } from "./source_types.ts";
import type { Dhcp4Lease, Dhcp6Lease } from "../dhcp_elements.ts";
import { maskLength } from "../../ip/prefix.ts";

/** The fields mif asks nmcli for, in `nmcli -t -f NMCLI_FIELDS device show`. */
export const NMCLI_FIELDS =
  "GENERAL.DEVICE,GENERAL.METERED,IP4.ADDRESS,IP4.GATEWAY,IP4.DNS,IP4.DOMAIN,IP4.SEARCHES," +
  "DHCP4.OPTION,IP6.ADDRESS,IP6.GATEWAY,IP6.DNS,IP6.DOMAIN,IP6.SEARCHES,DHCP6.OPTION";

/**
 * Parses `nmcli -t ... device show` output: a `FIELD:value` or
 * `FIELD[n]:value` line per value and a block per device, starting at
 * GENERAL.DEVICE. nmcli escapes colons only in tabular terse output, not in
 * this multiline output, but "\:" and "\\" are unescaped anyway. DHCP4.OPTION
 * lines (`name = value`) give a DHCPv4 lease, DHCP6.OPTION lines a DHCPv6
 * one (stateless without ip6_address), and IP4/IP6 DNS and DOMAIN (or
 * SEARCHES, preferred when present) a resolver configuration per device.
 *
 * @example Parse one Wi-Fi device
 * ```ts
 * import { parseNmcliDeviceShow } from "./parse_nmcli.ts";
 * import assert from "node:assert/strict";
 * const text = "GENERAL.DEVICE:wlan0\nIP4.DNS[1]:198.51.100.53\nIP6.DNS[1]:2001:db8::53\n";
 * assert.deepEqual(parseNmcliDeviceShow(text, "nmcli device show").resolvers, [{
 *   interfaceName: "wlan0", dnsServers: ["198.51.100.53", "2001:db8::53"],
 *   searchDomains: [], source: "nmcli device show",
 * }]);
 * ```
 * @param text The command's output.
 * @param source The command, for the results and errors.
 * @returns The leases and resolver configurations of all devices.
 * @throws {SyntaxError} When a line is not FIELD:value, a field comes before
 * any GENERAL.DEVICE, a DHCP option is not `name = value`, or an address,
 * netmask or number is malformed.
 */
export function parseNmcliDeviceShow(text: string, source: string): SourceData {
  const fail = (problem: string) =>
    new SyntaxError(`Cannot parse nmcli output ${source}: ${problem}`);
  const dhcp4: Dhcp4Lease[] = [], dhcp6: Dhcp6Lease[] = [], resolvers: ResolverConfig[] = [];
  const links: LinkFacts[] = [];
  for (const block of deviceBlocks(text, fail)) {
    const device = new Device(block, source, fail);
    links.push(...device.link());
    resolvers.push(...device.resolver());
    dhcp4.push(...device.dhcp4());
    dhcp6.push(...device.dhcp6());
  }
  return { dhcp4, dhcp6, resolvers, links };
}

/** The output's blocks: each device's values by field, from GENERAL.DEVICE on. */
function deviceBlocks(text: string, fail: (problem: string) => Error): Map<string, string[]>[] {
  const blocks: Map<string, string[]>[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const match = /^([A-Z0-9-]+\.[A-Z0-9-]+)(?:\[\d+\])?:(.*)$/.exec(line);
    if (!match) throw fail(`line ${index + 1} is not FIELD:value`);
    if (match[1] === "GENERAL.DEVICE") blocks.push(new Map());
    const block = blocks.at(-1);
    if (!block) throw fail(`line ${index + 1} comes before any GENERAL.DEVICE`);
    block.set(match[1], [...block.get(match[1]) ?? [], match[2].replace(/\\([:\\])/g, "$1")]);
  });
  return blocks;
}

/** One device's block, read into what mif knows of it: each reader gives at most one. */
class Device {
  readonly interfaceName: string;

  constructor(
    readonly block: Map<string, string[]>,
    readonly source: string,
    readonly fail: (problem: string) => Error,
  ) {
    this.interfaceName = block.get("GENERAL.DEVICE")![0];
  }

  field(...names: string[]): string[] {
    return names.flatMap((name) => this.block.get(name) ?? []);
  }

  /** Its metered state, when nmcli printed one. */
  link(): LinkFacts[] {
    const { interfaceName, source } = this;
    const [meteredText] = this.field("GENERAL.METERED");
    if (meteredText === undefined) return [];
    const metered = /^(yes|no)\b/.exec(meteredText)?.[1];
    if (metered === undefined && meteredText !== "unknown") {
      throw this.fail(`GENERAL.METERED "${meteredText}" is not yes, no or unknown`);
    }
    return [{
      interfaceName,
      ...(metered === undefined ? {} : { metered: metered === "yes" }),
      source,
    }];
  }

  /** Its DNS servers and search domains (SEARCHES preferred to DOMAIN), when it has any. */
  resolver(): ResolverConfig[] {
    const { interfaceName, source } = this;
    const searches = unique(this.field("IP4.SEARCHES", "IP6.SEARCHES").map(withoutTrailingDot));
    const domains = unique(this.field("IP4.DOMAIN", "IP6.DOMAIN").map(withoutTrailingDot));
    const searchDomains = (searches.length > 0 ? searches : domains).filter((d) => d[0] !== "~");
    const dnsServers = ["IP4.DNS", "IP6.DNS"].flatMap((name) =>
      this.field(name).map((word) => address(name, word, this.fail))
    );
    return dnsServers.length > 0 || searchDomains.length > 0
      ? [{ interfaceName, dnsServers, searchDomains, source }]
      : [];
  }

  /** Its DHCPv4 lease, from the DHCP4.OPTION lines. */
  dhcp4(): Dhcp4Lease[] {
    const v4 = Options.parse("DHCP4.OPTION", this.field("DHCP4.OPTION"), this.fail);
    if (v4.values.size === 0) return [];
    const [domainName] = v4.domains("domain_name"), search = v4.domains("domain_search");
    const expiry = v4.integer("expiry");
    return [compact({
      interfaceName: this.interfaceName,
      address: v4.ips("ip_address")[0],
      prefixLength: v4.netmask("subnet_mask"),
      routers: v4.ips("routers"),
      dnsServers: v4.ips("domain_name_servers"),
      searchDomains: search.length > 0 ? search : v4.domains("domain_name"),
      domainName,
      serverIdentifier: v4.ips("dhcp_server_identifier")[0],
      mtu: v4.integer("interface_mtu"),
      leaseTime: v4.integer("dhcp_lease_time"),
      renewalTime: v4.integer("dhcp_renewal_time"),
      rebindingTime: v4.integer("dhcp_rebinding_time"),
      expiresAt: expiry === undefined ? undefined : expiry * 1000,
      source: this.source,
    })];
  }

  /** Its DHCPv6 lease, from the DHCP6.OPTION lines: stateless without ip6_address. */
  dhcp6(): Dhcp6Lease[] {
    const v6 = Options.parse("DHCP6.OPTION", this.field("DHCP6.OPTION"), this.fail);
    if (v6.values.size === 0) return [];
    const preferredLifetime = v6.integer("preferred_life");
    const validLifetime = v6.integer("max_life");
    const addresses = v6.ips("ip6_address").map((value) =>
      compact({ value, preferredLifetime, validLifetime })
    );
    const starts = v6.integer("starts");
    return [compact({
      interfaceName: this.interfaceName,
      stateless: addresses.length === 0,
      addresses,
      prefixes: [],
      dnsServers: v6.ips("dhcp6_name_servers"),
      searchDomains: v6.domains("dhcp6_domain_search"),
      serverId: v6.values.get("dhcp6_server_id"),
      renewTime: v6.integer("renew"),
      rebindTime: v6.integer("rebind"),
      infoRefreshTime: v6.integer("dhcp6_info_refresh_time"),
      startedAt: starts === undefined ? undefined : starts * 1000,
      source: this.source,
    })];
  }
}

/** DHCP options by name, with typed, validated readers. */
class Options {
  constructor(readonly values: Map<string, string>, readonly fail: (p: string) => Error) {}

  static parse(field: string, lines: string[], fail: (problem: string) => Error): Options {
    const entries = lines.map((line): [string, string] => {
      const match = /^(\w+) =(?: (.*))?$/.exec(line);
      if (!match) throw fail(`${field} "${line}" is not "name = value"`);
      return [match[1], (match[2] ?? "").trim()];
    });
    return new Options(new Map(entries), (problem) => fail(`${field} ${problem}`));
  }

  words(name: string): string[] {
    return (this.values.get(name) ?? "").split(/\s+/).filter((word) => word !== "");
  }

  ips(name: string): string[] {
    return this.words(name).map((word) => address(name, word, this.fail));
  }

  domains(name: string): string[] {
    return this.words(name).map(withoutTrailingDot);
  }

  integer(name: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (!/^(0|[1-9][0-9]*)$/.test(value)) throw this.fail(`${name} "${value}" is not a number`);
    return Number(value);
  }

  netmask(name: string): number | undefined {
    const mask = this.values.get(name);
    if (mask === undefined) return undefined;
    const length = maskLength(mask);
    if (length === undefined) throw this.fail(`${name} "${mask}" is not a netmask`);
    return length;
  }
}

/** The canonical spelling of an address, without a zone. */
function address(what: string, word: string, fail: (problem: string) => Error): string {
  const ip = canonicalIp(word);
  if (ip === undefined) throw fail(`${what} "${word}" is not an IP address`);
  return ip.replace(/%.*$/, "");
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
