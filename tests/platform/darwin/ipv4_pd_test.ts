import assert from "node:assert/strict";
import { ipv4Pd } from "../../../platform/darwin/ipv4_pd.ts";
import { parseIfconfig } from "../../../platform/darwin/parse_ifconfig.ts";
import { parseIpconfigPacket } from "../../../platform/darwin/parse_ipconfig_packet.ts";
import {
  parseNetstatRoutes,
  parseRouteGet,
} from "../../../platform/darwin/parse_netstat_routes.ts";
import { readCapture } from "./capture.ts";

// set3's author put "XXX" highlight markers inside the pasted lines: stripped here.
const unmark = (text: string) => text.replace(/[ \t]+XXX(?=[ \t]|$)/gm, "");
// The netstat captures end in a row the source cut mid-line: dropped here.
const dropCutRow = (text: string) => text.replace(/\n[^\n]*$/, "\n");

Deno.test("ipv4Pd gives set3's campus Wi-Fi a dhcpv4 element from its ACK", async () => {
  const [en0] = parseIfconfig(unmark(await readCapture("set3_ifconfig_en0_wifi_campus_1.txt")));
  const packet = parseIpconfigPacket(
    unmark(await readCapture("set3_ipconfig_getpacket_en0_campus_ack_1.txt")),
  );
  const route = parseRouteGet(unmark(await readCapture("set3_route_n_get_default_en0_1.txt")));
  // LeaseStartDate of the lease plist in the same source (see the capture's header).
  const leaseStart = Date.parse("2023-10-16T11:47:18Z");
  const r = ipv4Pd(en0, { now: leaseStart + 60_000, routes: [], packet, leaseStart });
  const pd = r.pd!.done();
  assert.equal(pd.pdId, "en0/ipv4");
  assert.deepEqual(pd.elements.map((e) => e.element), ["dhcpv4"]);
  assert.deepEqual(pd.elements[0].data, {
    "dns-servers": ["10.33.10.2", "8.8.8.8"],
    "search-domains": [],
    routers: ["10.33.51.254"],
    address: "10.33.48.133",
    "prefix-length": 22,
    "server-identifier": "10.33.51.254",
    "lease-time": 86400,
    "expires-at": "2023-10-17T11:47:18.000Z",
  });
  assert.equal(pd.elements[0].source, "ipconfig getpacket");
  // The same Mac's `route -n get default` goes through the lease's router.
  assert.equal(route.gateway, (pd.elements[0].data.routers as string[])[0]);
  assert.deepEqual(pd.addresses, [{
    address: "10.33.48.133",
    prefixLength: 22,
    validUntil: leaseStart + 86_400_000,
    preferredUntil: leaseStart + 86_400_000,
  }]);
  assert.deepEqual(r.unattributed, []);
  assert.equal(r.meteredHint, undefined);
});

Deno.test("ipv4Pd without a lease start keeps the lease's times relative", async () => {
  const [en0] = parseIfconfig(unmark(await readCapture("set3_ifconfig_en0_wifi_campus_1.txt")));
  const packet = parseIpconfigPacket(
    unmark(await readCapture("set3_ipconfig_getpacket_en0_campus_ack_1.txt")),
  );
  const pd = ipv4Pd(en0, { now: 0, routes: [], packet }).pd!.done();
  assert.equal(pd.elements[0].data["lease-time"], 86400);
  assert.equal(pd.elements[0].data["expires-at"], undefined);
  assert.equal(pd.addresses[0].validUntil, null);
});

Deno.test("ipv4Pd reads an old renewal's ciaddr as the leased address", async () => {
  // The source indented every line by 5 spaces (markdown): stripped here.
  const text = (await readCapture("ipconfig_getpacket_wifi_2_oldformat.txt")).replace(
    /^ {5}/gm,
    "",
  );
  const packet = parseIpconfigPacket(text);
  const inet = [{ address: "192.168.1.154", prefixLength: 24, broadcast: null, peer: null }];
  const pd = ipv4Pd({ name: "en0", inet }, { now: 0, routes: [], packet }).pd!.done();
  assert.deepEqual(pd.elements.map((e) => e.element), ["dhcpv4"]);
  assert.equal(pd.elements[0].data.address, "192.168.1.154");
  assert.equal(pd.elements[0].data["lease-time"], 7200);
  assert.deepEqual(pd.elements[0].data.routers, ["192.168.1.253"]);
});

Deno.test("ipv4Pd ignores a packet whose address the link no longer has", async () => {
  const packet = parseIpconfigPacket(await readCapture("ipconfig_getpacket_wifi_3.txt"));
  assert.equal(packet?.yiaddr, "192.168.2.51");
  // The link moved to another network: the old ACK explains none of its addresses.
  const inet = [{ address: "198.51.100.7", prefixLength: 24, broadcast: null, peer: null }];
  const pd = ipv4Pd({ name: "en0", inet, mtu: 1500 }, { now: 0, routes: [], packet }).pd!.done();
  assert.deepEqual(pd.elements, [{
    element: "static",
    data: { routers: [], mtu: 1500 },
    source: "ifconfig",
  }]);
});

Deno.test("ipv4Pd marks an iPhone hotspot and a WireGuard full tunnel", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_iphone_hotspot_wireguard_1.txt")),
  );
  // The capture shows no ifconfig: en0's address in the hotspot's /28 and utun3's are assumed.
  const en0 = {
    name: "en0",
    inet: [{ address: "172.20.10.2", prefixLength: 28, broadcast: null, peer: null }],
  };
  const wifi = ipv4Pd(en0, { now: 0, routes });
  assert.equal(wifi.meteredHint, "iphone-hotspot");
  // Only the scoped default; the 169.254 route and en0's own subnet are no served routes.
  assert.deepEqual(wifi.pd!.done().elements[0].data, {
    routers: ["172.20.10.1"],
    routes: ["0.0.0.0/0"],
  });
  const utun3 = {
    name: "utun3",
    inet: [{ address: "10.64.0.2", prefixLength: 32, broadcast: null, peer: "10.64.0.2" }],
    mtu: 1420,
  };
  const vpn = ipv4Pd(utun3, { now: 0, routes });
  assert.equal(vpn.meteredHint, undefined);
  // link#18 names no router; the full-tunnel default is a served route.
  assert.deepEqual(vpn.pd!.done().elements[0].data, {
    routers: [],
    routes: ["0.0.0.0/0"],
    mtu: 1420,
  });
});

Deno.test("ipv4Pd gives Wi-Fi and Ethernet on one LAN the same router, ipsec0 none", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_wifi_ethernet_ipsec_1.txt")),
  );
  const link = (name: string, address: string) => ({
    name,
    inet: [{ address, prefixLength: 24, broadcast: null, peer: null }],
  });
  // Addresses from the capture's own /32 rows (10.100.0.11 on en0, 10.100.0.19 on en1).
  for (const [name, address] of [["en0", "10.100.0.11"], ["en1", "10.100.0.19"]]) {
    const data = ipv4Pd(link(name, address), { now: 0, routes }).pd!.done().elements[0].data;
    assert.deepEqual(data.routers, ["10.100.0.1"], name);
  }
  const ipsec = ipv4Pd(link("ipsec0", "10.200.0.2"), { now: 0, routes }).pd!.done();
  assert.deepEqual(ipsec.elements[0].data.routers, []);
  assert.deepEqual(ipsec.elements[0].data.routes, ["0.0.0.0/0"]);
});

Deno.test("ipv4Pd gives a 169.254-only link no PD (set5's en40, en41)", async () => {
  // set5 is a GPL-2.0 capture: the only one with ifconfig of 169.254-only links.
  const links = parseIfconfig(
    await readCapture("set5_ifconfig_a_catalina_usb_lan_internet_sharing_parallels_vpn_1.txt"),
  );
  for (const [name, address] of [["en40", "169.254.176.43"], ["en41", "169.254.231.178"]]) {
    const r = ipv4Pd(links.find((l) => l.name === name)!, { now: 0, routes: [] });
    assert.equal(r.pd, undefined);
    assert.deepEqual(r.unattributed, [
      { address, prefixLength: 16, validUntil: null, preferredUntil: null },
    ]);
  }
  const en35 = ipv4Pd(links.find((l) => l.name === "en35")!, { now: 0, routes: [] });
  assert.deepEqual(en35.pd?.done().addresses.map((a) => a.address), ["192.168.0.205"]);
});

Deno.test("ipv4Pd puts an ended lease's address in no PD (not static) and keeps an alias beside a live one", async () => {
  const [en0] = parseIfconfig(unmark(await readCapture("set3_ifconfig_en0_wifi_campus_1.txt")));
  const packet = parseIpconfigPacket(
    unmark(await readCapture("set3_ipconfig_getpacket_en0_campus_ack_1.txt")),
  );
  const leaseStart = Date.parse("2023-10-16T11:47:18Z");
  const later = leaseStart + 86_400_000 + 1;
  const ended = ipv4Pd(en0, { now: later, routes: [], packet, leaseStart });
  assert.equal(ended.pd, undefined);
  assert.deepEqual(
    ended.unattributed.map((a) => [a.address, a.validUntil]),
    [["10.33.48.133", leaseStart + 86_400_000]],
  );
  // An alias added by hand (inline) beside the leased address: both elements.
  const alias = { address: "198.51.100.9", prefixLength: 24, broadcast: null, peer: null };
  const both = ipv4Pd({ ...en0, inet: [...en0.inet, alias] }, { now: 0, routes: [], packet })
    .pd!.done();
  assert.deepEqual(both.elements.map((e) => e.element), ["dhcpv4", "static"]);
  assert.deepEqual(both.addresses.map((a) => a.address), ["10.33.48.133", "198.51.100.9"]);
});

Deno.test("ipv4Pd reads the lease's interface MTU (option 26)", () => {
  // Inline: no stored capture has option 26; the line format is bootp's ("uint16" as 0x%x).
  const packet = parseIpconfigPacket([
    "op = BOOTREPLY",
    "htype = 1",
    "flags = 0",
    "hlen = 6",
    "hops = 0",
    "xid = 0x8dc8db4d",
    "secs = 0",
    "ciaddr = 0.0.0.0",
    "yiaddr = 198.51.100.7",
    "siaddr = 0.0.0.0",
    "giaddr = 0.0.0.0",
    "chaddr = 8c:85:90:ad:ee:a3",
    "sname =",
    "file =",
    "options:",
    "Options count is 4",
    "dhcp_message_type (uint8): ACK 0x5",
    "domain_name (string): .",
    "interface_mtu (uint16): 0x5dc",
    "end (none):",
  ].join("\n"));
  const inet = [{ address: "198.51.100.7", prefixLength: 24, broadcast: null, peer: null }];
  const [e] = ipv4Pd({ name: "en0", inet }, { now: 0, routes: [], packet }).pd!.done().elements;
  assert.equal(e.data.mtu, 1500);
  // Option 15 stands in for a missing option 119, as sent.
  assert.deepEqual(e.data["search-domains"], ["."]);
});
