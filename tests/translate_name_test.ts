/**
 * translate-name end to end: the simulated platform, a PD worker per PD
 * with network-only permissions, and a small DNS server per PD on loopback
 * answering the same name differently.
 */

import assert from "node:assert/strict";
import { type ApiMessage, type Mif, type MifOptions, openMif, type Subscriber } from "../mod.ts";
import { SPOOFED_ADDRESSES, TestDnsServer } from "./fixtures/dns_server.ts";
import { brief, drain, next } from "./helpers.ts";

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

function translate(sub: Subscriber, pdId: string, name = NAME, translationId = pdId) {
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
    translate(sub, "eth0/ipv4");
    translate(sub, "wlan0/ipv4");
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
      },
      {
        type: "name-translation",
        translationId: "eth0/ipv4",
        pdId: "eth0/ipv4",
        address: "2001:db8:a::80",
        ttl: 60,
        server: dnsA.server,
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
    translate(sub, "eth0/ipv4", "missing.mif.example", "nx");
    translate(sub, "eth0/ipv4", "bad name!", "bad");
    translate(sub, "wlan0/ipv4", "quiet.mif.example", "quiet");
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
    translate(sub, "eth0/ipv4", "slow.mif.example", "slow");
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
      translate(sub, "eth0/ipv4");
      const messages = await untilDone(sub, ["eth0/ipv4"]);
      assert.deepEqual(messages[0], {
        type: "name-translation",
        translationId: "eth0/ipv4",
        pdId: "eth0/ipv4",
        address: "198.18.0.7",
        server: "hosts",
      });
      assert.equal(messages[1].type === "name-translation-done" && messages[1].reason, undefined);
      assert.equal(dnsA.queries.length, 0, "DNS is not asked for a name the host table has");
    }, { hostsFile: hosts });
  } finally {
    await Deno.remove(hosts);
  }
});
