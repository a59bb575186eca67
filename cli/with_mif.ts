/**
 * The frame of every command that opens a Mif (connect, fetch, check): the
 * command line's files read first, the Mif opened, the path options checked
 * against the host, the body run, the Mif closed; an interruption or a
 * platform that cannot be opened ends in the command's own report.
 *
 * @module
 */

import { type Mif, openMif } from "../broker/mif.ts";
import { describeError } from "../protocol/text.ts";
import type { Invocation } from "./args.ts";
import { checkPaths } from "./paths.ts";
import { mifOptions, untilSignal } from "./run.ts";

/** How a command that opens a Mif runs and reports. */
export interface MifCommand<R, I> {
  /** Reads what the command line names (files), before anything is asked. */
  readonly prepare: () => Promise<I>;
  /** The command's work on the open Mif; its report. */
  readonly run: (mif: Mif, inputs: I, signal: AbortSignal) => Promise<R>;
  /** The report when a termination signal ended the command. */
  readonly interrupted: R;
  /** The report when the platform could not be opened. */
  readonly platformFailed: (detail: string) => R;
  /** Prints a report; returns the exit status. */
  readonly show: (report: R) => Promise<number>;
}

/**
 * Runs a command that needs a Mif.
 *
 * @example A command on the simulated laptop
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation } from "./args.ts";
 * import { withMif } from "./with_mif.ts";
 * const status = await withMif(parseInvocation(["status", "--platform", "sim"]), {
 *   prepare: () => Promise.resolve(2),
 *   run: (mif, inputs) => Promise.resolve(`${mif.platform} ${inputs}`),
 *   interrupted: "interrupted",
 *   platformFailed: (detail) => detail,
 *   show: (report) => Promise.resolve(report === "sim 2" ? 0 : 1),
 * });
 * assert.equal(status, 0);
 * ```
 * @param invocation The command line.
 * @param command What to read, do and report.
 * @returns The exit status `show` gives.
 * @throws {UsageError} For a file or path option that names nothing.
 */
export function withMif<R, I>(invocation: Invocation, command: MifCommand<R, I>): Promise<number> {
  return untilSignal(async (signal) => {
    const options = await mifOptions(invocation);
    const inputs = await command.prepare();
    let mif: Mif;
    try {
      mif = await openMif({ ...options, signal });
    } catch (error) {
      const report = signal.aborted
        ? command.interrupted
        : command.platformFailed(describeError(error));
      return await command.show(report);
    }
    try {
      checkPaths(invocation, mif.status());
      return await command.show(await command.run(mif, inputs, signal));
    } catch (error) {
      if (!signal.aborted || error !== signal.reason) throw error;
      return await command.show(command.interrupted);
    } finally {
      await mif.close();
    }
  });
}
