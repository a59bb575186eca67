/**
 * One try of one server for one question: UDP first, then TCP when the UDP
 * reply is truncated.
 *
 * @module
 */

import { readReply, type ReplyMeaning } from "./dns_answer.ts";
import { buildQuery, type QueryType, randomId } from "../../dns/dns_message.ts";
import type { ServerRoute } from "./dns_routes.ts";
import type { ExchangeOutcome, ExchangePath } from "./exchange_types.ts";
import { describeError } from "../../protocol/text.ts";
import { udpExchange } from "./udp_exchange.ts";

/** How one try of one server ended. */
export type ServerAnswer =
  /** An accepted reply and what it means. */
  | { readonly kind: "reply"; readonly meaning: ReplyMeaning; readonly transport: Transport }
  /** No acceptable reply in time. */
  | { readonly kind: "timeout"; readonly transport: Transport }
  /** Binding, sending or connecting failed. */
  | { readonly kind: "failed"; readonly problem: string; readonly transport: Transport }
  /** The signal aborted. */
  | { readonly kind: "cancelled" };

/** Which transport a try ended on. */
export type Transport = "udp" | "tcp";

/** A try's answer, and how many messages were dropped on the way. */
export interface AskResult {
  /** The answer. */
  readonly answer: ServerAnswer;
  /** Messages dropped because they failed the reply checks. */
  readonly dropped: number;
}

function toAnswer(
  outcome: ExchangeOutcome,
  transport: Transport,
  read: (outcome: Extract<ExchangeOutcome, { kind: "reply" }>) => ReplyMeaning,
): ServerAnswer {
  switch (outcome.kind) {
    case "reply":
      return { kind: "reply", meaning: read(outcome), transport };
    case "timeout":
      return { kind: "timeout", transport };
    case "failed":
      return { kind: "failed", problem: describeError(outcome.error), transport };
    case "cancelled":
      return { kind: "cancelled" };
    default: {
      const never: never = outcome;
      throw new TypeError(`Cannot read an exchange outcome: ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Asks one server once: a fresh query ID and a fresh socket from the route's
 * source. A UDP reply with TC set is not used; the same server is asked again
 * over TCP with a new ID (RFC 7766 §5), with the same timeout.
 *
 * @example A cancelled try sends nothing
 * ```ts
 * import { askServer } from "./ask_server.ts";
 * import { parseServer } from "../../ip/server_address.ts";
 * import assert from "node:assert/strict";
 * const route = { server: parseServer("127.0.0.12", "lo")!, source: "127.0.0.1" };
 * const result = await askServer(route, "www.example", "A", 100, AbortSignal.abort());
 * assert.equal(result.answer.kind, "cancelled");
 * ```
 * @param route The server and the source address to ask it from.
 * @param name The ASCII name.
 * @param type A or AAAA.
 * @param timeout Milliseconds to wait for each transport's reply.
 * @param signal Abandons the try.
 * @returns The answer; never rejects.
 */
export async function askServer(
  route: ServerRoute,
  name: string,
  type: QueryType,
  timeout: number,
  signal: AbortSignal,
): Promise<AskResult> {
  const path: ExchangePath = {
    host: route.server.host,
    port: route.server.port,
    family: route.server.family,
    source: route.source,
    timeout,
  };
  const read = ({ reply }: { reply: Parameters<typeof readReply>[0] }) =>
    readReply(reply, name, type);
  const udp = await udpExchange(path, buildQuery(name, type, randomId()), signal);
  const udpDropped = udp.kind === "cancelled" ? 0 : udp.dropped;
  if (udp.kind !== "reply" || !udp.reply.flag_tc) {
    return { answer: toAnswer(udp, "udp", read), dropped: udpDropped };
  }
  // RFC 1035 §4.2.1 and RFC 7766 §5: truncated over UDP, so ask again over TCP
  // (node:net is loaded then: most workers never need it).
  const { tcpExchange } = await import("./tcp_exchange.ts");
  const tcp = await tcpExchange(path, buildQuery(name, type, randomId()), signal);
  const tcpDropped = tcp.kind === "cancelled" ? 0 : tcp.dropped;
  // A reply truncated over TCP has nowhere left to go: that server failed.
  const readTcp: typeof read = (outcome) =>
    outcome.reply.flag_tc
      ? { kind: "failure", rcode: "a truncated reply over TCP" }
      : read(outcome);
  return { answer: toAnswer(tcp, "tcp", readTcp), dropped: udpDropped + tcpDropped };
}
