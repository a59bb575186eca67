/**
 * The time source of a race, so that its scheduling can be tested with a
 * clock the test moves (tests/fixtures/fake_clock.ts).
 *
 * @module
 */

/** Milliseconds and timers. */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
  /**
   * Calls `fn` after `ms` milliseconds.
   *
   * @returns A function that cancels the timer.
   */
  setTimer(ms: number, fn: () => void): () => void;
}

/**
 * The real clock: performance.now() and setTimeout.
 *
 * @example Time something
 * ```ts
 * import { realClock } from "./clock.ts";
 * import assert from "node:assert/strict";
 * const start = realClock.now();
 * const cancel = realClock.setTimer(10, () => assert.fail("a cancelled timer never fires"));
 * cancel();
 * assert.ok(realClock.now() >= start);
 * ```
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
