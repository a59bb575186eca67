import assert from "node:assert/strict";
import {
  parseIpconfigRa,
  parseIpconfigSummary,
} from "../../../platform/darwin/parse_ipconfig_summary.ts";
import { parseRouterAdvertisement } from "../../../platform/darwin/parse_router_advertisement.ts";
import { readCapture } from "./capture.ts";

Deno.test("getra on macOS 15 reads an IPv6-mostly RA: O flag, pref high, RDNSS, PIO, PREF64", async () => {
  const ra = parseIpconfigRa(await readCapture("ipconfig_getra_ipv6mostly_rdnss_pref64_1.txt"))!;
  assert.equal(ra.received, "04/25/2025 23:06:51");
  assert.equal(ra.source, "fe80::cee1:9400:c55a:d430");
  assert.equal(ra.hopLimit, 64);
  assert.equal(ra.routerLifetime, 9000);
  assert.equal(ra.flags, 0x48);
  assert.equal(ra.managed, false);
  assert.equal(ra.otherConfig, true);
  assert.equal(ra.preference, "high");
  assert.equal(ra.sourceLinkAddress, "cc:e1:94:5a:d4:30");
  assert.deepEqual(ra.rdnss, [{ servers: ["2001:4860:4860::8888"], lifetime: 9000 }]);
  assert.deepEqual(ra.prefixes, [{
    prefix: "2001:db8:97::/64",
    onLink: true,
    autonomous: true,
    validLifetime: 2592000,
    preferredLifetime: 604800,
  }]);
  assert.deepEqual(ra.pref64, { prefix: "64:ff9b::/96", lifetime: 18000 });
  assert.deepEqual(ra.dnssl, []);
  assert.deepEqual(ra.options.map((o) => o.type), [1, 25, 3, 38]);
});

Deno.test("getsummary on macOS 26.6.2 reads the DHCP lease and its embedded packet; RTADV still soliciting", async () => {
  const s = parseIpconfigSummary(
    await readCapture("ipconfig_getsummary_wifi_dhcp_packet_macos26_1.txt"),
  )!;
  assert.equal(s.interfaceType, "WiFi");
  assert.equal(s.linkStatusActive, true);
  assert.equal(s.ssid, "<redacted>");
  assert.equal(s.ipv4.length, 2);
  const [dhcp, linkLocal] = s.ipv4;
  assert.equal(dhcp.configMethod, "DHCP");
  assert.deepEqual(dhcp.addresses, ["192.168.1.135"]);
  assert.deepEqual(dhcp.subnetMasks, ["255.255.255.0"]);
  assert.equal(dhcp.router, "192.168.1.1");
  assert.equal(dhcp.dhcp?.state, "BOUND");
  assert.equal(dhcp.dhcp?.leaseStartTime, "09/16/2026 23:54:04");
  const p = dhcp.dhcp?.packet!;
  assert.equal(p.flags, 0);
  assert.equal(p.xid, 0x78e7c002);
  assert.equal(p.siaddr, "192.168.1.1");
  assert.equal(p.options.leaseTime, 86400);
  assert.equal(p.options.renewalT1, 43200);
  assert.equal(p.options.rebindingT2, 75600);
  assert.equal(p.options.domainName, "localdomain");
  assert.equal(p.options.all.length, 9);
  assert.equal(linkLocal.configMethod, "LinkLocal");
  assert.equal(linkLocal.dhcp, undefined);
  assert.deepEqual(s.ipv6, [{
    configMethod: "Automatic",
    serviceId: "00DE6ED1-F7AC-46C8-A8DF-C3B38A93C64F",
    rtadv: { state: "Solicit", clat46Enabled: false, clat46Active: false },
    dhcpv6: { mode: "None", state: "Inactive" },
  }]);
});

Deno.test("getsummary reads the embedded RA (M+O, two PIOs) and DHCPv6 Solicit (GPL-3.0 capture, only one with an RA)", async () => {
  // The source wrapped lines at 100 columns after its 8-blank indent: joined back here.
  const text = (await readCapture("ipconfig_getsummary_wifi_ra_dhcpv6_1.txt")).replace(
    /^(.{108})\n/gm,
    "$1",
  );
  const s = parseIpconfigSummary(text)!;
  assert.equal(s.ssid, "app-team-lab");
  assert.equal(s.ipv4[0].configMethod, "Manual");
  assert.deepEqual(s.ipv4[0].addresses, ["192.168.1.3"]);
  const v6 = s.ipv6[0];
  assert.deepEqual(v6.dhcpv6, { mode: "Stateful", state: "Solicit" });
  assert.equal(v6.rtadv?.state, "Acquired");
  const ra = v6.rtadv?.advertisement!;
  assert.equal(ra.source, "fe80::5aef:68ff:fe0d:18db");
  assert.equal(ra.routerLifetime, 1800);
  assert.equal(ra.hopLimit, 0);
  assert.equal(ra.flags, 0xc4);
  assert.equal(ra.managed, true);
  assert.equal(ra.otherConfig, true);
  assert.equal(ra.preference, "medium");
  assert.deepEqual(ra.prefixes, [
    {
      prefix: "::/64",
      onLink: true,
      autonomous: false,
      validLifetime: 2592000,
      preferredLifetime: 604800,
    },
    {
      prefix: "2a03:1b20:5:7::/64",
      onLink: true,
      autonomous: true,
      validLifetime: 2592000,
      preferredLifetime: 604800,
    },
  ]);
  assert.deepEqual(ra.rdnss, []);
});

Deno.test("getsummary reads RDNSS, DNSSL, PREF64, MTU and a DHCPv6 packet whose } is at column 0 (hand-written)", async () => {
  const s = parseIpconfigSummary(
    await readCapture("handwritten_ipconfig_getsummary_rdnss_dnssl.txt"),
  )!;
  assert.equal(s.interfaceType, "Ethernet");
  assert.equal(s.ipv6.length, 1);
  const ra = s.ipv6[0].rtadv?.advertisement!;
  assert.equal(ra.otherConfig, true);
  assert.equal(ra.mtu, 1500);
  assert.deepEqual(ra.rdnss, [{ servers: ["2001:db8:1::53", "2001:db8:1::54"], lifetime: 1800 }]);
  assert.deepEqual(ra.dnssl, [{ domains: ["example.com", "corp.example"], lifetime: 1800 }]);
  assert.deepEqual(ra.pref64, { prefix: "64:ff9b::/96", lifetime: 1800 });
  assert.equal(ra.prefixes[0].prefix, "2001:db8:1::/64");
  const v6 = s.ipv6[0].dhcpv6!;
  assert.equal(v6.mode, "Stateless");
  assert.equal(v6.state, "InformComplete");
  assert.deepEqual(v6.packet?.dnsServers, ["2001:db8:1::53"]);
  assert.deepEqual(v6.packet?.domainList, ["example.com"]);
  assert.equal(s.ipv6[0].serviceId, "5B1C8E2A-6F0D-4C1B-9E3A-2D7F1A0B9C44");
});

Deno.test("RA text: infinite lifetimes, route info, captive portal, flags 0 and unknown options", () => {
  const ra = parseRouterAdvertisement([
    "from fe80::2, length 64, hop limit 64, lifetime 9000s (max), reachable 0ms, retransmit 0ms, flags 0x0",
    "\troute info option (24), length 24 (3):  2001:db8:2::/48, pref=high, lifetime infinite",
    "\tcaptive portal option (37), length 32 (4): uri=https://portal.example/",
    "\t<unknown> option (99), length 8 (1): 00:00:00:00:00:00",
    "\trdnss option (25), length 8 (1): truncated (8 < 24) ",
    "\tdnssl option (31), length 16 (2):  lifetime 60s, domain(s): no domains 00:00:00:00:00:00:00:00",
  ].join("\n"));
  assert.equal(ra.flags, 0);
  assert.equal(ra.preference, "medium");
  assert.equal(ra.routerLifetime, 9000);
  assert.deepEqual(ra.routes, [{
    prefix: "2001:db8:2::/48",
    preference: "high",
    lifetime: "infinity",
  }]);
  assert.equal(ra.captivePortal, "https://portal.example/");
  assert.deepEqual(ra.rdnss, []);
  assert.deepEqual(ra.dnssl, [{ domains: [], lifetime: 60 }]);
  assert.equal(ra.options.length, 5);
  assert.equal(ra.options[2].name, "<unknown>");
});

Deno.test("getra/getsummary: empty output is undefined; other text is a SyntaxError", () => {
  assert.equal(parseIpconfigRa(""), undefined);
  assert.equal(parseIpconfigSummary(" \n"), undefined);
  assert.throws(
    () => parseIpconfigRa("hello"),
    /Cannot parse ipconfig getra output: no RA header, line 1/,
  );
  assert.throws(
    () => parseIpconfigSummary("op = BOOTREPLY"),
    /Cannot parse ipconfig getsummary output: no "<dictionary> \{"/,
  );
  assert.throws(() => parseIpconfigSummary("<dictionary> {\n  A : B\n"), /unclosed dictionary/);
  assert.throws(() => parseIpconfigSummary("<dictionary> {\nstray\n}"), /stray line 2/);
});
