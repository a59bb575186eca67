/**
 * What `mif fetch` says, as pure functions: the `--json` report, the
 * stderr line of each hop (each request of a redirect chain) with its TLS
 * version and ALPN, the `-i` head, and the reason code of a failure.
 *
 * @module
 */

import type { SocketAddress } from "../broker/connection.ts";
import { ConnectFailedError } from "../connect/timeline.ts";
import { MifFetchError } from "../fetch/fetch_error.ts";
import type { FetchHop } from "../fetch/fetch_options.ts";
import type { TlsHello } from "../fetch/tls_hello.ts";
import type { FetchReportReason } from "./exit.ts";
import { formatRace, type RaceReport } from "./timeline_text.ts";

/** The race of a fetch that failed while connecting: every attempt and translation. */
export type FailedRace = Pick<RaceReport, "attempts" | "resolutions">;

/**
 * `mif fetch --json`'s object: always every key. `reason` and `error` are
 * null when it succeeded; `status`, `statusText` and `headers` null when no
 * response came; `body` null when none was read; `race` the failed race
 * when the fetch failed connecting, else null (each hop carries its own).
 */
export interface FetchReport {
  /** Whether a response came and its body was read (and, with --fail, its status < 400). */
  readonly ok: boolean;
  /** Why not, as a code; null when ok. */
  readonly reason: FetchReportReason | null;
  /** Why not, in one line; null when ok. */
  readonly error: string | null;
  /** The URL asked for. */
  readonly url: string;
  /** The final response's URL (after redirects), or null. */
  readonly finalUrl: string | null;
  /** The final response's status, or null. */
  readonly status: number | null;
  /** Its status text, or null. */
  readonly statusText: string | null;
  /** Its headers, names in lower case (repeated ones joined by ", "), or null. */
  readonly headers: Readonly<Record<string, string>> | null;
  /** Every request sent, in order. */
  readonly hops: readonly FetchHop[];
  /** The body: how many bytes, and the file they were saved to (-o) or null. */
  readonly body: { readonly bytes: number; readonly savedTo: string | null } | null;
  /** The race of a fetch that failed connecting, or null. */
  readonly race: FailedRace | null;
}

/**
 * The report of a fetch that failed before any response.
 *
 * @example A usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedFetchReport } from "./fetch_report.ts";
 * const report = failedFetchReport("http://a.example/", "usage", "-X must be an HTTP method");
 * assert.equal(report.ok, false);
 * assert.equal(report.reason, "usage");
 * assert.deepEqual([report.status, report.hops, report.body, report.race], [null, [], null, null]);
 * ```
 * @param url The URL asked for.
 * @param reason Why.
 * @param error The message.
 * @param hops The hops made before, if any.
 * @param race The failed race, if any.
 * @returns The report.
 */
export function failedFetchReport(
  url: string,
  reason: FetchReportReason,
  error: string,
  hops: readonly FetchHop[] = [],
  race: FailedRace | null = null,
): FetchReport {
  return {
    ok: false,
    reason,
    error,
    url,
    finalUrl: null,
    status: null,
    statusText: null,
    headers: null,
    hops,
    body: null,
    race,
  };
}

/**
 * A failure of fetch() (or of reading its body) as the report's reason,
 * message and failed race: a MifFetchError's reason (the race from its
 * ConnectFailedError cause); anything else is an HTTP failure.
 *
 * @example A TLS failure, and a race where nothing connected
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectFailedError } from "../connect/timeline.ts";
 * import { MifFetchError } from "../fetch/fetch_error.ts";
 * import { describeFailure } from "./fetch_report.ts";
 * const tls = new MifFetchError("tls", "Cannot fetch https://a.example/: invalid peer certificate");
 * assert.deepEqual(describeFailure(tls), { reason: "tls", error: tls.message, race: null });
 * const race = new ConnectFailedError("Cannot connect to a.example port 443: every attempt failed", [], []);
 * const connect = new MifFetchError("connect", "Cannot fetch https://a.example/: …", { cause: race });
 * assert.deepEqual(describeFailure(connect).race, { attempts: [], resolutions: [] });
 * ```
 * @param error What fetch() or the body's stream threw.
 * @returns The reason, the message and the race (or null).
 */
export function describeFailure(
  error: unknown,
): { reason: FetchReportReason; error: string; race: FailedRace | null } {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof MifFetchError)) return { reason: "http", error: message, race: null };
  const cause = error.cause;
  const race = cause instanceof ConnectFailedError
    ? { attempts: cause.attempts, resolutions: cause.resolutions }
    : null;
  return { reason: error.reason, error: message, race };
}

/** An address and port, an IPv6 literal in brackets. */
function endpoint({ address, port }: SocketAddress): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The TLS version and what the ServerHello said of ALPN.
 *
 * @example TLS 1.2 with h2, and TLS 1.3 (ALPN encrypted)
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTls } from "./fetch_report.ts";
 * assert.equal(formatTls({ version: "TLSv1.2", alpnProtocol: "h2" }), "TLSv1.2, ALPN h2");
 * assert.equal(formatTls({ version: "TLSv1.2", alpnProtocol: null }), "TLSv1.2, no ALPN");
 * assert.equal(formatTls({ version: "TLSv1.3" }), "TLSv1.3, ALPN not visible");
 * ```
 * @param tls The hop's TLS hello.
 * @returns A few words.
 */
export function formatTls(tls: TlsHello): string {
  const alpn = tls.alpnProtocol === undefined
    ? "ALPN not visible"
    : tls.alpnProtocol === null
    ? "no ALPN"
    : `ALPN ${tls.alpnProtocol}`;
  return `${tls.version}, ${alpn}`;
}

/**
 * One hop in one line: method, URL, status (or "failed"), time, the PD
 * and addresses, whether the connection was new or reused, and TLS.
 *
 * @example A redirect over a new connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatHop } from "./fetch_report.ts";
 * assert.equal(
 *   formatHop({ url: "https://a.example/old", method: "GET", status: 301, pdId: "eth0/ipv4",
 *     localAddress: { address: "127.0.0.2", port: 40000 },
 *     remoteAddress: { address: "127.0.0.42", port: 443 }, reused: false,
 *     tls: { version: "TLSv1.3" }, ms: 41.25 }),
 *   "GET https://a.example/old → 301 in 41.3 ms through eth0/ipv4 from 127.0.0.2:40000 " +
 *     "to 127.0.0.42:443 (new connection; TLSv1.3, ALPN not visible)",
 * );
 * ```
 * @param hop The hop.
 * @returns One line.
 */
export function formatHop(hop: FetchHop): string {
  const outcome = hop.status === undefined ? "failed" : String(hop.status);
  const through = hop.pdId === undefined ? "" : ` through ${hop.pdId}`;
  const from = hop.localAddress === undefined ? "" : ` from ${endpoint(hop.localAddress)}`;
  const to = hop.remoteAddress === undefined ? "" : ` to ${endpoint(hop.remoteAddress)}`;
  const connection = hop.reused ? "reused connection" : "new connection";
  const tls = hop.tls === undefined ? "" : `; ${formatTls(hop.tls)}`;
  return `${hop.method} ${hop.url} → ${outcome} in ${
    hop.ms.toFixed(1)
  } ms${through}${from}${to} (${connection}${tls})`;
}

/**
 * A hop's stderr lines: the race that made its connection, as `mif
 * connect` prints it, when it raced; then {@linkcode formatHop}'s line.
 *
 * @example A hop on a reused connection has no race
 * ```ts
 * import assert from "node:assert/strict";
 * import { hopLines } from "./fetch_report.ts";
 * const lines = hopLines({ url: "http://a.example/", method: "GET", status: 200, reused: true, ms: 2 });
 * assert.deepEqual(lines, ["GET http://a.example/ → 200 in 2.0 ms (reused connection)"]);
 * ```
 * @param hop The hop.
 * @returns Lines without newlines.
 */
export function hopLines(hop: FetchHop): string[] {
  return [...(hop.race === undefined ? [] : formatRace(hop.race)), formatHop(hop)];
}

/**
 * The lines of a failed race (`mif connect`'s header and timeline), with the error.
 *
 * @example Nothing raced
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedRaceLines } from "./fetch_report.ts";
 * assert.deepEqual(failedRaceLines({ attempts: [], resolutions: [] }, "Cannot fetch: no PD"), [
 *   "not connected after 0.0 ms: Cannot fetch: no PD",
 *   "no name translation and no attempt took place",
 * ]);
 * ```
 * @param race The failed race.
 * @param error The message.
 * @returns Lines without newlines.
 */
export function failedRaceLines(race: FailedRace, error: string): string[] {
  return formatRace({ ...race, error });
}

/**
 * The `-i` head: a status line, then each header, then an empty line. The
 * HTTP version is the one ALPN chose ("HTTP/2", "HTTP/1.1"), HTTP/1.1 for
 * plain http, and plain "HTTP" when TLS 1.3 hid ALPN.
 *
 * @example An HTTP/1.1 answer
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatHead } from "./fetch_report.ts";
 * const response = new Response("hi", { status: 404, statusText: "Not Found",
 *   headers: { "content-type": "text/plain" } });
 * assert.equal(
 *   formatHead(response, { url: "http://a.example/", method: "GET", reused: false, ms: 1 }),
 *   "HTTP/1.1 404 Not Found\ncontent-type: text/plain\n\n",
 * );
 * ```
 * @param response The final response.
 * @param hop The hop that answered it, if known.
 * @returns The text, ending in an empty line.
 */
export function formatHead(response: Response, hop: FetchHop | undefined): string {
  const alpn = hop?.tls?.alpnProtocol;
  const version = alpn === "h2"
    ? "HTTP/2"
    : alpn === "http/1.1" || hop?.url.startsWith("http:")
    ? "HTTP/1.1"
    : "HTTP";
  const status = `${version} ${response.status}${
    response.statusText ? ` ${response.statusText}` : ""
  }`;
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`);
  return [status, ...headers, "", ""].join("\n");
}

/**
 * The report of a response: ok unless `failure` says why not.
 *
 * @example A saved body
 * ```ts
 * import assert from "node:assert/strict";
 * import { responseReport } from "./fetch_report.ts";
 * const response = new Response("hi", { headers: { "x-a": "1" } });
 * const report = responseReport("http://a.example/", response, [], { bytes: 2, savedTo: "a.txt" });
 * assert.deepEqual([report.ok, report.status, report.headers, report.body],
 *   [true, 200, { "content-type": "text/plain;charset=UTF-8", "x-a": "1" }, { bytes: 2, savedTo: "a.txt" }]);
 * ```
 * @param url The URL asked for.
 * @param response The final response.
 * @param hops Every hop.
 * @param body The body read, or null.
 * @param failure Why it still failed (--fail, or reading the body), if it did.
 * @returns The report.
 */
export function responseReport(
  url: string,
  response: Response,
  hops: readonly FetchHop[],
  body: FetchReport["body"],
  failure?: { reason: FetchReportReason; error: string },
): FetchReport {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
  }
  return {
    ok: failure === undefined,
    reason: failure?.reason ?? null,
    error: failure?.error ?? null,
    url,
    finalUrl: response.url || null,
    status: response.status,
    statusText: response.statusText,
    headers,
    hops,
    body,
    race: null,
  };
}
