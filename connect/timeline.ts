/**
 * The record of a race that connect() returns and its error carries: every
 * name translation and every connection attempt, with times in
 * milliseconds since connect() was called.
 *
 * @module
 */

import type { ConnectFailure, TranslationFailure } from "../protocol/types.ts";
import type { Family } from "../ip/ip.ts";
import type { ConnectFailedReason } from "./failure.ts";

/**
 * How an attempt ended: "connected" for the winner, "closed" for one that
 * connected after the race was decided (closed at once), "cancelled" for
 * one still waiting when the race was decided, else why it failed.
 */
export type AttemptOutcome = "connected" | "closed" | ConnectFailure;

/** One connection attempt of a race. */
export interface AttemptRecord {
  /** The provisioning domain. */
  readonly pdId: string;
  /** Its interface. */
  readonly interfaceId: string;
  /** The source address: the one used, or the PD's best for the destination. */
  readonly source: string;
  /** The destination address. */
  readonly address: string;
  /** The destination port. */
  readonly port: number;
  /** When it started. */
  readonly start: number;
  /** When it ended; undefined while it runs. */
  readonly end?: number;
  /** How it ended; undefined while it runs. */
  readonly outcome?: AttemptOutcome;
  /** The failure's detail, if any. */
  readonly detail?: string;
}

/**
 * How a PD's part in a race's name translation ended without it being
 * asked: `not-asked`, split DNS routed the name to other PDs
 * (connect/split_dns.ts; the record's detail says which).
 */
export const RESOLUTION_SKIPS = ["not-asked"] as const;

/** How a translation of a race ended: "success", a failure or one of {@linkcode RESOLUTION_SKIPS}. */
export type ResolutionOutcome = "success" | TranslationFailure | typeof RESOLUTION_SKIPS[number];

/** One name translation of a race: one per eligible PD. */
export interface ResolutionRecord {
  /** The provisioning domain. */
  readonly pdId: string;
  /** Its interface. */
  readonly interfaceId: string;
  /** The PD's family: it is asked for addresses of that family only. */
  readonly family: Family;
  /** The addresses, each with when it arrived. */
  readonly answers: readonly { readonly address: string; readonly at: number }[];
  /** When it was asked, when not at once (split DNS's fallback); absent: at 0. */
  readonly start?: number;
  /** When it ended; undefined while it runs (or when the race ended first). */
  readonly end?: number;
  /** "success", why it failed, or "not-asked"; undefined while it runs. */
  readonly outcome?: ResolutionOutcome;
  /** Why it was not asked, or asked late ("printer.isp1.test is under isp1.test of eth0/ipv4"). */
  readonly detail?: string;
}

/**
 * Every connection attempt failed, or none could be made: names each
 * attempt's reason (and each PD's translation failure) in `errors`.
 *
 * @example Tell why a connect failed
 * ```ts ignore
 * try {
 *   await connect("www.example", 443, { mif });
 * } catch (error) {
 *   if (error instanceof ConnectFailedError) {
 *     for (const a of error.attempts) console.log(a.pdId, a.address, a.outcome);
 *   }
 * }
 * ```
 */
export class ConnectFailedError extends AggregateError {
  /** Every attempt, in the order they started. */
  readonly attempts: readonly AttemptRecord[];
  /** Every PD's name translation. */
  readonly resolutions: readonly ResolutionRecord[];
  /** Why, as a code to switch on: a {@linkcode ConnectFailedReason}. */
  readonly reason: ConnectFailedReason;

  /**
   * Makes the error.
   *
   * @param message "Cannot connect to <host> port <port>: <why>".
   * @param attempts The attempts.
   * @param resolutions The translations.
   * @param options The reason code ("not-connected" unless given) and the
   *   cause, if any (a Deno.errors.TimedOut when the race timed out).
   */
  constructor(
    message: string,
    attempts: readonly AttemptRecord[],
    resolutions: readonly ResolutionRecord[],
    options?: ErrorOptions & { reason?: ConnectFailedReason },
  ) {
    const errors = [
      ...resolutions.filter((r) => r.outcome !== "success").map((r) =>
        new Error(`Cannot resolve through ${r.pdId}: ${r.outcome ?? "unfinished"}`)
      ),
      ...attempts.map((a) =>
        new Error(
          `Cannot connect to ${a.address} through ${a.pdId}: ${a.outcome ?? "unfinished"}${
            a.detail ? ` (${a.detail})` : ""
          }`,
        )
      ),
    ];
    super(errors, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ConnectFailedError";
    this.attempts = attempts;
    this.resolutions = resolutions;
    this.reason = options?.reason ?? "not-connected";
  }
}
