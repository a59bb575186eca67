/**
 * Resolves one record type (A or AAAA) of one name through a PD's servers:
 * server rotation and retries (RFC 1035 §4.2.1, as resolv.conf(5)'s
 * "attempts" and "timeout", in server_rotation.ts), the TCP fallback (in
 * ask_server.ts) and CNAME requeries (RFC 1034 §5.3.3 step 3).
 *
 * @module
 */

import type { AnsweredAddress } from "./dns_answer.ts";
import { nameKey, toDnsName } from "../../dns/dns_name.ts";
import type { QueryType } from "../../dns/dns_message.ts";
import { askInTurn, type RotationPlan } from "./server_rotation.ts";

/** One record type to resolve, and the servers to ask. */
export interface TypeQuery extends RotationPlan {
  /** The ASCII name (see dns/dns_name.ts). */
  readonly name: string;
  /** A or AAAA. */
  readonly type: QueryType;
}

/** How resolving one type ended; `detail` says what happened, for failures. */
export type TypeOutcome =
  | { readonly kind: "addresses" | "nodata" | "cancelled" }
  | {
    readonly kind: "nxdomain" | "servfail" | "timeout" | "unreachable";
    readonly detail: string;
  };

/** At most this many CNAME requeries for one type, so that a long or looping chain ends. */
export const MAX_CNAME_HOPS = 8;

/**
 * Resolves one type: reports each address as its reply arrives, follows
 * CNAMEs (at most {@linkcode MAX_CNAME_HOPS} requeries; a loop or a longer
 * chain is a server failure), and stops at NXDOMAIN without asking another
 * server (RFC 2308 §2.1: the name does not exist).
 *
 * @example With no servers there is nobody to answer
 * ```ts
 * import { resolveType } from "./resolve_type.ts";
 * import assert from "node:assert/strict";
 * const outcome = await resolveType(
 *   { name: "www.example", type: "A", routes: [], timeout: 100, attempts: 1 },
 *   () => {},
 *   new AbortController().signal,
 * );
 * assert.equal(outcome.kind, "timeout");
 * ```
 * @param query Name, type, servers, timeout and attempts.
 * @param onAddress Called with each address and the configured server string that gave it.
 * @param signal Abandons the resolution (outcome "cancelled").
 * @returns How it ended; never rejects for network conditions.
 */
export async function resolveType(
  query: TypeQuery,
  onAddress: (address: AnsweredAddress, server: string) => void,
  signal: AbortSignal,
): Promise<TypeOutcome> {
  let name = query.name;
  let chainTtl = Infinity;
  const seen = new Set([nameKey(name)]);
  for (let hop = 0;; hop++) {
    const asked = await askInTurn(name, query.type, query, signal);
    if (asked.kind !== "reply") return asked;
    const { meaning, server } = asked;
    const servfail = (problem: string): TypeOutcome => ({
      kind: "servfail",
      detail: `${query.type} ${query.name}: ${problem} (from ${server})`,
    });
    switch (meaning.kind) {
      case "addresses":
        for (const { address, ttl } of meaning.addresses) {
          if (signal.aborted) return { kind: "cancelled" };
          onAddress({ address, ttl: Math.min(ttl, chainTtl) }, server);
        }
        return { kind: "addresses" };
      case "nodata":
        return { kind: "nodata" };
      case "nxdomain":
        return {
          kind: "nxdomain",
          detail: `${query.type} ${name}: no such name (NXDOMAIN from ${server})`,
        };
      case "failure":
        return servfail(`the server answered ${meaning.rcode}`);
      case "bad-chain":
        return servfail(meaning.problem);
      case "cname": {
        const target = toDnsName(meaning.target);
        if (!target.ok) {
          return servfail(`CNAME target ${JSON.stringify(meaning.target)} ${target.problem}`);
        }
        if (seen.has(nameKey(target.name))) {
          return servfail(`CNAME loop at ${JSON.stringify(target.name)}`);
        }
        if (hop >= MAX_CNAME_HOPS) return servfail(`CNAME chain longer than ${MAX_CNAME_HOPS}`);
        seen.add(nameKey(target.name));
        chainTtl = Math.min(chainTtl, meaning.ttl);
        name = target.name;
        continue;
      }
      default: {
        const never: never = meaning;
        throw new TypeError(`Cannot read a reply: ${JSON.stringify(never)}`);
      }
    }
  }
}
