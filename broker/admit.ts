/**
 * Admission of what a subscriber posts: a private copy, validated, or the
 * `error` message that answers it. Nothing a subscriber posts can throw
 * through here.
 *
 * @module
 */

import type { ErrorMessage, SubscriberMessage } from "../protocol/types.ts";
import { validateSubscriberMessage } from "../protocol/validate.ts";

/**
 * Describes a caught error for a message detail.
 *
 * @param error Anything thrown.
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function peekType(raw: unknown): string | null {
  try {
    const type = (raw as { type?: unknown } | null)?.type;
    return typeof type === "string" ? type.slice(0, 64) : null;
  } catch {
    return null; // A throwing getter or proxy trap: the message has no readable type.
  }
}

/**
 * Copies and validates a posted value.
 *
 * @param raw What the subscriber posted.
 * @returns The message, or the error message that answers it.
 */
export function admit(
  raw: unknown,
): { readonly message: SubscriberMessage } | { readonly refusal: ErrorMessage } {
  let copy: unknown;
  try {
    // structuredClone reads every own property once, so later changes by the
    // subscriber, getters and proxies cannot reach the broker.
    copy = structuredClone(raw);
  } catch (error) {
    return {
      refusal: {
        type: "error",
        reason: "invalid-message",
        messageType: peekType(raw),
        detail: `Cannot accept message: it cannot be cloned (${describeError(error)})`,
      },
    };
  }
  const v = validateSubscriberMessage(copy);
  if (v.ok) return { message: v.message };
  const { ok: _, ...rest } = v;
  return { refusal: { type: "error", reason: "invalid-message", ...rest } };
}
