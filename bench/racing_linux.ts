/**
 * The racing benchmark, on the racing test bed (root, Linux): time to
 * connect to race.mif.example when the default path A (neta) drops IPv6
 * to the server silently and path B (netb, IPv4) is healthy, with both
 * paths behind user-space TUN delay lines of D ms each way. Compared in
 * one run, on the same hosts, through tests/fixtures/race_client.ts in the
 * host namespace:
 *
 * - `mif connect` and a program doing only Deno.connect, each as a whole
 *   process (spawn to exit);
 * - mif connect(): fresh with openMif (what a connect() without `mif`
 *   costs), fresh (a new Mif, its PD workers starting during the race),
 *   cold (workers running, no history of the name) and warm (a Mif that
 *   raced to the name before, as a long-running program would); cold and
 *   warm also staggered (`parallelInterfaces: false`);
 * - Deno.connect with the system resolver (A's DNS), capped at 5 s;
 * - node:net connect with autoSelectFamily, same resolver, capped at 5 s;
 * - the oracle: a DNS query to B's server plus a connect from the host's
 *   netb address to B's server address, i.e. knowing the best path.
 *
 * Not a Deno.bench file: each sample needs real links and a process in a
 * namespace. Run it with `deno task bench:race [rounds] [delays]`, e.g.
 * `deno task bench:race 7 0,20,50`.
 *
 * @module
 */

import { testbedUnavailable } from "../tests/testbed/prerequisites.ts";
import { PEER_PORT, RACE_ANSWERS, RACE_NAME, TestBed } from "../tests/testbed/testbed.ts";
import { clientResult, hostClientArgv } from "../tests/testbed/mif_process.ts";
import { CAP_MS } from "../tests/fixtures/race_client.ts";

const ROUNDS = Number(Deno.args[0] ?? 7);
const DELAYS = (Deno.args[1] ?? "0,20,50").split(",").map(Number);
const CLIENT = new URL("../tests/fixtures/race_client.ts", import.meta.url).pathname;

const unavailable = await testbedUnavailable();
if (unavailable) {
  console.error(`Cannot run the racing benchmark: ${unavailable}`);
  Deno.exit(1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function samples(bed: TestBed, source: string): Promise<Record<string, number[]>> {
  const argv = hostClientArgv(bed, CLIENT, [
    bed.resolvConf,
    bed.stateDir,
    bed.defaultPathResolvConf,
    "bench",
    RACE_NAME,
    String(PEER_PORT),
    String(ROUNDS),
    JSON.stringify({ server: "203.0.113.1", source, address: RACE_ANSWERS.b[0] }),
  ], { privateMount: true });
  return (await clientResult(argv, '"bench"')).samples as Record<string, number[]>;
}

const resolvConf = await Deno.readFile("/etc/resolv.conf");
const results: { delay: number; m: Record<string, number> }[] = [];
{
  await using bed = await TestBed.create({ race: true });
  await bed.breakIpv6("a", true);
  const links = JSON.parse(await bed.ip(bed.ns.host, "-j", "-4", "addr", "show", "dev", "netb"));
  const source: string = links[0].addr_info[0].local;
  for (const delay of DELAYS) {
    await bed.setDelay("a", delay);
    await bed.setDelay("b", delay);
    const s = await samples(bed, source);
    results.push({
      delay,
      m: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, median(v)])),
    });
  }
}
if ((await Deno.readFile("/etc/resolv.conf")).join() !== resolvConf.join()) {
  throw new Error("Cannot trust the run: /etc/resolv.conf changed");
}
const ms = (x: number) => x >= CAP_MS ? `≥ ${CAP_MS}` : x.toFixed(1);
const METHODS = [
  "oracle",
  "mif connect, whole process",
  "Deno.connect, whole process",
  "mif fresh, with openMif",
  "mif warm",
  "mif warm, staggered",
  "mif cold",
  "mif cold, staggered",
  "mif fresh",
  "node:net autoSelectFamily",
  "Deno.connect",
];
const header = `| time to connect, median ms (÷ oracle) | ${
  results.map((r) => `${r.delay} ms each way`).join(" | ")
} |`;
console.log(
  `Deno ${Deno.version.deno}, ${ROUNDS} rounds per delay; path A's IPv6 silently dropped, path B healthy.`,
);
console.log(header);
console.log(`|${"---|".repeat(results.length + 1)}`);
for (const method of METHODS) {
  const cells = results.map(({ m }) =>
    method === "oracle" ? ms(m.oracle) : `${ms(m[method])} (${(m[method] / m.oracle).toFixed(2)}×)`
  );
  console.log(`| ${method} | ${cells.join(" | ")} |`);
}
console.log("");
console.log(`| Deno.connect ÷ … | ${results.map((r) => `${r.delay} ms`).join(" | ")} |`);
console.log(`|${"---|".repeat(results.length + 1)}`);
for (const method of METHODS.filter((x) => x.startsWith("mif"))) {
  const base = method.endsWith("whole process") ? "Deno.connect, whole process" : "Deno.connect";
  const cells = results.map(({ m }) =>
    `${m[base] >= CAP_MS ? "≥ " : ""}${(m[base] / m[method]).toFixed(2)}×`
  );
  console.log(`| ${method} | ${cells.join(" | ")} |`);
}
