/** darwinIpv6Pds (platform/darwin/ipv6_pds.ts) on real captures and the hand-written ndp fixtures. */

import assert from "node:assert/strict";
import { type DarwinIpv6Input, darwinIpv6Pds } from "../../../platform/darwin/ipv6_pds.ts";
import { type IfconfigInet6, parseIfconfig } from "../../../platform/darwin/parse_ifconfig.ts";
import { parseNdpPrefixes, parseNdpRouters } from "../../../platform/darwin/parse_ndp.ts";
import {
  parseIpconfigRa,
  parseIpconfigSummary,
} from "../../../platform/darwin/parse_ipconfig_summary.ts";
import { parseIpconfigV6Packet } from "../../../platform/darwin/parse_ipconfig_packet.ts";
import { parseNetstatRoutes } from "../../../platform/darwin/parse_netstat_routes.ts";
import type { PdDraft } from "../../../platform/pd_draft.ts";
import { parseScdDate } from "../../../platform/darwin/scd_date.ts";
import { readCapture } from "./capture.ts";

const NOW = 1_700_000_000_000;

/** One inline `inet6` line, as parseIfconfig returns it. */
function inet6(address: string, flags: IfconfigInet6["flags"], pltime = 600, vltime = 3600) {
  return {
    address,
    zone: null,
    scopeId: null,
    prefixLength: 64,
    peer: null,
    flags,
    pltime,
    vltime,
  };
}

async function ndp() {
  return {
    routers: parseNdpRouters(await readCapture("handwritten_ndp_r_two_routers.txt")),
    prefixes: parseNdpPrefixes(await readCapture("handwritten_ndp_p_two_routers.txt")),
  };
}

/** darwinIpv6Pds at NOW for en0 (unless given) with the two-router ndp fixtures and `input`. */
async function withNdp(input: Partial<DarwinIpv6Input> & Pick<DarwinIpv6Input, "addresses">) {
  return darwinIpv6Pds({ link: "en0", now: NOW, ...await ndp(), ...input });
}

const summary = (pds: readonly PdDraft[]) =>
  pds.map((p) => [p.pdId, p.addresses.map((a) => a.address)]);
const element = (pd: PdDraft, type: "ra" | "dhcpv6" | "static") =>
  pd.done().elements.find((e) => e.element === type);

Deno.test("ndp -r/-p with two routers on en0 give two PDs; the utun placeholder gives none", async () => {
  const { pds, unattributed } = await withNdp({
    addresses: [
      inet6("fe80::aa", ["secured"]), // link-local: in no PD
      inet6("2001:db8:1::5", ["autoconf", "secured"]),
      inet6("2001:db8:1::77", ["autoconf", "temporary"]),
      inet6("2001:db8:2::5", ["autoconf", "secured"]), // 2001:db8:2::/64: no A, expired
    ],
  });
  assert.deepEqual(summary(pds), [
    ["en0/ipv6/fe80::1", ["2001:db8:1::5", "2001:db8:1::77"]],
    ["en0/ipv6/fe80::2", ["2001:db8:1::5", "2001:db8:1::77"]],
  ]);
  assert.deepEqual(unattributed.map((a) => a.address), ["2001:db8:2::5"]);
  assert.equal(pds[0].addresses[1].temporary, true);
  assert.equal(pds[0].addresses[0].validUntil, NOW + 3600_000);
  assert.deepEqual(element(pds[0], "ra"), {
    element: "ra",
    data: {
      routers: ["fe80::1"],
      "default-router": true,
      "router-preference": "high",
      managed: false,
      "other-config": true,
      prefixes: [{
        prefix: "2001:db8:1::/64",
        "on-link": true,
        autonomous: true,
        "valid-lifetime": 2592000,
        "preferred-lifetime": 604800,
      }],
    },
    source: "ndp -r, ndp -p",
  });
  const second = element(pds[1], "ra")!.data;
  assert.equal(second["router-preference"], "medium");
  // 2001:db8:2::/64 is printed "expired": no longer advertised.
  assert.deepEqual((second.prefixes as { prefix: string }[]).map((p) => p.prefix), [
    "2001:db8:1::/64",
  ]);
  const utun = await withNdp({ link: "utun0", addresses: [] });
  assert.deepEqual(utun, { pds: [], unattributed: [] });
});

Deno.test("DHCPv6 data goes to the O router only; a DHCPv6 address without an M router is unattributed", async () => {
  const packet = parseIpconfigV6Packet(
    await readCapture("handwritten_ipconfig_getv6packet_ia_na.txt"),
  );
  const { pds, unattributed } = await withNdp({
    dhcpv6: packet,
    addresses: [inet6("2001:db8:1::1c0", ["dynamic"])],
  });
  assert.deepEqual(element(pds[0], "dhcpv6"), {
    element: "dhcpv6",
    data: {
      mode: "stateful",
      "dns-servers": ["2001:db8:1::53"],
      "search-domains": ["example.com"],
      addresses: [{
        address: "2001:db8:1::1c0",
        "preferred-lifetime": 3600,
        "valid-lifetime": "infinite",
      }],
      "server-identifier": "DUID LL HW 1 Addr 02:00:5e:10:00:fe",
      "renewal-time": 1800,
      "rebinding-time": 2880,
    },
    source: "ipconfig",
  });
  assert.equal(element(pds[1], "dhcpv6"), undefined);
  assert.deepEqual(unattributed.map((a) => a.address), ["2001:db8:1::1c0"]);
  const managed = parseNdpRouters("fe80::1%en0 if=en0, flags=IMOT, pref=high, expire=29m52s\n");
  const withM = darwinIpv6Pds({
    link: "en0",
    now: NOW,
    routers: managed,
    dhcpv6: packet,
    addresses: [inet6("2001:db8:1::1c0", ["dynamic"])],
  });
  assert.deepEqual(summary(withM.pds), [["en0/ipv6/fe80::1", ["2001:db8:1::1c0"]]]);
});

Deno.test("getra (macOS 15): RDNSS, PREF64 and lifetime only for the router the RA came from", async () => {
  const ra = parseIpconfigRa(await readCapture("ipconfig_getra_ipv6mostly_rdnss_pref64_1.txt"))!;
  const routers = parseNdpRouters(
    "fe80::cee1:9400:c55a:d430%en4 if=en4, flags=IOT, pref=high, expire=2h29m50s\n" +
      "fe80::2%en4 if=en4, flags=, pref=medium, expire=1h57m4s\n",
  );
  // Read a minute after "RA Received 04/25/2025 23:06:51" (the Mac's local time).
  const received = parseScdDate("04/25/2025 23:06:51")!;
  const { pds, unattributed } = darwinIpv6Pds({
    link: "en4",
    now: received + 60_000,
    ra,
    routers,
    addresses: [inet6("2001:db8:97::5", ["autoconf", "secured"])],
  });
  assert.deepEqual(summary(pds), [
    ["en4/ipv6/fe80::2", []],
    ["en4/ipv6/fe80::cee1:9400:c55a:d430", ["2001:db8:97::5"]],
  ]);
  assert.deepEqual(unattributed, []);
  const data = element(pds[1], "ra")!.data;
  assert.equal(data["router-lifetime"], 9000);
  assert.equal(data["received-at"], new Date(received).toISOString());
  assert.equal(data["router-preference"], "high");
  assert.equal(data["hop-limit"], 64);
  assert.deepEqual(data["dns-servers"], ["2001:4860:4860::8888"]);
  assert.deepEqual(data.rdnss, [{ address: "2001:4860:4860::8888", lifetime: 9000 }]);
  assert.deepEqual(data.pref64, { prefix: "64:ff9b::/96", lifetime: 18000 });
  assert.equal(element(pds[1], "ra")!.source, "ndp -r, ipconfig");
  const other = element(pds[0], "ra")!.data;
  assert.equal(other["dns-servers"], undefined);
  assert.equal(other["router-lifetime"], undefined);
  assert.equal(other["default-router"], true);
});

Deno.test("getsummary (M+O RA, DHCPv6 Solicit, no packet): one PD from the RA alone", async () => {
  // The source wrapped the RA lines at 108 columns (a terminal copy artefact): joined back.
  const text = (await readCapture("ipconfig_getsummary_wifi_ra_dhcpv6_1.txt")).replace(
    /^(.{108})\n/gm,
    "$1",
  );
  const service = parseIpconfigSummary(text)!.ipv6[0];
  const { pds, unattributed } = darwinIpv6Pds({
    link: "en0",
    now: NOW,
    summary: service,
    addresses: [
      inet6("2a03:1b20:5:7:1c99:99e2:21d0:79e6", ["autoconf", "secured"]),
      inet6("2a03:1b20:5:7::8076", ["dynamic"]),
    ],
  });
  // The getsummary RA has no "RA Received" date: its finite lifetimes (router, PIOs) may have
  // run out, so the SLAAC address has no proven router; the M flag still places the DHCPv6 one.
  assert.deepEqual(summary(pds), [[
    "en0/ipv6/fe80::5aef:68ff:fe0d:18db",
    ["2a03:1b20:5:7::8076"],
  ]]);
  assert.deepEqual(unattributed.map((a) => a.address), ["2a03:1b20:5:7:1c99:99e2:21d0:79e6"]);
  const ra = element(pds[0], "ra")!;
  assert.equal(ra.source, "ipconfig");
  assert.equal(ra.data.managed, true);
  assert.equal(ra.data["other-config"], true);
  assert.equal(ra.data["default-router"], undefined);
  assert.equal(ra.data["router-lifetime"], undefined);
  assert.equal(ra.data["received-at"], undefined);
  assert.deepEqual(ra.data.prefixes, []);
  assert.deepEqual(ra.data["dns-servers"], []);
  assert.equal(element(pds[0], "dhcpv6"), undefined);
});

Deno.test("getsummary with RDNSS/DNSSL and a stateless DHCPv6 packet, next to a second router", async () => {
  const service = parseIpconfigSummary(
    await readCapture("handwritten_ipconfig_getsummary_rdnss_dnssl.txt"),
  )!.ipv6[0];
  const { pds } = await withNdp({ summary: service, addresses: [] });
  assert.deepEqual(pds.map((p) => p.pdId), ["en0/ipv6/fe80::1", "en0/ipv6/fe80::2"]);
  const ra = element(pds[0], "ra")!.data;
  // Undated RA (getsummary): its 1800 s RDNSS, DNSSL and PREF64 may have run out: not claimed.
  assert.deepEqual(ra["dns-servers"], []);
  assert.deepEqual(ra["search-domains"], []);
  assert.equal(ra.pref64, undefined);
  assert.equal(ra.mtu, 1500);
  assert.equal(element(pds[0], "ra")!.source, "ndp -r, ndp -p, ipconfig");
  const dhcp = element(pds[0], "dhcpv6")!.data;
  assert.equal(dhcp.mode, "stateless");
  assert.deepEqual(dhcp["dns-servers"], ["2001:db8:1::53"]);
  assert.equal(dhcp.addresses, undefined);
  assert.equal(element(pds[1], "ra")!.data["search-domains"], undefined);
  assert.equal(element(pds[1], "dhcpv6"), undefined);
});

Deno.test("set1 netstat -rn: the real router of en0 makes a PD; utun fe80:: placeholders make none", async () => {
  // The source prefixes every line with "    // " (Rust comments): stripped.
  const routes = parseNetstatRoutes(
    (await readCapture("set1_netstat_rn_en0_vmware_bridges_utun_dualstack_1.txt"))
      .replace(/^ {4}\/\/ ?/gm, ""),
  );
  const en0 = darwinIpv6Pds({ link: "en0", now: NOW, routes, addresses: [] });
  assert.deepEqual(summary(en0.pds), [["en0/ipv6/fe80::face:21ff:fe39:5bf4", []]]);
  assert.deepEqual(element(en0.pds[0], "ra"), {
    element: "ra",
    data: { routers: ["fe80::face:21ff:fe39:5bf4"], "default-router": true },
    source: "netstat -rn",
  });
  for (const link of ["utun0", "utun1", "utun2", "utun3", "bridge100"]) {
    assert.deepEqual(darwinIpv6Pds({ link, now: NOW, routes, addresses: [] }).pds, [], link);
  }
});

Deno.test("set2 ifconfig -v: secured and temporary SLAAC addresses without RA data are unattributed", async () => {
  const [en0] = parseIfconfig(
    await readCapture("ifconfig_v_en0_wifi_ipv6_secured_temporary_1.txt"),
  );
  const { pds, unattributed } = darwinIpv6Pds({ link: "en0", now: NOW, addresses: en0.inet6 });
  assert.deepEqual(pds, []);
  assert.deepEqual(unattributed, [
    {
      address: "2602:ae:15a4:8001:424:837a:870:6095",
      prefixLength: 64,
      validUntil: null,
      preferredUntil: null,
    },
    {
      address: "2602:ae:15a4:8001:edf7:1b86:b5fc:9085",
      prefixLength: 64,
      validUntil: null,
      preferredUntil: null,
      temporary: true,
    },
  ]);
});

Deno.test("ifconfig -L (10.15): lifetimes, deprecated temporaries, SLAAC by prefix and the DHCPv6 address by M", async () => {
  const [en0] = parseIfconfig(await readCapture("ifconfig_L_ethernet_ipv6_gua_ula_1.txt"));
  const routers = parseNdpRouters("fe80::1%en0 if=en0, flags=IMOT, pref=medium, expire=29m52s\n");
  const prefixes = parseNdpPrefixes([
    "2001:db8:450a:e723::/64 if=en0",
    "flags=ALO vltime=86400, pltime=86400, expire=23h56m45s, ref=3",
    "  advertised by",
    "    fe80::1%en0 (reachable)",
  ].join("\n"));
  const { pds, unattributed } = darwinIpv6Pds({
    link: "en0",
    now: NOW,
    routers,
    prefixes,
    addresses: en0.inet6,
  });
  assert.deepEqual(summary(pds), [["en0/ipv6/fe80::1", [
    "2001:db8:450a:e723:1c99:99e2:21d0:79e6",
    "2001:db8:450a:e723:808d:d894:e4db:157e",
    "2001:db8:450a:e723:2474:39fd:f5c0:6845",
    "fdb6:1d86:d9bd:3::8076",
  ]]]);
  // The ULA prefix's advertiser is not in ndp -p: its SLAAC addresses stay unattributed.
  assert.deepEqual(unattributed.map((a) => a.address), [
    "fdb6:1d86:d9bd:3:837:e1c7:4895:269e",
    "fdb6:1d86:d9bd:3:a0b3:aa4d:9e76:e1ab",
    "fdb6:1d86:d9bd:3:2474:39fd:f5c0:6845",
  ]);
  assert.deepEqual(pds[0].addresses[1], {
    address: "2001:db8:450a:e723:808d:d894:e4db:157e",
    prefixLength: 64,
    validUntil: NOW + 86205_000,
    preferredUntil: NOW,
    temporary: true,
  });
  assert.equal(pds[0].addresses[3].validUntil, NOW + 78010_000);
});

Deno.test("ifconfig -L (10.15): a static global address makes the static PD, with the S default gateway", async () => {
  const [en1] = parseIfconfig(await readCapture("ifconfig_L_en1_static_ipv6_1.txt"));
  const routes = parseNetstatRoutes([
    "Internet6:",
    "Destination                             Gateway                                 Flags               Netif Expire",
    "default                                 2001:db8:450a:e723::1                   UGSc                  en1",
  ].join("\n"));
  const { pds, unattributed } = darwinIpv6Pds({
    link: "en1",
    now: NOW,
    routes,
    addresses: en1.inet6,
  });
  assert.deepEqual(summary(pds), [["en1/ipv6", ["2001:db8:450a:e723::100"]]]);
  assert.deepEqual(unattributed, []);
  assert.deepEqual(pds[0].addresses[0].validUntil, null);
  assert.deepEqual(element(pds[0], "static")!.data, { routers: ["2001:db8:450a:e723::1"] });
});

Deno.test("tentative, duplicated and anycast addresses are left out; detached and clat46-only are unattributed", async () => {
  const { pds, unattributed } = await withNdp({
    addresses: [
      inet6("2001:db8:1::a", ["tentative", "autoconf", "secured"]),
      inet6("2001:db8:1::b", ["duplicated", "autoconf"]),
      inet6("2001:db8:1::c", ["anycast"]),
      inet6("2001:db8:1::d", ["detached", "autoconf", "secured"]),
      inet6("2001:db8:1::e", ["clat46"]),
      inet6("2001:db8:1::f", ["optimistic", "autoconf", "secured"]),
    ],
  });
  assert.deepEqual(summary(pds), [
    ["en0/ipv6/fe80::1", ["2001:db8:1::f"]],
    ["en0/ipv6/fe80::2", ["2001:db8:1::f"]],
  ]);
  assert.deepEqual(unattributed.map((a) => a.address), ["2001:db8:1::d", "2001:db8:1::e"]);
});

Deno.test("getra lifetimes count from RA Received: what has run out by now is dropped", async () => {
  const ra = parseIpconfigRa(await readCapture("ipconfig_getra_ipv6mostly_rdnss_pref64_1.txt"))!;
  const received = parseScdDate("04/25/2025 23:06:51")!;
  const at = (seconds: number) =>
    darwinIpv6Pds({
      link: "en4",
      now: received + seconds * 1000,
      ra,
      addresses: [inet6("2001:db8:97::5", ["autoconf", "secured"])],
    });
  // 9001 s on: router lifetime and RDNSS (9000 s) have run out; PREF64 (18000 s) and the PIO hold.
  const late = element(at(9001).pds[0], "ra")!.data;
  assert.equal(late["default-router"], false);
  assert.equal(late["router-lifetime"], 9000);
  assert.equal(late["received-at"], new Date(received).toISOString());
  assert.deepEqual(late["dns-servers"], []);
  assert.deepEqual(late.rdnss, []);
  assert.deepEqual(late.pref64, { prefix: "64:ff9b::/96", lifetime: 18000 });
  assert.deepEqual(summary(at(9001).pds), [["en4/ipv6/fe80::cee1:9400:c55a:d430", [
    "2001:db8:97::5",
  ]]]);
  assert.equal(element(at(18001).pds[0], "ra")!.data.pref64, undefined);
  // The PIO's valid time (2592000 s) has run out: the router no longer proves the address.
  const gone = at(2592001);
  assert.deepEqual(element(gone.pds[0], "ra")!.data.prefixes, []);
  assert.deepEqual(gone.unattributed.map((a) => a.address), ["2001:db8:97::5"]);
});

Deno.test("an RA whose Received date does not read claims no finite lifetime", async () => {
  const ra = parseIpconfigRa(await readCapture("ipconfig_getra_ipv6mostly_rdnss_pref64_1.txt"))!;
  // Hand-altered date (not configd's MM/DD/YYYY hh:mm:ss): as if undated.
  const { pds, unattributed } = darwinIpv6Pds({
    link: "en4",
    now: NOW,
    ra: { ...ra, received: "2025-04-25T23:06:51" },
    addresses: [inet6("2001:db8:97::5", ["autoconf", "secured"])],
  });
  const data = element(pds[0], "ra")!.data;
  assert.deepEqual(data["dns-servers"], []);
  assert.equal(data.pref64, undefined);
  assert.equal(data["router-lifetime"], undefined);
  assert.equal(data["default-router"], undefined);
  assert.equal(data["router-preference"], "high");
  assert.deepEqual(unattributed.map((a) => a.address), ["2001:db8:97::5"]);
});
