/** interfaceTypeOf (platform/darwin/interface_type.ts) on real captures and a few inline links. */

import assert from "node:assert/strict";
import { interfaceTypeOf } from "../../../platform/darwin/interface_type.ts";
import { parseHardwarePorts } from "../../../platform/darwin/parse_hardware_ports.ts";
import { type IfconfigInterface, parseIfconfig } from "../../../platform/darwin/parse_ifconfig.ts";
import { readCapture } from "./capture.ts";

/** Each interface's type, with the ports of the same Mac when there is a port capture. */
async function types(ifconfig: string, ports?: string): Promise<Record<string, string>> {
  const portOf = new Map(
    ports ? parseHardwarePorts(await readCapture(ports)).map((p) => [p.device, p.port]) : [],
  );
  const links = parseIfconfig(await readCapture(ifconfig));
  return Object.fromEntries(
    links.map((l) => [l.name, interfaceTypeOf(l, portOf.get(l.name) ?? null)]),
  );
}

Deno.test("interfaceTypeOf classifies every link of the Catalina set (set5, 10.15)", async () => {
  const t = await types(
    "set5_ifconfig_a_catalina_usb_lan_internet_sharing_parallels_vpn_1.txt",
    "set5_networksetup_listallhardwareports_catalina_usb_lan_iphone_usb_1.txt",
  );
  assert.deepEqual(t, {
    lo0: "loopback",
    gif0: "virtual",
    stf0: "virtual",
    en5: "other", // T2 iBridge, no port; its MAC is anonymised (ac:00:48:…, not ac:de:48:…).
    en3: "wired", // Thunderbolt 3
    en4: "wired",
    en1: "wired",
    en2: "wired",
    ap1: "virtual", // Internet Sharing's access point, member of bridge100
    en0: "wifi",
    p2p0: "virtual",
    awdl0: "virtual",
    llw0: "virtual",
    bridge0: "bridge", // Thunderbolt Bridge
    utun0: "virtual", // system utuns: fe80:: only
    vnic0: "virtual", // Parallels
    vnic1: "virtual",
    utun1: "virtual",
    utun2: "virtual",
    utun3: "virtual",
    en37: "cellular", // port "iPhone USB", down
    en40: "other", // no port, no type: 169.254 only
    en41: "other",
    en35: "wired", // USB 10/100/1000 LAN
    bridge100: "bridge", // Internet Sharing
    utun4: "vpn", // 10.75.129.190 on a utun: not link-local
  });
});

Deno.test("interfaceTypeOf on Sonoma 14.4 (set6): anpi is virtual, Ethernet Adapter ports are wired", async () => {
  const t = await types(
    "set6_ifconfig_a_sonoma14_4_wifi_tb_bridge_1.txt",
    "set6_networksetup_listallhardwareports_sonoma14_4_1.txt",
  );
  assert.equal(Object.keys(t).length, 19);
  assert.deepEqual([t.anpi0, t.anpi1, t.en4, t.en5, t.en0, t.bridge0, t.ap1, t.llw0], [
    "virtual",
    "virtual",
    "wired",
    "wired",
    "wifi",
    "bridge",
    "virtual",
    "virtual",
  ]);
});

Deno.test("interfaceTypeOf on Mojave 10.14.6 (set7): Ethernet en0 wired, Wi-Fi en1 wifi, XHC virtual", async () => {
  const t = await types(
    "set7_ifconfig_a_mojave_ethernet_wifi_both_active_1.txt",
    "set7_networksetup_listallhardwareports_mojave_ethernet_wifi_1.txt",
  );
  assert.deepEqual([t.en0, t.en1, t.XHC20, t.XHC0, t.utun0, t.bridge0], [
    "wired",
    "wifi",
    "virtual",
    "virtual",
    "virtual",
    "bridge",
  ]);
  // Without the port list, plain `ifconfig -a` (no type: line) cannot tell Wi-Fi from Ethernet.
  const bare = await types("set7_ifconfig_a_mojave_ethernet_wifi_both_active_1.txt");
  assert.deepEqual([bare.en0, bare.en1], ["other", "other"]);
});

Deno.test("interfaceTypeOf reads `type:` without ports (ifconfig -v, Wi-Fi + Ethernet)", async () => {
  const t = await types("ifconfig_v_wifi_ethernet_1.txt");
  assert.deepEqual(t, {
    lo0: "loopback",
    gif0: "virtual",
    stf0: "virtual",
    en0: "wifi", // type: Wi-Fi
    en1: "wired", // type: Ethernet
    en2: "wired",
    p2p0: "virtual", // type: Wi-Fi, but Wi-Fi Direct
    awdl0: "virtual", // type: Wi-Fi, but AWDL
    bridge0: "bridge",
    utun0: "virtual",
    vboxnet0: "virtual", // type: Ethernet, but VirtualBox host-only
    utun1: "virtual",
    fw0: "wired", // type: IP over FireWire
    en3: "wired", // type: Ethernet
  });
});

Deno.test("interfaceTypeOf makes the iPhone USB port cellular (same Mac: en5 MAC 3a:89:2c:52:71:a1)", async () => {
  const text = await readCapture("ifconfig_iphone_usb_hotspot_1.txt");
  // The author masked parts of the IPv6 addresses with "xxxx" (not addresses): drop those lines.
  const [en5] = parseIfconfig(text.split("\n").filter((l) => !l.includes("xxxx")).join("\n"));
  const ports = parseHardwarePorts(
    await readCapture("networksetup_listallhardwareports_iphone_usb_1.txt"),
  );
  const port = ports.find((p) => p.device === "en5");
  assert.equal(port?.mac, en5.mac);
  assert.equal(interfaceTypeOf(en5, port!.port), "cellular");
  // Without the port, nothing in plain ifconfig tells the tether from an Ethernet adapter.
  assert.equal(interfaceTypeOf(en5, null), "other");
});

Deno.test("interfaceTypeOf: each VPN signal of a Network Extension utun (15.3) suffices alone", async () => {
  const [utun4] = parseIfconfig(await readCapture("ifconfig_v_utun_vpn_networkextension_1.txt"));
  assert.equal(interfaceTypeOf(utun4, null), "vpn");
  const linkLocalOnly = utun4.inet6.filter((a) => a.address.startsWith("fe80:"));
  const bare: IfconfigInterface = {
    ...utun4,
    xflags: [],
    agents: [],
    effectiveInterface: null,
    inet: [],
    inet6: linkLocalOnly,
  };
  assert.equal(interfaceTypeOf(bare, null), "virtual");
  assert.equal(interfaceTypeOf({ ...bare, xflags: ["NOAUTONX", "IS_VPN"] }, null), "vpn");
  assert.equal(interfaceTypeOf({ ...bare, agents: utun4.agents }, null), "vpn");
  assert.equal(interfaceTypeOf({ ...bare, effectiveInterface: "en0" }, null), "vpn");
  assert.equal(interfaceTypeOf({ ...bare, inet: utun4.inet }, null), "vpn");
  assert.equal(interfaceTypeOf({ ...bare, inet6: utun4.inet6 }, null), "vpn"); // fd7a:…/48
  // Only the Skywalk agents: not a VPN.
  const skywalk = utun4.agents.filter((a) => a.domain === "Skywalk");
  assert.equal(skywalk.length, 2);
  assert.equal(interfaceTypeOf({ ...bare, agents: skywalk }, null), "virtual");
});

Deno.test("interfaceTypeOf makes an IKEv2 ipsec0 a VPN and lo0 loopback", async () => {
  const [lo0, ipsec0] = parseIfconfig(await readCapture("ifconfig_vpn_ipsec0_partial_1.txt"));
  assert.equal(interfaceTypeOf(lo0, null), "loopback");
  assert.equal(interfaceTypeOf(ipsec0, null), "vpn");
});

Deno.test("interfaceTypeOf on ifconfig -v en0 (recent macOS): type Wi-Fi and a WiFiManager agent", async () => {
  const [en0] = parseIfconfig(
    await readCapture("ifconfig_v_en0_wifi_ipv6_secured_temporary_1.txt"),
  );
  assert.equal(en0.type, "Wi-Fi");
  assert.equal(interfaceTypeOf(en0, null), "wifi");
});

Deno.test("interfaceTypeOf: Cellular type, legacy AirPort port, Bluetooth PAN, T2 MAC, ppp (inline)", () => {
  const links = parseIfconfig(
    "en8: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n\ttype: Cellular\n" +
      "en1: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n" +
      "en3: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n" +
      "en5: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n\tether ac:de:48:00:11:22\n" +
      "ppp0: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1280\n" +
      "vmenet0: flags=8963<UP,BROADCAST,RUNNING> mtu 1500\n" +
      "en9: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n\tfunctional type: wired\n",
  );
  const [en8, en1, en3, en5, ppp0, vmenet0, en9] = links;
  assert.equal(interfaceTypeOf(en8, null), "cellular");
  assert.equal(interfaceTypeOf(en1, "AirPort"), "wifi");
  assert.equal(interfaceTypeOf(en3, "Bluetooth PAN"), "other");
  assert.equal(interfaceTypeOf(en5, null), "virtual");
  assert.equal(interfaceTypeOf(en5, "Ethernet"), "wired"); // a port wins over the MAC
  assert.equal(interfaceTypeOf(ppp0, null), "vpn");
  assert.equal(interfaceTypeOf(vmenet0, null), "virtual");
  assert.equal(interfaceTypeOf(en9, null), "wired");
});
