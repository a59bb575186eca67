/**
 * Connection throughput through a PD worker (the socket in the worker, bytes
 * over the connection's MessagePort with credit-based backpressure) against
 * a direct Deno.connect, on loopback, in one run. The peer is a separate
 * process (bench/fixtures/throughput_server.ts), so neither client shares a
 * thread with it. Rounds alternate between the paths. A third column runs
 * node:net in this thread, from the same source address but without a
 * worker, through its `data` events: the socket API the worker must use
 * (Deno.connect cannot choose a source address), used the plain way.
 *
 * ```sh
 * npx --yes deno@2 task bench:throughput            # 256 MiB × 7 rounds per direction
 * npx --yes deno@2 task bench:throughput 64 9       # 64 MiB × 9 rounds
 * ```
 *
 * Throughput is timed on the open connection; connecting is timed apart
 * (through the worker it is two message hops more), and a last column
 * gives the ratio of whole rounds, connecting included.
 *
 * @module
 */

import net from "node:net";
import { type Connected, type Connection, NO_MESSAGE, openMif, type Subscriber } from "../mod.ts";

const MIB = 1024 * 1024;
const size = Number(Deno.args[0] ?? 256) * MIB;
const rounds = Number(Deno.args[1] ?? 7);

const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--no-config",
    "--allow-net",
    new URL("./fixtures/throughput_server.ts", import.meta.url).pathname,
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const portLine = await new Response(server.stdout).body!.getReader().read();
const port = Number(new TextDecoder().decode(portLine.value).trim());

interface Duplex {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/** Milliseconds to open the connection, and to move the bytes once it is open. */
interface Timing {
  readonly connect: number;
  readonly transfer: number;
}

/** Asks for `size` bytes and reads them. */
async function download(open: () => Promise<Duplex>): Promise<Timing> {
  const opening = performance.now();
  const conn = await open();
  const start = performance.now();
  const writer = conn.writable.getWriter();
  await writer.write(new TextEncoder().encode(`down ${size}\n`));
  let got = 0;
  for await (const chunk of conn.readable) got += chunk.byteLength;
  await writer.close().catch(() => {});
  if (got !== size) throw new Error(`Cannot measure: got ${got} of ${size} bytes`);
  return { connect: start - opening, transfer: performance.now() - start };
}

/** Sends `size` bytes and waits for the peer's "ok". */
async function upload(open: () => Promise<Duplex>): Promise<Timing> {
  const opening = performance.now();
  const conn = await open();
  const start = performance.now();
  const writer = conn.writable.getWriter();
  await writer.write(new TextEncoder().encode(`up ${size}\n`));
  const block = new Uint8Array(256 * 1024).fill(0x75);
  for (let sent = 0; sent < size; sent += block.length) {
    await writer.write(block.subarray(0, Math.min(block.length, size - sent)));
  }
  let answer = "";
  for await (const chunk of conn.readable) answer += new TextDecoder().decode(chunk);
  await writer.close().catch(() => {});
  if (answer !== "ok\n") {
    throw new Error(`Cannot measure: the peer answered ${JSON.stringify(answer)}`);
  }
  return { connect: start - opening, transfer: performance.now() - start };
}

const direct = () => Deno.connect({ hostname: "127.0.0.1", port });

/** node:net from 127.0.0.2 as a Duplex of Web Streams, in this thread. */
async function nodeNet(): Promise<Duplex> {
  const socket = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  // By hand: Duplex.toWeb fails on close in Deno 2.9.6.
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
      socket.on("end", () => controller.close());
    },
  });
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
    },
    close() {
      socket.end();
    },
  });
  return { readable, writable };
}

await using mif = await openMif({
  platform: "sim",
  scenario: new URL("./fixtures/loopback.json", import.meta.url),
  hostsFile: null,
});
const sub: Subscriber = mif.subscribe({ name: "throughput bench" });
let next = 0;
async function throughWorker(): Promise<Connection> {
  const connectionId = `c${next++}`;
  sub.post({
    type: "connect-to-address",
    pdId: "lo-bench/ipv4",
    address: "127.0.0.1",
    port,
    connectionId,
  });
  await sub.check({ timeout: 10_000 });
  const m = sub.get();
  if (m === NO_MESSAGE || m.type !== "connected") {
    throw new Error(`Cannot connect through the worker: ${JSON.stringify(m)}`);
  }
  return sub.connection((m as Connected).token);
}

const results: Record<string, Timing[]> = {
  "download direct": [],
  "download worker": [],
  "download node": [],
  "upload direct": [],
  "upload worker": [],
  "upload node": [],
};
// One warm-up round each, not counted: the worker starts, the JIT settles.
await download(throughWorker);
await download(direct);
for (let i = 0; i < rounds; i++) {
  results["download direct"].push(await download(direct));
  results["download worker"].push(await download(throughWorker));
  results["download node"].push(await download(nodeNet));
  results["upload direct"].push(await upload(direct));
  results["upload worker"].push(await upload(throughWorker));
  results["upload node"].push(await upload(nodeNet));
}
server.kill();
await server.status;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (ms: number) => size / MIB / (ms / 1000);
console.log(`Deno ${Deno.version.deno}, ${size / MIB} MiB per round, ${rounds} rounds, medians.`);
console.log("Throughput of the open connection, then the whole round with connecting:");
console.log(
  "| direction | Deno.connect MiB/s | through the PD worker MiB/s | ratio | node:net, no worker MiB/s | its ratio | whole round: worker / Deno.connect |",
);
console.log("|---|---|---|---|---|---|---|");
for (const direction of ["download", "upload"]) {
  const [d, w, n] = ["direct", "worker", "node"].map((path) =>
    rate(median(results[`${direction} ${path}`].map((t) => t.transfer)))
  );
  const [dr, wr] = ["direct", "worker"].map((path) =>
    rate(median(results[`${direction} ${path}`].map((t) => t.connect + t.transfer)))
  );
  const pct = (x: number, of: number) => `${(100 * x / of).toFixed(0)} %`;
  console.log(
    `| ${direction} | ${d.toFixed(0)} | ${w.toFixed(0)} | ${pct(w, d)} | ${n.toFixed(0)} | ${
      pct(n, d)
    } | ${pct(wr, dr)} |`,
  );
}
const connects = ["direct", "worker", "node"].map((path) =>
  median(
    Object.entries(results).filter(([k]) => k.endsWith(path)).flatMap(([, ts]) => ts).map((t) =>
      t.connect
    ),
  ).toFixed(2)
);
console.log(
  `Connecting, median ms: Deno.connect ${connects[0]}, through the PD worker ${
    connects[1]
  } (connect-to-address, connected, sub.connection), node:net ${connects[2]}.`,
);
