/**
 * Lifetimes as the protocol carries them (seconds left, or "infinite") and
 * as platforms keep them (an absolute time in epoch ms, or null for never).
 *
 * @module
 */

import type { Lifetime } from "./types.ts";

/**
 * Seconds left until an absolute time, rounded up (so 0 only once it has
 * passed), at most 0xffffffff (the largest 32-bit lifetime), or "infinite".
 *
 * @example Two and a half seconds left, and never
 * ```ts
 * import { remaining } from "./lifetime.ts";
 * import assert from "node:assert/strict";
 * assert.equal(remaining(12_500, 10_000), 3);
 * assert.equal(remaining(null, 10_000), "infinite");
 * ```
 * @param until Epoch ms, or null for never.
 * @param now Epoch ms.
 * @returns The lifetime.
 */
export function remaining(until: number | null, now: number): Lifetime {
  if (until === null) return "infinite";
  return Math.min(0xffffffff, Math.max(0, Math.ceil((until - now) / 1000)));
}

/**
 * When a lifetime announced at `now` runs out: the inverse of
 * {@linkcode remaining}.
 *
 * @example A minute from now, and never
 * ```ts
 * import { expiresAt } from "./lifetime.ts";
 * import assert from "node:assert/strict";
 * assert.equal(expiresAt(60, 1_000), 61_000);
 * assert.equal(expiresAt("infinite", 1_000), null);
 * ```
 * @param lifetime Seconds left, or "infinite".
 * @param now Epoch ms.
 * @returns Epoch ms, or null for never.
 */
export function expiresAt(lifetime: Lifetime, now: number): number | null {
  return lifetime === "infinite" ? null : now + lifetime * 1000;
}
