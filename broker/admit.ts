/**
 * Admission of what a subscriber posts: a private copy, validated, or the
 * `error` message that answers it. Nothing a subscriber posts can throw
 * through here.
 *
 * @module
 */

import { describeError } from "../protocol/text.ts";
import type { ErrorMessage, SubscriberMessage } from "../protocol/types.ts";
import { validateSubscriberMessage } from "../protocol/validate.ts";

function peekType(raw: unknown): string | null {
  try {
    const type = (raw as { type?: unknown } | null)?.type;
    return typeof type === "string" ? type : null; // fanOut cleans it, as all text.
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
        detail: `Cannot accept message: it cannot be cloned (${
          describeError(error, { name: true })
        })`,
      },
    };
  }
  const v = validateSubscriberMessage(copy);
  if (v.ok) return { message: v.message };
  const { ok: _, ...rest } = v;
  return { refusal: { type: "error", reason: "invalid-message", ...rest } };
}
