/**
 * The messages on a connection's own MessagePort, between the socket in a PD
 * worker and the Connection a subscriber holds (the token of §3.3.7.23).
 * Bytes travel as transferred ArrayBuffers, in batches of up to
 * {@linkcode READ_BATCH} and {@linkcode WRITE_BATCH}. Both directions are
 * credit-based, so neither side buffers more than a window: the worker
 * stops reading the socket when the subscriber has not taken
 * {@linkcode READ_WINDOW} bytes, and a writer waits while
 * {@linkcode WRITE_WINDOW} bytes are not yet handed to the kernel.
 *
 * @module
 */

import { cleanText, TEXT_LIMITS } from "../protocol/text.ts";

/** Bytes the worker may send before the subscriber's side grants more. */
export const READ_WINDOW = 4 * 1024 * 1024;
/** Bytes the subscriber's side may have in flight to the socket. */
export const WRITE_WINDOW = 4 * 1024 * 1024;
/**
 * The largest data or write message. Each message costs both threads a
 * wake-up, so bulk bytes travel in few large messages: with 256 KiB
 * messages the subscriber's thread spent ~80 µs per message and the
 * transfer ran at half the speed of a direct socket.
 */
export const READ_BATCH = READ_WINDOW / 4;
/** See {@linkcode READ_BATCH}. */
export const WRITE_BATCH = WRITE_WINDOW / 4;

/**
 * Why an open connection can end badly.
 *
 * @example A reset is a failure
 * ```ts
 * import { CONNECTION_FAILURES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(CONNECTION_FAILURES.includes("reset"));
 * ```
 */
export const CONNECTION_FAILURES = [
  "reset",
  "timeout",
  "unreachable",
  "pd-gone",
  "worker-crashed",
  "protocol-error",
] as const;

/**
 * Why an open connection ended badly: one of {@linkcode CONNECTION_FAILURES},
 * the reason of an `error` on the connection's port and of a
 * {@linkcode ConnectionError}. Not {@linkcode ConnectFailure}, why a
 * connection attempt never opened (a `not-connected` message), nor
 * {@linkcode ConnectFailedReason}, why a whole connect() race failed.
 */
export type ConnectionFailure = typeof CONNECTION_FAILURES[number];

/** Subscriber side → socket. */
export type ToSocket =
  | { readonly type: "write"; readonly chunk: ArrayBuffer }
  | { readonly type: "credit"; readonly bytes: number }
  | { readonly type: "end" }
  | { readonly type: "close" };

/** Socket → subscriber side. */
export type FromSocket =
  | { readonly type: "data"; readonly chunk: Uint8Array }
  | { readonly type: "written"; readonly bytes: number; readonly spare?: ArrayBuffer }
  | { readonly type: "end" }
  | { readonly type: "error"; readonly reason: ConnectionFailure; readonly detail: string }
  | { readonly type: "closed" };

const FAILURES = new Set<string>(CONNECTION_FAILURES);

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null ? v as Record<string, unknown> : undefined;
}

function byteCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0;
}

/**
 * Guards what the socket side receives.
 *
 * @example Accept a credit grant, refuse a negative one
 * ```ts
 * import { parseToSocket } from "./connection_wire.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseToSocket({ type: "credit", bytes: 4096 }), { type: "credit", bytes: 4096 });
 * assert.equal(
 *   parseToSocket({ type: "credit", bytes: -1 }),
 *   "Cannot accept credit: bytes must be a positive integer",
 * );
 * ```
 * @param data The event data.
 * @returns The message, or what is wrong with it.
 */
export function parseToSocket(data: unknown): ToSocket | string {
  const r = record(data);
  switch (r?.type) {
    case "write":
      return r.chunk instanceof ArrayBuffer
        ? { type: "write", chunk: r.chunk }
        : "Cannot accept write: chunk is not an ArrayBuffer";
    case "credit":
      return byteCount(r.bytes)
        ? { type: "credit", bytes: r.bytes }
        : "Cannot accept credit: bytes must be a positive integer";
    case "end":
    case "close":
      return { type: r.type };
    default:
      return "Cannot accept connection message: unknown type";
  }
}

/**
 * Guards what the subscriber side receives.
 *
 * @example Accept data, refuse an unknown failure
 * ```ts
 * import { parseFromSocket } from "./connection_wire.ts";
 * import assert from "node:assert/strict";
 * const chunk = new Uint8Array(2);
 * assert.deepEqual(parseFromSocket({ type: "data", chunk }), { type: "data", chunk });
 * assert.equal(
 *   parseFromSocket({ type: "error", reason: "boom", detail: "" }),
 *   "Cannot accept error: bad reason or detail",
 * );
 * ```
 * @param data The event data.
 * @returns The message, or what is wrong with it.
 */
export function parseFromSocket(data: unknown): FromSocket | string {
  const r = record(data);
  switch (r?.type) {
    case "data":
      return r.chunk instanceof Uint8Array && r.chunk.byteLength > 0
        ? { type: "data", chunk: r.chunk }
        : "Cannot accept data: chunk is not a non-empty Uint8Array";
    case "written":
      if (!byteCount(r.bytes)) return "Cannot accept written: bytes must be a positive integer";
      if (r.spare === undefined) return { type: "written", bytes: r.bytes };
      return r.spare instanceof ArrayBuffer
        ? { type: "written", bytes: r.bytes, spare: r.spare }
        : "Cannot accept written: spare is not an ArrayBuffer";
    case "error":
      return typeof r.reason === "string" && FAILURES.has(r.reason) &&
          typeof r.detail === "string"
        ? {
          type: "error",
          reason: r.reason as ConnectionFailure,
          detail: cleanText(r.detail, TEXT_LIMITS.detail),
        }
        : "Cannot accept error: bad reason or detail";
    case "end":
    case "closed":
      return { type: r.type };
    default:
      return "Cannot accept connection message: unknown type";
  }
}
