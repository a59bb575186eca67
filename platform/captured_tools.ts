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
  if (text.startsWith(CAPTURE_MARKER)) return text.slice(CAPTURE_MARKER.length);
  const at = text.indexOf(`\n${CAPTURE_MARKER}`);
  return at < 0 ? text : text.slice(at + 1 + CAPTURE_MARKER.length);
}

/**
 * A runner that answers every command line from its file in `dir` and runs
 * nothing. A command without a file fails as a missing tool does (NotFound).
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
    try {
      return captureOutput(await Deno.readTextFile(path, { signal: options.signal }));
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const what = error instanceof Deno.errors.NotFound
        ? "no capture of it"
        : "unreadable capture";
      const ErrorClass = error instanceof Deno.errors.NotFound ? Deno.errors.NotFound : Error;
      throw new ErrorClass(`Cannot run ${argv.join(" ")}: ${what} (${path})`, { cause: error });
    }
  };
}

/**
 * A runner that runs each command with `run` and saves its output into
 * `dir` (created if missing) before returning it, with a header naming the
 * command and the time. A command that fails saves nothing and fails as
 * before. The files replay with {@linkcode replayTools}.
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
  let made: Promise<void> | undefined;
  return async (argv: readonly string[], options?: RunToolOptions) => {
    const output = await run(argv, options);
    const path = `${dir}/${captureFileName(argv)}`;
    const header = `# ${argv.join(" ")}\n# recorded by mif at ${new Date().toISOString()}\n`;
    try {
      await (made ??= Deno.mkdir(dir, { recursive: true }));
      await Deno.writeTextFile(path, header + CAPTURE_MARKER + output);
    } catch (error) {
      throw new Error(`Cannot record ${argv.join(" ")}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return output;
  };
}
