/**
 * The `mif` command line. It drives the library as a program would (openMif(),
 * subscribers, connect()) and reuses the library's own checks and wording for
 * what it validates up front (name syntax, path selectors, platform options,
 * failure reasons), importing those modules directly; cli/ holds only the
 * command line's own parts: arguments, help, output formats, progress.
 *
 * ```sh
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts status
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts watch --json
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts connect www.example 443
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts check --json
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts help connect
 * ```
 *
 * @module
 */

import { openMif } from "./broker/mif.ts";
import { NO_MESSAGE } from "./broker/subscriber.ts";
import type { ApiMessage } from "./protocol/types.ts";
import { type Invocation, parseInvocation, UsageError } from "./cli/args.ts";
import { Follower } from "./connect/follower.ts";
import { formatMessage, renderStatus } from "./cli/format.ts";
import { EXIT } from "./cli/exit.ts";
import { helpText, VERSION } from "./cli/help.ts";
import { mifOptions, print, untilSignal } from "./cli/run.ts";

async function status(invocation: Invocation): Promise<number> {
  await using mif = await openMif(await mifOptions(invocation));
  const status = mif.status();
  await print(invocation.json ? JSON.stringify(status, null, 2) : renderStatus(status));
  return 0;
}

function watch(invocation: Invocation): Promise<number> {
  return untilSignal(async (signal) => {
    await using mif = await openMif({ ...await mifOptions(invocation), signal });
    await using sub = mif.subscribe({ name: "mif watch" });
    const follower = new Follower();
    for (const m of follower.start()) sub.post(m);
    const line = (message: ApiMessage) =>
      invocation.json
        ? JSON.stringify(message)
        : `${new Date().toISOString().slice(11, 23)}  ${formatMessage(message)}`;
    for await (const first of sub.messages({ signal })) {
      // What is already queued (thousands of messages at start) goes out in one write.
      const lines: string[] = [];
      for (let m: ApiMessage | typeof NO_MESSAGE = first; m !== NO_MESSAGE; m = sub.get()) {
        lines.push(line(m));
        for (const posted of follower.next(m)) sub.post(posted);
      }
      await print(lines.join("\n"));
    }
    return 0;
  });
}

async function run(invocation: Invocation): Promise<number> {
  switch (invocation.command) {
    case "help":
      await print(helpText(invocation.topic));
      return 0;
    case "version":
      await print(`mif ${VERSION}`);
      return 0;
    case "status":
      return await status(invocation).catch((error) => {
        if (error instanceof Deno.errors.BrokenPipe) return 0; // The reader went away.
        throw error;
      });
    case "watch":
      return await watch(invocation);
    // Each command's own modules load only when it runs (`mif status` needs no fetch()).
    case "resolve":
      return await (await import("./cli/resolve.ts")).resolve(invocation);
    case "connect":
      return await (await import("./cli/connect.ts")).connect(invocation);
    case "fetch":
      return await (await import("./cli/fetch.ts")).fetchCommand(invocation);
    case "check":
      return await (await import("./cli/check.ts")).checkCommand(invocation);
    default: {
      const never: never = invocation.command;
      throw new TypeError(`Cannot run command: ${never}`);
    }
  }
}

/** The --json object of a usage error, for the commands that print one. */
async function usageReport(
  command: Invocation["command"] | undefined,
  message: string,
  url?: string,
) {
  switch (command) {
    case "connect":
      return (await import("./cli/connect.ts")).failedReport("usage", message);
    case "fetch":
      return (await import("./cli/fetch_report.ts")).failedFetchReport(url ?? "", "usage", message);
    case "check":
      return (await import("./cli/check_report.ts")).failedCheckReport(
        url ?? null,
        "usage",
        message,
      );
  }
}

/** Prints a usage error (and, for `connect`, `fetch` and `check --json`, its JSON object); exit status 2. */
async function usageError(error: UsageError, invocation: Invocation | undefined): Promise<number> {
  const command = invocation?.command ?? error.command;
  const json = invocation?.json ?? error.json;
  const report = await usageReport(command, error.message, invocation?.url);
  if (report !== undefined && json) {
    await print(JSON.stringify(report, null, 2)).catch(() => {});
  }
  // Mistakes in the command line itself point to the help; mistakes found on the host (an
  // unknown PD, a missing file) list the valid names already.
  const hint = invocation === undefined && error.seeHelp
    ? ` (see mif help${command ? ` ${command}` : ""})`
    : "";
  console.error(`mif: ${error.message}${hint}`);
  return EXIT.usage;
}

/**
 * Runs the CLI. Exit status (see `mif help`): 0 done, 1 failed (not
 * connected, no PD with full connectivity, interrupted, the platform could
 * not be read), 2 usage error,
 * 3 the name was not translated (resolve, connect, fetch), 4 TLS failed
 * and 5 HTTP failed (fetch); errors are one line on stderr.
 *
 * @example The version
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * assert.equal(await main(["--version"]), 0);
 * ```
 * @param args The arguments after the program name.
 * @returns The exit status.
 */
export async function main(args: readonly string[]): Promise<number> {
  let invocation: Invocation | undefined;
  try {
    invocation = parseInvocation(args);
    return await run(invocation);
  } catch (error) {
    if (error instanceof UsageError) return await usageError(error, invocation);
    console.error(`mif: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
