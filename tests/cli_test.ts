import assert from "node:assert/strict";
import { brief, oneLinkScenario } from "./helpers.ts";
import { TestDnsServer } from "./fixtures/dns_server.ts";
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
  for (const [args, message] of cases) {
    const r = await mif(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  }
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
  assert.match(pdOnStatus.stderr, /^mif: --pd and --family only apply to resolve/);
  const family = await mif("resolve", "x", "--family", "ipv5");
  assert.equal(family.code, 2);
});
