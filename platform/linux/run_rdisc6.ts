/**
 * Runs rdisc6 so that its answers can be read as they come. rdisc6 (ndisc6
 * 1.0.5) prints with stdio and never flushes (its binary imports neither
 * fflush nor setvbuf), so into a pipe its output only comes when it exits,
 * after its full wait even when every router answered within milliseconds.
 * `stdbuf -oL` (coreutils) makes its stdout line-buffered: each line comes
 * as it is printed. No pseudo-terminal is needed. Where stdbuf cannot act
 * the output comes at exit as before, and nothing is lost: stdbuf is not
 * installed (rdisc6 runs alone); or a user other than root runs a
 * set-user-ID rdisc6, for which the loader ignores stdbuf's LD_PRELOAD.
 *
 * @module
 */

import { streamTool, type StreamToolOutput } from "./stream_tool.ts";

/** Whether stdbuf was found missing or failing, so rdisc6 runs alone. */
let withoutStdbuf = false;

/** Options for {@linkcode runRdisc6}. */
export interface RunRdisc6Options {
  /** Stops rdisc6 and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called with the output so far after each chunk; true stops rdisc6 (SIGTERM). */
  readonly enough?: (text: string) => boolean;
}

/**
 * Runs rdisc6 under `stdbuf -oL`, or alone when stdbuf is missing or fails
 * (exit 125); when stdbuf cannot start rdisc6 (exit 126 or 127) rdisc6 is
 * run alone, which reports why. Exit code 2 (no router answered) is no failure.
 *
 * @example Solicit the routers of a link, stopping at the first answer (sketch)
 * ```ts ignore
 * import { runRdisc6 } from "./run_rdisc6.ts";
 * const { text } = await runRdisc6(["rdisc6", "-n", "-m", "-r", "1", "-w", "1000", "eth0"], {
 *   enough: (text) => text.includes(" from "),
 * });
 * ```
 * @param argv rdisc6 and its arguments.
 * @param options Signal and when to stop.
 * @returns Its standard output, whether it was stopped, and its exit code.
 * @throws {Deno.errors.NotFound} When rdisc6 is not installed.
 * @throws {Error} When it exits with a code other than 0 or 2.
 */
export async function runRdisc6(
  argv: readonly string[],
  options: RunRdisc6Options = {},
): Promise<StreamToolOutput> {
  if (!withoutStdbuf) {
    try {
      const out = await streamTool(["stdbuf", "-oL", ...argv], {
        ...options,
        okCodes: [2, 125, 126, 127],
      });
      if (out.stopped || out.code < 125) return out;
      if (out.code === 125) withoutStdbuf = true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || options.signal?.aborted) throw error;
      withoutStdbuf = true;
    }
  }
  return await streamTool(argv, { ...options, okCodes: [2] });
}
