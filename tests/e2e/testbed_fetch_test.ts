/**
 * mif's fetch() on the racing test bed (TestBed.create({ race: true })) with
 * srv's HTTPS server (bed.startHttps, tests/testbed/https_server.ts) and a
 * throwaway CA (tests/fixtures/tls_certs.ts): the default path A (neta)
 * has IPv6 to the server silently dropped, path B (netb, IPv4) is healthy.
 * The client (tests/fixtures/fetch_client.ts) runs in the host namespace;
 * a plain Deno fetch() beside it uses the system resolver with A's DNS.
 * Skipped with the reason outside root or Linux or without openssl; with
 * CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  HTTPS_CERT_NAMES,
  HTTPS_EXPIRED_PORT,
  RACE_ANSWERS,
  RACE_NAME,
  RACE_OTHER_NAMES,
  type TestBed,
  withTestBed,
} from "../testbed/testbed.ts";
import { clientResult, hostClientArgv } from "../testbed/mif_process.ts";
import { makeCertificates, opensslUnavailable } from "../fixtures/tls_certs.ts";
import type { BareRecord, PlainRecord, Step, StepResult } from "../fixtures/fetch_client.ts";

const CLIENT = new URL("../fixtures/fetch_client.ts", import.meta.url).pathname;
const BASE = `https://${RACE_NAME}/`;
const OTHER = `https://${RACE_OTHER_NAMES.other}/`;
const MIB = 2 ** 20;

const unavailable = await testbedUnavailable() ??
  (await Deno.stat("/dev/net/tun").then(
    () => undefined,
    () => "the delay lines need /dev/net/tun",
  )) ??
  await opensslUnavailable();

/** Runs the client in a mode; returns what it printed last. */
async function client(
  bed: TestBed,
  mode: string,
  input: unknown,
): Promise<Record<string, unknown>> {
  const argv = hostClientArgv(bed, CLIENT, [
    bed.resolvConf,
    bed.stateDir,
    bed.defaultPathResolvConf,
    `${bed.dir}/ca.pem`,
    mode,
    JSON.stringify(input),
  ], { privateMount: true });
  return await clientResult(argv, '"event":"result"', AbortSignal.timeout(120_000));
}

/**
 * fetch() without `mif` (the client's bare mode): what it did, the exit
 * status, and how long the process took to exit after printing (it does
 * not call Deno.exit: only a closed Mif lets it end).
 */
async function bareFetch(
  bed: TestBed,
  url: string,
): Promise<{ bare: BareRecord; code: number; exitMs: number; stderr: string }> {
  const [program, ...args] = hostClientArgv(bed, CLIENT, [
    bed.resolvConf,
    bed.stateDir,
    bed.defaultPathResolvConf,
    `${bed.dir}/ca.pem`,
    "bare",
    JSON.stringify({ url }),
  ], { privateMount: true });
  const child = new Deno.Command(program, {
    args,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let text = "";
  let printedAt: number | undefined;
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (printedAt === undefined && text.includes('"event":"result"')) printedAt = performance.now();
  }
  const { code } = await child.status;
  const exitMs = performance.now() - (printedAt ?? NaN);
  const line = text.split("\n").find((l) => l.includes('"event":"result"'));
  if (!line) {
    throw new Error(
      `Cannot fetch: the client exited with ${code}, printed ${text}, stderr ${await stderr}`,
    );
  }
  return { bare: JSON.parse(line).bare, code, exitMs, stderr: await stderr };
}

/** Runs the client's steps with one Mif; returns each step's result. */
async function run(bed: TestBed, steps: Step[]): Promise<StepResult[]> {
  return (await client(bed, "steps", steps)).steps as StepResult[];
}

/**
 * A plain Deno fetch() of `url` in a process of its own, at the same time
 * as mif's: still pending after `pendingMs`, it is aborted.
 */
async function plainBeside(
  bed: TestBed,
  step: Step,
  pendingMs: number,
): Promise<[StepResult, PlainRecord]> {
  const plain = client(bed, "plain", { url: step.url, pendingMs });
  const [result] = await run(bed, [step]);
  return [result, (await plain).plain as PlainRecord];
}

/** Runs one step. */
async function one(bed: TestBed, step: Step): Promise<StepResult> {
  const [result] = await run(bed, [step]);
  return result;
}

/** The host's IPv4 address on a link. */
async function hostIpv4(bed: TestBed, dev: string): Promise<string> {
  const links = JSON.parse(await bed.ip(bed.ns.host, "-j", "-4", "addr", "show", "dev", dev));
  return links[0].addr_info[0].local;
}

const describe = (r: StepResult) =>
  JSON.stringify({ ...r, text: r.text?.slice(0, 200), json: undefined });

testbedTest(
  "fetch() over the racing test bed's HTTPS server with the default path's IPv6 broken",
  unavailable,
  async (t) => {
    await using certs = await makeCertificates(HTTPS_CERT_NAMES);
    await withTestBed({ race: true }, async (bed) => {
      await Deno.writeTextFile(`${bed.dir}/ca.pem`, certs.ca);
      await bed.startHttps(certs);
      await bed.breakIpv6("a", true);
      const [v4a, v6a] = RACE_ANSWERS.a;
      const [v4b] = RACE_ANSWERS.b;
      const neta = await hostIpv4(bed, "neta");
      const netb = await hostIpv4(bed, "netb");

      await t.step(
        "mif fetch() gets race.mif.example over IPv4 while a plain fetch() stalls on IPv6 first",
        async () => {
          const [r, plain] = await plainBeside(bed, { url: BASE }, 30_000);
          assert.ok(r.ok, describe(r));
          assert.equal(r.status, 200);
          assert.equal(r.hops.length, 1);
          const [hop] = r.hops;
          assert.equal(hop.reused, false);
          assert.ok(([v4a, v4b] as string[]).includes(hop.remoteAddress!.address), describe(r));
          // IPv6 usually goes first and hangs; when A's AAAA answer comes over 50 ms after the
          // A answers (RFC 8305's resolution delay, a loaded machine), IPv4 may go first.
          const v6 = hop.race!.attempts.filter((a) => a.address === v6a);
          assert.ok(v6.every((a) => a.outcome !== "connected"), describe(r));
          assert.equal(r.text, `${hop.localAddress!.address} ${hop.localAddress!.port}\n`);
          console.log(`mif: headers after ${r.headersMs!.toFixed(0)} ms`);
          // Deno's fetch() (hyper-util) tries the second family 300 ms after the
          // first: it does not hang with IPv4 still working through A.
          assert.equal(plain.outcome, "ok", JSON.stringify(plain));
          assert.ok(plain.ms >= 250, `the plain fetch waited on IPv6 first: ${plain.ms} ms`);
          assert.equal(plain.text!.split(" ")[0], neta, "the plain fetch went over A's IPv4");
          console.log(`plain Deno fetch(): body after ${plain.ms.toFixed(0)} ms`);
        },
      );

      await t.step(
        "with path A dead (IPv4 dropped too) a plain fetch() hangs; mif fetch() gets through B",
        async () => {
          await bed.breakIpv4("a", true);
          try {
            const [r, plain] = await plainBeside(bed, { url: BASE }, 2000);
            assert.ok(r.ok, describe(r));
            assert.equal(r.hops[0].pdId, "netb/ipv4", describe(r));
            assert.equal(r.text!.split(" ")[0], netb);
            assert.equal(plain.atDeadline, "pending", JSON.stringify(plain));
            assert.equal(plain.outcome, "error");
            assert.equal(plain.error!.name, "AbortError", "it ended only with the abort");
          } finally {
            await bed.breakIpv4("a", false);
          }
        },
      );

      await t.step("HTTP/2 by ALPN by default; HTTP/1.1 with http2: false", async () => {
        const [both, h1, h2] = await run(bed, [
          { url: `${BASE}version` },
          { url: `${BASE}version`, init: { http2: false } },
          { url: `${BASE}version`, init: { http1: false } },
        ]);
        assert.equal(both.text, "HTTP/2\n", describe(both));
        assert.equal(h1.text, "HTTP/1.1\n", describe(h1));
        assert.equal(h2.text, "HTTP/2\n", describe(h2));
      });

      await t.step(
        "a redirect to other.mif.example races again: two hops, the second not reused",
        async () => {
          const [warm, r] = await run(bed, [
            { url: BASE },
            { url: `${BASE}redirect?to=${encodeURIComponent(OTHER)}` },
          ]);
          assert.ok(warm.ok && r.ok, describe(r));
          assert.equal(r.status, 200);
          assert.equal(r.url, OTHER);
          assert.equal(r.redirected, true);
          assert.deepEqual(r.hops.map((h) => [h.url, h.status]), [
            [`${BASE}redirect?to=${encodeURIComponent(OTHER)}`, 302],
            [OTHER, 200],
          ]);
          assert.equal(r.hops[0].reused, true, "the first hop's origin was kept alive");
          assert.equal(r.hops[1].reused, false, "a new origin is never reused");
          assert.ok(r.hops[1].race, "the second hop raced");
          assert.equal(r.text!.split(" ")[0], r.hops[1].localAddress!.address);
        },
      );

      await t.step("a POST body, its method and headers reach /echo", async () => {
        const body = "hello from mif ".repeat(1000);
        const r = await one(bed, {
          url: `${BASE}echo`,
          init: { method: "POST", body, headers: { "x-mif-test": "yes" } },
          read: "json",
        });
        assert.ok(r.ok, describe(r));
        const echo = r.json as { method: string; headers: Record<string, string>; body: string };
        assert.equal(echo.method, "POST");
        assert.equal(echo.headers["x-mif-test"], "yes");
        assert.equal(echo.body, body);
      });

      await t.step("a 64 MiB download streams in whole: byte count and content right", async () => {
        const r = await one(bed, { url: `${BASE}bytes/${64 * MIB}`, read: "count" });
        assert.ok(r.ok, describe(r));
        assert.equal(r.bytes, 64 * MIB);
        assert.equal(r.pattern, true, "byte i is i mod 256");
        assert.ok(r.chunks! > 1, `streamed in ${r.chunks} chunks`);
        const mibs = 64 / ((r.totalMs! - r.headersMs!) / 1000);
        console.log(`64 MiB in ${r.totalMs!.toFixed(0)} ms (${mibs.toFixed(1)} MiB/s)`);
      });

      await t.step(
        "aborting mid-body ends the read with AbortError; the Mif fetches on",
        async () => {
          const [r, after] = await run(bed, [
            { url: `${BASE}bytes/${64 * MIB}`, abortAfter: MIB },
            { url: BASE },
          ]);
          assert.ok(r.ok, describe(r));
          assert.equal(r.abortError?.name, "AbortError", describe(r));
          assert.ok(r.bytes! >= MIB && r.bytes! < 64 * MIB, `read ${r.bytes} bytes`);
          assert.ok(after.ok, describe(after));
          assert.equal(after.status, 200);
        },
      );

      await t.step(
        "an expired certificate is refused: MifFetchError reason tls",
        async () => {
          const url = `https://${RACE_NAME}:${HTTPS_EXPIRED_PORT}/`;
          const r = await one(bed, { url });
          assert.equal(r.ok, false, describe(r));
          assert.equal(r.error!.name, "MifFetchError", describe(r));
          assert.equal(r.error!.isTypeError, true);
          assert.equal(r.error!.reason, "tls");
          assert.ok(r.error!.message.startsWith(`Cannot fetch ${url}: `), r.error!.message);
          assert.match(r.error!.message, /expired/i);
          console.log(r.error!.message);
        },
      );

      await t.step(
        "a name not in the certificate is refused: MifFetchError reason tls",
        async () => {
          const url = `https://${RACE_OTHER_NAMES.wrong}/`;
          const r = await one(bed, { url });
          assert.equal(r.ok, false, describe(r));
          assert.equal(r.error!.name, "MifFetchError", describe(r));
          assert.equal(r.error!.reason, "tls");
          assert.ok(r.error!.message.startsWith(`Cannot fetch ${url}: `), r.error!.message);
          assert.match(r.error!.message, /not ?valid ?for ?name/i);
          console.log(r.error!.message);
        },
      );

      await t.step("pd: pins the request to B's PD", async () => {
        const r = await one(bed, { url: BASE, init: { pd: "netb/ipv4" } });
        assert.ok(r.ok, describe(r));
        assert.equal(r.hops[0].pdId, "netb/ipv4");
        assert.ok(r.hops[0].race!.attempts.every((a) => a.pdId === "netb/ipv4"), describe(r));
        assert.equal(r.text!.split(" ")[0], netb, "the server saw the host's netb address");
      });

      await t.step(
        "a known Deno limit: fetch() pinned to B still has Deno look the name up through the system resolver (A's DNS)",
        async () => {
          const asked = async (router: "a" | "b") =>
            (await bed.dnsQueries(router)).filter((q) => q.name === RACE_OTHER_NAMES.other).length;
          const before = { a: await asked("a"), b: await asked("b") };
          const r = await one(bed, { url: OTHER, init: { pd: "netb/ipv4" }, freshMif: true });
          assert.ok(r.ok, describe(r));
          assert.equal(r.hops[0].pdId, "netb/ipv4");
          assert.ok(await asked("b") > before.b, "the race asked B's DNS, from netb");
          // Deno 2.9.6's proxy connector resolves the URL's host itself before tunnelling
          // (check_dst in ext/fetch/proxy.rs): the client's system resolver is A's DNS. When
          // this fails, Deno stopped doing so: update the README's note on it.
          assert.ok(await asked("a") > before.a, "Deno asked the system resolver too");
        },
      );

      await t.step(
        "fetch() without mif opens its own Mif and closes it: the process ends by itself",
        async () => {
          // fetch() takes no platform options: its Mif reads the system's sources, i.e.
          // /etc/resolv.conf (the default path's, bound over it) and the default lease dirs.
          const { bare, code, exitMs, stderr } = await bareFetch(bed, BASE);
          assert.ok(bare.ok, JSON.stringify(bare));
          assert.equal(bare.status, 200);
          assert.equal(bare.hops.length, 1);
          const [hop] = bare.hops;
          assert.equal(bare.text, `${hop.localAddress!.address} ${hop.localAddress!.port}\n`);
          assert.equal(code, 0, stderr);
          // A Mif left open (PD workers, the platform's monitor, kept-alive routes) would hold
          // the process until the client's 5-minute watchdog, which does not keep it alive.
          assert.ok(exitMs < 10_000, `exited ${exitMs.toFixed(0)} ms after the body was read`);
          console.log(`through ${hop.pdId}; exited ${exitMs.toFixed(0)} ms after the body`);
        },
      );
    });
  },
);
