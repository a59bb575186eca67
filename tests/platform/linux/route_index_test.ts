import assert from "node:assert/strict";
import { staticData } from "../../../platform/linux/ipv4_pd.ts";
import { ipv6Pds } from "../../../platform/linux/ipv6_pds.ts";
import { canonicalIpCached } from "../../../platform/linux/parse_routes.ts";
import { canonicalIp } from "../../../ip/ip.ts";
import type { RouteRecord } from "../../../platform/linux/parse_routes.ts";

const link = (name: string, index: number) => ({
  index,
  name,
  mtu: 1500,
  operState: "up",
  flags: ["UP", "LOWER_UP"],
  linkType: "ether",
});
const route = (device: string, gateway: string, family: "ipv4" | "ipv6"): RouteRecord => ({
  family,
  destination: family === "ipv4" ? "0.0.0.0/0" : "::/0",
  gateway,
  device,
  protocol: family === "ipv4" ? "static" : "ra",
  table: "main",
  type: "unicast",
  expires: null,
});

Deno.test("staticData of many links gives each link its own routes only", () => {
  const routes = Array.from(
    { length: 300 },
    (_, i) => route(`d${i}`, `198.18.${i >> 8}.${i & 255}`, "ipv4"),
  );
  for (const i of [0, 150, 299]) {
    assert.deepEqual(staticData(link(`d${i}`, i + 2), routes, "ipv4").routers, [
      `198.18.${i >> 8}.${i & 255}`,
    ]);
  }
  assert.deepEqual(staticData(link("none", 999), routes, "ipv4"), { routers: [], mtu: 1500 });
});

Deno.test("staticData and ipv6Pds see a route added to a list they were already asked about", () => {
  const routes = [route("eth0", "198.51.100.1", "ipv4")];
  assert.deepEqual(staticData(link("eth0", 2), routes, "ipv4").routers, ["198.51.100.1"]);
  routes.push(route("eth0", "198.51.100.2", "ipv4"));
  assert.deepEqual(staticData(link("eth0", 2), routes, "ipv4").routers, [
    "198.51.100.1",
    "198.51.100.2",
  ]);
  const state = {
    now: 0,
    routes,
    adverts: new Map(),
    sources: { dhcp4: [], dhcp6: [], resolvers: [] },
  };
  assert.deepEqual(ipv6Pds(link("eth0", 2), [], state).pds, []);
  routes.push(route("eth0", "fe80::1", "ipv6"));
  assert.deepEqual(ipv6Pds(link("eth0", 2), [], state).pds.map((p) => p.pdId), [
    "eth0/ipv6/fe80::1",
  ]);
});

Deno.test("canonicalIpCached answers as canonicalIp, the first time and again", () => {
  const spellings = [
    "2001:DB8:0:0:0:0:0:1",
    "::ffff:198.51.100.7",
    "198.51.100.07",
    "fe80::1%eth0",
    "x",
  ];
  for (let round = 0; round < 2; round++) {
    for (const s of spellings) assert.equal(canonicalIpCached(s), canonicalIp(s), s);
  }
});
