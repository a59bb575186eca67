/**
 * The options of mif's fetch(): the web-standard RequestInit plus the path
 * options of connect() (which PDs may carry the request), TLS trust, HTTP
 * versions and keep-alive, and a per-hop report.
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";
import type { SocketAddress } from "../broker/connection.ts";
import type { ConnectOptions } from "../connect/connect_options.ts";
import type { AttemptRecord, ResolutionRecord } from "../connect/timeline.ts";
import type { TlsHello } from "./tls_hello.ts";

/** The connect() options that choose paths, as fetch() takes them. */
export type FetchPathOptions = Pick<
  ConnectOptions,
  | "require"
  | "prefer"
  | "avoid"
  | "prohibit"
  | "families"
  | "source"
  | "attemptDelay"
  | "parallelInterfaces"
  | "allowUnknownPaths"
  | "leak"
>;

/** Options of mif's {@linkcode fetch} besides RequestInit's. */
export interface FetchOptions extends FetchPathOptions {
  /**
   * The MIF API to use. With it, connections are kept alive per origin and
   * PD (and these options) for reuse until idle; without it, fetch() opens
   * one and closes it once the response body is read or cancelled.
   */
  readonly mif?: Mif;
  /** Exactly this PD (a PD id): the same as require: [pd]. */
  readonly pd?: string;
  /** Certificates (PEM) trusted besides the system's roots, as Deno.createHttpClient takes them. */
  readonly caCerts?: readonly string[];
  /** Offer HTTP/2 through ALPN (default true). */
  readonly http2?: boolean;
  /** Offer HTTP/1.1 (default true). */
  readonly http1?: boolean;
  /** Milliseconds for each connection race, resolution included (default 30000). */
  readonly connectTimeout?: number;
  /** Milliseconds an unused kept-alive connection stays open (default 30000). */
  readonly idleTimeout?: number;
  /** Called once per request sent (each redirect is a hop) when its answer or failure is known. */
  readonly onHop?: (hop: FetchHop) => void;
}

/** The RequestInit of mif's {@linkcode fetch}: the web's, with {@linkcode FetchOptions}. */
export type MifRequestInit = Omit<RequestInit, "client"> & FetchOptions;

/** What one request of a fetch() went over. */
export interface FetchHop {
  /** The URL requested. */
  readonly url: string;
  /** The method used. */
  readonly method: string;
  /** The status answered, or undefined when the request failed. */
  readonly status?: number;
  /** The PD whose connection carried it. */
  readonly pdId?: string;
  /** The connection's source address and port. */
  readonly localAddress?: SocketAddress;
  /** The server's address and port. */
  readonly remoteAddress?: SocketAddress;
  /** Whether a kept-alive route was reused (no race). */
  readonly reused: boolean;
  /** The race that made the route, when this hop raced. */
  readonly race?: {
    /** The winning attempt. */
    readonly winner: AttemptRecord;
    /** Every attempt. */
    readonly attempts: readonly AttemptRecord[];
    /** Every PD's name translation. */
    readonly resolutions: readonly ResolutionRecord[];
  };
  /** What the server's TLS hello said (https only; once seen). */
  readonly tls?: TlsHello;
  /** Milliseconds from the hop's start to its response headers (or failure). */
  readonly ms: number;
}

/** The option names of {@linkcode FetchOptions}: they are taken out before Request sees the rest. */
export const FETCH_OPTION_NAMES = [
  "mif",
  "pd",
  "require",
  "prefer",
  "avoid",
  "prohibit",
  "families",
  "source",
  "attemptDelay",
  "parallelInterfaces",
  "allowUnknownPaths",
  "leak",
  "caCerts",
  "http2",
  "http1",
  "connectTimeout",
  "idleTimeout",
  "onHop",
] as const satisfies readonly (keyof FetchOptions)[];

/** {@linkcode FetchOptions} checked, with defaults. */
export interface CheckedFetchOptions {
  /** The path options for connect(), pd folded into require. */
  readonly path: FetchPathOptions;
  /** Trusted extra CAs. */
  readonly caCerts: readonly string[];
  /** Whether HTTP/2 is offered. */
  readonly http2: boolean;
  /** Whether HTTP/1.1 is offered. */
  readonly http1: boolean;
  /** The race timeout. */
  readonly connectTimeout: number;
  /** The idle timeout of kept-alive routes. */
  readonly idleTimeout: number;
  /** The hop callback. */
  readonly onHop?: (hop: FetchHop) => void;
  /** Identifies routes these options may share: the same paths, trust and versions. */
  readonly key: string;
}

function milliseconds(name: string, value: unknown, fallback: number): number {
  const ms = value ?? fallback;
  if (typeof ms !== "number" || !(ms > 0) || ms > 0x7fffffff) {
    throw new RangeError(`Cannot fetch: ${name} must be a positive number of ms, not ${ms}`);
  }
  return ms;
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") throw new TypeError(`Cannot fetch: ${name} must be a boolean`);
  return value;
}

/**
 * Checks fetch()'s own options (connect() checks the path options when it
 * races) and folds `pd` into `require`.
 *
 * @example pd is require with one PD
 * ```ts
 * import { checkFetchOptions } from "./fetch_options.ts";
 * import assert from "node:assert/strict";
 * const checked = checkFetchOptions({ pd: "wlan0/ipv4", prohibit: ["vpn"] });
 * assert.deepEqual(checked.path.require, ["wlan0/ipv4"]);
 * assert.equal(checked.http2, true);
 * assert.throws(() => checkFetchOptions({ idleTimeout: 0 }), RangeError);
 * ```
 */
export function checkFetchOptions(options: FetchOptions): CheckedFetchOptions {
  if (options.pd !== undefined && (typeof options.pd !== "string" || options.pd === "")) {
    throw new TypeError("Cannot fetch: pd must be a PD id");
  }
  if (options.pd !== undefined && options.require !== undefined) {
    throw new TypeError("Cannot fetch: give pd or require, not both");
  }
  const caCerts = options.caCerts ?? [];
  if (!Array.isArray(caCerts) || !caCerts.every((c) => typeof c === "string")) {
    throw new TypeError("Cannot fetch: caCerts must be an array of PEM strings");
  }
  if (options.onHop !== undefined && typeof options.onHop !== "function") {
    throw new TypeError("Cannot fetch: onHop must be a function");
  }
  const http2 = flag("http2", options.http2);
  const http1 = flag("http1", options.http1);
  if (!http1 && !http2) throw new TypeError("Cannot fetch: http1 and http2 cannot both be false");
  const { require, prefer, avoid, prohibit, families, source } = options;
  const { attemptDelay, parallelInterfaces, allowUnknownPaths, leak } = options;
  const path: FetchPathOptions = {
    require: options.pd === undefined ? require : [options.pd],
    prefer,
    avoid,
    prohibit,
    families,
    source,
    attemptDelay,
    parallelInterfaces,
    allowUnknownPaths,
    leak,
  };
  return {
    path,
    caCerts,
    http2,
    http1,
    connectTimeout: milliseconds("connectTimeout", options.connectTimeout, 30_000),
    idleTimeout: milliseconds("idleTimeout", options.idleTimeout, 30_000),
    ...(options.onHop ? { onHop: options.onHop } : {}),
    key: JSON.stringify([path, caCerts, http2, http1]),
  };
}

/**
 * Splits a MifRequestInit into the RequestInit for Request and mif's own options.
 *
 * @example The path options are not passed to Request
 * ```ts
 * import { splitInit } from "./fetch_options.ts";
 * import assert from "node:assert/strict";
 * const { request, options } = splitInit({ method: "POST", avoid: ["cellular"] });
 * assert.deepEqual(request, { method: "POST" });
 * assert.deepEqual(options, { avoid: ["cellular"] });
 * ```
 */
export function splitInit(
  init: MifRequestInit = {},
): { request: RequestInit; options: FetchOptions } {
  if ("client" in init && init.client !== undefined) {
    throw new TypeError("Cannot fetch: mif chooses the HTTP client; client is not an option");
  }
  const request: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  const own = new Set<string>(FETCH_OPTION_NAMES);
  for (const [name, value] of Object.entries(init)) {
    (own.has(name) ? options : request)[name] = value;
  }
  return { request: request as RequestInit, options: options as FetchOptions };
}
