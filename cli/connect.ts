/**
 * `mif connect HOST PORT`: races every eligible PD (§3.3.2), prints the
 * winner and the race's timeline (or one JSON object), closes the
 * connection; on a terminal, a progress line while the race runs. A
 * failure is connect()'s own reason code and message.
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";
import { connect as connectTo } from "../connect/happy_eyeballs.ts";
import { ConnectFailedError } from "../connect/timeline.ts";
import { CONNECT_FAILED_REASONS } from "../connect/failure.ts";
import { type Invocation, UsageError } from "./args.ts";
import { type ConnectReportReason, exitStatus } from "./exit.ts";
import { observeMif } from "./observe.ts";
import { ProgressLine, RaceTracker } from "./progress.ts";
import { print } from "./run.ts";
import { formatRace, type RaceReport } from "./timeline_text.ts";
import { withMif } from "./with_mif.ts";

/**
 * `mif connect --json`'s object: always every key; `reason` and `error`
 * are null when connected, `winner` null when not.
 */
export interface ConnectReport {
  /** Whether an attempt connected. */
  readonly connected: boolean;
  /** Why not, as a code (ConnectFailedError.reason, or the CLI's own); null when connected. */
  readonly reason: ConnectReportReason | null;
  /** Why not, in one line (ConnectFailedError's message); null when connected. */
  readonly error: string | null;
  /** The attempt that connected, or null. */
  readonly winner: NonNullable<RaceReport["winner"]> | null;
  /** Every attempt, in start order. */
  readonly attempts: RaceReport["attempts"];
  /** Every PD's translation. */
  readonly resolutions: RaceReport["resolutions"];
}

/**
 * The JSON object of a connect that failed before or without a race.
 *
 * @example A usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedReport } from "./connect.ts";
 * assert.deepEqual(failedReport("usage", "connect: missing PORT"), {
 *   connected: false, reason: "usage", error: "connect: missing PORT",
 *   winner: null, attempts: [], resolutions: [],
 * });
 * ```
 * @param reason Why.
 * @param error The message.
 * @returns The object.
 */
export function failedReport(reason: ConnectReportReason, error: string): ConnectReport {
  return { connected: false, reason, error, winner: null, attempts: [], resolutions: [] };
}

/** Runs connect() with the command line's options, a progress line on a terminal. */
async function race(invocation: Invocation, mif: Mif, signal: AbortSignal): Promise<ConnectReport> {
  const host = invocation.host!, port = invocation.port!;
  const tracker = new RaceTracker(`connecting to ${host} port ${port}`);
  using progress = new ProgressLine((elapsed) => tracker.describe(elapsed), {
    enabled: !invocation.json && Deno.stderr.isTerminal(),
  });
  const observed = observeMif(mif, {
    posted: (m) => (tracker.posted(m), progress.draw()),
    received: (m) => (tracker.received(m), progress.draw()),
  });
  try {
    const { connection, winner, attempts, resolutions } = await connectTo(host, port, {
      mif: observed,
      signal,
      ...(invocation.pds === undefined ? {} : { require: invocation.pds }),
      ...(invocation.from === undefined ? {} : { source: invocation.from }),
      ...(invocation.prefer === undefined ? {} : { prefer: invocation.prefer }),
      ...(invocation.avoid === undefined ? {} : { avoid: invocation.avoid }),
      ...(invocation.prohibit === undefined ? {} : { prohibit: invocation.prohibit }),
      parallelInterfaces: invocation.parallelInterfaces ?? true,
      // Split DNS: with --pd the PDs named are the ones to ask, whatever their domains.
      leak: invocation.leak ?? (invocation.pds === undefined ? "never" : "fallback"),
    });
    await connection.close();
    return { connected: true, reason: null, error: null, winner, attempts, resolutions };
  } catch (error) {
    if (error instanceof ConnectFailedError) {
      const { reason, message, attempts, resolutions } = error;
      return { connected: false, reason, error: message, winner: null, attempts, resolutions };
    }
    // connect()'s own check of its options (the command line's were checked before).
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

/** Prints the report (the timeline when a race ran), the error on stderr; the exit status. */
async function show(invocation: Invocation, report: ConnectReport): Promise<number> {
  const raced = report.reason === null ||
    (CONNECT_FAILED_REASONS as readonly string[]).includes(report.reason);
  if (invocation.json) await print(JSON.stringify(report, null, 2));
  else if (raced) {
    await print(
      formatRace({
        ...(report.winner ? { winner: report.winner } : {}),
        attempts: report.attempts,
        resolutions: report.resolutions,
        ...(report.error === null ? {} : { error: report.error }),
      }).join("\n"),
    );
  }
  if (report.error !== null) console.error(`mif: ${report.error}`);
  return exitStatus(report.reason);
}

/**
 * Runs `mif connect`.
 *
 * @example A policy naming nothing on this host is a usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation, UsageError } from "./args.ts";
 * import { connect } from "./connect.ts";
 * const line = ["connect", "www.example", "80", "--platform", "sim", "--prohibit", "cellullar"];
 * await assert.rejects(connect(parseInvocation(line)), UsageError);
 * ```
 * @param invocation The command line (command "connect").
 * @returns 0 connected; 3 no PD translated HOST; 1 not connected, timed out,
 *   interrupted, or the platform could not be opened.
 * @throws {UsageError} For --pd, --prefer, --avoid, --prohibit or --from naming nothing of the host.
 */
export function connect(invocation: Invocation): Promise<number> {
  const interrupted = `Cannot connect to ${invocation.host} port ${invocation.port}: interrupted`;
  return withMif(invocation, {
    prepare: () => Promise.resolve(),
    run: (mif, _inputs, signal) => race(invocation, mif, signal),
    interrupted: failedReport("interrupted", interrupted),
    platformFailed: (detail) => failedReport("platform-failed", detail),
    show: (report) => show(invocation, report),
  });
}
