import assert from "node:assert/strict";
import { readCapture } from "./capture.ts";
import { buildDarwinSnapshot } from "../../../platform/darwin/build_snapshot.ts";
import { parseIfconfig } from "../../../platform/darwin/parse_ifconfig.ts";
import { parseHardwarePorts } from "../../../platform/darwin/parse_hardware_ports.ts";
import { parseIpconfigPacket } from "../../../platform/darwin/parse_ipconfig_packet.ts";
import { parseIpconfigSummary } from "../../../platform/darwin/parse_ipconfig_summary.ts";
import { snapshotProblem } from "../../../broker/snapshot_check.ts";
import type { Snapshot } from "../../../protocol/model.ts";

// set3's author put "XXX" highlight markers inside the pasted lines: stripped here.
const unmark = (text: string) => text.replace(/[ \t]+XXX(?=[ \t]|$)/gm, "");

/** The broker's own check of a platform's snapshot finds nothing wrong. */
function assertSound(snapshot: Snapshot): void {
  assert.equal(snapshotProblem(snapshot), undefined);
}

Deno.test("a Mojave Mac with Ethernet and Wi-Fi both up (set7) has a wired and a Wi-Fi interface, each with its IPv4 PD and no IPv6 PD", async () => {
  const snapshot = buildDarwinSnapshot({
    now: Date.parse("2026-12-01T00:00:00Z"),
    interfaces: parseIfconfig(
      await readCapture("set7_ifconfig_a_mojave_ethernet_wifi_both_active_1.txt"),
    ),
    ports: parseHardwarePorts(
      await readCapture("set7_networksetup_listallhardwareports_mojave_ethernet_wifi_1.txt"),
    ),
    routes: [],
  });
  const by = new Map(snapshot.interfaces.map((i) => [i.interfaceId, i]));
  const en0 = by.get("en0")!, en1 = by.get("en1")!;
  assert.deepEqual([en0.displayName, en0.interfaceType, en0.operState], [
    "Ethernet",
    "wired",
    "up",
  ]);
  assert.deepEqual([en1.displayName, en1.interfaceType, en1.operState], ["Wi-Fi", "wifi", "up"]);
  assert.deepEqual(en0.pds.map((p) => [p.pdId, p.addresses.map((a) => a.address)]), [
    ["en0/ipv4", ["10.71.127.11"]],
  ]);
  assert.deepEqual(en1.pds.map((p) => [p.pdId, p.addresses.map((a) => a.address)]), [
    ["en1/ipv4", ["192.168.1.107"]],
  ]);
  // Peer-to-peer links and the Thunderbolt bridge's members are not interfaces of the snapshot.
  for (const hidden of ["awdl0", "p2p0", "en2", "en3"]) assert.equal(by.has(hidden), false, hidden);
  // Links that are down are shown without PDs.
  assert.deepEqual(by.get("XHC0")?.pds, []);
  assertSound(snapshot);
});

Deno.test("a campus Wi-Fi lease (set3: ifconfig and ipconfig getpacket of one Mac) makes en0/ipv4's dhcpv4 element", async () => {
  const snapshot = buildDarwinSnapshot({
    now: Date.parse("2026-12-01T00:00:00Z"),
    interfaces: parseIfconfig(unmark(await readCapture("set3_ifconfig_en0_wifi_campus_1.txt"))),
    routes: [],
    ipconfig: new Map([["en0", {
      packet: parseIpconfigPacket(
        unmark(await readCapture("set3_ipconfig_getpacket_en0_campus_ack_1.txt")),
      ),
    }]]),
  });
  const [en0] = snapshot.interfaces;
  assert.deepEqual(en0.pds.map((p) => p.pdId), ["en0/ipv4"]);
  const dhcp = en0.pds[0].elements.find((e) => e.element === "dhcpv4")!;
  assert.deepEqual(dhcp.data["dns-servers"], ["10.33.10.2", "8.8.8.8"]);
  assert.deepEqual(dhcp.data.routers, ["10.33.51.254"]);
  assert.equal(dhcp.data["lease-time"], 86400);
  assertSound(snapshot);
});

Deno.test("a lease's start time from ipconfig getsummary (macOS 26.6.2) gives its address a lifetime and its element expires-at and rebind-at", async () => {
  const summary = parseIpconfigSummary(
    await readCapture("ipconfig_getsummary_wifi_dhcp_packet_macos26_1.txt"),
  )!;
  // No ifconfig of that Mac was published: this one line is written here for its address.
  const ifconfig = "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n" +
    "\tinet 192.168.1.135 netmask 0xffffff00 broadcast 192.168.1.255\n";
  // configd prints the Mac's local time (LeaseStartTime : 09/16/2026 23:54:04).
  const start = new Date(2026, 8, 16, 23, 54, 4).getTime();
  const snapshot = buildDarwinSnapshot({
    now: start + 3_600_000,
    interfaces: parseIfconfig(ifconfig),
    routes: [],
    ipconfig: new Map([["en0", { summary }]]),
  });
  const [pd] = snapshot.interfaces[0].pds;
  assert.deepEqual(pd.addresses, [{
    address: "192.168.1.135",
    prefixLength: 24,
    validUntil: start + 0x15180 * 1000,
    preferredUntil: start + 0x15180 * 1000,
  }]);
  const dhcp = pd.elements.find((e) => e.element === "dhcpv4")!;
  assert.equal(dhcp.data["expires-at"], new Date(start + 86_400_000).toISOString());
  assert.equal(dhcp.data["rebind-at"], new Date(start + 0x12750 * 1000).toISOString());
  assertSound(snapshot);
  // A day later the lease has ended: the address is no lease's, nor static: it is in no PD.
  const later = buildDarwinSnapshot({
    now: start + 90_000_000,
    interfaces: parseIfconfig(ifconfig),
    routes: [],
    ipconfig: new Map([["en0", { summary }]]),
  });
  assert.deepEqual(later.interfaces[0].pds, []);
  assert.deepEqual(later.interfaces[0].unattributed, [{
    address: "192.168.1.135",
    prefixLength: 24,
    validUntil: start + 86_400_000,
    preferredUntil: start + 86_400_000,
  }]);
  assertSound(later);
});

Deno.test("a link the kernel marks EXPENSIVE or constrained (Low Data Mode) is metered; one without either says nothing", async () => {
  // The hand-written `ifconfig -v -v` fixture (no capture shows these flags): en7 has both.
  const interfaces = parseIfconfig(
    await readCapture("handwritten_ifconfig_vv_header_lifetimes.txt"),
  );
  const by = new Map(
    buildDarwinSnapshot({ now: 0, interfaces, routes: [] }).interfaces.map((
      i,
    ) => [i.interfaceId, i]),
  );
  assert.equal(by.get("en7")?.metered, true);
  // Each flag alone.
  const en7 = interfaces.find((i) => i.name === "en7")!;
  for (
    const variant of [
      { ...en7, constrained: false, xflags: [] },
      { ...en7, constrained: false, eflags: [], xflags: ["CONSTRAINED"] },
      { ...en7, eflags: [] },
    ]
  ) {
    const [nic] = buildDarwinSnapshot({ now: 0, interfaces: [variant], routes: [] }).interfaces;
    assert.equal(nic.metered, true);
  }
  const plain = { ...en7, constrained: false, eflags: [], xflags: [] };
  const [nic] = buildDarwinSnapshot({ now: 0, interfaces: [plain], routes: [] }).interfaces;
  assert.equal(nic.metered, undefined);
});
