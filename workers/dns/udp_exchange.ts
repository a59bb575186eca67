/**
 * One DNS query over UDP from a PD's source address (RFC 1035 §4.2.1).
 * node:dgram is used because it binds a chosen address without
 * --unstable-net, which Deno.listenDatagram needs.
 *
 * @module
 */

import dgram from "node:dgram";
import { checkReply } from "../../dns/dns_message.ts";
import { withoutZone } from "../../ip/zone.ts";
import type { ExchangeOutcome, ExchangePath } from "./exchange_types.ts";

/**
 * Sends one query from a fresh socket bound to the path's source (port 0, so
 * the kernel picks a random port: RFC 5452 §9.2) and waits for its reply.
 * Datagrams from another address or port, and messages that fail
 * `checkReply` (ID, QR, question), are dropped and the wait goes on (RFC
 * 5452 §9.1). The socket and the timer are gone when the promise settles.
 *
 * @example An aborted exchange sends nothing
 * ```ts
 * import { buildQuery } from "../../dns/dns_message.ts";
 * import { udpExchange } from "./udp_exchange.ts";
 * import assert from "node:assert/strict";
 * const path = { host: "127.0.0.12", port: 53, family: "ipv4" as const, source: "127.0.0.1", timeout: 100 };
 * const outcome = await udpExchange(path, buildQuery("www.example", "A", 7), AbortSignal.abort());
 * assert.equal(outcome.kind, "cancelled");
 * ```
 * @param path Server, source and timeout.
 * @param query The encoded query.
 * @param signal Abandons the exchange.
 * @returns The reply, or why there is none; never rejects.
 */
export function udpExchange(
  path: ExchangePath,
  query: Uint8Array,
  signal: AbortSignal,
): Promise<ExchangeOutcome> {
  if (signal.aborted) return Promise.resolve({ kind: "cancelled" });
  return new Promise((resolve) => {
    // Without zones: rinfo may spell the zone differently.
    const server = withoutZone(path.host);
    const socket = dgram.createSocket(path.family === "ipv4" ? "udp4" : "udp6");
    let dropped = 0;
    let done = false;
    let closed = false;
    const finish = (outcome: ExchangeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.off("message", onMessage);
      if (!closed) socket.close();
      resolve(outcome);
    };
    const onMessage = (message: Uint8Array, rinfo: dgram.RemoteInfo) => {
      if (withoutZone(rinfo.address) !== server || rinfo.port !== path.port) {
        dropped++; // RFC 5452 §9.1: only the server's address and port may answer.
        return;
      }
      const check = checkReply(query, message);
      if (!check.ok) {
        dropped++;
        return;
      }
      finish({ kind: "reply", reply: check.reply, dropped });
    };
    const onAbort = () => finish({ kind: "cancelled" });
    const timer = setTimeout(() => finish({ kind: "timeout", dropped }), path.timeout);
    // An error the socket emits after finish has no reader but must not be uncaught.
    socket.on("error", (error) => finish({ kind: "failed", error, dropped }));
    socket.on("close", () => closed = true);
    socket.on("message", onMessage);
    signal.addEventListener("abort", onAbort, { once: true });
    socket.bind({ address: path.source, port: 0, exclusive: true }, () => {
      if (done) return;
      socket.send(query, path.port, path.host, (error) => {
        if (error) finish({ kind: "failed", error, dropped });
      });
    });
  });
}
