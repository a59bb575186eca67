/**
 * Memory of running PD workers: the process's RSS with 0, 1, 4 and 12 PD
 * workers running, each started by a translate-name of an IP literal (the
 * least a worker loads), then after one DNS lookup in each of the 12 (which
 * loads the resolver: dns-packet, node:dgram, node:net). For reference, a
 * second process measures the same counts of bare workers (bench/echo_worker.ts):
 * what any Deno Web Worker costs on this machine. The broker's spare worker
 * (see broker/worker_pool.ts) runs in every line of the PD part, 0 included,
 * so the differences are the PD workers' own.
 *
 *   npx --yes deno@2 run --allow-all bench/worker_memory.ts
 */

import { NO_MESSAGE, openMif, type Subscriber } from "../mod.ts";
import { BenchPlatform, benchSnapshot } from "./fixtures/bench_platform.ts";
import { TestDnsServer } from "../tests/fixtures/dns_server.ts";

const COUNTS = [1, 4, 12] as const;
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process's RSS in MiB once it settled: the median of 5 samples 100 ms apart. */
async function rss(): Promise<number> {
  await sleep(500);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++, await sleep(100)) samples.push(Deno.memoryUsage().rss / MiB);
  return samples.sort((a, b) => a - b)[2];
}

function line(label: string, workers: number, now: number, base: number): string {
  const per = workers === 0 ? "" : `  ${((now - base) / workers).toFixed(1)} MiB/worker`;
  return `${label.padEnd(34)} ${String(workers).padStart(2)} running: RSS ${now.toFixed(1)} MiB` +
    `  (+${(now - base).toFixed(1)})${per}`;
}

/** Bare workers echoing one message, for reference (run in its own process). */
async function echoWorkers(): Promise<void> {
  const base = await rss();
  console.log(line("bare worker (echo_worker.ts)", 0, base, base));
  const workers: Worker[] = [];
  for (const count of COUNTS) {
    while (workers.length < count) {
      const worker = new Worker(new URL("./echo_worker.ts", import.meta.url), { type: "module" });
      const { port1, port2 } = new MessageChannel();
      worker.postMessage(null, [port2]);
      await new Promise((resolve) => {
        port1.onmessage = resolve;
        port1.postMessage("ping");
      });
      port1.close();
      workers.push(worker);
    }
    console.log(line("bare worker (echo_worker.ts)", count, await rss(), base));
  }
  for (const worker of workers) worker.terminate();
}

/** Translates a name through one PD and waits for its done message. */
async function translate(sub: Subscriber, pd: number, name: string, id: string): Promise<void> {
  sub.post({
    type: "translate-name",
    translationId: id,
    pdId: `eth0/ipv4/${pd}`,
    name,
    family: "ipv4",
  });
  for (;;) {
    await sub.check();
    for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) {
      if (m.type === "name-translation-done" && m.translationId === id) {
        if (m.reason) throw new Error(`Cannot measure: ${name} through PD ${pd}: ${m.detail}`);
        return;
      }
      if (m.type === "error") throw new Error(`Cannot measure: ${m.detail}`);
    }
  }
}

async function pdWorkers(): Promise<void> {
  await using dns = await TestDnsServer.start({
    address: "127.0.0.12",
    names: { "www.example": { a: ["198.51.100.80"] } },
  });
  await using mif = await openMif({
    platform: new BenchPlatform(
      benchSnapshot(12, { address: (i) => `127.0.1.${i + 1}`, dnsServer: dns.server }),
    ),
    workerPermissions: "net",
    workerSpare: true,
    workerIdleTimeout: 600_000,
  });
  const sub = mif.subscribe({ name: "memory" });
  const base = await rss();
  console.log(line("PD worker, literal answered", 0, base, base) + "  (+ the spare in each line)");
  let running = 0;
  for (const count of COUNTS) {
    for (; running < count; running++) await translate(sub, running, "127.0.0.1", `l${running}`);
    console.log(line("PD worker, literal answered", count, await rss(), base));
  }
  for (let pd = 0; pd < running; pd++) await translate(sub, pd, "www.example", `d${pd}`);
  console.log(line("PD worker, after one DNS lookup", running, await rss(), base));
}

if (Deno.args[0] === "--echo") {
  await echoWorkers();
} else {
  console.log(`Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`);
  await pdWorkers();
  const echo = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", import.meta.filename!, "--echo"],
    stdout: "inherit",
    stderr: "inherit",
  });
  const { success } = await echo.output();
  if (!success) throw new Error("Cannot measure bare workers: the child process failed");
}
