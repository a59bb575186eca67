/**
 * DNS queries and the acceptance test for replies (RFC 1035 §4.1, RFC 5452
 * §9.1), over dns-packet. Pure: the sockets live in workers/dns/
 * (udp_exchange.ts, tcp_exchange.ts); the simulated platform's responder
 * uses it too.
 *
 * @module
 */

import { Buffer } from "node:buffer";
// @ts-types="npm:@types/dns-packet@5.6.5"
import dnsPacket from "npm:dns-packet@5.6.1";

/** The record types a translation asks for. */
export type QueryType = "A" | "AAAA";

/** A decoded reply that passed {@linkcode checkReply}. */
export type DnsReply = dnsPacket.DecodedPacket;

/** The outcome of {@linkcode checkReply}. */
export type ReplyCheck =
  | { readonly ok: true; readonly reply: DnsReply }
  | { readonly ok: false; readonly problem: string };

/** RFC 1035 §4.1.1: the header is 12 octets; the question section follows. */
const HEADER = 12;
/** RFC 1035 §4.1.1: OPCODE 0 is a standard query. */
const OPCODE_QUERY = "QUERY";

/**
 * A random query ID (RFC 5452 §4.3: the ID must be unpredictable, from a
 * cryptographic source).
 *
 * @example Draw an ID
 * ```ts
 * import { randomId } from "./dns_message.ts";
 * import assert from "node:assert/strict";
 * const id = randomId();
 * assert(Number.isInteger(id) && id >= 0 && id <= 0xffff);
 * ```
 * @returns A 16-bit number.
 */
export function randomId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0];
}

/**
 * Encodes a standard query with recursion desired (RFC 1035 §4.1.1 RD) and
 * one question of class IN.
 *
 * @example Build an A query
 * ```ts
 * import { buildQuery } from "./dns_message.ts";
 * import assert from "node:assert/strict";
 * const query = buildQuery("www.example", "A", 0x1234);
 * assert.deepEqual([query[0], query[1], query[2] & 1], [0x12, 0x34, 1]);
 * ```
 * @param name The ASCII name (see dns_name.ts).
 * @param type A or AAAA.
 * @param id The query ID, 0 to 65535.
 * @returns The message (without the TCP length prefix).
 * @throws {RangeError} When id is not a 16-bit integer.
 */
export function buildQuery(name: string, type: QueryType, id: number): Uint8Array {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new RangeError(`Cannot build a DNS query: ID ${id} is not a 16-bit integer`);
  }
  const bytes = dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: "IN" }],
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** ASCII letters compare case-insensitively in names (RFC 4343 §3); other octets exactly. */
function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const fold = (x: number) => (x >= 0x41 && x <= 0x5a ? x | 0x20 : x);
  return a.every((x, i) => fold(x) === fold(b[i]));
}

/** RFC 1035 §3.2.2 and RFC 3596 §2.2: the types whose RDATA has a fixed length. */
const RDATA_LENGTH: Readonly<Record<number, number>> = { 1: 4, 28: 16 };
/** RFC 1035 §3.2.2: CNAME, whose RDATA is one name. */
const TYPE_CNAME = 5;

/** RFC 1035 §3.1: a name is at most 255 octets on the wire. */
const MAX_NAME_OCTETS = 255;
/** Compression pointers followed in one name: a real name needs a few. */
const MAX_POINTERS = 127;

/**
 * The offset after the name at `offset` (labels, then a root octet or a
 * pointer), or -1 if it is malformed. Pointers are followed, each to an
 * earlier octet, at most MAX_POINTERS of them and 255 octets of labels in
 * all: a name that loops or chains pointers across the whole message is
 * malformed here, before dns-packet's decoder (which follows every pointer
 * with no limit, quadratic in the message's length) sees it.
 */
function skipName(bytes: Uint8Array, offset: number): number {
  let end = -1, pointers = 0, octets = 0;
  for (let at = offset; at < bytes.length;) {
    const length = bytes[at];
    if (length === 0) return end < 0 ? at + 1 : end;
    if ((length & 0xc0) === 0xc0) {
      if (at + 2 > bytes.length) return -1;
      const target = ((length & 0x3f) << 8) | bytes[at + 1];
      if (end < 0) end = at + 2;
      if (target >= at || ++pointers > MAX_POINTERS) return -1;
      at = target;
      continue;
    }
    if ((length & 0xc0) !== 0) return -1; // RFC 6891's extended label types are not used.
    octets += 1 + length;
    if (octets + 1 > MAX_NAME_OCTETS) return -1;
    at += 1 + length;
  }
  return -1;
}

/**
 * Walks a message's sections by their own length fields (RFC 1035 §4.1):
 * every record's RDLENGTH must hold its data (4 octets for A, 16 for AAAA,
 * exactly one name for CNAME), every name must be well formed (see skipName)
 * and the records must end where the message does. dns-packet reads A, AAAA
 * and CNAME data without looking at RDLENGTH, so a lying RDLENGTH would
 * otherwise go unnoticed. One pass, linear in the message's length.
 *
 * @example A query is well formed; cut short, it is not
 * ```ts
 * import { buildQuery, sectionProblem } from "./dns_message.ts";
 * import assert from "node:assert/strict";
 * const query = buildQuery("www.example", "A", 1);
 * assert.equal(sectionProblem(query), undefined);
 * assert.equal(sectionProblem(query.subarray(0, query.length - 2)), "question 1 is cut short");
 * ```
 * @param bytes The message.
 * @returns What is wrong, or undefined.
 */
export function sectionProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length < HEADER) return "it is shorter than a header";
  const count = (i: number) => (bytes[4 + 2 * i] << 8) | bytes[5 + 2 * i];
  let offset = HEADER;
  for (let q = 0; q < count(0); q++) {
    offset = skipName(bytes, offset);
    if (offset < 0) return `question ${q + 1}'s name is malformed`;
    if (offset + 4 > bytes.length) return `question ${q + 1} is cut short`;
    offset += 4;
  }
  const records = count(1) + count(2) + count(3);
  for (let r = 0; r < records; r++) {
    offset = skipName(bytes, offset);
    if (offset < 0) return `record ${r + 1}'s owner name is malformed`;
    if (offset + 10 > bytes.length) return `record ${r + 1} is cut short`;
    const type = (bytes[offset] << 8) | bytes[offset + 1];
    const length = (bytes[offset + 8] << 8) | bytes[offset + 9];
    offset += 10;
    if (offset + length > bytes.length) return `record ${r + 1}'s RDLENGTH runs past the end`;
    const fixed = RDATA_LENGTH[type];
    if (fixed !== undefined && length !== fixed) {
      return `record ${r + 1} has RDLENGTH ${length}, not ${fixed}`;
    }
    if (type === TYPE_CNAME && skipName(bytes, offset) !== offset + length) {
      return `record ${r + 1}'s RDLENGTH does not hold one name`;
    }
    offset += length;
  }
  return offset === bytes.length ? undefined : `${bytes.length - offset} octets follow the records`;
}

/**
 * What dns-packet's decoder threw, as text: the same text as describeError
 * (protocol/text.ts), which dns/ may not import (it sits below protocol/);
 * the decoder throws only plain Errors, so this needs no guard against
 * throwing getters.
 */
function decodeError(error: unknown): string {
  return error instanceof Error ? String(error.message) : String(error);
}

/**
 * Decides whether a datagram is the reply to a query (RFC 5452 §9.1: "the
 * question section of the response must match the question section of the
 * query", with the same ID). The source address and port are checked by the
 * caller, which knows them. A reply that fails must be dropped, and the
 * real answer still awaited.
 *
 * @example Refuse a reply with another ID
 * ```ts
 * // @ts-types="npm:@types/dns-packet@5.6.5"
 * import dnsPacket from "npm:dns-packet@5.6.1";
 * import { buildQuery, checkReply } from "./dns_message.ts";
 * const query = buildQuery("www.example", "A", 1);
 * const forged = dnsPacket.encode({
 *   type: "response", id: 2, questions: [{ type: "A", name: "www.example" }],
 * });
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkReply(query, forged), { ok: false, problem: "its ID is 2, not 1" });
 * ```
 * @param query The query as sent.
 * @param bytes The received message.
 * @returns The decoded reply, or why it is not the reply.
 */
export function checkReply(query: Uint8Array, bytes: Uint8Array): ReplyCheck {
  const drop = (problem: string): ReplyCheck => ({ ok: false, problem });
  const wrong = sectionProblem(bytes);
  if (wrong) return drop(`it is malformed (${wrong})`);
  let reply: DnsReply;
  try {
    reply = dnsPacket.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    return drop(`it is malformed (${decodeError(error)})`);
  }
  // dns-packet reads A and AAAA data past the end of a short message instead
  // of failing, so the message must be exactly what the sections took.
  if (dnsPacket.decode.bytes !== bytes.length) {
    return drop(
      `it is malformed (${bytes.length} octets, its sections take ${dnsPacket.decode.bytes})`,
    );
  }
  const id = (query[0] << 8) | query[1];
  if (!reply.flag_qr) return drop("it is not a response (QR clear)");
  if (reply.id !== id) return drop(`its ID is ${reply.id}, not ${id}`);
  const opcode = (reply as { opcode?: unknown }).opcode;
  if (opcode !== OPCODE_QUERY) return drop(`its opcode is ${opcode}, not ${OPCODE_QUERY}`);
  const question = query.subarray(HEADER);
  const echoed = bytes.subarray(HEADER, HEADER + question.length);
  if (reply.questions?.length !== 1 || !sameOctets(question, echoed)) {
    return drop("its question is not the one asked");
  }
  return { ok: true, reply };
}
