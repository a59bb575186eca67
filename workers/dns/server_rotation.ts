/**
 * Asking a PD's servers in turn for one question, as a stub resolver does
 * (RFC 1035 §4.2.1; resolv.conf(5) "timeout" and "attempts"): each server
 * in configured order, then again, `attempts` rounds.
 *
 * @module
 */

import type { ReplyMeaning } from "./dns_answer.ts";
import type { QueryType } from "../../dns/dns_message.ts";
import type { ServerRoute } from "./dns_routes.ts";
import { askServer } from "./ask_server.ts";

/** Servers named in a failure's detail; the rest are counted (a PD may list dozens). */
export const MAX_NOTES = 4;

/** The servers and the timing of a rotation. */
export interface RotationPlan {
  /** The servers, in the order they are asked. */
  readonly routes: readonly ServerRoute[];
  /** Milliseconds to wait for one server's answer to one query. */
  readonly timeout: number;
  /** Rounds over the servers. */
  readonly attempts: number;
}

/** How a rotation ended: the first usable reply, or why there was none. */
export type RotationResult =
  | { readonly kind: "reply"; readonly meaning: ReplyMeaning; readonly server: string }
  | { readonly kind: "servfail" | "unreachable" | "timeout"; readonly detail: string }
  | { readonly kind: "cancelled" };

/**
 * Asks the servers in turn until one gives a usable reply (addresses, NODATA,
 * NXDOMAIN, a CNAME). A server that answers SERVFAIL, REFUSED, NOTIMP or
 * FORMERR (RFC 1035 §4.1.1), or that cannot be reached, is not asked again
 * for this name; a silent one is, in the next round. With no usable reply,
 * a server's failure outranks an unreachable server, which outranks silence.
 *
 * @example With no servers, nobody answers
 * ```ts
 * import { askInTurn } from "./server_rotation.ts";
 * import assert from "node:assert/strict";
 * const result = await askInTurn("www.example", "A", { routes: [], timeout: 100, attempts: 2 },
 *   new AbortController().signal);
 * assert.deepEqual(result, { kind: "timeout", detail: "A www.example: no server to ask" });
 * ```
 * @param name The ASCII name.
 * @param type A or AAAA.
 * @param plan Servers, timeout and attempts.
 * @param signal Abandons the rotation (result "cancelled").
 * @returns The first usable reply and its server's configured string, or why none came.
 */
export async function askInTurn(
  name: string,
  type: QueryType,
  plan: RotationPlan,
  signal: AbortSignal,
): Promise<RotationResult> {
  const out = new Set<ServerRoute>();
  const notes: string[] = [];
  const timeouts = new Map<ServerRoute, number>();
  let failed = false, unreachable = false, dropped = 0;
  for (let round = 0; round < plan.attempts; round++) {
    for (const route of plan.routes) {
      if (out.has(route)) continue;
      const asked = await askServer(route, name, type, plan.timeout, signal);
      dropped += asked.dropped;
      const { answer } = asked;
      const text = route.server.text;
      switch (answer.kind) {
        case "cancelled":
          return { kind: "cancelled" };
        case "timeout":
          timeouts.set(route, (timeouts.get(route) ?? 0) + 1);
          break;
        case "failed":
          out.add(route);
          unreachable = true;
          notes.push(
            `${text} unreachable from ${route.source} over ${answer.transport} (${answer.problem})`,
          );
          break;
        case "reply":
          if (answer.meaning.kind !== "failure") {
            return { kind: "reply", meaning: answer.meaning, server: text };
          }
          out.add(route);
          failed = true;
          notes.push(`${text} answered ${answer.meaning.rcode}`);
          break;
        default: {
          const never: never = answer;
          throw new TypeError(`Cannot read a server's answer: ${JSON.stringify(never)}`);
        }
      }
    }
  }
  for (const [route, count] of timeouts) {
    const queries = count === 1 ? "1 query" : `${count} queries`;
    notes.push(`${route.server.text} did not answer ${queries} within ${plan.timeout} ms`);
  }
  const shown = notes.slice(0, MAX_NOTES);
  if (notes.length > MAX_NOTES) shown.push(`${notes.length - MAX_NOTES} more servers failed`);
  if (dropped > 0) shown.push(`${dropped} mismatched or forged replies dropped`);
  const what = shown.length > 0 ? shown.join(", ") : "no server to ask";
  return {
    kind: failed ? "servfail" : unreachable ? "unreachable" : "timeout",
    detail: `${type} ${name}: ${what}`,
  };
}
