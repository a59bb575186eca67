/**
 * translateName over real loopback sockets: answers, streaming, families,
 * source addresses, CNAMEs, TCP fallback, the host table and literals.
 * Failures, forged replies and cancellation are in translate_name_failures_test.ts.
 *
 * The second half asks through the API (translate-name) end to end: the
 * simulated platform, a PD worker per PD with network-only permissions, and a
 * small DNS server per PD on loopback answering the same name differently.
 */

import assert from "node:assert/strict";
import {
  type ApiMessage,
  type Mif,
  type MifOptions,
  openMif,
  type Subscriber,
} from "../../../mod.ts";
import { SPOOFED_ADDRESSES, TestDnsServer } from "../../fixtures/dns_server.ts";
import { brief, drain, next } from "../../fixtures/helpers.ts";
import { pd, test, translate } from "../../fixtures/dns_targets.ts";

const HOSTS = new URL("../../testdata/hosts", import.meta.url).pathname;

test("A and AAAA answers are streamed in arrival order, with TTL and server, and done comes last", async () => {
  await using dns = await TestDnsServer.start({
    names: {
      "www.example": {
        a: ["198.51.100.80"],
        aaaa: ["2001:DB8:0::80"],
        ttl: 60,
        delay: { AAAA: 300 },
      },
    },
  });
  const events = await translate("www.example", undefined, pd([dns.server]));
  assert.deepEqual(events, [
    { type: "address", address: "198.51.100.80", ttl: 60, server: dns.server, name: "www.example" },
    { type: "address", address: "2001:db8::80", ttl: 60, server: dns.server, name: "www.example" },
    { type: "done" },
  ]);
  assert.deepEqual(dns.queries.map((q) => q.type).sort(), ["A", "AAAA"]);
});

test("the A answer is streamed first when AAAA is slower, and vice versa", async () => {
  await using dns = await TestDnsServer.start({
    names: { "slow-a.example": { a: ["198.51.100.1"], aaaa: ["2001:db8::1"], delay: { A: 300 } } },
  });
  const events = await translate("slow-a.example", undefined, pd([dns.server]));
  assert.deepEqual(
    events.map((e) => e.type === "address" ? e.address : e.type),
    ["2001:db8::1", "198.51.100.1", "done"],
  );
});

test("the family filter asks only for A, or only for AAAA", async () => {
  await using dns = await TestDnsServer.start({
    names: { "www.example": { a: ["198.51.100.80"], aaaa: ["2001:db8::80"] } },
  });
  const v4 = await translate("www.example", "ipv4", pd([dns.server]));
  assert.deepEqual(v4.map((e) => e.type === "address" ? e.address : e.type), [
    "198.51.100.80",
    "done",
  ]);
  assert.deepEqual(dns.queries.map((q) => q.type), ["A"]);
  const v6 = await translate("www.example", "ipv6", pd([dns.server]));
  assert.deepEqual(v6.map((e) => e.type === "address" ? e.address : e.type), [
    "2001:db8::80",
    "done",
  ]);
  assert.deepEqual(dns.queries.map((q) => q.type), ["A", "AAAA"]);
});

test("each query leaves from its PD's source address, with a random port and ID", async () => {
  await using dns = await TestDnsServer.start({
    names: { "www.example": { a: ["198.51.100.80"] } },
  });
  await translate("www.example", "ipv4", pd([dns.server], ["127.0.0.2"]));
  await translate("www.example", "ipv4", pd([dns.server], ["127.0.0.3"]));
  assert.deepEqual(dns.queries.map((q) => [q.transport, q.address]), [
    ["udp", "127.0.0.2"],
    ["udp", "127.0.0.3"],
  ]);
  assert.ok(dns.queries.every((q) => q.port > 0 && q.port !== dns.port));
});

test("an internationalised name is sent as its xn-- form", async () => {
  await using dns = await TestDnsServer.start({
    names: { "xn--bcher-kva.example": { a: ["198.51.100.7"] } },
  });
  const events = await translate("Bücher.example.", "ipv4", pd([dns.server]));
  assert.deepEqual(events[0], {
    type: "address",
    address: "198.51.100.7",
    ttl: 300,
    server: dns.server,
    name: "xn--bcher-kva.example",
  });
  assert.equal(dns.queries[0].name, "xn--bcher-kva.example");
});

test("NODATA for both types is a success with no address", async () => {
  await using dns = await TestDnsServer.start({ names: { "empty.example": {} } });
  assert.deepEqual(await translate("empty.example", undefined, pd([dns.server])), [{
    type: "done",
  }]);
});

test("an address that comes twice is sent once", async () => {
  await using dns = await TestDnsServer.start({
    names: { "twice.example": { a: ["198.51.100.9", "198.51.100.9"] } },
  });
  const events = await translate("twice.example", "ipv4", pd([dns.server]));
  assert.deepEqual(events.map((e) => e.type), ["address", "done"]);
});

test("a CNAME chain within one answer gives the target's addresses with the least TTL", async () => {
  await using dns = await TestDnsServer.start({
    names: {
      "www.example": { cname: "edge.example", ttl: 30 },
      "edge.example": { cname: "host.example", ttl: 600 },
      "host.example": { a: ["198.51.100.80"], ttl: 120 },
    },
  });
  const events = await translate("WWW.example", "ipv4", pd([dns.server]));
  assert.deepEqual(events, [
    { type: "address", address: "198.51.100.80", ttl: 30, server: dns.server, name: "www.example" },
    { type: "done" },
  ]);
  assert.equal(dns.queries.length, 1);
});

test("a CNAME without the target's records is followed by a query for the target", async () => {
  await using dns = await TestDnsServer.start({
    names: {
      "alias.example": { cname: "real.example", chase: false, ttl: 20 },
      "real.example": { a: ["198.51.100.81"], ttl: 120 },
    },
  });
  const events = await translate("alias.example", "ipv4", pd([dns.server]));
  assert.deepEqual(events, [
    {
      type: "address",
      address: "198.51.100.81",
      ttl: 20,
      server: dns.server,
      name: "alias.example",
    },
    { type: "done" },
  ]);
  assert.deepEqual(dns.queries.map((q) => q.name), ["alias.example", "real.example"]);
});

test("a truncated UDP reply is asked again over TCP from the same source address", async () => {
  await using dns = await TestDnsServer.start({
    names: { "big.example": { a: ["198.51.100.10", "198.51.100.11"], truncate: true } },
  });
  const events = await translate("big.example", "ipv4", pd([dns.server], ["127.0.0.4"]));
  assert.deepEqual(events.map((e) => e.type === "address" ? e.address : e.type), [
    "198.51.100.10",
    "198.51.100.11",
    "done",
  ]);
  assert.deepEqual(dns.queries.map((q) => [q.transport, q.address]), [
    ["udp", "127.0.0.4"],
    ["tcp", "127.0.0.4"],
  ]);
});

test("a server of the other family is skipped and the next one asked", async () => {
  await using dns = await TestDnsServer.start({
    names: { "www.example": { a: ["198.51.100.80"] } },
  });
  const events = await translate("www.example", "ipv4", pd(["2001:db8::53", dns.server]));
  assert.deepEqual(events, [
    {
      type: "address",
      address: "198.51.100.80",
      ttl: 300,
      server: dns.server,
      name: "www.example",
    },
    { type: "done" },
  ]);
});

test("an IP literal is answered as itself, within the family filter, without a query", async () => {
  await using dns = await TestDnsServer.start();
  assert.deepEqual(await translate("2001:DB8::1", undefined, pd([dns.server])), [
    { type: "address", address: "2001:db8::1", server: "literal" },
    { type: "done" },
  ]);
  assert.deepEqual(await translate("198.51.100.5", "ipv4", pd([dns.server])), [
    { type: "address", address: "198.51.100.5", server: "literal" },
    { type: "done" },
  ]);
  assert.deepEqual(await translate("198.51.100.5", "ipv6", pd([dns.server])), [{ type: "done" }]);
  assert.equal(dns.queries.length, 0);
});

test("the host table answers before DNS, matching names case-insensitively", async () => {
  await using dns = await TestDnsServer.start({
    names: { "router.example": { a: ["203.0.113.99"], aaaa: ["2001:db8::99"] } },
  });
  const events = await translate(
    "ROUTER.example.",
    undefined,
    pd([dns.server], undefined, {
      hostsFile: HOSTS,
    }),
  );
  assert.deepEqual(events, [
    { type: "address", address: "198.51.100.1", server: "hosts", name: "router.example" },
    { type: "address", address: "2001:db8::1", server: "hosts", name: "router.example" },
    { type: "done" },
  ]);
  assert.equal(dns.queries.length, 0);
});

test("a family the host table lacks for the name goes to DNS", async () => {
  await using dns = await TestDnsServer.start({
    names: { "printer.example": { a: ["203.0.113.98"], aaaa: ["2001:db8::98"] } },
  });
  const target = pd([dns.server], undefined, { hostsFile: HOSTS });
  assert.deepEqual(await translate("printer.example", "ipv4", target), [
    { type: "address", address: "198.51.100.2", server: "hosts", name: "printer.example" },
    { type: "done" },
  ]);
  assert.deepEqual(await translate("printer.example", "ipv6", target), [
    {
      type: "address",
      address: "2001:db8::98",
      ttl: 300,
      server: dns.server,
      name: "printer.example",
    },
    { type: "done" },
  ]);
  assert.deepEqual(dns.queries.map((q) => q.type), ["AAAA"]);
});

test("a missing host table is no table; an unreadable one is noted and DNS used", async () => {
  await using dns = await TestDnsServer.start({
    names: { "www.example": { a: ["198.51.100.80"] } },
  });
  const missing = await translate(
    "www.example",
    "ipv4",
    pd([dns.server], undefined, {
      hostsFile: "/nonexistent/hosts",
    }),
  );
  assert.deepEqual(missing.at(-1), { type: "done" });
  const directory = new URL("../../testdata", import.meta.url).pathname;
  const unreadable = await translate(
    "www.example",
    "ipv4",
    pd([dns.server], undefined, {
      hostsFile: directory,
    }),
  );
  assert.deepEqual(unreadable[0], {
    type: "address",
    address: "198.51.100.80",
    ttl: 300,
    server: dns.server,
    name: "www.example",
  });
  const done = unreadable.at(-1);
  assert.ok(done?.type === "done" && done.reason === undefined);
  assert.match(done.detail ?? "", /^Cannot read the host table .*testdata/);
});

// --- Through the API: translate-name, one PD worker per PD ---------------------------------

const NAME = "www.mif.example";

function scenario(dnsA: TestDnsServer, dnsB: TestDnsServer) {
  const pd = (pdId: string, address: string, server: string) => ({
    pdId,
    family: "ipv4",
    addresses: [{ address, prefixLength: 8, validLifetime: "infinite" }],
    elements: [{ element: "dhcpv4", data: { "dns-servers": [server] } }],
  });
  return {
    name: "two PDs, two resolvers",
    interfaces: [
      {
        interfaceId: "eth0",
        interfaceType: "wired",
        pds: [pd("eth0/ipv4", "127.0.0.2", dnsA.server)],
      },
      {
        interfaceId: "wlan0",
        interfaceType: "wifi",
        pds: [pd("wlan0/ipv4", "127.0.0.3", dnsB.server)],
      },
    ],
  };
}

async function open(dnsA: TestDnsServer, dnsB: TestDnsServer, options: MifOptions = {}) {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(scenario(dnsA, dnsB)));
  try {
    return await openMif({
      platform: "sim",
      scenario: file,
      workerPermissions: "net",
      hostsFile: null,
      dnsTimeout: 300,
      ...options,
    });
  } finally {
    await Deno.remove(file);
  }
}

/** Messages until every listed translation is done. */
async function untilDone(sub: Subscriber, ids: string[]): Promise<ApiMessage[]> {
  const open = new Set(ids);
  const out: ApiMessage[] = [];
  while (open.size > 0) {
    const m = await next(sub, 10_000);
    out.push(m);
    if (m.type === "name-translation-done") open.delete(m.translationId);
  }
  return out;
}

function postTranslation(sub: Subscriber, pdId: string, name = NAME, translationId = pdId) {
  sub.post({ type: "translate-name", pdId, name, translationId });
}

async function servers() {
  const dnsA = await TestDnsServer.start({
    address: "127.0.0.12",
    names: {
      [NAME]: { a: ["198.51.100.80"], aaaa: ["2001:db8:a::80"], ttl: 60, delay: { AAAA: 200 } },
    },
  });
  const dnsB = await TestDnsServer.start({
    address: "127.0.0.13",
    names: { [NAME]: { a: ["203.0.113.80"], ttl: 30, spoof: true, truncate: true } },
  });
  return { dnsA, dnsB };
}

async function withMif(
  body: (mif: Mif, dnsA: TestDnsServer, dnsB: TestDnsServer) => Promise<void>,
  options: MifOptions = {},
) {
  const { dnsA, dnsB } = await servers();
  await using _a = dnsA;
  await using _b = dnsB;
  await using mif = await open(dnsA, dnsB, options);
  await body(mif, dnsA, dnsB);
}

Deno.test("translate-name resolves through each PD's own DNS server, from that PD's address, streaming each answer", async () => {
  await withMif(async (mif, dnsA, dnsB) => {
    const sub = mif.subscribe();
    postTranslation(sub, "eth0/ipv4");
    postTranslation(sub, "wlan0/ipv4");
    const messages = await untilDone(sub, ["eth0/ipv4", "wlan0/ipv4"]);
    const of = (pdId: string) => messages.filter((m) => "pdId" in m && m.pdId === pdId);
    // eth0's A answer arrives first, its AAAA 200 ms later, then the end.
    assert.deepEqual(of("eth0/ipv4"), [
      {
        type: "name-translation",
        translationId: "eth0/ipv4",
        pdId: "eth0/ipv4",
        address: "198.51.100.80",
        ttl: 60,
        server: dnsA.server,
        name: NAME,
      },
      {
        type: "name-translation",
        translationId: "eth0/ipv4",
        pdId: "eth0/ipv4",
        address: "2001:db8:a::80",
        ttl: 60,
        server: dnsA.server,
        name: NAME,
      },
      { type: "name-translation-done", translationId: "eth0/ipv4", pdId: "eth0/ipv4" },
    ]);
    // wlan0's server forges replies first and truncates over UDP: only the TCP answer counts.
    assert.deepEqual(brief(of("wlan0/ipv4")), [
      "name-translation wlan0/ipv4 203.0.113.80 wlan0/ipv4",
      "name-translation-done wlan0/ipv4 wlan0/ipv4",
    ]);
    for (const m of messages) {
      assert.ok(!("address" in m && SPOOFED_ADDRESSES.includes(m.address)), JSON.stringify(m));
    }
    assert.ok(dnsA.queries.length >= 2 && dnsA.queries.every((q) => q.address === "127.0.0.2"));
    assert.ok(dnsB.queries.every((q) => q.address === "127.0.0.3"));
    assert.ok(dnsB.queries.some((q) => q.transport === "tcp" && q.type === "A"), "TCP fallback");
  });
});

Deno.test("translate-name ends with nxdomain, invalid-name (no query sent) and timeout as the PD's server answers", async () => {
  await withMif(async (mif, dnsA, dnsB) => {
    dnsB.set("quiet.mif.example", { silent: true });
    const sub = mif.subscribe();
    postTranslation(sub, "eth0/ipv4", "missing.mif.example", "nx");
    postTranslation(sub, "eth0/ipv4", "bad name!", "bad");
    postTranslation(sub, "wlan0/ipv4", "quiet.mif.example", "quiet");
    const done = (await untilDone(sub, ["nx", "bad", "quiet"]))
      .filter((m) => m.type === "name-translation-done");
    assert.deepEqual(brief(done).sort(), [
      "name-translation-done eth0/ipv4 invalid-name bad",
      "name-translation-done eth0/ipv4 nxdomain nx",
      "name-translation-done wlan0/ipv4 timeout quiet",
    ]);
    assert.ok(dnsA.queries.every((q) => q.name !== "bad name!"));
    assert.equal(
      dnsB.queries.filter((q) => q.name === "quiet.mif.example").length,
      4,
      "A and AAAA, twice each",
    );
  });
});

Deno.test("stop-translating-name answers cancelled at once and nothing more of it arrives", async () => {
  await withMif(async (mif, dnsA) => {
    dnsA.set("slow.mif.example", { a: ["198.51.100.81"], delay: { A: 400, AAAA: 400 } });
    const sub = mif.subscribe();
    postTranslation(sub, "eth0/ipv4", "slow.mif.example", "slow");
    await dnsA.waitForQueries(1);
    sub.post({ type: "stop-translating-name", translationId: "slow" });
    assert.deepEqual(brief(drain(sub)), ["name-translation-done eth0/ipv4 cancelled slow"]);
    assert.equal((await sub.check({ timeout: 700 })).ready, false);
  });
});

Deno.test("a PD worker with network-only permissions reads the host table first", async () => {
  const hosts = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(hosts, "198.18.0.7 www.mif.example www\n");
    await withMif(async (mif, dnsA) => {
      const sub = mif.subscribe();
      postTranslation(sub, "eth0/ipv4");
      const messages = await untilDone(sub, ["eth0/ipv4"]);
      assert.deepEqual(messages[0], {
        type: "name-translation",
        translationId: "eth0/ipv4",
        pdId: "eth0/ipv4",
        address: "198.18.0.7",
        server: "hosts",
        name: NAME,
      });
      assert.equal(messages[1].type === "name-translation-done" && messages[1].reason, undefined);
      assert.equal(dnsA.queries.length, 0, "DNS is not asked for a name the host table has");
    }, { hostsFile: hosts });
  } finally {
    await Deno.remove(hosts);
  }
});
