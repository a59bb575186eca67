/**
 * A provisioning domain's routing domains: the domains whose names belong
 * to it (its search list, RFC 6106 DNSSL, DHCP options 15/119, DHCPv6 24,
 * a VPN's domains, RFC 8801 PvD dnsZones), read from its configuration
 * elements. Split DNS (connect/split_dns.ts) routes names by them and
 * `mif status` shows them.
 *
 * @module
 */

import type { ConfigValue } from "./types.ts";
import { toDnsName } from "../dns/dns_name.ts";

/**
 * The configuration items whose domains route names to a PD: its search
 * list, and RFC 8801's PvD `dnsZones` where a platform reports them.
 */
export const ROUTING_DOMAIN_ITEMS = ["search-domains", "dns-zones"] as const;

/** One of {@linkcode ROUTING_DOMAIN_ITEMS}. */
export type RoutingDomainItem = typeof ROUTING_DOMAIN_ITEMS[number];

/** A configuration element's data, as `mif status` and the platforms give it. */
export interface ElementData {
  /** The element's items by name. */
  readonly data: Readonly<Record<string, ConfigValue>>;
}

/**
 * A PD's routing domains: every string of its elements' `search-domains`
 * and `dns-zones` items, in element order, IDNA-converted, lower case,
 * each once. Entries that are no DNS names (".", "~.", empty) are left out.
 *
 * @example Search domains of two elements, and a PvD's zones
 * ```ts
 * import assert from "node:assert/strict";
 * import { routingDomains } from "./routing_domains.ts";
 * assert.deepEqual(routingDomains([
 *   { data: { "dns-servers": ["198.51.100.53"], "search-domains": ["ISP1.test.", "corp.test"] } },
 *   { data: { "search-domains": ["isp1.test"], "dns-zones": ["bücher.test", "."] } },
 * ]), ["isp1.test", "corp.test", "xn--bcher-kva.test"]);
 * ```
 * @param elements The PD's configuration elements.
 * @returns Its routing domains.
 */
export function routingDomains(elements: readonly ElementData[]): string[] {
  const domains: string[] = [];
  for (const { data } of elements) {
    for (const item of ROUTING_DOMAIN_ITEMS) {
      const value = data[item];
      const entries = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
      for (const entry of entries) {
        if (typeof entry !== "string") continue;
        const name = toDnsName(entry);
        if (name.ok && !domains.includes(name.name)) domains.push(name.name);
      }
    }
  }
  return domains;
}
