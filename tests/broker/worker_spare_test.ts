import assert from "node:assert/strict";
import type { ApiMessage, PdRequest } from "../../protocol/types.ts";
import { WorkerPool } from "../../broker/worker_pool.ts";
import { openMif } from "../../broker/mif.ts";
import type { WorkerSettings } from "../../broker/worker_client.ts";

const PD_WORKER = new URL("../../workers/pd_worker.ts", import.meta.url);

function settings(overrides: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    pd: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 1, connectTimeout: 1000 },
    url: PD_WORKER,
    permissions: "net",
    idleTimeout: 10_000,
    watchdog: 5_000,
    ...overrides,
  };
}

// With DNS servers: a PD without any answers translations without a worker (inline_pd.ts).
const pd = (n: number) => ({
  pdId: `eth0/ipv4/${n}`,
  family: "ipv4" as const,
  elements: [{ element: "dhcpv4" as const, data: { "dns-servers": ["127.0.0.53"] } }],
  addresses: [],
});

const literal = (n: number, name = "198.51.100.7"): PdRequest => ({
  type: "translate-name",
  translationId: `t${n}`,
  pdId: `eth0/ipv4/${n}`,
  name,
  family: "ipv4",
});

/** Sends a request to PD n's worker and collects its answers up to the final one. */
function ask(pool: WorkerPool, n: number): Promise<ApiMessage[]> {
  const answers: ApiMessage[] = [];
  return new Promise((resolve) => {
    pool.obtain("eth0", pd(n)).send({
      request: literal(n),
      deliver: (message) => {
        answers.push(message);
        if (message.type !== "name-translation") resolve(answers);
      },
    });
  });
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error(`Cannot wait: ${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("the pool starts a spare worker, a PD's start takes it over, and the next spare follows the PD's first answer", async () => {
  const pool = new WorkerPool(settings());
  try {
    assert.equal(pool.spareRunning, true);
    const answers = await ask(pool, 0);
    assert.deepEqual(answers.map((m) => m.type), ["name-translation", "name-translation-done"]);
    assert.equal(pool.status("eth0/ipv4/0").starts, 1);
    assert.equal(pool.status("eth0/ipv4/0").state, "running");
    await until("a new spare", () => pool.spareRunning);
    // The second PD takes over that spare and is served by it, with its own configuration.
    const second = await ask(pool, 1);
    assert.equal(second.at(-1)?.type, "name-translation-done");
    assert.equal((second[0] as { pdId: string }).pdId, "eth0/ipv4/1");
    assert.equal(pool.status("eth0/ipv4/1").starts, 1);
  } finally {
    pool.close();
  }
  assert.equal(pool.spareRunning, false);
});

Deno.test("a spare unused for the idle timeout stops; none is started when idle workers stop at once or spares are off", async () => {
  const pool = new WorkerPool(settings({ idleTimeout: 200 }));
  try {
    assert.equal(pool.spareRunning, true);
    await until("the spare's idle stop", () => !pool.spareRunning, 5_000);
  } finally {
    pool.close();
  }
  const none = new WorkerPool(settings({ idleTimeout: 0 }));
  assert.equal(none.spareRunning, false);
  none.close();
  const off = new WorkerPool(settings({ spare: false }));
  assert.equal(off.spareRunning, false);
  const answers = await ask(off, 0);
  assert.equal(answers.at(-1)?.type, "name-translation-done");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(off.spareRunning, false);
  off.close();
});

Deno.test("a spare that failed to load is not used: the PD's own start reports why the module cannot load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const broken = `${dir}/broken_worker.ts`;
    await Deno.writeTextFile(broken, 'throw new Error("broken on purpose");\n');
    const pool = new WorkerPool(settings({ url: new URL(`file://${broken}`) }));
    try {
      // Let the spare load and fail first.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const answers = await ask(pool, 0);
      assert.equal(answers.length, 1);
      const done = answers[0] as { reason?: string; detail?: string };
      assert.equal(done.reason, "worker-crashed");
      assert.match(done.detail ?? "", /^Cannot start PD worker: .*broken on purpose/);
      assert.equal(pool.status("eth0/ipv4/0").crashes, 1);
    } finally {
      pool.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("close() ends the spare even while it is still loading", () => {
  const pool = new WorkerPool(settings());
  assert.equal(pool.spareRunning, true);
  pool.close();
  assert.equal(pool.spareRunning, false);
});

Deno.test("no spare is started while a request is in flight: creating a worker would hold up the broker", async () => {
  const pool = new WorkerPool(
    settings({ url: new URL("../fixtures/test_worker.ts", import.meta.url) }),
  );
  try {
    // PD 1 takes the first spare with a translation its worker holds until cancelled.
    const held = pool.obtain("eth0", pd(1));
    let id = 0;
    const cancelled = new Promise<ApiMessage>((resolve) => {
      id = held.send({
        request: literal(1, "hold.example"),
        deliver: (message) => resolve(message),
      });
    });
    assert.equal(pool.spareRunning, false);
    // PD 0's first answer asks for a new spare, which waits for the held request.
    await ask(pool, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(pool.status("eth0/ipv4/1").inFlight, 1, "still held");
    assert.equal(pool.spareRunning, false);
    held.cancel(id, "Cannot translate name: stopped by the test");
    assert.equal((await cancelled as { reason?: string }).reason, "cancelled");
    await until("a spare once nothing is in flight", () => pool.spareRunning);
  } finally {
    pool.close();
  }
});

Deno.test("openMif starts a spare worker, none with workerSpare false; a bad workerSpare is a TypeError", async () => {
  {
    await using mif = await openMif({ platform: "sim", workerSpare: false });
    assert.equal(mif.status().spareWorker, false);
  }
  {
    await using mif = await openMif({ platform: "sim", workerSpare: true });
    assert.equal(mif.status().spareWorker, true);
  }
  await assert.rejects(
    () => openMif({ platform: "sim", workerSpare: "yes" as unknown as boolean }),
    TypeError,
  );
});
