import assert from "node:assert/strict";
import { RereadScheduler } from "../../platform/reread.ts";
import { until } from "../fixtures/helpers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A read the test ends by hand, counting how many started. */
function heldReads() {
  const ends: (() => void)[] = [];
  return {
    ends,
    read: () => new Promise<void>((resolve) => ends.push(resolve)),
  };
}

Deno.test("requests within the debounce are read together, once", async () => {
  let reads = 0;
  await using rereads = new RereadScheduler(() => Promise.resolve(void reads++), { debounce: 20 });
  for (let i = 0; i < 10; i++) rereads.request(i % 2 === 0);
  await until(() => reads > 0);
  await sleep(80);
  assert.equal(reads, 1);
});

Deno.test("requests while a read runs are read once more after it, as a burst", async () => {
  const held = heldReads();
  await using rereads = new RereadScheduler(held.read, { debounce: 1 });
  rereads.request();
  await until(() => held.ends.length === 1);
  assert.equal(rereads.busy, true);
  for (let i = 0; i < 5; i++) rereads.request(true);
  held.ends[0]();
  await until(() => held.ends.length === 2);
  held.ends[1]();
  await sleep(50);
  assert.equal(held.ends.length, 2);
  assert.equal(rereads.busy, false);
});

Deno.test("a leading request outside a burst is read after the gather delay, not the debounce", async () => {
  let reads = 0;
  await using rereads = new RereadScheduler(() => Promise.resolve(void reads++), {
    debounce: 60_000,
    gather: 1,
  });
  rereads.request(true);
  await until(() => reads === 1);
});

Deno.test("after a burst, a leading request waits with the burst for the debounce", async () => {
  const held = heldReads();
  await using rereads = new RereadScheduler(held.read, { debounce: 60_000, gather: 1 });
  rereads.request(true);
  await until(() => held.ends.length === 1);
  rereads.request(true); // During the read: a burst, read once more after the debounce.
  held.ends[0]();
  await until(() => !rereads.busy);
  rereads.request(true);
  await sleep(100);
  assert.equal(held.ends.length, 1, "the burst's read waits for the debounce");
});

Deno.test("a read that resolves true is read once more", async () => {
  let reads = 0;
  await using rereads = new RereadScheduler(() => Promise.resolve(++reads < 3), { debounce: 1 });
  rereads.request();
  await until(() => reads === 3);
  await sleep(50);
  assert.equal(reads, 3);
});

Deno.test("a read that throws does not stop later reads", async () => {
  let reads = 0;
  await using rereads = new RereadScheduler(() => {
    reads++;
    return Promise.reject(new Error("Cannot read the host: test"));
  }, { debounce: 1 });
  rereads.request();
  await until(() => reads === 1);
  await until(() => !rereads.busy);
  rereads.request();
  await until(() => reads === 2);
});

Deno.test("close drops a waiting read, waits for the running one, and ignores later requests", async () => {
  const held = heldReads();
  const rereads = new RereadScheduler(held.read, { debounce: 1 });
  rereads.request();
  await until(() => held.ends.length === 1);
  rereads.request(); // Would read once more after the running read.
  let closed = false;
  const closing = rereads.close().then(() => closed = true);
  await sleep(20);
  assert.equal(closed, false, "close waits for the running read");
  held.ends[0]();
  await closing;
  rereads.request();
  await sleep(50);
  assert.equal(held.ends.length, 1);

  let reads = 0;
  const waiting = new RereadScheduler(() => Promise.resolve(void reads++), { debounce: 20 });
  waiting.request();
  await waiting.close();
  await sleep(60);
  assert.equal(reads, 0, "the waiting read was dropped");
});

Deno.test("bad delays and reads are refused", () => {
  const read = () => Promise.resolve();
  for (const debounce of [-1, NaN, Infinity]) {
    assert.throws(() => new RereadScheduler(read, { debounce }), RangeError);
  }
  assert.throws(() => new RereadScheduler(read, { debounce: 5, gather: -1 }), RangeError);
  assert.throws(
    () => new RereadScheduler(undefined as unknown as () => Promise<void>, { debounce: 5 }),
    TypeError,
  );
});
