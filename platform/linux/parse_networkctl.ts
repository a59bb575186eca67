/**
 * Parser for `networkctl status <link> --json=short` (systemd 252 and later):
 * what systemd-networkd configured on a link, each address, DNS server and
 * search domain tagged with the protocol that gave it (`ConfigSource`). It is
 * where networkd's DHCPv6 data can be read at all: networkd writes a lease
 * file for DHCPv4 only (/run/systemd/netif/leases), and its links file mixes
 * DHCPv4, DHCPv6 and RA servers without saying which is which. Pure.
 *
 * @module
 */

import { formatIp } from "../../ip/ip.ts";
import type { SourceData } from "./source_types.ts";
import type { Dhcp6Lease } from "../dhcp_elements.ts";

interface Tagged {
  readonly ConfigSource?: unknown;
}

function list(value: unknown, what: string, fail: (p: string) => Error): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((x) => typeof x === "object" && x !== null)) {
    throw fail(`${what} is not a list of objects`);
  }
  return value as Record<string, unknown>[];
}

/** An address networkctl writes as a list of octets. */
function octets(value: unknown, what: string, fail: (p: string) => Error): string {
  const ok = Array.isArray(value) && (value.length === 4 || value.length === 16) &&
    value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);
  if (!ok) throw fail(`${what} is not 4 or 16 octets`);
  const bytes = new Uint8Array(value as number[]);
  return formatIp({ family: bytes.length === 4 ? "ipv4" : "ipv6", bytes });
}

function fromDhcp6(x: Tagged): boolean {
  return x.ConfigSource === "DHCPv6";
}

/**
 * Reads the DHCPv6 part of one link's networkctl JSON: the addresses (IA_NA),
 * DNS servers and search domains networkd took from DHCPv6. Without any, no
 * lease is returned (systemd 252 drops what an Information-request brings:
 * a stateless link shows nothing from DHCPv6, see systemd PR #29718).
 *
 * @example A stateful link
 * ```ts
 * import { parseNetworkctlStatus } from "./parse_networkctl.ts";
 * import assert from "node:assert/strict";
 * const text = JSON.stringify({
 *   Name: "nd0",
 *   Addresses: [{ Family: 10, Address: [32, 1, 13, 184, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 83],
 *     PrefixLength: 128, ConfigSource: "DHCPv6" }],
 *   DNS: [{ Family: 10, Address: [32, 1, 13, 184, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], ConfigSource: "DHCPv6" }],
 *   SearchDomains: [{ Domain: "a6.mif.example", ConfigSource: "DHCPv6" }],
 * });
 * const [lease] = parseNetworkctlStatus(text, "networkctl status nd0").dhcp6;
 * assert.deepEqual(lease.addresses, [{ value: "2001:db8:a::153" }]);
 * assert.deepEqual(lease.dnsServers, ["2001:db8:a::1"]);
 * ```
 * @param text The command's output.
 * @param source The command, for the results and errors.
 * @returns At most one DHCPv6 lease.
 * @throws {SyntaxError} When the output is not networkctl's JSON.
 */
export function parseNetworkctlStatus(text: string, source: string): SourceData {
  const fail = (problem: string) =>
    new SyntaxError(`Cannot parse networkctl output ${source}: ${problem}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Cannot parse networkctl output ${source}: it is not JSON`, {
      cause: error,
    });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw fail("not an object");
  const link = json as Record<string, unknown>;
  if (typeof link.Name !== "string") throw fail("Name is missing");
  const addresses = list(link.Addresses, "Addresses", fail).filter(fromDhcp6)
    .map((a) => ({ value: octets(a.Address, "Addresses[].Address", fail) }));
  const dnsServers = list(link.DNS, "DNS", fail).filter(fromDhcp6)
    .map((d) => octets(d.Address, "DNS[].Address", fail));
  const searchDomains = list(link.SearchDomains, "SearchDomains", fail).filter(fromDhcp6)
    .map((d) => {
      if (typeof d.Domain !== "string") throw fail("SearchDomains[].Domain is not a string");
      return d.Domain.replace(/\.$/, "");
    });
  const empty = { dhcp4: [], resolvers: [] };
  if (addresses.length + dnsServers.length + searchDomains.length === 0) {
    return { ...empty, dhcp6: [] };
  }
  const lease: Dhcp6Lease = {
    interfaceName: link.Name,
    stateless: addresses.length === 0,
    addresses,
    prefixes: [],
    dnsServers: [...new Set(dnsServers)],
    searchDomains: [...new Set(searchDomains)],
    source,
  };
  return { ...empty, dhcp6: [lease] };
}
