/**
 * The `mif` command line: a thin layer over the public API.
 *
 * ```sh
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts status
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts watch --json
 * deno run --unstable-worker-options --allow-read --allow-net cli.ts connect www.example 443
 * ```
 *
 * @module
 */

import { connect as connectTo, ConnectFailedError, openMif } from "./mod.ts";
import { type Invocation, parseInvocation, USAGE, UsageError } from "./cli/args.ts";
import { Follower } from "./cli/follow.ts";
import { formatMessage, formatResolution, renderStatus } from "./cli/format.ts";
import { formatRace, type RaceReport } from "./cli/timeline.ts";
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

function watch(invocation: Invocation): Promise<number> {
  return untilSignal(async (signal) => {
    await using mif = await openMif({ ...options(invocation), signal });
    await using sub = mif.subscribe({ name: "mif watch" });
    const follower = new Follower();
    for (const m of follower.start()) sub.post(m);
    for await (const message of sub.messages({ signal })) {
      const time = new Date().toISOString().slice(11, 23);
      await print(invocation.json ? JSON.stringify(message) : `${time}  ${formatMessage(message)}`);
      for (const m of follower.next(message)) sub.post(m);
    }
    return 0;
  });
}

/** Runs `body` until it ends or a termination signal arrives, which exits with `interrupted`. */
async function untilSignal(
  body: (signal: AbortSignal) => Promise<number>,
  interrupted = 0,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of TERMINATION_SIGNALS) Deno.addSignalListener(signal, onSignal);
  try {
    return await body(stop.signal);
  } catch (error) {
    // A termination signal, or the reader of stdout going away (`| head`), ends it normally.
    if (stop.signal.aborted && error === stop.signal.reason) return interrupted;
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    throw error;
  } finally {
    for (const signal of TERMINATION_SIGNALS) Deno.removeSignalListener(signal, onSignal);
  }
}

/** §3.3.7.18: one translation per PD, all at once; each answer printed as it arrives. */
function resolve(invocation: Invocation): Promise<number> {
  return untilSignal(async (signal) => {
    await using mif = await openMif({ ...options(invocation), signal });
    await using sub = mif.subscribe({ name: "mif resolve" });
    const all = mif.status().interfaces.flatMap((nic) => nic.pds.map((pd) => pd.pdId));
    const pdIds = invocation.pd === undefined ? all : [invocation.pd];
    if (invocation.pd !== undefined && !all.includes(invocation.pd)) {
      throw new Error(`Cannot resolve: no provisioning domain "${invocation.pd}"`);
    }
    if (pdIds.length === 0) throw new Error("Cannot resolve: the host has no provisioning domains");
    const start = performance.now();
    for (const pdId of pdIds) {
      sub.post({
        type: "translate-name",
        pdId,
        name: invocation.name!,
        translationId: pdId,
        ...(invocation.family === undefined ? {} : { family: invocation.family }),
      });
    }
    let open = pdIds.length, found = 0;
    for await (const m of sub.messages({ signal })) {
      await print(
        invocation.json ? JSON.stringify(m) : formatResolution(m, performance.now() - start),
      );
      if (m.type === "name-translation") found++;
      else if (--open === 0) break; // name-translation-done, or an error answering a post.
    }
    return found > 0 ? 0 : 1;
  }, 1);
}

/** §3.3.2: races every eligible PD, prints the winner and the race, closes the connection. */
function connect(invocation: Invocation): Promise<number> {
  const host = invocation.host!, port = invocation.port!;
  return untilSignal(async (signal) => {
    await using mif = await openMif({ ...options(invocation), signal });
    if (invocation.pd !== undefined) {
      const all = mif.status().interfaces.flatMap((nic) => nic.pds.map((pd) => pd.pdId));
      if (!all.includes(invocation.pd)) {
        throw new Error(`Cannot connect: no provisioning domain "${invocation.pd}"`);
      }
    }
    let report: RaceReport;
    try {
      const { connection, winner, attempts, resolutions } = await connectTo(host, port, {
        mif,
        signal,
        ...(invocation.pd === undefined ? {} : { require: [invocation.pd] }),
        ...(invocation.from === undefined ? {} : { source: invocation.from }),
        ...(invocation.avoid === undefined ? {} : { avoid: invocation.avoid }),
        ...(invocation.prohibit === undefined ? {} : { prohibit: invocation.prohibit }),
        parallelInterfaces: invocation.parallelInterfaces ?? false,
      });
      await connection.close();
      report = { winner, attempts, resolutions };
    } catch (error) {
      if (signal.aborted && error === signal.reason) {
        throw new Error(`Cannot connect to ${host} port ${port}: interrupted`);
      }
      if (!(error instanceof ConnectFailedError)) throw error;
      const { attempts, resolutions, message } = error;
      report = { attempts, resolutions, error: message };
    }
    const connected = report.winner !== undefined;
    await print(
      invocation.json
        ? JSON.stringify({ connected, ...report }, null, 2)
        : formatRace(report).join("\n"),
    );
    if (report.error !== undefined) console.error(`mif: ${report.error}`);
    return connected ? 0 : 1;
  }, 1);
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
      case "resolve":
        return await resolve(invocation);
      case "connect":
        return await connect(invocation);
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
