/**
 * connect() on the racing test bed (TestBed.create({ race: true })): the
 * default path A (neta) has IPv6 to the server silently dropped, path B
 * (netb, IPv4) is healthy. The race must pick a working PD, respect
 * prohibit and avoid, leave no stray sockets, and survive a PD that
 * vanishes mid-race. The client (tests/fixtures/race_client.ts) runs in
 * the host namespace. Skipped with the reason outside root or Linux; with
 * CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import type { AttemptRecord, ResolutionRecord } from "../../mod.ts";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  PEER_PORT,
  RACE_ANSWERS,
  RACE_NAME,
  type TestBed,
  withTestBed,
} from "../testbed/testbed.ts";
import { hostClientArgv } from "../testbed/mif_process.ts";

const CLIENT = new URL("../fixtures/race_client.ts", import.meta.url).pathname;

const unavailable = await testbedUnavailable() ??
  (await Deno.stat("/dev/net/tun").then(
    () => undefined,
    () => "the delay lines need /dev/net/tun",
  ));

/** What the client prints for one connect. */
interface RaceOutput {
  connected: boolean;
  winner?: AttemptRecord;
  attempts: AttemptRecord[];
  resolutions: ResolutionRecord[];
  greeting?: string;
  error?: string;
  /** `ss` lines "STATE local peer" while the winner is open. */
  sockets: string[];
  /** The same once it is closed. */
  socketsAfter: string[];
}

/** Runs the client once; `during` runs when it says it is racing. */
async function race(
  bed: TestBed,
  options: Record<string, unknown>,
  during?: () => Promise<void>,
): Promise<RaceOutput> {
  const [program, ...args] = hostClientArgv(bed, CLIENT, [
    bed.resolvConf,
    bed.stateDir,
    bed.defaultPathResolvConf,
    "connect",
    RACE_NAME,
    String(PEER_PORT),
    JSON.stringify(options),
  ], { privateMount: true });
  const child = new Deno.Command(program, {
    args,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000),
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      lines.push(line);
      if (line.event === "racing" && during) await during();
    }
  }
  const status = await child.status;
  const result = lines.find((l) => l.event === "result");
  const closed = lines.find((l) => l.event === "closed");
  if (!status.success || !result || !closed) {
    throw new Error(
      `Cannot race: the client exited with ${status.code}, printed ${
        JSON.stringify(lines)
      }, stderr ${await stderr}`,
    );
  }
  return { ...result, socketsAfter: closed.sockets } as unknown as RaceOutput;
}

const outcomes = (r: RaceOutput) => r.attempts.map((a) => `${a.pdId} ${a.address} ${a.outcome}`);

/**
 * Whether the first AAAA answer came within RFC 8305's 50 ms resolution
 * delay of the first A answer, so that IPv6 must go first (on a loaded
 * machine it can come later, and then IPv4 rightly goes first).
 */
function ipv6InTime(resolutions: readonly ResolutionRecord[]): boolean {
  const first = (family: string) =>
    Math.min(
      ...resolutions.filter((x) => x.family === family).flatMap((x) => x.answers.map((a) => a.at)),
    );
  return first("ipv6") <= first("ipv4") + 45;
}

testbedTest(
  "connect() on real links with the default path's IPv6 broken",
  unavailable,
  async (t) => {
    await withTestBed({ race: true }, async (bed) => {
      await bed.breakIpv6("a", true);
      const [v4a, v6a] = RACE_ANSWERS.a;
      const [v4b] = RACE_ANSWERS.b;

      await t.step(
        "the race picks a working PD: the silent IPv6 attempt is cancelled",
        async () => {
          const r = await race(bed, {});
          assert.ok(r.connected, String(r.error));
          assert.notEqual(r.winner!.pdId, "neta/ipv6/fe80::a");
          assert.ok(([v4a, v4b] as string[]).includes(r.winner!.address), outcomes(r).join("; "));
          if (ipv6InTime(r.resolutions)) {
            assert.equal(r.attempts[0].address, v6a, "IPv6 goes first (RFC 6724), and hangs");
            assert.equal(r.attempts[0].outcome, "cancelled");
            assert.ok(
              r.winner!.start >= 249,
              `the next attempt waited the attempt delay: ${r.winner!.start}`,
            );
          } else {
            console.log("IPv6 answered after the resolution delay: IPv4 went first");
          }
          assert.equal(
            r.greeting!.split(" ")[0],
            r.winner!.source,
            "the peer sees the winner's source",
          );
        },
      );

      await t.step(
        "losers are closed: only the winner's socket exists, and none after it closes",
        async () => {
          const r = await race(bed, {});
          assert.ok(r.connected, String(r.error));
          // TIME-WAIT entries are earlier steps' closed connections.
          const live = r.sockets.filter((s) => !s.startsWith("TIME-WAIT"));
          assert.equal(live.length, 1, `only the winner: ${live.join("; ")}`);
          assert.match(live[0], /^ESTAB /);
          assert.ok(live[0].includes(r.winner!.address), live[0]);
          assert.deepEqual(r.socketsAfter.filter((s) => !s.startsWith("TIME-WAIT")), []);
        },
      );

      await t.step("prohibit neta: only netb takes part and wins", async () => {
        const r = await race(bed, { prohibit: ["neta"] });
        assert.ok(r.connected, String(r.error));
        assert.equal(r.winner!.pdId, "netb/ipv4");
        assert.deepEqual(outcomes(r), [`netb/ipv4 ${v4b} connected`]);
        assert.ok(!r.resolutions.some((x) => x.interfaceId === "neta"), "neta's DNS was not asked");
      });

      await t.step(
        "avoid netb: neta's IPv4 wins after its IPv6 hangs, netb is never tried",
        async () => {
          const r = await race(bed, { avoid: ["netb"] });
          assert.ok(r.connected, String(r.error));
          assert.equal(r.winner!.pdId, "neta/ipv4");
          assert.ok(!r.attempts.some((a) => a.pdId === "netb/ipv4"), outcomes(r).join("; "));
        },
      );

      await t.step("a PD vanishing mid-race is survived: neta goes down, netb wins", async () => {
        const r = await race(bed, { require: ["neta", "netb"] }, async () => {
          // The IPv6 attempt through neta starts at once and hangs; netb's would start at 250 ms.
          await new Promise((resolve) => setTimeout(resolve, 120));
          await bed.ip(bed.ns.host, "link", "set", "neta", "down");
        });
        assert.ok(r.connected, String(r.error));
        assert.equal(r.winner!.pdId, "netb/ipv4", outcomes(r).join("; "));
        assert.ok(
          r.attempts.every((a) => a.pdId === "netb/ipv4" || a.outcome !== "connected"),
          outcomes(r).join("; "),
        );
      });
    });
  },
);
