import assert from "node:assert/strict";
import { brief, oneLinkScenario } from "./helpers.ts";
import { TestDnsServer } from "./fixtures/dns_server.ts";
import { TcpPeer } from "./fixtures/tcp_peer.ts";
import { type ApiMessage, type MifStatus, validateApiMessage } from "../mod.ts";
import { parseInvocation, UsageError } from "../cli/args.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const RUN = ["run", "--unstable-worker-options", "--allow-read", "--allow-net", "cli.ts"];

async function mif(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...RUN, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Each command line exits 2 with nothing on stdout and one matching line on stderr. */
async function assertUsageErrors(cases: [string[], RegExp][]): Promise<void> {
  for (const [args, message] of cases) {
    const r = await mif(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  }
}

Deno.test("usage errors exit 2 with one line on stderr", async () => {
  const cases: [string[], RegExp][] = [
    [[], /^mif: missing command/],
    [["frobnicate"], /^mif: unknown command "frobnicate"/],
    [["status", "--bogus"], /^mif: Unknown option '--bogus'/],
    [
      ["status", "--platform", "plan9"],
      /^mif: --platform must be one of sim, linux, darwin, got "plan9"/,
    ],
    [["status", "extra"], /^mif: unexpected argument "extra"/],
    [
      ["watch", "--platform", "linux", "--scenario", "x.json"],
      /^mif: --scenario only applies to --platform sim/,
    ],
    [["status", "--platform"], /^mif: Option '--platform <value>' argument missing/],
    [
      ["status", "--platform", "sim", "--resolv-conf", "r.conf"],
      /^mif: --resolv-conf and --lease-dir only apply to --platform linux/,
    ],
    [
      ["status", "--scenario", "s.json", "--lease-dir", "/tmp"],
      /^mif: --resolv-conf and --lease-dir only apply to --platform linux/,
    ],
  ];
  await assertUsageErrors(cases);
});

Deno.test("--help prints usage and exits 0", async () => {
  const r = await mif("--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: mif <command> \[options\]/);
});

Deno.test("parseInvocation: --scenario implies the sim platform", () => {
  assert.deepEqual(parseInvocation(["status", "--scenario", "a.json"]), {
    command: "status",
    json: false,
    platform: "sim",
    scenario: "a.json",
  });
  assert.throws(() => parseInvocation(["status", "--json=yes"]), UsageError);
});

Deno.test("parseInvocation: --resolv-conf and --lease-dir imply the linux platform", () => {
  assert.deepEqual(
    parseInvocation(["watch", "--lease-dir", "/a", "--lease-dir", "/b", "--resolv-conf", "r"]),
    {
      command: "watch",
      json: false,
      platform: "linux",
      resolvConf: "r",
      leaseDirs: ["/a", "/b"],
    },
  );
});

Deno.test("mif status --json describes the bundled laptop", async () => {
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
  const v4 = status.interfaces[0].pds[0];
  assert.deepEqual(v4.dnsServers, [{ address: "127.0.1.1", element: "dhcpv4" }]);
  assert.equal(v4.addresses[0].address, "127.0.1.2");
  assert(
    typeof v4.addresses[0].validLifetime === "number" && v4.addresses[0].validLifetime > 86000,
  );
  assert.equal(status.interfaces[2].pds[0].addresses[0].validLifetime, "infinite");
  assert.equal(status.workerPermissions, "net");
});

Deno.test("mif status prints a tree with addresses, elements and DNS servers", async () => {
  const r = await mif("status", "--platform", "sim");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wlan0 {2}Wi-Fi · wifi · up · mtu 1500/m);
  assert.match(r.stdout, /^├─ PD wlan0\/ipv4 \(IPv4\)$/m);
  assert.match(r.stdout, /^│ {2}├─ address 127\.0\.1\.2\/24 {2}valid /m);
  assert.match(r.stdout, /^ {3}└─ DNS servers: 127\.0\.3\.1 \(static\)$/m);
  assert.match(r.stdout, /^Application intents:\n {2}none recorded in this process$/m);
});

Deno.test("mif status with a broken scenario exits 1 naming the file and field", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mif-cli-" });
  try {
    const file = `${dir}/broken.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        name: "b",
        interfaces: [{ interfaceId: "x", interfaceType: "wired", mtu: 1 }],
      }),
    );
    const r = await mif("status", "--scenario", file);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `mif: Cannot load scenario ${file}: interfaces[0].mtu: must be from 68 to 65535`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mif status on a platform not implemented yet exits 1 saying so", async () => {
  const r = await mif("status", "--platform", "darwin");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^mif: Cannot open platform "darwin": it is not implemented yet/);
});

const EXPECTED_WATCH = [
  "interface-announcement wlan0",
  "interface-announcement rmnet0",
  "interface-announcement tun0",
  "provisioning-domain-announcement wlan0/ipv4",
  "provisioning-domain-announcement wlan0/ipv6/fe80::1",
  "provisioning-domain-announcement rmnet0/ipv6/fe80::2",
  "provisioning-domain-announcement tun0/ipv4",
  "configuration-element-announcement wlan0/ipv4 dhcpv4",
  "address-announcement wlan0/ipv4 127.0.1.2",
  "configuration-element-announcement wlan0/ipv6/fe80::1 ra",
  "configuration-element-announcement wlan0/ipv6/fe80::1 dhcpv6",
  "address-announcement wlan0/ipv6/fe80::1 ::1",
  "configuration-element-announcement rmnet0/ipv6/fe80::2 ra",
  "address-announcement rmnet0/ipv6/fe80::2 ::1",
  "configuration-element-announcement tun0/ipv4 static",
  "address-announcement tun0/ipv4 127.0.3.2",
  // 2 s: the Wi-Fi drops.
  "interface-going-away wlan0",
  "no-address-announcement wlan0/ipv4 127.0.1.2",
  "no-configuration-element-announcement wlan0/ipv4 dhcpv4",
  "no-provisioning-domain-announcement wlan0/ipv4",
  "no-address-announcement wlan0/ipv6/fe80::1 ::1",
  "no-configuration-element-announcement wlan0/ipv6/fe80::1 ra",
  "no-configuration-element-announcement wlan0/ipv6/fe80::1 dhcpv6",
  "no-provisioning-domain-announcement wlan0/ipv6/fe80::1",
  // 2.5 s: the link is up again but not provisioned.
  "interface-going-up wlan0",
  // 3 s and 3.5 s: its PDs return, and watch subscribes to them again.
  "provisioning-domain-announcement wlan0/ipv4",
  "configuration-element-announcement wlan0/ipv4 dhcpv4",
  "address-announcement wlan0/ipv4 127.0.1.2",
  "provisioning-domain-announcement wlan0/ipv6/fe80::1",
  "configuration-element-announcement wlan0/ipv6/fe80::1 ra",
  "configuration-element-announcement wlan0/ipv6/fe80::1 dhcpv6",
  "address-announcement wlan0/ipv6/fe80::1 ::1",
];

Deno.test("mif watch --json follows the bundled scenario's Wi-Fi drop and return, then stops cleanly on SIGINT", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...RUN, "watch", "--json", "--platform", "sim"],
    cwd: ROOT,
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
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const reader = child.stdout.getReader();
  await reader.read(); // the first announcements
  await reader.cancel(); // like `mif watch | head -1`
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  clearTimeout(deadline);
  assert.equal(status.code, 0, stderr);
  assert.equal(stderr, "");
});

Deno.test("mif resolve prints each PD's answers from its own DNS server as they arrive, and exits 0", async () => {
  await using dnsA = await TestDnsServer.start({
    address: "127.0.0.22",
    names: { "www.mif.example": { a: ["198.51.100.80"], aaaa: ["2001:db8:a::80"], ttl: 60 } },
  });
  await using dnsB = await TestDnsServer.start({
    address: "127.0.0.23",
    names: { "www.mif.example": { a: ["203.0.113.80"], ttl: 30 } },
  });
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
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
    await Deno.writeTextFile(file, JSON.stringify(links));
    const json = await mif("resolve", "www.mif.example", "--scenario", file, "--json");
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.every((m) => validateApiMessage(m).ok));
    const answers = (pdId: string) =>
      lines.filter((m) => m.pdId === pdId && m.type === "name-translation").map((m) => m.address)
        .sort();
    assert.deepEqual(answers("eth0/ipv4"), ["198.51.100.80", "2001:db8:a::80"]);
    assert.deepEqual(answers("wlan0/ipv4"), ["203.0.113.80"]);
    assert.equal(lines.filter((m) => m.type === "name-translation-done" && !m.reason).length, 2);
    assert.ok(dnsA.queries.every((q) => q.address === "127.0.0.2"));
    assert.ok(dnsB.queries.every((q) => q.address === "127.0.0.3"));

    const text = await mif("resolve", "www.mif.example", "--scenario", file, "--pd", "wlan0/ipv4");
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(
        `^\\+[0-9.]+ ms  wlan0/ipv4  203\\.0\\.113\\.80  ttl 30  from ${dnsB.server}$`,
        "m",
      ),
    );
    assert.match(text.stdout, /^\+[0-9.]+ ms {2}wlan0\/ipv4 {2}done$/m);

    const missing = await mif("resolve", "nx.mif.example", "--scenario", file, "--pd", "eth0/ipv4");
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /eth0\/ipv4 {2}done: nxdomain/);
    const unknown = await mif("resolve", "www.mif.example", "--scenario", file, "--pd", "nope");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^mif: Cannot resolve: no provisioning domain "nope"/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("mif resolve without a name, or --pd on another command, is a usage error", async () => {
  const noName = await mif("resolve");
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /^mif: resolve: missing NAME/);
  const pdOnStatus = await mif("status", "--pd", "eth0/ipv4");
  assert.equal(pdOnStatus.code, 2);
  assert.match(pdOnStatus.stderr, /^mif: --pd only applies to resolve and connect/);
  const family = await mif("resolve", "x", "--family", "ipv5");
  assert.equal(family.code, 2);
});

/** The name `mif connect` is asked for; each PD's DNS server answers it differently. */
const CONNECT_NAME = "www.mif.example";

/**
 * Three PDs for `mif connect`: eth0 (127.0.0.2) whose DNS answers an
 * address where nothing listens (127.0.0.43: refused), wlan0 (127.0.0.3)
 * whose DNS answers the peer's address (127.0.0.42), and a VPN (127.0.0.4)
 * whose DNS answers the peer's too. Gives the scenario file, the peer,
 * the DNS servers, the peer's port as text and the CLI's arguments.
 */
async function connectBed() {
  const peer = new TcpPeer("127.0.0.42", 0);
  const answer = (address: string) => ({ [CONNECT_NAME]: { a: [address], ttl: 60 } });
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
  const file = await Deno.makeTempFile({ prefix: "mif-connect-", suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(links));
  return {
    file,
    peer,
    dns,
    port: String(peer.port),
    /** `connect NAME PORT --scenario FILE`. */
    args: ["connect", CONNECT_NAME, String(peer.port), "--scenario", file],
    async [Symbol.asyncDispose]() {
      await Deno.remove(file);
      for (const server of Object.values(dns)) await server[Symbol.asyncDispose]();
      await peer[Symbol.asyncDispose]();
    },
  };
}

Deno.test("mif connect races the PDs: the refused path first, then Wi-Fi's connection wins; it prints the winner and a timeline row per attempt and exits 0", async () => {
  await using bed = await connectBed();
  // Wi-Fi is avoided, so eth0's refused attempt comes first; the VPN never takes part.
  const r = await mif(...bed.args, "--avoid", "wlan0", "--prohibit", "vpn,cellular");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
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
  assert.match(rows[2], / {2}[0-9.]+–[0-9.]+ ms {2}·*█+·* {2}refused( \(.*\))?$/);
  assert.match(rows[3], / {2}[0-9.]+–[0-9.]+ ms {2}·*█+ {2}connected$/);
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

Deno.test("mif connect --json prints one object: connected, the winner, every attempt and translation", async () => {
  await using bed = await connectBed();
  const r = await mif(...bed.args, "--avoid", "wifi", "--prohibit", "tun0/ipv4", "--json");
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(report), ["connected", "winner", "attempts", "resolutions"]);
  assert.equal(report.connected, true);
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

Deno.test("mif connect where nothing listens exits 1 with the failure header, the timeline and the error on stderr", async () => {
  await using bed = await connectBed();
  const failed =
    `Cannot connect to ${CONNECT_NAME} port ${bed.port}: every attempt failed: 1 refused`;
  const r = await mif(...bed.args, "--pd", "eth0/ipv4");
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `mif: ${failed}\n`);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^not connected after [0-9]+\.[0-9] ms: /);
  assert.ok(lines[0].endsWith(`: ${failed}`), lines[0]);
  assert.equal(lines.length, 4, "header, axis, eth0's translation, eth0's attempt");
  assert.match(lines[2], /^resolve {2}eth0\/ipv4 {2}A /);
  assert.match(lines[3], /^connect {2}eth0\/ipv4 {2}127\.0\.0\.2 → 127\.0\.0\.43 .* refused/);
  assert.equal(bed.dns.wlan0.queries.length, 0, "--pd: only eth0 took part");

  const json = await mif(...bed.args, "--pd", "eth0/ipv4", "--json");
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.equal(report.connected, false);
  assert.equal(report.winner, undefined);
  assert.equal(report.error, failed);
  assert.deepEqual(report.attempts.map((a: { outcome: string }) => a.outcome), ["refused"]);

  const unknown = await mif(...bed.args, "--pd", "nope");
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, "");
  assert.equal(unknown.stderr, 'mif: Cannot connect: no provisioning domain "nope"\n');
  assert.equal(bed.peer.waiting, 0, "nothing ever connected");
});

Deno.test("mif connect without a port, with a port out of range or an unknown option is a usage error", async () => {
  const cases: [string[], RegExp][] = [
    [["connect"], /^mif: connect: missing HOST/],
    [["connect", "www.mif.example"], /^mif: connect: missing PORT/],
    [
      ["connect", "www.mif.example", "0"],
      /^mif: connect: PORT must be a number from 1 to 65535, got "0"/,
    ],
    [
      ["connect", "www.mif.example", "65536"],
      /^mif: connect: PORT must be a number from 1 to 65535, got "65536"/,
    ],
    [
      ["connect", "www.mif.example", "http"],
      /^mif: connect: PORT must be a number from 1 to 65535, got "http"/,
    ],
    [["connect", "www.mif.example", "80", "--bogus"], /^mif: Unknown option '--bogus'/],
    [
      ["connect", "www.mif.example", "80", "--from", "eth0"],
      /^mif: --from must be an IP address, got "eth0"/,
    ],
    [
      ["connect", "www.mif.example", "80", "--avoid", "vpn,"],
      /^mif: --avoid needs a PD id, interface id or interface type/,
    ],
    [
      ["connect", "www.mif.example", "80", "--family", "ipv4"],
      /^mif: --family only applies to resolve/,
    ],
    [
      ["status", "--prohibit", "vpn"],
      /^mif: --from, --avoid, --prohibit and --parallel-interfaces only apply to connect/,
    ],
    [
      ["resolve", "x.example", "--parallel-interfaces"],
      /^mif: --from, --avoid, --prohibit and --parallel-interfaces only apply to connect/,
    ],
    [["connect", "", "80"], /^mif: connect: HOST must not be empty/],
  ];
  await assertUsageErrors(cases);
});

Deno.test("parseInvocation: connect takes --avoid and --prohibit repeated or comma-separated, and a canonical --from", () => {
  assert.deepEqual(
    parseInvocation([
      "connect",
      "www.mif.example",
      "443",
      "--avoid",
      "cellular,vpn",
      "--avoid",
      "wlan0",
      "--prohibit",
      "tun0/ipv4",
      "--from",
      "2001:db8:0::7",
      "--pd",
      "eth0/ipv6",
    ]),
    {
      command: "connect",
      json: false,
      pd: "eth0/ipv6",
      host: "www.mif.example",
      port: 443,
      from: "2001:db8::7",
      avoid: ["cellular", "vpn", "wlan0"],
      prohibit: ["tun0/ipv4"],
    },
  );
  assert.equal(
    parseInvocation(["connect", "x.example", "80", "--parallel-interfaces"]).parallelInterfaces,
    true,
  );
  assert.equal(parseInvocation(["connect", "x.example", "80"]).parallelInterfaces, undefined);
});
