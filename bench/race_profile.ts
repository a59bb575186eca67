/**
 * Where a warm race's time goes, on the racing test bed (root, Linux): the
 * same bed as bench/racing_linux.ts (path A's IPv6 silently dropped, B
 * healthy, both behind delay lines of D ms each way), one Mif that raced to
 * race.mif.example before, then warm races each followed by the oracle (a
 * DNS query to B's server and a connect from B's address). From each
 * race's public timeline (the winner's answer and attempt, in ms since
 * connect()) it prints the median of each step:
 *
 * - connect() → the winning PD's answer: learning the host, translate-name
 *   to every PD, the worker's DNS query and reply, back to the race;
 * - answer → attempt start: the race's decision (resolution delay, a busy thread);
 * - attempt start → connected: connect-to-address to the worker, its TCP
 *   handshake and the connected answer back;
 * - connected → connect() returns: the race settling and handing over;
 *
 * and each thread's CPU and run-queue milliseconds per race (Linux
 * schedstat): on a 2-core machine a race that wakes a worker per PD is
 * bound by CPU, and the run-queue column shows how long runnable threads waited.
 *
 * Not a Deno.bench file: it needs real links and a process in a namespace.
 *
 *   deno run --unstable-worker-options --allow-all bench/race_profile.ts [rounds] [delay ms]
 *
 * @module
 */

import { testbedUnavailable } from "../tests/testbed/prerequisites.ts";
import { PEER_PORT, RACE_ANSWERS, RACE_NAME, TestBed } from "../tests/testbed/testbed.ts";
import { clientResult, hostClientArgv } from "../tests/testbed/mif_process.ts";
import type { AttemptRecord, ResolutionRecord } from "../connect/timeline.ts";

const ROUNDS = Number(Deno.args[0] ?? 9);
const DELAY = Number(Deno.args[1] ?? 0);
const CLIENT = new URL("../tests/fixtures/race_client.ts", import.meta.url).pathname;

/** One warm race as the client reports it. */
interface Race {
  readonly ms: number;
  readonly oracle: number;
  readonly winner: AttemptRecord;
  readonly attempts: readonly AttemptRecord[];
  readonly resolutions: readonly ResolutionRecord[];
}

/** What the client's profile mode prints. */
interface Profile {
  readonly races: readonly Race[];
  readonly threads: Readonly<Record<string, { cpu: number; wait: number }>>;
}

const quantile = (xs: readonly number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)];

/** The steps of one race, in ms, from its timeline. */
function steps(race: Race): Record<string, number> {
  const { winner } = race;
  const answer = race.resolutions.find((r) => r.pdId === winner.pdId)?.answers
    .find((a) => a.address === winner.address)?.at ?? NaN;
  const firstAnswer = Math.min(...race.resolutions.flatMap((r) => r.answers.map((a) => a.at)));
  return {
    "oracle (DNS to B + connect from B), right after": race.oracle,
    "mif warm: connect() returns": race.ms,
    "  first answer of any PD": firstAnswer,
    "  connect() → the winning PD's answer": answer,
    "  answer → the winner's attempt starts": winner.start - answer,
    "  attempt start → connected": winner.end! - winner.start,
    "  connected → connect() returns": race.ms - winner.end!,
    "PDs asked": race.resolutions.length,
    "attempts started": race.attempts.length,
  };
}

/** Runs the client's profile mode on a fresh bed. */
async function run(): Promise<Profile> {
  await using bed = await TestBed.create({ race: true });
  await bed.breakIpv6("a", true);
  await bed.setDelay("a", DELAY);
  await bed.setDelay("b", DELAY);
  const links = JSON.parse(await bed.ip(bed.ns.host, "-j", "-4", "addr", "show", "dev", "netb"));
  const oracle = {
    server: "203.0.113.1",
    source: links[0].addr_info[0].local,
    address: RACE_ANSWERS.b[0],
  };
  const argv = hostClientArgv(bed, CLIENT, [
    bed.resolvConf,
    bed.stateDir,
    bed.defaultPathResolvConf,
    "profile",
    RACE_NAME,
    String(PEER_PORT),
    String(ROUNDS),
    JSON.stringify(oracle),
  ], { privateMount: true });
  return await clientResult(argv, '"profile"') as unknown as Profile;
}

/** Threads summed by kind: the main thread, PD workers, V8's helpers, the rest. */
function threadKinds(threads: Profile["threads"]): Map<string, { cpu: number; wait: number }> {
  const kinds = new Map<string, { cpu: number; wait: number }>();
  for (const [thread, { cpu, wait }] of Object.entries(threads)) {
    const name = thread.slice(thread.indexOf(" ") + 1);
    const kind = name === "deno"
      ? "main thread"
      : name.startsWith("worker-")
      ? "PD workers"
      : name.startsWith("V8 ")
      ? "V8 helpers (GC, compiler)"
      : `other (${name.replace(/-?\d+$/, "")})`;
    const sum = kinds.get(kind) ?? { cpu: 0, wait: 0 };
    kinds.set(kind, { cpu: sum.cpu + cpu, wait: sum.wait + wait });
  }
  return kinds;
}

const unavailable = await testbedUnavailable();
if (unavailable) {
  console.error(`Cannot run the race profile: ${unavailable}`);
  Deno.exit(1);
}
const resolvConf = await Deno.readFile("/etc/resolv.conf");
const loadBefore = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const profile = await run();
const loadAfter = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
if ((await Deno.readFile("/etc/resolv.conf")).join() !== resolvConf.join()) {
  throw new Error("Cannot trust the run: /etc/resolv.conf changed");
}
console.log(
  `Deno ${Deno.version.deno}, ${ROUNDS} warm races at ${DELAY} ms each way; load average ${loadBefore} → ${loadAfter}`,
);
const rows = profile.races.map(steps);
console.log("| step | median | p25 | p75 |");
console.log("|---|---|---|---|");
for (const step of Object.keys(rows[0])) {
  const xs = rows.map((r) => r[step]);
  const cells = [0.5, 0.25, 0.75].map((q) => quantile(xs, q).toFixed(1));
  console.log(`| ${step} | ${cells.join(" | ")} |`);
}
console.log("");
console.log("| threads, per race (300 ms pause included) | CPU ms | run-queue wait ms |");
console.log("|---|---|---|");
const kinds = [...threadKinds(profile.threads)].sort((a, b) => b[1].cpu - a[1].cpu);
for (const [kind, { cpu, wait }] of kinds) {
  console.log(`| ${kind} | ${cpu.toFixed(2)} | ${wait.toFixed(2)} |`);
}
