/**
 * When soliciting a link can stop (platform/linux/advert_answers.ts), over
 * real rdisc6 output read as it grows, line by line, as the platform reads
 * it from `stdbuf -oL rdisc6`: the captures of tests/testdata/testbed_ipv6
 * (stub0: the stub router D2 answered first, then the default router D1;
 * see its README) and tests/testdata/testbed (netc: C1 then C2).
 */

import assert from "node:assert/strict";
import {
  answersComplete,
  completeAdverts,
  explainsRaParts,
} from "../../../platform/linux/advert_answers.ts";
import { raLinkKeys } from "../../../platform/linux/ipv6_pds.ts";
import { parseAddresses } from "../../../platform/linux/parse_addresses.ts";
import { parseNeighbours } from "../../../platform/linux/parse_neighbours.ts";
import { parseRdisc6 } from "../../../platform/linux/parse_rdisc6.ts";
import { parseRoutes } from "../../../platform/linux/parse_routes.ts";

const data = (dir: string, name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/${dir}/${name}`, import.meta.url));
const STUB0 = data("testbed_ipv6", "rdisc6_stub0.txt");
const NETC = data("testbed", "rdisc6_netc.txt");

/** The captured stub0's RA parts, from its captured routes and addresses. */
function stub0Parts(): string[] {
  const keys = raLinkKeys({
    routes: parseRoutes(data("testbed_ipv6", "ip_route6.json"), "ipv6"),
    addresses: parseAddresses(data("testbed_ipv6", "ip_addr.json")),
  });
  return keys.get("stub0")!;
}

/** The netd parts of the test bed's neighbour capture (its D1 and D2 are stub0's R1 and R2). */
function netdRouterParts(): string[] {
  return raLinkKeys({
    routes: [],
    addresses: [],
    neighbours: parseNeighbours(data("testbed_ipv6", "ip_neigh.json")),
  }).get("netd")!;
}

/** The number of lines of the output read when the answers first explain the parts, or -1. */
function stopLine(text: string, parts: readonly string[]): number {
  const lines = text.split(/(?<=\n)/);
  for (let n = 1; n <= lines.length; n++) {
    if (answersComplete(parts, completeAdverts(lines.slice(0, n).join("")))) return n;
  }
  return -1;
}

/** The line count just after a " from <router>" line. */
function afterFrom(text: string, router: string): number {
  return text.split("\n").findIndex((l) => l.trim() === `from ${router}`) + 1;
}

Deno.test("soliciting stub0 stops once both routers answered, not at the stub router's answer", () => {
  const parts = [...stub0Parts(), ...netdRouterParts()].sort();
  assert.deepEqual(parts, [
    "default fe80::d1",
    "prefix 2001:db8:d1::/64",
    "prefix 2001:db8:d2::/64",
    "router fe80::d1",
    "router fe80::d2",
  ]);
  assert.equal(stopLine(STUB0, parts), afterFrom(STUB0, "fe80::d1"));
  assert.ok(afterFrom(STUB0, "fe80::d2") < afterFrom(STUB0, "fe80::d1"));
  assert.equal(explainsRaParts(parts, parseRdisc6(STUB0)), true);
});

Deno.test("a stub router the kernel shows only by its prefix is still waited for", () => {
  // D1 alone explains its default route and prefix; D2's prefix needs D2's answer.
  const parts = ["default fe80::d1", "prefix 2001:db8:d1::/64", "prefix 2001:db8:d2::/64"];
  const firstOnly = STUB0.slice(0, STUB0.indexOf(" from fe80::d2\n") + " from fe80::d2\n".length);
  assert.equal(answersComplete(parts, completeAdverts(firstOnly)), false);
  assert.equal(stopLine(STUB0, parts), afterFrom(STUB0, "fe80::d1"));
});

Deno.test("soliciting netc stops at the second of two default routers' answers", () => {
  const parts = [
    "default fe80::c1",
    "default fe80::c2",
    "prefix 2001:db8:c1::/64",
    "prefix 2001:db8:c2::/64",
    "router fe80::c1",
    "router fe80::c2",
  ];
  assert.equal(stopLine(NETC, parts), afterFrom(NETC, "fe80::c2"));
});

Deno.test("a default router that did not answer keeps rdisc6 waiting and asks again", () => {
  const parts = ["default fe80::d1", "default fe80::d3", "prefix 2001:db8:d1::/64"];
  assert.equal(stopLine(STUB0, parts), -1);
  assert.equal(explainsRaParts(parts, parseRdisc6(STUB0)), false);
});

Deno.test("a router neighbour known by its global address is not waited for, nor alone a reason to stop", () => {
  const global = "router 2001:db8:d1::1";
  assert.equal(stopLine(STUB0, ["default fe80::d1", global]), afterFrom(STUB0, "fe80::d1"));
  assert.equal(stopLine(STUB0, [global]), -1);
});

Deno.test("completeAdverts leaves out a block cut in the middle of a line", () => {
  const cut = STUB0.slice(0, STUB0.lastIndexOf("2001:db8:d1::/64") + "2001:db8:d".length);
  assert.throws(() => parseRdisc6(cut), SyntaxError);
  assert.deepEqual(completeAdverts(cut).map((a) => a.router), ["fe80::d2"]);
  assert.deepEqual(completeAdverts(STUB0.slice(0, STUB0.length - 1)).map((a) => a.router), [
    "fe80::d2",
  ]);
  assert.deepEqual(completeAdverts("Soliciting ff02::2 (ff02::2) on stub0...\n\n"), []);
});
