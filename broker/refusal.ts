/**
 * The broker's refusal of a request: answered with an `error` message
 * (§3.3.7) that carries its reason, not a crash.
 *
 * @module
 */

import type { ErrorReason } from "../protocol/types.ts";

/**
 * A request the broker refuses with an `error` message.
 *
 * @example Refuse an unknown interface
 * ```ts
 * import { Refusal } from "./refusal.ts";
 * import assert from "node:assert/strict";
 * const refusal = new Refusal("unknown-interface", 'Cannot announce: unknown interface "x"');
 * assert.equal(refusal.reason, "unknown-interface");
 * assert.match(refusal.message, /^Cannot announce: /);
 * ```
 */
export class Refusal extends Error {
  /**
   * @param reason The error message's reason.
   * @param detail "Cannot <action>: <why>".
   */
  constructor(readonly reason: ErrorReason, detail: string) {
    super(detail);
  }
}
