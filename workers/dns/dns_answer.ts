/**
 * What an accepted reply says about the name asked: its addresses, a CNAME
 * to follow, no data, no such name, or a server failure. Pure.
 *
 * @module
 */

import { formatIp, parseIp } from "../../ip/ip.ts";
import { nameKey, sameName, toDnsName } from "../../dns/dns_name.ts";
import type { DnsReply, QueryType } from "../../dns/dns_message.ts";

/** An address from a reply, with its TTL in seconds. */
export interface AnsweredAddress {
  /** Canonical IP literal. */
  readonly address: string;
  /** Seconds: the least TTL of the record and of every CNAME that led to it. */
  readonly ttl: number;
}

/** The meaning of a reply, from {@linkcode readReply}. */
export type ReplyMeaning =
  | { readonly kind: "addresses"; readonly addresses: readonly AnsweredAddress[] }
  | { readonly kind: "cname"; readonly target: string; readonly ttl: number }
  | { readonly kind: "nodata" }
  | { readonly kind: "nxdomain" }
  | { readonly kind: "failure"; readonly rcode: string }
  | { readonly kind: "bad-chain"; readonly problem: string };

/** CNAMEs followed inside one answer; real chains have a few (CDNs: 2–4). */
export const MAX_CHAIN = 16;

/** RFC 2181 §8: a TTL with the most significant bit set is taken as zero. */
const MAX_TTL = 0x7fffffff;
const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

/** The fields of an answer record that are read here. */
interface AnswerRecord {
  readonly type: string;
  readonly name: string;
  readonly ttl?: number;
  readonly class?: string;
  readonly data?: unknown;
}

function ttlOf(record: { ttl?: number }): number {
  const ttl = record.ttl ?? 0;
  return ttl > MAX_TTL ? 0 : ttl;
}

/**
 * Reads a reply to a query for `name` and `type`. CNAMEs are followed within
 * the answer section from the query name (RFC 1034 §3.6.2, §4.3.2 step 3a);
 * the records of the asked type owned by the end of that chain are the
 * answer. If there are none and the chain moved, the caller asks again for
 * the chain's end. NOERROR without records is NODATA and NXDOMAIN is no such
 * name (RFC 2308 §2.1, §2.2). Any other RCODE is a failure of that server.
 *
 * @example Follow a CNAME inside one answer
 * ```ts
 * // @ts-types="npm:@types/dns-packet@5.6.5"
 * import dnsPacket from "npm:dns-packet@5.6.1";
 * import { readReply } from "./dns_answer.ts";
 * import assert from "node:assert/strict";
 * const reply = dnsPacket.decode(dnsPacket.encode({
 *   type: "response", id: 1, questions: [{ type: "A", name: "www.example" }],
 *   answers: [
 *     { type: "CNAME", name: "www.example", ttl: 60, data: "web.example" },
 *     { type: "A", name: "WEB.example", ttl: 300, data: "198.51.100.80" },
 *   ],
 * }));
 * assert.deepEqual(readReply(reply, "www.example", "A"), {
 *   kind: "addresses", addresses: [{ address: "198.51.100.80", ttl: 60 }],
 * });
 * ```
 * @param reply A reply that passed `checkReply`.
 * @param name The name asked.
 * @param type The type asked.
 * @returns What the reply means.
 */
export function readReply(reply: DnsReply, name: string, type: QueryType): ReplyMeaning {
  const rcode = RCODES[(reply.flags ?? 0) & 0xf] ?? `RCODE ${(reply.flags ?? 0) & 0xf}`;
  if (rcode === "NXDOMAIN") return { kind: "nxdomain" };
  if (rcode !== "NOERROR") return { kind: "failure", rcode };
  const answers = (reply.answers ?? []).map((r) => r as AnswerRecord)
    .filter((r) => (r.type === type || r.type === "CNAME") && (r.class ?? "IN") === "IN");
  // One index of CNAMEs by owner: following a chain is then linear in the records.
  const cnames = new Map<string, AnswerRecord>();
  for (const r of answers) {
    if (r.type === "CNAME" && !cnames.has(nameKey(r.name))) cnames.set(nameKey(r.name), r);
  }
  let owner = name;
  let chainTtl = MAX_TTL;
  const seen = new Set([nameKey(name)]);
  for (;;) {
    const cname = cnames.get(nameKey(owner));
    if (!cname || typeof cname.data !== "string") break;
    if (seen.size > MAX_CHAIN) {
      return { kind: "bad-chain", problem: `CNAME chain of over ${MAX_CHAIN} in one answer` };
    }
    const target = cname.data;
    // The same rule as for a target asked for again (resolve_type.ts).
    const checked = toDnsName(target);
    if (!checked.ok) {
      return {
        kind: "bad-chain",
        problem: `CNAME target ${JSON.stringify(target)} ${checked.problem}`,
      };
    }
    if (seen.has(nameKey(target))) {
      return { kind: "bad-chain", problem: `CNAME loop at ${JSON.stringify(target)}` };
    }
    seen.add(nameKey(target));
    chainTtl = Math.min(chainTtl, ttlOf(cname));
    owner = target;
  }
  const family = type === "A" ? "ipv4" : "ipv6";
  const addresses: AnsweredAddress[] = [];
  for (const record of answers) {
    if (record.type !== type || !sameName(record.name, owner)) continue;
    const data = typeof record.data === "string" ? record.data : "";
    const ip = parseIp(data);
    if (ip === undefined || ip.family !== family) continue;
    addresses.push({ address: formatIp(ip), ttl: Math.min(chainTtl, ttlOf(record)) });
  }
  if (addresses.length > 0) return { kind: "addresses", addresses };
  if (!sameName(owner, name)) return { kind: "cname", target: nameKey(owner), ttl: chainTtl };
  return { kind: "nodata" };
}
