/**
 * parseRouteMonitor (platform/darwin/parse_route_monitor.ts) and the re-read
 * decisions (route_message_kind.ts, route_change.ts) on real captures.
 */

import assert from "node:assert/strict";
import {
  isRelevant,
  parseRouteMonitor,
  RouteMonitorParser,
} from "../../../platform/darwin/parse_route_monitor.ts";
import { readScope } from "../../../platform/darwin/route_change.ts";
import { classifyRouteMessage } from "../../../platform/darwin/route_message_kind.ts";
import { readCapture } from "./capture.ts";

Deno.test("parseRouteMonitor reads five IPv6 route deletions, incl. a raw '(255) ffff…' netmask (2024 capture)", async () => {
  const messages = parseRouteMonitor(
    await readCapture("route_monitor_vpn_ipsec0_flush_inet6_1.txt"),
  );
  assert.equal(messages.length, 5);
  assert.ok(messages.every((m) => m.type === "RTM_DELETE" && m.pid === 4334));
  assert.deepEqual(messages[0], {
    type: "RTM_DELETE",
    size: 200,
    time: "Fri Apr  5 19:21:22 2024",
    len: 200,
    pid: 4334,
    seq: 0,
    errno: 0,
    ifName: "ipsec0",
    flags: ["GATEWAY", "DONE", "PRCLONING", "CONDEMNED", "GLOBAL"],
    addresses: {
      destination: "::",
      gateway: "fd54:20a4:d33b:b10c::",
      netmask: "default",
      ifp: "ipsec0",
      ifa: "fe80::aede:48ff:fe00:1122%ipsec0",
    },
  });
  assert.deepEqual([messages[1].ifIndex, messages[1].ifName], [13, "utun0"]);
  assert.equal(messages[1].addresses.netmask, "(255) ffff ffff ffff 0 0 0 0 0 0 0 0 0 0");
  assert.equal(messages[1].addresses.ifp, "utun0");
  assert.equal(messages[1].addresses.ifa, "fe80::d4fa:100c:1905:b9d8%utun0");
  assert.deepEqual(messages.slice(2, 4).map((m) => [m.ifIndex, m.ifName]), [[14, "utun1"], [
    15,
    "utun2",
  ]]);
  assert.deepEqual(messages[4].addresses, {
    destination: "2001:4860:4860::8888",
    gateway: "fd54:20a4:d33b:b10c::",
    ifa: "fe80::aede:48ff:fe00:1122%ipsec0",
  });
  assert.deepEqual([messages[4].errno, messages[4].ifIndex, messages[4].ifName], [
    3,
    16,
    undefined,
  ]);
});

Deno.test("a flush batch re-reads the tables of the interfaces whose routes went; the cloned host route counts for nothing", async () => {
  const messages = parseRouteMonitor(
    await readCapture("route_monitor_vpn_ipsec0_flush_inet6_1.txt"),
  );
  assert.deepEqual(messages.map(classifyRouteMessage), [
    "route",
    "route",
    "route",
    "route",
    "clone",
  ]);
  assert.equal(isRelevant(messages[4]), false);
  assert.equal(readScope(messages), "tables");
  const again = parseRouteMonitor(await readCapture("route_monitor_vpn_ipsec0_flush_inet6_2.txt"));
  assert.deepEqual(again.map((m) => [m.seq, m.size]), [[0, 200], [1, 176]]);
  assert.equal(readScope(again.slice(1)), "none");
});

Deno.test("a first message without its 'got message' line, indented, is read; its LOCAL route joins its interface (2024 capture)", async () => {
  const messages = parseRouteMonitor(
    await readCapture("route_monitor_vpn_ipsec0_newaddr_partial_1.txt"),
  );
  assert.deepEqual(messages, [
    {
      type: "RTM_NEWADDR",
      len: 96,
      metric: 0,
      ifName: "ipsec0",
      flags: ["CLONING"],
      addresses: {
        netmask: "ffff:ffff:ffff:ffff::",
        ifp: "ipsec0",
        ifa: "fd54:20a4:d33b:b10c:8a6:0:1:1a00",
        brd: "default",
      },
    },
    {
      type: "RTM_ADD",
      size: 140,
      time: "Fri Apr  5 19:12:30 2024",
      len: 140,
      pid: 0,
      seq: 0,
      errno: 0,
      flags: ["UP", "HOST", "LLINFO", "LOCAL"],
      // The empty GATEWAY (AF_LINK with neither name nor address) is the line's trailing blank.
      addresses: { destination: "fd54:20a4:d33b:b10c:8a6:0:1:1a00", gateway: "" },
    },
  ]);
  assert.deepEqual(messages.map(classifyRouteMessage), ["address", "route"]);
  assert.equal(readScope(messages), "tables");
});

Deno.test("a values line whose trailing blank was stripped still gives the empty last sockaddr", async () => {
  const text = (await readCapture("route_monitor_vpn_ipsec0_newaddr_partial_1.txt")).replace(
    /[ \t]+$/gm,
    "",
  );
  const messages = parseRouteMonitor(text);
  assert.deepEqual(messages[1].addresses, {
    destination: "fd54:20a4:d33b:b10c:8a6:0:1:1a00",
    gateway: "",
  });
});

Deno.test("route -v monitor: two defaults deleted and re-added, one scoped, with empty IFP (2020 capture)", async () => {
  const messages = parseRouteMonitor(
    await readCapture("route_v_monitor_iphone_hotspot_service_order_1.txt"),
  );
  assert.deepEqual(messages.map((m) => [m.type, m.seq, m.ifIndex, m.ifName]), [
    ["RTM_DELETE", 262, undefined, "en5"],
    ["RTM_DELETE", 263, 6, "en1"],
    ["RTM_ADD", 270, undefined, undefined],
    ["RTM_ADD", 271, 5, undefined],
  ]);
  assert.equal(messages[0].addresses.ifp, "en5:40.a5.ef.41.9f.fb");
  assert.equal(messages[0].addresses.gateway, "172.20.10.1");
  assert.deepEqual(messages[2].addresses, {
    destination: "default",
    gateway: "11.136.160.254",
    netmask: "default",
    ifp: "",
    ifa: "11.136.160.44",
  });
  assert.deepEqual(messages[3].flags, ["UP", "GATEWAY", "DONE", "STATIC", "IFSCOPE"]);
  assert.equal(readScope(messages), "tables");
});

Deno.test("RouteMonitorParser returns a message as soon as its values line arrives", async () => {
  const lines = (await readCapture("route_v_monitor_iphone_hotspot_service_order_1.txt")).split(
    "\n",
  );
  const parser = new RouteMonitorParser();
  const counts = lines.map((line) => parser.push(line).length);
  assert.deepEqual(counts.slice(0, 6), [0, 0, 0, 0, 1, 0]);
  assert.equal(counts.reduce((a, b) => a + b), 4);
  assert.deepEqual(parser.end(), []);
});

Deno.test("hand-written network_cmds-705 form: index: N sockaddrs, RTM_IFINFO, RTM_DELADDR/NEWADDR on en0", async () => {
  const messages = parseRouteMonitor(
    await readCapture("handwritten_route_monitor_en0_down_up.txt"),
  );
  assert.deepEqual(messages.map((m) => [m.type, m.ifIndex, m.ifName]), [
    ["RTM_DELADDR", 4, "en0"],
    ["RTM_IFINFO", 4, undefined],
    ["RTM_IFINFO", 4, undefined],
    ["RTM_NEWADDR", 4, "en0"],
    ["RTM_ADD", 4, "en0"],
  ]);
  assert.deepEqual(messages[0].addresses, {
    netmask: "255.255.255.0",
    ifp: "index: 4 en0:a4.83.e7.1.2.3",
    ifa: "198.51.100.7",
    brd: "198.51.100.255",
  });
  assert.deepEqual(messages[1].flags, ["BROADCAST", "b6", "RUNNING", "SIMPLEX", "MULTICAST"]);
  assert.deepEqual(messages[1].addresses, {});
  assert.equal(messages[4].addresses.ifa, "198.51.100.7");
  assert.deepEqual(messages.map(classifyRouteMessage), [
    "address",
    "link",
    "link",
    "address",
    "route",
  ]);
  assert.equal(readScope(messages), "full");
  assert.equal(readScope([messages[0], messages[3], messages[4]]), "tables");
});

Deno.test("-vv filter lines are skipped; a message of unknown version or type reads everything", () => {
  const messages = parseRouteMonitor(
    `# filtering flags 0x00000000 no_flags 0x00000000 ifindex 0 ifname ""

got message of size 92 on Tue Dec  1 05:00:00 2026
routing message version 9 not understood

got message of size 92 on Tue Dec  1 05:00:01 2026
(null): len 92, pid: 0, seq 0, errno 0, flags:<UP>
locks:  inits: 
`,
  );
  assert.deepEqual(messages.map((m) => [m.type, m.size]), [["(version 9)", 92], ["(null)", 92]]);
  assert.deepEqual(messages.map(classifyRouteMessage), ["unknown", "unknown"]);
  assert.equal(readScope(messages), "full");
  assert.equal(readScope([]), "full");
});

Deno.test("parseRouteMonitor rejects text that is not route monitor output, and more values than sockaddrs", () => {
  assert.throws(() => parseRouteMonitor("hello\n"), {
    name: "SyntaxError",
    message: 'Cannot parse route monitor output: unexpected "hello", line 1',
  });
  assert.throws(
    () =>
      parseRouteMonitor(`RTM_ADD: Add Route: len 140, pid: 0, seq 0, errno 0, flags:<UP>
locks:  inits: 
sockaddrs: <DST,GATEWAY>
 198.51.100.7 198.51.100.1 203.0.113.9
`),
    { name: "SyntaxError", message: /more values than sockaddrs <DST,GATEWAY>, line 4/ },
  );
});
