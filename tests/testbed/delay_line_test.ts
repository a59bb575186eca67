/**
 * The test bed's delay line (tests/testbed/delay_line.ts): its ifreq
 * struct, its command line and its order-keeping delay queue. The program
 * itself runs in tests/e2e/testbed_race_test.ts.
 */

import assert from "node:assert/strict";
import {
  DelayQueue,
  IFF_NO_PI,
  IFF_TUN,
  IFNAMSIZ,
  ifreq,
  IFREQ_SIZE,
  parseArgs,
  TUNSETIFF,
} from "./delay_line.ts";

Deno.test("ifreq holds the NUL-padded name and the flags at offset 16", () => {
  const bytes = ifreq("dlout", IFF_TUN | IFF_NO_PI);
  assert.equal(bytes.length, IFREQ_SIZE);
  assert.deepEqual([...bytes.subarray(0, IFNAMSIZ)], [
    ..."dlout".split("").map((c) => c.charCodeAt(0)),
    ...new Array(IFNAMSIZ - 5).fill(0),
  ]);
  assert.equal(new DataView(bytes.buffer).getUint16(IFNAMSIZ, true), 0x1001);
  assert.ok(bytes.subarray(IFNAMSIZ + 2).every((b) => b === 0), "the rest of the union is zero");
  assert.equal(ifreq("a".repeat(15), IFF_TUN)[15], 0, "15 characters leave the NUL");
});

Deno.test("TUNSETIFF is _IOW('T', 202, int)", () => {
  const iow = (type: number, nr: number, size: number) =>
    (1 << 30) | (size << 16) | (type << 8) | nr;
  assert.equal(TUNSETIFF, iow("T".charCodeAt(0), 202, 4));
});

Deno.test("ifreq refuses names Linux refuses and flags that are not a short", () => {
  for (const name of ["", "a".repeat(16), "a/b", "a b", "a:b", ".", "..", "é"]) {
    assert.throws(() => ifreq(name, IFF_TUN), /^Error: Cannot name a TUN device/, name);
  }
  for (const flags of [-1, 0x10000, 1.5]) {
    assert.throws(() => ifreq("dlin", flags), /^Error: Cannot set TUN flags/, String(flags));
  }
});

Deno.test("parseArgs reads two devices and a delay, and refuses anything else", () => {
  assert.deepEqual(parseArgs(["dlin", "dlout", "40"]), {
    tunIn: "dlin",
    tunOut: "dlout",
    delayMs: 40,
  });
  assert.equal(parseArgs(["dlin", "dlout", "0"]).delayMs, 0);
  assert.equal(parseArgs(["dlin", "dlout", "2.5"]).delayMs, 2.5);
  for (
    const args of [
      [],
      ["dlin", "dlout"],
      ["dlin", "dlout", ""],
      ["dlin", "dlout", "-1"],
      ["dlin", "dlout", "ten"],
      ["dlin", "dlin", "5"],
      ["dlin", "dlout", "5", "extra"],
      ["dl/in", "dlout", "5"],
    ]
  ) {
    assert.throws(() => parseArgs(args), /^Error: Cannot /, args.join(" "));
  }
});

Deno.test("DelayQueue writes in order, each packet no earlier than its delay", async () => {
  const pushed = new Map<number, number>();
  const written: { id: number; late: number }[] = [];
  const queue = new DelayQueue(30, (packet) => {
    written.push({ id: packet[0], late: performance.now() - pushed.get(packet[0])! });
    return true;
  });
  for (let id = 0; id < 5; id++) {
    pushed.set(id, performance.now());
    queue.push(new Uint8Array([id]));
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(queue.length, 5 - written.length);
  await queue.drained();
  assert.deepEqual(written.map((w) => w.id), [0, 1, 2, 3, 4]);
  // Only a lower bound: timers may fire late on a busy machine, never early.
  for (const { id, late } of written) assert.ok(late >= 29.5, `packet ${id} after ${late} ms`);
  assert.deepEqual(queue.counts, { forwarded: 5, dropped: 0 });
});

Deno.test("DelayQueue with 0 ms writes at once; a failing write only counts a drop", async () => {
  const written: number[] = [];
  const queue = new DelayQueue(0, (packet) => {
    if (packet[0] === 2) throw new Error("EINVAL");
    if (packet[0] === 3) return false;
    written.push(packet[0]);
    return true;
  });
  for (const id of [1, 2, 3, 4]) queue.push(new Uint8Array([id]));
  assert.deepEqual(written, [1, 4], "written synchronously");
  await queue.drained();
  assert.deepEqual(queue.counts, { forwarded: 2, dropped: 2 });
});

Deno.test("DelayQueue follows its clock: nothing is written before it is due", async () => {
  let now = 1000;
  const written: number[] = [];
  const queue = new DelayQueue(50, (p) => written.push(p[0]) > 0, () => now);
  queue.push(new Uint8Array([7]));
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(written, [], "the clock has not moved");
  now += 50;
  await queue.drained();
  assert.deepEqual(written, [7]);
});
