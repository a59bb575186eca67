/** parseNetstatRoutes, defaultRouters, parseRouteGet (platform/darwin/parse_netstat_routes.ts) on real captures. */

import assert from "node:assert/strict";
import {
  defaultRouters,
  parseNetstatRoutes,
  parseRouteGet,
} from "../../../platform/darwin/parse_netstat_routes.ts";
import { readCapture } from "./capture.ts";

/** The source's Rust-comment artefact ("    // " before each line, "    //" for an empty line), stripped. */
const uncomment = (text: string) => text.replace(/^ {4}\/\/ ?/gm, "");

/** The last line of an excerpt the source cut mid-row, dropped. */
const dropCutRow = (text: string) => text.replace(/\n[^\n]*$/, "\n");

Deno.test("netstat -rn, both families: primary, scoped and link defaults, abbreviated IPv4 networks (set1 capture)", async () => {
  const routes = parseNetstatRoutes(
    uncomment(await readCapture("set1_netstat_rn_en0_vmware_bridges_utun_dualstack_1.txt")),
  );
  assert.equal(routes.filter((r) => r.family === "ipv4").length, 30);
  assert.equal(routes.filter((r) => r.family === "ipv6").length, 61);
  assert.deepEqual(routes[0], {
    family: "ipv4",
    destination: "default",
    prefix: "0.0.0.0/0",
    gateway: "192.168.0.1",
    gatewayIp: "192.168.0.1",
    flags: "UGScg",
    netif: "en0",
  });
  assert.deepEqual(routes[1], {
    family: "ipv4",
    destination: "default",
    prefix: "0.0.0.0/0",
    gateway: "link#20",
    gatewayLink: 20,
    flags: "UCSIg",
    netif: "bridge100",
    expire: "expired",
  });
  const byDestination = (d: string) => routes.find((r) => r.destination === d)!;
  assert.equal(byDestination("127").prefix, "127.0.0.0/8");
  assert.equal(byDestination("169.254").prefix, "169.254.0.0/16");
  assert.equal(byDestination("172.16.86/24").prefix, "172.16.86.0/24");
  assert.equal(byDestination("192.168.0").prefix, "192.168.0.0/24");
  assert.equal(byDestination("192.168.0.1/32").prefix, "192.168.0.1/32");
  assert.equal(byDestination("224.0.0/4").prefix, "224.0.0.0/4");
  const router = byDestination("192.168.0.1");
  assert.deepEqual([router.prefix, router.gateway, router.gatewayIp, router.flags, router.expire], [
    "192.168.0.1/32",
    "f8:ce:21:39:5b:f4",
    undefined,
    "UHLWIir",
    1200,
  ]);
  assert.equal(byDestination("192.168.0.102").expire, undefined);
  const v6 = byDestination("fe80::%en0/64");
  assert.deepEqual([v6.family, v6.prefix, v6.zone, v6.gatewayLink], [
    "ipv6",
    "fe80::/64",
    "en0",
    12,
  ]);
  assert.equal(byDestination("2409:8a6c:1767:f351::1001").prefix, "2409:8a6c:1767:f351::1001/128");
});

Deno.test("defaultRouters: one primary router per family, scoped utun defaults, link defaults left out (set1 capture)", async () => {
  const routes = parseNetstatRoutes(
    uncomment(await readCapture("set1_netstat_rn_en0_vmware_bridges_utun_dualstack_1.txt")),
  );
  assert.deepEqual(defaultRouters(routes), [
    { family: "ipv4", netif: "en0", router: "192.168.0.1", scoped: false },
    { family: "ipv6", netif: "en0", router: "fe80::face:21ff:fe39:5bf4%en0", scoped: false },
    { family: "ipv6", netif: "utun0", router: "fe80::%utun0", scoped: true },
    { family: "ipv6", netif: "utun1", router: "fe80::%utun1", scoped: true },
    { family: "ipv6", netif: "utun2", router: "fe80::%utun2", scoped: true },
    { family: "ipv6", netif: "utun3", router: "fe80::%utun3", scoped: true },
  ]);
});

Deno.test("Ethernet and Wi-Fi on one LAN under an IPsec VPN: both routers are scoped, the VPN default has a link# gateway", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_wifi_ethernet_ipsec_1.txt")),
  );
  assert.equal(routes.length, 18);
  assert.deepEqual(routes.slice(0, 4).map((r) => [r.gateway, r.gatewayLink, r.flags, r.netif]), [
    ["link#17", 17, "UCSg", "ipsec0"],
    ["10.100.0.1", undefined, "UGScIg", "en0"],
    ["10.100.0.1", undefined, "UGScIg", "en1"],
    ["link#17", 17, "UHWbIg", "ipsec0"],
  ]);
  assert.deepEqual(defaultRouters(routes), [
    { family: "ipv4", netif: "en0", router: "10.100.0.1", scoped: true },
    { family: "ipv4", netif: "en1", router: "10.100.0.1", scoped: true },
  ]);
  assert.deepEqual(routes.slice(4, 6).map((r) => [r.prefix, r.netif, r.expire]), [
    ["10.100.0.0/24", "en0", "expired"],
    ["10.100.0.0/24", "en1", "expired"],
  ]);
  assert.deepEqual(
    routes.filter((r) => r.destination === "10.100.0.1").map((r) => [r.netif, r.expire]),
    [
      ["en0", 1179],
      ["en1", 740],
    ],
  );
});

Deno.test("iPhone hotspot + WireGuard on macOS 13.4.1: the tunnel's link default first, the hotspot router scoped", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_iphone_hotspot_wireguard_1.txt")),
  );
  assert.equal(routes.length, 16);
  assert.deepEqual(defaultRouters(routes), [{
    family: "ipv4",
    netif: "en0",
    router: "172.20.10.1",
    scoped: true,
  }]);
  assert.deepEqual([routes[0].gatewayLink, routes[0].netif, routes[0].flags], [
    18,
    "utun3",
    "UCSg",
  ]);
  assert.deepEqual([routes[2].prefix, routes[2].expire], ["8.8.8.8/32", 11]);
  assert.equal(routes.find((r) => r.destination === "127")!.prefix, "127.0.0.0/8");
});

Deno.test("netstat -nr -f inet: a 0/1 half default and a link#N default, no router", async () => {
  const routes = parseNetstatRoutes(await readCapture("netstat_rn_inet_utun_link_default_1.txt"));
  assert.deepEqual(routes, [
    {
      family: "ipv4",
      destination: "0/1",
      prefix: "0.0.0.0/1",
      gateway: "utun0",
      flags: "UScg",
      netif: "utun0",
    },
    {
      family: "ipv4",
      destination: "default",
      prefix: "0.0.0.0/0",
      gateway: "link#25",
      gatewayLink: 25,
      flags: "UCSIg",
      netif: "utun0",
    },
  ]);
  assert.deepEqual(defaultRouters(routes), []);
});

Deno.test("netstat -rn -f inet6: GUA and ULA prefixes with route-information routes via the router (2021 capture)", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_inet6_two_prefixes_1.txt")),
  );
  assert.equal(routes.length, 12);
  assert.ok(routes.every((r) => r.family === "ipv6"));
  assert.deepEqual(routes.filter((r) => r.flags === "UGc").map((r) => [r.prefix, r.gatewayIp]), [
    ["240e:3b7:691:e2e0::/60", "fe80::7052:eeff:fe36:81a7%en0"],
    ["fd81:1dbd:fa00::/48", "fe80::7052:eeff:fe36:81a7%en0"],
  ]);
  assert.deepEqual([routes[1].prefix, routes[1].gatewayLink], ["240e:3b7:691:e2e0::/64", 4]);
  assert.equal(routes[3].prefix, "240e:3b7:691:e2e0::55c/128");
  assert.deepEqual(defaultRouters(routes), []);
});

Deno.test("two IPv6 defaults to one router, en0 primary and en1 scoped; user-redacted rows keep no prefix", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_inet6_wifi_ethernet_dual_1.txt")),
  );
  assert.equal(routes.length, 14);
  assert.deepEqual(defaultRouters(routes), [
    { family: "ipv6", netif: "en0", router: "fe80::7052:eeff:fe36:81a7%en0", scoped: false },
    { family: "ipv6", netif: "en1", router: "fe80::7052:eeff:fe36:81a7%en1", scoped: true },
  ]);
  assert.deepEqual([routes[3].destination, routes[3].prefix, routes[3].netif], [
    "240exxxx::/64",
    undefined,
    "en1",
  ]);
});

Deno.test("netstat -rn -f inet6 with four scoped utun defaults and a ULA on utun5", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_inet6_utun_defaults_1.txt")),
  );
  assert.equal(routes.length, 11);
  assert.deepEqual(defaultRouters(routes).map((d) => [d.netif, d.scoped]), [
    ["utun0", true],
    ["utun1", true],
    ["utun2", true],
    ["utun3", true],
  ]);
  assert.deepEqual([routes[5].prefix, routes[5].netif, routes[5].flags], [
    "fd6f:74a0:9a49::/64",
    "utun5",
    "Uc",
  ]);
});

Deno.test("rows of an excerpt without headers take their family from the destination (WireGuard ::/1)", async () => {
  const routes = parseNetstatRoutes(
    dropCutRow(await readCapture("netstat_rn_inet6_vpn_halfdefault_1.txt")),
  );
  assert.equal(routes.length, 11);
  assert.deepEqual(routes[0], {
    family: "ipv6",
    destination: "::/1",
    prefix: "::/1",
    gateway: "link#18",
    gatewayLink: 18,
    flags: "UCSg",
    netif: "utun4",
  });
  assert.deepEqual(routes.map((r) => r.expire).slice(0, 7), [
    undefined,
    3600,
    3208,
    3260,
    3343,
    3079,
    undefined,
  ]);
});

Deno.test("parseNetstatRoutes rejects a row without Netif, a bad Expire, and -l columns", () => {
  assert.throws(() => parseNetstatRoutes("Internet:\nfe80::1%lo0 link#1 UHLI\n"), {
    name: "SyntaxError",
    message: "Cannot parse netstat -rn output: a route needs 4 columns, got 3, line 2",
  });
  assert.throws(() => parseNetstatRoutes("default 198.51.100.1 UGSc en0 soon\n"), {
    message: /bad Expire "soon", line 1/,
  });
  assert.throws(
    () =>
      parseNetstatRoutes("Internet:\nDestination Gateway RT_IFA Flags Refs Use Mtu Netif Expire\n"),
    { message: /-l columns are not supported, line 2/ },
  );
});

Deno.test("route -n get default on Wi-Fi (2023 capture)", async () => {
  // The source's author marker "       XXX" after the gateway, stripped.
  const text = (await readCapture("route_get_default_wifi_1.txt")).replace(/\s+XXX$/m, "");
  assert.deepEqual(parseRouteGet(text), {
    routeTo: "default",
    destination: "default",
    mask: "default",
    prefixLength: 0,
    gateway: "10.33.51.254",
    interface: "en0",
    flags: ["UP", "GATEWAY", "DONE", "STATIC", "PRCLONING", "GLOBAL"],
    mtu: 1500,
    expire: 0,
  });
});

Deno.test("route get under a half-default VPN: 1 goes to utun3 /1, default stays on en0 (2023 captures)", async () => {
  const vpn = parseRouteGet(await readCapture("route_get_vpn_halfdefault_1.txt"));
  assert.deepEqual([
    vpn.routeTo,
    vpn.destination,
    vpn.mask,
    vpn.prefixLength,
    vpn.gateway,
    vpn.interface,
  ], [
    "0.0.0.1",
    "default",
    "128.0.0.0",
    1,
    "192.168.12.1",
    "utun3",
  ]);
  const def = parseRouteGet(await readCapture("route_get_default_vpn_on_2.txt"));
  assert.deepEqual([def.gateway, def.interface, def.prefixLength], ["10.62.96.1", "en0", 0]);
});

Deno.test("route -n get of an on-link destination has no gateway and a negative expire (set1 captures)", async () => {
  const onlink = parseRouteGet(
    uncomment(await readCapture("set1_route_n_get_bridge101_onlink_1.txt")),
  );
  assert.deepEqual(onlink, {
    routeTo: "192.168.5.3",
    destination: "192.168.5.0",
    mask: "255.255.255.0",
    prefixLength: 24,
    interface: "bridge101",
    flags: ["UP", "DONE", "CLONING"],
    mtu: 1500,
    expire: -9968,
  });
  const def = parseRouteGet(uncomment(await readCapture("set1_route_n_get_default_en0_1.txt")));
  assert.deepEqual([def.routeTo, def.gateway, def.interface], ["1.1.1.1", "192.168.0.1", "en0"]);
});

Deno.test("parseRouteGet rejects output without a route", () => {
  assert.throws(() => parseRouteGet("route: writing to routing socket: not in table\n"), {
    name: "SyntaxError",
    message: 'Cannot parse route get output: no "route to" line, line 1',
  });
});
