/**
 * Reliability: a PD worker translates names through a hostile DNS server on
 * loopback (tests/fixtures/hostile_dns.ts) that sends forged and malformed
 * replies (wrong ID, name, type, class or port, garbage, bad pointers, lying
 * counts and lengths, over-long names), hostile answers (CNAMEs to names
 * with control characters, chains too long, loops, 64 KiB answers) and
 * broken TCP fallbacks (truncated replies whose TCP answer breaks off,
 * floods). Only the right answer may be accepted: no spoofed address ever
 * comes back, every translation ends exactly once, every message validates
 * and the worker never crashes.
 *
 * Seeded and bounded: two runs, each posting all its translations at once
 * on one PD (one attempt per query), then one step per behaviour checks its
 * share of the outcomes. The run whose translations must end by a timeout
 * has a short one; the other a long one, which only bounds a regression: the
 * server builds its 64 KiB messages on the test's own thread, and that and a
 * loaded machine can delay a right answer by hundreds of milliseconds.
 */

import assert from "node:assert/strict";
import { address, element, next, nic, openManual, pd, workerOf } from "../fixtures/helpers.ts";
import {
  CONTROL_LABEL,
  FORGERIES,
  HostileDnsServer,
  type HostileName,
  SPOOFED_ADDRESSES,
  type TcpAnswer,
} from "../fixtures/hostile_dns.ts";
import {
  type ApiMessage,
  canonicalIp,
  type Mif,
  type NameTranslationDone,
  NO_MESSAGE,
  type Snapshot,
  type TranslationFailure,
  validateApiMessage,
} from "../../mod.ts";

/**
 * Seed of the server's garbage, garbage-close and flood octets (the order
 * concurrent queries arrive in decides which gets which).
 */
const SEED = 0x5eed_d0e5;
const PD_ID = "eth0/ipv4";
/** The PD's own address: every query must come from it. */
const SOURCE = "127.0.0.2";
const SERVER_ADDRESS = "127.0.0.71";
/** dnsTimeout of the run whose translations end by a timeout: its duration. */
const SILENCE_TIMEOUT = 1_000;
/** dnsTimeout of the run whose translations all get an answer or a definite failure. */
const ANSWER_TIMEOUT = 5_000;
/** The most a huge answer may take, from the post to its done. */
const HUGE_BOUND_MS = 4_000;

/** The right answer of every name that has one (documentation addresses, none spoofed). */
const RIGHT_A = ["198.51.100.10", "203.0.113.10"] as const;
const RIGHT_AAAA = ["2001:db8::10"] as const;
const RIGHT = { a: RIGHT_A, aaaa: RIGHT_AAAA } as const;

const SPOOFED = new Set(SPOOFED_ADDRESSES.map((a) => canonicalIp(a) ?? a));

/** What a translation must end with. */
type Expectation =
  /** Success with exactly these addresses. */
  | { readonly kind: "answer"; readonly addresses: readonly string[] }
  /** Success with this many addresses of each family from the huge answer's ranges. */
  | { readonly kind: "huge"; readonly a: number; readonly aaaa: number }
  /** A failure with one of these reasons and a detail matching `detail`. */
  | {
    readonly kind: "failure";
    readonly reasons: readonly TranslationFailure[];
    readonly detail: RegExp;
  };

/** One name the server knows, and what translating it (A and AAAA) must give. */
interface Case {
  readonly name: string;
  readonly entry: HostileName;
  readonly expect: Expectation;
}

/** What one translation gave. */
interface Outcome {
  readonly case: Case;
  readonly addresses: readonly string[];
  readonly done: NameTranslationDone;
  /** Milliseconds from the post to the done. */
  readonly ms: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const RIGHT_ANSWER: Expectation = { kind: "answer", addresses: [...RIGHT_A, ...RIGHT_AAAA] };

/** A detail saying the same thing (a regular expression) for A, then for AAAA. */
function bothTypes(what: string): RegExp {
  return new RegExp(`^Cannot translate name: A \\S+: ${what}; AAAA \\S+: ${what}$`);
}

function failure(reasons: readonly TranslationFailure[], detail: RegExp): Expectation {
  return { kind: "failure", reasons, detail };
}

const NO_ANSWER = "\\S+ did not answer 1 query within \\d+ ms";
/** Only forged or malformed replies came, and each was dropped: the server said nothing. */
const DROPPED = failure(
  ["timeout"],
  bothTypes(`${NO_ANSWER}, [1-9]\\d* mismatched or forged replies dropped`),
);
/** Nothing came at all. */
const SILENT = failure(["timeout"], bothTypes(NO_ANSWER));

/** A failure of the server for both types: `problem` is a regular expression. */
function servfail(problem: string): Expectation {
  return failure(["servfail"], bothTypes(`${problem} \\(from \\S+\\)`));
}

/** A CNAME target with a raw label, as a detail shows it: JSON-quoted, control characters escaped. */
function quotedTarget(label: string, name: string): string {
  return JSON.stringify(`${label}.${name}`).replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The records of a huge answer that fit in 65507 octets, as the fixture counts them. */
function hugeCount(name: string, type: "A" | "AAAA"): number {
  const question = name.length + 2 + 4; // Labels with their length octets, the root, type, class.
  const size = 2 + 10 + (type === "A" ? 4 : 16);
  return Math.min(4000, Math.floor((65507 - 12 - question) / size));
}

/** Each forgery, then all of them, before the right answer over UDP. */
function burstCases(): Case[] {
  return [
    ...FORGERIES.map((f): Case => ({
      name: `burst-${f}.example`,
      entry: { ...RIGHT, burst: [f] },
      expect: RIGHT_ANSWER,
    })),
    {
      name: "burst-everything.example",
      entry: { ...RIGHT, burst: "everything" },
      expect: RIGHT_ANSWER,
    },
  ];
}

/**
 * Each forgery as the only reply, over UDP, and over TCP after a truncated
 * UDP reply ("other-port" sends nothing over TCP); then a TCP connection
 * that stays silent.
 */
function aloneCases(): Case[] {
  const tcp = (tcpAnswer: TcpAnswer, extra: HostileName = {}): HostileName => ({
    ...RIGHT,
    answer: "truncated",
    tcpAnswer,
    ...extra,
  });
  return [
    ...FORGERIES.map((f): Case => ({
      name: `only-${f}.example`,
      entry: { ...RIGHT, answer: f },
      expect: DROPPED,
    })),
    ...FORGERIES.map((f): Case => ({
      name: `tcp-only-${f}.example`,
      entry: tcp(f),
      expect: f === "other-port" ? SILENT : DROPPED,
    })),
    { name: "tc-none.example", entry: tcp("none"), expect: SILENT },
  ];
}

/** CNAMEs a resolver must refuse: each is a failure of the server. */
function cnameCases(): Case[] {
  const control = (name: string, label?: string): Case => ({
    name,
    entry: { ...RIGHT, answer: "cname-control", ...(label === undefined ? {} : { label }) },
    expect: servfail(
      `CNAME target ${
        escapeRegExp(quotedTarget(label ?? CONTROL_LABEL, name))
      } contains a control character`,
    ),
  });
  return [
    control("cname-control.example"),
    control("cname-del.example", "\u007f\u007f\u007f"),
    {
      name: "cname-control-addresses.example",
      entry: { ...RIGHT, answer: "cname-control-addresses" },
      expect: servfail(
        `CNAME target ${
          escapeRegExp(quotedTarget(CONTROL_LABEL, "cname-control-addresses.example"))
        } contains a control character`,
      ),
    },
    {
      // dns-packet reads labels as UTF-8, so lone C1 octets come out as U+FFFD.
      name: "cname-c1.example",
      entry: { ...RIGHT, answer: "cname-control", label: "c1\u0085\u009bend" },
      expect: servfail(
        `CNAME target "c1\uFFFD\uFFFDend\\.cname-c1\\.example" is not a valid internationalised name \\(IDNA\\)`,
      ),
    },
    {
      name: "cname-chain.example",
      entry: { ...RIGHT, answer: "cname-chain" },
      expect: servfail("CNAME chain longer than 8"),
    },
    {
      name: "cname-loop.example",
      entry: { ...RIGHT, answer: "cname-loop" },
      expect: servfail('CNAME loop at "cname-loop\\.example"'),
    },
    {
      name: "cname-loop-inline.example",
      entry: { ...RIGHT, answer: "cname-loop-inline" },
      expect: servfail('CNAME loop at "cname-loop-inline\\.example"'),
    },
  ];
}

/** Truncated over UDP, then a TCP answer that is right, or breaks off, or is truncated again. */
function truncationCases(): Case[] {
  const tcp = (tcpAnswer: TcpAnswer, extra: HostileName = {}): HostileName => ({
    ...RIGHT,
    answer: "truncated",
    tcpAnswer,
    ...extra,
  });
  const closed = (dropped = "") =>
    failure(
      ["unreachable"],
      bothTypes(
        `\\S+ unreachable from 127\\.0\\.0\\.2 over tcp \\(Cannot read a DNS reply over TCP: ` +
          `the server closed the connection without one\\)${dropped}`,
      ),
    );
  return [
    { name: "tc-right.example", entry: tcp("right"), expect: RIGHT_ANSWER },
    {
      name: "tc-burst.example",
      entry: tcp("right", { tcpBurst: "everything" }),
      expect: RIGHT_ANSWER,
    },
    { name: "tc-short-close.example", entry: tcp("short-close"), expect: closed() },
    { name: "tc-garbage-close.example", entry: tcp("garbage-close"), expect: closed() },
    { name: "tc-reset.example", entry: tcp("reset"), expect: closed() },
    {
      name: "tc-flood.example",
      entry: tcp("flood"),
      expect: closed(", [1-9]\\d* mismatched or forged replies dropped"),
    },
    {
      name: "tc-twice.example",
      entry: tcp("truncated"),
      // The server's failure (server_rotation.ts), so no "(from ...)" as for a bad CNAME.
      expect: failure(["servfail"], bothTypes("\\S+ answered a truncated reply over TCP")),
    },
  ];
}

/** A reply of about 64 KiB for A and for AAAA, over UDP, and over TCP after TC. */
function hugeCases(): Case[] {
  const huge = (name: string, entry: HostileName): Case => ({
    name,
    entry,
    expect: { kind: "huge", a: hugeCount(name, "A"), aaaa: hugeCount(name, "AAAA") },
  });
  return [
    huge("huge-udp.example", { answer: "huge" }),
    huge("huge-tcp.example", { answer: "truncated", tcpAnswer: "huge" }),
  ];
}

function snapshot(server: string): Snapshot {
  return {
    interfaces: [
      nic("eth0", [
        pd(PD_ID, [address(SOURCE, 8)], [element("dhcpv4", { "dns-servers": [server] })]),
      ]),
    ],
  };
}

/** 198.18.0.0/15 and 2001:db8:4000::/48, the ranges of a huge answer. */
function isInHugeRange(address: string): boolean {
  return /^198\.1[89]\.\d+\.\d+$/.test(address) || address.startsWith("2001:db8:4000:");
}

/**
 * Posts a translation of every case at once on one subscriber and reads
 * until each has its done. Every message must validate, be a name-translation
 * or a done of a posted translation, carry no spoofed address, come from the
 * hostile server and come before that translation's done; nothing may
 * follow the last done.
 */
async function translateAll(mif: Mif, server: string, cases: readonly Case[]): Promise<Outcome[]> {
  await using sub = mif.subscribe({ name: "hostile-dns", queueLimit: 100_000 });
  const live = new Map<string, { case: Case; addresses: string[]; start: number }>();
  const outcomes = new Map<string, Outcome>();
  cases.forEach((c, i) => {
    const translationId = `t${i}-${c.name}`;
    live.set(translationId, { case: c, addresses: [], start: performance.now() });
    sub.post({ type: "translate-name", pdId: PD_ID, name: c.name, translationId });
  });
  const take = (m: ApiMessage) => {
    const v = validateApiMessage(m);
    assert(v.ok, `${JSON.stringify(m).slice(0, 500)}: ${v.ok ? "" : v.detail}`);
    assert(
      m.type === "name-translation" || m.type === "name-translation-done",
      `unexpected ${JSON.stringify(m)}`,
    );
    const t = live.get(m.translationId);
    assert(t, `a message for a translation never posted: ${JSON.stringify(m)}`);
    assert(!outcomes.has(m.translationId), `a message after the done: ${JSON.stringify(m)}`);
    assert.equal(m.pdId, PD_ID);
    if (m.type === "name-translation") {
      assert(!SPOOFED.has(m.address), `${t.case.name} gave spoofed ${m.address}`);
      assert.equal(m.server, server, `${t.case.name}: ${m.address} from ${m.server}`);
      t.addresses.push(m.address);
    } else {
      const ms = performance.now() - t.start;
      outcomes.set(m.translationId, { case: t.case, addresses: t.addresses, done: m, ms });
    }
  };
  while (outcomes.size < cases.length) {
    take(await next(sub, ANSWER_TIMEOUT + 5_000));
    for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) take(m);
  }
  // A second done or a late address would show here.
  const late = await sub.check({ timeout: 50 });
  assert.equal(late.messages, 0, `${late.messages} messages after every done`);
  return [...live.keys()].map((id) => outcomes.get(id) as Outcome);
}

/** Checks one outcome against its case's expectation; throws what differs. */
function assertExpected(o: Outcome): void {
  const { expect, name } = o.case;
  const seen = `${name}: ${JSON.stringify(o.done)} after ${o.addresses.length} addresses`;
  assert.equal(new Set(o.addresses).size, o.addresses.length, `${name}: an address twice`);
  for (const a of o.addresses) assert.equal(canonicalIp(a), a, `${name}: ${a} is not canonical`);
  switch (expect.kind) {
    case "answer":
      assert.equal(o.done.reason, undefined, seen);
      assert.equal(o.done.detail, undefined, seen);
      assert.deepEqual([...o.addresses].sort(), [...expect.addresses].sort(), seen);
      break;
    case "huge": {
      assert.equal(o.done.reason, undefined, seen);
      assert(o.addresses.every(isInHugeRange), `${name}: an address outside the huge ranges`);
      const v4 = o.addresses.filter((a) => !a.includes(":")).length;
      assert.deepEqual([v4, o.addresses.length - v4], [expect.a, expect.aaaa], seen);
      assert(o.ms < HUGE_BOUND_MS, `${name} took ${Math.round(o.ms)} ms`);
      break;
    }
    case "failure":
      assert(o.done.reason !== undefined && expect.reasons.includes(o.done.reason), seen);
      assert.deepEqual(o.addresses, [], seen);
      assert.match(o.done.detail ?? "", expect.detail, seen);
      break;
    default: {
      const never: never = expect;
      throw new TypeError(`Cannot check an outcome: ${JSON.stringify(never)}`);
    }
  }
}

/** A hostile server and a Mif whose one PD asks it; both close on dispose. */
class HostilePd implements AsyncDisposable {
  private constructor(readonly dns: HostileDnsServer, readonly mif: Mif) {}

  /** Starts the server with the cases' names and opens the Mif. */
  static async open(cases: readonly Case[], dnsTimeout: number): Promise<HostilePd> {
    const names = Object.fromEntries(cases.map((c) => [c.name, c.entry]));
    assert.equal(Object.keys(names).length, cases.length, "two cases share a name");
    const dns = await HostileDnsServer.start({ address: SERVER_ADDRESS, names, seed: SEED });
    try {
      const { mif } = await openManual(snapshot(dns.server), {
        workerPermissions: "net",
        hostsFile: null,
        dnsTimeout,
        dnsAttempts: 1,
      });
      return new HostilePd(dns, mif);
    } catch (error) {
      await dns.close();
      throw error;
    }
  }

  /** Translates every case at once (see {@linkcode translateAll}). */
  translate(cases: readonly Case[]): Promise<Outcome[]> {
    return translateAll(this.mif, this.dns.server, cases);
  }

  /**
   * The PD worker never crashed nor restarted and has nothing in flight,
   * every query came from the PD's address, and the server sent what it meant to.
   */
  assertSound(): void {
    const worker = workerOf(this.mif, PD_ID);
    assert.equal(worker.crashes, 0, "the PD worker crashed");
    assert.equal(worker.starts, 1, "the PD worker was restarted");
    assert.equal(worker.inFlight, 0, "requests still in flight after every done");
    assert(this.dns.queries.length > 0, "the server was never asked");
    const strangers = this.dns.queries.filter((q) => q.address !== SOURCE);
    assert.deepEqual(strangers, [], "queries not from the PD's address");
    assert.deepEqual(this.dns.errors, [], "the hostile server's sockets failed");
  }

  /** Asserts the server sent `kind` for A and AAAA of `name`: the hostility really happened. */
  assertSent(name: string, kind: TcpAnswer, transport: "udp" | "tcp"): void {
    for (const type of ["A", "AAAA"]) {
      assert(
        this.dns.sent.some((s) =>
          s.name === name && s.type === type && s.kind === kind && s.transport === transport
        ),
        `the server never sent ${kind} over ${transport} for ${type} ${name}`,
      );
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.mif.close();
    } finally {
      await this.dns.close();
    }
  }
}

/** Checks the outcomes of `cases` among `outcomes`; fails with every one not as expected. */
function assertOutcomes(outcomes: readonly Outcome[], cases: readonly Case[]): void {
  const mine = outcomes.filter((o) => cases.includes(o.case));
  assert.equal(mine.length, cases.length, "a case was not translated");
  const wrong = mine.flatMap((o) => {
    try {
      assertExpected(o);
      return [];
    } catch (error) {
      return [error instanceof Error ? error.message.split("\n")[0] : String(error)];
    }
  });
  assert.deepEqual(wrong, [], `outcomes not as expected (seed ${SEED})`);
}

Deno.test("hostile DNS replies that a right answer follows, or that end in a definite failure", async (t) => {
  const bursts = burstCases();
  const cnames = cnameCases();
  const truncated = truncationCases();
  const cases = [...bursts, ...cnames, ...truncated];
  await using hostile = await HostilePd.open(cases, ANSWER_TIMEOUT);
  const outcomes = await hostile.translate(cases);

  await t.step(
    "a burst of forged or malformed replies before the answer: only the answer's addresses come back",
    () => {
      assertOutcomes(outcomes, bursts);
      for (const f of FORGERIES) {
        hostile.assertSent(`burst-${f}.example`, f, "udp");
        hostile.assertSent("burst-everything.example", f, "udp");
      }
    },
  );
  await t.step(
    "CNAMEs to control characters, chains over 8 and loops end servfail with a clean detail, no address",
    () => {
      assertOutcomes(outcomes, cnames);
      const chain = hostile.dns.queries.filter((q) => q.name.endsWith("cname-chain.example"));
      // The name and 8 requeries, for A and for AAAA, of the server's chain of 12.
      assert.equal(chain.length, 2 * 9, `the chain was asked ${chain.length} times`);
      const odd = hostile.dns.queries.filter((q) => !/^[a-z0-9.-]+$/.test(q.name));
      assert.deepEqual(odd, [], "a query for a name that is no plain host name");
    },
  );
  await t.step(
    "a truncated reply goes to TCP: the right answer is taken, a broken stream is unreachable, TC again is servfail",
    () => {
      assertOutcomes(outcomes, truncated);
      for (const c of truncated) hostile.assertSent(c.name, c.entry.tcpAnswer ?? "right", "tcp");
      for (const f of FORGERIES.filter((f) => f !== "other-port")) {
        hostile.assertSent("tc-burst.example", f, "tcp");
      }
    },
  );
  await t.step(
    "the PD worker never crashed nor restarted, and every query left from the PD's address",
    () => {
      hostile.assertSound();
    },
  );
});

Deno.test("a 64 KiB answer over UDP, or over TCP after TC: every address, canonical, none twice, in bounded time", async () => {
  const huge = hugeCases();
  await using hostile = await HostilePd.open(huge, ANSWER_TIMEOUT);
  assertOutcomes(await hostile.translate(huge), huge);
  hostile.assertSound();
});

Deno.test("forged or malformed DNS replies alone, over UDP or TCP, are dropped: timeout, no address", async (t) => {
  const alone = aloneCases();
  await using hostile = await HostilePd.open(alone, SILENCE_TIMEOUT);
  const outcomes = await hostile.translate(alone);

  await t.step(
    "each forgery as the only UDP reply (over-long CNAME targets included) is dropped",
    () => {
      assertOutcomes(outcomes, alone.filter((c) => c.name.startsWith("only-")));
      for (const f of FORGERIES) hostile.assertSent(`only-${f}.example`, f, "udp");
    },
  );
  await t.step("each forgery as the only TCP reply after TC is dropped", () => {
    assertOutcomes(outcomes, alone.filter((c) => c.name.startsWith("tcp-only-")));
    for (const f of FORGERIES.filter((f) => f !== "other-port")) {
      hostile.assertSent(`tcp-only-${f}.example`, f, "tcp");
    }
  });
  await t.step("a TCP connection silent after TC ends in a timeout", () => {
    assertOutcomes(outcomes, alone.filter((c) => c.name.startsWith("tc-")));
    hostile.assertSent("tc-none.example", "none", "tcp");
  });
  await t.step(
    "the PD worker never crashed nor restarted, and every query left from the PD's address",
    () => {
      hostile.assertSound();
    },
  );
});
