/**
 * Split DNS on the command line: `mif resolve` and `mif connect` without
 * --pd ask only the PDs a name is routed to (--leak fallback asks the
 * others after they failed), `mif resolve` shows the qualified name an
 * answer is for, and `mif status` shows each PD's routing domains.
 */

import assert from "node:assert/strict";
import { TestDnsServer, type TestName } from "../fixtures/dns_server.ts";
import { runMif } from "../fixtures/mif_cli.ts";

const mif = (...args: string[]) => runMif(args);
const PRINTER = "printer.isp1.test";
const PEER = "127.0.0.42";

/** eth0 (127.0.0.2, domain isp1.test) and wlan0 (127.0.0.3, isp2.test), each with its DNS server. */
async function splitBed(a: Record<string, TestName>, b: Record<string, TestName>) {
  const dnsA = await TestDnsServer.start({ address: "127.0.0.32", names: a });
  const dnsB = await TestDnsServer.start({ address: "127.0.0.33", names: b });
  const link = (id: string, type: string, address: string, dns: string, domain: string) => ({
    interfaceId: id,
    interfaceType: type,
    pds: [{
      pdId: `${id}/ipv4`,
      family: "ipv4",
      addresses: [{ address, prefixLength: 8 }],
      elements: [{ element: "dhcpv4", data: { "dns-servers": [dns], "search-domains": [domain] } }],
    }],
  });
  const path = await Deno.makeTempFile({ prefix: "mif-split-", suffix: ".json" });
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      name: "two uplinks",
      interfaces: [
        link("eth0", "wired", "127.0.0.2", dnsA.server, "isp1.test"),
        link("wlan0", "wifi", "127.0.0.3", dnsB.server, "isp2.test"),
      ],
    }),
  );
  return {
    dnsA,
    dnsB,
    file: path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path);
      await dnsA[Symbol.asyncDispose]();
      await dnsB[Symbol.asyncDispose]();
    },
  };
}

Deno.test("mif resolve NAME under eth0's domain asks eth0 only; wlan0's line says why it was not asked", async () => {
  await using bed = await splitBed({ [PRINTER]: { a: ["198.51.100.20"] } }, {
    [PRINTER]: { a: ["203.0.113.20"] },
  });
  const r = await mif("resolve", PRINTER, "--scenario", bed.file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}A {5}198\.51\.100\.20/m);
  assert.match(
    r.stdout,
    /^\+[0-9.]+ ms {2}wlan0\/ipv4 {2}not asked: printer\.isp1\.test is under isp1\.test of eth0\/ipv4$/m,
  );
  assert.doesNotMatch(r.stdout, /203\.0\.113\.20/);
  assert.equal(bed.dnsB.queries.length, 0, "nothing leaked to wlan0's DNS");
});

Deno.test("mif resolve: eth0's failure is final; --leak fallback then asks wlan0; --pd asks the PD named", async () => {
  await using bed = await splitBed({}, { [PRINTER]: { a: ["203.0.113.20"] } });
  const strict = await mif("resolve", PRINTER, "--scenario", bed.file);
  assert.equal(strict.code, 3, strict.stderr);
  assert.match(strict.stderr, /no PD could translate the name: 1 nxdomain, 1 not-asked/);
  assert.equal(bed.dnsB.queries.length, 0);
  const leaky = await mif("resolve", PRINTER, "--scenario", bed.file, "--leak", "fallback");
  assert.equal(leaky.code, 0, leaky.stderr);
  assert.match(leaky.stdout, /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}done: nxdomain/m);
  assert.match(leaky.stdout, /^\+[0-9.]+ ms {2}wlan0\/ipv4 {2}A {5}203\.0\.113\.20/m);
  assert.ok(
    leaky.stdout.indexOf("eth0/ipv4  done") < leaky.stdout.indexOf("wlan0/ipv4  A"),
    leaky.stdout,
  );
  const chosen = await mif("resolve", PRINTER, "--scenario", bed.file, "--pd", "wlan0/ipv4");
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(chosen.stdout, /203\.0\.113\.20/);
});

Deno.test("mif connect NAME under eth0's domain: the timeline shows wlan0 not asked, and why", async () => {
  using listener = Deno.listen({ hostname: PEER, port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })().catch(() => {});
  const port = String((listener.addr as Deno.NetAddr).port);
  await using bed = await splitBed({ [PRINTER]: { a: [PEER] } }, { [PRINTER]: { a: [PEER] } });
  const r = await mif("connect", PRINTER, port, "--scenario", bed.file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^connected to 127\.0\.0\.42 port [0-9]+ through eth0\/ipv4/);
  assert.match(
    r.stdout,
    /^resolve {2}wlan0\/ipv4 .* {2}·{40} {2}not-asked \(printer\.isp1\.test is under isp1\.test of eth0\/ipv4\)$/m,
  );
  const json = await mif("connect", PRINTER, port, "--scenario", bed.file, "--json");
  const report = JSON.parse(json.stdout);
  assert.deepEqual(
    report.resolutions.map((x: { pdId: string; outcome: string }) => [x.pdId, x.outcome]),
    [["eth0/ipv4", "success"], ["wlan0/ipv4", "not-asked"]],
  );
  assert.equal(bed.dnsB.queries.length, 0, "nothing leaked to wlan0's DNS");
  listener.close();
  await accepting;
});

Deno.test("mif connect --leak fallback asks wlan0 after eth0 failed; a bad --leak is a usage error", async () => {
  await using bed = await splitBed({}, { [PRINTER]: { a: ["127.0.0.1"] } });
  const strict = await mif("connect", PRINTER, "9", "--scenario", bed.file, "--json");
  assert.equal(strict.code, 3, strict.stderr);
  assert.equal(JSON.parse(strict.stdout).reason, "not-translated");
  const r = await mif(
    "connect",
    PRINTER,
    "9",
    "--scenario",
    bed.file,
    "--leak",
    "fallback",
    "--json",
  );
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.resolutions.map((x: { pdId: string; outcome: string }) => [x.pdId, x.outcome]),
    [["eth0/ipv4", "nxdomain"], ["wlan0/ipv4", "success"]],
  );
  assert.match(report.resolutions[1].detail, /^asked after eth0\/ipv4 failed/);
  const bad = await mif("connect", PRINTER, "9", "--scenario", bed.file, "--leak", "alway");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^mif: --leak must be never or fallback, got "alway"/);
});

Deno.test("mif status shows each PD's routing domains", async () => {
  await using bed = await splitBed({}, {});
  const r = await mif("status", "--scenario", bed.file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {3}├─ routing domains: isp1\.test$/m);
  assert.match(r.stdout, /^ {3}├─ routing domains: isp2\.test$/m);
  const json = JSON.parse((await mif("status", "--scenario", bed.file, "--json")).stdout);
  assert.deepEqual(json.interfaces[0].pds[0].routingDomains, ["isp1.test"]);
});

Deno.test("mif resolve shows the qualified name an answer is for (the PD's search list)", async () => {
  await using bed = await splitBed({ [PRINTER]: { a: ["198.51.100.20"] } }, {});
  const r = await mif("resolve", "printer", "--scenario", bed.file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}A {5}printer → printer\.isp1\.test {2}198\.51\.100\.20/m,
  );
});
