/**
 * The test bed's racing topology (TestBed.create({ race: true })): a
 * server namespace behind routers A and B, each path through a user-space
 * TUN delay line. A delay adds at least twice itself to a TCP connect,
 * a broken IPv6 path hangs silently, and a client of the system resolver
 * in a private mount namespace resolves through router A's DNS without
 * touching /etc/resolv.conf. Skipped with the reason outside root or
 * Linux; with CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  PEER_PORT,
  privateMountArgv,
  RACE_ANSWERS,
  RACE_NAME,
  TestBed,
  waitFor,
  withTestBed,
} from "../testbed/testbed.ts";

const TESTBED = import.meta.resolve("../testbed/testbed.ts");

Deno.test("TestBed.create refuses a negative delay before building anything", async () => {
  await assert.rejects(
    TestBed.create({ race: true, delayMs: { a: -1 } }),
    /^Error: Cannot set the delay of router a: -1 is not 0 or more ms/,
  );
});

/** The test bed's prerequisites, and the TUN device the delay lines use. */
const unavailable = await testbedUnavailable() ??
  (await Deno.stat("/dev/net/tun").then(
    () => undefined,
    () => "the delay lines need /dev/net/tun",
  ));

/** Runs Deno code in the host namespace and parses the JSON it prints. */
async function inHost(bed: TestBed, code: string): Promise<unknown> {
  const out = await bed.exec(bed.ns.host, [Deno.execPath(), "eval", "--no-config", code]);
  return JSON.parse(out);
}

/** Code reading a connection's first line ("<client address> <client port>"). */
const READ_GREETING = `async function greeting(conn) {
  const bytes = [];
  const buffer = new Uint8Array(256);
  while (!bytes.includes(10)) {
    const n = await conn.read(buffer);
    if (n === null) break;
    bytes.push(...buffer.subarray(0, n));
  }
  return new TextDecoder().decode(new Uint8Array(bytes)).split("\\n")[0];
}`;

/** Connects `times` times, timing each connect, and reads each greeting. */
function timedConnects(hostname: string, times: number): string {
  return `${READ_GREETING}
const out = [];
for (let i = 0; i < ${times}; i++) {
  const start = performance.now();
  const conn = await Deno.connect({ hostname: "${hostname}", port: ${PEER_PORT} });
  const ms = performance.now() - start;
  out.push({ ms, greeting: await greeting(conn) });
  conn.close();
}
console.log(JSON.stringify(out));`;
}

/** What a connect does within `ms`: "connected", "error: …" or "pending". */
function connectWithin(hostname: string, ms: number): string {
  return `const outcome = await Promise.race([
  Deno.connect({ hostname: "${hostname}", port: ${PEER_PORT} })
    .then((conn) => (conn.close(), "connected"), (e) => "error: " + e.name + ": " + e.message),
  new Promise((resolve) => setTimeout(() => resolve("pending"), ${ms})),
]);
console.log(JSON.stringify(outcome));
Deno.exit(0);`;
}

/** The host's addresses on a link. */
async function hostAddresses(bed: TestBed, dev: string): Promise<string[]> {
  const links = JSON.parse(await bed.ip(bed.ns.host, "-j", "addr", "show", "dev", dev));
  return links.flatMap((l: { addr_info: { local: string }[] }) => l.addr_info.map((a) => a.local));
}

/**
 * The client of the system resolver: binds its argument over
 * /etc/resolv.conf (in its private mount namespace), then connects by name.
 */
const RESOLVER_CLIENT = `${READ_GREETING}
const { bindResolvConf } = await import(${JSON.stringify(TESTBED)});
await bindResolvConf(Deno.args[0]);
const resolvConf = await Deno.readTextFile("/etc/resolv.conf");
const conn = await Deno.connect({ hostname: "${RACE_NAME}", port: ${PEER_PORT} });
console.log(JSON.stringify({ resolvConf, remote: conn.remoteAddr.hostname, greeting: await greeting(conn) }));
conn.close();`;

testbedTest(
  "the racing topology: delay lines, a silent IPv6 drop, the system resolver",
  unavailable,
  async (t) => {
    const resolvConf = await Deno.readFile("/etc/resolv.conf");
    await withTestBed({ race: true, delayMs: { b: 40 } }, async (bed) => {
      const [netb] = (await hostAddresses(bed, "netb")).filter((a) => !a.includes(":"));
      const [serverB] = RACE_ANSWERS.b;

      await t.step("a connect through B's 40 ms delay line takes at least 80 ms", async () => {
        assert.equal(bed.delay("b"), 40);
        const connects = await inHost(bed, timedConnects(serverB, 3)) as {
          ms: number;
          greeting: string;
        }[];
        for (const { ms, greeting } of connects) {
          // A lower bound only: the machine is shared, so no upper bound.
          assert.ok(ms >= 80, `the SYN and the SYN-ACK each wait 40 ms, yet it took ${ms} ms`);
          assert.equal(greeting.split(" ")[0], netb, "the peer sees the host's netb address");
        }
      });

      await t.step("at 0 ms through B it connects too, and the peer sees netb", async () => {
        await bed.setDelay("b", 0);
        assert.equal(bed.delay("b"), 0);
        const [{ greeting }] = await inHost(bed, timedConnects(serverB, 1)) as {
          greeting: string;
        }[];
        assert.equal(greeting.split(" ")[0], netb);
      });

      await t.step("with IPv6 via A broken, a connect hangs; IPv4 via A connects", async () => {
        const [v4, v6] = RACE_ANSWERS.a;
        await bed.breakIpv6("a", true);
        const [hung, connected] = await Promise.all([
          inHost(bed, connectWithin(v6, 1500)),
          inHost(bed, connectWithin(v4, 1500)),
        ]);
        assert.equal(hung, "pending", "no connection and no refusal or unreachable: a silent drop");
        assert.equal(connected, "connected");
        await bed.breakIpv6("a", false);
        assert.equal(await inHost(bed, connectWithin(v6, 10_000)), "connected", "restored");
      });

      await t.step("the system resolver, in a private mount namespace, asks A's DNS", async () => {
        assert.deepEqual(
          (await bed.dnsQueries("a")).filter((q) => q.name === RACE_NAME),
          [],
          "no query yet",
        );
        const [program, ...args] = [
          ...privateMountArgv(bed.ns.host),
          Deno.execPath(),
          "eval",
          "--no-config",
          RESOLVER_CLIENT,
          bed.defaultPathResolvConf,
        ];
        const out = await new Deno.Command(program, { args, stdin: "null" }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, `the client fails: ${stderr}`);
        const seen = JSON.parse(new TextDecoder().decode(out.stdout));
        assert.equal(seen.resolvConf, await Deno.readTextFile(bed.defaultPathResolvConf));
        assert.ok(
          (RACE_ANSWERS.a as readonly string[]).includes(seen.remote),
          `connected to ${seen.remote}, one of A's answers`,
        );
        const neta = await hostAddresses(bed, "neta");
        assert.ok(neta.includes(seen.greeting.split(" ")[0]), `greeted ${seen.greeting}`);
        await waitFor(
          "the query in A's log",
          async () =>
            (await bed.dnsQueries("a")).some((q) => q.name === RACE_NAME && neta.includes(q.from)),
        );
        assert.deepEqual(await Deno.readFile("/etc/resolv.conf"), resolvConf, "root's untouched");
      });
    });
  },
);
