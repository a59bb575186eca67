/**
 * What every `mif` command shares: writing lines, running until a
 * termination signal, and the options of openMif() from the command line
 * (with the files it names checked first).
 *
 * @module
 */

import type { MifOptions } from "../broker/mif.ts";
import { TERMINATION_SIGNALS } from "../platform/select.ts";
import { type Invocation, UsageError } from "./args.ts";

const encoder = new TextEncoder();

/**
 * Writes a line to stdout.
 *
 * @example A line
 * ```ts
 * import assert from "node:assert/strict";
 * import { print } from "./run.ts";
 * assert.equal(await print("mif 0.1.0"), undefined);
 * ```
 * @param line Text without the newline.
 * @throws {Deno.errors.BrokenPipe} Once the reader is gone.
 */
export async function print(line: string): Promise<void> {
  const bytes = encoder.encode(`${line}\n`);
  for (let done = 0; done < bytes.length;) done += await Deno.stdout.write(bytes.subarray(done));
}

/**
 * How a command ends when a termination signal stops it.
 *
 * @example resolve's
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Interrupted } from "./run.ts";
 * const interrupted: Interrupted = { status: 1, message: "Cannot resolve x.example: interrupted" };
 * assert.equal(interrupted.status, 1);
 * ```
 */
export interface Interrupted {
  /** The exit status. */
  readonly status: number;
  /** The line for stderr (after "mif: "), if any. */
  readonly message?: string;
}

/**
 * Runs `body` until it ends or a termination signal (SIGINT, SIGTERM)
 * arrives, which ends it as `interrupted` says; the reader of stdout going
 * away (`| head`) ends it with 0.
 *
 * @example A body that ends by itself
 * ```ts
 * import assert from "node:assert/strict";
 * import { untilSignal } from "./run.ts";
 * assert.equal(await untilSignal((signal) => Promise.resolve(signal.aborted ? 1 : 7)), 7);
 * ```
 * @param body The command, given a signal that aborts on SIGINT or SIGTERM.
 * @param interrupted The exit status (default 0) and message when a signal ended it.
 * @returns The exit status.
 */
export async function untilSignal(
  body: (signal: AbortSignal) => Promise<number>,
  interrupted: Interrupted = { status: 0 },
): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of TERMINATION_SIGNALS) Deno.addSignalListener(signal, onSignal);
  try {
    return await body(stop.signal);
  } catch (error) {
    if (stop.signal.aborted && error === stop.signal.reason) {
      if (interrupted.message !== undefined) console.error(`mif: ${interrupted.message}`);
      return interrupted.status;
    }
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    throw error;
  } finally {
    for (const signal of TERMINATION_SIGNALS) Deno.removeSignalListener(signal, onSignal);
  }
}

async function kind(path: string): Promise<"file" | "directory" | "other" | "missing"> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? "file" : info.isDirectory ? "directory" : "other";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
}

/**
 * openMif()'s options from the command line. A --resolv-conf that is no
 * file, a --lease-dir or --replay that is no directory, or a --record that
 * is something else than a directory, is a usage error: a typo would
 * otherwise only be a note in status (--record's directory is made).
 *
 * @example The sim platform, and a missing file
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation, UsageError } from "./args.ts";
 * import { mifOptions } from "./run.ts";
 * const sim = await mifOptions(parseInvocation(["status", "--platform", "sim"]));
 * assert.deepEqual(sim, { workerPermissions: "net", platform: "sim" });
 * await assert.rejects(
 *   mifOptions(parseInvocation(["status", "--resolv-conf", "/no/such/resolv.conf"])),
 *   new UsageError("--resolv-conf /no/such/resolv.conf: no such file"),
 * );
 * ```
 * @param invocation The command line.
 * @returns The options.
 * @throws {UsageError} For a missing file or directory.
 */
export async function mifOptions(invocation: Invocation): Promise<MifOptions> {
  if (invocation.resolvConf !== undefined) {
    const found = await kind(invocation.resolvConf);
    if (found !== "file") {
      throw new UsageError(
        `--resolv-conf ${invocation.resolvConf}: ${
          found === "missing" ? "no such file" : `not a file (a ${found})`
        }`,
      );
    }
  }
  const dirs = [
    ...(invocation.leaseDirs ?? []).map((dir) => ["lease-dir", dir, true] as const),
    ...(invocation.replay === undefined ? [] : [["replay", invocation.replay, true] as const]),
    ...(invocation.record === undefined ? [] : [["record", invocation.record, false] as const]),
  ];
  for (const [option, dir, mustExist] of dirs) {
    const found = await kind(dir);
    if (found === "directory" || (found === "missing" && !mustExist)) continue;
    throw new UsageError(
      `--${option} ${dir}: ${found === "missing" ? "no such directory" : `not a directory`}`,
    );
  }
  return {
    // The tasks and the compiled binary run with --unstable-worker-options.
    workerPermissions: "net",
    ...(invocation.platform === undefined ? {} : { platform: invocation.platform }),
    ...(invocation.scenario === undefined ? {} : { scenario: invocation.scenario }),
    ...(invocation.resolvConf === undefined ? {} : { resolvConf: invocation.resolvConf }),
    ...(invocation.leaseDirs === undefined ? {} : { leaseDirs: invocation.leaseDirs }),
    ...(invocation.replay === undefined ? {} : { replay: invocation.replay }),
    ...(invocation.record === undefined ? {} : { record: invocation.record }),
  };
}
