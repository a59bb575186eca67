/**
 * The scheduling of Happy Eyeballs across provisioning domains (RFC 8305
 * over every PD at once, the "Happy Eyeballs for MIF" the draft's §3.3.2
 * names): which candidate to try next and when. It makes no I/O itself;
 * the driver (connect/happy_eyeballs.ts) feeds it the MIF messages and
 * carries out what it asks, so a test can run it on a clock it moves.
 *
 * @module
 */

import type { SourceAddress } from "../ip/addrselect.ts";
import type { Family } from "../ip/ip.ts";
import type { ConnectFailure, TranslationFailure } from "../protocol/types.ts";
import type { Clock } from "./clock.ts";
import {
  type ConnectFailedReason,
  everyAttemptFailedReason,
  whyEveryAttemptFailed,
  whyNoAttempt,
} from "./failure.ts";
import { CandidatePool } from "./candidate_pool.ts";
import { type Candidate, candidateFor } from "./destination_order.ts";
import type { PathHistory } from "./path_history.ts";
import type {
  AttemptOutcome,
  AttemptRecord,
  ResolutionOutcome,
  ResolutionRecord,
} from "./timeline.ts";

/** RFC 8305 §3: how long IPv4 answers wait for IPv6 ones still pending. */
export const RESOLUTION_DELAY = 50;

/** A PD that takes part, as the driver saw it announced. */
export interface RacePd {
  /** The PD. */
  readonly pdId: string;
  /** Its interface. */
  readonly interfaceId: string;
  /** Its family. */
  readonly family: Family;
  /** Its addresses as announced (connect/host_view.ts's KnownAddress fits). */
  readonly addresses: readonly SourceAddress[];
  /** 0 preferred, 1 neither, 2 avoided. */
  readonly tier: number;
  /** Whether its interface is metered: it keeps the stagger with parallelInterfaces. */
  readonly metered?: boolean;
}

/** What the race asks its driver to do. */
export interface RaceHooks {
  /** Start a connection attempt (`id` names it in the answers). */
  start(id: number, attempt: AttemptRecord): void;
  /** Abandon a running attempt. */
  cancel(id: number): void;
  /** The race is decided; nothing more will be asked. */
  settled(result: RaceResult): void;
}

/** How a race ended. */
export type RaceResult =
  | { readonly ok: true; readonly winner: AttemptRecord }
  | {
    readonly ok: false;
    readonly why: string;
    /** Undefined when the race was aborted or abandoned. */
    readonly reason?: ConnectFailedReason;
  };

/** Fixed inputs of a race. */
export interface RaceSettings {
  /** The destination port. */
  readonly port: number;
  /** Connection attempt delay for a PD without RTT history (RFC 8305 §5). */
  readonly attemptDelay: number;
  /** What earlier races learned; this one adds to it. */
  readonly history: PathHistory;
  /** The clock. */
  readonly clock: Clock;
  /** Milliseconds since the epoch, for address lifetimes. */
  readonly epochNow: () => number;
  /**
   * The PD whose IPv4 connection won the last race to this name after IPv6
   * had failed there, or whose IPv6 connection won it: its answer does not
   * wait the resolution delay.
   */
  readonly lastWinner?: string;
  /** The clock's time when connect() was called; times are counted from it (default: now). */
  readonly start?: number;
  /**
   * Start the first attempt on each interface without waiting for the
   * attempt delay of attempts on other interfaces (the draft's §3.4 sends
   * SYNs on IF1 and IF2 together); RFC 8305's stagger still applies within
   * an interface, to avoided PDs, to metered PDs and to destinations that
   * failed before.
   */
  readonly parallelInterfaces?: boolean;
}

interface Attempt {
  record: AttemptRecord;
  family: Family;
  interfaceId: string;
  tier: number;
  running: boolean;
}

interface Resolution {
  pd: RacePd;
  rank: number;
  answers: { address: string; at: number }[];
  start?: number;
  end?: number;
  outcome?: ResolutionOutcome;
  detail?: string;
}

/**
 * One race. Candidates are ordered by connect/destination_order.ts; the
 * first attempt waits for the first answer (and up to
 * {@linkcode RESOLUTION_DELAY} more for IPv6 while only IPv4 has
 * answered); each next one starts when the previous one's PD's attempt
 * delay has passed or an attempt fails, alternating families and
 * spreading over interfaces; answers arriving later join. The first
 * connection wins and the others are cancelled.
 *
 * @example Race two PDs on a hand-moved clock (sketch)
 * ```ts ignore
 * const race = new Race(pds, settings, hooks);
 * race.answer("wlan0/ipv6", "2001:db8::80"); // starts attempt 0 at once
 * clock.advance(250);                         // starts the next candidate
 * race.connected(0, "2001:db8::7");           // attempt 0 wins
 * ```
 */
export class Race {
  readonly #settings: RaceSettings;
  readonly #hooks: RaceHooks;
  readonly #t0: number;
  readonly #resolutions = new Map<string, Resolution>();
  readonly #pending: CandidatePool;
  #attempts: Attempt[] = [];
  #started = false;
  #firstAnswerAt: number | undefined;
  #nextReady = false;
  #cancelTimer: (() => void) | undefined;
  #settled = false;
  #ipv6Failed = false;

  /**
   * Starts a race; nothing happens until the first answer.
   *
   * @param pds The PDs that take part, in announcement order; each is being asked for the name.
   * @param settings Port, attempt delay, history and clocks.
   * @param hooks What carries out the race's decisions.
   */
  constructor(pds: readonly RacePd[], settings: RaceSettings, hooks: RaceHooks) {
    this.#settings = settings;
    this.#hooks = hooks;
    this.#t0 = settings.start ?? settings.clock.now();
    pds.forEach((pd, rank) => this.#resolutions.set(pd.pdId, { pd, rank, answers: [] }));
    this.#pending = new CandidatePool(
      new Map(pds.map((pd) => [pd.pdId, pd.interfaceId])),
      new Set(pds.filter((pd) => pd.metered).map((pd) => pd.pdId)),
    );
  }

  /** Whether the race is decided. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Every attempt so far, in the order they started. */
  get attempts(): AttemptRecord[] {
    return this.#attempts.map((a) => a.record);
  }

  /** Every PD's translation so far. */
  get resolutions(): ResolutionRecord[] {
    return [...this.#resolutions.values()].map((r) => ({
      pdId: r.pd.pdId,
      interfaceId: r.pd.interfaceId,
      family: r.pd.family,
      answers: [...r.answers],
      ...(r.start === undefined ? {} : { start: r.start }),
      ...(r.end === undefined ? {} : { end: r.end, outcome: r.outcome }),
      ...(r.detail === undefined ? {} : { detail: r.detail }),
    }));
  }

  /** Milliseconds since the race began, to a tenth. */
  #elapsed(): number {
    return Math.round((this.#settings.clock.now() - this.#t0) * 10) / 10;
  }

  /**
   * A PD's translation gave an address.
   *
   * @param pdId The PD.
   * @param address The address.
   */
  answer(pdId: string, address: string): void {
    const r = this.#resolutions.get(pdId);
    if (!r || this.#settled) return;
    if (r.answers.some((a) => a.address === address)) return;
    r.answers.push({ address, at: this.#elapsed() });
    const { history } = this.#settings;
    const candidate = candidateFor(pdId, r.pd.addresses, address, {
      tier: r.pd.tier,
      history: history.destination(pdId, address, this.#settings.clock.now()),
      srtt: history.srtt(pdId),
      rank: r.rank * 1000 + r.answers.length,
    }, this.#settings.epochNow());
    if (!candidate) return; // Rule 1: no usable source in this PD.
    this.#pending.add(candidate);
    this.#firstAnswerAt ??= this.#settings.clock.now();
    this.#advance();
    if (this.#started) this.#startUntriedInterfaces();
  }

  /**
   * A PD's translation ended.
   *
   * @param pdId The PD.
   * @param reason Why it failed, or "not-asked" (split DNS); undefined when it succeeded.
   * @param detail Why it was not asked.
   */
  resolved(pdId: string, reason?: TranslationFailure | "not-asked", detail?: string): void {
    const r = this.#resolutions.get(pdId);
    if (!r || r.end !== undefined) return;
    r.end = this.#elapsed();
    r.outcome = reason ?? "success";
    if (detail !== undefined) r.detail = detail;
    if (this.#settled) return;
    this.#advance();
    this.#checkFailed();
  }

  /**
   * A PD held back by split DNS is asked now: its translation starts late.
   *
   * @param pdId The PD.
   * @param detail Why it is asked late.
   */
  askedLate(pdId: string, detail: string): void {
    const r = this.#resolutions.get(pdId);
    if (!r || r.end !== undefined) return;
    r.start = this.#elapsed();
    r.detail = detail;
  }

  /**
   * Attempt `id` connected.
   *
   * @param id The attempt.
   * @param source The source address it used.
   * @returns True when it won; false when the race was already decided (close it).
   */
  connected(id: number, source: string): boolean {
    const attempt = this.#attempts[id];
    if (!attempt) return false;
    if (!attempt.running) {
      // Cancelled, but it connected before the cancel arrived: it is closed.
      if (attempt.record.outcome === "cancelled") {
        this.#finish(attempt, "closed", undefined, source);
      }
      return false;
    }
    const end = this.#elapsed();
    this.#finish(attempt, "connected", undefined, source);
    const { history, clock } = this.#settings;
    history.connected(
      attempt.record.pdId,
      attempt.record.address,
      end - attempt.record.start,
      clock.now(),
    );
    for (const other of this.#attempts) {
      if (!other.running) continue;
      // Still waiting a whole attempt delay after it started: the path is slow or silently
      // broken (an attempt started late, after another one failed, proves nothing).
      const waited = clock.now() - this.#t0 - other.record.start;
      if (waited >= history.attemptDelay(other.record.pdId, this.#settings.attemptDelay)) {
        this.#markFailed(other);
      }
      this.#finish(other, "cancelled", "another attempt connected first");
      this.#hooks.cancel(this.#attempts.indexOf(other));
    }
    this.#settle({ ok: true, winner: attempt.record });
    return true;
  }

  /**
   * Attempt `id` failed; the next candidate starts at once (RFC 8305 §5).
   *
   * @param id The attempt.
   * @param reason Why.
   * @param detail The worker's detail.
   */
  failed(id: number, reason: ConnectFailure, detail?: string): void {
    const attempt = this.#attempts[id];
    if (!attempt?.running) return;
    this.#finish(attempt, reason, detail);
    // Only what says something about the path; pd-gone, no-source-address and the like do not.
    // A TLS failure does: through this PD something else answered (a captive portal, a proxy).
    if (
      reason === "refused" || reason === "reset" || reason === "timeout" ||
      reason === "unreachable" || reason === "tls"
    ) {
      this.#markFailed(attempt);
    }
    // A running attempt means the race has started and is not decided.
    this.#cancelTimer?.();
    this.#startNext();
    this.#checkFailed();
  }

  /**
   * A PD is gone: its candidates not yet tried are dropped (its running
   * attempts and translation end with their own answers).
   *
   * @param pdId The PD.
   */
  pdGone(pdId: string): void {
    this.#pending.drop(pdId);
    if (!this.#settled) this.#checkFailed();
  }

  /**
   * Ends the race without a winner (a timeout or an abort): running
   * attempts are cancelled.
   *
   * @param why What ended it.
   * @param reason Its code; undefined for an abort.
   */
  stop(why: string, reason?: ConnectFailedReason): void {
    if (this.#settled) return;
    for (const [id, attempt] of this.#attempts.entries()) {
      if (!attempt.running) continue;
      this.#finish(attempt, "cancelled", why);
      this.#hooks.cancel(id);
    }
    this.#settle({ ok: false, why, ...(reason ? { reason } : {}) });
  }

  /** Remembers that the attempt's destination did not answer through its PD. */
  #markFailed(attempt: Attempt): void {
    const { history, clock } = this.#settings;
    history.failed(attempt.record.pdId, attempt.record.address, clock.now());
    if (attempt.family === "ipv6") this.#ipv6Failed = true;
  }

  /**
   * Whether an IPv6 attempt failed or stayed silent for an attempt delay in
   * this race: then an IPv4 winner had beaten IPv6 fairly, and may skip the
   * resolution delay next time.
   */
  get ipv6Failed(): boolean {
    return this.#ipv6Failed;
  }

  #finish(attempt: Attempt, outcome: AttemptOutcome, detail?: string, source?: string): void {
    attempt.running = false;
    attempt.record = {
      ...attempt.record,
      ...(source ? { source } : {}),
      end: this.#elapsed(),
      outcome,
      ...(detail ? { detail } : {}),
    };
  }

  #settle(result: RaceResult): void {
    this.#settled = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#pending.drop();
    this.#hooks.settled(result);
  }

  #checkFailed(): void {
    if (this.#settled || this.#pending.size > 0) return;
    if (this.#attempts.some((a) => a.running)) return;
    if ([...this.#resolutions.values()].some((r) => r.end === undefined)) return;
    const attempts = this.#attempts.map((a) => a.record);
    this.#settle({
      ok: false,
      ...(attempts.length === 0
        ? whyNoAttempt(this.resolutions)
        : { why: whyEveryAttemptFailed(attempts), reason: everyAttemptFailedReason(attempts) }),
    });
  }

  #advance(): void {
    if (this.#settled || this.#pending.size === 0) return;
    if (this.#started) {
      if (this.#nextReady) this.#startNext();
      return;
    }
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const due = this.#firstAnswerAt! + this.#firstWait();
    const now = this.#settings.clock.now();
    if (now < due) {
      this.#cancelTimer = this.#settings.clock.setTimer(due - now, () => {
        this.#cancelTimer = undefined;
        this.#advance();
      });
      return;
    }
    this.#started = true;
    this.#startNext();
  }

  /**
   * How long after the first answer the first attempt may wait for better
   * ones. RFC 8305 §3: IPv4 answers wait {@linkcode RESOLUTION_DELAY} for
   * IPv6 ones still pending, unless the answer is last race's winner
   * again. A candidate that is avoided while a PD of a better tier is
   * still resolving, or that failed last time, waits up to an attempt
   * delay: trying it first would delay the next attempt by as much anyway.
   */
  #firstWait(): number {
    const resolving = [...this.#resolutions.values()].filter((r) => r.end === undefined);
    const best = this.#pending.peek(this.#attempts)!;
    if (
      resolving.some((r) =>
        r.pd.tier < best.tier || (best.history === "failed" && r.pd.tier <= best.tier)
      )
    ) {
      return this.#settings.attemptDelay;
    }
    // Last time's winner, answering the same destination again, does not wait for IPv6:
    // the race that made it the winner gave IPv6 its chance (RFC 8305 §4, history).
    if (best.pdId === this.#settings.lastWinner && best.history === "answered") return 0;
    const ipv6Answered = this.#pending.some((c) => c.family === "ipv6");
    // With parallel interfaces another interface's IPv6 would start beside this answer, not
    // before it: only the same interface's IPv6 is worth waiting for.
    const bestInterface = this.#resolutions.get(best.pdId)!.pd.interfaceId;
    const ipv6Resolving = resolving.some((r) =>
      r.pd.family === "ipv6" && r.pd.tier <= best.tier && r.pd.addresses.length > 0 &&
      (!this.#settings.parallelInterfaces || r.pd.interfaceId === bestInterface)
    );
    return !ipv6Answered && ipv6Resolving ? RESOLUTION_DELAY : 0;
  }

  /** Starts the best candidate now, and the timer for the one after it. */
  #startNext(): void {
    this.#cancelTimer = undefined;
    const candidate = this.#pending.take(this.#attempts);
    if (!candidate) {
      this.#nextReady = true; // The next answer starts at once.
      return;
    }
    this.#nextReady = false;
    const delay = this.#settings.history.attemptDelay(candidate.pdId, this.#settings.attemptDelay);
    this.#cancelTimer = this.#settings.clock.setTimer(delay, () => this.#startNext());
    this.#launch(candidate);
    this.#startUntriedInterfaces();
  }

  /** With parallelInterfaces: the best candidate of each interface not tried yet starts now. */
  #startUntriedInterfaces(): void {
    if (!this.#settings.parallelInterfaces || this.#settled) return;
    const tier = Math.min(...this.#attempts.map((a) => a.tier));
    for (;;) {
      const candidate = this.#pending.takeUntried(this.#attempts, tier);
      if (!candidate) return;
      this.#launch(candidate);
    }
  }

  /** Starts an attempt on a candidate. */
  #launch(candidate: Candidate): void {
    const pd = this.#resolutions.get(candidate.pdId)!.pd;
    const record: AttemptRecord = {
      pdId: candidate.pdId,
      interfaceId: pd.interfaceId,
      source: candidate.source,
      address: candidate.address,
      port: this.#settings.port,
      start: this.#elapsed(),
    };
    const id = this.#attempts.length;
    this.#attempts.push({
      record,
      family: candidate.family,
      interfaceId: pd.interfaceId,
      tier: candidate.tier,
      running: true,
    });
    this.#hooks.start(id, record);
  }
}
