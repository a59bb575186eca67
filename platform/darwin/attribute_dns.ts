/**
 * Attributes macOS resolver configuration (`scutil --dns`) to provisioning
 * domains, as Linux's attribute_resolvers.ts does for resolv.conf, by
 * evidence only ("never announce what you do not know"):
 *
 * - a scoped resolver ("for scoped queries", `if_index`) holds its
 *   interface's own servers (configd merges the service's IPv4, IPv6 and
 *   manual DNS into one dict: IPMonitor/ip_plugin.c get_dns_changes()). A
 *   server goes to the PD of its family that already lists it (DHCPv4,
 *   RDNSS, DHCPv6), else to the link's only PD of that family, else nowhere
 *   (noted): its address's prefix, a static PD or the first router prove
 *   nothing;
 * - scoped copies of supplemental resolvers (`domain`, flags `Scoped,
 *   Supplemental`: IPMonitor/dns-configuration.c add_supplemental_resolvers()
 *   called with scoped_interface, L1011 and L503-507) are skipped: they are
 *   another service's split DNS, handled below from the original;
 * - a supplemental resolver with a `domain` on an interface (a VPN's split
 *   DNS) gives the PDs holding its servers the domain as a "dns-zones" item
 *   (read by protocol/routing_domains.ts);
 * - a supplemental resolver without a domain (a VPN's catch-all) is
 *   attributed as a scoped one;
 * - mDNS resolvers (`options : mdns`) and the default resolver mark no PD.
 *
 * Search domains cannot be told apart by family (same merged dict): one a
 * PD of the link already lists stays there; any other goes to the link's
 * only PD, or to the one PD that took all of the resolver's servers when
 * the link has no PD of another family, else nowhere (noted).
 *
 * A server a protocol already delivered to a PD is left alone; any other
 * lands in the PD's "static" element, labelled "scutil --dns". Servers,
 * zones and search domains that no PD can take are reported as notes.
 *
 * @module
 */

import type { SourceNote } from "../../protocol/model.ts";
import type { PdDraft } from "../pd_draft.ts";
import type { ScutilDns, ScutilNameserver, ScutilResolver } from "./parse_scutil_dns.ts";

const SOURCE = "scutil --dns";

/** The server as a PD lists it: a link-local one without its zone when the zone is its link. */
function serverText(ns: ScutilNameserver, link: string): string {
  return ns.zone === undefined || ns.zone === link ? ns.address : `${ns.address}%${ns.zone}`;
}

/**
 * The PD of a link that takes a server, by evidence: one already listing it
 * (DHCP, RDNSS), or the link's only PD of the server's family.
 */
function choose(pds: readonly PdDraft[], server: string): PdDraft | undefined {
  return pds.find((p) => p.hasDnsServer(server)) ?? (pds.length === 1 ? pds[0] : undefined);
}

/** Whether any element of a PD lists a search domain. */
function hasSearchDomain(pd: PdDraft, domain: string): boolean {
  return pd.done().elements.some((e) => {
    const list = e.data["search-domains"];
    return Array.isArray(list) && list.includes(domain);
  });
}

/** Pushes a note unless the same one is there (a server both scoped and supplemental). */
function note(notes: SourceNote[], reason: string): void {
  if (!notes.some((n) => n.reason === reason)) notes.push({ source: SOURCE, reason });
}

/** Merges items into a list of a PD's static element, adding this source to its label. */
function addStatic(pd: PdDraft, key: string, items: readonly string[]): void {
  const element = pd.done().elements.find((e) => e.element === "static");
  const before = (element?.data[key] ?? []) as string[];
  const sources = (element?.source ?? "").split(", ").filter((s) => s !== "");
  pd.set({
    element: "static",
    data: { ...element?.data, [key]: [...before, ...items.filter((i) => !before.includes(i))] },
    source: (sources.includes(SOURCE) ? sources : [...sources, SOURCE]).join(", "),
  });
}

/** Why a server finds no PD of its family on its link. */
function noPd(server: string, link: string, family: string, count: number): string {
  return `Cannot attribute DNS server ${server}: ` +
    (count
      ? `none of link ${link}'s ${count} ${family} provisioning domains delivered it ` +
        "(DHCP, RDNSS) and scutil --dns does not say which one it belongs to"
      : `link ${link} has no ${family} provisioning domain`);
}

/**
 * Gives a resolver's servers to its interface's PDs, then its search
 * domains; returns the PDs that hold the servers (delivered before or added
 * now).
 */
function attribute(
  r: ScutilResolver,
  link: string,
  pds: readonly PdDraft[],
  notes: SourceNote[],
): Set<PdDraft> {
  const holders = new Set<PdDraft>();
  for (const ns of r.nameservers) {
    const server = serverText(ns, link);
    const family = pds.filter((p) => p.family === ns.family);
    const pd = choose(family, server);
    if (!pd) {
      note(notes, noPd(server, link, ns.family, family.length));
      continue;
    }
    if (!pd.hasDnsServer(server)) pd.addStaticDns(server, [], SOURCE);
    holders.add(pd);
  }
  const domains = r.searchDomains.filter((d) => !pds.some((p) => hasSearchDomain(p, d)));
  // The one PD holding all the servers takes the rest only when no PD of another family could
  // have brought them (an RA's DNSSL is not told apart from DHCPv4's domain in the merged dict).
  const [holder] = holders;
  const target = pds.length === 1
    ? pds[0]
    : holders.size === 1 && pds.every((p) => p.family === holder.family)
    ? holder
    : undefined;
  if (target) {
    if (domains.length) addStatic(target, "search-domains", domains);
  } else if (pds.length) {
    // With no PD on the link, the servers' notes already say why.
    for (const d of domains) {
      note(
        notes,
        `Cannot attribute search domain ${d}: link ${link} has ${pds.length} provisioning ` +
          "domains and configd merges their DNS into one resolver",
      );
    }
  }
  return holders;
}

/**
 * Adds the resolvers of `scutil --dns` to the PDs of their interfaces.
 *
 * @example A VPN's split zone and Wi-Fi's scoped servers
 * ```ts
 * import { attributeDns } from "./attribute_dns.ts";
 * import { parseScutilDns } from "./parse_scutil_dns.ts";
 * import { PdDraft } from "../pd_draft.ts";
 * import assert from "node:assert/strict";
 * const dns = parseScutilDns(`DNS configuration
 *
 * resolver #1
 *   domain   : corp.example
 *   nameserver[0] : 198.51.100.53
 *   if_index : 20 (utun4)
 *   flags    : Supplemental, Request A records
 *
 * DNS configuration (for scoped queries)
 *
 * resolver #1
 *   search domain[0] : home.example
 *   nameserver[0] : 203.0.113.1
 *   if_index : 6 (en0)
 *   flags    : Scoped, Request A records
 * `);
 * const utun4 = new PdDraft("utun4/ipv4", "ipv4");
 * const en0 = new PdDraft("en0/ipv4", "ipv4");
 * const notes: { source: string; reason: string }[] = [];
 * attributeDns(dns, new Map([["utun4", [utun4]], ["en0", [en0]]]), notes);
 * assert.deepEqual(utun4.done().elements[0].data, {
 *   "dns-servers": ["198.51.100.53"], "search-domains": [], "dns-zones": ["corp.example"],
 * });
 * assert.deepEqual(en0.done().elements[0].data, {
 *   "dns-servers": ["203.0.113.1"], "search-domains": ["home.example"],
 * });
 * assert.deepEqual(notes, []);
 * ```
 * @param dns The parsed `scutil --dns`.
 * @param pdsByLink Each interface's PDs, by interface name.
 * @param notes Receives a note for each server or zone that belongs to no PD.
 * @param names Interface names by index, for resolvers whose `if_index` has no name.
 */
export function attributeDns(
  dns: ScutilDns,
  pdsByLink: ReadonlyMap<string, readonly PdDraft[]>,
  notes: SourceNote[],
  names: ReadonlyMap<number, string> = new Map(),
): void {
  const linkOf = (r: ScutilResolver) =>
    r.ifName ?? (r.ifIndex === undefined ? undefined : names.get(r.ifIndex));
  const mdns = (r: ScutilResolver) => (r.options ?? "").split(/\s+/).includes("mdns");
  for (const r of dns.scoped) {
    const link = linkOf(r);
    // A scoped copy of another service's split DNS (configd dns-configuration.c
    // add_supplemental_resolvers() with scoped_interface): not this link's own servers.
    if (r.domain !== undefined || r.flags.includes("Supplemental")) continue;
    if (mdns(r) || link === undefined) continue;
    attribute(r, link, pdsByLink.get(link) ?? [], notes);
  }
  for (const r of dns.resolvers) {
    // The default resolver (first, no domain) and /etc/resolver files name no PD.
    if (mdns(r) || !r.flags.includes("Supplemental")) continue;
    const link = linkOf(r);
    if (link === undefined) {
      const what = r.domain === undefined ? "catch-all resolver" : `resolver of ${r.domain}`;
      notes.push({ source: SOURCE, reason: `Cannot attribute ${what}: it names no interface` });
      continue;
    }
    const pds = pdsByLink.get(link) ?? [];
    const holders = attribute(r, link, pds, notes);
    if (r.domain === undefined) continue;
    const targets = holders.size ? [...holders] : r.nameservers.length ? [] : pds;
    for (const pd of targets) addStatic(pd, "dns-zones", [r.domain]);
    if (!targets.length) {
      note(
        notes,
        `Cannot attribute DNS zone ${r.domain}: ` +
          (pds.length
            ? `no provisioning domain of link ${link} took its servers`
            : `link ${link} has no provisioning domain`),
      );
    }
  }
}
