/**
 * `mif fetch`: its pure parts (the command line, -H, exit statuses, the hop
 * and TLS lines, the --json report) and runs of the CLI over loopback: a
 * sim scenario whose PD's DNS server sends the URL's host to a local HTTPS
 * server, trusted with --cacert.
 */

import assert from "node:assert/strict";
import { oneLinkScenario } from "../fixtures/helpers.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { ROOT, RUN, runMif } from "../fixtures/mif_cli.ts";
import { makeCertificates, opensslUnavailable } from "../fixtures/tls_certs.ts";
import { parseHeader, parseInvocation, UsageError } from "../../cli/args.ts";
import { EXIT, exitStatus, FETCH_REPORT_REASONS } from "../../cli/exit.ts";
import {
  describeFailure,
  failedFetchReport,
  formatHead,
  formatHop,
  hopLines,
  responseReport,
} from "../../cli/fetch_report.ts";
import { formatRace } from "../../cli/timeline_text.ts";
import { ConnectFailedError } from "../../connect/timeline.ts";
import { MifFetchError } from "../../fetch/fetch_error.ts";
import type { FetchHop } from "../../fetch/fetch_options.ts";

// --- The command line ----------------------------------------------------------------------

Deno.test("parseInvocation fetch: curl's short options, -d implies POST, -H split, path options", () => {
  const line = parseInvocation([
    "fetch",
    "https://www.mif.example:8443/a?b=1",
    "-H",
    "Accept: text/plain",
    "-HX-Trace:1",
    "-d",
    "x=1",
    "-o",
    "out.bin",
    "-i",
    "--fail",
    "--cacert",
    "ca.pem",
    "--pd",
    "eth0/ipv4",
    "--require=wifi,vpn",
    "--avoid",
    "cellular",
    "--connect-timeout",
    "2.5",
  ]);
  assert.deepEqual(line, {
    command: "fetch",
    json: false,
    pds: ["eth0/ipv4"],
    url: "https://www.mif.example:8443/a?b=1",
    method: "POST",
    headers: [["Accept", "text/plain"], ["X-Trace", "1"]],
    data: "x=1",
    output: "out.bin",
    include: true,
    fail: true,
    caCertFiles: ["ca.pem"],
    connectTimeout: 2500,
    require: ["wifi", "vpn"],
    avoid: ["cellular"],
  });
  assert.equal(parseInvocation(["fetch", "http://a.example/", "-XDELETE"]).method, "DELETE");
  assert.equal(
    parseInvocation(["fetch", "http://a.example/", "-d", "x", "-X", "PUT"]).method,
    "PUT",
  );
  assert.equal(parseInvocation(["fetch", "http://a.example/"]).method, "GET");
  assert.equal(parseInvocation(["fetch", "http://[::1]:8080/"]).url, "http://[::1]:8080/");
});

Deno.test("parseInvocation fetch: a bad URL, method, header or timeout, and fetch's options elsewhere, are usage errors", () => {
  const cases: [string[], RegExp][] = [
    [["fetch"], /^fetch: missing URL$/],
    [["fetch", "www.example/"], /^fetch: URL must be an absolute http: or https: URL/],
    [["fetch", "ftp://a.example/"], /^fetch: URL must be an absolute http: or https: URL/],
    [["fetch", "http://bad..name/"], /^fetch: URL's host "bad\.\.name" has an empty label/],
    [["fetch", "http://a.example/", "-X", "GE T"], /^-X must be an HTTP method/],
    [["fetch", "http://a.example/", "-H", "Accept"], /^-H needs a header as "Name: value"/],
    [["fetch", "http://a.example/", "-H", "Acc ept: x"], /^-H "Acc ept: x" is no valid HTTP/],
    [["fetch", "http://a.example/", "--connect-timeout", "0"], /^--connect-timeout must be/],
    [["fetch", "http://a.example/", "--require", ""], /^--require needs a PD id/],
    [["connect", "a.example", "80", "-i"], /^--include only applies to fetch$/],
    [["resolve", "a.example", "--fail"], /^--fail only applies to fetch$/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseInvocation(args), (error) => {
      assert(error instanceof UsageError, args.join(" "));
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("parseHeader: 'Name: value' with the value trimmed; a colon in the value stays", () => {
  assert.deepEqual(parseHeader("Host: a.example:8080"), ["Host", "a.example:8080"]);
  assert.deepEqual(parseHeader("X-Empty:"), ["X-Empty", ""]);
  assert.throws(() => parseHeader(": x"), UsageError);
});

Deno.test("exit statuses: one per layer (3 name, 1 connect, 4 TLS, 5 HTTP), 2 usage", () => {
  const expected: Record<(typeof FETCH_REPORT_REASONS)[number], number> = {
    "no-pd": 1,
    name: 3,
    connect: 1,
    tls: 4,
    http: 5,
    redirect: 5,
    "http-status": 5,
    usage: 2,
    interrupted: 1,
    "platform-failed": 1,
  };
  for (const reason of FETCH_REPORT_REASONS) assert.equal(exitStatus(reason), expected[reason]);
  assert.deepEqual(EXIT, {
    ok: 0,
    failed: 1,
    usage: 2,
    notTranslated: 3,
    tlsFailed: 4,
    httpFailed: 5,
  });
  assert.equal(exitStatus(null), 0);
  assert.equal(exitStatus("not-translated"), 3, "connect's reasons keep theirs");
});

// --- The report ----------------------------------------------------------------------------

const winner = {
  pdId: "eth0/ipv4",
  interfaceId: "eth0",
  source: "127.0.0.2",
  address: "127.0.0.42",
  port: 8443,
  start: 1.5,
  end: 3,
  outcome: "connected" as const,
};
const race = {
  winner,
  attempts: [winner],
  resolutions: [{
    pdId: "eth0/ipv4",
    interfaceId: "eth0",
    family: "ipv4" as const,
    answers: [{ address: "127.0.0.42", at: 1.4 }],
    end: 1.5,
    outcome: "success" as const,
  }],
};
const raced: FetchHop = {
  url: "https://www.mif.example:8443/old",
  method: "GET",
  status: 302,
  pdId: "eth0/ipv4",
  localAddress: { address: "127.0.0.2", port: 40000 },
  remoteAddress: { address: "127.0.0.42", port: 8443 },
  reused: false,
  race,
  tls: { version: "TLSv1.2", alpnProtocol: "h2" },
  ms: 12.04,
};

Deno.test("each hop: its race exactly as mif connect prints it, then one line with PD, addresses and TLS", () => {
  const lines = hopLines(raced);
  assert.deepEqual(lines.slice(0, -1), formatRace(race));
  assert.equal(
    lines.at(-1),
    "GET https://www.mif.example:8443/old → 302 in 12.0 ms through eth0/ipv4 from 127.0.0.2:40000 " +
      "to 127.0.0.42:8443 (new connection; TLSv1.2, ALPN h2)",
  );
  const reused = { ...raced, url: "https://www.mif.example:8443/new", status: 200, reused: true };
  delete (reused as { race?: unknown }).race;
  assert.deepEqual(hopLines(reused), [
    "GET https://www.mif.example:8443/new → 200 in 12.0 ms through eth0/ipv4 from 127.0.0.2:40000 " +
    "to 127.0.0.42:8443 (reused connection; TLSv1.2, ALPN h2)",
  ]);
  assert.equal(
    formatHop({
      url: "http://[::1]:80/",
      method: "POST",
      remoteAddress: { address: "::1", port: 80 },
      reused: false,
      ms: 1,
    }),
    "POST http://[::1]:80/ → failed in 1.0 ms to [::1]:80 (new connection)",
  );
});

Deno.test("-i's head names the HTTP version ALPN chose, else HTTP/1.1 for http:, else plain HTTP", () => {
  const response = new Response(null, { status: 204, headers: { "x-a": "1" } });
  assert.equal(formatHead(response, raced), "HTTP/2 204\nx-a: 1\n\n");
  assert.equal(
    formatHead(response, { ...raced, tls: { version: "TLSv1.3" } }),
    "HTTP 204\nx-a: 1\n\n",
  );
  assert.equal(
    formatHead(response, { url: "http://a.example/", method: "GET", reused: false, ms: 1 }),
    "HTTP/1.1 204\nx-a: 1\n\n",
  );
});

Deno.test("--json's report has every key; a failure carries its reason and, for a failed race, the race", () => {
  const keys = [
    "ok",
    "reason",
    "error",
    "url",
    "finalUrl",
    "status",
    "statusText",
    "headers",
    "hops",
    "body",
    "race",
  ];
  const response = new Response("x", { status: 200, headers: { "set-cookie": "a=1" } });
  response.headers.append("set-cookie", "b=2");
  const ok = responseReport("https://a.example/", response, [raced], { bytes: 1, savedTo: null });
  assert.deepEqual(Object.keys(ok), keys);
  assert.equal(ok.headers!["set-cookie"], "a=1, b=2");
  assert.deepEqual(JSON.parse(JSON.stringify(ok)).hops, [raced], "hops are plain JSON");
  assert.deepEqual(Object.keys(failedFetchReport("u", "usage", "m")), keys);

  const cause = new ConnectFailedError("Cannot connect to a.example port 443: x", [winner], []);
  const failure = describeFailure(new MifFetchError("connect", "Cannot fetch x", { cause }));
  assert.deepEqual(failure, {
    reason: "connect",
    error: "Cannot fetch x",
    race: { attempts: [winner], resolutions: [] },
  });
  assert.equal(describeFailure(new Error("broken")).reason, "http");
});

// --- Runs over loopback --------------------------------------------------------------------

const NAME = "www.mif.example", ALIAS = "alias.mif.example";
/** 256 bytes, every byte value once: binary-safe output must keep them all. */
const BINARY = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Writes a scenario to a temp file, removed on dispose. */
async function scenarioFile(scenario: unknown) {
  const path = await Deno.makeTempFile({ prefix: "mif-fetch-", suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(scenario));
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path) };
}

/**
 * One PD (eth0, 127.0.0.2) whose DNS server sends NAME and ALIAS to an
 * HTTPS server on 127.0.0.52 with a certificate for NAME only, from a CA
 * written to a file for --cacert.
 */
async function fetchBed() {
  const certs = await makeCertificates([NAME]);
  const server = Deno.serve({
    cert: certs.cert,
    key: certs.key,
    hostname: "127.0.0.52",
    port: 0,
    onListen: () => {},
  }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/old") return Response.redirect(new URL("/bin", request.url), 302);
    if (path === "/bin") return new Response(BINARY, { headers: { "x-mif": "1" } });
    if (path === "/echo") return new Response(request.body, { status: 201 });
    return new Response("not here\n", { status: 404, statusText: "Not Found" });
  });
  const names = { [NAME]: { a: ["127.0.0.52"], ttl: 60 }, [ALIAS]: { a: ["127.0.0.52"], ttl: 60 } };
  const dns = await TestDnsServer.start({ address: "127.0.0.51", names });
  const scenario = await scenarioFile(oneLinkScenario({
    addresses: [{ address: "127.0.0.2", prefixLength: 8 }],
    elements: [{ element: "dhcpv4", data: { "dns-servers": [dns.server] } }],
  }));
  const dir = await Deno.makeTempDir({ prefix: "mif-fetch-" });
  await Deno.writeTextFile(`${dir}/ca.pem`, certs.ca);
  const origin = (host: string) => `https://${host}:${server.addr.port}`;
  return {
    dir,
    origin,
    /** The options every run takes: the scenario and the CA. */
    options: ["--scenario", scenario.path, "--cacert", `${dir}/ca.pem`],
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await dns[Symbol.asyncDispose]();
      await scenario[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
      await certs[Symbol.asyncDispose]();
    },
  };
}

/** Runs the CLI with stdout as bytes (the body is binary), with more `deno run` flags if given. */
async function mifBytes(args: string[], flags: string[] = []) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [RUN[0], ...flags, ...RUN.slice(1), ...args],
    cwd: ROOT,
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

const skipTls = await opensslUnavailable();

Deno.test({
  name:
    "mif fetch over loopback: a redirect, binary body on stdout, -i, -o, --json; a wrong name exits 4",
  ignore: skipTls !== undefined,
  async fn(t) {
    await using bed = await fetchBed();
    await t.step("the body, byte for byte; the race and one line per hop on stderr", async () => {
      const r = await mifBytes(["fetch", `${bed.origin(NAME)}/old`, ...bed.options]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout, BINARY);
      const lines = r.stderr.trimEnd().split("\n");
      assert.match(lines[0], /^connected to 127\.0\.0\.52 port \d+ through eth0\/ipv4 \(eth0\)/);
      assert.match(lines[1], /^ +0 ms +[0-9.]+ ms$/);
      assert.match(lines[2], /^resolve {2}eth0\/ipv4 {2}A {2}/);
      assert.match(
        lines[3],
        /^connect {2}eth0\/ipv4 {2}127\.0\.0\.2 → 127\.0\.0\.52 .* connected$/,
      );
      const hop = (path: string, status: number, connection: string) =>
        new RegExp(
          `^GET ${bed.origin(NAME)}${path} → ${status} in [0-9.]+ ms through eth0/ipv4 from ` +
            `127\\.0\\.0\\.2:\\d+ to 127\\.0\\.0\\.52:\\d+ \\(${connection}; TLSv1\\.[23], `,
        );
      assert.match(lines[4], hop("/old", 302, "new connection"));
      assert.match(lines[5], hop("/bin", 200, "reused connection"), r.stderr);
      assert.equal(lines.length, 6, r.stderr);
    });
    await t.step("-i: the status line and headers first; -d posts the body", async () => {
      const r = await runMif([
        "fetch",
        `${bed.origin(NAME)}/echo`,
        "-i",
        "-d",
        "hi",
        ...bed.options,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^HTTP(\/2|\/1\.1)? 201( Created)?\n(.+: .+\n)+\nhi$/);
    });
    await t.step("-o saves the body; --json reports it, with each hop", async () => {
      const file = `${bed.dir}/out.bin`;
      const args = ["fetch", `${bed.origin(NAME)}/old`, "-o", file, "--json", ...bed.options];
      const denied = await runMif(args);
      assert.equal(denied.code, 1);
      assert.equal(
        denied.stderr,
        `mif: Cannot write ${file}: run mif with --allow-write (or --allow-write=${file})\n`,
      );
      const r = await mifBytes(args, [`--allow-write=${bed.dir}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "", "--json: nothing on stderr");
      const report = JSON.parse(new TextDecoder().decode(r.stdout));
      assert.deepEqual(await Deno.readFile(file), BINARY);
      assert.deepEqual(
        [report.ok, report.reason, report.status, report.headers["x-mif"], report.body],
        [true, null, 200, "1", { bytes: 256, savedTo: file }],
      );
      assert.equal(report.finalUrl, `${bed.origin(NAME)}/bin`);
      assert.deepEqual(report.hops.map((h: FetchHop) => [h.status, h.pdId, h.reused]), [
        [302, "eth0/ipv4", false],
        [200, "eth0/ipv4", true],
      ]);
      assert.equal(report.hops[0].race.winner.address, "127.0.0.52");
      assert.match(report.hops[0].tls.version, /^TLSv1\.[23]$/);
    });
    await t.step("--fail: a 404 exits 5 without the body", async () => {
      const r = await runMif(["fetch", `${bed.origin(NAME)}/nope`, "--fail", ...bed.options]);
      assert.equal(r.code, 5, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /mif: Cannot fetch .*\/nope: the server answered 404 Not Found\n$/);
      const plain = await runMif(["fetch", `${bed.origin(NAME)}/nope`, ...bed.options]);
      assert.deepEqual([plain.code, plain.stdout], [0, "not here\n"]);
    });
    await t.step(
      "a certificate for another name exits 4 (TLS), in text and in --json",
      async () => {
        const r = await runMif(["fetch", `${bed.origin(ALIAS)}/bin`, ...bed.options]);
        assert.equal(r.code, 4, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(
          r.stderr,
          /^connected to 127\.0\.0\.52 port \d+ through eth0\/ipv4/,
          "the race",
        );
        assert.match(r.stderr, /^GET .* → failed in [0-9.]+ ms through eth0\/ipv4 /m);
        assert.match(r.stderr, /mif: Cannot fetch https:\/\/alias\.mif\.example:\d+\/bin: .*\n$/);
        const json = await runMif(["fetch", `${bed.origin(ALIAS)}/bin`, "--json", ...bed.options]);
        assert.equal(json.code, 4, json.stderr);
        assert.equal(JSON.parse(json.stdout).reason, "tls");
      },
    );
    await t.step("without --cacert the CA is unknown: exit 4", async () => {
      const r = await runMif(["fetch", `${bed.origin(NAME)}/bin`, ...bed.options.slice(0, 2)]);
      assert.equal(r.code, 4, r.stderr);
    });
    await t.step(
      "a name no PD translates exits 3; a missing --cacert file is a usage error",
      async () => {
        const r = await runMif(["fetch", `https://nx.mif.example/`, "--json", ...bed.options]);
        assert.equal(r.code, 3, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.equal(report.reason, "name");
        assert.equal(report.race.resolutions[0].outcome, "nxdomain");
        const usage = await runMif([
          "fetch",
          bed.origin(NAME),
          ...bed.options,
          "--cacert",
          "/no/ca",
        ]);
        assert.equal(usage.code, 2);
        assert.equal(usage.stderr, "mif: --cacert /no/ca: no such file\n");
        const typo = await runMif([
          "fetch",
          bed.origin(NAME),
          ...bed.options,
          "--require",
          "wried",
        ]);
        assert.equal(typo.code, 2);
        assert.match(
          typo.stderr,
          /^mif: --require "wried" names no PD, .*; did you mean "wired"\?\n$/,
        );
      },
    );
  },
});
