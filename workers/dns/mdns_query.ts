/**
 * One record type of a `.local` name asked by mDNS on a PD's link (RFC 6762
 * §5.1 one-shot queries): from the PD's own address, to the group, answers
 * taken only from that link with the query's ID and question.
 *
 * @module
 */

import dgram from "node:dgram";
import type { AddressInfo } from "../../protocol/model.ts";
import { buildQuery, checkReply, type DnsReply, randomId } from "../../dns/dns_message.ts";
import type { QueryType } from "../../dns/dns_message.ts";
import { readReply } from "./dns_answer.ts";
import type { AnsweredAddress } from "./dns_answer.ts";
import type { TypeOutcome } from "./resolve_type.ts";
import { MDNS_PORT, type MdnsRoute, onLink } from "./mdns_link.ts";

/** One type of one name to ask on one link. */
export interface MdnsQuery {
  /** The ASCII name, under local. */
  readonly name: string;
  /** A or AAAA. */
  readonly type: QueryType;
  /** Where the query goes from and to (see mdns_link.ts). */
  readonly route: MdnsRoute;
  /** The PD's interface and addresses: who is on the link. */
  readonly interfaceId: string;
  readonly addresses: readonly AddressInfo[];
  /** Milliseconds to wait after each query. */
  readonly timeout: number;
  /** How many times the query is sent. */
  readonly attempts: number;
}

type Heard =
  | { kind: "reply"; reply: DnsReply }
  | { kind: "timeout" }
  | { kind: "cancelled" }
  | { kind: "failed"; error: Error };

/** Sends one query to the group and waits for the first acceptable answer. */
function ask(query: MdnsQuery, message: Uint8Array, signal: AbortSignal): Promise<Heard> {
  const { route } = query;
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: route.family === "ipv4" ? "udp4" : "udp6" });
    let done = false;
    const finish = (heard: Heard) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.removeAllListeners("message");
      socket.close();
      resolve(heard);
    };
    const onAbort = () => finish({ kind: "cancelled" });
    const timer = setTimeout(() => finish({ kind: "timeout" }), query.timeout);
    socket.on("error", (error) => finish({ kind: "failed", error }));
    socket.on("message", (bytes: Uint8Array, rinfo: dgram.RemoteInfo) => {
      if (!onLink(rinfo.address, query.interfaceId, query.addresses)) return;
      const check = checkReply(message, bytes);
      // RFC 6762 §18.11: messages with a non-zero RCODE are silently ignored.
      if (check.ok && ((check.reply.flags ?? 0) & 0xf) === 0) {
        finish({ kind: "reply", reply: check.reply });
      }
    });
    signal.addEventListener("abort", onAbort, { once: true });
    // Port 0: never 5353, so responders answer by unicast to it (RFC 6762 §6.7).
    socket.bind({ address: route.source, port: 0, exclusive: true }, () => {
      if (done) return;
      try {
        socket.setMulticastInterface(route.multicastInterface);
        socket.setMulticastTTL(255); // RFC 6762 §11.
      } catch (error) {
        return finish({ kind: "failed", error: error as Error });
      }
      socket.send(message, MDNS_PORT, route.group, (error) => {
        if (error) finish({ kind: "failed", error });
      });
    });
  });
}

/**
 * Asks one type of a `.local` name by mDNS, `attempts` times with a new ID
 * each, waiting `timeout` ms after each. The first answer from the link
 * with the query's ID and question counts: its addresses, or NODATA when
 * it has none of the type. Silence is a timeout (mDNS has no NXDOMAIN).
 *
 * @example An aborted query sends nothing
 * ```ts
 * import { resolveMdns } from "./mdns_query.ts";
 * import assert from "node:assert/strict";
 * const route = { family: "ipv4" as const, source: "127.0.0.1", group: "224.0.0.251",
 *   multicastInterface: "127.0.0.1" };
 * const outcome = await resolveMdns({ name: "lamp.local", type: "A", route, interfaceId: "lo",
 *   addresses: [], timeout: 100, attempts: 1 }, () => {}, AbortSignal.abort());
 * assert.equal(outcome.kind, "cancelled");
 * ```
 * @param query The name, type, route and timing.
 * @param onAddress Called with each address.
 * @param signal Abandons the query (outcome "cancelled").
 * @returns How it ended; never rejects for network conditions.
 */
export async function resolveMdns(
  query: MdnsQuery,
  onAddress: (address: AnsweredAddress) => void,
  signal: AbortSignal,
): Promise<TypeOutcome> {
  const what = `${query.type} ${query.name}`;
  for (let attempt = 0; attempt < query.attempts; attempt++) {
    if (signal.aborted) return { kind: "cancelled" };
    const message = buildQuery(query.name, query.type, randomId());
    message[2] &= 0xfe; // RD clear: mDNS queries are not recursive (RFC 6762 §18.6).
    const heard = await ask(query, message, signal);
    if (heard.kind === "cancelled") return heard;
    if (heard.kind === "failed") {
      return {
        kind: "unreachable",
        detail: `${what}: cannot ask mDNS from ${query.route.source}: ${heard.error.message}`,
      };
    }
    if (heard.kind === "timeout") continue;
    const meaning = readReply(heard.reply, query.name, query.type);
    if (meaning.kind !== "addresses") return { kind: "nodata" };
    for (const address of meaning.addresses) onAddress(address);
    return { kind: "addresses" };
  }
  return {
    kind: "timeout",
    detail: `${what}: no mDNS answer on ${query.interfaceId} from ${query.route.source} ` +
      `(${query.attempts} × ${query.timeout} ms)`,
  };
}
