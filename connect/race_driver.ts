/**
 * connect()'s driver: one race (connect/race.ts) carried out over one
 * subscriber's MIF messages. It posts translate-name per PD (§3.3.7.18),
 * connect-to-address per attempt the race starts (§3.3.7.21) and stop-*
 * for what the race gives up, feeds every answer back to the race, and
 * ends with the winning connection or a ConnectFailedError.
 *
 * @module
 */

import type { Connection } from "../broker/connection.ts";
import { NO_MESSAGE, type Subscriber } from "../broker/subscriber.ts";
import type { ApiMessage, ErrorMessage, SubscriberMessage } from "../protocol/types.ts";
import { realClock } from "./clock.ts";
import type { CheckedOptions } from "./connect_options.ts";
import type { LeakMode } from "./split_dns.ts";
import type { ConnectFailedReason } from "./failure.ts";
import type { PathHistory } from "./path_history.ts";
import { Race, type RacePd, type RaceResult } from "./race.ts";
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

/** What a {@linkcode RaceDriver} races for, and how. */
export interface DriverSettings {
  /** The name to connect to. */
  readonly hostname: string;
  /** The TCP port. */
  readonly port: number;
  /** connect()'s options, checked. */
  readonly options: CheckedOptions;
  /** What earlier races learned; this one adds to it. */
  readonly history: PathHistory;
  /** Aborts the race; run() then rejects with its reason. */
  readonly signal?: AbortSignal;
  /** realClock's time when connect() was called: the race's times count from it. */
  readonly start: number;
  /** The PD whose answer does not wait the resolution delay (see RaceSettings). */
  readonly lastWinner?: string;
  /** Ends the subscriptions that found the PDs; called once, as the race is torn down. */
  readonly unsubscribe: () => void;
  /** Split DNS: the PDs (among those given) the name is not routed to. */
  readonly held?: HeldPds;
}

/** The PDs split DNS holds back from a race, and what becomes of them. */
export interface HeldPds {
  /** The PDs not asked at first. */
  readonly pdIds: readonly string[];
  /** "never": never asked; "fallback": asked once every other PD failed to translate. */
  readonly leak: LeakMode;
  /** Why they are not asked ("printer.isp1.test is under isp1.test of eth0/ipv4"). */
  readonly detail: string;
}

/** The attempt a connection id names ("c3" → 3). */
function attemptId(connectionId: string): number {
  return Number(connectionId.slice(1));
}

/** Closes a connection of the subscriber unless it is closed already. */
async function closeToken(sub: Subscriber, token: string): Promise<void> {
  try {
    await sub.connection(token).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * Races the given PDs over a subscriber: translation `t<i>` asks PD `i`,
 * connection `c<n>` is the race's attempt `n`. Losers that connected
 * anyway are closed; a winner is kept unless the race was aborted.
 *
 * @example A PD that is gone before it answers
 * ```ts
 * import assert from "node:assert/strict";
 * import { openMif } from "../broker/mif.ts";
 * import { realClock } from "./clock.ts";
 * import { checkConnectArguments } from "./connect_options.ts";
 * import { PathHistory } from "./path_history.ts";
 * import { RaceDriver } from "./race_driver.ts";
 * import { ConnectFailedError } from "./timeline.ts";
 * await using mif = await openMif({ platform: "sim" });
 * await using sub = mif.subscribe();
 * const gone = { pdId: "gone0/ipv4", interfaceId: "gone0", family: "ipv4" as const, addresses: [], tier: 1 };
 * const driver = new RaceDriver(sub, [gone], {
 *   hostname: "www.example",
 *   port: 443,
 *   options: checkConnectArguments("www.example", 443, {}),
 *   history: new PathHistory(),
 *   start: realClock.now(),
 *   unsubscribe: () => {},
 * });
 * const error = await driver.run().catch((e) => e);
 * assert(error instanceof ConnectFailedError);
 * assert.equal(error.reason, "not-translated");
 * assert.deepEqual(error.resolutions.map((r) => r.outcome), ["pd-gone"]);
 * ```
 */
export class RaceDriver {
  readonly #sub: Subscriber;
  readonly #pds: readonly RacePd[];
  readonly #settings: DriverSettings;
  readonly #race: Race;
  readonly #deadline: number;
  readonly #pdOf = new Map<string, string>(); // translationId → pdId
  readonly #wake = new AbortController();
  readonly #late: string[] = []; // Tokens of losers that connected anyway.
  readonly #asked = new Set<string>(); // Translation ids posted.
  #held: readonly string[]; // PDs held back by split DNS, not yet asked nor skipped.
  #result: RaceResult | undefined;
  #winnerToken: string | undefined;
  #timedOut = false;

  /**
   * Sets up the race; nothing is posted before run().
   *
   * @param sub The subscriber, used by this race alone.
   * @param pds The PDs that take part, in the order they are asked.
   * @param settings The destination, options, history and clocks.
   */
  constructor(sub: Subscriber, pds: readonly RacePd[], settings: DriverSettings) {
    this.#sub = sub;
    this.#pds = pds;
    this.#settings = settings;
    const { port, options, history, start, lastWinner } = settings;
    this.#deadline = start + options.timeout;
    this.#held = settings.held?.pdIds ?? [];
    pds.forEach((pd, i) => this.#pdOf.set(`t${i}`, pd.pdId));
    this.#race = new Race(pds, {
      port,
      attemptDelay: options.attemptDelay,
      history,
      clock: realClock,
      epochNow: Date.now,
      lastWinner,
      start,
      parallelInterfaces: options.parallelInterfaces,
    }, {
      start: (id, attempt) => this.#startAttempt(id, attempt),
      cancel: (id) => this.#post({ type: "stop-connecting", connectionId: `c${id}` }),
      settled: (result) => {
        this.#result = result;
        this.#wake.abort();
      },
    });
  }

  /**
   * Runs the race to its end, once: asks every PD for the name, then
   * follows the answers until the race is decided, times out or is aborted.
   *
   * @returns The winning connection and the race's timeline.
   * @throws {ConnectFailedError} When no attempt connected.
   */
  async run(): Promise<ConnectResult> {
    const { signal } = this.#settings;
    const stopTimer = realClock.setTimer(this.#deadline - realClock.now(), () => {
      this.#timedOut = true;
      this.#race.stop("timed out", "timed-out");
    });
    const onAbort = () => this.#race.stop("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#ask(this.#pds.filter((pd) => !this.#held.includes(pd.pdId)));
    if (this.#settings.held?.leak !== "fallback") this.#skipHeld();
    try {
      await this.#follow();
    } finally {
      if (!this.#race.settled) this.#race.stop("abandoned");
      stopTimer();
      signal?.removeEventListener("abort", onAbort);
      await this.#tearDown();
    }
    return await this.#outcome();
  }

  #post(m: SubscriberMessage): void {
    if (!this.#sub.closed) this.#sub.post(m);
  }

  /** Posts translate-name for these PDs. */
  #ask(pds: readonly RacePd[]): void {
    const { hostname } = this.#settings;
    for (const { pdId, family } of pds) {
      const translationId = `t${this.#pds.findIndex((pd) => pd.pdId === pdId)}`;
      this.#asked.add(translationId);
      this.#post({ type: "translate-name", pdId, name: hostname, translationId, family });
    }
  }

  /** The held PDs will not be asked: their translations end "not-asked". */
  #skipHeld(): void {
    const held = this.#held, detail = this.#settings.held?.detail;
    this.#held = [];
    held.forEach((pdId) => this.#race.resolved(pdId, "not-asked", detail));
  }

  /**
   * Split DNS's fallback: once every asked PD's translation ended without
   * an address, the held PDs are asked; once one found an address, they never are.
   */
  #checkHeld(): void {
    if (this.#held.length === 0 || this.#race.settled) return;
    const asked = this.#race.resolutions.filter((r) => !this.#held.includes(r.pdId));
    if (asked.some((r) => r.answers.length > 0)) return this.#skipHeld();
    if (asked.some((r) => r.end === undefined)) return;
    const held = this.#held;
    this.#held = [];
    const why = `asked after ${
      asked.map((r) => r.pdId).join(", ")
    } failed: ${this.#settings.held?.detail}`;
    held.forEach((pdId) => this.#race.askedLate(pdId, why));
    this.#ask(this.#pds.filter((pd) => held.includes(pd.pdId)));
  }

  /** The race's start hook: posts the attempt's connect request. */
  #startAttempt(id: number, attempt: AttemptRecord): void {
    const { port, options } = this.#settings;
    // A second past the race's deadline: the race's own timer ends it first, as "timed out".
    const timeout = Math.max(1, Math.round(this.#deadline - realClock.now() + 1000));
    const base = {
      pdId: attempt.pdId,
      address: attempt.address,
      port,
      connectionId: `c${id}`,
      ...(options.tls ? { tls: options.tls } : {}),
    };
    this.#post(
      options.source === undefined
        ? { type: "connect-to-address", ...base, timeout }
        : { type: "connect-to-address-from-address", ...base, source: options.source, timeout },
    );
  }

  /** Takes the subscriber's messages until the race is decided, then those already queued. */
  async #follow(): Promise<void> {
    const sub = this.#sub;
    while (!this.#race.settled) {
      const m = sub.get();
      if (m !== NO_MESSAGE) {
        this.#handle(m);
        continue;
      }
      await sub.check({ signal: this.#wake.signal }).catch((error) => {
        if (!this.#wake.signal.aborted) throw error;
      });
      if (sub.closed) this.#race.stop("the MIF API closed", "api-failed");
    }
    // Answers already queued: losers that connected before their cancel are closed.
    for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) this.#handle(m);
  }

  /** Feeds one message to the race. */
  #handle(m: ApiMessage): void {
    const race = this.#race;
    switch (m.type) {
      case "name-translation": {
        const pdId = this.#pdOf.get(m.translationId);
        // An answer: the held PDs are not needed (before it joins the race, so none waits for them).
        if (pdId && this.#held.length > 0 && !this.#held.includes(pdId)) this.#skipHeld();
        if (pdId) race.answer(pdId, m.address);
        return;
      }
      case "name-translation-done": {
        const pdId = this.#pdOf.get(m.translationId);
        if (pdId) race.resolved(pdId, m.reason);
        return this.#checkHeld();
      }
      case "connected":
        if (race.connected(attemptId(m.connectionId), m.source)) this.#winnerToken = m.token;
        else this.#late.push(m.token);
        return;
      case "not-connected":
        race.failed(attemptId(m.connectionId), m.reason, m.detail);
        return;
      case "no-provisioning-domain-announcement":
        race.pdGone(m.pdId);
        return;
      case "error":
        return this.#refused(m);
      default:
        return; // Other announcements do not change the race.
    }
  }

  /** An error message: one request refused, dropped announcements, or the subscriber closed. */
  #refused(m: ErrorMessage): void {
    const race = this.#race;
    // Dropped announcements: the state follows, and every request still gets its answer.
    if (m.reason === "queue-overflow") {
      if (this.#sub.closed) {
        race.stop(`the MIF API closed the race's subscriber: ${m.detail}`, "api-failed");
      }
      return;
    }
    // Refusals of a stop are expected: the attempt or translation had ended already.
    if (m.messageType === "stop-connecting" || m.messageType === "stop-translating-name") return;
    const gone = m.reason === "unknown-pd";
    if (m.connectionId !== undefined) {
      race.failed(attemptId(m.connectionId), gone ? "pd-gone" : "unsupported", m.detail);
      return;
    }
    const pdId = m.translationId === undefined ? undefined : this.#pdOf.get(m.translationId);
    if (pdId) {
      race.resolved(pdId, gone ? "pd-gone" : "unsupported");
      return this.#checkHeld();
    }
    race.stop(`the MIF API refused ${m.messageType}: ${m.detail}`, "api-failed");
  }

  /** Stops unfinished translations and the subscriptions, and closes late losers. */
  async #tearDown(): Promise<void> {
    this.#race.resolutions.forEach((r, i) => {
      if (r.end === undefined && this.#asked.has(`t${i}`)) {
        this.#post({ type: "stop-translating-name", translationId: `t${i}` });
      }
    });
    this.#settings.unsubscribe();
    for (const token of this.#late) await closeToken(this.#sub, token);
  }

  /** The winner, or why there is none; learns the winner into the history. */
  async #outcome(): Promise<ConnectResult> {
    const { signal, hostname, history } = this.#settings;
    const race = this.#race, result = this.#result, token = this.#winnerToken;
    if (signal?.aborted) {
      if (token) await closeToken(this.#sub, token);
      throw signal.reason;
    }
    if (!result?.ok || token === undefined) {
      const failed = result && !result.ok ? result : undefined;
      throw this.#failed(
        failed?.why ?? "the race ended without a connection",
        failed?.reason ?? "api-failed",
      );
    }
    history.won(hostname, result.winner.pdId, realClock.now(), {
      ipv6: result.winner.address.includes(":"),
      ipv6Failed: race.ipv6Failed,
    });
    return {
      connection: this.#sub.connection(token),
      winner: result.winner,
      attempts: race.attempts,
      resolutions: race.resolutions,
    };
  }

  #failed(why: string, reason: ConnectFailedReason): ConnectFailedError {
    const { hostname, port, options } = this.#settings;
    const cause = this.#timedOut
      ? { cause: new Deno.errors.TimedOut(`${options.timeout} ms passed`) }
      : {};
    return new ConnectFailedError(
      `Cannot connect to ${hostname} port ${port}: ${why}`,
      this.#race.attempts,
      this.#race.resolutions,
      { reason, ...cause },
    );
  }
}
