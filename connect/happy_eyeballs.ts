/**
 * The high-level connect() of the draft's §3.3.2 ("Happy Eyeballs for
 * MIF"), built only on MIF messages: translate-name on every eligible PD
 * at once (§3.3.7.18), connect-to-address per candidate (§3.3.7.21), raced
 * by connect/race.ts.
 *
 * @module
 */

import type { Connection } from "../broker/connection.ts";
import { type Mif, openMif } from "../broker/mif.ts";
import { NO_MESSAGE, type Subscriber } from "../broker/subscriber.ts";
import type { AddressInfo } from "../platform/types.ts";
import type { ApiMessage, SubscriberMessage } from "../protocol/types.ts";
import { expiresAt } from "../protocol/lifetime.ts";
import { realClock } from "./clock.ts";
import {
  type AnnouncedPd,
  checkConnectArguments,
  type CheckedOptions,
  checkSelectors,
  type ConnectOptions,
  pathTier,
  validSelectors,
} from "./connect_options.ts";
import { PathHistory } from "./path_history.ts";
import { Race, type RacePd, type RaceResult } from "./race.ts";
import type { ConnectFailedReason } from "./failure.ts";
import { type AttemptRecord, ConnectFailedError, type ResolutionRecord } from "./timeline.ts";

/** What connect() gives: the connection and the race that made it. */
export interface ConnectResult {
  /** The winning connection. */
  readonly connection: Connection;
  /** The attempt that made it. */
  readonly winner: AttemptRecord;
  /** Every attempt, in the order they started. */
  readonly attempts: readonly AttemptRecord[];
  /** Every PD's name translation. */
  readonly resolutions: readonly ResolutionRecord[];
}

/** Each Mif's history: RTTs and outcomes learned by earlier races. */
const HISTORIES = new WeakMap<Mif, PathHistory>();

function historyOf(mif: Mif): PathHistory {
  let history = HISTORIES.get(mif);
  if (!history) HISTORIES.set(mif, history = new PathHistory());
  return history;
}

interface Announced {
  interfaces: Map<string, ApiMessage & { type: "interface-announcement" }>;
  pds: Map<string, { interfaceId: string; family: "ipv4" | "ipv6"; addresses: AddressInfo[] }>;
}

/** Subscribes to interfaces, their PDs and addresses, and reads what exists now. */
function announce(sub: Subscriber): Announced {
  const seen: Announced = { interfaces: new Map(), pds: new Map() };
  sub.post({ type: "announce-interfaces" });
  for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) {
    if (m.type === "interface-announcement") {
      seen.interfaces.set(m.interfaceId, m);
      sub.post({ type: "announce-provisioning-domains", interfaceId: m.interfaceId });
    } else if (m.type === "provisioning-domain-announcement") {
      seen.pds.set(m.pdId, { interfaceId: m.interfaceId, family: m.family, addresses: [] });
      sub.post({ type: "announce-addresses", pdId: m.pdId });
    } else if (m.type === "address-announcement") {
      const now = Date.now();
      seen.pds.get(m.pdId)?.addresses.push({
        address: m.address,
        prefixLength: m.prefixLength,
        validUntil: expiresAt(m.validLifetime, now),
        preferredUntil: expiresAt(m.preferredLifetime, now),
      });
    }
  }
  return seen;
}

/** Ends every subscription announce() made. */
function unsubscribe(sub: Subscriber, seen: Announced): void {
  if (sub.closed) return;
  for (const pdId of seen.pds.keys()) sub.post({ type: "stop-announcing-addresses", pdId });
  for (const interfaceId of seen.interfaces.keys()) {
    sub.post({ type: "stop-announcing-provisioning-domains", interfaceId });
  }
  sub.post({ type: "stop-announcing-interfaces" });
}

/** The PDs that may race, in announcement order, with their tiers. */
function eligible(seen: Announced, options: CheckedOptions, hostname: string): RacePd[] {
  return [...seen.pds.entries()].flatMap(([pdId, pd]) => {
    const nic = seen.interfaces.get(pd.interfaceId);
    const announced: AnnouncedPd = {
      pdId,
      interfaceId: pd.interfaceId,
      interfaceType: nic?.interfaceType ?? "other",
      ...(nic?.metered === undefined ? {} : { metered: nic.metered }),
      family: pd.family,
      addresses: pd.addresses.map((a) => a.address),
    };
    const tier = pathTier(announced, options, hostname);
    if (tier === undefined) return [];
    const addresses = options.source === undefined
      ? pd.addresses
      : pd.addresses.filter((a) => a.address === options.source);
    return [{ pdId, interfaceId: pd.interfaceId, family: pd.family, addresses, tier }];
  });
}

/**
 * Connects to a named service over the best of all provisioning domains by
 * racing them (RFC 8305 across PDs): every eligible PD resolves the name
 * through its own DNS servers at once; candidates are ordered by RFC 6724
 * destination selection and history, alternate families and interfaces,
 * and start one attempt delay apart (per PD, from its own measured RTTs);
 * the first connection wins and the others are cancelled and closed.
 *
 * @example Connect over whichever PD answers first
 * ```ts ignore
 * import { connect, openMif } from "@mif/mif";
 * await using mif = await openMif();
 * const { connection, winner, attempts } = await connect("www.example", 443, {
 *   mif,
 *   avoid: ["cellular"],
 *   prohibit: ["vpn"],
 * });
 * console.log(`connected through ${winner.pdId} after ${winner.end} ms, ${attempts.length} attempts`);
 * await connection.close();
 * ```
 * @param hostname A DNS name or an IP literal.
 * @param port The TCP port.
 * @param options Paths, families, delays, timeout, signal.
 * @returns The connection, the winning attempt and the race's timeline.
 * @throws {TypeError} For arguments of the wrong type.
 * @throws {RangeError} For a port, delay or timeout out of range.
 * @throws {ConnectFailedError} When no attempt connected: each attempt's reason is in it.
 */
export async function connect(
  hostname: string,
  port: number,
  options: ConnectOptions = {},
): Promise<ConnectResult> {
  const start = realClock.now();
  const checked = checkConnectArguments(hostname, port, options);
  options.signal?.throwIfAborted();
  const mif = options.mif ?? await openMif({ signal: options.signal });
  const closeMif = options.mif ? () => Promise.resolve() : () => mif.close();
  let sub: Subscriber | undefined;
  try {
    sub = mif.subscribe({ name: `connect ${hostname} ${port}` });
    const result = await race(sub, hostname, port, checked, historyOf(mif), options.signal, start);
    const owner = sub;
    result.connection.closed.then(() => owner.close()).then(closeMif);
    return result;
  } catch (error) {
    await sub?.close();
    await closeMif();
    throw error;
  }
}

/** Closes a connection of the subscriber unless it is closed already. */
async function closeToken(sub: Subscriber, token: string): Promise<void> {
  try {
    await sub.connection(token).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

async function race(
  sub: Subscriber,
  hostname: string,
  port: number,
  options: CheckedOptions,
  history: PathHistory,
  signal: AbortSignal | undefined,
  start: number,
): Promise<ConnectResult> {
  const seen = announce(sub);
  const known = { pdIds: [...seen.pds.keys()], interfaceIds: [...seen.interfaces.keys()] };
  try {
    checkSelectors(options, known);
  } catch (error) {
    unsubscribe(sub, seen);
    throw error;
  }
  // The PD that won last time for this name is asked first: its answer comes first.
  const last = history.lastWinner(hostname, realClock.now());
  const pds = eligible(seen, options, hostname).sort((a, b) =>
    Number(b.pdId === last?.pdId) - Number(a.pdId === last?.pdId)
  );
  const fail = (why: string, reason: ConnectFailedReason, race?: Race, cause?: unknown) =>
    new ConnectFailedError(
      `Cannot connect to ${hostname} port ${port}: ${why}`,
      race?.attempts ?? [],
      race?.resolutions ?? [],
      { reason, ...(cause === undefined ? {} : { cause }) },
    );
  if (pds.length === 0) {
    throw fail(`no provisioning domain may be used (${validSelectors(known)})`, "no-pd");
  }

  const pdOf = new Map<string, string>(); // translationId → pdId
  let result: RaceResult | undefined;
  const wake = new AbortController();
  const deadline = start + options.timeout;
  const post = (m: SubscriberMessage) => {
    if (!sub.closed) sub.post(m);
  };
  const race = new Race(pds, {
    port,
    attemptDelay: options.attemptDelay,
    history,
    clock: realClock,
    epochNow: Date.now,
    lastWinner: last?.skipsResolutionDelay ? last.pdId : undefined,
    start,
    parallelInterfaces: options.parallelInterfaces,
  }, {
    start(id, attempt) {
      // A second past the race's deadline: the race's own timer ends it first, as "timed out".
      const timeout = Math.max(1, Math.round(deadline - realClock.now() + 1000));
      const base = { pdId: attempt.pdId, address: attempt.address, port, connectionId: `c${id}` };
      post(
        options.source === undefined
          ? { type: "connect-to-address", ...base, timeout }
          : { type: "connect-to-address-from-address", ...base, source: options.source, timeout },
      );
    },
    cancel(id) {
      post({ type: "stop-connecting", connectionId: `c${id}` });
    },
    settled(outcome) {
      result = outcome;
      wake.abort();
    },
  });
  let timedOut = false;
  const stopTimer = realClock.setTimer(deadline - realClock.now(), () => {
    timedOut = true;
    race.stop("timed out", "timed-out");
  });
  const onAbort = () => race.stop("aborted");
  signal?.addEventListener("abort", onAbort, { once: true });
  pds.forEach((pd, i) => {
    pdOf.set(`t${i}`, pd.pdId);
    post({
      type: "translate-name",
      pdId: pd.pdId,
      name: hostname,
      translationId: `t${i}`,
      family: pd.family,
    });
  });

  const late: string[] = []; // Tokens of losers that connected anyway.
  const handle = (m: ApiMessage) => {
    switch (m.type) {
      case "name-translation": {
        const pdId = pdOf.get(m.translationId);
        if (pdId) race.answer(pdId, m.address);
        return;
      }
      case "name-translation-done": {
        const pdId = pdOf.get(m.translationId);
        if (pdId) race.resolved(pdId, m.reason);
        return;
      }
      case "connected":
        if (!race.connected(Number(m.connectionId.slice(1)), m.source)) late.push(m.token);
        else winnerToken = m.token;
        return;
      case "not-connected":
        race.failed(Number(m.connectionId.slice(1)), m.reason, m.detail);
        return;
      case "no-provisioning-domain-announcement":
        race.pdGone(m.pdId);
        return;
      case "error": {
        // Dropped announcements: the state follows, and every request still gets its answer.
        if (m.reason === "queue-overflow") {
          if (sub.closed) {
            race.stop(`the MIF API closed the race's subscriber: ${m.detail}`, "api-failed");
          }
          return;
        }
        // Refusals of a stop are expected: the attempt or translation had ended already.
        if (m.messageType === "stop-connecting" || m.messageType === "stop-translating-name") {
          return;
        }
        const gone = m.reason === "unknown-pd";
        if (m.connectionId !== undefined) {
          race.failed(Number(m.connectionId.slice(1)), gone ? "pd-gone" : "unsupported", m.detail);
          return;
        }
        const pdId = m.translationId === undefined ? undefined : pdOf.get(m.translationId);
        if (pdId) return race.resolved(pdId, gone ? "pd-gone" : "unsupported");
        race.stop(`the MIF API refused ${m.messageType}: ${m.detail}`, "api-failed");
        return;
      }
      default:
        return; // Other announcements do not change the race.
    }
  };
  let winnerToken: string | undefined;
  try {
    while (!race.settled) {
      const m = sub.get();
      if (m !== NO_MESSAGE) {
        handle(m);
        continue;
      }
      await sub.check({ signal: wake.signal }).catch((error) => {
        if (!wake.signal.aborted) throw error;
      });
      if (sub.closed) race.stop("the MIF API closed", "api-failed");
    }
    // Answers already queued: losers that connected before their cancel are closed.
    for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) handle(m);
  } finally {
    if (!race.settled) race.stop("abandoned");
    stopTimer();
    signal?.removeEventListener("abort", onAbort);
    race.resolutions.forEach((r, i) => {
      if (r.end === undefined) post({ type: "stop-translating-name", translationId: `t${i}` });
    });
    unsubscribe(sub, seen);
    for (const token of late) await closeToken(sub, token);
  }
  if (signal?.aborted) {
    if (winnerToken) await closeToken(sub, winnerToken);
    throw signal.reason;
  }
  if (!result?.ok || winnerToken === undefined) {
    const failed = result && !result.ok ? result : undefined;
    throw fail(
      failed?.why ?? "the race ended without a connection",
      failed?.reason ?? "api-failed",
      race,
      timedOut ? new Deno.errors.TimedOut(`${options.timeout} ms passed`) : undefined,
    );
  }
  history.won(hostname, result.winner.pdId, realClock.now(), {
    ipv6: result.winner.address.includes(":"),
    ipv6Failed: race.ipv6Failed,
  });
  return {
    connection: sub.connection(winnerToken),
    winner: result.winner,
    attempts: race.attempts,
    resolutions: race.resolutions,
  };
}
