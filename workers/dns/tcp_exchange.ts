/**
 * One DNS query over TCP from a PD's source address, for replies truncated
 * over UDP (RFC 1035 §4.2.2, RFC 7766 §5: "a truncated response ... SHOULD
 * be retried using TCP"). node:net is used because Deno.connect cannot
 * choose a source address.
 *
 * @module
 */

import net from "node:net";
import { Buffer } from "node:buffer";
import { checkReply } from "../../dns/dns_message.ts";
import type { ExchangeOutcome, ExchangePath } from "./exchange_types.ts";

/**
 * Prefixes a message with its two-octet length (RFC 1035 §4.2.2, RFC 7766
 * §8).
 *
 * @example Frame three octets
 * ```ts
 * import { frame } from "./tcp_exchange.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(frame(new Uint8Array([1, 2, 3])), new Uint8Array([0, 3, 1, 2, 3]));
 * ```
 * @param message A DNS message.
 * @returns The framed message.
 * @throws {RangeError} When the message is over 65535 octets.
 */
export function frame(message: Uint8Array): Uint8Array {
  if (message.length > 0xffff) {
    throw new RangeError(`Cannot frame a DNS message: ${message.length} octets, over 65535`);
  }
  const framed = new Uint8Array(message.length + 2);
  framed[0] = message.length >> 8;
  framed[1] = message.length & 0xff;
  framed.set(message, 2);
  return framed;
}

/**
 * Connects from the path's source, sends one query and reads length-prefixed
 * messages until one passes `checkReply` (ID and question, as over UDP);
 * the others are dropped. The whole exchange, connection included, has the
 * path's timeout. The connection is closed when the promise settles.
 *
 * @example An aborted exchange connects to nothing
 * ```ts
 * import { buildQuery } from "../../dns/dns_message.ts";
 * import { tcpExchange } from "./tcp_exchange.ts";
 * import assert from "node:assert/strict";
 * const path = { host: "127.0.0.12", port: 53, family: "ipv4" as const, source: "127.0.0.1", timeout: 100 };
 * const outcome = await tcpExchange(path, buildQuery("www.example", "A", 7), AbortSignal.abort());
 * assert.equal(outcome.kind, "cancelled");
 * ```
 * @param path Server, source and timeout.
 * @param query The encoded query (without the length prefix).
 * @param signal Abandons the exchange.
 * @returns The reply, or why there is none; never rejects.
 */
export function tcpExchange(
  path: ExchangePath,
  query: Uint8Array,
  signal: AbortSignal,
): Promise<ExchangeOutcome> {
  if (signal.aborted) return Promise.resolve({ kind: "cancelled" });
  return new Promise((resolve) => {
    let dropped = 0;
    let done = false;
    let pending = Buffer.alloc(0);
    const socket = net.connect({
      host: path.host,
      port: path.port,
      localAddress: path.source,
      family: path.family === "ipv4" ? 4 : 6,
      noDelay: true,
    });
    const finish = (outcome: ExchangeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.off("data", onData);
      socket.destroy();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (!done && pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) return;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        const check = checkReply(query, message);
        if (check.ok) finish({ kind: "reply", reply: check.reply, dropped });
        else dropped++;
      }
    };
    const onAbort = () => finish({ kind: "cancelled" });
    const timer = setTimeout(() => finish({ kind: "timeout", dropped }), path.timeout);
    // Errors after finish (a reset while closing) have no reader but must not be uncaught.
    socket.on("error", (error) => finish({ kind: "failed", error, dropped }));
    socket.on("close", () => {
      const error = new Error(
        "Cannot read a DNS reply over TCP: the server closed the connection without one",
      );
      finish({ kind: "failed", error, dropped });
    });
    socket.on("data", onData);
    socket.once("connect", () => socket.write(frame(query)));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
