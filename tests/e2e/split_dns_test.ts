/**
 * Split DNS in connect() end to end on a manual platform: three IPv4 PDs on
 * loopback addresses, each with its own DNS server and search domain. A
 * name under one PD's domain is asked of that PD's server only (the other
 * servers' query logs stay empty), unless leak "fallback" asks them after
 * it failed; a name under no domain goes to every server.
 */

import assert from "node:assert/strict";
import { connect, ConnectFailedError } from "../../mod.ts";
import { TestDnsServer, type TestName } from "../fixtures/dns_server.ts";
import { address, element, nic, openManual, pd, startWorkers } from "../fixtures/helpers.ts";

const GOOD = "127.0.0.22";
const LINKS = [
  { id: "eth0", source: "127.0.0.2", dns: "127.0.0.12", domain: "isp1.test" },
  { id: "wlan0", source: "127.0.0.3", dns: "127.0.0.13", domain: "isp2.test" },
  { id: "tun0", source: "127.0.0.5", dns: "127.0.0.15", domain: "corp.test" },
] as const;

/** The bed: each link's server answering `names[link]`, and a listener at GOOD. */
async function bed(names: Record<string, Record<string, TestName>>) {
  const dns = new Map<string, TestDnsServer>();
  for (const l of LINKS) {
    dns.set(l.id, await TestDnsServer.start({ address: l.dns, names: names[l.id] ?? {} }));
  }
  const listener = Deno.listen({ hostname: GOOD, port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  const { mif } = await openManual({
    interfaces: LINKS.map((l) =>
      nic(l.id, [
        pd(`${l.id}/ipv4`, [address(l.source, 8)], [
          element("dhcpv4", {
            "dns-servers": [dns.get(l.id)!.server],
            "search-domains": [l.domain],
          }),
        ]),
      ])
    ),
  }, { workerPermissions: "net", hostsFile: null, dnsTimeout: 300, dnsAttempts: 1 });
  // The races below are decided by the servers' delays, not by which worker started first.
  await startWorkers(mif, LINKS.map((l) => `${l.id}/ipv4`));
  return {
    mif,
    dns,
    port: (listener.addr as Deno.NetAddr).port,
    /** The names each link's server was asked, by link. */
    asked: () => Object.fromEntries([...dns].map(([id, s]) => [id, s.queries.map((q) => q.name)])),
    async [Symbol.asyncDispose]() {
      await mif.close();
      for (const d of dns.values()) await d[Symbol.asyncDispose]();
      listener.close();
      await accepting.catch(() => {});
    },
  };
}

const outcomes = (rs: readonly { pdId: string; outcome?: string }[]) =>
  rs.map((r) => [r.pdId, r.outcome]);

Deno.test("a name under eth0's domain is asked of eth0's DNS only; the others are not asked, with why", async () => {
  const name = "printer.isp1.test";
  await using b = await bed({ eth0: { [name]: { a: [GOOD] } }, wlan0: { [name]: { a: [GOOD] } } });
  const result = await connect(name, b.port, { mif: b.mif });
  assert.equal(result.winner.pdId, "eth0/ipv4");
  await result.connection.close();
  const asked = b.asked();
  assert.ok(asked.eth0.length > 0);
  assert.deepEqual(
    [asked.wlan0, asked.tun0],
    [[], []],
    "no query leaked to the other PDs' servers",
  );
  assert.deepEqual(outcomes(result.resolutions), [
    ["eth0/ipv4", "success"],
    ["wlan0/ipv4", "not-asked"],
    ["tun0/ipv4", "not-asked"],
  ]);
  assert.equal(result.resolutions[1].detail, "printer.isp1.test is under isp1.test of eth0/ipv4");
});

Deno.test("leak never: eth0's failure is the race's failure, and no other server is asked", async () => {
  await using b = await bed({ wlan0: { "printer.isp1.test": { a: [GOOD] } } });
  const error = await connect("printer.isp1.test", b.port, { mif: b.mif }).catch((e) => e);
  assert.ok(error instanceof ConnectFailedError, String(error));
  assert.equal(error.reason, "not-translated");
  assert.match(error.message, /1 nxdomain, 2 not-asked|2 not-asked, 1 nxdomain/);
  assert.deepEqual([b.asked().wlan0, b.asked().tun0], [[], []]);
});

Deno.test("leak fallback asks the other PDs only after eth0 failed to translate", async () => {
  const name = "printer.isp1.test";
  await using b = await bed({ wlan0: { [name]: { a: [GOOD], delay: { A: 20 } } } });
  const result = await connect(name, b.port, { mif: b.mif, leak: "fallback" });
  assert.equal(result.winner.pdId, "wlan0/ipv4");
  await result.connection.close();
  const [eth0, wlan0, tun0] = result.resolutions;
  assert.deepEqual(outcomes(result.resolutions), [
    ["eth0/ipv4", "nxdomain"],
    ["wlan0/ipv4", "success"],
    ["tun0/ipv4", "nxdomain"],
  ]);
  assert.ok(
    wlan0.start! >= eth0.end!,
    `wlan0 asked at ${wlan0.start}, after eth0 ended at ${eth0.end}`,
  );
  assert.equal(tun0.start, wlan0.start);
  assert.match(
    wlan0.detail!,
    /^asked after eth0\/ipv4 failed: printer\.isp1\.test is under isp1\.test/,
  );
  assert.ok(b.asked().wlan0.includes(name));
});

Deno.test("leak fallback does not ask the others when eth0 answers", async () => {
  const name = "printer.isp1.test";
  await using b = await bed({ eth0: { [name]: { a: [GOOD] } } });
  const result = await connect(name, b.port, { mif: b.mif, leak: "fallback" });
  await result.connection.close();
  assert.deepEqual(outcomes(result.resolutions).map(([, o]) => o), [
    "success",
    "not-asked",
    "not-asked",
  ]);
  assert.deepEqual([b.asked().wlan0, b.asked().tun0], [[], []]);
});

Deno.test("a name under no PD's domain goes to every PD, as before", async () => {
  const name = "www.example";
  await using b = await bed({ tun0: { [name]: { a: [GOOD] } } });
  const result = await connect(name, b.port, { mif: b.mif });
  assert.equal(result.winner.pdId, "tun0/ipv4");
  await result.connection.close();
  const asked = b.asked();
  for (const id of ["eth0", "wlan0", "tun0"]) {
    assert.ok(asked[id].includes(name), `${id} was asked`);
  }
  assert.ok(!result.resolutions.some((r) => r.outcome === "not-asked"));
});

Deno.test("a name routed only to a PD that may not race fails no-pd, unless leak is fallback", async () => {
  const name = "printer.isp1.test";
  await using b = await bed({ wlan0: { [name]: { a: [GOOD] } } });
  const error = await connect(name, b.port, { mif: b.mif, prohibit: ["eth0"] }).catch((e) => e);
  assert.ok(error instanceof ConnectFailedError, String(error));
  assert.equal(error.reason, "no-pd");
  assert.match(error.message, /is under isp1\.test of eth0\/ipv4, which may not be used/);
  assert.deepEqual(b.asked().wlan0, []);
  const result = await connect(name, b.port, { mif: b.mif, prohibit: ["eth0"], leak: "fallback" });
  assert.equal(result.winner.pdId, "wlan0/ipv4");
  await result.connection.close();
});
