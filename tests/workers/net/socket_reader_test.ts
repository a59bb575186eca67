/**
 * SocketReader.push, the path for sockets read through 'data' events (TLS):
 * bytes land in the same batches as onread's, in order, and the window
 * pauses the socket.
 */

import assert from "node:assert/strict";
import { SocketReader } from "../../../workers/net/socket_reader.ts";
import { READ_BATCH, READ_WINDOW } from "../../../wire/connection_wire.ts";

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

Deno.test("pushed chunks come out in order, in batches of at most READ_BATCH, and a used-up window pauses", () => {
  const reader = new SocketReader();
  const sent: Uint8Array[] = [];
  let pauses = 0;
  reader.start((chunk) => sent.push(chunk), () => pauses++);
  // Chunks larger than a batch and odd sizes, past the window.
  const chunks = [
    bytes(100, 1),
    bytes(READ_BATCH + 12_345, 2),
    bytes(3 * READ_BATCH, 3),
    bytes(7, 4),
  ];
  for (const c of chunks) reader.push(c);
  reader.flush();
  const total = chunks.reduce((n, c) => n + c.length, 0);
  assert.ok(total > READ_WINDOW, "the test goes past the window");
  assert.ok(sent.every((c) => c.byteLength <= READ_BATCH));
  const joined = new Uint8Array(sent.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of sent) {
    joined.set(c, at);
    at += c.byteLength;
  }
  const expected = new Uint8Array(total);
  at = 0;
  for (const c of chunks) {
    expected.set(c, at);
    at += c.length;
  }
  assert.deepEqual(joined, expected);
  assert.equal(pauses, 1, "paused once the window was used up");
  assert.equal(reader.grant(total), true, "granting the bytes back resumes");
});

Deno.test("a connection's first read gets a small batch; once a batch fills, reads get READ_BATCH", () => {
  const reader = new SocketReader();
  const sent: Uint8Array[] = [];
  reader.start((chunk) => sent.push(chunk), () => {});
  const first = reader.onread.buffer().byteLength;
  assert.ok(first < READ_BATCH / 4, `a greeting does not cost a ${READ_BATCH}-byte batch`);
  reader.push(bytes(first, 1)); // Fills the first batch: it goes out whole.
  assert.deepEqual(sent.map((c) => c.byteLength), [first]);
  assert.equal(reader.onread.buffer().byteLength, READ_BATCH, "bulk data reads in full batches");
});
