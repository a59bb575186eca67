/**
 * Runs a host tool with an argument array (never a shell string) and
 * returns its standard output: how every platform asks the host (`ip` on
 * Linux; networksetup, ifconfig, scutil on macOS).
 *
 * @module
 */

/** Options for {@linkcode runTool}. */
export interface RunToolOptions {
  /** Kills the tool and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Exit codes that are not failures (default: only 0). */
  readonly okCodes?: readonly number[];
  /**
   * Exit codes that mean "nothing to say" when the tool printed nothing on
   * standard error: the output is then empty, not a failure (`ipconfig
   * getpacket` exits 1 silently for a link without a DHCP packet).
   */
  readonly silentCodes?: readonly number[];
}

/**
 * How a platform runs a tool: {@linkcode runTool}, or in tests a replay of
 * captured outputs keyed by the command line.
 */
export type ToolRunner = (argv: readonly string[], options?: RunToolOptions) => Promise<string>;

/**
 * Runs a tool.
 *
 * @example Run `ip -j link show`
 * ```ts ignore
 * import { runTool } from "./run_tool.ts";
 * const json = await runTool(["ip", "-j", "link", "show"]);
 * ```
 * @param argv The program and its arguments.
 * @param options Signal, accepted and silent exit codes.
 * @returns Standard output as text.
 * @throws {Deno.errors.NotFound} When the program is not installed.
 * @throws {Error} When it exits with another code; the message quotes its standard error.
 */
export async function runTool(
  argv: readonly string[],
  options: RunToolOptions = {},
): Promise<string> {
  const [program, ...args] = argv;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: options.signal,
    }).output();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot run ${program}: it is not installed`, {
        cause: error,
      });
    }
    throw new Error(`Cannot run ${program}: ${(error as Error).message}`, { cause: error });
  }
  if (options.signal?.aborted) throw options.signal.reason;
  if (output.code !== 0 && !(options.okCodes ?? []).includes(output.code)) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n")[0] ?? "";
    if (stderr === "" && (options.silentCodes ?? []).includes(output.code)) return "";
    throw new Error(
      `Cannot run ${argv.join(" ")}: exit code ${output.code}${stderr ? ` (${stderr})` : ""}`,
    );
  }
  return new TextDecoder().decode(output.stdout);
}
