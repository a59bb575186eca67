/**
 * `mif fetch URL`: fetches a URL with mif's fetch() over the best of all
 * PDs and writes the body to stdout (or to -o's file), streamed, as it
 * arrives; with -i the status line and headers first. On stderr, each
 * hop's race (as `mif connect` prints it) and one line per hop with its
 * PD, addresses, TLS version and ALPN; with --json one report instead. The
 * exit status says which layer failed (cli/exit.ts).
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";
import type { MifStatus } from "../broker/status.ts";
import { selectorNames, unknownSelectors, validSelectors } from "../connect/connect_options.ts";
import { fetch } from "../fetch/fetch.ts";
import { MifFetchError } from "../fetch/fetch_error.ts";
import type { FetchHop, MifRequestInit } from "../fetch/fetch_options.ts";
import { describeError } from "../protocol/text.ts";
import { type Invocation, UsageError } from "./args.ts";
import { exitStatus } from "./exit.ts";
import { readCaCerts, readInput } from "./inputs.ts";
import {
  describeFailure,
  failedFetchReport,
  failedRaceLines,
  type FetchReport,
  formatHead,
  hopLines,
  responseReport,
} from "./fetch_report.ts";
import { knownPaths } from "./paths.ts";
import { print } from "./run.ts";
import { didYouMean } from "./suggest.ts";
import { withMif } from "./with_mif.ts";

/** What the command line names on the file system, read before anything is asked. */
interface Inputs {
  /** --cacert's certificates (PEM). */
  readonly caCerts: string[];
  /** -d's body, if any. */
  readonly body?: string | Uint8Array<ArrayBuffer>;
}

/** Whether -o's file may be written: with --allow-write, or a prompt on a terminal. */
async function checkWritable(output: string): Promise<void> {
  const { state } = await Deno.permissions.query({ name: "write", path: output });
  if (state === "granted" || (state === "prompt" && Deno.stdin.isTerminal())) return;
  throw new Error(
    `Cannot write ${output}: run mif with --allow-write (or --allow-write=${output})`,
  );
}

/** Reads --cacert files and -d @FILE, and checks that -o's directory exists and may be written. */
async function readInputs(invocation: Invocation): Promise<Inputs> {
  const caCerts = await readCaCerts(invocation.caCertFiles ?? []);
  const data = invocation.data;
  const body = data?.startsWith("@")
    ? await readInput(`-d ${data}`, () => Deno.readFile(data.slice(1)))
    : data;
  const output = invocation.output;
  if (output !== undefined && output !== "-") {
    const dir = output.includes("/") ? output.slice(0, output.lastIndexOf("/")) || "/" : ".";
    const info = await Deno.stat(dir).catch(() => undefined);
    if (!info?.isDirectory) throw new UsageError(`-o ${output}: no such directory ${dir}`);
    await checkWritable(output);
  }
  return { caCerts, ...(body === undefined ? {} : { body }) };
}

/** --require's selectors must name something of the host, as --prefer's must. */
function checkRequire(selectors: readonly string[], status: MifStatus): void {
  const known = knownPaths(status);
  const unknown = unknownSelectors(selectors, known);
  if (unknown.length === 0) return;
  throw new UsageError(
    `--require ${unknown.map((s) => `"${s}"`).join(", ")} ${
      unknown.length > 1 ? "name" : "names"
    } no PD, interface or interface type of this host (${validSelectors(known)})${
      didYouMean(unknown[0], selectorNames(known))
    }`,
  );
}

/** fetch()'s init from the command line. */
function requestInit(
  invocation: Invocation,
  inputs: Inputs,
  mif: Mif,
  signal: AbortSignal,
  onHop: (hop: FetchHop) => void,
): MifRequestInit {
  const require = [...invocation.pds ?? [], ...invocation.require ?? []];
  return {
    method: invocation.method ?? "GET",
    headers: [...invocation.headers ?? []] as [string, string][],
    ...(inputs.body === undefined ? {} : { body: inputs.body }),
    signal,
    mif,
    caCerts: inputs.caCerts,
    onHop,
    ...(require.length === 0 ? {} : { require }),
    ...(invocation.from === undefined ? {} : { source: invocation.from }),
    ...(invocation.prefer === undefined ? {} : { prefer: invocation.prefer }),
    ...(invocation.avoid === undefined ? {} : { avoid: invocation.avoid }),
    ...(invocation.prohibit === undefined ? {} : { prohibit: invocation.prohibit }),
    ...(invocation.connectTimeout === undefined
      ? {}
      : { connectTimeout: invocation.connectTimeout }),
    parallelInterfaces: invocation.parallelInterfaces ?? true,
    // Split DNS: with --pd the PDs named are the ones to ask, whatever their domains (as connect).
    leak: invocation.leak ?? (invocation.pds === undefined ? "never" : "fallback"),
  };
}

/** Where a body goes: stdout or a file. */
interface Sink {
  /** Writes some of the bytes; how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/** Writes all of `bytes` to a sink. */
async function writeAll(writer: Sink, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await writer.write(bytes.subarray(done));
}

/**
 * Streams a body to `sink` (or nowhere), counting bytes. A failure reading
 * it is fetch's (thrown as a MifFetchError "http" unless it is one);
 * a failure writing is the sink's own.
 */
async function copyBody(
  body: ReadableStream<Uint8Array> | null,
  sink: Sink | undefined,
  url: string,
  signal: AbortSignal,
): Promise<number> {
  if (body === null) return 0;
  const reader = body.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const chunk = await reader.read().catch((error) => {
        if (signal.aborted) throw signal.reason;
        throw error instanceof MifFetchError ? error : new MifFetchError(
          "http",
          `Cannot fetch ${url}: the body broke off: ${describeError(error)}`,
          { cause: error },
        );
      });
      if (chunk.done) return bytes;
      if (sink) await writeAll(sink, chunk.value);
      bytes += chunk.value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Writes the head (-i) and the body to stdout or -o's file (or nowhere for --json). */
async function saveBody(
  invocation: Invocation,
  response: Response,
  lastHop: FetchHop | undefined,
  signal: AbortSignal,
): Promise<FetchReport["body"]> {
  const toFile = invocation.output !== undefined && invocation.output !== "-";
  using file = toFile
    ? await Deno.open(invocation.output!, { write: true, create: true, truncate: true })
    : undefined;
  const sink = file ?? (invocation.json ? undefined : Deno.stdout);
  if (invocation.include && sink) {
    await writeAll(sink, new TextEncoder().encode(formatHead(response, lastHop)));
  }
  const bytes = await copyBody(response.body, sink, response.url, signal);
  return { bytes, savedTo: toFile ? invocation.output! : null };
}

/** Sends the request and reads the answer; every failure of fetch() becomes the report's. */
async function exchange(
  invocation: Invocation,
  inputs: Inputs,
  mif: Mif,
  signal: AbortSignal,
): Promise<FetchReport> {
  const url = invocation.url!;
  const hops: FetchHop[] = [];
  const onHop = (given: FetchHop) => {
    const hop = { ...given, ms: Math.round(given.ms * 10) / 10 };
    hops.push(hop);
    // A failed hop's line comes after its race, which only the error carries.
    if (!invocation.json && hop.status !== undefined) console.error(hopLines(hop).join("\n"));
  };
  let response: Response;
  try {
    response = await fetch(url, requestInit(invocation, inputs, mif, signal, onHop));
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof TypeError && !(error instanceof MifFetchError)) {
      throw new UsageError(error.message); // fetch()'s own check of its options.
    }
    const { reason, error: message, race } = describeFailure(error);
    return failedFetchReport(url, reason, message, hops, race);
  }
  if (invocation.fail && response.status >= 400) {
    await response.body?.cancel();
    const error = `Cannot fetch ${response.url || url}: the server answered ${response.status}${
      response.statusText ? ` ${response.statusText}` : ""
    }`;
    return responseReport(url, response, hops, null, { reason: "http-status", error });
  }
  try {
    return responseReport(
      url,
      response,
      hops,
      await saveBody(invocation, response, hops.at(-1), signal),
    );
  } catch (error) {
    // Reading the body broke off (copyBody's MifFetchError); a failure to write is no fetch's.
    if (signal.aborted || !(error instanceof MifFetchError)) throw error;
    return responseReport(url, response, hops, null, describeFailure(error));
  }
}

/** Prints the report (--json), or what text mode has left to say on stderr; the exit status. */
async function show(invocation: Invocation, report: FetchReport): Promise<number> {
  if (invocation.json) await print(JSON.stringify(report, null, 2));
  else if (report.error !== null) {
    const failed = report.hops.filter((hop) => hop.status === undefined);
    const lines = [
      ...(report.race ? failedRaceLines(report.race, report.error) : []),
      ...failed.flatMap(hopLines),
    ];
    if (lines.length > 0) console.error(lines.join("\n"));
  }
  if (report.error !== null) console.error(`mif: ${report.error}`);
  return exitStatus(report.reason);
}

/**
 * Runs `mif fetch`.
 *
 * @example An -o into a directory that is not there is a usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation, UsageError } from "./args.ts";
 * import { fetchCommand } from "./fetch.ts";
 * const line = ["fetch", "http://www.example/", "--platform", "sim", "-o", "/no/such/dir/x"];
 * await assert.rejects(fetchCommand(parseInvocation(line)), UsageError);
 * ```
 * @param invocation The command line (command "fetch").
 * @returns 0 fetched; 1 not connected, interrupted, or the platform could not be
 *   opened; 3 no PD translated the host; 4 TLS failed; 5 HTTP failed (or --fail
 *   met a status >= 400).
 * @throws {UsageError} For files that are not there, or path options naming nothing of the host.
 */
export function fetchCommand(invocation: Invocation): Promise<number> {
  const url = invocation.url!;
  const interrupted = failedFetchReport(url, "interrupted", `Cannot fetch ${url}: interrupted`);
  return withMif(invocation, {
    prepare: () => readInputs(invocation),
    run: (mif, inputs, signal) => {
      checkRequire(invocation.require ?? [], mif.status());
      return exchange(invocation, inputs, mif, signal);
    },
    interrupted,
    platformFailed: (detail) => failedFetchReport(url, "platform-failed", detail),
    show: (report) => show(invocation, report),
  });
}
