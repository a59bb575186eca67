/**
 * The candidates of a race not tried yet, and which one goes next (RFC
 * 8305 §4 across PDs): the lowest tier first, by destination order
 * (connect/destination_order.ts) at first; later the other family than the
 * last attempt's, and the interface tried least. connect/race.ts decides
 * when; this decides which.
 *
 * @module
 */

import type { Family } from "../ip/ip.ts";
import { type Candidate, compareCandidates } from "./destination_order.ts";

/** An attempt already started, as far as the choice of the next one cares. */
export interface TriedAttempt {
  /** Its destination's family. */
  readonly family: Family;
  /** The interface it went through. */
  readonly interfaceId: string;
}

/**
 * The candidates waiting for an attempt.
 *
 * @example Alternate families after the first attempt
 * ```ts
 * import assert from "node:assert/strict";
 * import { CandidatePool } from "./candidate_pool.ts";
 * import { candidateFor } from "./destination_order.ts";
 * const held = (address: string, prefixLength: number) =>
 *   [{ address, prefixLength, validUntil: null, preferredUntil: null }];
 * const facts = (rank: number) => ({ tier: 1, history: "unknown" as const, rank });
 * const pool = new CandidatePool(new Map([["wlan0/ipv6", "wlan0"], ["wlan0/ipv4", "wlan0"]]));
 * pool.add(candidateFor("wlan0/ipv6", held("2001:db8::7", 64), "2001:db8::80", facts(1), 0)!);
 * pool.add(candidateFor("wlan0/ipv6", held("2001:db8::7", 64), "2001:db8::81", facts(2), 0)!);
 * pool.add(candidateFor("wlan0/ipv4", held("198.51.100.7", 24), "198.51.100.80", facts(3), 0)!);
 * const first = pool.take([])!;
 * assert.equal(first.address, "2001:db8::80");
 * const next = pool.take([{ family: first.family, interfaceId: "wlan0" }]);
 * assert.equal(next?.address, "198.51.100.80");
 * assert.equal(pool.size, 1);
 * ```
 */
export class CandidatePool {
  readonly #interfaceOf: ReadonlyMap<string, string>;
  readonly #staggered: ReadonlySet<string>;
  #pending: Candidate[] = [];

  /**
   * Makes an empty pool.
   *
   * @param interfaceOf Each PD's interface, by PD id.
   * @param staggered PDs that never start in parallel (metered ones).
   */
  constructor(
    interfaceOf: ReadonlyMap<string, string>,
    staggered: ReadonlySet<string> = new Set(),
  ) {
    this.#interfaceOf = interfaceOf;
    this.#staggered = staggered;
  }

  /** How many candidates wait. */
  get size(): number {
    return this.#pending.length;
  }

  /**
   * Adds a candidate.
   *
   * @param candidate The candidate.
   */
  add(candidate: Candidate): void {
    this.#pending.push(candidate);
  }

  /**
   * Whether a waiting candidate matches.
   *
   * @param test The test.
   * @returns True when one does.
   */
  some(test: (candidate: Candidate) => boolean): boolean {
    return this.#pending.some(test);
  }

  /**
   * Drops candidates: a gone PD's, or all of them.
   *
   * @param pdId The PD whose candidates go; undefined for every candidate.
   */
  drop(pdId?: string): void {
    this.#pending = pdId === undefined ? [] : this.#pending.filter((c) => c.pdId !== pdId);
  }

  /**
   * The next candidate: the best of the lowest tier by destination order
   * at first; later the other family than the last attempt's when there is
   * one (RFC 8305 §4), and among those the interface tried least.
   * Destinations that failed before go last within their tier.
   *
   * @param tried The attempts so far, in the order they started.
   * @returns The candidate, left in the pool; undefined when none waits.
   */
  peek(tried: readonly TriedAttempt[]): Candidate | undefined {
    if (this.#pending.length === 0) return undefined;
    const tier = Math.min(...this.#pending.map((c) => c.tier));
    let pool = this.#pending.filter((c) => c.tier === tier);
    const last = tried.at(-1);
    if (last) {
      const other = pool.filter((c) => c.family !== last.family && c.history !== "failed");
      if (other.length > 0) pool = other;
    }
    const triedOn = (c: Candidate) => {
      const interfaceId = this.#interfaceOf.get(c.pdId);
      return tried.filter((a) => a.interfaceId === interfaceId).length;
    };
    return pool.reduce((a, b) => {
      const order = Number(a.history === "failed") - Number(b.history === "failed") ||
        (last ? triedOn(a) - triedOn(b) : 0) || compareCandidates(a, b);
      return order <= 0 ? a : b;
    });
  }

  /**
   * Takes the candidate {@linkcode CandidatePool.peek} names.
   *
   * @param tried The attempts so far, in the order they started.
   * @returns The candidate, now out of the pool; undefined when none waits.
   */
  take(tried: readonly TriedAttempt[]): Candidate | undefined {
    return this.#remove(this.peek(tried));
  }

  /**
   * Takes the best candidate, by destination order, on an interface no
   * attempt has tried, of at most `tier`, not failed before and not of a
   * staggered PD (for parallelInterfaces: each interface's first attempt
   * starts at once).
   *
   * @param tried The attempts so far.
   * @param tier The worst tier that may start.
   * @returns The candidate, now out of the pool; undefined when none fits.
   */
  takeUntried(tried: readonly TriedAttempt[], tier: number): Candidate | undefined {
    const untried = this.#pending.filter((c) =>
      c.tier <= tier && c.history !== "failed" && !this.#staggered.has(c.pdId) &&
      !tried.some((a) => a.interfaceId === this.#interfaceOf.get(c.pdId))
    );
    if (untried.length === 0) return undefined;
    return this.#remove(untried.reduce((a, b) => compareCandidates(a, b) <= 0 ? a : b));
  }

  #remove(candidate: Candidate | undefined): Candidate | undefined {
    if (candidate) this.#pending.splice(this.#pending.indexOf(candidate), 1);
    return candidate;
  }
}
