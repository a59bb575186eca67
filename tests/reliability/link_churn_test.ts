/**
 * Reliability: link churn on the simulated platform. A scenario flaps a
 * link 500 times (down, up, its PD back) and adds and removes an address of
 * the other link's PD 500 times, while subscribers translate names and
 * connect through both PDs. No request may be lost or answered twice; after
 * close, threads, file descriptors and heap are back to where they were.
 */

import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { until } from "../fixtures/helpers.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { TcpPeer } from "../fixtures/tcp_peer.ts";
import {
  type ApiMessage,
  NO_MESSAGE,
  openMif,
  parseScenario,
  SimPlatform,
  type Subscriber,
  validateApiMessage,
} from "../../mod.ts";

const FLAPS = 500;
/** Milliseconds between flaps. */
const PERIOD = 4;

v8.setFlagsFromString("--expose-gc");
const gc: () => void = vm.runInNewContext("gc");

function scenario(dns: string, flaps: number): string {
  const timeline: Record<string, unknown>[] = [];
  for (let i = 0; i < flaps; i++) {
    const at = 20 + i * PERIOD;
    timeline.push(
      { at, event: "link-down", interfaceId: "wlan0" },
      { at: at + 1, event: "link-up", interfaceId: "wlan0" },
      { at: at + 2, event: "pd-restore", pdId: "wlan0/ipv4" },
      i % 2 === 0
        ? {
          at: at + 3,
          event: "address-add",
          pdId: "eth0/ipv4",
          address: { address: "127.0.0.60", prefixLength: 8, validLifetime: 600 },
        }
        : { at: at + 3, event: "address-remove", pdId: "eth0/ipv4", address: "127.0.0.60" },
    );
  }
  const link = (interfaceId: string, pdId: string, source: string) => ({
    interfaceId,
    interfaceType: "wired",
    pds: [{
      pdId,
      family: "ipv4",
      addresses: [{ address: source, prefixLength: 8, validLifetime: 3600 }],
      elements: [{ element: "dhcpv4", data: { "dns-servers": [dns] } }],
    }],
  });
  return JSON.stringify({
    name: "churn",
    interfaces: [link("eth0", "eth0/ipv4", "127.0.0.2"), link("wlan0", "wlan0/ipv4", "127.0.0.3")],
    timeline,
  });
}

function threads(): number {
  return [...Deno.readDirSync("/proc/self/task")].length;
}

function fds(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

interface Books {
  posted: number;
  accepted: Map<string, string>;
  finals: Map<string, number>;
  invalid: string[];
}

/** Takes every queued message: validates it, counts finals, closes connections. */
function take(sub: Subscriber, books: Books): ApiMessage[] {
  const out: ApiMessage[] = [];
  for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) {
    const v = validateApiMessage(m);
    if (!v.ok) books.invalid.push(v.detail);
    const id = m.type === "name-translation-done"
      ? m.translationId
      : m.type === "connected" || m.type === "not-connected"
      ? m.connectionId
      : undefined;
    if (id !== undefined) books.finals.set(id, (books.finals.get(id) ?? 0) + 1);
    if (m.type === "connected") sub.connection(m.token).close();
    out.push(m);
  }
  return out;
}

/** Runs the churn; returns the books once every accepted request has ended. */
async function churn(flaps: number): Promise<Books> {
  await using dns = await TestDnsServer.start({
    address: "127.0.0.23",
    names: { "churn.example": { a: ["198.51.100.80"], delay: { A: 3 } } },
  });
  await using peer = new TcpPeer("127.0.0.1");
  await using mif = await openMif({
    platform: new SimPlatform(parseScenario(scenario(dns.server, flaps))),
    // The spare worker's start and stop (tested in worker_spare_test.ts) would blur the counts.
    workerSpare: false,
    workerPermissions: "net",
    hostsFile: null,
    dnsTimeout: 500,
    dnsAttempts: 1,
  });
  const books: Books = { posted: 0, accepted: new Map(), finals: new Map(), invalid: [] };
  const watcher = mif.subscribe({ name: "watcher" });
  watcher.post({ type: "announce-interfaces" });
  for (const interfaceId of ["eth0", "wlan0"]) {
    watcher.post({ type: "announce-provisioning-domains", interfaceId });
  }
  const subs = [mif.subscribe({ name: "a" }), mif.subscribe({ name: "b" })];
  const end = Date.now() + 40 + flaps * PERIOD;
  const accept = (sub: Subscriber, id: string, message: unknown) => {
    books.posted++;
    sub.post(message as never);
    // Refused at once (the PD is gone just now) is fine; anything accepted must end once.
    if (!take(sub, books).some((m) => m.type === "error")) books.accepted.set(id, sub.name!);
  };
  let n = 0;
  while (Date.now() < end) {
    // Several at a time: a flap restarts wlan0's worker, which holds the thread ~50 ms.
    for (const sub of Array.from({ length: 8 }, () => subs).flat()) {
      for (const pdId of ["eth0/ipv4", "wlan0/ipv4"]) {
        const id = `${sub.name}${n++}`;
        if (n % 3 === 0) {
          accept(sub, id, {
            type: "connect-to-address",
            pdId,
            address: "127.0.0.1",
            port: peer.port,
            connectionId: id,
          });
        } else {
          accept(sub, id, {
            type: "translate-name",
            pdId,
            name: "churn.example",
            translationId: id,
            family: "ipv4",
          });
        }
      }
    }
    take(watcher, books);
    await new Promise((r) => setTimeout(r, 2));
  }
  await until(() => {
    for (const sub of subs) take(sub, books);
    take(watcher, books);
    return [...books.accepted.keys()].every((id) => books.finals.has(id));
  }, 20_000);
  for (const sub of [...subs, watcher]) await sub.close();
  for (; peer.waiting > 0;) (await peer.accept()).conn.close();
  return books;
}

async function settled(): Promise<{ threads: number; fds: number; heap: number }> {
  // Worker threads end a little after terminate(); give them time.
  await new Promise((r) => setTimeout(r, 200));
  gc();
  return { threads: threads(), fds: fds(), heap: Deno.memoryUsage().heapUsed };
}

Deno.test("500 link flaps with address changes while subscribers translate and connect: nothing lost, nothing twice, nothing left", async () => {
  await churn(10); // Warm up: the runtime's own threads and caches are there before the baseline.
  const before = await settled();
  const books = await churn(FLAPS);
  assert.deepEqual(books.invalid, []);
  const missing = [...books.accepted.keys()].filter((id) => !books.finals.has(id));
  assert.deepEqual(missing, []);
  const twice = [...books.finals].filter(([, count]) => count > 1);
  assert.deepEqual(twice, []);
  assert(books.accepted.size > 100, `only ${books.accepted.size} requests were accepted`);
  await until(() => threads() <= before.threads, 5_000).catch(() => {});
  const after = await settled();
  assert(after.threads <= before.threads, `threads ${before.threads} → ${after.threads}`);
  assert(after.fds <= before.fds, `file descriptors ${before.fds} → ${after.fds}`);
  const grown = after.heap - before.heap;
  assert(grown < 4 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
});
