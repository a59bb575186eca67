/**
 * The high-level connect() of the draft's §3.3.2 ("Happy Eyeballs for
 * MIF"), built only on MIF messages: what the host has is learned from
 * announcements (connect/follower.ts), then translate-name on every
 * eligible PD at once (§3.3.7.18) and connect-to-address per candidate
 * (§3.3.7.21), raced by connect/race.ts over connect/race_driver.ts.
 *
 * @module
 */

import { type Mif, openMif } from "../broker/mif.ts";
import { NO_MESSAGE, type Subscriber } from "../broker/subscriber.ts";
import type { SubscriberMessage } from "../protocol/types.ts";
import { realClock } from "./clock.ts";
import {
  checkConnectArguments,
  type CheckedOptions,
  checkSelectors,
  type ConnectOptions,
  pathTier,
  validSelectors,
} from "./connect_options.ts";
import { Follower } from "./follower.ts";
import type { HostView } from "./host_view.ts";
import { PathHistory } from "./path_history.ts";
import { keptValidation, pdFingerprint } from "./validation.ts";
import type { RacePd } from "./race.ts";
import { type ConnectResult, type HeldPds, RaceDriver } from "./race_driver.ts";
import { learnRoutingDomains } from "./pd_domains.ts";
import { needsRouting, notAskedDetail, routeName, splitPds } from "./split_dns.ts";
import { ConnectFailedError } from "./timeline.ts";

export type { ConnectResult } from "./race_driver.ts";

/** Each Mif's history: RTTs and outcomes learned by earlier races. */
const HISTORIES = new WeakMap<Mif, PathHistory>();

function historyOf(mif: Mif): PathHistory {
  let history = HISTORIES.get(mif);
  if (!history) HISTORIES.set(mif, history = new PathHistory());
  return history;
}

/**
 * Follows the host's interfaces, their PDs and addresses (their elements
 * only when split DNS needs their routing domains), and learns what exists
 * now: the broker answers each announce-* at once, so the queue holds the
 * whole host.
 */
function learnHost(sub: Subscriber, elements: boolean): Follower {
  const follower = new Follower({ elements });
  const post = (messages: SubscriberMessage[]) => messages.forEach((m) => sub.post(m));
  post(follower.start());
  for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) post(follower.next(m));
  return follower;
}

/** The PDs that may race, in announcement order, with their tiers. */
function eligible(
  host: HostView,
  options: CheckedOptions,
  hostname: string,
  validated: (pdId: string, addresses: readonly string[]) => boolean,
): RacePd[] {
  return [...host.pds.values()].flatMap(({ pdId, interfaceId, family, addresses }) => {
    const nic = host.interfaces.get(interfaceId);
    const all = [...addresses.values()];
    const tier = pathTier(
      {
        pdId,
        interfaceId,
        interfaceType: nic?.interfaceType ?? "other",
        ...(nic?.metered === undefined ? {} : { metered: nic.metered }),
        validated: validated(pdId, all.map((a) => a.address)),
        family,
        addresses: all.map((a) => a.address),
      },
      options,
      hostname,
    );
    if (tier === undefined) return [];
    const sources = options.source === undefined
      ? all
      : all.filter((a) => a.address === options.source);
    return [{
      pdId,
      interfaceId,
      family,
      addresses: sources,
      tier,
      ...(nic?.metered ? { metered: true } : {}),
    }];
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
    const result = await race(sub, hostname, port, checked, mif, options.signal, start);
    const owner = sub;
    result.connection.closed.then(() => owner.close()).then(closeMif);
    return result;
  } catch (error) {
    await sub?.close();
    await closeMif();
    throw error;
  }
}

/**
 * Learns the host, picks the PDs that may race and races them. The
 * subscriptions that found the PDs end with the race (not when no PD may
 * race: the subscriber is closed then).
 */
async function race(
  sub: Subscriber,
  hostname: string,
  port: number,
  options: CheckedOptions,
  mif: Mif,
  signal: AbortSignal | undefined,
  start: number,
): Promise<ConnectResult> {
  const history = historyOf(mif);
  const follower = learnHost(sub, needsRouting(hostname));
  const unsubscribe = () => {
    if (!sub.closed) follower.stop().forEach((m) => sub.post(m));
  };
  const host = follower.view;
  const known = { pdIds: [...host.pds.keys()], interfaceIds: [...host.interfaces.keys()] };
  // The PD that won last time for this name is asked first: its answer comes first.
  const last = history.lastWinner(hostname, realClock.now());
  const validated = (pdId: string, addresses: readonly string[]) =>
    keptValidation(mif, pdId, pdFingerprint(addresses)) === "full";
  let split: { pds: RacePd[]; held?: HeldPds };
  try {
    checkSelectors(options, known);
    const pds = eligible(host, options, hostname, validated).sort((a, b) =>
      Number(b.pdId === last?.pdId) - Number(a.pdId === last?.pdId)
    );
    if (pds.length === 0) {
      throw new ConnectFailedError(
        `Cannot connect to ${hostname} port ${port}: no provisioning domain may be used (${
          validSelectors(known)
        })`,
        [],
        [],
        { reason: "no-pd" },
      );
    }
    split = await splitDns(sub, follower, { hostname, port, options, signal, start }, pds);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const lastWinner = last?.skipsResolutionDelay ? last.pdId : undefined;
  return await new RaceDriver(sub, split.pds, {
    hostname,
    port,
    options,
    history,
    signal,
    start,
    lastWinner,
    unsubscribe,
    ...(split.held ? { held: split.held } : {}),
  }).run();
}

/** What {@linkcode splitDns} needs of the race. */
interface SplitInputs {
  readonly hostname: string;
  readonly port: number;
  readonly options: CheckedOptions;
  readonly signal: AbortSignal | undefined;
  readonly start: number;
}

/**
 * Split DNS (connect/split_dns.ts): learns the PDs' routing domains and
 * orders the eligible PDs, those the name is routed to first; the others
 * are held back (never asked, or asked on fallback). A name routed only to
 * PDs that may not race fails "no-pd" unless leak is "fallback" (then every
 * eligible PD is asked).
 */
async function splitDns(
  sub: Subscriber,
  follower: Follower,
  { hostname, port, options, signal, start }: SplitInputs,
  pds: RacePd[],
): Promise<{ pds: RacePd[]; held?: HeldPds }> {
  if (!needsRouting(hostname)) return { pds };
  const timeout = Math.max(0, start + options.timeout - realClock.now());
  const domains = await learnRoutingDomains(sub, follower, { timeout, signal });
  const cannot = `Cannot connect to ${hostname} port ${port}`;
  if (!domains) {
    throw new ConnectFailedError(
      `${cannot}: timed out learning the PDs' routing domains`,
      [],
      [],
      { reason: "timed-out" },
    );
  }
  const route = routeName(hostname, domains);
  if (route.kind === "everywhere") return { pds };
  const { asked, held } = splitPds(route, pds.map((pd) => pd.pdId));
  const detail = notAskedDetail(route);
  if (asked.length === 0) {
    if (options.leak === "fallback") return { pds };
    throw new ConnectFailedError(
      `${cannot}: ${detail}, which may not be used (leak: "fallback" asks the other PDs)`,
      [],
      [],
      { reason: "no-pd" },
    );
  }
  return {
    pds: [...asked, ...held].map((id) => pds.find((pd) => pd.pdId === id)!),
    ...(held.length === 0 ? {} : { held: { pdIds: held, leak: options.leak, detail } }),
  };
}
