/**
 * The defects of issue 12, one test each: what a subscriber, a DNS server or
 * a peer could do to crash a PD worker, stall the API or grow memory.
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  address,
  assertValid,
  brief,
  drain,
  element,
  next,
  nic,
  openManual,
  pd,
  twoLinks,
  until,
  workerOf,
} from "../fixtures/helpers.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { resetAtOnce, resetLater } from "../fixtures/abusive_peer.ts";
import {
  type ApiMessage,
  ConnectionError,
  NO_MESSAGE,
  type Snapshot,
  type Subscriber,
} from "../../mod.ts";
import { classifyConnectError } from "../../workers/net/tcp_connect.ts";

const TEST_WORKER = new URL("../fixtures/test_worker.ts", import.meta.url);

async function until_done(sub: Subscriber, translationId: string): Promise<ApiMessage[]> {
  const out: ApiMessage[] = [];
  for (;;) {
    const m = await next(sub, 10_000);
    out.push(m);
    if (m.type === "name-translation-done" && m.translationId === translationId) return out;
  }
}

/** One PD on 127.0.0.2 whose DNS servers are the given ones. */
function dnsLink(servers: string[]): Snapshot {
  return {
    interfaces: [
      nic("eth0", [
        pd("eth0/ipv4", [address("127.0.0.2", 8)], [element("dhcpv4", { "dns-servers": servers })]),
      ]),
    ],
  };
}

async function openDns(servers: string[], extra: Record<string, unknown> = {}) {
  return await openManual(dnsLink(servers), {
    workerPermissions: "net",
    hostsFile: null,
    dnsTimeout: 300,
    dnsAttempts: 1,
    ...extra,
  });
}

Deno.test("translate-name of a name with DEL answers invalid-name and other subscribers' requests on that PD go on", async () => {
  await using dns = await TestDnsServer.start({
    names: { "slow.example": { a: ["198.51.100.80"], delay: { A: 200 } } },
  });
  const { mif } = await openDns([dns.server]);
  await using _ = mif;
  const other = mif.subscribe({ name: "other" });
  other.post({
    type: "translate-name",
    pdId: "eth0/ipv4",
    name: "slow.example",
    translationId: "slow",
    family: "ipv4",
  });
  const sub = mif.subscribe({ name: "hostile" });
  sub.post({ type: "translate-name", pdId: "eth0/ipv4", name: "a\u007f", translationId: "del" });
  const done = await next(sub);
  assertValid(done);
  assert(done.type === "name-translation-done" && done.reason === "invalid-name", done.type);
  assert.match(done.detail ?? "", /a\\u007f/);
  const answers = await until_done(other, "slow");
  assert.deepEqual(answers.map((m) => m.type), ["name-translation", "name-translation-done"]);
  assert.equal(workerOf(mif, "eth0/ipv4").crashes, 0);
});

Deno.test("a CNAME target with DEL in a DNS answer ends the translation servfail without crashing the worker", async () => {
  await using dns = await TestDnsServer.start({
    names: { "evil.example": { cname: "a\u007fb.example", chase: false } },
  });
  const { mif } = await openDns([dns.server]);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "translate-name",
    pdId: "eth0/ipv4",
    name: "evil.example",
    translationId: "evil",
    family: "ipv4",
  });
  const done = await next(sub, 10_000);
  assertValid(done);
  assert(done.type === "name-translation-done" && done.reason === "servfail", JSON.stringify(done));
  assert.match(done.detail ?? "", /CNAME target "a\\u007fb\.example"/);
  assert.equal(workerOf(mif, "eth0/ipv4").crashes, 0);
});

Deno.test("twenty silent DNS servers end the translation timeout with a bounded detail, not a crash", async () => {
  const sockets = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      new Promise<dgram.Socket>((resolve) => {
        const socket = dgram.createSocket("udp4");
        socket.bind({ address: `127.0.0.${30 + i}`, port: 0 }, () => resolve(socket));
      })),
  );
  try {
    const servers = sockets.map((s) => `${s.address().address}:${s.address().port}`);
    const { mif } = await openDns(servers, { dnsTimeout: 5 });
    await using _ = mif;
    const sub = mif.subscribe();
    sub.post({
      type: "translate-name",
      pdId: "eth0/ipv4",
      name: "quiet.example",
      translationId: "q",
      family: "ipv4",
    });
    const done = await next(sub, 10_000);
    assertValid(done);
    assert(
      done.type === "name-translation-done" && done.reason === "timeout",
      JSON.stringify(done),
    );
    assert.match(done.detail ?? "", /, 16 more servers failed$/);
    assert.equal(workerOf(mif, "eth0/ipv4").crashes, 0);
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
});

Deno.test("the broker's own error answers validate whatever was posted", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  const posts: unknown[] = [
    { type: "x".repeat(100) },
    { type: "" },
    { type: "announce-\u007finterfaces" },
    { type: "\u001b[2J" },
    { type: "announce-interfaces", ["f".repeat(5000)]: 1 },
    { type: "announce-interfaces", ["bad\u0000field"]: 1 },
    { type: "announce-interfaces", [Symbol("s")]: 1, extra: true },
    { type: "announce-interfaces", f: function longSource() {/* ${"y".repeat(5000)} */} },
    { type: "announce-addresses", pdId: "p".repeat(300) },
    { type: "stop-translating-name", translationId: "t".repeat(128) },
  ];
  for (const post of posts) sub.post(post as never);
  const answers = drain(sub);
  assert.equal(answers.length, posts.length);
  for (const answer of answers) {
    assertValid(answer);
    assert.equal(answer.type, "error");
  }
  assert.equal(answers[0].type === "error" && answers[0].messageType, `${"x".repeat(63)}…`);
  assert.equal(answers[1].type === "error" && answers[1].messageType, null);
});

Deno.test("closing the Mif from inside post() (a getter structuredClone runs) dispatches nothing and starts no worker", async () => {
  const { mif } = await openManual(twoLinks(), { workerPermissions: "net" });
  const sub = mif.subscribe();
  let closing: Promise<void> | undefined;
  sub.post({
    type: "translate-name",
    name: "198.51.100.7",
    translationId: "t",
    get pdId() {
      closing = mif.close();
      return "eth0/ipv4";
    },
  });
  await closing;
  assert(sub.closed);
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 0);
});

Deno.test("closing the subscriber from inside post() dispatches nothing", async () => {
  const { mif } = await openManual(twoLinks(), { workerPermissions: "net" });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "translate-name",
    name: "198.51.100.7",
    translationId: "t",
    get pdId() {
      sub.close();
      return "eth0/ipv4";
    },
  });
  assert(sub.closed);
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 0);
});

Deno.test("a CHECK loop lets the event loop turn: a timer fires while check() keeps resolving at once", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  let fired = false;
  setTimeout(() => fired = true, 0);
  for (let i = 0; i < 1000 && !fired; i++) await sub.check({ timeout: 0 });
  assert(fired, "the timer never ran during 1000 probes");
  sub.post({ type: "announce-interfaces" }); // ready now: check() resolves with what is true
  fired = false;
  setTimeout(() => fired = true, 0);
  for (let i = 0; i < 1000 && !fired; i++) await sub.check({ timeout: 100 });
  assert(fired, "the timer never ran during 1000 checks of a ready queue");
});

function flapping(up: boolean, n: number): Snapshot {
  return {
    interfaces: [
      nic("eth0", [pd("eth0/ipv4", [address(`127.0.1.${n % 200 + 1}`, 8)])]),
      ...(up ? [nic("wlan0", [pd("wlan0/ipv4", [address("127.0.0.4", 8)])])] : []),
    ],
  };
}

Deno.test("a subscriber that never reads holds at most its queue limit; one overflow error, then the current state", async () => {
  const { mif, platform } = await openManual(flapping(true, 0));
  await using _ = mif;
  const sub = mif.subscribe({ queueLimit: 16 });
  sub.post({ type: "announce-interfaces" });
  sub.post({ type: "announce-provisioning-domains", interfaceId: "eth0" });
  sub.post({ type: "announce-addresses", pdId: "eth0/ipv4" });
  for (let n = 1; n <= 500; n++) {
    platform.snapshot(flapping(n % 2 === 0, n));
    assert(mif.status().subscribers[0].queued <= 17);
  }
  const first = sub.get();
  assert(first !== NO_MESSAGE && first.type === "error" && first.reason === "queue-overflow");
  assertValid(first);
  assert.match(first.detail, /^Cannot queue announcements: 16 messages wait unread/);
  const state = drain(sub);
  assert.deepEqual(state.map((m) => m.type), [
    "interface-announcement",
    "interface-announcement",
    "provisioning-domain-announcement",
    "address-announcement",
  ]);
  assert.equal(state[3].type === "address-announcement" && state[3].address, "127.0.1.101");
  // Subscriptions go on as before.
  platform.snapshot(flapping(false, 500));
  assert.deepEqual(drain(sub).map((m) => m.type), ["no-interface-announcement"]);
  assert.equal(sub.closed, false);
});

Deno.test("a subscriber whose unread answers fill its queue is closed with a last queue-overflow error; nothing queued is lost", async () => {
  const { mif } = await openManual(twoLinks(), { workerPermissions: "net" });
  await using _ = mif;
  const sub = mif.subscribe({ queueLimit: 16 });
  // The worker answers each literal twice (its address, then done), in order: 20 overflow 16.
  for (let i = 0; i < 20; i++) {
    sub.post({
      type: "translate-name",
      pdId: "eth0/ipv4",
      name: "198.51.100.7",
      translationId: `t${i}`,
    });
  }
  await until(() => sub.closed);
  assert.throws(() => sub.post({ type: "announce-interfaces" }), Deno.errors.BadResource);
  const all = drain(sub);
  assert.equal(all.length, 17);
  const answers = Array.from({ length: 8 }, (_, i) => [
    `name-translation eth0/ipv4 198.51.100.7 t${i}`,
    `name-translation-done eth0/ipv4 t${i}`,
  ]);
  assert.deepEqual(brief(all.slice(0, 16)), answers.flat());
  const last = all[16];
  assert(last.type === "error" && last.reason === "queue-overflow");
  assert.match(last.detail, /the subscriber is closed/);
  assert.deepEqual(await sub.check({ timeout: 0 }), {
    ready: false,
    messages: 0,
    connections: [],
    closed: true,
  });
  assert.equal(mif.status().subscribers.length, 0);
});

Deno.test("a reset during the handshake is reason reset, never unreachable", () => {
  assert.deepEqual(classifyConnectError({ code: "ECONNRESET", syscall: "connect" }), {
    reason: "reset",
    nextSource: false,
  });
});

Deno.test("a peer that resets at once: every attempt ends reset, before or after connected", async () => {
  await using peer = await resetAtOnce();
  const { mif } = await openDns([]);
  await using _ = mif;
  const sub = mif.subscribe();
  for (let i = 0; i < 50; i++) {
    sub.post({
      type: "connect-to-address",
      pdId: "eth0/ipv4",
      address: "127.0.0.1",
      port: peer.port,
      connectionId: `c${i}`,
    });
  }
  const outcomes: string[] = [];
  for (let i = 0; i < 50; i++) {
    const m = await next(sub, 10_000);
    if (m.type === "not-connected") {
      outcomes.push(m.reason);
      continue;
    }
    assert(m.type === "connected", m.type);
    const connection = sub.connection(m.token);
    const error = await connection.closed;
    outcomes.push(error?.reason ?? "closed");
  }
  assert.deepEqual([...new Set(outcomes)], ["reset"]);
});

Deno.test("a connected token whose connection ended before it was taken still gives the Connection, with its ending", async () => {
  await using peer = await resetLater(20);
  const { mif } = await openDns([]);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv4",
    address: "127.0.0.1",
    port: peer.port,
    connectionId: "c",
  });
  const m = await next(sub);
  assert(m.type === "connected", m.type);
  await until(() => workerOf(mif, "eth0/ipv4").connections === 0);
  const connection = sub.connection(m.token);
  const error = await connection.closed;
  assert(error instanceof ConnectionError && error.reason === "reset");
  await assert.rejects(connection.readable.getReader().read(), ConnectionError);
  // Taken once, it is forgotten.
  assert.throws(() => sub.connection(m.token), Deno.errors.NotFound);
});

Deno.test("a worker reply whose text no message may carry is cleaned, never counted as a crash", async () => {
  const { mif } = await openManual(twoLinks(), {
    workerUrl: TEST_WORKER,
    workerPermissions: "net",
  });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "translate-name",
    pdId: "eth0/ipv4",
    name: "dirty.example",
    translationId: "d",
  });
  const done = await next(sub);
  assertValid(done);
  assert(done.type === "name-translation-done" && done.reason === "servfail");
  assert.equal(done.detail?.length, 2048);
  assert.match(done.detail ?? "", /^Cannot translate name: \\u007f\\u0000\\u001b\[31m/);
  assert.equal(workerOf(mif, "eth0/ipv4").crashes, 0);
});
