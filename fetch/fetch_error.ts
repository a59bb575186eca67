/**
 * Why mif's fetch() failed. A web fetch() rejects with a TypeError on a
 * network error; mif's does too, with a reason code saying which layer
 * failed: the name, the connection, TLS, HTTP or the redirect chain.
 *
 * @module
 */

import { ConnectFailedError } from "../connect/timeline.ts";

/**
 * Why a fetch() failed, as MifFetchError.reason says:
 *
 * - `no-pd`: no provisioning domain may carry the request;
 * - `name`: no PD translated the host name (or none could reach its addresses);
 * - `connect`: every connection attempt failed or timed out;
 * - `tls`: the TLS handshake or the certificate check failed;
 * - `http`: the connection was made but the HTTP exchange failed;
 * - `redirect`: too many redirects, a redirect to a URL fetch() cannot
 *   follow, or redirect: "error" met one.
 */
export const FETCH_FAILURE_REASONS = [
  "no-pd",
  "name",
  "connect",
  "tls",
  "http",
  "redirect",
] as const;

/** One of {@linkcode FETCH_FAILURE_REASONS}. */
export type FetchFailureReason = typeof FETCH_FAILURE_REASONS[number];

/**
 * The network error of mif's fetch(): a TypeError, as web fetch() throws,
 * that says which layer failed. The cause is the ConnectFailedError of the
 * race (with every attempt) or Deno's own error.
 *
 * @example Switch on the layer
 * ```ts
 * import { MifFetchError } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const error = new MifFetchError("tls", "Cannot fetch https://a.example/: invalid peer certificate: Expired");
 * assert.ok(error instanceof TypeError);
 * assert.equal(error.reason, "tls");
 * ```
 */
export class MifFetchError extends TypeError {
  /** Which layer failed. */
  readonly reason: FetchFailureReason;

  /**
   * Makes the error fetch() rejects with.
   *
   * @param reason Which layer failed.
   * @param message "Cannot fetch <url>: <why>".
   * @param options The cause.
   */
  constructor(reason: FetchFailureReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MifFetchError";
    this.reason = reason;
  }
}

/** The innermost message of an error chain: Deno puts the useful words in cause.message. */
function innermost(error: unknown): string {
  let message = String(error);
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth++) {
    message = e.message;
    e = e.cause;
  }
  return message;
}

/**
 * Turns what a hop failed with into a MifFetchError: the race's
 * ConnectFailedError by its reason, Deno's fetch error by its words.
 *
 * @example A certificate Deno refused
 * ```ts
 * import { fetchFailure } from "./fetch_error.ts";
 * import assert from "node:assert/strict";
 * const deno = new TypeError("fetch failed", {
 *   cause: new Error("client error (Connect): invalid peer certificate: UnknownIssuer"),
 * });
 * const error = fetchFailure("https://a.example/", deno);
 * assert.equal(error.reason, "tls");
 * assert.equal(error.message, "Cannot fetch https://a.example/: invalid peer certificate: UnknownIssuer");
 * // A word in the URL says nothing about the failure.
 * const url = "https://tls.example/alert";
 * const closed = new TypeError("fetch failed", {
 *   cause: new Error(`error sending request for url (${url}): connection closed before message completed`),
 * });
 * assert.equal(fetchFailure(url, closed).reason, "http");
 * ```
 */
export function fetchFailure(url: string, error: unknown): MifFetchError {
  if (error instanceof MifFetchError) return error;
  if (error instanceof ConnectFailedError) {
    const reason: FetchFailureReason = error.reason === "no-pd"
      ? "no-pd"
      : error.reason === "not-translated" || error.reason === "no-source"
      ? "name"
      : error.reason === "tls"
      ? "tls"
      : "connect";
    return new MifFetchError(reason, `Cannot fetch ${url}: ${error.message}`, { cause: error });
  }
  const words = innermost(error);
  const detail = words.replace(/^.*client error \([A-Za-z]+\): /, "");
  // Judge Deno's words without the URL, which may hold any word.
  const judged = detail.replace(/https?:\/\/\S+/g, "");
  const reason: FetchFailureReason = /\bsocks|\bproxy\b/i.test(judged)
    ? "connect" // mif's tunnel could not open another connection on the route.
    : /certificate|\btls\b|handshake|fatal alert/i.test(judged)
    ? "tls"
    : "http";
  return new MifFetchError(reason, `Cannot fetch ${url}: ${detail}`, { cause: error });
}
