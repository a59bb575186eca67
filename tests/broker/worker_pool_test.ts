import assert from "node:assert/strict";
import {
  brief,
  drain,
  element,
  next,
  openManual,
  twoLinks,
  until,
  workerOf,
} from "../fixtures/helpers.ts";
import type {
  ApiMessage,
  ElementInfo,
  ElementType,
  GetConfigurationData,
  MifOptions,
  Snapshot,
  Subscriber,
  TranslateName,
} from "../../mod.ts";

const TEST_WORKER = new URL("../fixtures/test_worker.ts", import.meta.url);
/** The test host table: "printer" and "printer.example" are 198.51.100.2. */
const HOSTS = new URL("../testdata/hosts", import.meta.url).pathname;

function ask(pdId: string, item: string, element: ElementType = "dhcpv4"): GetConfigurationData {
  return { type: "get-configuration-data", pdId, element, item };
}

function translate(pdId: string, name: string, translationId: string): TranslateName {
  return { type: "translate-name", pdId, name, translationId };
}
const options: MifOptions = { workerUrl: TEST_WORKER, workerPermissions: "net", hostsFile: HOSTS };

/**
 * twoLinks() with a DNS server on wlan0/ipv4 too: a PD without one answers
 * translations without a worker (broker/inline_pd.ts), and these tests are
 * about workers.
 */
function servedLinks(): Snapshot {
  const [eth0, wlan0] = twoLinks().interfaces;
  const dns = element("dhcpv4", { "dns-servers": ["127.0.0.53"] });
  return { interfaces: [eth0, { ...wlan0, pds: [{ ...wlan0.pds[0], elements: [dns] }] }] };
}

async function collect(sub: Subscriber, count: number): Promise<ApiMessage[]> {
  const out: ApiMessage[] = [];
  while (out.length < count) out.push(await next(sub));
  return out;
}

/** Translates an IP literal through a PD: its worker answers it without DNS or host table. */
async function literal(sub: Subscriber, pdId: string, translationId: string): Promise<string[]> {
  sub.post(translate(pdId, "198.51.100.7", translationId));
  return brief(await collect(sub, 2));
}

function answered(pdId: string, translationId: string): string[] {
  return [
    `name-translation ${pdId} 198.51.100.7 ${translationId}`,
    `name-translation-done ${pdId} ${translationId}`,
  ];
}

/** eth0/ipv4 of {@linkcode twoLinks} with other DHCPv4 data. */
function withEth0Ipv4Data(data: ElementInfo["data"]): Snapshot {
  const snapshot = twoLinks();
  const eth0 = snapshot.interfaces[0];
  const ipv4 = { ...eth0.pds[0], elements: [element("dhcpv4", data)] };
  return { interfaces: [{ ...eth0, pds: [ipv4, eth0.pds[1]] }, snapshot.interfaces[1]] };
}

const STOPPED = { state: "stopped", inFlight: 0, connections: 0, starts: 0, crashes: 0 };

Deno.test("a PD worker starts on its PD's first request and answers it from its configuration; other PDs' workers stay stopped", async () => {
  const { mif } = await openManual(servedLinks(), { workerPermissions: "net", hostsFile: HOSTS });
  await using _ = mif;
  const sub = mif.subscribe();
  assert.deepEqual(workerOf(mif, "eth0/ipv4"), STOPPED);
  sub.post(translate("eth0/ipv4", "198.51.100.7", "literal"));
  sub.post(translate("eth0/ipv4", "printer", "hosts"));
  assert.equal(workerOf(mif, "eth0/ipv4").state, "running");
  const answers = await collect(sub, 4);
  const of = (id: string) => answers.filter((m) => "translationId" in m && m.translationId === id);
  assert.deepEqual(of("literal"), [
    {
      type: "name-translation",
      translationId: "literal",
      pdId: "eth0/ipv4",
      address: "198.51.100.7",
      server: "literal",
    },
    { type: "name-translation-done", translationId: "literal", pdId: "eth0/ipv4" },
  ]);
  assert.deepEqual(of("hosts"), [
    {
      type: "name-translation",
      translationId: "hosts",
      pdId: "eth0/ipv4",
      address: "198.51.100.2",
      server: "hosts",
      name: "printer",
    },
    { type: "name-translation-done", translationId: "hosts", pdId: "eth0/ipv4" },
  ]);
  assert.deepEqual(workerOf(mif, "eth0/ipv6"), STOPPED);
  assert.deepEqual(workerOf(mif, "wlan0/ipv4"), STOPPED);
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 1);
});

Deno.test("the broker answers get-configuration-data from its snapshot at once, without starting the PD's worker", async () => {
  const { mif } = await openManual(servedLinks(), { workerPermissions: "net" });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(ask("eth0/ipv4", "dns-servers"));
  sub.post(ask("eth0/ipv4", "routers"));
  sub.post(ask("eth0/ipv4", "mtu", "ra"));
  assert.deepEqual(drain(sub), [
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
  assert.deepEqual(workerOf(mif, "eth0/ipv4"), STOPPED);
});

Deno.test("get-configuration-data on an unknown PD answers error without starting a worker", async () => {
  const { mif } = await openManual(servedLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(ask("nope/ipv4", "mtu"));
  assert.deepEqual(brief(drain(sub)), ["error unknown-pd"]);
});

Deno.test("a PD whose configuration changed answers get-configuration-data with the new data", async () => {
  const { mif, platform } = await openManual(servedLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(ask("eth0/ipv4", "mtu"));
  const before = drain(sub);
  assert.deepEqual(before.map((m) => m.type === "configuration-data" && m.value), [1500]);
  platform.snapshot(withEth0Ipv4Data({ mtu: 9000 }));
  sub.post(ask("eth0/ipv4", "mtu"));
  sub.post(ask("eth0/ipv4", "dns-servers"));
  assert.deepEqual(brief(drain(sub)), [
    "configuration-data eth0/ipv4 dhcpv4 mtu",
    "no-configuration-data eth0/ipv4 dhcpv4 dns-servers no-item",
  ]);
  sub.post(ask("eth0/ipv4", "mtu"));
  const after = drain(sub);
  assert.deepEqual(after.map((m) => m.type === "configuration-data" && m.value), [9000]);
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 0);
});

Deno.test("a running PD worker sees its PD's new configuration without a restart", async () => {
  const { mif, platform } = await openManual(servedLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  const names = async (translationId: string) => {
    sub.post(translate("eth0/ipv4", "printer", translationId));
    const [found, done] = await collect(sub, 2);
    assert.deepEqual(brief([done]), [`name-translation-done eth0/ipv4 ${translationId}`]);
    return found.type === "name-translation" && [found.address, found.name];
  };
  assert.deepEqual(await names("before"), ["198.51.100.2", "printer"]);
  // A search domain makes "printer" try printer.example first (ndots 1).
  platform.snapshot(withEth0Ipv4Data({ "search-domains": ["example"] }));
  assert.deepEqual(await names("after"), ["198.51.100.2", "printer.example"]);
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 1);
});

Deno.test("an idle PD worker stops after the idle timeout and starts again on demand", async () => {
  const { mif } = await openManual(servedLinks(), { ...options, workerIdleTimeout: 30 });
  await using _ = mif;
  const sub = mif.subscribe();
  assert.deepEqual(await literal(sub, "wlan0/ipv4", "first"), answered("wlan0/ipv4", "first"));
  await until(() => workerOf(mif, "wlan0/ipv4").state === "stopped");
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 1);
  assert.deepEqual(await literal(sub, "wlan0/ipv4", "again"), answered("wlan0/ipv4", "again"));
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 2);
});

Deno.test("a PD that is withdrawn stops its worker and answers its in-flight requests pd-gone", async () => {
  const { mif, platform } = await openManual(servedLinks(), options);
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
  const { mif } = await openManual(servedLinks(), options);
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
  assert.deepEqual(await literal(sub, "eth0/ipv4", "after"), answered("eth0/ipv4", "after"));
  assert.equal(workerOf(mif, "eth0/ipv4").starts, 2);
});

Deno.test("an unhandled rejection in a PD worker is handled as a crash", async () => {
  const { mif } = await openManual(servedLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "held"));
  sub.post(translate("eth0/ipv4", "reject.example", "r"));
  const answers = await collect(sub, 2);
  assert(answers.every((m) => m.type === "name-translation-done" && m.reason === "worker-crashed"));
  assert.match(workerOf(mif, "eth0/ipv4").lastCrash ?? "", /injected rejection/);
});

Deno.test("a worker reply of the wrong type is a protocol violation, handled as a crash", async () => {
  const { mif } = await openManual(servedLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "wrong-type.example", "w"));
  assert.deepEqual(brief([await next(sub)]), [
    "name-translation-done eth0/ipv4 worker-crashed w",
  ]);
  assert.match(
    workerOf(mif, "eth0/ipv4").lastCrash ?? "",
    /interface-going-up does not answer translate-name/,
  );
});

Deno.test("a PD worker module that cannot load answers worker-crashed and the process survives", async () => {
  const { mif } = await openManual(servedLinks(), {
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
  const { mif } = await openManual(servedLinks(), options);
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
  const { mif } = await openManual(servedLinks(), options);
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
  const { mif } = await openManual(servedLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "t"));
  assert.equal(workerOf(mif, "eth0/ipv4").inFlight, 1);
  await sub.close();
  // The request stays in flight until the worker acknowledges the cancel.
  await until(() => workerOf(mif, "eth0/ipv4").inFlight === 0);
});

/** The permission states of eth0/ipv4's worker (the test worker's "permissions.example"). */
async function permissions(sub: Subscriber): Promise<Record<string, string>> {
  sub.post(translate("eth0/ipv4", "permissions.example", "p"));
  const m = await next(sub);
  assert(m.type === "name-translation-done" && m.reason === undefined, JSON.stringify(m));
  return JSON.parse(m.detail ?? "{}");
}

Deno.test("with workerPermissions net a PD worker has network permission only", async () => {
  const { mif } = await openManual(servedLinks(), options);
  await using _ = mif;
  const sub = mif.subscribe();
  const value = await permissions(sub);
  assert.equal(value.net, "granted");
  for (const name of ["read", "write", "env", "run", "sys", "ffi"]) {
    assert.notEqual(value[name], "granted", name);
  }
});

Deno.test("with workerPermissions inherit a PD worker has the process's permissions", async () => {
  const { mif } = await openManual(servedLinks(), { ...options, workerPermissions: "inherit" });
  await using _ = mif;
  const sub = mif.subscribe();
  assert.equal((await permissions(sub)).read, "granted");
});

for (const [how, name] of [["exits without an error", "exit.example"], ["hangs", "hang.example"]]) {
  Deno.test(`a PD worker that ${how} is caught by the watchdog; its requests are answered and it restarts`, async () => {
    const { mif } = await openManual(servedLinks(), { ...options, workerWatchdog: 50 });
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
    assert.deepEqual(await literal(sub, "eth0/ipv4", "after"), answered("eth0/ipv4", "after"));
    assert.equal(workerOf(mif, "eth0/ipv4").starts, 2);
  });
}

Deno.test("a busy but healthy PD worker is not mistaken for a dead one", async () => {
  const { mif } = await openManual(servedLinks(), { ...options, workerWatchdog: 100 });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post(translate("eth0/ipv4", "hold.example", "held"));
  await new Promise((r) => setTimeout(r, 700)); // several liveness checks, all answered
  assert.equal(workerOf(mif, "eth0/ipv4").crashes, 0);
  sub.post({ type: "stop-translating-name", translationId: "held" });
  assert.deepEqual(brief(drain(sub)), ["name-translation-done eth0/ipv4 cancelled held"]);
});

Deno.test("a stop that crosses its translation's end needs no answer; a stop for an id never used is an error", async () => {
  const { mif } = await openManual(servedLinks(), options);
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

Deno.test("a PD worker holding a request past the idle timeout keeps running, and stops once idle after its answer", async () => {
  const { mif } = await openManual(servedLinks(), { ...options, workerIdleTimeout: 30 });
  await using _ = mif;
  const sub = mif.subscribe();
  assert.deepEqual(await literal(sub, "wlan0/ipv4", "first"), answered("wlan0/ipv4", "first"));
  // The idle timer that answer armed fires while the next request is held.
  sub.post(translate("wlan0/ipv4", "hold.example", "held"));
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(workerOf(mif, "wlan0/ipv4").state, "running");
  assert.equal(workerOf(mif, "wlan0/ipv4").inFlight, 1);
  sub.post({ type: "stop-translating-name", translationId: "held" });
  assert.deepEqual(brief(drain(sub)), ["name-translation-done wlan0/ipv4 cancelled held"]);
  await until(() => workerOf(mif, "wlan0/ipv4").state === "stopped");
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 1);
  assert.equal(workerOf(mif, "wlan0/ipv4").crashes, 0);
});
