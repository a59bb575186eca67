/**
 * Tools' outputs kept in files: a runner that saves what each tool printed
 * ({@linkcode recordTools}, on a real host) and one that answers from those
 * files instead of running anything ({@linkcode replayTools}, anywhere).
 * That is how a Mac's network is read on Linux CI, and how a user's host
 * becomes a bug report that reproduces.
 *
 * One file per command line, named by {@linkcode captureFileName}: a
 * header of `#` lines (the command, when), a line `---8<--- capture`, then
 * the output byte for byte. A file without that line is all output, so a
 * directory of plain outputs replays too. The test fixtures in
 * tests/testdata/darwin/ use the same layout, with their provenance as the
 * header.
 *
 * @module
 */

import type { RunToolOptions, ToolRunner } from "./run_tool.ts";

/** The line between a capture's header and its output. */
export const CAPTURE_MARKER = "---8<--- capture\n";

/** The line between a recorded failure's header and its error message. */
const FAILURE_MARKER = "---8<--- failed\n";

/** What follows `marker` in `text` (at its start or a line's), or undefined. */
function after(text: string, marker: string): string | undefined {
  if (text.startsWith(marker)) return text.slice(marker.length);
  const at = text.indexOf(`\n${marker}`);
  return at < 0 ? undefined : text.slice(at + 1 + marker.length);
}

/**
 * The file a command line's output is kept in: its words joined by `_`,
 * anything but letters, digits, `.`, `-` and `_` replaced by `+`, then `.txt`.
 *
 * @example Two commands of the darwin platform
 * ```ts
 * import { captureFileName } from "./captured_tools.ts";
 * import assert from "node:assert/strict";
 * assert.equal(captureFileName(["ifconfig", "-a", "-v", "-L"]), "ifconfig_-a_-v_-L.txt");
 * assert.equal(captureFileName(["ipconfig", "getpacket", "en0"]), "ipconfig_getpacket_en0.txt");
 * ```
 * @param argv The program and its arguments.
 * @returns A file name.
 * @throws {TypeError} For an empty command line.
 */
export function captureFileName(argv: readonly string[]): string {
  if (argv.length === 0 || argv[0] === "") {
    throw new TypeError("Cannot name a capture: the command line is empty");
  }
  return `${argv.map((word) => word.replace(/[^A-Za-z0-9._-]/g, "+")).join("_")}.txt`;
}

/**
 * The output in a capture file's text: what follows its marker line, or the
 * whole text when it has none.
 *
 * @example A recorded file
 * ```ts
 * import { captureOutput } from "./captured_tools.ts";
 * import assert from "node:assert/strict";
 * assert.equal(captureOutput("# scutil --nwi\n---8<--- capture\nNetwork information\n"), "Network information\n");
 * assert.equal(captureOutput("Network information\n"), "Network information\n");
 * ```
 * @param text The file's text.
 * @returns The output.
 */
export function captureOutput(text: string): string {
  return after(text, CAPTURE_MARKER) ?? text;
}

/**
 * A runner that answers every command line from its file in `dir` and runs
 * nothing. A command without a file fails as a missing tool does
 * (NotFound); a recorded failure fails again with its recorded message.
 *
 * @example Replay a directory
 * ```ts
 * import { captureFileName, replayTools } from "./captured_tools.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/${captureFileName(["scutil", "--nwi"])}`, "Network information\n");
 * const run = replayTools(dir);
 * assert.equal(await run(["scutil", "--nwi"]), "Network information\n");
 * await assert.rejects(run(["ndp", "-n", "-r"]), Deno.errors.NotFound);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @param dir The directory of captures.
 * @returns The runner.
 */
export function replayTools(dir: string): ToolRunner {
  return async (argv: readonly string[], options: RunToolOptions = {}) => {
    options.signal?.throwIfAborted();
    const path = `${dir}/${captureFileName(argv)}`;
    let text: string;
    try {
      text = await Deno.readTextFile(path, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const what = error instanceof Deno.errors.NotFound
        ? "no capture of it"
        : "unreadable capture";
      const ErrorClass = error instanceof Deno.errors.NotFound ? Deno.errors.NotFound : Error;
      throw new ErrorClass(`Cannot run ${argv.join(" ")}: ${what} (${path})`, { cause: error });
    }
    const failure = after(text, FAILURE_MARKER);
    if (failure !== undefined) throw new Error(failure.trimEnd() || `Cannot run ${argv.join(" ")}`);
    return captureOutput(text);
  };
}

/**
 * A runner that runs each command with `run` and saves its output into
 * `dir` (created if missing) before returning it, with a header naming the
 * command and the time. A command that fails saves its error message, so
 * that no older output of it stays behind to replay, and fails as before
 * (an abort saves nothing). The files replay with {@linkcode replayTools}.
 *
 * @example Record one command's output
 * ```ts
 * import { recordTools, replayTools } from "./captured_tools.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const run = recordTools(() => Promise.resolve("Network information\n"), dir);
 * assert.equal(await run(["scutil", "--nwi"]), "Network information\n");
 * assert.equal(await replayTools(dir)(["scutil", "--nwi"]), "Network information\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @param run How commands are really run.
 * @param dir Where their outputs go.
 * @returns The recording runner.
 */
export function recordTools(run: ToolRunner, dir: string): ToolRunner {
  const save = async (argv: readonly string[], body: string) => {
    const header = `# ${argv.join(" ")}\n# recorded by mif at ${new Date().toISOString()}\n`;
    try {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(`${dir}/${captureFileName(argv)}`, header + body);
    } catch (error) {
      throw new Error(`Cannot record ${argv.join(" ")}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  return async (argv: readonly string[], options?: RunToolOptions) => {
    let output: string;
    try {
      output = await run(argv, options);
    } catch (error) {
      if (!options?.signal?.aborted) {
        await save(argv, `${FAILURE_MARKER}${(error as Error).message}\n`);
      }
      throw error;
    }
    await save(argv, CAPTURE_MARKER + output);
    return output;
  };
}
