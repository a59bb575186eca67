/** darwinLinks and orderLinks (platform/darwin/darwin_links.ts) on real captures. */

import assert from "node:assert/strict";
import { type DarwinLink, darwinLinks, orderLinks } from "../../../platform/darwin/darwin_links.ts";
import { parseHardwarePorts } from "../../../platform/darwin/parse_hardware_ports.ts";
import { parseIfconfig } from "../../../platform/darwin/parse_ifconfig.ts";
import { parseScutilNwi } from "../../../platform/darwin/parse_scutil_nwi.ts";
import { parseServiceOrder } from "../../../platform/darwin/parse_service_order.ts";
import { readCapture } from "./capture.ts";

/** The links of an ifconfig capture, with the hardware ports of the same Mac. */
async function linksOf(ifconfig: string, ports?: string): Promise<DarwinLink[]> {
  return darwinLinks({
    interfaces: parseIfconfig(await readCapture(ifconfig)),
    ...(ports ? { ports: parseHardwarePorts(await readCapture(ports)) } : {}),
  });
}

/** name → [displayName, interfaceType, operState, skip] */
function summary(links: readonly DarwinLink[]): Record<string, unknown[]> {
  return Object.fromEntries(
    links.map((l) => [l.name, [l.displayName, l.interfaceType, l.operState, l.skip]]),
  );
}

Deno.test("darwinLinks joins the Catalina set (set5, 10.15): names, states and why links get no PD", async () => {
  const links = await linksOf(
    "set5_ifconfig_a_catalina_usb_lan_internet_sharing_parallels_vpn_1.txt",
    "set5_networksetup_listallhardwareports_catalina_usb_lan_iphone_usb_1.txt",
  );
  assert.equal(links.length, 26);
  const s = summary(links);
  assert.deepEqual(s.en35, ["USB 10/100/1000 LAN", "wired", "up", null]);
  assert.deepEqual(s.en0, ["Wi-Fi", "wifi", "down", "down"]); // UP,RUNNING but status: inactive
  assert.deepEqual(s.en37, ["iPhone USB", "cellular", "down", "down"]); // flags 8822: not UP
  assert.deepEqual(s.bridge0, ["Thunderbolt Bridge", "bridge", "down", "down"]);
  assert.deepEqual(s.en1, ["Thunderbolt 1", "wired", "down", "bridge-member"]);
  assert.deepEqual(s.bridge100, ["bridge100", "bridge", "up", null]);
  assert.deepEqual(s.ap1, ["ap1", "virtual", "up", "bridge-member"]); // member of bridge100
  assert.deepEqual(s.awdl0, ["awdl0", "virtual", "down", "peer-to-peer"]);
  assert.deepEqual(s.llw0, ["llw0", "virtual", "down", "peer-to-peer"]); // UP,RUNNING, inactive
  assert.deepEqual(s.utun0, ["utun0", "virtual", "unknown", "system-tunnel"]);
  assert.deepEqual(s.utun4, ["utun4", "vpn", "unknown", null]);
  assert.deepEqual(s.lo0, ["lo0", "loopback", "unknown", null]);
  assert.deepEqual(s.gif0, ["gif0", "virtual", "down", "down"]);
  assert.deepEqual(s.stf0, ["stf0", "virtual", "down", "down"]);
  assert.deepEqual(s.vnic0, ["vnic0", "virtual", "up", null]);
  assert.deepEqual(s.en40, ["en40", "other", "up", null]);
  const en35 = links.find((l) => l.name === "en35")!;
  assert.deepEqual(
    [en35.index, en35.mtu, en35.mac, en35.hardwarePort, en35.serviceRank, en35.primary],
    [null, 1500, "98:00:43:0f:00:03", "USB 10/100/1000 LAN", null, []],
  );
  assert.deepEqual(en35.inet, [
    { address: "192.168.0.205", prefixLength: 24, broadcast: "192.168.0.255", peer: null },
  ]);
  assert.deepEqual(en35.inet6.map((a) => [a.address, a.zone, a.flags]), [
    ["fe80::ffff:0:3", "en35", ["secured"]],
  ]);
  const utun4 = links.find((l) => l.name === "utun4")!;
  assert.deepEqual(utun4.inet[0].peer, "10.75.129.190");
  assert.equal(utun4.mtu, 1390);
  // Without a service order, links come by name: letters, then number.
  assert.deepEqual(orderLinks(links).map((l) => l.name).slice(0, 15), [
    "ap1",
    "awdl0",
    "bridge0",
    "bridge100",
    "en0",
    "en1",
    "en2",
    "en3",
    "en4",
    "en5",
    "en35",
    "en37",
    "en40",
    "en41",
    "gif0",
  ]);
});

Deno.test("darwinLinks on Sonoma 14.4 (set6): only Wi-Fi is up with a PD; awdl0 up but skipped", async () => {
  const links = await linksOf(
    "set6_ifconfig_a_sonoma14_4_wifi_tb_bridge_1.txt",
    "set6_networksetup_listallhardwareports_sonoma14_4_1.txt",
  );
  const s = summary(links);
  assert.deepEqual(s.en0, ["Wi-Fi", "wifi", "up", null]);
  assert.deepEqual(s.awdl0, ["awdl0", "virtual", "up", "peer-to-peer"]);
  assert.deepEqual(s.en4, ["Ethernet Adapter (en4)", "wired", "down", "down"]); // media: none
  assert.deepEqual(s.anpi0, ["anpi0", "virtual", "down", "down"]);
  assert.deepEqual(
    links.filter((l) => l.skip === null).map((l) => l.name),
    ["lo0", "en0"],
  );
});

Deno.test("darwinLinks on Mojave 10.14.6 (set7): Ethernet and Wi-Fi both up, XHC down", async () => {
  const links = await linksOf(
    "set7_ifconfig_a_mojave_ethernet_wifi_both_active_1.txt",
    "set7_networksetup_listallhardwareports_mojave_ethernet_wifi_1.txt",
  );
  const s = summary(links);
  assert.deepEqual(s.en0, ["Ethernet", "wired", "up", null]);
  assert.deepEqual(s.en1, ["Wi-Fi", "wifi", "up", null]);
  assert.deepEqual(s.XHC20, ["XHC20", "virtual", "down", "down"]); // flags=0, mtu 0
  assert.equal(links.find((l) => l.name === "XHC20")?.mtu, 0);
  assert.deepEqual(
    links.filter((l) => l.skip === null).map((l) => [l.name, l.inet[0]?.address]),
    [["lo0", "127.0.0.1"], ["en0", "10.71.127.11"], ["en1", "192.168.1.107"]],
  );
  assert.deepEqual(orderLinks(links).map((l) => l.name).slice(0, 3), ["ap1", "awdl0", "bridge0"]);
  assert.deepEqual(orderLinks(links).map((l) => l.name).slice(-3), ["utun0", "XHC0", "XHC20"]);
});

Deno.test("darwinLinks reads index and type: from ifconfig -v (Wi-Fi + Ethernet, no ports)", async () => {
  const links = await linksOf("ifconfig_v_wifi_ethernet_1.txt");
  const byName = new Map(links.map((l) => [l.name, l]));
  assert.deepEqual(summary(links).en3, ["en3", "wired", "up", null]);
  assert.deepEqual(summary(links).en0, ["en0", "wifi", "up", null]);
  assert.deepEqual(summary(links).vboxnet0, ["vboxnet0", "virtual", "down", "down"]); // not UP
  assert.deepEqual(summary(links).p2p0, ["p2p0", "virtual", "down", "peer-to-peer"]);
  assert.deepEqual([byName.get("en0")?.index, byName.get("en3")?.index], [4, 8]);
  assert.equal(byName.get("fw0")?.mac, null); // lladdr, not ether
  assert.equal(byName.get("fw0")?.mtu, 4078);
});

Deno.test("darwinLinks: the iPhone USB tether is a cellular link named by its port", async () => {
  const text = await readCapture("ifconfig_iphone_usb_hotspot_1.txt");
  // The author masked parts of the IPv6 addresses with "xxxx" (not addresses): drop those lines.
  const interfaces = parseIfconfig(text.split("\n").filter((l) => !l.includes("xxxx")).join("\n"));
  const ports = parseHardwarePorts(
    await readCapture("networksetup_listallhardwareports_iphone_usb_1.txt"),
  );
  const [en5] = darwinLinks({ interfaces, ports });
  assert.deepEqual(
    [en5.displayName, en5.interfaceType, en5.operState, en5.skip, en5.mac],
    ["iPhone USB", "cellular", "up", null, "3a:89:2c:52:71:a1"],
  );
  assert.deepEqual(en5.inet, [
    { address: "172.20.10.9", prefixLength: 28, broadcast: "172.20.10.15", peer: null },
  ]);
});

Deno.test("darwinLinks: a Network Extension VPN utun (15.3) keeps its index, addresses and p2p peer", async () => {
  const [utun4] = await linksOf("ifconfig_v_utun_vpn_networkextension_1.txt");
  assert.deepEqual(
    [utun4.interfaceType, utun4.operState, utun4.skip, utun4.index, utun4.mtu, utun4.mac],
    ["vpn", "unknown", null, 25, 1280, null],
  );
  assert.deepEqual(utun4.inet, [
    { address: "100.87.112.117", prefixLength: 32, broadcast: null, peer: "100.87.112.117" },
  ]);
  assert.deepEqual(utun4.inet6.map((a) => [a.address, a.prefixLength]), [
    ["fe80::2e0:4cff:fe3c:b817", 64],
    ["fd7a:115c:a1e0::1901:7075", 48],
  ]);
});

Deno.test("darwinLinks marks the primary families from scutil --nwi (same post as ifconfig -v en0)", async () => {
  const [en0] = darwinLinks({
    interfaces: parseIfconfig(
      await readCapture("ifconfig_v_en0_wifi_ipv6_secured_temporary_1.txt"),
    ),
    nwi: parseScutilNwi(await readCapture("scutil_nwi_wifi_dualstack_1.txt")),
  });
  assert.deepEqual(en0.primary, ["ipv4", "ipv6"]);
  assert.deepEqual([en0.interfaceType, en0.operState, en0.index], ["wifi", "up", 11]);
  assert.deepEqual(en0.inet6.map((a) => a.flags), [
    ["secured"],
    ["autoconf", "secured"],
    ["autoconf", "temporary"],
  ]);
});

Deno.test("darwinLinks: a VPN ranked first by scutil --nwi is the IPv4 primary, not en0", async () => {
  // Inline ifconfig for the interfaces the capture names (no ifconfig of that Mac was published).
  const interfaces = parseIfconfig(
    "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n" +
      "\tinet 10.0.1.7 netmask 0xffffff00 broadcast 10.0.1.255\n\tstatus: active\n" +
      "utun6: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1500\n" +
      "\tinet 10.100.0.2 --> 10.100.0.2 netmask 0xffffffff\n",
  );
  const nwi = parseScutilNwi(await readCapture("scutil_nwi_utun_vpn_primary_en0_1.txt"));
  const [en0, utun6] = darwinLinks({ interfaces, nwi });
  assert.deepEqual([en0.primary, utun6.primary], [[], ["ipv4"]]);
  assert.equal(utun6.interfaceType, "vpn");
  // An entry flagged NOT-IN-LIST (ranked "never") is not primary: the next one is.
  const [notInList, ...rest] = nwi.ipv4;
  const edited = { ...nwi, ipv4: [{ ...notInList, flags: ["IPv4", "NOT-IN-LIST"] }, ...rest] };
  const [en0b, utun6b] = darwinLinks({ interfaces, nwi: edited });
  assert.deepEqual([en0b.primary, utun6b.primary], [["ipv4"], []]);
});

Deno.test("darwinLinks names links by service and orders them by the service order", async () => {
  const services = parseServiceOrder(
    await readCapture("networksetup_listnetworkserviceorder_iphone_usb_vpn_disabled_1.txt"),
  );
  // Inline ifconfig headers for the devices the capture names (no ifconfig of that Mac).
  const up =
    "flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tstatus: active\n";
  const interfaces = parseIfconfig(
    ["lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n", `en0: ${up}`, `en5: ${up}`]
      .concat([`en6: ${up}`, `en9: ${up}`, `bridge0: ${up}`, `utun3: ${up}`]).join(""),
  );
  const links = darwinLinks({ interfaces, services });
  const s = Object.fromEntries(links.map((l) => [l.name, [l.displayName, l.serviceRank]]));
  assert.deepEqual(s, {
    lo0: ["lo0", null],
    en0: ["Wi-Fi", 3],
    en5: ["AX88179A", 1],
    en6: ["iPhone USB", 4],
    en9: ["Old Ethernet", null], // "(*) Old Ethernet": disabled, named but unranked
    bridge0: ["Thunderbolt Bridge", 2],
    utun3: ["utun3", null], // VPN services ("Device: ") join no link
  });
  // Without a port list, the services' ports type the links.
  assert.deepEqual(links.map((l) => [l.hardwarePort, l.interfaceType]), [
    [null, "loopback"],
    ["Wi-Fi", "wifi"],
    ["AX88179A", "wired"],
    ["iPhone USB", "cellular"],
    ["Ethernet", "wired"],
    ["Thunderbolt Bridge", "bridge"],
    [null, "virtual"],
  ]);
  assert.deepEqual(orderLinks(links).map((l) => l.name), [
    "en5",
    "bridge0",
    "en0",
    "en6",
    "en9",
    "lo0",
    "utun3",
  ]);
});

Deno.test("darwinLinks prefers a device's enabled service over a disabled one listed first", () => {
  const interfaces = parseIfconfig("en0: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n");
  const [en0] = darwinLinks({
    interfaces,
    services: [
      { order: null, name: "Old Wi-Fi", enabled: false, port: "Wi-Fi", device: "en0" },
      { order: 2, name: "Wi-Fi", enabled: true, port: "Wi-Fi", device: "en0" },
      { order: 3, name: "Wi-Fi 2", enabled: true, port: "Wi-Fi", device: "en0" },
    ],
  });
  assert.deepEqual([en0.displayName, en0.serviceRank, en0.operState], ["Wi-Fi", 2, "unknown"]);
});
