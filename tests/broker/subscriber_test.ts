import assert from "node:assert/strict";
import { brief, drain, openManual, twoLinks } from "../fixtures/helpers.ts";
import { NO_MESSAGE, type SubscriberMessage } from "../../mod.ts";

Deno.test("get() on an empty queue returns NO_MESSAGE", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  assert.equal(sub.get(), NO_MESSAGE);
  sub.post({ type: "announce-interfaces" });
  assert.notEqual(sub.get(), NO_MESSAGE);
  assert.notEqual(sub.get(), NO_MESSAGE);
  assert.equal(sub.get(), NO_MESSAGE);
});

Deno.test("check({ timeout: 0 }) probes without waiting", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  assert.deepEqual(await sub.check({ timeout: 0 }), {
    ready: false,
    messages: 0,
    connections: [],
    closed: false,
  });
  sub.post({ type: "announce-interfaces" });
  assert.deepEqual(await sub.check({ timeout: 0 }), {
    ready: true,
    messages: 2,
    connections: [],
    closed: false,
  });
});

Deno.test("check({ timeout }) answers not ready once the timeout passes, and ready when a message comes first", async () => {
  const { mif, platform } = await openManual({ interfaces: [] });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  const start = performance.now();
  const idle = await sub.check({ timeout: 50 });
  assert.equal(idle.ready, false);
  assert(performance.now() - start >= 45, "returned before the timeout");
  setTimeout(() => platform.snapshot(twoLinks()), 20);
  const busy = await sub.check({ timeout: 10_000 });
  assert.equal(busy.ready, true);
  assert.equal(busy.messages, 2);
});

Deno.test("check() without a timeout waits until a message arrives", async () => {
  const { mif, platform } = await openManual({ interfaces: [] });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  const waiting = sub.check();
  let settled = false;
  waiting.then(() => settled = true);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(settled, false);
  platform.snapshot(twoLinks());
  assert.equal((await waiting).messages, 2);
});

Deno.test("check() rejects with the signal's reason when aborted", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  const controller = new AbortController();
  const waiting = sub.check({ signal: controller.signal });
  controller.abort(new Error("user gave up"));
  await assert.rejects(waiting, /user gave up/);
  await assert.rejects(sub.check({ signal: AbortSignal.abort() }), { name: "AbortError" });
});

Deno.test("check() rejects a bad timeout with TypeError or RangeError", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  await assert.rejects(sub.check({ timeout: -1 }), RangeError);
  await assert.rejects(sub.check({ timeout: "5" as unknown as number }), TypeError);
  await assert.rejects(sub.check({ timeout: NaN }), TypeError);
});

Deno.test("closing a subscriber wakes its waiters and later posts throw BadResource", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  const waiting = sub.check();
  await sub.close();
  assert.deepEqual(await waiting, { ready: false, messages: 0, connections: [], closed: true });
  assert.throws(() => sub.post({ type: "announce-interfaces" }), Deno.errors.BadResource);
  assert.equal(sub.get(), NO_MESSAGE);
  await sub.close(); // idempotent
});

Deno.test("closing the Mif instance closes every subscriber", async () => {
  const { mif, platform } = await openManual();
  const subs = [mif.subscribe(), mif.subscribe()];
  await mif.close();
  assert(subs.every((s) => s.closed));
  assert(platform.closed);
  assert.throws(() => mif.subscribe(), Deno.errors.BadResource);
});

Deno.test("async iteration yields messages in order; breaking out closes the subscriber", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  const seen: string[] = [];
  for await (const m of sub) {
    seen.push(brief([m])[0]);
    if (seen.length === 2) break;
  }
  assert.deepEqual(seen, ["interface-announcement eth0", "interface-announcement wlan0"]);
  assert(sub.closed);
});

Deno.test("messages({ preventClose }) leaves the subscriber open; a signal ends the loop", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  for await (const _m of sub.messages({ preventClose: true })) break;
  assert(!sub.closed);
  const controller = new AbortController();
  const loop = (async () => {
    const got = [];
    for await (const m of sub.messages({ signal: controller.signal, preventClose: true })) {
      got.push(m);
    }
    return got;
  })();
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(loop, { name: "AbortError" });
  assert(!sub.closed);
});

Deno.test("hostile or malformed posts answer error and the broker keeps serving", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  const cyclic: Record<string, unknown> = { type: "announce-interfaces" };
  cyclic.self = cyclic;
  const inputs: unknown[] = [
    null,
    42,
    "announce-interfaces",
    { type: "no-such-thing" },
    {
      type: "announce-addresses",
      get pdId() {
        throw new Error("getter bomb");
      },
    },
    new Proxy({ type: "announce-interfaces" }, {
      ownKeys: () => {
        throw new Error("trap");
      },
    }),
    { type: "announce-interfaces", callback: () => {} },
    {
      type: "connect-to-address",
      pdId: "eth0/ipv4",
      address: "127.0.0.1",
      port: 99999,
      connectionId: "c1",
    },
    { type: "translate-name", pdId: "eth0/ipv4", name: "a", translationId: 10n },
    cyclic,
  ];
  for (const input of inputs) sub.post(input as SubscriberMessage);
  const answers = drain(sub);
  assert.equal(answers.length, inputs.length);
  for (const a of answers) {
    assert(a.type === "error", JSON.stringify(a));
    assert.equal(a.reason, "invalid-message");
    assert.match(a.detail, /^Cannot accept /);
  }
  assert.equal(answers[7].type === "error" && answers[7].connectionId, "c1");
  sub.post({ type: "announce-interfaces" });
  assert.deepEqual(brief(drain(sub)), [
    "interface-announcement eth0",
    "interface-announcement wlan0",
  ]);
});

Deno.test("a posted message is copied: changing it afterwards changes nothing; answers are frozen", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  const message = { type: "wants-to-connect" as const, pdId: "eth0/ipv4" };
  sub.post(message);
  (message as { pdId: string }).pdId = "wlan0/ipv4";
  assert.equal(mif.status().subscribers[0].intents[0].pdId, "eth0/ipv4");
  sub.post({ type: "announce-interfaces" });
  const m = sub.get();
  assert(m !== NO_MESSAGE && Object.isFrozen(m));
});

Deno.test("app intents are recorded per subscriber, shown in status and dropped when it closes", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const browser = mif.subscribe({ name: "browser" });
  const backup = mif.subscribe({ name: "backup" });
  browser.post({ type: "wants-to-connect", pdId: "eth0/ipv6" });
  browser.post({ type: "connection-can-be-broken" });
  backup.post({ type: "wants-to-connect", interfaceId: "wlan0" });
  backup.post({ type: "connection-idle", interfaceId: "wlan0" }); // replaces wants-to-connect on wlan0
  const intents = () =>
    Object.fromEntries(
      mif.status().subscribers.map((
        s,
      ) => [s.name, s.intents.map((i) => [i.intent, i.interfaceId ?? i.pdId ?? "*"])]),
    );
  assert.deepEqual(intents(), {
    browser: [["wants-to-connect", "eth0/ipv6"], ["connection-can-be-broken", "*"]],
    backup: [["connection-idle", "wlan0"]],
  });
  await browser.close();
  assert.deepEqual(intents(), { backup: [["connection-idle", "wlan0"]] });
  assert.deepEqual(drain(backup), []);
});

Deno.test("an intent scoped to an unknown interface or PD, or a PD on another interface, answers error", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "wants-to-connect", interfaceId: "nope0" });
  sub.post({ type: "connection-idle", pdId: "nope/ipv4" });
  sub.post({ type: "connection-can-be-broken", interfaceId: "wlan0", pdId: "eth0/ipv4" });
  assert.deepEqual(drain(sub).map((m) => m.type === "error" && m.reason), [
    "unknown-interface",
    "unknown-pd",
    "unknown-pd",
  ]);
  assert.deepEqual(mif.status().subscribers[0].intents, []);
});

Deno.test("a CHECK loop over answers made on the broker's thread (a PD without DNS servers) still lets a timer fire", async () => {
  // No host table either: the broker answers each translation in microtasks, without I/O.
  const { mif } = await openManual(twoLinks(), { hostsFile: null });
  await using _ = mif;
  const sub = mif.subscribe();
  let fired = false;
  setTimeout(() => fired = true, 0);
  let rounds = 0;
  for (; !fired && rounds < 100_000; rounds++) {
    sub.post({
      type: "translate-name",
      pdId: "wlan0/ipv4",
      name: "www.example",
      translationId: "t",
    });
    assert.equal((await sub.check()).ready, true);
    assert.deepEqual(brief(drain(sub)), ["name-translation-done wlan0/ipv4 no-dns-servers t"]);
  }
  assert.equal(fired, true, `the timer did not fire in ${rounds} rounds`);
});
