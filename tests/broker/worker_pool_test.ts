import assert from "node:assert/strict";
import { brief, drain, next, openManual, twoLinks, until, workerOf } from "../fixtures/helpers.ts";
import type {
  ApiMessage,
  ElementType,
  GetConfigurationData,
  MifOptions,
  Subscriber,
  TranslateName,
} from "../../mod.ts";

const TEST_WORKER = new URL("../fixtures/test_worker.ts", import.meta.url);

function ask(pdId: string, item: string, element: ElementType = "dhcpv4"): GetConfigurationData {
  return { type: "get-configuration-data", pdId, element, item };
}

function translate(pdId: string, name: string, translationId: string): TranslateName {
  return { type: "translate-name", pdId, name, translationId };
}
const options: MifOptions = { workerUrl: TEST_WORKER, workerPermissions: "net" };

async function collect(sub: Subscriber, count: number): Promise<ApiMessage[]> {
  const out: ApiMessage[] = [];
  while (out.length < count) out.push(await next(sub));
  return out;
}

Deno.test("a PD worker starts on its PD's first request and answers get-configuration-data from its configuration", async () => {
  const { mif } = await openManual(twoLinks(), { workerPermissions: "net" });
  await using _ = mif;
  const sub = mif.subscribe();
  assert.deepEqual(workerOf(mif, "eth0/ipv4"), {
    state: "stopped",
    inFlight: 0,
    connections: 0,
    starts: 0,
    crashes: 0,
  });
  sub.post(ask("eth0/ipv4", "dns-servers"));
  sub.post(ask("eth0/ipv4", "routers"));
  sub.post(ask("eth0/ipv4", "mtu", "ra"));
  assert.equal(workerOf(mif, "eth0/ipv4").state, "running");
  assert.deepEqual(await collect(sub, 3), [
    {
      type: "configuration-data",
      pdId: "eth0/ipv4",
      element: "dhcpv4",
      item: "dns-servers",
      value: ["127.0.0.53"],
    },
    {
      type: "no-configuration-data",
      pdId: "eth0/ipv4",
      element: "dhcpv4",
      item: "routers",
      reason: "no-item",
    },
    {
      type: "no-configuration-data",
      pdId: "eth0/ipv4",
      element: "ra",
      item: "mtu",
      reason: "no-element",
    },
  ]);
  assert.equal(workerOf(mif, "eth0/ipv6").state, "stopped");
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 1);
});

Deno.test("get-configuration-data on an unknown PD answers error without starting a worker", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(ask("nope/ipv4", "mtu"));
  assert.deepEqual(brief(drain(sub)), ["error unknown-pd"]);
});

Deno.test("a PD worker sees its PD's new configuration", async () => {
  const { mif, platform } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  const question = ask("eth0/ipv4", "mtu");
  sub.post(question);
  assert.equal((await next(sub)).type, "configuration-data");
  const snapshot = twoLinks();
  const eth0 = snapshot.interfaces[0];
  const ipv4 = { ...eth0.pds[0], elements: [{ element: "dhcpv4" as const, data: { mtu: 9000 } }] };
  platform.snapshot({
    interfaces: [{ ...eth0, pds: [ipv4, eth0.pds[1]] }, snapshot.interfaces[1]],
  });
  sub.post(question);
  const m = await next(sub);
  assert(m.type === "configuration-data");
  assert.equal(m.value, 9000);
});

Deno.test("an idle PD worker stops after the idle timeout and starts again on demand", async () => {
  const { mif } = await openManual(twoLinks(), { ...options, workerIdleTimeout: 30 });
  await using _ = mif;
  const sub = mif.subscribe();
  const question = ask("wlan0/ipv4", "mtu");
  sub.post(question);
  await next(sub);
  await until(() => workerOf(mif, "wlan0/ipv4").state === "stopped");
  sub.post(question);
  assert.equal((await next(sub)).type, "no-configuration-data");
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 2);
});

Deno.test("a PD that is withdrawn stops its worker and answers its in-flight requests pd-gone", async () => {
  const { mif, platform } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("wlan0/ipv4", "hold.example", "t1"));
  assert.equal(workerOf(mif, "wlan0/ipv4").inFlight, 1);
  platform.snapshot({ interfaces: [twoLinks().interfaces[0]] });
  const done = await next(sub);
  assert.equal(done.type, "name-translation-done");
  assert(done.type === "name-translation-done");
  assert.equal(done.reason, "pd-gone");
  assert.equal(mif.status().subscribers[0].translations, 0);
});

Deno.test("a crash answers that PD's in-flight requests and leaves other PDs alone; the next request restarts it", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "a-held"));
  sub.post(translate("wlan0/ipv4", "hold.example", "b-held"));
  assert.equal(workerOf(mif, "eth0/ipv4").inFlight, 1);
  assert.equal(workerOf(mif, "wlan0/ipv4").inFlight, 1);
  // Requests travel in order on the PD's port: the worker holds "a-held" before it crashes.
  sub.post(translate("eth0/ipv4", "crash.example", "a-crash"));
  const answers = await collect(sub, 2);
  assert.deepEqual(
    answers.map((m) => m.type === "name-translation-done" && [m.translationId, m.reason]).sort(),
    [
      ["a-crash", "worker-crashed"],
      ["a-held", "worker-crashed"],
    ],
  );
  const crashed = workerOf(mif, "eth0/ipv4");
  assert.equal(crashed.state, "stopped");
  assert.equal(crashed.crashes, 1);
  assert.match(crashed.lastCrash ?? "", /injected crash/);
  assert.deepEqual(workerOf(mif, "wlan0/ipv4"), {
    state: "running",
    inFlight: 1,
    connections: 0,
    starts: 1,
    crashes: 0,
  });
  sub.post({ type: "stop-translating-name", translationId: "b-held" });
  assert.deepEqual(brief([await next(sub)]), ["name-translation-done wlan0/ipv4 cancelled b-held"]);
  sub.post(ask("eth0/ipv4", "mtu"));
  assert.equal((await next(sub)).type, "configuration-data");
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 2);
});

Deno.test("an unhandled rejection in a PD worker is handled as a crash", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "held"));
  sub.post(translate("eth0/ipv4", "reject.example", "r"));
  const answers = await collect(sub, 2);
  assert(answers.every((m) => m.type === "name-translation-done" && m.reason === "worker-crashed"));
  assert.match(workerOf(mif, "eth0/ipv4").lastCrash ?? "", /injected rejection/);
});

Deno.test("a worker reply of the wrong type is a protocol violation, handled as a crash", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(ask("eth0/ipv4", "wrong-type"));
  const m = await next(sub);
  assert.deepEqual(brief([m]), [
    "no-configuration-data eth0/ipv4 dhcpv4 wrong-type worker-crashed",
  ]);
  assert.match(
    workerOf(mif, "eth0/ipv4").lastCrash ?? "",
    /interface-going-up does not answer get-configuration-data/,
  );
});

Deno.test("a PD worker module that cannot load answers worker-crashed and the process survives", async () => {
  const { mif } = await openManual(twoLinks(), {
    workerUrl: new URL("../fixtures/missing_worker.ts", import.meta.url),
  });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "example.com", "t"));
  const m = await next(sub);
  assert(m.type === "name-translation-done");
  assert.equal(m.reason, "worker-crashed");
});

Deno.test("translation ids: stop-translating-name cancels, an unknown id or a live duplicate answers error", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "t"));
  sub.post(translate("eth0/ipv6", "hold.example", "t"));
  sub.post({ type: "stop-translating-name", translationId: "nope" });
  assert.deepEqual(brief(drain(sub)), ["error duplicate-id t", "error unknown-translation nope"]);
  sub.post({ type: "stop-translating-name", translationId: "t" });
  assert.deepEqual(brief(drain(sub)), ["name-translation-done eth0/ipv4 cancelled t"]);
  // The id is free again, and the worker's own late answer to the cancelled request is not delivered.
  sub.post(translate("eth0/ipv4", "not..a.name", "t"));
  assert.deepEqual(brief([await next(sub)]), ["name-translation-done eth0/ipv4 invalid-name t"]);
  await until(() => workerOf(mif, "eth0/ipv4").inFlight === 0);
  assert.deepEqual(drain(sub), []);
});

Deno.test("connection ids: a live duplicate answers error; the worker answers connect attempts", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  closed.close(); // Nobody listens on its port now.
  const connect = {
    type: "connect-to-address",
    pdId: "eth0/ipv4",
    address: "127.0.0.1",
    port: closed.addr.port,
    connectionId: "c",
  } as const;
  sub.post(connect);
  sub.post(connect);
  assert.deepEqual(brief(drain(sub)), ["error duplicate-id c"]);
  assert.deepEqual(brief([await next(sub)]), ["not-connected eth0/ipv4 refused c"]);
  assert.equal(mif.status().subscribers[0].connecting, 0);
});

Deno.test("closing a subscriber cancels its translations in the workers", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "t"));
  assert.equal(workerOf(mif, "eth0/ipv4").inFlight, 1);
  await sub.close();
  // The request stays in flight until the worker acknowledges the cancel.
  await until(() => workerOf(mif, "eth0/ipv4").inFlight === 0);
});

Deno.test("with workerPermissions net a PD worker has network permission only", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(ask("eth0/ipv4", "permissions"));
  const m = await next(sub);
  assert(m.type === "configuration-data");
  const value = m.value as Record<string, string>;
  assert.equal(value.net, "granted");
  for (const name of ["read", "write", "env", "run", "sys", "ffi"]) {
    assert.notEqual(value[name], "granted", name);
  }
});

Deno.test("with workerPermissions inherit a PD worker has the process's permissions", async () => {
  const { mif } = await openManual(twoLinks(), { ...options, workerPermissions: "inherit" });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(ask("eth0/ipv4", "permissions"));
  const m = await next(sub);
  assert(m.type === "configuration-data");
  assert.equal((m.value as Record<string, string>).read, "granted");
});

for (const [how, name] of [["exits without an error", "exit.example"], ["hangs", "hang.example"]]) {
  Deno.test(`a PD worker that ${how} is caught by the watchdog; its requests are answered and it restarts`, async () => {
    const { mif } = await openManual(twoLinks(), { ...options, workerWatchdog: 50 });
    await using _ = mif;
    const sub = mif.subscribe();
    sub.post(translate("eth0/ipv4", "hold.example", "held"));
    sub.post({ type: "translate-name", pdId: "eth0/ipv4", name, translationId: "fatal" });
    const answers = await collect(sub, 2);
    assert.deepEqual(
      answers.map((m) => m.type === "name-translation-done" && [m.translationId, m.reason]).sort(),
      [["fatal", "worker-crashed"], ["held", "worker-crashed"]],
    );
    assert.match(
      workerOf(mif, "eth0/ipv4").lastCrash ?? "",
      /^unresponsive: no answer to a liveness check within 50 ms$/,
    );
    sub.post(ask("eth0/ipv4", "mtu"));
    assert.equal((await next(sub)).type, "configuration-data");
  });
}

Deno.test("a busy but healthy PD worker is not mistaken for a dead one", async () => {
  const { mif } = await openManual(twoLinks(), { ...options, workerWatchdog: 100 });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "held"));
  await new Promise((r) => setTimeout(r, 700)); // several liveness checks, all answered
  assert.equal(workerOf(mif, "eth0/ipv4").crashes, 0);
  sub.post({ type: "stop-translating-name", translationId: "held" });
  assert.deepEqual(brief(drain(sub)), ["name-translation-done eth0/ipv4 cancelled held"]);
});

Deno.test("a stop that crosses its translation's end needs no answer; a stop for an id never used is an error", async () => {
  const { mif } = await openManual(twoLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "not..a.name", "t"));
  await sub.check({ timeout: 5000 }); // done arrives; the subscriber has not read it yet
  sub.post({ type: "stop-translating-name", translationId: "t" });
  sub.post({ type: "stop-translating-name", translationId: "never" });
  assert.deepEqual(brief(drain(sub)), [
    "name-translation-done eth0/ipv4 invalid-name t",
    "error unknown-translation never",
  ]);
});
