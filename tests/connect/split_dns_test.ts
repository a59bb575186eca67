/** Split DNS's routing rule (connect/split_dns.ts): pure functions. */

import assert from "node:assert/strict";
import {
  checkLeak,
  needsRouting,
  notAskedDetail,
  routeName,
  splitPds,
} from "../../connect/split_dns.ts";

const PDS = [
  { pdId: "eth0/ipv4", domains: ["isp1.test"] },
  { pdId: "eth0/ipv6", domains: ["isp1.test"] },
  { pdId: "tun0/ipv4", domains: ["corp.isp1.test", "corp.test"] },
  { pdId: "wlan0/ipv4", domains: ["isp2.test"] },
];

Deno.test("a name equal to or under a domain goes to the PDs with the longest matching domain", () => {
  const isp1 = { kind: "routed", domain: "isp1.test", pdIds: ["eth0/ipv4", "eth0/ipv6"] };
  assert.deepEqual(routeName("printer.isp1.test", PDS), { ...isp1, name: "printer.isp1.test" });
  assert.deepEqual(routeName("ISP1.TEST.", PDS), { ...isp1, name: "isp1.test" });
  assert.deepEqual(routeName("wiki.corp.isp1.test", PDS), {
    kind: "routed",
    name: "wiki.corp.isp1.test",
    domain: "corp.isp1.test",
    pdIds: ["tun0/ipv4"],
  });
  assert.deepEqual(routeName("a.corp.test", PDS).kind, "routed");
});

Deno.test("a name under no domain, a label match that is no suffix, literals and .local go everywhere", () => {
  assert.deepEqual(routeName("www.example", PDS), { kind: "everywhere", why: "no-domain" });
  assert.deepEqual(routeName("notisp1.test", PDS), { kind: "everywhere", why: "no-domain" });
  assert.deepEqual(routeName("printer", PDS), { kind: "everywhere", why: "no-domain" });
  assert.deepEqual(routeName("198.51.100.20", PDS), { kind: "everywhere", why: "not-a-name" });
  assert.deepEqual(routeName("a..b", PDS), { kind: "everywhere", why: "not-a-name" });
  const local = [{ pdId: "eth0/ipv4", domains: ["local"] }];
  assert.deepEqual(routeName("lamp.local", local), { kind: "everywhere", why: "link-local" });
  assert.equal(needsRouting("lamp.LOCAL."), false);
  assert.equal(needsRouting("::1"), false);
  assert.equal(needsRouting("printer.isp1.test"), true);
});

Deno.test("an IDN name routes under its ASCII domain", () => {
  const route = routeName("Laden.Bücher.test", [{
    pdId: "eth0/ipv4",
    domains: ["xn--bcher-kva.test"],
  }]);
  assert.equal(route.kind, "routed");
  assert.equal(route.kind === "routed" && route.name, "laden.xn--bcher-kva.test");
});

Deno.test("splitPds holds back the PDs not routed to; notAskedDetail says why; checkLeak", () => {
  const route = routeName("printer.isp1.test", PDS);
  assert.equal(route.kind, "routed");
  if (route.kind !== "routed") return;
  assert.deepEqual(splitPds(route, ["wlan0/ipv4", "eth0/ipv4", "tun0/ipv4"]), {
    asked: ["eth0/ipv4"],
    held: ["wlan0/ipv4", "tun0/ipv4"],
  });
  assert.equal(
    notAskedDetail(route),
    "printer.isp1.test is under isp1.test of eth0/ipv4, eth0/ipv6",
  );
  assert.equal(checkLeak("fallback"), "fallback");
  assert.equal(checkLeak(undefined), "never");
  assert.throws(() => checkLeak(true), TypeError);
});
