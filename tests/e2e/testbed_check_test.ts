/**
 * checkConnectivity() on the connectivity-check test bed
 * (TestBed.create({ check: true })): each network's DNS answers the probe
 * name differently (CHECK_ANSWERS): through A a server answering 204
 * (full), through B a captive portal (302 to its login page), through C2
 * an address where nothing listens (limited), while C1's and S's DNS do
 * not know the name (none). Path A has a 50 ms delay each way, so B wins
 * every race that does not prefer validated PDs. The client
 * (tests/fixtures/check_client.ts) and `mif check` run in the host
 * namespace on the linux platform, with the default path's resolv.conf
 * bound over /etc/resolv.conf in a private mount namespace (Deno's fetch()
 * looks names up through the system resolver too: see the client). Skipped with the reason outside root or
 * Linux; with CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  CHECK_NAME,
  CHECK_URL,
  PEER_PORT,
  PORTAL_URL,
  RACE_NAME,
  type TestBed,
  withTestBed,
} from "../testbed/testbed.ts";
import { hostClientArgv } from "../testbed/mif_process.ts";
import type { CheckClientInput, CheckClientResult } from "../fixtures/check_client.ts";
import type { PdConnectivity } from "../../mod.ts";

const CLIENT = new URL("../fixtures/check_client.ts", import.meta.url).pathname;

const unavailable = await testbedUnavailable() ??
  (await Deno.stat("/dev/net/tun").then(
    () => undefined,
    () => "the delay lines need /dev/net/tun",
  ));

/** What each PD of the host should be (loopback is not checked). */
const EXPECTED: Record<string, PdConnectivity["state"]> = {
  "neta/ipv4": "full",
  "neta/ipv6/fe80::a": "full",
  // The racing topology's static route to srv via fe80::a: no address, no DNS server.
  "neta/ipv6": "none",
  "netb/ipv4": "captive-portal",
  "netc/ipv6/fe80::c1": "none",
  "netc/ipv6/fe80::c2": "limited",
  "nets/ipv4": "none",
  "nets/ipv6": "none",
};

/** Path A's delay each way: B, undelayed, wins a race that does not prefer validated PDs. */
const DELAY_A = 50;

const INPUT: CheckClientInput = {
  url: CHECK_URL,
  timeout: 5000,
  host: RACE_NAME,
  port: PEER_PORT,
  httpUrl: `http://${RACE_NAME}/`,
  races: [
    { label: "unpreferred", options: { parallelInterfaces: true } },
    {
      label: "prefer",
      options: { prefer: ["validated"], parallelInterfaces: true, attemptDelay: 1000 },
    },
    { label: "require", options: { require: ["validated"] } },
  ],
};

/** Runs the client in a mode: its exit status and output. */
async function runClient(
  bed: TestBed,
  mode: "check" | "cli",
  input: unknown,
): Promise<Deno.CommandOutput> {
  const [program, ...args] = hostClientArgv(bed, CLIENT, [
    bed.resolvConf,
    bed.stateDir,
    bed.defaultPathResolvConf,
    mode,
    JSON.stringify(input),
  ], { privateMount: true });
  return await new Deno.Command(program, {
    args,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
}

/** Checks and races with one Mif (the client's check mode). */
async function check(bed: TestBed): Promise<CheckClientResult> {
  const out = await runClient(bed, "check", INPUT);
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.includes('"event":"result"'));
  if (!out.success || !line) {
    throw new Error(
      `Cannot check: the client exited with ${out.code}, printed ${text}, stderr ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return JSON.parse(line);
}

const byPd = (results: readonly PdConnectivity[]) =>
  Object.fromEntries(results.map((r) => [r.pdId, r]));

testbedTest(
  "checkConnectivity() on the test bed: full via A, a captive portal via B, limited and none",
  unavailable,
  async (t) => {
    await withTestBed({ check: true, delayMs: { a: DELAY_A } }, async (bed) => {
      const result = await check(bed);
      const first = byPd(result.first);
      const describe = JSON.stringify(result, null, 1);

      await t.step("each PD's state, status and portal URL", () => {
        assert.deepEqual(
          Object.fromEntries(result.first.map((r) => [r.pdId, r.state])),
          EXPECTED,
          describe,
        );
        for (const pdId of ["neta/ipv4", "neta/ipv6/fe80::a"]) {
          assert.equal(first[pdId].status, 204, describe);
          assert.equal(first[pdId].portalUrl, undefined);
        }
        assert.equal(first["netb/ipv4"].status, 302);
        assert.equal(first["netb/ipv4"].portalUrl, PORTAL_URL);
        assert.equal(first["netc/ipv6/fe80::c2"].status, undefined);
        assert.ok(first["netc/ipv6/fe80::c2"].detail, describe);
        assert.ok(first["netc/ipv6/fe80::c1"].detail, describe);
        assert.ok(result.first.every((r) => !r.kept && r.ms > 0), describe);
        for (const r of result.first) console.log(`${r.pdId}: ${r.state} ${r.ms.toFixed(0)} ms`);
      });

      await t.step("the probe's name went to each network's own DNS", async () => {
        for (const router of ["a", "b", "c1", "c2", "s"] as const) {
          const names = (await bed.dnsQueries(router)).map((q) => q.name);
          assert.ok(names.includes(CHECK_NAME), `${router} was asked: ${names}`);
        }
      });

      await t.step("a second call returns the kept results without probing", () => {
        assert.deepEqual(
          result.second.map((r) => [r.pdId, r.state, r.kept, r.ms]),
          result.first.map((r) => [r.pdId, r.state, true, 0]),
        );
      });

      await t.step("without a preference B, the faster path, wins the race", () => {
        for (const outcomes of [result.connects, result.fetches]) {
          const r = outcomes.unpreferred;
          assert.ok(r.ok, describe);
          assert.equal(r.pdId, "netb/ipv4", describe);
          assert.equal(r.greeting.split(" ")[0], r.local, "the server saw the host's source");
        }
      });

      await t.step("prefer and require validated go through A, the full PD", () => {
        for (const outcomes of [result.connects, result.fetches]) {
          for (const label of ["prefer", "require"]) {
            const r = outcomes[label];
            assert.ok(r.ok, `${label}: ${describe}`);
            assert.ok(r.pdId.startsWith("neta/"), `${label} went through ${r.pdId}`);
            assert.equal(EXPECTED[r.pdId], "full");
            assert.equal(r.greeting.split(" ")[0], r.local, "the server saw the host's source");
          }
        }
      });

      await t.step("mif check --json in the host namespace: exit 0, every PD's state", async () => {
        const out = await runClient(bed, "cli", [
          "check",
          "--url",
          CHECK_URL,
          "--timeout",
          "5",
          "--json",
        ]);
        const stdout = new TextDecoder().decode(out.stdout);
        const stderr = new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, `stdout ${stdout} stderr ${stderr}`);
        const report = JSON.parse(stdout);
        assert.equal(report.ok, true);
        assert.equal(report.reason, null);
        assert.equal(report.error, null);
        assert.equal(report.url, CHECK_URL);
        assert.deepEqual(
          Object.fromEntries(
            report.results.map((r: { pdId: string; state: string }) => [r.pdId, r.state]),
          ),
          EXPECTED,
          stdout,
        );
        const portal = report.results.find((r: { pdId: string }) => r.pdId === "netb/ipv4");
        assert.deepEqual([portal.status, portal.portalUrl, portal.kept], [302, PORTAL_URL, false]);
        assert.ok(
          report.results.every((r: Record<string, unknown>) =>
            ["pdId", "state", "ms", "kept", "status", "portalUrl", "detail"].every((k) => k in r)
          ),
          stdout,
        );
      });
    });
  },
);
