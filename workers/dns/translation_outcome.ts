/**
 * How a translation ends, from the outcomes of its record types. Not in the
 * draft, which has no end message (§3.3.7.20); see NameTranslationDone.
 *
 * @module
 */

import type { TranslationFailure } from "../../protocol/types.ts";
import type { TypeOutcome } from "./resolve_type.ts";

/** The reason and detail of a translation's done event. */
export interface TranslationEnd {
  /** Absent when the translation succeeded (every address sent, possibly none). */
  readonly reason?: TranslationFailure;
  /** "Cannot translate name: ..." for a failure; a note for a success, when there is one. */
  readonly detail?: string;
}

/** Failures in the order they win: the most definite answer first. */
const PRIORITY = ["nxdomain", "servfail", "unreachable", "timeout"] as const;

/**
 * Combines the outcomes of the record types asked. Any address sent makes
 * it a success. Otherwise the most definite failure wins (NXDOMAIN, then a
 * server's failure, then unreachable servers, then silence); NODATA for
 * every type is a success with no address (RFC 2308 §2.2).
 *
 * @example NXDOMAIN wins over a timeout
 * ```ts
 * import { endTranslation } from "./translation_outcome.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(endTranslation([
 *   { kind: "timeout", detail: "A x.example: 127.0.0.12:53 did not answer" },
 *   { kind: "nxdomain", detail: "AAAA x.example: no such name" },
 * ], false, []), {
 *   reason: "nxdomain",
 *   detail: "Cannot translate name: AAAA x.example: no such name; " +
 *     "A x.example: 127.0.0.12:53 did not answer",
 * });
 * ```
 * @param outcomes One outcome per record type asked (none is "cancelled").
 * @param answered Whether any address was sent.
 * @param notes Sources skipped on the way (an unreadable host table).
 * @returns The done event's reason and detail.
 */
export function endTranslation(
  outcomes: readonly TypeOutcome[],
  answered: boolean,
  notes: readonly string[],
): TranslationEnd {
  const failures = outcomes.flatMap((o) => "detail" in o ? [o] : [])
    .sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  if (answered || failures.length === 0) {
    if (notes.length === 0) return {};
    const note = notes.join("; ");
    return { detail: note.charAt(0).toUpperCase() + note.slice(1) };
  }
  const detail = [...failures.map((f) => f.detail), ...notes].join("; ");
  return { reason: failures[0].kind, detail: `Cannot translate name: ${detail}` };
}
