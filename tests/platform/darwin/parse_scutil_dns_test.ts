/** parseScutilDns (platform/darwin/parse_scutil_dns.ts) on real `scutil --dns` captures. */

import assert from "node:assert/strict";
import { parseScutilDns, type ScutilResolver } from "../../../platform/darwin/parse_scutil_dns.ts";
import { readCapture } from "./capture.ts";

const MDNS_DOMAINS = ["local", "254.169.in-addr.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa"];
const addresses = (resolver: ScutilResolver) => resolver.nameservers.map((ns) => ns.address);

Deno.test("parseScutilDns reads a VPN's catch-all supplemental resolver before en0's dual-stack one", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_split_1.txt"));
  assert.equal(dns.resolvers.length, 3);
  const [vpn, en0, mdns] = dns.resolvers;
  assert.equal(vpn.number, 1);
  assert.deepEqual(vpn.searchDomains, ["attlocal.net"]);
  assert.deepEqual(vpn.nameservers, [
    { address: "100.100.111.1", family: "ipv4" },
    { address: "fd00:2021:1111:8000:100:100:111:0", family: "ipv6" },
  ]);
  assert.equal(vpn.domain, undefined);
  assert.deepEqual([vpn.ifIndex, vpn.ifName, vpn.order], [35, "utun8", 103200]);
  assert.deepEqual(vpn.flags, ["Supplemental", "Request A records", "Request AAAA records"]);
  assert.deepEqual(vpn.reach, { value: 3, names: ["Reachable", "Transient Connection"] });
  assert.deepEqual(addresses(en0), ["2600:1700:3ecb:2410::1", "192.168.1.254"]);
  assert.deepEqual([en0.ifIndex, en0.ifName, en0.order, en0.reach?.value], [
    13,
    "en0",
    200000,
    0x20002,
  ]);
  assert.deepEqual(en0.reach?.names, ["Reachable", "Directly Reachable Address"]);
  assert.deepEqual([mdns.domain, mdns.options, mdns.timeout, mdns.nameservers], [
    "local",
    "mdns",
    5,
    [],
  ]);
  assert.deepEqual(mdns.reach, { value: 0, names: ["Not Reachable"] });
  assert.deepEqual(dns.scoped, []); // The excerpt ends before the scoped section.
});

Deno.test("parseScutilDns keeps a ppp0 supplemental resolver apart from en0's scoped one (macOS 10.15.4)", async () => {
  const text = await readCapture("scutil_dns_vpn_split_2.txt");
  // Verbatim, the user's redaction "<dns1>" is not an address: refused, with its line.
  assert.throws(() => parseScutilDns(text), /nameserver "<dns1>" is not an IP address, line 5$/);
  // The user replaced the servers by <dns1>/<dns2>: put documentation addresses back in.
  const dns = parseScutilDns(
    text.replace("<dns1>", "198.51.100.1").replace("<dns2>", "198.51.100.2"),
  );
  assert.equal(dns.resolvers.length, 2); // The user's "[...]" line between blocks is skipped.
  const [ppp, en0] = dns.resolvers;
  assert.deepEqual(addresses(ppp), ["198.51.100.1", "198.51.100.2"]);
  assert.deepEqual([ppp.ifIndex, ppp.ifName, ppp.order], [16, "ppp0", 100000]);
  assert.deepEqual(ppp.flags, ["Supplemental", "Request A records"]);
  assert.deepEqual(ppp.searchDomains, ["home-domain"]);
  assert.deepEqual([addresses(en0), en0.ifName, en0.order], [["10.0.2.1"], "en0", 200000]);
  assert.equal(dns.scoped.length, 1);
  const scoped = dns.scoped[0];
  assert.deepEqual([scoped.number, scoped.ifIndex, scoped.ifName], [1, 4, "en0"]);
  assert.deepEqual([scoped.searchDomains, addresses(scoped)], [["home-domain"], ["10.0.2.1"]]);
  assert.deepEqual([scoped.flags, scoped.reach], [[], undefined]); // Cut after if_index.
});

Deno.test("parseScutilDns reads per-domain supplemental resolvers in printed order, not by order (macOS 12)", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_split_3.txt"));
  const [main, ...rest] = dns.resolvers;
  assert.deepEqual(main.searchDomains, [
    "127.0.0.1:80",
    "ifconfig.net",
    "localhost",
    "metabase.fz:3000",
    "youtube.com",
  ]);
  assert.deepEqual(addresses(main), ["100.127.242.1"]);
  assert.deepEqual([main.ifIndex, main.ifName, main.order], [undefined, undefined, undefined]);
  assert.deepEqual(rest.map((r) => [r.number, r.domain, r.ifName, r.order]), [
    [2, "127.0.0.1:80", "utun7", 102200],
    [3, "youtube.com", "utun7", 102204],
    [4, "metabase.fz:3000", "utun7", 102203],
    [5, "local", undefined, 300000],
    [6, "localhost", "utun7", undefined],
  ]);
  // Resolver #6 is cut mid-line: its flags are read as printed, it has no reach.
  assert.deepEqual(rest[4].flags, ["Supplemental", "Request A records", "Request"]);
  assert.equal(rest[4].reach, undefined);
});

Deno.test("parseScutilDns reads the 2018 format's reach alone on a line (Tunnelblick utun0, scoped only)", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_scoped_oldformat_1.txt"));
  assert.equal(dns.resolvers.length, 7);
  const [first, ...mdns] = dns.resolvers;
  assert.deepEqual([first.nameservers, first.flags], [[], ["Request A records"]]);
  assert.deepEqual(first.reach, { value: 0, names: ["Not Reachable"] });
  assert.deepEqual(mdns.map((r) => r.domain), [
    ...MDNS_DOMAINS,
    "a.e.f.ip6.arpa",
    "b.e.f.ip6.arpa",
  ]);
  assert.deepEqual(mdns.map((r) => r.order), [300000, 300200, 300400, 300600, 300800, 301000]);
  assert(mdns.every((r) => r.reach?.value === 0 && r.options === "mdns"));
  assert.equal(dns.scoped.length, 1);
  const utun = dns.scoped[0];
  assert.deepEqual([utun.number, utun.ifIndex, utun.ifName], [1, 13, "utun0"]);
  assert.deepEqual([utun.searchDomains, addresses(utun)], [["openvpn"], ["8.8.8.8", "8.8.4.4"]]);
  assert.deepEqual(utun.flags, ["Scoped", "Request A records"]);
  assert.deepEqual(utun.reach, { value: 2, names: ["Reachable"] });
});

Deno.test("parseScutilDns reads a VPN's scoped resolver with IPv4 and IPv6 servers (eduVPN utun1)", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_scoped_only_ipv6ns_1.txt"));
  assert.equal(dns.resolvers.length, 1); // The user's "--CUT other resolvers--" line is skipped.
  assert.deepEqual(dns.resolvers[0].nameservers, []);
  assert.equal(dns.resolvers[0].reach?.value, 0);
  const [utun] = dns.scoped;
  assert.deepEqual(utun.nameservers.map((ns) => ns.family), ["ipv4", "ipv4", "ipv6", "ipv6"]);
  assert.deepEqual(addresses(utun), [
    "192.87.106.106",
    "192.87.36.36",
    "2001:610:1:800a:192:87:106:106",
    "2001:610:3:200a:192:87:36:36",
  ]);
  assert.deepEqual([utun.ifIndex, utun.ifName, utun.searchDomains], [9, "utun1", ["openvpn"]]);
  assert.deepEqual(utun.flags, ["Scoped", "Request A records", "Request AAAA records"]);
});

Deno.test("parseScutilDns reads an exit node's default resolver without servers, and a cut hex reach (macOS 11)", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_vpn_exitnode_empty_default_1.txt"));
  assert.equal(dns.resolvers.length, 4);
  const [first] = dns.resolvers;
  assert.deepEqual([first.nameservers, first.ifIndex, first.domain], [[], undefined, undefined]);
  assert.deepEqual(first.flags, ["Request A records", "Request AAAA records"]);
  assert.deepEqual(dns.resolvers.map((r) => r.domain), [undefined, ...MDNS_DOMAINS.slice(0, 3)]);
  // The excerpt ends at "reach    : 0x00000000 (N": the names come from the value.
  assert.deepEqual(dns.resolvers[3].reach, { value: 0, names: ["Not Reachable"] });
  assert.equal(dns.resolvers[3].order, undefined);
});

Deno.test("parseScutilDns reads the 2017 format's reach without hex and a Back to My Mac pdns resolver", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_oldformat_reach_text_btmm_1.txt"));
  assert.equal(dns.resolvers.length, 8);
  const [en0, btmm, ...mdns] = dns.resolvers;
  assert.deepEqual([addresses(en0), en0.ifIndex, en0.ifName], [["192.168.1.1"], 4, "en0"]);
  assert.deepEqual(en0.reach, {
    value: 0x20002,
    names: ["Reachable", "Directly Reachable Address"],
  });
  assert.deepEqual([btmm.domain, btmm.options, btmm.timeout, btmm.order], [
    "166534133.members.btmm.icloud.com",
    "pdns",
    5,
    150000,
  ]);
  assert.equal(btmm.reach, undefined);
  assert.deepEqual(mdns.map((r) => r.domain), [
    ...MDNS_DOMAINS,
    "a.e.f.ip6.arpa",
    "b.e.f.ip6.arpa",
  ]);
  const [scoped] = dns.scoped;
  assert.deepEqual([addresses(scoped), scoped.ifName, scoped.flags], [
    ["192.168.1.1"],
    "en0",
    ["Scoped", "Request A records"],
  ]);
  // Cut at "Reachable,Directly R": an unknown name leaves the value unknown.
  assert.deepEqual(scoped.reach, { value: undefined, names: ["Reachable", "Directly R"] });
});

Deno.test("parseScutilDns keeps a link-local IPv6 server's %en0 zone apart", async () => {
  const text = await readCapture("scutil_dns_wifi_ipv6_linklocal_ns_1.txt");
  assert.throws(
    () => parseScutilDns(text),
    /"resolver #1" before a "DNS configuration" header, line 1/,
  );
  // The user quoted resolver #1 alone: give it back the header scutil prints first.
  const dns = parseScutilDns(`DNS configuration\n\n${text}`);
  const [en0] = dns.resolvers;
  assert.deepEqual(en0.nameservers, [
    { address: "fe80::8e3b:adff:fead:7bf6", family: "ipv6", zone: "en0" },
    { address: "192.168.1.1", family: "ipv4" },
  ]);
  assert.deepEqual([en0.ifIndex, en0.ifName, en0.reach?.value], [7, "en0", 0x20002]);
});

Deno.test("parseScutilDns reads an IPv4-only en0 resolver and the mdns resolvers (macOS 12/13)", async () => {
  const dns = parseScutilDns(await readCapture("scutil_dns_wifi_ipv4only_1.txt"));
  const [en0, ...mdns] = dns.resolvers;
  assert.deepEqual([addresses(en0), en0.ifIndex, en0.ifName], [
    ["75.75.75.75", "75.75.76.76"],
    15,
    "en0",
  ]);
  assert.deepEqual(en0.flags, ["Request A records"]);
  assert.deepEqual(en0.reach, { value: 2, names: ["Reachable"] });
  assert.deepEqual(mdns.map((r) => [r.domain, r.options, r.timeout]), [
    ["local", "mdns", 5],
    ["254.169.in-addr.arpa", "mdns", 5],
    ["8.e.f.ip6.arpa", "mdns", 5],
  ]);
});

Deno.test("parseScutilDns tolerates tabs and trailing blanks", async () => {
  const text = await readCapture("scutil_dns_vpn_split_1.txt");
  const retabbed = text.replace(/^ {2}/gm, "\t").replace(/\n/g, " \t\n");
  assert.deepEqual(parseScutilDns(retabbed), parseScutilDns(text));
});

Deno.test("parseScutilDns reads 'No DNS configuration available' as no resolvers and refuses text without a header", () => {
  // configd scutil.tproj/tests.c do_printDNSConfiguration() prints this line when there is no configuration.
  assert.deepEqual(parseScutilDns("No DNS configuration available\n"), {
    resolvers: [],
    scoped: [],
    serviceSpecific: [],
  });
  assert.throws(() => parseScutilDns("hello\n"), SyntaxError);
  assert.throws(
    () => parseScutilDns("DNS configuration\n\nresolver #1\n  if_index : en0\n"),
    /if_index "en0" is not "N \(name\)", line 4/,
  );
  assert.throws(
    () => parseScutilDns("DNS configuration\n\nresolver #1\n  order    : soon\n"),
    /order "soon" is not a number, line 4/,
  );
});

Deno.test("parseScutilDns keeps service-specific resolvers out of the scoped ones (hand-written, configd source)", async () => {
  const dns = parseScutilDns(await readCapture("handwritten_scutil_dns_service_specific.txt"));
  assert.deepEqual([dns.resolvers.length, dns.scoped.length], [1, 1]);
  assert.equal(dns.scoped[0].ifName, "en0");
  const [service] = dns.serviceSpecific;
  assert.deepEqual(service, {
    number: 1,
    searchDomains: [],
    nameservers: [{ address: "2001:db8::53", family: "ipv6" }],
    port: 5353,
    ifIndex: 21,
    serviceIdentifier: 7,
    flags: ["Service-specific", "Request AAAA records"],
    reach: { value: 3, names: ["Reachable", "Transient Connection"] },
    order: 400000,
  });
});

Deno.test("parseScutilDns skips a long line of spaces without a colon in linear time", () => {
  const text = `DNS configuration\n\nresolver #1\n${" ".repeat(100_000)}x\n`;
  assert.deepEqual(parseScutilDns(text).resolvers[0].nameservers, []);
});
