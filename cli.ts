/**
 * The `mif` command line: a thin layer over the public API.
 *
 * ```sh
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts status
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts watch --json
 * ```
 *
 * @module
 */

import { openMif } from "./mod.ts";
import { type Invocation, parseInvocation, USAGE, UsageError } from "./cli/args.ts";
import { Follower } from "./cli/follow.ts";
import { formatMessage, renderStatus } from "./cli/format.ts";
import { TERMINATION_SIGNALS } from "./platform/select.ts";

const encoder = new TextEncoder();

/** Writes a line to stdout; throws Deno.errors.BrokenPipe once the reader is gone. */
async function print(line: string): Promise<void> {
  const bytes = encoder.encode(`${line}\n`);
  for (let done = 0; done < bytes.length;) done += await Deno.stdout.write(bytes.subarray(done));
}

async function status(invocation: Invocation): Promise<number> {
  await using mif = await openMif({ ...options(invocation) });
  const status = mif.status();
  await print(invocation.json ? JSON.stringify(status, null, 2) : renderStatus(status));
  return 0;
}

async function watch(invocation: Invocation): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of TERMINATION_SIGNALS) Deno.addSignalListener(signal, onSignal);
  try {
    await using mif = await openMif({ ...options(invocation), signal: stop.signal });
    await using sub = mif.subscribe({ name: "mif watch" });
    const follower = new Follower();
    for (const m of follower.start()) sub.post(m);
    for await (const message of sub.messages({ signal: stop.signal })) {
      const time = new Date().toISOString().slice(11, 23);
      await print(invocation.json ? JSON.stringify(message) : `${time}  ${formatMessage(message)}`);
      for (const m of follower.next(message)) sub.post(m);
    }
    return 0;
  } catch (error) {
    // A termination signal, or the reader of stdout going away (`| head`), ends watching normally.
    if (stop.signal.aborted && error === stop.signal.reason) return 0;
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    throw error;
  } finally {
    for (const signal of TERMINATION_SIGNALS) Deno.removeSignalListener(signal, onSignal);
  }
}

function options(invocation: Invocation) {
  return {
    // The tasks and the compiled binary run with --unstable-worker-options.
    workerPermissions: "net" as const,
    ...(invocation.platform === undefined ? {} : { platform: invocation.platform }),
    ...(invocation.scenario === undefined ? {} : { scenario: invocation.scenario }),
    ...(invocation.resolvConf === undefined ? {} : { resolvConf: invocation.resolvConf }),
    ...(invocation.leaseDirs === undefined ? {} : { leaseDirs: invocation.leaseDirs }),
  };
}

/**
 * Runs the CLI.
 *
 * @param args The arguments after the program name.
 * @returns The exit status.
 */
export async function main(args: readonly string[]): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`mif: ${error.message} (see mif --help)`);
    return 2;
  }
  try {
    switch (invocation.command) {
      case "help":
        await print(USAGE);
        return 0;
      case "status":
        return await status(invocation).catch((error) => {
          if (error instanceof Deno.errors.BrokenPipe) return 0; // The reader went away.
          throw error;
        });
      case "watch":
        return await watch(invocation);
      default: {
        const never: never = invocation.command;
        throw new TypeError(`Cannot run command: ${never}`);
      }
    }
  } catch (error) {
    console.error(`mif: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
