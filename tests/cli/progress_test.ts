/**
 * `mif resolve` and `mif connect` show progress on a terminal's stderr (PDs
 * asked, attempts started, what is pending), erased when done, and nothing
 * extra when stderr is piped or with --json. The terminal is a
 * pseudo-terminal from util-linux's script(1).
 */

import assert from "node:assert/strict";
import { oneLinkScenario } from "../fixtures/helpers.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { TcpPeer } from "../fixtures/tcp_peer.ts";
import { ROOT, RUN, runMif } from "../fixtures/mif_cli.ts";

const NAME = "www.mif.example";
/** ESC, shown as "⎋" in what the terminal received (so that patterns need no control characters). */
const ESC = "\x1b";
/** Redraws the progress line from its start. */
const CLEAR = "\r⎋[2K";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Runs mif on a pseudo-terminal 200 columns wide: everything it wrote there
 * (stdout and stderr), and its exit status.
 */
async function onTerminal(...args: string[]): Promise<{ code: number; terminal: string }> {
  const command = `stty cols 200 rows 50 && exec ${
    [Deno.execPath(), ...RUN, ...args].map(quote).join(" ")
  }`;
  const out = await new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(decode(out.stderr), "", "script(1) itself says nothing");
  return { code: out.code, terminal: decode(out.stdout).replaceAll(ESC, "⎋") };
}

/** Runs mif with stdout and stderr piped. */
const piped = (...args: string[]) => runMif(args);

/**
 * The terminal's lines as a person sees them at the end: each progress line
 * overwritten (and Deno's own, drawn while it loads modules, too).
 */
function screen(terminal: string): string[] {
  return terminal.replaceAll("⎋[0G⎋[2K⎋[J", "").split("\r\n")
    .map((line) => line.split(CLEAR).at(-1)!).filter((l) => l !== "");
}

/**
 * One PD (eth0, 127.0.0.2) whose DNS server answers NAME's A record with
 * the peer's address after 800 ms, so that progress has time to show.
 */
async function slowBed() {
  const peer = new TcpPeer("127.0.0.42", 0);
  const dns = await TestDnsServer.start({
    address: "127.0.0.52",
    names: { [NAME]: { a: ["127.0.0.42"], ttl: 60, delay: { A: 800 } } },
  });
  const file = await Deno.makeTempFile({ prefix: "mif-progress-", suffix: ".json" });
  await Deno.writeTextFile(
    file,
    JSON.stringify(oneLinkScenario({
      addresses: [{ address: "127.0.0.2", prefixLength: 8 }],
      elements: [{ element: "dhcpv4", data: { "dns-servers": [dns.server] } }],
    })),
  );
  return {
    file,
    peer,
    async [Symbol.asyncDispose]() {
      await Deno.remove(file);
      await dns[Symbol.asyncDispose]();
      await peer[Symbol.asyncDispose]();
    },
  };
}

/** The progress drawn last is erased before anything else is written. */
function assertErased(terminal: string, label: string): void {
  const last = terminal.lastIndexOf(`${CLEAR}${label}`);
  assert.ok(last >= 0, `progress "${label}" was drawn:\n${JSON.stringify(terminal)}`);
  const after = terminal.slice(last + CLEAR.length);
  assert.match(after, /^[^\r\n]*\r⎋\[2K/, `erased at once:\n${JSON.stringify(after)}`);
}

Deno.test("mif resolve on a terminal shows the PDs still pending on stderr, erased when done; piped or --json, nothing extra", async () => {
  await using bed = await slowBed();
  const tty = await onTerminal("resolve", NAME, "--scenario", bed.file);
  assert.equal(tty.code, 0, tty.terminal);
  assert.match(
    tty.terminal,
    /\r⎋\[2Kresolving www\.mif\.example \([0-9]+\.[0-9] s\): 0 of 1 PDs done; waiting for eth0\/ipv4/,
  );
  assertErased(tty.terminal, "resolving");
  const lines = screen(tty.terminal);
  assert.equal(lines.length, 2, `the answer and the end:\n${lines.join("\n")}`);
  assert.match(
    lines[0],
    /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}A {5}127\.0\.0\.42 {2}ttl 60 {2}from 127\.0\.0\.52:/,
  );
  assert.match(lines[1], /^\+[0-9.]+ ms {2}eth0\/ipv4 {2}done$/);

  const pipe = await piped("resolve", NAME, "--scenario", bed.file);
  assert.equal(pipe.code, 0, pipe.stderr);
  assert.equal(pipe.stderr, "", "no progress when stderr is not a terminal");
  assert.ok(!pipe.stdout.includes(ESC), "no escape sequences");

  const json = await onTerminal("resolve", NAME, "--scenario", bed.file, "--json");
  assert.equal(json.code, 0, json.terminal);
  assert.ok(!json.terminal.includes(CLEAR), `no progress with --json:\n${json.terminal}`);
});

Deno.test("mif connect on a terminal shows the race's progress on stderr, erased before the result; piped, nothing extra", async () => {
  await using bed = await slowBed();
  const args = ["connect", NAME, String(bed.peer.port), "--scenario", bed.file];
  const tty = await onTerminal(...args);
  assert.equal(tty.code, 0, tty.terminal);
  assert.match(
    tty.terminal,
    new RegExp(
      `\\r⎋\\[2Kconnecting to www\\.mif\\.example port ${bed.peer.port} \\([0-9]+\\.[0-9] s\\): 0 of 1 PDs done; waiting for eth0/ipv4`,
    ),
  );
  assertErased(tty.terminal, "connecting");
  const lines = screen(tty.terminal);
  assert.match(lines[0], /^connected to 127\.0\.0\.42 port [0-9]+ through eth0\/ipv4 /);
  assert.equal(lines.length, 4, `the result, the axis and two rows:\n${lines.join("\n")}`);
  (await bed.peer.accept()).conn.close();

  const pipe = await piped(...args);
  assert.equal(pipe.code, 0, pipe.stderr);
  assert.equal(pipe.stderr, "");
  assert.ok(!pipe.stdout.includes(ESC), "no escape sequences");
  (await bed.peer.accept()).conn.close();

  const json = await onTerminal(...args, "--json");
  assert.equal(json.code, 0, json.terminal);
  assert.ok(!json.terminal.includes(CLEAR), "no progress with --json");
  assert.equal(JSON.parse(json.terminal.slice(json.terminal.indexOf("{"))).connected, true);
  (await bed.peer.accept()).conn.close();
});
