/**
 * Runs a host tool with an argument array (never a shell string), reading
 * its standard output as it comes, and stops it (SIGTERM) as soon as what
 * it printed is enough. The output only comes as it is printed when the
 * tool writes it that way: a C program writing to a pipe through stdio
 * (rdisc6) buffers it until it exits, unless run under `stdbuf -oL`.
 *
 * @module
 */

import type { RunToolOptions } from "../run_tool.ts";

/** Options for {@linkcode streamTool}. */
export interface StreamToolOptions extends RunToolOptions {
  /**
   * Called with all the standard output so far after each chunk; when it
   * returns true the tool is sent SIGTERM, its exit code is then no failure
   * (what it prints until it ends is still read).
   */
  readonly enough?: (text: string) => boolean;
}

/** What {@linkcode streamTool} read. */
export interface StreamToolOutput {
  /** Standard output, up to the end or to where the tool was stopped. */
  readonly text: string;
  /** Whether `enough` stopped the tool before it exited by itself. */
  readonly stopped: boolean;
  /** The exit code (128 + the signal's number when a signal ended it). */
  readonly code: number;
}

/**
 * Runs a tool, stopping it once its output is enough.
 *
 * @example Stop a tool at its first line
 * ```ts
 * import { streamTool } from "./stream_tool.ts";
 * import assert from "node:assert/strict";
 * const t0 = performance.now();
 * const { text, stopped } = await streamTool(
 *   ["sh", "-c", "echo first; exec sleep 10"],
 *   { enough: (text) => text.includes("\n") },
 * );
 * assert.equal(text, "first\n");
 * assert.ok(stopped);
 * assert.ok(performance.now() - t0 < 9000);
 * ```
 * @param argv The program and its arguments.
 * @param options Signal, accepted exit codes and when to stop.
 * @returns Standard output as text, and whether the tool was stopped.
 * @throws {Deno.errors.NotFound} When the program is not installed.
 * @throws {Error} When it exits by itself with another code; the message quotes its standard error.
 */
export async function streamTool(
  argv: readonly string[],
  options: StreamToolOptions = {},
): Promise<StreamToolOutput> {
  const { signal, enough } = options;
  const [program, ...args] = argv;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).spawn();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot run ${program}: it is not installed`, {
        cause: error,
      });
    }
    throw new Error(`Cannot run ${program}: ${(error as Error).message}`, { cause: error });
  }
  const stderr = new Response(child.stderr).text();
  let text = "";
  let stopped = false;
  let ended = false;
  const decoder = new TextDecoder();
  try {
    for await (const chunk of child.stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (!stopped && !ended && enough?.(text)) {
        try {
          child.kill("SIGTERM");
          stopped = true;
        } catch {
          ended = true; // It exited by itself meanwhile.
        }
      }
    }
  } catch (error) {
    // enough threw: the tool is not left running.
    try {
      child.kill("SIGTERM");
    } catch {
      // Already ended.
    }
    await Promise.allSettled([child.status, stderr]);
    throw error;
  }
  text += decoder.decode();
  const [status, errorText] = await Promise.all([child.status, stderr]);
  if (signal?.aborted) throw signal.reason;
  if (stopped || status.code === 0 || (options.okCodes ?? []).includes(status.code)) {
    return { text, stopped, code: status.code };
  }
  const first = errorText.trim().split("\n")[0] ?? "";
  throw new Error(
    `Cannot run ${argv.join(" ")}: exit code ${status.code}${first ? ` (${first})` : ""}`,
  );
}
