/**
 * Per-PD connectivity checks: an HTTP probe through every PD at once, like
 * Android's network validation and NetworkManager's connectivity check.
 * The probe expects 204 No Content; a redirect or a 200 with a body means
 * a captive portal. Results are kept per PD for the race's "validated"
 * selector (connect/validation.ts) until their TTL passes or the PD's
 * addresses change.
 *
 * @module
 */

import { type Mif, openMif } from "../broker/mif.ts";
import type { PdStatus } from "../broker/status.ts";
import { ConnectFailedError } from "../connect/timeline.ts";
import {
  type ConnectivityState,
  keepValidation,
  keptValidation,
  pdFingerprint,
} from "../connect/validation.ts";
import { MifFetchError } from "./fetch_error.ts";
import { fetch } from "./fetch.ts";
import { DEFAULT_CHECK_URL } from "./check_url.ts";

/** Options of {@linkcode checkConnectivity}. */
export interface ConnectivityOptions {
  /** The MIF API to check through; without it one is opened and closed. */
  readonly mif?: Mif;
  /** The probe URL (default: $MIF_CHECK_URL, else {@linkcode DEFAULT_CHECK_URL}). */
  readonly url?: string;
  /** Check only this PD. */
  readonly pd?: string;
  /** Milliseconds each probe may take, connection included (default 10000). */
  readonly timeout?: number;
  /** Milliseconds a result holds for the race (default 300000). */
  readonly ttl?: number;
  /** Probe even where a result still holds (default false: kept results are returned). */
  readonly fresh?: boolean;
  /** Certificates trusted besides the system's, for an https probe. */
  readonly caCerts?: readonly string[];
  /** Aborts every probe; checkConnectivity() then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What the check found on one PD. */
export interface PdConnectivity {
  /** The PD. */
  readonly pdId: string;
  /** What it found. */
  readonly state: ConnectivityState;
  /** Milliseconds the probe took (0 when kept). */
  readonly ms: number;
  /** Whether this is a kept result, not a new probe. */
  readonly kept: boolean;
  /** The probe's HTTP status, when one came. */
  readonly status?: number;
  /** For a captive portal: where it sends the user (the redirect), or the probe URL itself. */
  readonly portalUrl?: string;
  /** Why it is not `full`. */
  readonly detail?: string;
}

function probeUrl(url: string | undefined): string {
  if (url !== undefined) return url;
  try {
    return Deno.env.get("MIF_CHECK_URL") || DEFAULT_CHECK_URL;
  } catch {
    return DEFAULT_CHECK_URL; // No permission to read the environment.
  }
}

/** Reads what a probe's response says. */
async function classify(response: Response, url: string) {
  const status = response.status;
  if (status >= 300 && status < 400 && response.headers.has("location")) {
    await response.body?.cancel();
    const portalUrl = new URL(response.headers.get("location")!, url).href;
    return { state: "captive-portal" as const, status, portalUrl };
  }
  const body = new Uint8Array(await response.arrayBuffer());
  if (status === 204 || (status === 200 && body.length === 0)) {
    return { state: "full" as const, status };
  }
  if (status === 200) return { state: "captive-portal" as const, status, portalUrl: url };
  return { state: "limited" as const, status, detail: `the probe answered ${status}` };
}

/** Why a probe failed: limited when some PD answered the name, none otherwise. */
function failed(error: unknown) {
  const cause = error instanceof MifFetchError ? error.cause : undefined;
  const translated = cause instanceof ConnectFailedError &&
    cause.resolutions.some((r) => r.outcome === "success" && r.answers.length > 0);
  const reason = error instanceof MifFetchError ? error.reason : "http";
  const state: ConnectivityState = reason === "name" || reason === "no-pd"
    ? (translated ? "limited" : "none")
    : "limited";
  return { state, detail: (error as Error).message };
}

/** Probes one PD. */
async function probe(
  mif: Mif,
  pdId: string,
  url: string,
  options: ConnectivityOptions,
): Promise<Omit<PdConnectivity, "pdId" | "kept" | "ms">> {
  const timeout = options.timeout ?? 10_000;
  const signals = [AbortSignal.timeout(timeout), ...(options.signal ? [options.signal] : [])];
  try {
    const response = await fetch(url, {
      mif,
      pd: pdId,
      redirect: "manual",
      connectTimeout: timeout,
      idleTimeout: 1000,
      caCerts: options.caCerts,
      signal: AbortSignal.any(signals),
      headers: { "cache-control": "no-cache" },
    });
    return await classify(response, url);
  } catch (error) {
    options.signal?.throwIfAborted();
    if (error instanceof DOMException && error.name === "TimeoutError") {
      return { state: "limited", detail: `the probe took over ${timeout} ms` };
    }
    return failed(error);
  }
}

/** The PDs to check: every PD of a non-loopback interface, or the one asked for. */
function pdsToCheck(mif: Mif, pd: string | undefined): PdStatus[] {
  const { interfaces } = mif.status();
  if (pd === undefined) {
    return interfaces.filter((n) => n.interfaceType !== "loopback").flatMap((n) => n.pds);
  }
  const found = interfaces.flatMap((n) => n.pds).filter((p) => p.pdId === pd);
  if (found.length === 0) throw new RangeError(`Cannot check connectivity: no PD "${pd}" here`);
  return found;
}

/**
 * Checks every PD's connectivity at once with an HTTP probe through that
 * PD alone, and keeps each result for the race's "validated" selector.
 *
 * @example Check, then race only over validated PDs
 * ```ts ignore
 * import { checkConnectivity, connect, openMif } from "@mif/mif";
 * await using mif = await openMif();
 * for (const r of await checkConnectivity({ mif })) console.log(r.pdId, r.state, r.portalUrl ?? "");
 * const { connection } = await connect("www.example", 443, { mif, prefer: ["validated"] });
 * ```
 * @param options The probe URL, one PD, timeouts, signal.
 * @returns One result per PD, in announcement order.
 * @throws {RangeError} For a pd that is not there.
 */
export async function checkConnectivity(
  options: ConnectivityOptions = {},
): Promise<PdConnectivity[]> {
  options.signal?.throwIfAborted();
  for (const name of ["timeout", "ttl"] as const) {
    const ms = options[name];
    if (ms !== undefined && (typeof ms !== "number" || !(ms > 0) || ms > 0x7fffffff)) {
      throw new RangeError(`Cannot check connectivity: ${name} must be a positive number of ms`);
    }
  }
  const url = probeUrl(options.url);
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`Cannot check connectivity: the probe ${url} is not http: or https:`);
  }
  const mif = options.mif ?? await openMif({ signal: options.signal });
  try {
    const pds = pdsToCheck(mif, options.pd);
    return await Promise.all(pds.map(async (pd) => {
      const fingerprint = pdFingerprint(pd.addresses.map((a) => a.address));
      const kept = options.fresh ? undefined : keptValidation(mif, pd.pdId, fingerprint);
      if (kept) return { pdId: pd.pdId, state: kept, ms: 0, kept: true };
      const start = performance.now();
      const found = await probe(mif, pd.pdId, url, options);
      keepValidation(mif, pd.pdId, found.state, fingerprint, options.ttl ?? 300_000);
      return { pdId: pd.pdId, ...found, ms: performance.now() - start, kept: false };
    }));
  } finally {
    if (!options.mif) await mif.close();
  }
}
