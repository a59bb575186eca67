/**
 * Per-PD name translation and connections on the real network of the test
 * bed (tests/testbed/testbed.ts): each PD resolves through its own
 * network's DNS from its own address, and connects from its own address;
 * a connection whose link goes down fails with "pd-gone". mif and the
 * library client (tests/fixtures/testbed_client.ts) run inside the test
 * bed's host namespace. Skipped with the reason outside root or Linux;
 * with CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import { type ApiMessage, canonicalIp as canonicalOrUndefined, type Connected } from "../../mod.ts";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  ANSWERS,
  PEER_PORT,
  type Router,
  TEST_NAME,
  type TestBed,
  waitFor,
  withTestBed,
} from "../testbed/testbed.ts";
import { hostClientArgv, mifArgs } from "../testbed/mif_process.ts";

const unavailable = await testbedUnavailable();

const CLIENT = new URL("../fixtures/testbed_client.ts", import.meta.url).pathname;

/** A PD with a DNS server: its network, that server, and its addresses' link and prefix. */
interface NetworkPd {
  readonly pdId: string;
  readonly router: Router;
  readonly server: string;
  readonly link: string;
  readonly prefix: RegExp;
}

/** The PDs with DNS servers, one or two per router. */
const PDS: readonly NetworkPd[] = [
  {
    pdId: "neta/ipv4",
    router: "a",
    server: "198.51.100.1",
    link: "neta",
    prefix: /^198\.51\.100\./,
  },
  {
    pdId: "neta/ipv6/fe80::a",
    router: "a",
    server: "2001:db8:a::1",
    link: "neta",
    prefix: /^2001:db8:a:/,
  },
  { pdId: "netb/ipv4", router: "b", server: "203.0.113.1", link: "netb", prefix: /^203\.0\.113\./ },
  {
    pdId: "netc/ipv6/fe80::c1",
    router: "c1",
    server: "2001:db8:c1::1",
    link: "netc",
    prefix: /^2001:db8:c1:/,
  },
  {
    pdId: "netc/ipv6/fe80::c2",
    router: "c2",
    server: "2001:db8:c2::1",
    link: "netc",
    prefix: /^2001:db8:c2:/,
  },
  { pdId: "nets/ipv4", router: "s", server: "198.18.1.1", link: "nets", prefix: /^198\.18\.1\./ },
];

/** How the client describes a ConnectionError for a withdrawn PD, its message aside. */
const PD_GONE = { name: "ConnectionError", reason: "pd-gone", connectionError: true };

/** An IP literal's canonical spelling. */
function canonicalIp(text: string): string {
  const ip = canonicalOrUndefined(text);
  if (ip === undefined) throw new Error(`Cannot read an address: "${text}" is not an IP literal`);
  return ip;
}

/** The host's global addresses on a link, as `ip` shows them. */
async function hostAddresses(bed: TestBed, link: string): Promise<string[]> {
  const links = JSON.parse(await bed.ip(bed.ns.host, "-j", "addr", "show", "dev", link));
  return links.flatMap((l: { addr_info: { local: string; scope: string }[] }) =>
    l.addr_info.filter((a) => a.scope === "global").map((a) => canonicalIp(a.local))
  );
}

function jsonLines(text: string): unknown[] {
  return text.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
}

/** Runs `mif resolve … --json` in the host namespace: its exit code and messages. */
async function mifResolve(
  bed: TestBed,
  ...args: string[]
): Promise<{ code: number; messages: ApiMessage[]; stderr: string }> {
  const out = await new Deno.Command("ip", {
    args: mifArgs(bed, "resolve", ...args, "--json"),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    code: out.code,
    messages: jsonLines(new TextDecoder().decode(out.stdout)) as ApiMessage[],
    stderr: new TextDecoder().decode(out.stderr).trim(),
  };
}

/** The library client (tests/fixtures/testbed_client.ts) in the host namespace. */
class Client implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #lines: unknown[] = [];
  readonly #stderr: Promise<string>;
  readonly #done: Promise<void>;
  #wake: (() => void) | undefined;
  #exited = false;

  /**
   * @param bed The test bed.
   * @param mode "greet" or "hold" (see the client).
   * @param targets PD, address and port of each connection.
   */
  constructor(bed: TestBed, mode: "greet" | "hold", targets: [string, string][]) {
    const [program, ...args] = hostClientArgv(bed, CLIENT, [
      bed.resolvConf,
      bed.stateDir,
      mode,
      ...targets.flatMap(([pdId, address]) => [pdId, address, String(PEER_PORT)]),
    ]);
    this.#child = new Deno.Command(program, {
      args,
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stderr = new Response(this.#child.stderr).text();
    this.#done = this.#read();
  }

  async #read(): Promise<void> {
    let buffer = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const end = buffer.lastIndexOf("\n");
      if (end < 0) continue;
      this.#lines.push(...jsonLines(buffer.slice(0, end)));
      buffer = buffer.slice(end + 1);
      this.#wake?.();
    }
    this.#exited = true;
    this.#wake?.();
  }

  /** Waits for the client's line number `n` (from 0). */
  async line(n: number, what: string, timeout = 60_000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeout;
    while (this.#lines.length <= n) {
      if (this.#exited || Date.now() > end) {
        const state = this.#exited ? "the client ended" : `nothing after ${timeout} ms`;
        const printed = JSON.stringify(this.#lines);
        const stderr = await this.#stderrSoFar();
        throw new Error(`Cannot see ${what}: ${state}; it printed ${printed}, stderr: ${stderr}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.#wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    return this.#lines[n] as Record<string, unknown>;
  }

  /** Its exit code, once every line is read. */
  async exit(): Promise<number> {
    await this.#done;
    return (await this.#child.status).code;
  }

  #stderrSoFar(): Promise<string> {
    return Promise.race([this.#stderr, new Promise<string>((r) => setTimeout(() => r("…"), 500))]);
  }

  /** Stops the client if it still runs, and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await this.#done;
    await this.#stderr;
  }
}

/** A greeting "<address> <port>" as an address and port. */
function parseGreeting(line: unknown): { address: string; port: number } {
  const [address, port] = String(line).split(" ");
  return { address: canonicalIp(address ?? ""), port: Number(port) };
}

testbedTest("per-PD name translation and connections on the test bed", unavailable, async (t) => {
  await withTestBed({}, async (bed) => {
    await t.step(
      "mif resolve answers each PD with its own network's addresses and DNS server",
      async () => {
        const { code, messages, stderr } = await mifResolve(bed, TEST_NAME, "--family", "both");
        const text = `${messages.map((m) => JSON.stringify(m)).join("\n")}\nstderr: ${stderr}`;
        assert.equal(code, 0, `exit 0 when a PD found an address:\n${text}`);
        const translations = messages.filter((m) => m.type === "name-translation");
        const dones = messages.filter((m) => m.type === "name-translation-done");
        assert.equal(
          messages.length,
          translations.length + dones.length,
          `only translations:\n${text}`,
        );
        for (const { pdId, router, server } of PDS) {
          const mine = translations.filter((m) => m.pdId === pdId);
          assert.deepEqual(
            mine.map((m) => m.address).sort(),
            [...ANSWERS[router]].sort(),
            `${pdId} answers ${router}'s addresses:\n${text}`,
          );
          for (const m of mine) {
            assert.equal(m.translationId, pdId);
            assert.equal(m.server, server, `${pdId}'s answers come from its DNS server`);
            assert.ok(typeof m.ttl === "number" && m.ttl >= 0, `${pdId}: a TTL`);
          }
          const done = dones.filter((m) => m.pdId === pdId);
          assert.equal(done.length, 1, `${pdId}: one name-translation-done:\n${text}`);
          assert.equal(done[0].reason, undefined, `${pdId} succeeded:\n${text}`);
          assert.ok(
            messages.indexOf(done[0]) > Math.max(...mine.map((m) => messages.indexOf(m))),
            `${pdId}: done comes last`,
          );
        }
        // The PDs without DNS servers (loopback, the static IPv6 one) find nothing, and say so.
        const others = dones.filter((m) => !PDS.some((p) => p.pdId === m.pdId));
        assert.deepEqual(others.map((m) => m.pdId).sort(), ["lo/ipv4", "lo/ipv6", "nets/ipv6"]);
        for (const m of others) {
          assert.equal(m.reason, "no-dns-servers", JSON.stringify(m));
          assert.ok(!translations.some((x) => x.pdId === m.pdId), `${m.pdId}: no answer`);
        }
      },
    );

    await t.step(
      "each PD's DNS queries leave from the host's address on that PD's network",
      async () => {
        for (const router of Object.keys(ANSWERS) as Router[]) {
          const pds = PDS.filter((pd) => pd.router === router);
          const sources = async () =>
            (await bed.dnsQueries(router)).filter((q) => q.name === TEST_NAME).map((q) =>
              canonicalIp(q.from)
            );
          // dnsmasq may write its log a moment after answering.
          await waitFor(
            `${router}'s log of the query of ${pds.map((pd) => pd.pdId).join(" and ")}`,
            async () => {
              const seen = await sources();
              return pds.every(({ prefix }) => seen.some((from) => prefix.test(from)));
            },
          );
          const own = await hostAddresses(bed, pds[0].link);
          for (const from of await sources()) {
            assert.ok(
              own.includes(from),
              `${router} got ${TEST_NAME} from ${from}, not one of the host's addresses ${own}`,
            );
            assert.ok(
              pds.some(({ prefix }) => prefix.test(from)),
              `${router} got ${TEST_NAME} from ${from}, not an address of its PDs`,
            );
          }
        }
      },
    );

    await t.step("connect-to-address through each PD leaves from that PD's address", async () => {
      // Each PD to its own network's peer, in the PD's family.
      const targets = PDS.map((pd): [string, string] => [
        pd.pdId,
        ANSWERS[pd.router].find((a) => a.includes(":") === pd.pdId.includes("/ipv6"))!,
      ]);
      await using client = new Client(bed, "greet", targets);
      for (const [i, [pdId, address]] of targets.entries()) {
        const line = await client.line(i, `the connection through ${pdId}`);
        const answer = line.answer as ApiMessage;
        assert.equal(answer.type, "connected", `${pdId}: ${JSON.stringify(line)}`);
        const connected = answer as Connected;
        assert.equal(connected.pdId, pdId);
        assert.equal(connected.address, address);
        assert.equal(connected.port, PEER_PORT);
        const pdAddresses = line.pdAddresses as string[];
        assert.ok(
          pdAddresses.includes(connected.source),
          `${pdId}: source ${connected.source} is one of its addresses ${pdAddresses}`,
        );
        assert.deepEqual(
          parseGreeting(line.greeting),
          { address: connected.source, port: connected.sourcePort },
          `${pdId}: the peer saw the connected message's source`,
        );
        assert.deepEqual(line.localAddress, {
          address: connected.source,
          port: connected.sourcePort,
        });
        assert.match(connected.source, PDS[i].prefix, `${pdId}: a source on its own network`);
      }
      assert.equal(await client.exit(), 0, "the client ends cleanly");
    });

    await t.step("a connection fails with pd-gone when its link goes down", async () => {
      await using client = new Client(bed, "hold", [["netb/ipv4", ANSWERS.b[0]]]);
      const opened = await client.line(0, "the connection through netb/ipv4");
      assert.equal(opened.event, "connected", JSON.stringify(opened));
      const connected = opened.answer as Connected;
      assert.equal(parseGreeting(opened.greeting).address, connected.source);

      await bed.ip(bed.ns.host, "link", "set", "netb", "down");
      const ended = await client.line(1, "the connection failing after netb went down");
      assert.equal(ended.event, "closed");
      const { message, ...closed } = ended.closed as Record<string, unknown>;
      assert.deepEqual(closed, PD_GONE, `closed resolves with pd-gone: ${JSON.stringify(ended)}`);
      assert.match(String(message), /^Cannot /);
      const { message: _, ...read } = ended.read as Record<string, unknown>;
      assert.deepEqual(read, PD_GONE, `the pending read rejects: ${JSON.stringify(ended)}`);
      assert.equal(await client.exit(), 0, "the client ends cleanly");
    });
  });
});
