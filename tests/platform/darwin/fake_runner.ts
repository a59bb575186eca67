/**
 * A ToolRunner that replays captured outputs by command line, for the
 * darwin platform's tests on Linux CI.
 *
 * @module
 */

import type { ToolRunner } from "../../../platform/run_tool.ts";

/** A replaying runner and the command lines it was asked. */
export interface FakeRunner {
  /** The runner. */
  readonly run: ToolRunner;
  /** Every command line asked, joined by spaces, in order. */
  readonly asked: string[];
}

/**
 * Replays `outputs` (command line joined by spaces → its output). A command
 * line without an output fails as a missing tool does.
 *
 * @example Replay one command
 * ```ts
 * import assert from "node:assert/strict";
 * import { fakeRunner } from "./fake_runner.ts";
 * const fake = fakeRunner({ "scutil --nwi": "Network information\n" });
 * assert.equal(await fake.run(["scutil", "--nwi"]), "Network information\n");
 * await assert.rejects(fake.run(["ndp", "-r"]), Deno.errors.NotFound);
 * assert.deepEqual(fake.asked, ["scutil --nwi", "ndp -r"]);
 * ```
 * @param outputs Outputs by command line.
 * @returns The runner.
 */
export function fakeRunner(outputs: Readonly<Record<string, string>>): FakeRunner {
  const asked: string[] = [];
  const run: ToolRunner = (argv, options) => {
    const line = argv.join(" ");
    asked.push(line);
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const output = outputs[line];
    if (output === undefined) {
      return Promise.reject(new Deno.errors.NotFound(`Cannot run ${line}: no capture of it`));
    }
    return Promise.resolve(output);
  };
  return { run, asked };
}
