/**
 * Attributes macOS resolver configuration (`scutil --dns`) to provisioning
 * domains, as Linux's attribute_resolvers.ts does for resolv.conf:
 *
 * - a scoped resolver ("for scoped queries", `if_index`) holds its
 *   interface's own servers (IPv4 and IPv6 merged): each server goes to that
 *   interface's PD of the server's family, with the resolver's search
 *   domains;
 * - a supplemental resolver with a `domain` on an interface (a VPN's split
 *   DNS) gives that interface's PD its servers and the domain as a
 *   "dns-zones" item (read by protocol/routing_domains.ts);
 * - a supplemental resolver without a domain (a VPN's catch-all) gives the
 *   interface's PD its servers and search domains;
 * - mDNS resolvers (`options : mdns`) and the default resolver mark no PD.
 *
 * A server a protocol already delivered to a PD (DHCPv4, RDNSS, DHCPv6) is
 * left alone; any other lands in the PD's "static" element, labelled
 * "scutil --dns". Servers that no PD can take are reported as notes.
 *
 * @module
 */

import { prefixMatch } from "../../ip/prefix.ts";
import type { SourceNote } from "../../protocol/model.ts";
import type { PdDraft } from "../pd_draft.ts";
import type { ScutilDns, ScutilNameserver, ScutilResolver } from "./parse_scutil_dns.ts";

const SOURCE = "scutil --dns";

/** The server as a PD lists it: a link-local one without its zone when the zone is its link. */
function serverText(ns: ScutilNameserver, link: string): string {
  return ns.zone === undefined || ns.zone === link ? ns.address : `${ns.address}%${ns.zone}`;
}

/** The PD of a link that takes a server: one listing it, on its prefix, the static one, the first. */
function choose(pds: readonly PdDraft[], server: string): PdDraft | undefined {
  return pds.find((p) => p.hasDnsServer(server)) ??
    pds.find((p) =>
      p.addresses.some((a) => prefixMatch(server, `${a.address}/${a.prefixLength}`) >= 0)
    ) ?? pds.find((p) => p.router === undefined) ?? pds[0];
}

/** Adds a domain to the "dns-zones" item of a PD's static element. */
function addZone(pd: PdDraft, zone: string): void {
  const element = pd.done().elements.find((e) => e.element === "static");
  const zones = (element?.data["dns-zones"] ?? []) as string[];
  if (zones.includes(zone)) return;
  const sources = (element?.source ?? "").split(", ").filter((s) => s !== "");
  pd.set({
    element: "static",
    data: { ...element?.data, "dns-zones": [...zones, zone] },
    source: (sources.includes(SOURCE) ? sources : [...sources, SOURCE]).join(", "),
  });
}

/**
 * Gives a resolver's servers to its interface's PDs; returns the PDs that
 * hold them (delivered before or added now).
 */
function attribute(
  r: ScutilResolver,
  link: string,
  pds: readonly PdDraft[],
  searchDomains: readonly string[],
  notes: SourceNote[],
): Set<PdDraft> {
  const holders = new Set<PdDraft>();
  for (const ns of r.nameservers) {
    const server = serverText(ns, link);
    const pd = choose(pds.filter((p) => p.family === ns.family), server);
    if (!pd) {
      const reason = `Cannot attribute DNS server ${server}: link ${link} has no ${ns.family} ` +
        `provisioning domain`;
      // A server both scoped and supplemental is noted once.
      if (!notes.some((n) => n.reason === reason)) notes.push({ source: SOURCE, reason });
      continue;
    }
    if (!pd.hasDnsServer(server)) pd.addStaticDns(server, searchDomains, SOURCE);
    holders.add(pd);
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
    if (mdns(r) || link === undefined) continue;
    attribute(r, link, pdsByLink.get(link) ?? [], r.searchDomains, notes);
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
    const holders = attribute(r, link, pds, r.searchDomains, notes);
    if (r.domain === undefined) continue;
    const targets = holders.size ? [...holders] : r.nameservers.length ? [] : pds;
    for (const pd of targets) addZone(pd, r.domain);
    if (!targets.length) {
      notes.push({
        source: SOURCE,
        reason: `Cannot attribute DNS zone ${r.domain}: link ${link} has no provisioning domain`,
      });
    }
  }
}
