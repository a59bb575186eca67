/**
 * The demo works out of the box on `--platform sim`: the bundled scenario's
 * own DNS servers (one per PD, on 127.0.0.1:5301, [::1]:5302, [::1]:5303,
 * 127.0.0.1:5304) answer www.example, and its services on ports 80 and 8080
 * greet whoever connects; through the library and through the CLI.
 *
 * Port 80 needs privileges on Linux: without them the platform notes it and
 * the tests use port 8080 instead.
 */

import assert from "node:assert/strict";
import {
  type ApiMessage,
  connect,
  openMif,
  parseScenario,
  SimPlatform,
  type Subscriber,
} from "../../mod.ts";
import { next } from "../fixtures/helpers.ts";
import { GREETING, lowPortsAllowed, servedScenario } from "../fixtures/sim_served.ts";
import { runMif } from "../fixtures/mif_cli.ts";

/** The bundled scenario's PDs and their DNS servers. */
const SERVERS: Record<string, string> = {
  "wlan0/ipv4": "127.0.0.1:5301",
  "wlan0/ipv6/fe80::1": "[::1]:5302",
  "rmnet0/ipv6/fe80::2": "[::1]:5303",
  "tun0/ipv4": "127.0.0.1:5304",
};

/** Port 80 where this process may listen there, else the unprivileged alternative. */
const PORTS = lowPortsAllowed() ? [80, 8080] : [8080];

let warm: Promise<void> | undefined;

/**
 * Starts a PD worker once on a scenario without a timeline. Under `deno
 * test` the first worker start type-checks the worker's modules, which on a
 * cold cache can take longer than the 5 s before the bundled scenario's
 * Wi-Fi drops (a `deno run` of the CLI does not check them).
 */
function warmUp(): Promise<void> {
  return warm ??= (async () => {
    const { scenario } = await servedScenario();
    await using mif = await openMif({
      platform: new SimPlatform(parseScenario(JSON.stringify(scenario))),
      hostsFile: null,
    });
    const sub = mif.subscribe();
    sub.post({
      type: "translate-name",
      pdId: "eth0/ipv4",
      name: "www.example",
      translationId: "warm-up",
    });
    while ((await next(sub, 30_000)).type !== "name-translation-done");
  })();
}

/** Translates a name through every PD at once: each PD's answers and how it ended. */
async function translateEverywhere(sub: Subscriber, name: string) {
  for (const pdId of Object.keys(SERVERS)) {
    sub.post({ type: "translate-name", pdId, name, translationId: pdId });
  }
  const answers: Record<string, string[]> = {};
  const ends: Record<string, string> = {};
  while (Object.keys(ends).length < Object.keys(SERVERS).length) {
    const m: ApiMessage = await next(sub, 10_000);
    if (m.type === "name-translation") {
      (answers[m.pdId] ??= []).push(`${m.address} from ${m.server}`);
    } else if (m.type === "name-translation-done") {
      ends[m.pdId] = m.reason ?? "done";
    }
  }
  for (const list of Object.values(answers)) list.sort();
  return { answers, ends };
}

Deno.test("on the bundled sim scenario every PD translates www.example through its own DNS server", async () => {
  await warmUp();
  await using mif = await openMif({ platform: "sim" });
  const { answers, ends } = await translateEverywhere(mif.subscribe(), "www.example");
  assert.deepEqual(
    answers,
    Object.fromEntries(
      Object.entries(SERVERS).map(([pdId, server]) => [pdId, [
        `127.0.0.1 from ${server}`,
        `::1 from ${server}`,
      ]]),
    ),
  );
  assert.deepEqual(Object.values(ends), ["done", "done", "done", "done"]);
});

Deno.test("on the bundled sim scenario only the VPN's DNS server knows intranet.corp.example", async () => {
  await warmUp();
  await using mif = await openMif({ platform: "sim" });
  const { answers, ends } = await translateEverywhere(mif.subscribe(), "intranet.corp.example");
  assert.deepEqual(answers, { "tun0/ipv4": ["127.0.0.1 from 127.0.0.1:5304"] });
  assert.deepEqual(ends, {
    "wlan0/ipv4": "nxdomain",
    "wlan0/ipv6/fe80::1": "nxdomain",
    "rmnet0/ipv6/fe80::2": "nxdomain",
    "tun0/ipv4": "done",
  });
});

Deno.test("connect() to www.example on the bundled sim scenario reads the sim's greeting", async () => {
  await warmUp();
  await using mif = await openMif({ platform: "sim" });
  if (!PORTS.includes(80)) {
    const note = mif.status().notes.find((n) => n.source === "sim service 127.0.0.1:80");
    assert.match(note?.reason ?? "", /ports below 1024 need privileges on Linux/);
  }
  for (const port of PORTS) {
    const { connection, winner } = await connect("www.example", port, { mif });
    try {
      assert.ok(["127.0.0.1", "::1"].includes(winner.address), winner.address);
      assert.equal(await new Response(connection.readable).text(), GREETING, `port ${port}`);
    } finally {
      await connection.close();
    }
  }
});

/** Runs the CLI with arguments; kills it after 30 s. */
const mifCli = (...args: string[]) => runMif(args, 30_000);

Deno.test("mif --platform sim resolve www.example prints the sim's addresses and exits 0", async () => {
  const { code, stdout, stderr } = await mifCli("--platform", "sim", "resolve", "www.example");
  assert.equal(code, 0, stderr);
  assert.ok(stdout.includes("127.0.0.1"), stdout);
  assert.ok(stdout.includes("::1"), stdout);
});

Deno.test("mif --platform sim connect www.example connects to a sim address and exits 0", async () => {
  for (const port of PORTS) {
    const { code, stdout, stderr } = await mifCli(
      "--platform",
      "sim",
      "connect",
      "www.example",
      String(port),
    );
    assert.equal(code, 0, `port ${port}: ${stderr}`);
    assert.ok(stdout.includes("127.0.0.1") || stdout.includes("::1"), stdout);
  }
});
