/**
 * Broker benchmarks: the broker → PD worker round trip, pipelined PD requests
 * (messages/s = requests / time per iteration), announcement fan-out, and a
 * PD worker's start. The PD request is a translate-name of an IPv4 literal
 * asked for IPv6 only: the worker answers it with one done message, without
 * I/O (get-configuration-data is answered by the broker, without a worker).
 *
 *   npx --yes deno@2 task bench
 */

import { type Mif, NO_MESSAGE, openMif, type Subscriber } from "../mod.ts";
import { BenchPlatform, benchSnapshot } from "./fixtures/bench_platform.ts";
import { PdWorkerClient } from "../broker/worker_client.ts";
import type { TranslateName } from "../protocol/types.ts";

const snapshot = (pds: number) => benchSnapshot(pds, { mtu: 1500 });
const platform = new BenchPlatform(snapshot(4));
// Workers stop once idle, so the process can end after the last benchmark.
const mif = await openMif({ platform, workerPermissions: "net", workerIdleTimeout: 2000 });
const sub = mif.subscribe({ name: "bench" });
const ask: TranslateName = {
  type: "translate-name",
  translationId: "bench",
  pdId: "eth0/ipv4/0",
  name: "127.0.0.1",
  family: "ipv6",
};

async function take(s: Subscriber, n: number): Promise<void> {
  for (let got = 0; got < n;) {
    await s.check();
    while (s.get() !== NO_MESSAGE) got++;
  }
}

// Start the worker before measuring: its start is measured separately below.
sub.post(ask);
await take(sub, 1);

// Baseline: a bare MessagePort round trip to a worker that echoes what the broker posts.
const echo = new Worker(new URL("./echo_worker.ts", import.meta.url), { type: "module" });
const channel = new MessageChannel();
echo.postMessage(null, [channel.port2]);
const echoOnce = () =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port1.postMessage({ type: "request", requestId: 1, request: ask });
  });
await echoOnce();
globalThis.addEventListener("unload", () => {
  channel.port1.close();
  echo.terminate();
});

Deno.bench(
  "baseline: bare MessagePort round trip to an echo worker",
  { group: "worker", baseline: true },
  async () => {
    await echoOnce();
  },
);

Deno.bench(
  "broker → PD worker round trip (translate-name of a literal)",
  { group: "worker" },
  async () => {
    sub.post(ask);
    await take(sub, 1);
  },
);

Deno.bench(
  "1000 pipelined translate-name through one PD worker",
  { group: "worker" },
  async () => {
    for (let i = 0; i < 1000; i++) sub.post({ ...ask, translationId: `p${i}` });
    await take(sub, 1000);
  },
);

Deno.bench("1000 pipelined requests spread over 4 PD workers", { group: "worker" }, async () => {
  for (let i = 0; i < 1000; i++) {
    sub.post({ ...ask, translationId: `s${i}`, pdId: `eth0/ipv4/${i & 3}` });
  }
  await take(sub, 1000);
});

const fans = Array.from({ length: 100 }, () => mif.subscribe());
const drainAll = () => {
  let n = 0;
  for (const s of fans) while (s.get() !== NO_MESSAGE) n++;
  return n;
};

Deno.bench(
  "fan-out: 100 subscribers × 4 PDs: subscribe, withdraw, restore (800 messages)",
  { group: "fan-out" },
  () => {
    for (const s of fans) {
      for (let i = 0; i < 4; i++) s.post({ type: "announce-addresses", pdId: `eth0/ipv4/${i}` });
    }
    platform.listener({
      type: "snapshot",
      snapshot: { interfaces: [{ ...snapshot(4).interfaces[0], pds: [] }] },
    });
    platform.listener({ type: "snapshot", snapshot: snapshot(4) });
    const n = drainAll();
    if (n !== 800) throw new Error(`Cannot measure fan-out: expected 800 messages, got ${n}`);
  },
);

Deno.bench("post → answer without a worker (announce-interfaces)", { group: "fan-out" }, () => {
  sub.post({ type: "announce-interfaces" });
  sub.get();
});

/** A new Mif with its spare worker, and a subscriber: what the start rows measure from. */
async function freshMif(): Promise<{ m: Mif; s: Subscriber }> {
  const m = await openMif({
    platform: new BenchPlatform(snapshot(4)),
    workerPermissions: "net",
    workerSpare: true,
  });
  return { m, s: m.subscribe() };
}

Deno.bench("PD worker cold start + first answer, right after openMif", {
  group: "start",
  n: 20,
}, async (b) => {
  const { m, s } = await freshMif();
  b.start();
  s.post(ask);
  await take(s, 1);
  b.end();
  await m.close();
});

Deno.bench("openMif + PD worker start + first answer", { group: "start", n: 20 }, async () => {
  const { m, s } = await freshMif();
  s.post(ask);
  await take(s, 1);
  await m.close();
});

Deno.bench("PD worker start + first answer, the spare loaded (1 s after openMif)", {
  group: "start",
  n: 10,
}, async (b) => {
  const { m, s } = await freshMif();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  b.start();
  s.post(ask);
  await take(s, 1);
  b.end();
  await m.close();
});

Deno.bench("PD worker cold start + first answer, no spare (PdWorkerClient alone)", {
  group: "start",
  n: 20,
}, async () => {
  const client = new PdWorkerClient({
    interfaceId: "eth0",
    pd: snapshot(1).interfaces[0].pds[0],
    settings: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 1, connectTimeout: 1000 },
  }, {
    pd: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 1, connectTimeout: 1000 },
    url: new URL("../workers/pd_worker.ts", import.meta.url),
    permissions: "net",
    idleTimeout: 30_000,
    watchdog: 2_000,
  });
  await new Promise<void>((resolve) => client.send({ request: ask, deliver: () => resolve() }));
  client.retire(undefined, "measured");
});
