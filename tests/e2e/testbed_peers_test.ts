/**
 * The test bed's TCP peers and DNS query logs: a client in the host
 * namespace reaches every network's answer addresses, and each network's
 * DNS server records the query's source address. Skipped with the reason
 * outside root or Linux; with CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  ANSWERS,
  parseDnsmasqQueries,
  PEER_PORT,
  type Router,
  TEST_NAME,
  type TestBed,
  waitFor,
  withTestBed,
} from "../testbed/testbed.ts";

Deno.test("parseDnsmasqQueries reads the queries of a real dnsmasq log", async () => {
  const text = await Deno.readTextFile(
    new URL("../testdata/testbed/dnsmasq_queries.log", import.meta.url),
  );
  assert.deepEqual(parseDnsmasqQueries(text), [
    { type: "A", name: TEST_NAME, from: "198.51.100.129" },
    { type: "AAAA", name: TEST_NAME, from: "2001:db8:a:0:38e5:bfff:fe32:cb9c" },
    { type: "TXT", name: TEST_NAME, from: "2001:db8:a:0:38e5:bfff:fe32:cb9c" },
  ]);
});

const unavailable = await testbedUnavailable();

/** Runs Deno code in the host namespace and parses the JSON it prints. */
async function inHost(bed: TestBed, code: string): Promise<unknown> {
  const out = await bed.exec(bed.ns.host, [Deno.execPath(), "eval", "--no-config", code]);
  return JSON.parse(out);
}

/** Connects to each target, sends "ping\n", half-closes and reads all the peer wrote. */
function clientCode(targets: string[]): string {
  return `const out = [];
for (const hostname of ${JSON.stringify(targets)}) {
  const conn = await Deno.connect({ hostname, port: ${PEER_PORT} });
  await conn.write(new TextEncoder().encode("ping\\n"));
  await conn.closeWrite();
  out.push(await new Response(conn.readable).text());
}
console.log(JSON.stringify(out));`;
}

/** The host's addresses on a link. */
async function hostAddresses(bed: TestBed, dev: string): Promise<string[]> {
  const links = JSON.parse(await bed.ip(bed.ns.host, "-j", "addr", "show", "dev", dev));
  return links.flatMap((l: { addr_info: { local: string }[] }) => l.addr_info.map((a) => a.local));
}

const LINKS: Record<Router, string> = { a: "neta", b: "netb", c1: "netc", c2: "netc", s: "nets" };

testbedTest("test bed peers see the host's addresses; DNS logs them", unavailable, async () => {
  await withTestBed({}, async (bed) => {
    const routers = Object.keys(ANSWERS) as Router[];
    const targets = routers.flatMap((r) => bed.peerAddresses(r).map((p) => p.hostname));
    const replies = await inHost(bed, clientCode(targets)) as string[];
    let i = 0;
    for (const router of routers) {
      const own = await hostAddresses(bed, LINKS[router]);
      for (const target of ANSWERS[router]) {
        const [greeting, echo, rest] = replies[i++].split("\n");
        const [address, port] = greeting.split(" ");
        assert.ok(own.includes(address), `${target} saw ${address}, not one of ${own}`);
        assert.equal(address.includes(":"), target.includes(":"), `${target}: same family`);
        if (router === "c1" || router === "c2") {
          assert.ok(address.startsWith(`2001:db8:${router}:`));
        }
        assert.match(port, /^\d+$/);
        assert.deepEqual([echo, rest], ["ping", ""], `${target} echoes`);
      }
    }

    const resolve = `console.log(JSON.stringify(await Deno.resolveDns("${TEST_NAME}", "A",
      { nameServer: { ipAddr: "203.0.113.1", port: 53 } })));`;
    assert.deepEqual(await inHost(bed, resolve), ANSWERS.b);
    const [netb] = (await hostAddresses(bed, "netb")).filter((a) => !a.includes(":"));
    await waitFor(
      "the query in netB's log",
      async () =>
        (await bed.dnsQueries("b")).some((q) =>
          q.type === "A" && q.name === TEST_NAME && q.from === netb
        ),
    );
  });
});
