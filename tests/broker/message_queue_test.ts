import assert from "node:assert/strict";
import { MessageQueue } from "../../broker/message_queue.ts";

Deno.test("CHECK's wait goes on when what woke it is gone after its turn, and answers ready when something comes", async () => {
  let readable = false;
  const queue = new MessageQueue<string>(() => readable);
  let settled: boolean | undefined;
  const waiting = queue.waitAfterTurn({ timeout: 2000 }).then((ready) => settled = ready);
  // A connection becomes readable and its data is read by other code before the turn.
  readable = true;
  queue.notify();
  readable = false;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(settled, undefined, "the wait answered before anything was ready");
  queue.push("answer");
  assert.equal(await waiting, true);
  assert.equal(queue.shift(), "answer");
});

Deno.test("CHECK's wait with nothing ready answers not ready at its timeout, not before", async () => {
  const queue = new MessageQueue<string>();
  const start = performance.now();
  assert.equal(await queue.waitAfterTurn({ timeout: 30 }), false);
  assert.ok(performance.now() - start >= 29, "it answered before its timeout");
});
