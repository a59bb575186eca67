import assert from "node:assert/strict";
import { brief, next, oneLinkScenario } from "../fixtures/helpers.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { TcpPeer } from "../fixtures/tcp_peer.ts";
import { ROOT, RUN, runMif } from "../fixtures/mif_cli.ts";
import {
  type ApiMessage,
  CONNECT_FAILED_REASONS,
  type MifStatus,
  openMif,
  validateApiMessage,
} from "../../mod.ts";
import { CONNECT_REPORT_REASONS } from "../../cli/exit.ts";
import { renderStatus } from "../../cli/format.ts";

const mif = (...args: string[]) => runMif(args);

/** Each command line exits 2 with nothing on stdout and one matching line on stderr. */
async function assertUsageErrors(cases: [string[], RegExp][]): Promise<void> {
  for (const [args, message] of cases) {
    const r = await mif(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "", args.join(" "));
    assert.match(r.stderr.trimEnd(), message);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  }
}

/** Writes a scenario to a temp file, removed on dispose. */
async function scenarioFile(scenario: unknown) {
  const path = await Deno.makeTempFile({ prefix: "mif-cli-", suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(scenario));
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path) };
}

// --- Usage, help, version ----------------------------------------------------------------

Deno.test("usage errors are mif's own one-line messages, exit 2, pointing to the command's help", async () => {
  await assertUsageErrors([
    [
      [],
      /^mif: missing command \(commands: status, watch, resolve, connect, fetch, check, help\)$/,
    ],
    [["frobnicate"], /^mif: unknown command "frobnicate" \(commands: status, watch, resolve/],
    [["status", "--bogus"], /^mif: unknown option --bogus \(see mif help status\)$/],
    [
      ["status", "--platform", "plan9"],
      /^mif: --platform must be one of sim, linux, darwin, got "plan9" \(see mif help status\)$/,
    ],
    [["status", "extra"], /^mif: status: unexpected argument "extra"/],
    [
      ["watch", "--platform", "linux", "--scenario", "x.json"],
      /^mif: --scenario only applies to --platform sim/,
    ],
    [
      ["status", "--platform"],
      /^mif: --platform needs a value: sim, linux or darwin \(see mif help status\)$/,
    ],
    [["status", "--json=yes"], /^mif: --json takes no value, got "yes"/],
    [["connect", "x.example", "80", "--from", "a", "--from", "b"], /^mif: --from given twice/],
    [
      ["status", "--platform", "sim", "--resolv-conf", "r.conf"],
      /^mif: --resolv-conf and --lease-dir only apply to --platform linux/,
    ],
    [
      ["status", "--scenario", "s.json", "--lease-dir", "/tmp"],
      /^mif: --resolv-conf and --lease-dir only apply to --platform linux/,
    ],
    [
      ["status", "--platform", "linux", "--replay", "captures/"],
      /^mif: --replay and --record only apply to --platform darwin \(see mif help status\)$/,
    ],
    [
      ["resolve", "www.example", "--replay", "a/"],
      /^mif: --replay only applies to status and watch \(see mif help resolve\)$/,
    ],
    [
      ["status", "--replay", "a/", "--record", "b/"],
      /^mif: --replay and --record exclude each other \(see mif help status\)$/,
    ],
    [["help", "bogus"], /^mif: unknown command "bogus"/],
  ]);
});

Deno.test("near-miss commands, options and values get a 'did you mean'", async () => {
  await assertUsageErrors([
    [["stauts"], /^mif: unknown command "stauts"; did you mean "status"\?/],
    [["conect", "x.example", "80"], /^mif: unknown command "conect"; did you mean "connect"\?/],
    [["status", "--jsno"], /^mif: unknown option --jsno; did you mean --json\? \(see mif help/],
    [
      ["connect", "x.example", "80", "--prohibt", "vpn"],
      /^mif: unknown option --prohibt; did you mean --prohibit\? \(see mif help connect\)$/,
    ],
    [["status", "--platform", "linx"], /; did you mean "linux"\?/],
    [["resolve", "x.example", "--family", "ipv5"], /^mif: --family must be ipv4, ipv6 or both/],
  ]);
});

Deno.test("mif help, mif help COMMAND, --help and -h print help with examples; --version the version", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const version = await mif("--version");
  assert.deepEqual([version.code, version.stdout, version.stderr], [
    0,
    `mif ${config.version}\n`,
    "",
  ]);

  for (const args of [["help"], ["--help"], ["-h"]]) {
    const r = await mif(...args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.stdout, /^Usage: mif <command> \[options\]/);
    assert.match(r.stdout, /^Exit status:$/m);
  }
  for (const command of ["status", "watch", "resolve", "connect"]) {
    const viaHelp = await mif("help", command);
    const viaFlag = await mif(command, "--help");
    assert.equal(viaHelp.code, 0);
    assert.equal(viaFlag.stdout, viaHelp.stdout, `${command} --help is mif help ${command}`);
    assert.match(viaHelp.stdout, new RegExp(`^Usage: mif ${command}`));
    assert.match(viaHelp.stdout, new RegExp(`^Examples:\\n {2}mif ${command}`, "m"));
  }
  const connect = await mif("help", "connect");
  for (const reason of CONNECT_REPORT_REASONS) assert.ok(connect.stdout.includes(reason), reason);
  assert.match(connect.stdout, /^ {2}3 {2}the name was not translated/m);
});

// --- status -------------------------------------------------------------------------------

Deno.test("mif status --json describes the bundled laptop: each PD with its own DNS server on loopback", async () => {
  const r = await mif("status", "--json", "--platform", "sim");
  assert.equal(r.code, 0, r.stderr);
  const status: MifStatus = JSON.parse(r.stdout);
  assert.equal(status.platform, "sim");
  assert.deepEqual(
    status.interfaces.map((n) => [n.interfaceId, n.interfaceType, n.pds.map((p) => p.pdId)]),
    [
      ["wlan0", "wifi", ["wlan0/ipv4", "wlan0/ipv6/fe80::1"]],
      ["rmnet0", "cellular", ["rmnet0/ipv6/fe80::2"]],
      ["tun0", "vpn", ["tun0/ipv4"]],
    ],
  );
  const servers = status.interfaces.flatMap((n) =>
    n.pds.map((p) => [...new Set(p.dnsServers.map((d) => d.address))])
  );
  assert.deepEqual(servers, [["127.0.0.1:5301"], ["[::1]:5302"], ["[::1]:5303"], [
    "127.0.0.1:5304",
  ]]);
  const v4 = status.interfaces[0].pds[0];
  assert.equal(v4.addresses[0].address, "127.0.0.1");
  assert(
    typeof v4.addresses[0].validLifetime === "number" && v4.addresses[0].validLifetime > 86000,
  );
  assert.equal(status.interfaces[2].pds[0].addresses[0].validLifetime, "infinite");
  assert.equal(status.workerPermissions, "net");
});

Deno.test("mif status prints a tree: addresses, elements, DNS servers and each PD's worker; no empty intents section", async () => {
  const r = await mif("status", "--platform", "sim");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wlan0 {2}Wi-Fi · wifi · up · mtu 1500/m);
  assert.match(r.stdout, /^├─ PD wlan0\/ipv4 \(IPv4\)$/m);
  assert.match(r.stdout, /^│ {2}├─ address 127\.0\.0\.1\/8 {2}valid 1d, preferred 1d$/m);
  assert.match(r.stdout, /^│ {2}├─ DNS servers: 127\.0\.0\.1:5301 \(dhcpv4\)$/m);
  assert.match(r.stdout, /^ {3}├─ DNS servers: 127\.0\.0\.1:5304 \(static\)$/m);
  const workers = r.stdout.match(/worker: .*$/gm) ?? [];
  assert.equal(workers.length, 4, "a worker line for each PD");
  assert.ok(
    workers.every((w) => w === "worker: not started (it starts on the PD's first request)"),
  );
  assert.doesNotMatch(r.stdout, /Application intents/);
  assert.doesNotMatch(r.stdout, /: $/m, "no item ends in an empty value");
});

Deno.test("mif status says 'none' for an empty item and names an interface once when its display name is its id", async () => {
  await using file = await scenarioFile({
    name: "lo",
    interfaces: [{
      interfaceId: "lo",
      interfaceType: "loopback",
      pds: [{
        pdId: "lo/ipv4",
        family: "ipv4",
        addresses: [{ address: "127.0.0.2", prefixLength: 8 }],
        elements: [{ element: "static", data: { "dns-servers": [], routers: [] } }],
      }],
    }],
  });
  const r = await mif("status", "--scenario", file.path);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^lo {2}loopback · up$/m);
  assert.match(r.stdout, /^ {3}│ {2}├─ dns-servers: none$/m);
  assert.match(r.stdout, /^ {3}│ {2}└─ routers: none$/m);
  assert.match(r.stdout, /^ {3}├─ DNS servers: none$/m);
  assert.doesNotMatch(r.stdout, / $/m, "no trailing space");
});

Deno.test("status text shows a started PD worker's state, in-flight requests, connections, starts and crashes", async () => {
  await using mif = await openMif({ platform: "sim", workerPermissions: "net" });
  await using sub = mif.subscribe();
  // An IP literal is translated by the PD's own worker, which the request starts.
  sub.post({ type: "translate-name", pdId: "tun0/ipv4", name: "198.51.100.7", translationId: "t" });
  assert.deepEqual(brief([await next(sub, 10_000), await next(sub, 10_000)]), [
    "name-translation tun0/ipv4 198.51.100.7 t",
    "name-translation-done tun0/ipv4 t",
  ]);
  const text = renderStatus(mif.status());
  assert.match(
    text,
    /^ {3}└─ worker: running, 0 in flight, 0 connections, 1 started, 0 crashed$/m,
  );
  assert.equal(text.match(/worker: not started/g)?.length, 3, "the other PDs' workers");
});

Deno.test("mif status with a --resolv-conf or --lease-dir that is not there is a usage error, not a note", async () => {
  await assertUsageErrors([
    [
      ["status", "--resolv-conf", "/no/such/resolv.conf"],
      /^mif: --resolv-conf \/no\/such\/resolv\.conf: no such file$/,
    ],
    [
      ["status", "--lease-dir", "/no/such/dir"],
      /^mif: --lease-dir \/no\/such\/dir: no such directory$/,
    ],
    [["watch", "--resolv-conf", "/tmp"], /^mif: --resolv-conf \/tmp: not a file \(a directory\)$/],
    [["status", "--replay", "/no/such/dir"], /^mif: --replay \/no\/such\/dir: no such directory$/],
    [["status", "--record", "/etc/hostname"], /^mif: --record \/etc\/hostname: not a directory$/],
  ]);
});

Deno.test("mif status with a broken scenario exits 1 naming the file and field", async () => {
  await using file = await scenarioFile({
    name: "b",
    interfaces: [{ interfaceId: "x", interfaceType: "wired", mtu: 1 }],
  });
  const r = await mif("status", "--scenario", file.path);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `mif: Cannot load scenario ${file.path}: interfaces[0].mtu: must be from 68 to 65535`,
  );
});

const REPLAYS = `${ROOT}/tests/testdata/darwin/replay`;

Deno.test("mif status --replay shows a Mac from its captured outputs: a Mojave iMac's Ethernet and Wi-Fi (set7)", async () => {
  const r = await mif("status", "--replay", `${REPLAYS}/set7`, "--json");
  assert.equal(r.code, 0, r.stderr);
  const status = JSON.parse(r.stdout) as MifStatus;
  assert.equal(status.platform, "darwin");
  assert.match(status.description, /^a Mac's captured outputs in .*set7/);
  const by = new Map(status.interfaces.map((i) => [i.interfaceId, i]));
  assert.deepEqual(
    ["en0", "en1"].map((id) => [by.get(id)?.interfaceType, by.get(id)?.pds.map((p) => p.pdId)]),
    [["wired", ["en0/ipv4"]], ["wifi", ["en1/ipv4"]]],
  );
  assert.ok(
    status.notes.some((n) => n.source === "scutil --dns" && /no capture of it/.test(n.reason)),
    "a command without a capture is a skipped source",
  );
});

Deno.test("mif status --replay of a Catalina MacBook (set5): USB LAN wired, iPhone USB cellular, a self-assigned address in no PD", async () => {
  const r = await mif("status", "--replay", `${REPLAYS}/set5`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^en35 {2}USB 10\/100\/1000 LAN · wired · up/m);
  assert.match(r.stdout, /^en37 {2}iPhone USB · cellular · down/m);
  assert.match(r.stdout, /^ {3}└─ PD en35\/ipv4 \(IPv4\)$|^└─ PD en35\/ipv4 \(IPv4\)$/m);
  assert.match(r.stdout, /^ {5}169\.254\.176\.43\/16 .* self-assigned \(RFC 3927\)$/m);
});

Deno.test("mif status --platform darwin off macOS without --replay exits 1 saying how to replay", async () => {
  if (Deno.build.os === "darwin") return;
  const r = await mif("status", "--platform", "darwin");
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^mif: Cannot open platform "darwin": this is linux, not macOS \(--replay DIR/,
  );
});

// --- watch --------------------------------------------------------------------------------

const EXPECTED_WATCH = [
  "interface-announcement wlan0",
  "interface-announcement rmnet0",
  "interface-announcement tun0",
  "provisioning-domain-announcement wlan0/ipv4",
  "provisioning-domain-announcement wlan0/ipv6/fe80::1",
  "provisioning-domain-announcement rmnet0/ipv6/fe80::2",
  "provisioning-domain-announcement tun0/ipv4",
  "configuration-element-announcement wlan0/ipv4 dhcpv4",
  "address-announcement wlan0/ipv4 127.0.0.1",
  "configuration-element-announcement wlan0/ipv6/fe80::1 ra",
  "configuration-element-announcement wlan0/ipv6/fe80::1 dhcpv6",
  "address-announcement wlan0/ipv6/fe80::1 ::1",
  "configuration-element-announcement rmnet0/ipv6/fe80::2 ra",
  "address-announcement rmnet0/ipv6/fe80::2 ::1",
  "configuration-element-announcement tun0/ipv4 static",
  "address-announcement tun0/ipv4 127.0.0.1",
  // 5 s: the Wi-Fi drops.
  "interface-going-away wlan0",
  "no-address-announcement wlan0/ipv4 127.0.0.1",
  "no-configuration-element-announcement wlan0/ipv4 dhcpv4",
  "no-provisioning-domain-announcement wlan0/ipv4",
  "no-address-announcement wlan0/ipv6/fe80::1 ::1",
  "no-configuration-element-announcement wlan0/ipv6/fe80::1 ra",
  "no-configuration-element-announcement wlan0/ipv6/fe80::1 dhcpv6",
  "no-provisioning-domain-announcement wlan0/ipv6/fe80::1",
  // 5.5 s: the link is up again but not provisioned.
  "interface-going-up wlan0",
  // 6 s and 6.5 s: its PDs return, and watch subscribes to them again.
  "provisioning-domain-announcement wlan0/ipv4",
  "configuration-element-announcement wlan0/ipv4 dhcpv4",
  "address-announcement wlan0/ipv4 127.0.0.1",
  "provisioning-domain-announcement wlan0/ipv6/fe80::1",
  "configuration-element-announcement wlan0/ipv6/fe80::1 ra",
  "configuration-element-announcement wlan0/ipv6/fe80::1 dhcpv6",
  "address-announcement wlan0/ipv6/fe80::1 ::1",
];

Deno.test("mif watch --json follows the bundled scenario's Wi-Fi drop and return, then stops cleanly on SIGINT", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...RUN, "watch", "--json", "--platform", "sim"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const messages: ApiMessage[] = [];
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    let buffer = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (messages.length < EXPECTED_WATCH.length) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        const v = validateApiMessage(JSON.parse(line));
        assert(v.ok, line);
        messages.push(v.message);
      }
    }
    child.kill("SIGINT");
    const rest = await reader.read().then(async function drainAll(r): Promise<string> {
      return r.done ? "" : r.value + await reader.read().then(drainAll);
    });
    assert.equal((buffer + rest).trim(), "", "nothing after the expected sequence");
  } finally {
    clearTimeout(deadline);
    try {
      child.kill("SIGKILL");
    } catch { /* ended already */ }
  }
  const status = await child.status;
  assert.deepEqual(brief(messages), EXPECTED_WATCH);
  assert.equal(status.code, 0, await stderr);
  assert.equal(await stderr, "");
  // Lifetimes count from the restore, rounded up: 86400 s, or 86399 when the
  // child read its timer more than a second late.
  const restored = messages.at(-5)!;
  assert(restored.type === "address-announcement", JSON.stringify(restored));
  assert([86399, 86400].includes(restored.validLifetime as number), JSON.stringify(restored));
});

Deno.test("mif watch ends with status 0 when the reader of its output goes away", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...RUN, "watch", "--platform", "sim"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    const reader = child.stdout.getReader();
    await reader.read(); // the first announcements
    await reader.cancel(); // like `mif watch | head -1`
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    assert.equal(status.code, 0, stderr);
    assert.equal(stderr, "");
  } finally {
    clearTimeout(deadline);
  }
});

// --- resolve ------------------------------------------------------------------------------

/** The name `mif resolve` and `mif connect` are asked for. */
const NAME = "www.mif.example";

/**
 * Two IPv4 PDs for `mif resolve`: eth0 (127.0.0.2) whose DNS server
 * answers NAME with an A and an AAAA record, wlan0 (127.0.0.3) whose
 * server answers an A record only.
 */
async function resolveBed() {
  const dnsA = await TestDnsServer.start({
    address: "127.0.0.22",
    names: { [NAME]: { a: ["198.51.100.80"], aaaa: ["2001:db8:a::80"], ttl: 60 } },
  });
  const dnsB = await TestDnsServer.start({
    address: "127.0.0.23",
    names: { [NAME]: { a: ["203.0.113.80"], ttl: 30 } },
  });
  const links = oneLinkScenario({
    elements: [{ element: "dhcpv4", data: { "dns-servers": [dnsA.server] } }],
  });
  links.interfaces.push({
    interfaceId: "wlan0",
    interfaceType: "wifi",
    pds: [{
      pdId: "wlan0/ipv4",
      family: "ipv4",
      addresses: [{ address: "127.0.0.3", prefixLength: 8 }],
      elements: [{ element: "dhcpv4", data: { "dns-servers": [dnsB.server] } }],
    }],
  });
  const file = await scenarioFile(links);
  return {
    dnsA,
    dnsB,
    file: file.path,
    async [Symbol.asyncDispose]() {
      await file[Symbol.asyncDispose]();
      await dnsA[Symbol.asyncDispose]();
      await dnsB[Symbol.asyncDispose]();
    },
  };
}

Deno.test("mif resolve asks each PD for its own family, from its own DNS server, and labels each answer with its record type", async () => {
  await using bed = await resolveBed();
  const json = await mif("resolve", NAME, "--scenario", bed.file, "--json");
  assert.equal(json.code, 0, json.stderr);
  const lines = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(lines.every((m) => validateApiMessage(m).ok));
  const answers = (pdId: string) =>
    lines.filter((m) => m.pdId === pdId && m.type === "name-translation").map((m) => m.address);
  assert.deepEqual(answers("eth0/ipv4"), ["198.51.100.80"], "an IPv4 PD is asked for A only");
  assert.deepEqual(answers("wlan0/ipv4"), ["203.0.113.80"]);
  assert.equal(lines.filter((m) => m.type === "name-translation-done" && !m.reason).length, 2);
  assert.deepEqual([...new Set(bed.dnsA.queries.map((q) => q.type))], ["A"]);
  assert.ok(bed.dnsA.queries.every((q) => q.address === "127.0.0.2"));
  assert.ok(bed.dnsB.queries.every((q) => q.address === "127.0.0.3"));

  const text = await mif("resolve", NAME, "--scenario", bed.file, "--pd", "wlan0/ipv4");
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stderr, "");
  assert.match(
    text.stdout,
    new RegExp(
      `^\\+[0-9.]+ ms  wlan0/ipv4  A     203\\.0\\.113\\.80  ttl 30  from ${bed.dnsB.server}$`,
      "m",
    ),
  );
  assert.match(text.stdout, /^\+[0-9.]+ ms {2}wlan0\/ipv4 {2}done$/m);
  assert.doesNotMatch(text.stdout, /eth0/, "--pd: only wlan0 was asked");
});

Deno.test("mif resolve --family both asks every PD for A and AAAA, each answer labelled", async () => {
  await using bed = await resolveBed();
  const r = await mif(
    "resolve",
    NAME,
    "--scenario",
    bed.file,
    "--pd",
    "eth0/ipv4",
    "--family",
    "both",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}A {5}198\.51\.100\.80 {2}ttl 60/m);
  assert.match(r.stdout, /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}AAAA {2}2001:db8:a::80 {2}ttl 60/m);
  assert.deepEqual([...new Set(bed.dnsA.queries.map((q) => q.type))].sort(), ["A", "AAAA"]);
});

Deno.test("mif resolve where no PD finds an address exits 3 with one line on stderr saying why, in connect's words", async () => {
  await using bed = await resolveBed();
  const r = await mif("resolve", "nx.mif.example", "--scenario", bed.file);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(
    r.stderr,
    "mif: Cannot resolve nx.mif.example: no PD could translate the name: 2 nxdomain\n",
  );
  assert.match(r.stdout, /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}done: nxdomain/m);
  assert.match(r.stdout, /^\+[0-9.]+ ms {2}wlan0\/ipv4 {2}done: nxdomain/m);
});

Deno.test("mif resolve with an invalid name, or a --pd this host does not have, is a usage error (exit 2) naming the valid PDs", async () => {
  await using bed = await resolveBed();
  await assertUsageErrors([
    [["resolve"], /^mif: resolve: missing NAME \(see mif help resolve\)$/],
    [
      ["resolve", "bad..name", "--scenario", bed.file],
      /^mif: resolve: NAME "bad\.\.name" has an empty label/,
    ],
    [["resolve", ""], /^mif: resolve: NAME must not be empty/],
    [["connect", "bad_na me", "80"], /^mif: connect: HOST "bad_na me" has a character other than/],
    [
      ["resolve", NAME, "--scenario", bed.file, "--pd", "wlan0/ipv5"],
      /^mif: --pd "wlan0\/ipv5" names no provisioning domain of this host \(PDs: eth0\/ipv4, wlan0\/ipv4\); did you mean "wlan0\/ipv4"\?$/,
    ],
    [["status", "--pd", "eth0/ipv4"], /^mif: --pd only applies to resolve and connect/],
  ]);
  assert.equal(bed.dnsA.queries.length + bed.dnsB.queries.length, 0, "nothing was asked");
});

// --- connect ------------------------------------------------------------------------------

/**
 * Three PDs for `mif connect`: eth0 (127.0.0.2) whose DNS answers an
 * address where nothing listens (127.0.0.43: refused), wlan0 (127.0.0.3)
 * whose DNS answers the peer's address (127.0.0.42), and a VPN (127.0.0.4)
 * whose DNS answers the peer's too. Gives the scenario file, the peer,
 * the DNS servers, the peer's port as text and the CLI's arguments.
 */
async function connectBed() {
  const peer = new TcpPeer("127.0.0.42", 0);
  const answer = (address: string) => ({ [NAME]: { a: [address], ttl: 60 } });
  const dns = {
    eth0: await TestDnsServer.start({ address: "127.0.0.32", names: answer("127.0.0.43") }),
    wlan0: await TestDnsServer.start({ address: "127.0.0.33", names: answer("127.0.0.42") }),
    tun0: await TestDnsServer.start({ address: "127.0.0.34", names: answer("127.0.0.42") }),
  };
  const links = oneLinkScenario({
    addresses: [{ address: "127.0.0.2", prefixLength: 8 }],
    elements: [{ element: "dhcpv4", data: { "dns-servers": [dns.eth0.server] } }],
  });
  const others = [
    { interfaceId: "wlan0", interfaceType: "wifi", address: "127.0.0.3" },
    { interfaceId: "tun0", interfaceType: "vpn", address: "127.0.0.4" },
  ] as const;
  for (const { interfaceId, interfaceType, address } of others) {
    links.interfaces.push({
      interfaceId,
      interfaceType,
      pds: [{
        pdId: `${interfaceId}/ipv4`,
        family: "ipv4",
        addresses: [{ address, prefixLength: 8 }],
        elements: [{ element: "dhcpv4", data: { "dns-servers": [dns[interfaceId].server] } }],
      }],
    });
  }
  const file = await scenarioFile(links);
  return {
    file: file.path,
    peer,
    dns,
    port: String(peer.port),
    /** `connect NAME PORT --scenario FILE`. */
    args: ["connect", NAME, String(peer.port), "--scenario", file.path],
    /** Queries any DNS server received. */
    get queries() {
      return Object.values(dns).reduce((n, server) => n + server.queries.length, 0);
    },
    async [Symbol.asyncDispose]() {
      await file[Symbol.asyncDispose]();
      for (const server of Object.values(dns)) await server[Symbol.asyncDispose]();
      await peer[Symbol.asyncDispose]();
    },
  };
}

Deno.test("mif connect races the PDs: the refused path first, then Wi-Fi's connection wins; it prints the winner and a timeline row per attempt and exits 0", async () => {
  await using bed = await connectBed();
  // Wi-Fi is avoided, so eth0's refused attempt comes first; the VPN never takes part.
  const r = await mif(...bed.args, "--avoid", "wlan0", "--prohibit", "vpn");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "no progress line when stderr is no terminal");
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(
    lines[0],
    new RegExp(
      `^connected to 127\\.0\\.0\\.42 port ${bed.port} through wlan0/ipv4 \\(wlan0\\) from 127\\.0\\.0\\.3 in [0-9]+\\.[0-9] ms$`,
    ),
  );
  assert.match(lines[1], /^ +0 ms +[0-9]+\.[0-9] ms$/, "the time axis");
  const rows = lines.slice(2);
  assert.deepEqual(rows.map((l) => l.split(/ {2,}/).slice(0, 3)), [
    ["resolve", "eth0/ipv4", "A"],
    ["resolve", "wlan0/ipv4", "A"],
    ["connect", "eth0/ipv4", "127.0.0.2 → 127.0.0.43"],
    ["connect", "wlan0/ipv4", "127.0.0.3 → 127.0.0.42"],
  ]);
  assert.match(rows[0], / {2}success {2}127\.0\.0\.43 at [0-9.]+ ms$/);
  assert.match(rows[1], / {2}success {2}127\.0\.0\.42 at [0-9.]+ ms$/);
  // Times are padded to a common width: "67.8– 88.9 ms".
  assert.match(rows[2], / {2}[0-9.]+– *[0-9.]+ ms {2}·*█+·* {2}refused( \(.*\))?$/);
  assert.match(rows[3], / {2}[0-9.]+– *[0-9.]+ ms {2}·*█+ {2}connected$/);
  const bars = rows.map((l) => l.match(/[-█·]{40}/)?.[0]);
  assert.ok(bars.every((b) => b !== undefined), "40-column bars");
  assert.ok(
    bars[3]!.indexOf("█") >= bars[2]!.indexOf("█"),
    `the later attempt's bar starts later:\n${r.stdout}`,
  );
  assert.equal(bed.dns.tun0.queries.length, 0, "the prohibited VPN's DNS was never asked");
  const accepted = await bed.peer.accept();
  assert.equal(accepted.remote.hostname, "127.0.0.3", "the peer saw the Wi-Fi PD's address");
  accepted.conn.close();
});

Deno.test("mif connect --json prints one object with every key: reason and error null when connected", async () => {
  await using bed = await connectBed();
  const r = await mif(...bed.args, "--avoid", "wifi", "--prohibit", "tun0/ipv4", "--json");
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(report), [
    "connected",
    "reason",
    "error",
    "winner",
    "attempts",
    "resolutions",
  ]);
  assert.deepEqual([report.connected, report.reason, report.error], [true, null, null]);
  assert.deepEqual(
    [report.winner.pdId, report.winner.source, report.winner.address, report.winner.port],
    ["wlan0/ipv4", "127.0.0.3", "127.0.0.42", bed.peer.port],
  );
  assert.deepEqual(
    report.attempts.map((a: { pdId: string; outcome: string }) => [a.pdId, a.outcome]),
    [["eth0/ipv4", "refused"], ["wlan0/ipv4", "connected"]],
  );
  assert.deepEqual(report.attempts[1], report.winner);
  assert.deepEqual(
    report.resolutions.map((r: { pdId: string; outcome: string; answers: unknown[] }) => [
      r.pdId,
      r.outcome,
      r.answers.length,
    ]),
    [["eth0/ipv4", "success", 1], ["wlan0/ipv4", "success", 1]],
  );
  (await bed.peer.accept()).conn.close();
});

Deno.test("mif connect where every attempt fails exits 1 with connect()'s reason and message, in text and in --json", async () => {
  await using bed = await connectBed();
  const failed = `Cannot connect to ${NAME} port ${bed.port}: every attempt failed: 1 refused`;
  const r = await mif(...bed.args, "--pd", "eth0/ipv4");
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `mif: ${failed}\n`);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(
    lines[0].replace(/after [0-9.]+ ms/, "after … ms"),
    `not connected after … ms: ${failed}`,
  );
  assert.equal(lines.length, 4, "header, axis, eth0's translation, eth0's attempt");
  assert.match(lines[2], /^resolve {2}eth0\/ipv4 {2}A /);
  assert.match(lines[3], /^connect {2}eth0\/ipv4 {2}127\.0\.0\.2 → 127\.0\.0\.43 .* refused/);
  assert.equal(bed.dns.wlan0.queries.length, 0, "--pd: only eth0 took part");

  const json = await mif(...bed.args, "--pd", "eth0/ipv4", "--json");
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(
    [report.connected, report.reason, report.error, report.winner],
    [false, "not-connected", failed, null],
  );
  assert.ok(CONNECT_FAILED_REASONS.includes(report.reason), "the library's own code");
  assert.deepEqual(report.attempts.map((a: { outcome: string }) => a.outcome), ["refused"]);
  assert.equal(bed.peer.waiting, 0, "nothing ever connected");
});

Deno.test("mif connect where no PD translates the name exits 3 (not 1) with reason not-translated", async () => {
  await using bed = await connectBed();
  const args = ["connect", "nx.mif.example", bed.port, "--scenario", bed.file];
  const text = await mif(...args, "--prohibit", "vpn");
  assert.equal(text.code, 3, text.stderr);
  const why =
    `Cannot connect to nx.mif.example port ${bed.port}: no PD could translate the name: 2 nxdomain`;
  assert.equal(text.stderr, `mif: ${why}\n`);
  const json = await mif(...args, "--prohibit", "vpn", "--json");
  assert.equal(json.code, 3);
  const report = JSON.parse(json.stdout);
  assert.deepEqual([report.connected, report.reason, report.error], [false, "not-translated", why]);
  assert.deepEqual(report.attempts, []);
  assert.equal(report.resolutions.length, 2);
});

Deno.test("mif connect with a typo'd policy exits 2 naming the valid PDs, interfaces and types, and races nothing", async () => {
  await using bed = await connectBed();
  const valid =
    "PDs eth0/ipv4, wlan0/ipv4, tun0/ipv4; interfaces eth0, wlan0, tun0; interface types wired, wifi, cellular, vpn, loopback, bridge, virtual, other; or metered, validated";
  await assertUsageErrors([
    [
      [...bed.args, "--prohibit", "cellullar"],
      new RegExp(
        `^mif: --prohibit "cellullar" names no PD, interface or interface type of this host \\(${
          valid.replaceAll("/", "\\/")
        }\\); did you mean "cellular"\\?$`,
      ),
    ],
    [
      [...bed.args, "--avoid", "nosuchthing"],
      /^mif: --avoid "nosuchthing" names no PD, .*; or metered, validated\)$/,
    ],
    [
      [...bed.args, "--prefer", "wlan0,wlan1"],
      /^mif: --prefer "wlan1" names no PD, .*; did you mean "wlan0"\?$/,
    ],
    [
      [...bed.args, "--pd", "eth0/ipv4", "--pd", "nope"],
      /^mif: --pd "nope" names no provisioning domain of this host \(PDs: eth0\/ipv4, wlan0\/ipv4, tun0\/ipv4\)$/,
    ],
    [
      [...bed.args, "--from", "127.0.0.9"],
      /^mif: --from 127\.0\.0\.9 is no address of a PD of this host \(addresses: 127\.0\.0\.2, 127\.0\.0\.3, 127\.0\.0\.4\)$/,
    ],
  ]);
  assert.equal(bed.queries, 0, "no PD was asked to translate anything");

  const json = await mif(...bed.args, "--prohibit", "cellullar", "--json");
  assert.equal(json.code, 2);
  const report = JSON.parse(json.stdout);
  assert.deepEqual([report.connected, report.reason, report.winner], [false, "usage", null]);
  assert.match(report.error, /^--prohibit "cellullar" names no PD/);
});

Deno.test("mif connect's usage errors: exit 2, one line; with --json also the object with reason usage", async () => {
  await assertUsageErrors([
    [["connect"], /^mif: connect: missing HOST/],
    [["connect", NAME], /^mif: connect: missing PORT/],
    [["connect", NAME, "0"], /^mif: connect: PORT must be a number from 1 to 65535, got "0"/],
    [
      ["connect", NAME, "65536"],
      /^mif: connect: PORT must be a number from 1 to 65535, got "65536"/,
    ],
    [["connect", NAME, "http"], /^mif: connect: PORT must be a number from 1 to 65535, got "http"/],
    [["connect", NAME, "80", "--from", "eth0"], /^mif: --from must be an IP address, got "eth0"/],
    [
      ["connect", NAME, "80", "--avoid", "vpn,"],
      /^mif: --avoid needs a PD id, interface id or interface type/,
    ],
    [["connect", NAME, "80", "--family", "ipv4"], /^mif: --family only applies to resolve/],
    [["status", "--prohibit", "vpn"], /^mif: --prohibit only applies to connect/],
    [
      ["resolve", NAME, "--stagger-interfaces"],
      /^mif: --stagger-interfaces only applies to connect/,
    ],
    [["connect", "", "80"], /^mif: connect: HOST must not be empty/],
  ]);
  const json = await mif("connect", NAME, "--json");
  assert.equal(json.code, 2);
  assert.deepEqual(JSON.parse(json.stdout), {
    connected: false,
    reason: "usage",
    error: "connect: missing PORT",
    winner: null,
    attempts: [],
    resolutions: [],
  });
  assert.equal(json.stderr, "mif: connect: missing PORT (see mif help connect)\n");
});

Deno.test("mif connect --json on a platform that cannot be opened: reason platform-failed, exit 1", async () => {
  const r = await mif("connect", NAME, "80", "--platform", "darwin", "--json");
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout);
  assert.deepEqual([report.connected, report.reason], [false, "platform-failed"]);
  assert.match(report.error, /^Cannot open platform "darwin"/);
  assert.equal(r.stderr, `mif: ${report.error}\n`);
});

Deno.test("mif connect and mif resolve interrupted by SIGINT exit 1 saying so; connect --json still prints its object", async () => {
  await using dns = await TestDnsServer.start({
    address: "127.0.0.62",
    names: { [NAME]: { silent: true } },
  });
  await using file = await scenarioFile(oneLinkScenario({
    elements: [{ element: "dhcpv4", data: { "dns-servers": [dns.server] } }],
  }));
  const interrupt = async (...args: string[]) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [...RUN, ...args, "--scenario", file.path],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    const asked = dns.queries.length;
    try {
      // Interrupted while its translation waits for the silent server.
      for (const start = Date.now(); dns.queries.length === asked;) {
        if (Date.now() - start > 10_000) throw new Error("Cannot interrupt: no query arrived");
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGINT");
      const out = await output;
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* ended already */ }
    }
  };
  const json = await interrupt("connect", NAME, "80", "--json");
  assert.equal(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout);
  const why = `Cannot connect to ${NAME} port 80: interrupted`;
  assert.deepEqual([report.connected, report.reason, report.error], [false, "interrupted", why]);
  assert.equal(json.stderr, `mif: ${why}\n`);

  const text = await interrupt("resolve", NAME);
  assert.equal(text.code, 1, text.stderr);
  assert.equal(text.stderr, `mif: Cannot resolve ${NAME}: interrupted\n`);
});
