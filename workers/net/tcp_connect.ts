/**
 * Opens a TCP connection from one of a PD's source addresses (§3.3.7.21:
 * "using one or more source addresses that are valid for the specified
 * provisioning domain"), trying the next source when one cannot be used.
 * node:net is used because Deno.connect cannot choose a source address.
 *
 * @module
 */

import net from "node:net";
import type { ConnectFailure } from "../../protocol/types.ts";
import { describeError } from "../../protocol/text.ts";

/** What to connect to, from where. */
export interface ConnectTarget {
  /** The destination IP literal, with a %scope when it is link-local. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Source addresses to try, best first (with a %scope when link-local). */
  readonly sources: readonly string[];
  /** Milliseconds for every source together. */
  readonly timeout: number;
  /** node:net's onread option, for the socket that connects. */
  readonly onread?: net.OnReadOpts;
}

/** The outcome of {@linkcode connectTcp}. */
export type ConnectOutcome =
  | { readonly ok: true; readonly socket: net.Socket; readonly source: string }
  | { readonly ok: false; readonly reason: ConnectFailure; readonly detail: string };

/**
 * The connect failure a socket error stands for, and whether another source
 * address might do better (a refusal or a reset comes from the peer, so it
 * would not).
 *
 * @example Classify errors
 * ```ts
 * import { classifyConnectError } from "./tcp_connect.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   classifyConnectError({ code: "ECONNREFUSED", syscall: "connect" }),
 *   { reason: "refused", nextSource: false },
 * );
 * assert.deepEqual(
 *   classifyConnectError({ code: "ECONNRESET", syscall: "read" }),
 *   { reason: "reset", nextSource: false },
 * );
 * assert.deepEqual(
 *   classifyConnectError({ code: "EINVAL", syscall: "bind" }),
 *   { reason: "unreachable", nextSource: true },
 * );
 * ```
 * @param error What the socket emitted.
 * @returns The reason and whether to try the next source.
 */
export function classifyConnectError(
  error: unknown,
): { reason: ConnectFailure; nextSource: boolean } {
  const { code } = (error ?? {}) as { code?: unknown };
  if (code === "ECONNREFUSED") return { reason: "refused", nextSource: false };
  // The peer answered, then reset the handshake (a full backlog with
  // tcp_abort_on_overflow, a reset storm): it would do so from any source.
  if (code === "ECONNRESET" || code === "ECONNABORTED" || code === "EPIPE") {
    return { reason: "reset", nextSource: false };
  }
  if (code === "ETIMEDOUT") return { reason: "timeout", nextSource: true };
  // Binding a source the host no longer has (Deno reports EINVAL for it),
  // or a path that is down from this source: the next source may work.
  return { reason: "unreachable", nextSource: true };
}

function attempt(
  target: ConnectTarget,
  source: string,
  deadline: number,
  signal: AbortSignal,
): Promise<{ socket: net.Socket } | { error: unknown; timedOut?: boolean; cancelled?: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({
      host: target.host,
      port: target.port,
      localAddress: source,
      allowHalfOpen: true,
      noDelay: true,
      ...(target.onread ? { onread: target.onread } : {}),
    });
    const finish = (
      outcome: { socket: net.Socket } | { error: unknown; timedOut?: boolean; cancelled?: boolean },
    ) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.off("connect", onConnect);
      socket.off("error", onError);
      if (!("socket" in outcome)) {
        socket.on("error", () => {}); // Late errors of an abandoned socket have no reader.
        socket.destroy();
      }
      resolve(outcome);
    };
    const onConnect = () => finish({ socket });
    const onError = (error: unknown) => finish({ error });
    const onAbort = () => finish({ error: signal.reason, cancelled: true });
    const timer = setTimeout(
      () => finish({ error: new Error("no answer"), timedOut: true }),
      Math.max(0, deadline - Date.now()),
    );
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Connects from the first source that works, within one overall timeout.
 * It never rejects: every failure is an outcome with a reason.
 *
 * @example Connect from a loopback source (sketch)
 * ```ts ignore
 * const outcome = await connectTcp(
 *   { host: "127.0.0.1", port: 8080, sources: ["127.0.0.2"], timeout: 1000 },
 *   AbortSignal.timeout(5000),
 * );
 * ```
 * @param target Destination, sources and timeout.
 * @param signal Cancels the attempt (the outcome is then reason "cancelled").
 * @returns The connected socket and its source, or why not.
 */
export async function connectTcp(
  target: ConnectTarget,
  signal: AbortSignal,
): Promise<ConnectOutcome> {
  const deadline = Date.now() + target.timeout;
  const tried: string[] = [];
  let last: { reason: ConnectFailure; detail: string } | undefined;
  for (const source of target.sources) {
    if (signal.aborted) break;
    const outcome = await attempt(target, source, deadline, signal);
    if ("socket" in outcome) return { ok: true, socket: outcome.socket, source };
    if (outcome.cancelled) break;
    const message = describeError(outcome.error);
    tried.push(`${source} (${message})`);
    if (outcome.timedOut) {
      return {
        ok: false,
        reason: "timeout",
        detail:
          `Cannot connect to ${target.host} port ${target.port}: no answer within ${target.timeout} ms; tried ${
            tried.join(", ")
          }`,
      };
    }
    const { reason, nextSource } = classifyConnectError(outcome.error);
    last = {
      reason,
      detail: `Cannot connect to ${target.host} port ${target.port}: tried ${tried.join(", ")}`,
    };
    if (!nextSource) return { ok: false, ...last };
  }
  if (signal.aborted) {
    return { ok: false, reason: "cancelled", detail: "Cannot connect: stopped by the subscriber" };
  }
  return last
    ? { ok: false, ...last }
    : { ok: false, reason: "no-source-address", detail: "Cannot connect: no source address" };
}
