/**
 * The one place where text from outside — names a subscriber posted, DNS
 * data, OS and library error messages, field names echoed back — is made
 * fit for a message: control characters escaped, length bounded, well-formed
 * UTF-16. Every message the API emits passes through
 * {@linkcode sanitizeApiMessage}, so none can fail validation for its text.
 *
 * @module
 */

import type { ApiMessage } from "./types.ts";

/**
 * The characters no message text may hold: C0 controls, DEL and C1 controls
 * (a terminal acts on ESC and CSI, and a log line ends at a newline).
 */
// deno-lint-ignore no-control-regex
export const CONTROL_CHARACTERS: RegExp = /[\u0000-\u001f\u007f-\u009f]/;
// deno-lint-ignore no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * The longest text each free-text field of an API message may hold; the
 * validators use the same limits.
 */
export const TEXT_LIMITS = { detail: 2048, messageType: 64, server: 256, name: 256 } as const;

/** The free-text fields of API messages. */
export type TextField = keyof typeof TEXT_LIMITS;

/**
 * The longest text each field of a `connected` message's `tls` object may
 * hold: what a peer's certificate says is outside text too.
 */
export const TLS_INFO_LIMITS = {
  version: 64,
  alpnProtocol: 255,
  subject: 256,
  subjectAltName: 2048,
  validTo: 64,
} as const;

const ELLIPSIS = "…";

function escapeControl(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Makes any string fit for a message: each control character becomes a
 * visible `\uXXXX` escape, lone surrogates become U+FFFD, and text longer
 * than `max` is cut to `max` characters ending in "…". Text that is already
 * fit comes back unchanged.
 *
 * @example Escape DEL and cut a long text
 * ```ts
 * import { cleanText } from "./text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(cleanText("a\u007f", 64), "a\\u007f");
 * assert.equal(cleanText("x".repeat(10), 5), "xxxx…");
 * ```
 * @param text Anything that should read as text.
 * @param max The most characters the result may have (at least 1).
 * @returns Text without control characters, at most `max` characters long.
 * @throws {RangeError} When max is not a positive integer.
 */
export function cleanText(text: string, max: number): string {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Cannot clean text: max must be a positive integer, got ${max}`);
  }
  // Every character yields at least one, so nothing past max can survive.
  let out = text.length > max ? text.slice(0, max + 1) : text;
  if (CONTROL_CHARACTERS.test(out)) out = out.replace(CONTROL_ALL, escapeControl);
  if (out.length > max) out = out.slice(0, max - 1) + ELLIPSIS;
  return out.isWellFormed() ? out : out.toWellFormed();
}

/**
 * Tells whether a string is fit for a message field of at most `max`
 * characters (see {@linkcode cleanText}).
 *
 * @example A newline does not fit a one-line field
 * ```ts
 * import { isCleanText } from "./text.ts";
 * import assert from "node:assert/strict";
 * assert(!isCleanText("a\nb", 64));
 * ```
 * @param text The string.
 * @param max The field's limit.
 */
export function isCleanText(text: string, max: number): boolean {
  return text.length <= max && !CONTROL_CHARACTERS.test(text) && text.isWellFormed();
}

/**
 * Returns the message with every free-text field (`detail`, `messageType`,
 * `server`, a `name-translation`'s `name`, and the text of a `connected` message's `tls`: the peer
 * certificate's names) made fit by {@linkcode cleanText}: the same object when nothing
 * needed cleaning, else a copy. An empty `messageType` becomes null (the
 * message had no usable type).
 *
 * @example Clean a detail that echoes a name with DEL in it
 * ```ts
 * import { sanitizeApiMessage } from "./text.ts";
 * import { validateApiMessage } from "./validate.ts";
 * import assert from "node:assert/strict";
 * const dirty = {
 *   type: "name-translation-done", translationId: "t1", pdId: "eth0/ipv4",
 *   reason: "invalid-name", detail: 'Cannot translate name: "a\u007f" is not a DNS name',
 * } as const;
 * assert(!validateApiMessage(dirty).ok);
 * assert(validateApiMessage(sanitizeApiMessage(dirty)).ok);
 * ```
 * @param message A message about to be emitted.
 * @returns A message whose text validates.
 */
export function sanitizeApiMessage<T extends ApiMessage>(message: T): T {
  const record = message as unknown as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const field of Object.keys(TEXT_LIMITS) as TextField[]) {
    const value = record[field];
    if (typeof value !== "string") continue;
    const max = TEXT_LIMITS[field];
    if (field === "messageType" && value === "") {
      (copy ??= { ...record })[field] = null;
    } else if (!isCleanText(value, max)) {
      (copy ??= { ...record })[field] = cleanText(value, max);
    }
  }
  const tls = record.tls;
  if (message.type === "connected" && typeof tls === "object" && tls !== null) {
    const info = tls as Record<string, unknown>;
    let cleaned: Record<string, unknown> | undefined;
    for (const [field, max] of Object.entries(TLS_INFO_LIMITS)) {
      const value = info[field];
      if (typeof value === "string" && !isCleanText(value, max)) {
        (cleaned ??= { ...info })[field] = cleanText(value, max);
      }
    }
    if (cleaned) (copy ??= { ...record }).tls = cleaned;
  }
  return (copy ?? message) as T;
}

/**
 * Describes anything thrown or emitted as an error, for a detail or a note;
 * never throws itself (a throwing getter or toString gives a placeholder).
 * The result is raw: it reaches a message only through the cleaning above.
 *
 * @example Describe a socket error, with and without its name
 * ```ts
 * import { describeError } from "./text.ts";
 * import assert from "node:assert/strict";
 * const error = new TypeError("bind EADDRNOTAVAIL 198.51.100.7");
 * assert.equal(describeError(error), "bind EADDRNOTAVAIL 198.51.100.7");
 * assert.equal(describeError(error, { name: true }), "TypeError: bind EADDRNOTAVAIL 198.51.100.7");
 * ```
 * @param error Anything thrown.
 * @param options name: prefix an Error's name ("TypeError: ...").
 * @returns Its message.
 */
export function describeError(error: unknown, options: { readonly name?: boolean } = {}): string {
  try {
    if (!(error instanceof Error)) return String(error);
    return options.name ? `${error.name}: ${error.message}` : String(error.message);
  } catch {
    return "an error that cannot be described";
  }
}
