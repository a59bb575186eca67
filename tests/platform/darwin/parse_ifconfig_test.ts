/** parseIfconfig (platform/darwin/parse_ifconfig.ts) on real captures. */

import assert from "node:assert/strict";
import { type IfconfigInet6, parseIfconfig } from "../../../platform/darwin/parse_ifconfig.ts";
import { readCapture } from "./capture.ts";

async function parsed(name: string) {
  const interfaces = parseIfconfig(await readCapture(name));
  const byName = (ifName: string) => {
    const found = interfaces.find((i) => i.name === ifName);
    assert(found, `${name} has ${ifName}`);
    return found;
  };
  return { interfaces, byName };
}

/** An `inet6` address as parseIfconfig returns it: /64, and no zone, peer, flags or lifetimes unless given. */
function inet6(address: string, more: Partial<IfconfigInet6> = {}): IfconfigInet6 {
  const none = { zone: null, scopeId: null, peer: null, pltime: null, vltime: null };
  return { address, ...none, prefixLength: 64, flags: [], ...more };
}

Deno.test("parseIfconfig reads OS X 10.11.6 SLAAC, temporary and DHCPv6 dynamic addresses", async () => {
  const { interfaces, byName } = await parsed("ifconfig_a_wifi_ipv6_dynamic_1.txt");
  assert.deepEqual(interfaces.map((i) => i.name), [
    "lo0",
    "gif0",
    "stf0",
    "en0",
    "en1",
    "p2p0",
    "bridge0",
  ]);
  const en0 = byName("en0");
  assert.equal(en0.mac, "68:a8:6d:12:f5:75");
  assert.equal(en0.status, "active");
  assert.equal(en0.index, null);
  assert.deepEqual(en0.inet, [
    { address: "192.168.1.81", prefixLength: 24, broadcast: "192.168.1.255", peer: null },
  ]);
  assert.deepEqual(en0.inet6.map((a) => [a.address, a.flags]), [
    ["fe80::6aa8:6dff:fe12:f575", []],
    ["2600:1700:bab0:d40:6aa8:6dff:fe12:f575", ["autoconf"]],
    ["2600:1700:bab0:d40:c0d1:97f7:a613:3ed3", ["autoconf", "temporary"]],
    ["2600:1700:bab0:d40::26", ["dynamic"]],
  ]);
  assert.deepEqual(byName("lo0").inet[0], {
    address: "127.0.0.1",
    prefixLength: 8,
    broadcast: null,
    peer: null,
  });
  assert.deepEqual(byName("stf0").flags, []);
  assert.deepEqual(byName("bridge0").members, ["en1"]);
  const two = await parsed("ifconfig_a_wifi_ipv6_dynamic_2.txt");
  assert.equal(two.byName("en0").inet[0].address, "192.168.1.65");
  assert.equal(two.byName("en0").inet6.length, 4);
});

Deno.test("parseIfconfig reads 10.14.6 secured/deprecated addresses, utun, ap1 and vmnet", async () => {
  const one = await parsed("ifconfig_a_wifi_utun_ipv6_secured_1.txt");
  assert.equal(one.interfaces.length, 20);
  // XHC20 prints its header line only ("flags=0<> mtu 0"): every list empty, every other field null.
  const lists = ["flags", "eflags", "xflags", "agents", "members", "inet", "inet6"];
  const nulls = ["index", "mac", "type", "functionalType", "status", "media", "effectiveInterface"];
  assert.deepEqual(one.byName("XHC20"), {
    name: "XHC20",
    mtu: 0,
    constrained: false,
    ...Object.fromEntries(lists.map((key) => [key, []])),
    ...Object.fromEntries(nulls.map((key) => [key, null])),
  });
  assert.deepEqual(one.byName("utun1").inet6, [
    inet6("fe80::cf42:647e:9077:7bcb", { zone: "utun1", scopeId: 0x11 }),
  ]);
  assert.deepEqual(one.byName("bridge0").members, ["en1", "en2", "en3", "en4"]);
  const { interfaces, byName } = await parsed("ifconfig_a_wifi_utun_ipv6_secured_2.txt");
  assert.equal(interfaces.length, 21);
  const en0 = byName("en0");
  assert.deepEqual(en0.inet6.map((a) => a.flags), [
    ["secured"],
    ["autoconf", "secured"],
    ["deprecated", "autoconf", "temporary"],
    ["deprecated", "autoconf", "temporary"],
    ["autoconf", "temporary"],
    ["dynamic"],
  ]);
  assert.equal(en0.inet6[0].scopeId, 10);
  assert.deepEqual(byName("ap1").flags, ["BROADCAST", "SIMPLEX", "MULTICAST"]);
  assert.equal(byName("ap1").status, "inactive");
  assert.equal(byName("en5").media, "autoselect (100baseTX <full-duplex>)");
  assert.equal(byName("vmnet8").inet[0].address, "192.168.71.1");
});

Deno.test("parseIfconfig reads -L pltime/vltime, deprecated pltime 0 and DHCPv6 (10.15)", async () => {
  const [en0, ...rest] = (await parsed("ifconfig_L_ethernet_ipv6_gua_ula_1.txt")).interfaces;
  assert.equal(rest.length, 0);
  assert.equal(en0.mtu, 9000);
  assert.equal(en0.media, "1000baseT <full-duplex,flow-control,energy-efficient-ethernet>");
  assert.equal(en0.inet6.length, 8);
  assert.deepEqual(
    en0.inet6[0],
    inet6("fe80::85b:d150:cdd9:3198", { zone: "en0", scopeId: 4, flags: ["secured"] }),
  );
  assert.deepEqual(
    en0.inet6[2],
    inet6("2001:db8:450a:e723:808d:d894:e4db:157e", {
      flags: ["deprecated", "autoconf", "temporary"],
      pltime: 0,
      vltime: 86205,
    }),
  );
  assert.deepEqual(en0.inet6.map((a) => [a.pltime, a.vltime]).slice(5), [
    [76882, 86205],
    [76882, 86205],
    [78010, 78010],
  ]);
  assert.deepEqual(en0.inet6[7].flags, ["dynamic"]);
  // The same moment without -L: same addresses and flags, no lifetimes.
  const [plain] = (await parsed("ifconfig_en0_ethernet_ipv6_gua_ula_1.txt")).interfaces;
  assert.deepEqual(
    plain.inet6,
    en0.inet6.map((a) => ({ ...a, pltime: null, vltime: null })),
  );
});

Deno.test("parseIfconfig reads a static IPv6 address without flags or lifetimes", async () => {
  const [en1] = (await parsed("ifconfig_L_en1_static_ipv6_1.txt")).interfaces;
  assert.equal(en1.name, "en1");
  assert.equal(en1.mac, "00:00:00:42:96:eb");
  assert.deepEqual(en1.inet6[1], inet6("2001:db8:450a:e723::100"));
  assert.equal(en1.inet[0].address, "198.51.100.199");
});

Deno.test("parseIfconfig reads -v: index, eflags, type of Wi-Fi and Ethernet both active", async () => {
  const { interfaces, byName } = await parsed("ifconfig_v_wifi_ethernet_1.txt");
  assert.equal(interfaces.length, 14);
  const en0 = byName("en0"), en3 = byName("en3");
  assert.equal(en0.index, 4);
  assert.equal(en0.type, "Wi-Fi");
  assert.deepEqual(en0.eflags, ["ACCEPT_RTADV", "TXSTART", "NOACKPRI", "ECN_ENABLE"]);
  assert.deepEqual(en0.xflags, []);
  assert.equal(en0.inet[0].address, "10.129.14.60");
  assert.equal(en3.index, 8);
  assert.equal(en3.type, "Ethernet");
  assert.equal(en3.media, "autoselect (1000baseT <full-duplex>)");
  assert.deepEqual(en3.inet, [
    { address: "10.129.41.23", prefixLength: 24, broadcast: "10.129.41.255", peer: null },
  ]);
  assert.equal(byName("awdl0").type, "Wi-Fi");
  assert.equal(byName("fw0").type, "IP over FireWire");
  // fw0 has an 8-byte "lladdr", not an "ether" line.
  assert.equal(byName("fw0").mac, null);
  assert.deepEqual(byName("bridge0").members, ["en1", "en2"]);
  assert.equal(byName("vboxnet0").status, null);
});

Deno.test("parseIfconfig reads a Network Extension VPN utun (macOS 15.3): IS_VPN, effective interface", async () => {
  const [utun4] = (await parsed("ifconfig_v_utun_vpn_networkextension_1.txt")).interfaces;
  assert.equal(utun4.index, 25);
  assert.equal(utun4.mtu, 1280);
  assert.deepEqual(utun4.flags, ["UP", "POINTOPOINT", "RUNNING", "MULTICAST"]);
  assert.deepEqual(utun4.xflags, ["NOAUTONX", "IS_VPN"]);
  assert.equal(utun4.effectiveInterface, "en0");
  assert.deepEqual(utun4.agents.map((a) => [a.domain, a.type]), [
    ["Skywalk", "NetIf"],
    ["Skywalk", "FlowSwitch"],
    ["NetworkExtension", "VPN"],
  ]);
  assert.equal(utun4.agents[2].description, "VPN: foobar");
  assert.equal(utun4.type, null);
  assert.equal(utun4.mac, null);
  assert.deepEqual(utun4.inet, [
    { address: "100.87.112.117", prefixLength: 32, broadcast: null, peer: "100.87.112.117" },
  ]);
  assert.deepEqual(utun4.inet6.map((a) => [a.address, a.prefixLength, a.zone]), [
    ["fe80::2e0:4cff:fe3c:b817", 64, "utun4"],
    ["fd7a:115c:a1e0::1901:7075", 48, null],
  ]);
});

Deno.test("parseIfconfig reads a recent -v Wi-Fi block without trailing blanks", async () => {
  const [en0] = (await parsed("ifconfig_v_en0_wifi_ipv6_secured_temporary_1.txt")).interfaces;
  assert.equal(en0.index, 11);
  assert.equal(en0.type, "Wi-Fi");
  assert.equal(en0.status, "active");
  assert.deepEqual(en0.eflags.slice(0, 2), ["ADV_REPORT", "ACCEPT_RTADV"]);
  assert.deepEqual(en0.inet6.map((a) => [a.address, a.flags, a.scopeId]), [
    ["fe80::10d9:bcb0:601f:16fa", ["secured"], 11],
    ["2602:ae:15a4:8001:424:837a:870:6095", ["autoconf", "secured"], null],
    ["2602:ae:15a4:8001:edf7:1b86:b5fc:9085", ["autoconf", "temporary"], null],
  ]);
  assert.deepEqual(en0.inet[0], {
    address: "192.168.0.106",
    prefixLength: 24,
    broadcast: "192.168.0.255",
    peer: null,
  });
});

Deno.test("parseIfconfig reads the iPhone USB hotspot link (172.20.10.9/28)", async () => {
  const text = await readCapture("ifconfig_iphone_usb_hotspot_1.txt");
  // The author masked parts of the IPv6 addresses with "xxxx": as printed they are not addresses.
  assert.throws(
    () => parseIfconfig(text),
    (e: unknown) =>
      e instanceof SyntaxError && /inet6 "fe80::c2b:xxxxb2:920a".*line 4/.test(e.message),
  );
  // Drop the three author-masked inet6 lines (artefact of the source) and read the rest.
  const [en5] = parseIfconfig(text.split("\n").filter((l) => !l.includes("xxxx")).join("\n"));
  assert.equal(en5.name, "en5");
  assert.equal(en5.mac, "3a:89:2c:52:71:a1");
  assert.equal(en5.media, "autoselect <full-duplex>");
  assert.deepEqual(en5.inet, [
    { address: "172.20.10.9", prefixLength: 28, broadcast: "172.20.10.15", peer: null },
  ]);
  assert.deepEqual(en5.inet6, []);
});

Deno.test("parseIfconfig reads an IKEv2 ipsec0 VPN and skips the author's blank lines", async () => {
  const { interfaces, byName } = await parsed("ifconfig_vpn_ipsec0_partial_1.txt");
  assert.deepEqual(interfaces.map((i) => i.name), ["lo0", "ipsec0"]);
  const ipsec0 = byName("ipsec0");
  assert.deepEqual(ipsec0.inet, [
    { address: "10.1.27.2", prefixLength: 16, broadcast: null, peer: "10.1.27.2" },
  ]);
  assert.deepEqual(ipsec0.inet6[1], inet6("fd54:20a4:d33b:b10c:8a6:0:1:1a00"));
  assert.equal(byName("lo0").inet6[1].scopeId, 1);
});

Deno.test("parseIfconfig reads Catalina USB LAN, Internet Sharing bridge100 and a NOARP VPN utun", async () => {
  const { interfaces, byName } = await parsed(
    "set5_ifconfig_a_catalina_usb_lan_internet_sharing_parallels_vpn_1.txt",
  );
  assert.equal(interfaces.length, 26);
  assert.deepEqual(byName("en35").inet[0].address, "192.168.0.205");
  assert.deepEqual(byName("bridge100").members, ["ap1"]);
  assert.deepEqual(byName("bridge100").inet[0].address, "192.168.2.1");
  const utun4 = byName("utun4");
  assert(utun4.flags.includes("NOARP"));
  assert.deepEqual(utun4.inet, [
    { address: "10.75.129.190", prefixLength: 24, broadcast: null, peer: "10.75.129.190" },
  ]);
  assert.deepEqual(utun4.inet6.map((a) => a.prefixLength), [64, 128]);
  // iPhone USB port (networksetup says en37) present but down.
  assert.deepEqual(byName("en37").flags, ["BROADCAST", "SMART", "SIMPLEX", "MULTICAST"]);
  assert.equal(byName("en37").status, "inactive");
  assert.equal(byName("en40").inet[0].prefixLength, 16);
});

Deno.test("parseIfconfig reads macOS 14.4 lines without trailing blanks and 10.14.6 Ethernet + Wi-Fi", async () => {
  const sonoma = await parsed("set6_ifconfig_a_sonoma14_4_wifi_tb_bridge_1.txt");
  assert.equal(sonoma.interfaces.length, 19);
  assert.equal(sonoma.byName("lo0").inet[0].prefixLength, 8);
  assert.equal(sonoma.byName("anpi0").media, "none");
  assert.equal(sonoma.byName("en0").inet[0].address, "192.168.2.46");
  assert.equal(sonoma.byName("en0").mac, "60:00:50:57:00:44");
  const mojave = await parsed("set7_ifconfig_a_mojave_ethernet_wifi_both_active_1.txt");
  assert.deepEqual(mojave.byName("en0").inet[0], {
    address: "10.71.127.11",
    prefixLength: 19,
    broadcast: "10.71.127.255",
    peer: null,
  });
  assert.equal(mojave.byName("en1").inet[0].address, "192.168.1.107");
});

Deno.test("parseIfconfig refuses grep'd inet6 lines without an interface header", async () => {
  const text = await readCapture("ifconfig_grep_inet6_partial_1.txt");
  assert.throws(
    () => parseIfconfig(text),
    (e: unknown) => e instanceof SyntaxError && /before any interface, line 1/.test(e.message),
  );
});

Deno.test("parseIfconfig refuses bad netmasks, missing prefixlen and unknown top-level lines", () => {
  const head = "en0: flags=8863<UP> mtu 1500\n";
  const fails = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseIfconfig(text),
      (e: unknown) => e instanceof SyntaxError && pattern.test(e.message),
    );
  fails(head + "\tinet 198.51.100.1 netmask 0xff00ff00\n", /netmask "0xff00ff00".*line 2/);
  fails(head + "\tinet 198.51.100.1\n", /netmask "".*line 2/);
  const [dotted] = parseIfconfig(head + "\tinet 198.51.100.1 netmask 255.255.254.0\n");
  assert.equal(dotted.inet[0].prefixLength, 23);
  fails(head + "\tinet6 2001:db8::1 autoconf\n", /no prefixlen, line 2/);
  fails(head + "\tinet6 2001:db8::1 prefixlen 64 pltime soon\n", /pltime "soon"/);
  fails("garbage\n", /not an interface header, line 1/);
  const [en0] = parseIfconfig(head + "\tinet6 2001:db8::1 prefixlen 64 infty vltime infty\n");
  assert.deepEqual([en0.inet6[0].pltime, en0.inet6[0].vltime], [null, null]);
});

Deno.test("parseIfconfig reads header words, -v -v types, infty lifetimes and an IPv6 peer (hand-written)", async () => {
  const { interfaces, byName } = await parsed("handwritten_ifconfig_vv_header_lifetimes.txt");
  assert.equal(interfaces.length, 2);
  const en7 = byName("en7");
  assert.deepEqual([en7.mtu, en7.index, en7.constrained], [1500, 7, true]);
  assert(en7.eflags.includes("EXPENSIVE"));
  assert.equal(en7.type, "USB Ethernet");
  assert.equal(en7.functionalType, "wired");
  assert.deepEqual([en7.inet6[1].pltime, en7.inet6[1].vltime], [null, 3600]);
  const utun5 = byName("utun5");
  assert.deepEqual([utun5.mtu, utun5.index, utun5.constrained], [1380, 30, false]);
  assert.equal(utun5.type, null);
  assert.equal(utun5.effectiveInterface, "en7");
  assert.deepEqual(utun5.inet6, [
    inet6("2001:db8:5::1", { prefixLength: 128, peer: "2001:db8:5::2" }),
  ]);
});
