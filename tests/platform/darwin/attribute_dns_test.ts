import assert from "node:assert/strict";
import { attributeDns } from "../../../platform/darwin/attribute_dns.ts";
import { parseScutilDns } from "../../../platform/darwin/parse_scutil_dns.ts";
import { PdDraft } from "../../../platform/pd_draft.ts";
import type { SourceNote } from "../../../protocol/model.ts";
import { readCapture } from "./capture.ts";

/** A PD with one address, as ipv4_pd.ts / ipv6_pds.ts would draft it. */
function pd(pdId: string, address: string, prefixLength: number, router?: string): PdDraft {
  const d = new PdDraft(pdId, address.includes(":") ? "ipv6" : "ipv4", router);
  d.addresses.push({ address, prefixLength, validUntil: null, preferredUntil: null });
  return d;
}

const data = (d: PdDraft) => d.done().elements.map((e) => [e.element, e.data, e.source]);

/** The static element scutil --dns adds with these servers and no search domain. */
const scopedServers = (...servers: string[]) => [
  "static",
  { "dns-servers": servers, "search-domains": [] },
  "scutil --dns",
];

/** The note for a search domain of a link whose PDs configd's merged resolver cannot tell apart. */
const mergedDomain = (domain: string, link: string, count: number) =>
  `Cannot attribute search domain ${domain}: link ${link} has ${count} provisioning domains ` +
  "and configd merges their DNS into one resolver";

Deno.test("attributeDns gives a VPN's catch-all servers to its PDs by family; a search domain of two PDs is noted", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_split_1.txt"));
  // Addresses assumed: the capture has no ifconfig (Tailscale's 100.64/10 and fd7a-like ULA).
  const utun4 = pd("utun8/ipv4", "100.100.111.5", 32);
  const utun6 = pd("utun8/ipv6", "fd00:2021:1111:8000::5", 64);
  const en0 = pd("en0/ipv4", "192.168.1.70", 24);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["utun8", [utun4, utun6]], ["en0", [en0]]]), notes);
  // configd merges a service's IPv4, IPv6 and manual DNS (ip_plugin.c get_dns_changes()):
  // attlocal.net may be either PD's, so neither gets it.
  assert.deepEqual(data(utun4), [scopedServers("100.100.111.1")]);
  assert.deepEqual(data(utun6), [scopedServers("fd00:2021:1111:8000:100:100:111:0")]);
  // Resolver #2 is the default resolver (on en0): it marks no PD; #3 is mDNS.
  assert.deepEqual(data(en0), []);
  assert.deepEqual(notes.map((n) => n.reason), [
    mergedDomain("attlocal.net", "utun8", 2),
  ]);
});

Deno.test("attributeDns turns a VPN's split domains into dns-zones", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_split_3.txt"));
  const utun7 = pd("utun7/ipv4", "100.127.242.5", 32);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["utun7", [utun7]]]), notes);
  const [[element, items, source]] = data(utun7);
  assert.equal(element, "static");
  assert.equal(source, "scutil --dns");
  assert.deepEqual((items as Record<string, unknown>)["dns-servers"], ["100.127.242.1"]);
  const zones = (items as Record<string, string[]>)["dns-zones"];
  // As scutil prints them, in resolver order (routing_domains.ts drops the non-names).
  assert.deepEqual(zones.slice(0, 4), [
    "127.0.0.1:80",
    "youtube.com",
    "metabase.fz:3000",
    "localhost",
  ]);
  assert.equal(new Set(zones).size, zones.length);
  assert.deepEqual(notes, []);
});

Deno.test("attributeDns notes a scoped IPv6 server on a link without an IPv6 PD", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_scoped_only_ipv6ns_1.txt"));
  const utun1 = pd("utun1/ipv4", "10.8.0.6", 24);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["utun1", [utun1]]]), notes);
  assert.deepEqual(data(utun1), [[
    "static",
    { "dns-servers": ["192.87.106.106", "192.87.36.36"], "search-domains": ["openvpn"] },
    "scutil --dns",
  ]]);
  assert.deepEqual(notes.map((n) => n.reason), [
    "Cannot attribute DNS server 2001:610:1:800a:192:87:106:106: link utun1 has no ipv6 provisioning domain",
    "Cannot attribute DNS server 2001:610:3:200a:192:87:36:36: link utun1 has no ipv6 provisioning domain",
  ]);
});

Deno.test("attributeDns leaves PDs alone for an exit node's empty default and mDNS", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_exitnode_empty_default_1.txt"));
  const en0 = pd("en0/ipv4", "192.168.1.70", 24);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["en0", [en0]]]), notes);
  assert.deepEqual(data(en0), []);
  assert.deepEqual(notes, []);
});

Deno.test("attributeDns gives a scoped link-local server to the RA PD, the IPv4 one to DHCP's", async () => {
  const text = await readCapture("scutil_dns_wifi_ipv6_linklocal_ns_1.txt");
  // The user quoted one resolver alone: put it under the scoped header (configd's scoped
  // resolver of the primary service carries the default resolver's servers).
  const dns = parseScutilDns(`DNS configuration (for scoped queries)\n\n${text}`);
  const v4 = pd("en0/ipv4", "192.168.1.70", 24);
  v4.set({
    element: "dhcpv4",
    data: { "dns-servers": ["192.168.1.1"] },
    source: "ipconfig getpacket",
  });
  const router = "fe80::8e3b:adff:fead:7bf6";
  const ra = pd(`en0/ipv6/${router}`, "2001:db8:1::5", 64, router);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["en0", [v4, ra]]]), notes);
  // Delivered by DHCPv4 already: no static copy.
  assert.deepEqual(data(v4), [[
    "dhcpv4",
    { "dns-servers": ["192.168.1.1"] },
    "ipconfig getpacket",
  ]]);
  // The %en0 zone is the link's own: the PD lists the bare address.
  assert.deepEqual(data(ra), [scopedServers(router)]);
  assert.deepEqual(notes, []);
});

Deno.test("attributeDns finds an interface by index and notes a supplemental resolver without one", () => {
  // Inline: configd prints "(?)" when if_indextoname() fails (a link already gone).
  const dns = parseScutilDns(`DNS configuration

resolver #1
  domain   : corp.example
  nameserver[0] : 198.51.100.53
  if_index : 20 (?)
  flags    : Supplemental, Request A records

resolver #2
  domain   : lab.example
  nameserver[0] : 203.0.113.53
  flags    : Supplemental, Request A records
`);
  const utun4 = pd("utun4/ipv4", "198.51.100.9", 32);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["utun4", [utun4]]]), notes, new Map([[20, "utun4"]]));
  assert.deepEqual(utun4.done().elements[0].data["dns-zones"], ["corp.example"]);
  assert.deepEqual(notes.map((n) => n.reason), [
    "Cannot attribute resolver of lab.example: it names no interface",
  ]);
});

Deno.test("attributeDns gives a PPP VPN's catch-all servers to ppp0 and en0's scoped one to DHCP's PD", async () => {
  const text = await readCapture("scutil_dns_vpn_split_2.txt");
  // The user replaced the servers by <dns1>/<dns2>: put documentation addresses back in.
  const dns = parseScutilDns(
    text.replace("<dns1>", "198.51.100.1").replace("<dns2>", "198.51.100.2"),
  );
  const ppp0 = pd("ppp0/ipv4", "198.51.100.20", 32);
  const en0 = pd("en0/ipv4", "10.0.2.15", 24);
  en0.set({
    element: "dhcpv4",
    data: { "dns-servers": ["10.0.2.1"] },
    source: "ipconfig getpacket",
  });
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["ppp0", [ppp0]], ["en0", [en0]]]), notes);
  assert.deepEqual(data(ppp0), [[
    "static",
    { "dns-servers": ["198.51.100.1", "198.51.100.2"], "search-domains": ["home-domain"] },
    "scutil --dns",
  ]]);
  // en0's only PD: its scoped resolver's search domain goes with the DHCP-delivered server.
  assert.deepEqual(data(en0), [
    ["dhcpv4", { "dns-servers": ["10.0.2.1"] }, "ipconfig getpacket"],
    ["static", { "search-domains": ["home-domain"] }, "scutil --dns"],
  ]);
  assert.deepEqual(notes, []);
});

/** Hand-written (inline): a VPN's split DNS for corp.example on utun4. */
const SPLIT_CORP = `DNS configuration

resolver #1
  domain   : corp.example
  nameserver[0] : 198.51.100.53
  if_index : 20 (utun4)
  flags    : Supplemental, Request A records
`;

Deno.test("attributeDns adds a zone beside servers DHCP delivered", () => {
  const dns = parseScutilDns(SPLIT_CORP);
  const utun4 = pd("utun4/ipv4", "198.51.100.9", 32);
  utun4.set({ element: "dhcpv4", data: { "dns-servers": ["198.51.100.53"] }, source: "x" });
  attributeDns(dns, new Map([["utun4", [utun4]]]), []);
  assert.deepEqual(data(utun4), [
    ["dhcpv4", { "dns-servers": ["198.51.100.53"] }, "x"],
    ["static", { "dns-zones": ["corp.example"] }, "scutil --dns"],
  ]);
});

/** An "ra" element listing RDNSS servers, as ipv6_pds.ts sets it. */
function rdnss(d: PdDraft, servers: string[], domains: string[] = []): PdDraft {
  d.set({
    element: "ra",
    data: { "dns-servers": servers, "search-domains": domains },
    source: "ipconfig",
  });
  return d;
}

Deno.test("attributeDns skips scoped copies of another service's split DNS", () => {
  // Hand-written (no capture shows one): configd dns-configuration.c
  // add_supplemental_resolvers() copies a DNS-only service's supplemental resolver into
  // each interface's scoped list with that interface and flags Scoped, Supplemental.
  const dns = parseScutilDns(`${SPLIT_CORP}
DNS configuration (for scoped queries)

resolver #1
  nameserver[0] : 203.0.113.1
  if_index : 6 (en0)
  flags    : Scoped, Request A records

resolver #2
  domain   : corp.example
  nameserver[0] : 198.51.100.53
  if_index : 6 (en0)
  flags    : Scoped, Supplemental, Request A records
`);
  const utun4 = pd("utun4/ipv4", "198.51.100.9", 32);
  const en0 = pd("en0/ipv4", "203.0.113.70", 24);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["utun4", [utun4]], ["en0", [en0]]]), notes);
  assert.deepEqual(data(en0), [scopedServers("203.0.113.1")]);
  assert.deepEqual(data(utun4), [[
    "static",
    { "dns-servers": ["198.51.100.53"], "search-domains": [], "dns-zones": ["corp.example"] },
    "scutil --dns",
  ]]);
  assert.deepEqual(notes, []);
});

Deno.test("attributeDns gives an IPv6 server only to the router that advertised it, never by prefix", () => {
  // Hand-written: two routers on en0 advertise the same prefix; only fe80::2's RA lists ::53.
  const dns = parseScutilDns(`DNS configuration (for scoped queries)

resolver #1
  search domain[0] : home.example
  nameserver[0] : 2001:db8:1::53
  nameserver[1] : 2001:db8:1::54
  if_index : 6 (en0)
  flags    : Scoped, Request AAAA records
`);
  const r1 = pd("en0/ipv6/fe80::1", "2001:db8:1::5", 64, "fe80::1");
  const r2 = rdnss(pd("en0/ipv6/fe80::2", "2001:db8:1::5", 64, "fe80::2"), ["2001:db8:1::53"]);
  const statics = pd("en0/ipv6", "2001:db8:1::9", 64);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["en0", [r1, r2, statics]]]), notes);
  // ::53: the RA of fe80::2 lists it; ::54 is on every PD's prefix but no PD delivered it.
  assert.deepEqual(data(r1), []);
  assert.deepEqual(data(statics), []);
  // The only PD holding the resolver's servers takes its search domain.
  assert.deepEqual(data(r2), [
    ["ra", { "dns-servers": ["2001:db8:1::53"], "search-domains": [] }, "ipconfig"],
    ["static", { "search-domains": ["home.example"] }, "scutil --dns"],
  ]);
  assert.deepEqual(notes.map((n) => n.reason), [
    "Cannot attribute DNS server 2001:db8:1::54: none of link en0's 3 ipv6 provisioning " +
    "domains delivered it (DHCP, RDNSS) and scutil --dns does not say which one it belongs to",
  ]);
});

Deno.test("attributeDns leaves a search domain where a protocol delivered it", () => {
  // Hand-written: DNSSL of fe80::1 delivered lab.example; home.example has no evidence.
  const dns = parseScutilDns(`DNS configuration (for scoped queries)

resolver #1
  search domain[0] : lab.example
  search domain[1] : home.example
  nameserver[0] : 203.0.113.1
  nameserver[1] : 2001:db8:1::53
  if_index : 6 (en0)
  flags    : Scoped, Request A records, Request AAAA records
`);
  const v4 = pd("en0/ipv4", "203.0.113.70", 24);
  const ra = rdnss(pd("en0/ipv6/fe80::1", "2001:db8:1::5", 64, "fe80::1"), ["2001:db8:1::53"], [
    "lab.example",
  ]);
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["en0", [v4, ra]]]), notes);
  assert.deepEqual(data(v4), [scopedServers("203.0.113.1")]);
  assert.deepEqual(data(ra), [[
    "ra",
    { "dns-servers": ["2001:db8:1::53"], "search-domains": ["lab.example"] },
    "ipconfig",
  ]]);
  assert.deepEqual(notes.map((n) => n.reason), [
    mergedDomain("home.example", "en0", 2),
  ]);
});

Deno.test("attributeDns gives a search domain to the PD holding the servers only when the link has no PD of another family", () => {
  // Hand-written (inline): a scoped resolver with IPv4 servers and a domain no element lists.
  const dns = parseScutilDns(`DNS configuration (for scoped queries)

resolver #1
  search domain[0] : corp.example
  nameserver[0] : 198.51.100.53
  if_index : 4 (en0)
  flags    : Scoped, Request A records
  reach    : 0x00000002 (Reachable)
`);
  const v4 = pd("en0/ipv4", "198.51.100.7", 24);
  const v6 = pd("en0/ipv6/fe80::1", "2001:db8:1::7", 64, "fe80::1");
  const notes: SourceNote[] = [];
  attributeDns(dns, new Map([["en0", [v4, v6]]]), notes);
  // The domain may be the RA's DNSSL (configd merges both families): it goes to neither PD.
  assert.deepEqual(data(v4), [scopedServers("198.51.100.53")]);
  assert.deepEqual(data(v6), []);
  assert.deepEqual(notes.map((n) => n.reason), [
    mergedDomain("corp.example", "en0", 2),
  ]);
});
