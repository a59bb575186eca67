/**
 * The answers of the simulated platform's DNS servers, from a scenario's
 * `names` table (RFC 1035 §4.1). Pure: the sockets live in
 * sim_listeners.ts.
 *
 * @module
 */

import { Buffer } from "node:buffer";
// @ts-types="npm:@types/dns-packet@5.6.5"
// deno-lint-ignore no-import-prefix -- a full specifier: mif works imported from outside this repository
import dnsPacket from "npm:dns-packet@5.6.1";
import { nameKey } from "../../dns/dns_name.ts";
import { sectionProblem } from "../../dns/dns_message.ts";
import type { ScenarioName } from "./scenario_names.ts";

/**
 * RFC 1035 §2.3.4: a UDP message without EDNS is at most 512 octets.
 *
 * @example Longer answers are truncated over UDP
 * ```ts
 * import { UDP_LIMIT } from "./sim_dns.ts";
 * import assert from "node:assert/strict";
 * assert.equal(UDP_LIMIT, 512);
 * ```
 */
export const UDP_LIMIT = 512;
/** RFC 1035 §4.1.1 RCODEs. */
const NOERROR = 0, NXDOMAIN = 3;

/**
 * The answer of one server to one query: the records of the asked type
 * (none for a name the table has without them, or for other types:
 * NODATA), NXDOMAIN for a name the table lacks or keeps for other servers.
 * An answer longer than `limit` is sent truncated (TC set, no records), for
 * the client to ask again over TCP (RFC 7766 §5). Anything but a
 * well-formed query with one question gets no answer.
 *
 * @example Answer an A query
 * ```ts
 * // @ts-types="npm:@types/dns-packet@5.6.5"
 * import dnsPacket from "npm:dns-packet@5.6.1";
 * import { Buffer } from "node:buffer";
 * import { answerQuery } from "./sim_dns.ts";
 * import assert from "node:assert/strict";
 * const names = { "www.example": { a: ["127.0.0.1"], aaaa: ["::1"], ttl: 60 } };
 * const query = dnsPacket.encode({
 *   type: "query", id: 7, flags: dnsPacket.RECURSION_DESIRED,
 *   questions: [{ type: "A", name: "WWW.example" }],
 * });
 * const reply = dnsPacket.decode(Buffer.from(answerQuery(query, names, "127.0.0.1:5301")!));
 * assert.equal(reply.id, 7);
 * assert.equal(reply.flags! & 0xf, 0); // RCODE NOERROR
 * assert.deepEqual(reply.answers, [
 *   { name: "WWW.example", type: "A", ttl: 60, class: "IN", flush: false, data: "127.0.0.1" },
 * ]);
 * ```
 * @param query The query (without a TCP length prefix).
 * @param names The scenario's table.
 * @param server The answering server, as serverKey() gives it ("127.0.0.1:5301").
 * @param limit The longest answer that is not truncated, in octets.
 * @returns The answer, or undefined for no answer.
 */
export function answerQuery(
  query: Uint8Array,
  names: Readonly<Record<string, ScenarioName>>,
  server: string,
  limit = Infinity,
): Uint8Array | undefined {
  let decoded: dnsPacket.DecodedPacket;
  try {
    // sectionProblem first: it refuses names whose pointers would make decoding slow.
    if (sectionProblem(query) !== undefined) return undefined;
    decoded = dnsPacket.decode(Buffer.from(query.buffer, query.byteOffset, query.byteLength));
  } catch {
    return undefined;
  }
  const question = decoded.questions?.[0];
  if (
    decoded.flag_qr || (decoded as { opcode?: unknown }).opcode !== "QUERY" ||
    decoded.questions?.length !== 1
  ) {
    return undefined;
  }
  const key = nameKey(question!.name);
  const entry = Object.hasOwn(names, key) ? names[key] : undefined;
  const known = entry !== undefined && (entry.servers?.includes(server) ?? true);
  const data = !known || question!.class !== "IN"
    ? []
    : question!.type === "A"
    ? entry.a
    : question!.type === "AAAA"
    ? entry.aaaa
    : [];
  const reply = (truncated: boolean) =>
    dnsPacket.encode({
      type: "response",
      id: decoded.id ?? 0,
      // Authoritative, recursion available, RD copied from the query (RFC 1035 §4.1.1).
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE |
        (decoded.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) |
        (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | (known ? NOERROR : NXDOMAIN),
      questions: [question!],
      answers: truncated ? [] : data.map((address) => ({
        type: question!.type as "A",
        name: question!.name,
        ttl: entry!.ttl,
        data: address,
      })),
    });
  const whole = reply(false);
  const bytes = whole.length > limit ? reply(true) : whole;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
