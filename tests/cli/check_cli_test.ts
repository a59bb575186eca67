/**
 * `mif check`: its pure parts (the command line, exit statuses, the lines
 * and the --json report) and runs of the CLI over loopback: a sim scenario
 * of four PDs, each with its own DNS server answering the probe's name
 * differently: a server answering 204 (full), a captive portal redirecting
 * to its login page, an address where nothing listens (limited), and no
 * such name (none).
 */

import assert from "node:assert/strict";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { ROOT, RUN, runMif } from "../fixtures/mif_cli.ts";
import { parseInvocation, UsageError } from "../../cli/args.ts";
import {
  checkReport,
  type CheckResult,
  checkResult,
  failedCheckReport,
  formatDuration,
  formatResults,
} from "../../cli/check_report.ts";
import { CHECK_REPORT_REASONS, exitStatus } from "../../cli/exit.ts";
import { helpText } from "../../cli/help.ts";

// --- The command line ----------------------------------------------------------------------

Deno.test("parseInvocation check: --pd, --url, --timeout in ms, --fresh, --cacert", () => {
  const line = parseInvocation([
    "check",
    "--pd",
    "eth0/ipv4,wlan0/ipv4",
    "--url",
    "http://probe.example:8080/generate_204",
    "--timeout",
    "2.5",
    "--fresh",
    "--cacert",
    "ca.pem",
    "--json",
  ]);
  assert.deepEqual(line, {
    command: "check",
    json: true,
    pds: ["eth0/ipv4", "wlan0/ipv4"],
    url: "http://probe.example:8080/generate_204",
    timeout: 2500,
    fresh: true,
    caCertFiles: ["ca.pem"],
  });
  assert.deepEqual(parseInvocation(["check"]), { command: "check", json: false });
  assert.equal(
    helpText("check").split("\n")[0],
    "Usage: mif check [--pd ID] [--url URL] " +
      "[--timeout SECONDS] [--fresh]",
  );
});

Deno.test("parseInvocation check: a bad --url or --timeout, an argument, check's options elsewhere, are usage errors", () => {
  const cases: [string[], RegExp][] = [
    [["check", "--url", "probe.example/x"], /^--url must be an absolute http: or https: URL/],
    [["check", "--url", "ftp://probe.example/"], /^--url must be an absolute http: or https:/],
    [["check", "--url", "http://bad..name/"], /^--url's host "bad\.\.name" has an empty label/],
    [["check", "--timeout", "0"], /^--timeout must be a number of seconds, got "0"$/],
    [["check", "--timeout", "soon"], /^--timeout must be a number of seconds/],
    [["check", "--pd", ""], /^--pd needs a PD id/],
    [["check", "www.example"], /^check: unexpected argument "www\.example"$/],
    [["fetch", "http://a.example/", "--fresh"], /^--fresh only applies to check$/],
    [["connect", "a.example", "80", "--url", "http://a/"], /^--url only applies to check$/],
    [["check", "--prefer", "wifi"], /^--prefer only applies to connect and fetch$/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseInvocation(args), (error) => {
      assert(error instanceof UsageError, args.join(" "));
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("exit statuses: 1 when no PD has full connectivity or none was checked, 2 usage", () => {
  const expected: Record<(typeof CHECK_REPORT_REASONS)[number], number> = {
    "not-full": 1,
    "no-pd": 1,
    usage: 2,
    interrupted: 1,
    "platform-failed": 1,
  };
  for (const reason of CHECK_REPORT_REASONS) assert.equal(exitStatus(reason), expected[reason]);
});

// --- The lines and the report --------------------------------------------------------------

const URL_204 = "http://probe.example/generate_204";
const found = [
  { pdId: "eth0/ipv4", state: "full" as const, ms: 8.06, kept: false, status: 204 },
  {
    pdId: "wlan0/ipv4",
    state: "captive-portal" as const,
    ms: 12.34,
    kept: false,
    status: 302,
    portalUrl: "http://portal.example/login",
  },
  { pdId: "rmnet0/ipv4", state: "limited" as const, ms: 3012, kept: false, detail: "refused" },
  { pdId: "tun0/ipv4", state: "none" as const, ms: 0, kept: true },
];

Deno.test("one aligned line per PD: status and time, the portal, the detail; kept results say so", () => {
  assert.deepEqual(formatResults(found.map(checkResult)), [
    "eth0/ipv4    full            204 in 8.1 ms",
    "wlan0/ipv4   captive-portal  302 in 12.3 ms → http://portal.example/login",
    "rmnet0/ipv4  limited         in 3.0 s: refused",
    "tun0/ipv4    none            kept from an earlier check",
  ]);
  assert.deepEqual(formatResults([]), []);
  assert.deepEqual(
    formatResults([checkResult({ pdId: "a", state: "limited", ms: 5, kept: false, status: 503 })]),
    ["a  limited  503 in 5.0 ms"],
  );
  assert.equal(formatDuration(999.94), "999.9 ms");
  assert.equal(formatDuration(999.96), "1.0 s");
  assert.equal(formatDuration(0), "0.0 ms");
});

Deno.test("--json's report: every key; ok when one PD is full, else not-full counting the states", () => {
  const ok = checkReport(URL_204, found);
  assert.deepEqual(Object.keys(ok), ["ok", "reason", "error", "url", "results"]);
  assert.deepEqual([ok.ok, ok.reason, ok.error, ok.url], [true, null, null, URL_204]);
  const keys = ["pdId", "state", "ms", "kept", "status", "portalUrl", "detail"];
  for (const r of ok.results) assert.deepEqual(Object.keys(r), keys);
  assert.deepEqual(ok.results.map((r: CheckResult) => r.ms), [8.1, 12.3, 3012, 0]);

  const failed = checkReport(URL_204, found.slice(1));
  assert.deepEqual([failed.ok, failed.reason], [false, "not-full"]);
  assert.equal(
    failed.error,
    `No PD has full connectivity to ${URL_204}: 1 captive-portal, 1 limited, 1 none`,
  );
  const empty = checkReport(URL_204, []);
  assert.deepEqual([empty.ok, empty.reason, empty.results], [false, "no-pd", []]);
  assert.deepEqual(Object.keys(failedCheckReport(null, "usage", "x")), Object.keys(ok));
});

// --- Runs over loopback --------------------------------------------------------------------

const PROBE_NAME = "probe.check.example";
const FULL = "127.0.0.81", PORTAL = "127.0.0.82", SILENT = "127.0.0.83";
const LOGIN = "http://portal.check.example/login";

/** Each link: its PD's source, its DNS server's address, and what that server answers. */
const LINKS = [
  { id: "eth0", type: "wired", source: "127.0.0.2", dns: "127.0.0.84", answer: FULL },
  { id: "wlan0", type: "wifi", source: "127.0.0.3", dns: "127.0.0.85", answer: PORTAL },
  { id: "rmnet0", type: "cellular", source: "127.0.0.4", dns: "127.0.0.86", answer: SILENT },
  { id: "tun0", type: "vpn", source: "127.0.0.5", dns: "127.0.0.87", answer: undefined },
] as const;

/** The four-PD bed: the servers, the DNS servers and a scenario file for --scenario. */
async function checkBed() {
  const full = Deno.serve(
    { hostname: FULL, port: 0, onListen() {} },
    () => new Response(null, { status: 204 }),
  );
  const port = full.addr.port;
  const portal = Deno.serve(
    { hostname: PORTAL, port, onListen() {} },
    () => new Response(null, { status: 302, headers: { location: LOGIN } }),
  );
  const dns: TestDnsServer[] = [];
  for (const l of LINKS) {
    const answer = l.answer ? { a: [l.answer], ttl: 60 } : { rcode: "NXDOMAIN" as const };
    dns.push(await TestDnsServer.start({ address: l.dns, names: { [PROBE_NAME]: answer } }));
  }
  const scenario = {
    name: "four links",
    interfaces: LINKS.map((l, i) => ({
      interfaceId: l.id,
      interfaceType: l.type,
      pds: [{
        pdId: `${l.id}/ipv4`,
        family: "ipv4",
        addresses: [{ address: l.source, prefixLength: 8 }],
        elements: [{ element: "dhcpv4", data: { "dns-servers": [dns[i].server] } }],
      }],
    })),
    timeline: [],
  };
  const path = await Deno.makeTempFile({ prefix: "mif-check-", suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(scenario));
  const url = `http://${PROBE_NAME}:${port}/generate_204`;
  return {
    url,
    /** The options every run takes: the scenario, a short timeout, the probe (the last two). */
    options: ["--scenario", path, "--timeout", "5", "--url", url],
    async [Symbol.asyncDispose]() {
      await full.shutdown();
      await portal.shutdown();
      for (const d of dns) await d[Symbol.asyncDispose]();
      await Deno.remove(path);
    },
  };
}

/** A line of the text output: the PD, its state, then what follows, in aligned columns. */
const line = (pd: string, state: string, rest: string) =>
  new RegExp(`^${pd.replace("/", "\\/")} +${state} +${rest}$`);

Deno.test("mif check over loopback: full, captive-portal, limited and none, in text and --json", async (t) => {
  await using bed = await checkBed();
  await t.step("every PD, one line each; one full PD: exit 0, nothing on stderr", async () => {
    const r = await runMif(["check", ...bed.options]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 4, r.stdout);
    assert.match(lines[0], line("eth0/ipv4", "full", "204 in [0-9.]+ (ms|s)"));
    const portal = `302 in [0-9.]+ (ms|s) → ${LOGIN.replaceAll(".", "\\.")}`;
    assert.match(lines[1], line("wlan0/ipv4", "captive-portal", portal));
    assert.match(
      lines[2],
      line("rmnet0/ipv4", "limited", "in [0-9.]+ (ms|s): .*(refused|connect).*"),
    );
    assert.match(lines[3], line("tun0/ipv4", "none", "in [0-9.]+ (ms|s): .*nxdomain.*"));
    const columns = lines.map((l) => l.search(/(full|captive-portal|limited|none) /));
    assert.deepEqual(new Set(columns).size, 1, "the states are aligned");
  });
  await t.step("--json: one object with every PD's result", async () => {
    const r = await runMif(["check", "--json", ...bed.options]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const report = JSON.parse(r.stdout);
    assert.deepEqual([report.ok, report.reason, report.error, report.url], [
      true,
      null,
      null,
      bed.url,
    ]);
    const results = report.results as CheckResult[];
    assert.deepEqual(results.map((x) => [x.pdId, x.state, x.status, x.portalUrl, x.kept]), [
      ["eth0/ipv4", "full", 204, null, false],
      ["wlan0/ipv4", "captive-portal", 302, LOGIN, false],
      ["rmnet0/ipv4", "limited", null, null, false],
      ["tun0/ipv4", "none", null, null, false],
    ]);
    assert.ok(results.every((x) => x.ms > 0));
    assert.match(results[3].detail!, /nxdomain/);
  });
  await t.step("--pd: only that PD; a captive portal alone exits 1, saying why", async () => {
    const r = await runMif(["check", "--pd", "wlan0/ipv4", ...bed.options]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^wlan0/ipv4  captive-portal  302 in .* → ${LOGIN}\n$`));
    assert.equal(
      r.stderr,
      `mif: No PD has full connectivity to ${bed.url}: 1 captive-portal\n`,
    );
    const json = await runMif(["check", "--pd", "wlan0/ipv4", "--json", ...bed.options]);
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual([report.ok, report.reason, report.results[0].portalUrl], [
      false,
      "not-full",
      LOGIN,
    ]);
  });
  await t.step("limited alone, and none alone, exit 1", async () => {
    for (const [pd, state] of [["rmnet0/ipv4", "limited"], ["tun0/ipv4", "none"]]) {
      const r = await runMif(["check", "--pd", pd, "--json", ...bed.options]);
      assert.equal(r.code, 1, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.deepEqual(report.results.map((x: CheckResult) => [x.pdId, x.state]), [[pd, state]]);
      assert.equal(report.error, `No PD has full connectivity to ${bed.url}: 1 ${state}`);
    }
    const text = await runMif(["check", "--pd", "rmnet0/ipv4,tun0/ipv4", ...bed.options]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^rmnet0\/ipv4 {2}limited {2}in .*\ntun0\/ipv4 {4}none {5}in .*\n$/);
  });
  await t.step("several --pd: those PDs, in the order given; one full is enough", async () => {
    const r = await runMif(["check", "--pd", "tun0/ipv4", "--pd", "eth0/ipv4", ...bed.options]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.deepEqual(lines.map((l) => l.split(" ")[0]), ["tun0/ipv4", "eth0/ipv4"]);
  });
  await t.step("$MIF_CHECK_URL names the probe when mif may read it", async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [RUN[0], "--allow-env=MIF_CHECK_URL", ...RUN.slice(1), "check", "--pd", "eth0/ipv4"]
        .concat(bed.options.slice(0, -2)),
      cwd: ROOT,
      stdin: "null",
      env: { NO_COLOR: "1", MIF_CHECK_URL: bed.url },
      signal: AbortSignal.timeout(60_000),
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(stdout, /^eth0\/ipv4 {2}full {2}204 in /);
  });
  await t.step(
    "an unknown --pd, a --url without a scheme, a missing --cacert: exit 2",
    async () => {
      const pd = await runMif(["check", "--pd", "wlan1/ipv4", ...bed.options]);
      assert.equal(pd.code, 2);
      assert.equal(pd.stdout, "");
      assert.match(
        pd.stderr,
        /^mif: --pd "wlan1\/ipv4" names no provisioning domain of this host \(PDs: eth0\/ipv4, wlan0\/ipv4, rmnet0\/ipv4, tun0\/ipv4\); did you mean "wlan0\/ipv4"\?\n$/,
      );
      const json = await runMif(["check", "--pd", "wlan1/ipv4", "--json", ...bed.options]);
      assert.equal(json.code, 2);
      assert.deepEqual(JSON.parse(json.stdout).reason, "usage");
      const noScheme = `${PROBE_NAME}/generate_204`;
      const url = await runMif(["check", ...bed.options.slice(0, -2), "--url", noScheme]);
      assert.equal(url.code, 2);
      assert.match(url.stderr, /^mif: --url must be an absolute http: or https: URL, got "/);
      const ca = await runMif(["check", ...bed.options, "--cacert", "/no/ca.pem"]);
      assert.deepEqual([ca.code, ca.stderr], [2, "mif: --cacert /no/ca.pem: no such file\n"]);
    },
  );
});
