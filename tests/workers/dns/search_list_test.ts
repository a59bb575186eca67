/**
 * The PD's search list: the candidate order (pure), then translations that
 * walk it against a real DNS server on loopback, and the `name` field in a
 * Mif's name-translation messages.
 */

import assert from "node:assert/strict";
import { searchCandidates } from "../../../workers/dns/search_list.ts";
import { TestDnsServer } from "../../fixtures/dns_server.ts";
import { pd, test, translate } from "../../fixtures/dns_targets.ts";
import { address, element, next, nic, openManual } from "../../fixtures/helpers.ts";
import { pd as pdInfo } from "../../fixtures/helpers.ts";
import type { ApiMessage } from "../../../protocol/types.ts";
import type { Subscriber } from "../../../mod.ts";

const DOMAINS = ["isp1.test", "corp.test"];

Deno.test("a name with fewer dots than ndots tries the search domains first, then itself", () => {
  assert.deepEqual(searchCandidates("printer", { domains: DOMAINS, ndots: 1 }), [
    "printer.isp1.test",
    "printer.corp.test",
    "printer",
  ]);
  assert.deepEqual(searchCandidates("a.b", { domains: DOMAINS, ndots: 2 }), [
    "a.b.isp1.test",
    "a.b.corp.test",
    "a.b",
  ]);
});

Deno.test("a name with ndots dots or more tries itself first", () => {
  assert.deepEqual(searchCandidates("www.example", { domains: DOMAINS, ndots: 1 }), [
    "www.example",
    "www.example.isp1.test",
    "www.example.corp.test",
  ]);
  assert.deepEqual(searchCandidates("printer", { domains: DOMAINS, ndots: 0 }), [
    "printer",
    "printer.isp1.test",
    "printer.corp.test",
  ]);
});

Deno.test("an absolute name and a .local name are never searched", () => {
  assert.deepEqual(searchCandidates("printer.", { domains: DOMAINS, ndots: 1 }), ["printer"]);
  assert.deepEqual(searchCandidates("Printer.ISP1.test.", { domains: DOMAINS, ndots: 5 }), [
    "printer.isp1.test",
  ]);
  assert.deepEqual(searchCandidates("lamp.local", { domains: DOMAINS, ndots: 3 }), ["lamp.local"]);
});

Deno.test("bad, repeated and too long domains are left out; IDNA applies to both parts", () => {
  // 252 octets: a valid domain, but "x." before it makes 254, over 253.
  const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}`;
  assert.deepEqual(
    searchCandidates("x", {
      domains: ["ISP1.test.", "isp1.test", "bad domain", "", long, "bücher.test"],
      ndots: 1,
    }),
    ["x.isp1.test", "x.xn--bcher-kva.test", "x"],
  );
  assert.deepEqual(searchCandidates("bad name", { domains: DOMAINS, ndots: 1 }), []);
});

Deno.test("mdnsSingleLabel adds name.local last, for single-label names only", () => {
  const rule = { domains: DOMAINS, ndots: 1, mdnsSingleLabel: true };
  assert.deepEqual(searchCandidates("lamp", rule), [
    "lamp.isp1.test",
    "lamp.corp.test",
    "lamp",
    "lamp.local",
  ]);
  assert.deepEqual(searchCandidates("lamp.example", rule), [
    "lamp.example",
    "lamp.example.isp1.test",
    "lamp.example.corp.test",
  ]);
});

test("printer becomes printer.isp1.test: NXDOMAIN moves on, the answer names the qualified name", async () => {
  await using dns = await TestDnsServer.start({
    names: {
      "printer.isp1.test": { a: ["198.51.100.9"], aaaa: ["2001:db8::9"] },
      "printer.corp.test": { a: ["203.0.113.9"] },
    },
  });
  const target = pd([dns.server], undefined, { searchDomains: ["nope.test", ...DOMAINS] });
  const events = await translate("printer", undefined, target);
  const addresses = events.flatMap((e) => e.type === "address" ? [[e.address, e.name]] : []);
  assert.deepEqual(addresses.sort(), [
    ["198.51.100.9", "printer.isp1.test"],
    ["2001:db8::9", "printer.isp1.test"],
  ]);
  assert.deepEqual(events.at(-1), { type: "done" });
  const asked = [...new Set(dns.queries.map((q) => q.name))];
  assert.deepEqual(asked, ["printer.nope.test", "printer.isp1.test"], "stops at the first found");
});

test("an absolute name is asked as it is, never with the search domains", async () => {
  await using dns = await TestDnsServer.start({
    names: { "printer.isp1.test": { a: ["198.51.100.9"] } },
  });
  const target = pd([dns.server], undefined, { searchDomains: DOMAINS });
  const events = await translate("printer.isp1.test.", "ipv4", target);
  assert.deepEqual(events, [
    {
      type: "address",
      address: "198.51.100.9",
      ttl: 300,
      server: dns.server,
      name: "printer.isp1.test",
    },
    { type: "done" },
  ]);
  const missing = await translate("printer.", "ipv4", target);
  assert.equal(missing.at(-1)?.type === "done" && missing.at(-1)!.type, "done");
  assert.deepEqual(dns.queries.map((q) => q.name), ["printer.isp1.test", "printer"]);
});

test("NODATA and SERVFAIL move on to the next candidate; the name as asked comes last", async () => {
  await using dns = await TestDnsServer.start({
    names: {
      "printer.isp1.test": {},
      "printer.corp.test": { rcode: "SERVFAIL" },
      "printer": { a: ["198.51.100.10"] },
    },
  });
  const target = pd([dns.server], undefined, { searchDomains: DOMAINS, attempts: 1 });
  const events = await translate("printer", "ipv4", target);
  assert.deepEqual(events, [
    { type: "address", address: "198.51.100.10", ttl: 300, server: dns.server, name: "printer" },
    { type: "done" },
  ]);
  assert.deepEqual(dns.queries.map((q) => q.name), [
    "printer.isp1.test",
    "printer.corp.test",
    "printer",
  ]);
});

test("a timeout skips the other search domains but the name as asked is still tried (glibc)", async () => {
  // As glibc's res_search: the last answer (NXDOMAIN for "printer") decides the reason.
  await using dns = await TestDnsServer.start({
    names: {
      "printer.isp1.test": { silent: true },
      "printer.corp.test": { a: ["203.0.113.9"] },
    },
  });
  const target = pd([dns.server], undefined, { searchDomains: DOMAINS, attempts: 1, timeout: 200 });
  const events = await translate("printer", "ipv4", target);
  const done = events.at(-1);
  assert.ok(done?.type === "done");
  assert.equal(done.reason, "nxdomain", JSON.stringify(done));
  assert.match(done.detail!, /A printer\.isp1\.test: .* did not answer/);
  assert.deepEqual(dns.queries.map((q) => q.name), ["printer.isp1.test", "printer"]);
});

test("every candidate missing ends nxdomain, naming each name asked", async () => {
  await using dns = await TestDnsServer.start();
  const target = pd([dns.server], undefined, { searchDomains: ["isp1.test"] });
  const events = await translate("printer", "ipv4", target);
  const done = events.at(-1);
  assert.ok(done?.type === "done" && done.reason === "nxdomain");
  assert.match(done.detail!, /A printer\.isp1\.test: no such name.*A printer: no such name/);
});

/** Messages until the translation is done. */
async function untilDone(sub: Subscriber) {
  const out: ApiMessage[] = [];
  for (;;) {
    const m = await next(sub, 10_000);
    out.push(m);
    if (m.type === "name-translation-done") return out;
  }
}

Deno.test("a Mif's PD qualifies printer with its own search-domains and says so in name", async () => {
  await using dns = await TestDnsServer.start({
    address: "127.0.0.12",
    names: { "printer.isp1.test": { a: ["198.51.100.9"] } },
  });
  const link = nic("eth0", [
    pdInfo("eth0/ipv4", [address("127.0.0.2", 8)], [
      element("dhcpv4", { "dns-servers": [dns.server], "search-domains": ["isp1.test"] }),
    ]),
  ]);
  const { mif } = await openManual({ interfaces: [link] }, {
    workerPermissions: "net",
    hostsFile: null,
    dnsTimeout: 500,
  });
  await using _mif = mif;
  const sub = mif.subscribe();
  sub.post({ type: "translate-name", pdId: "eth0/ipv4", name: "printer", translationId: "t" });
  assert.deepEqual(await untilDone(sub), [
    {
      type: "name-translation",
      translationId: "t",
      pdId: "eth0/ipv4",
      address: "198.51.100.9",
      ttl: 300,
      server: dns.server,
      name: "printer.isp1.test",
    },
    { type: "name-translation-done", translationId: "t", pdId: "eth0/ipv4" },
  ]);
  sub.post({
    type: "translate-name",
    pdId: "eth0/ipv4",
    name: "printer.isp1.test.",
    family: "ipv6",
    translationId: "abs",
  });
  const absolute = await untilDone(sub);
  assert.equal(absolute.at(-1)?.type, "name-translation-done");
  assert.deepEqual(
    dns.queries.map((q) => `${q.type} ${q.name}`).sort(),
    ["A printer.isp1.test", "AAAA printer.isp1.test", "AAAA printer.isp1.test"],
  );
});
