/** Runs the mif CLI inside the test bed's host namespace. */

import type { ApiMessage } from "../../mod.ts";
import { privateMountArgv, type TestBed } from "./testbed.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/**
 * The command line, program first, of a library client script run in the
 * test bed's host namespace with the project's configuration:
 * `deno run --unstable-worker-options --allow-all --config deno.json <script> <args>`,
 * in a private mount namespace of its own when asked (for bindResolvConf).
 *
 * @example A client in a private mount namespace (sketch)
 * ```ts ignore
 * const [program, ...args] = hostClientArgv(bed, "race_client.ts", ["…"], { privateMount: true });
 * await new Deno.Command(program, { args }).output();
 * ```
 * @param bed The test bed.
 * @param script The client's path.
 * @param args Its arguments.
 * @param options Whether to run it in a private mount namespace.
 * @returns The command line.
 */
export function hostClientArgv(
  bed: TestBed,
  script: string,
  args: readonly string[],
  options: { readonly privateMount?: boolean } = {},
): string[] {
  if (!options.privateMount) return netnsClientArgv(bed.ns.host, script, args);
  return [...privateMountArgv(bed.ns.host), ...denoRunArgv(["--config", CONFIG, script, ...args])];
}

/**
 * Runs a client (a command line from {@linkcode hostClientArgv}) to its end
 * and returns the JSON line of its stdout that contains `marker`.
 *
 * @example A client that prints its result as a JSON line
 * ```ts
 * import { clientResult } from "./mif_process.ts";
 * import assert from "node:assert/strict";
 * const argv = [Deno.execPath(), "eval", 'console.log("warming up"); console.log(JSON.stringify({ bench: 1 }))'];
 * assert.deepEqual(await clientResult(argv, '"bench"'), { bench: 1 });
 * ```
 * @param argv The command line, program first.
 * @param marker Text only the result line contains.
 * @param signal Stops the client.
 * @returns The parsed line.
 * @throws {Error} When the client fails or prints no such line.
 */
export async function clientResult(
  argv: readonly string[],
  marker: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const [program, ...args] = argv;
  const out = await new Deno.Command(program, {
    args,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.includes(marker));
  if (!out.success || !line) {
    const stderr = new TextDecoder().decode(out.stderr);
    throw new Error(
      `Cannot run the client: it exited with ${out.code}, printed ${text}, stderr ${stderr}`,
    );
  }
  return JSON.parse(line);
}

/**
 * The command line, program first, of a library client script run in the
 * network namespace `ns` with the project's configuration, as
 * {@linkcode hostClientArgv} runs one in the test bed's host namespace.
 *
 * @example A script in a namespace
 * ```ts
 * import { netnsClientArgv } from "./mif_process.ts";
 * import assert from "node:assert/strict";
 * const argv = netnsClientArgv("mifscale1", "client.ts", ["a"]);
 * assert.deepEqual(argv.slice(0, 4), ["ip", "netns", "exec", "mifscale1"]);
 * assert.deepEqual(argv.slice(-4), ["--config", argv.at(-3), "client.ts", "a"]);
 * ```
 * @param ns The namespace.
 * @param script The client's path.
 * @param args Its arguments.
 * @returns The command line.
 */
export function netnsClientArgv(ns: string, script: string, args: readonly string[]): string[] {
  return ["ip", "netns", "exec", ns, ...denoRunArgv(["--config", CONFIG, script, ...args])];
}

/** `deno run` with every permission, then `rest`: program first. */
function denoRunArgv(rest: readonly string[]): string[] {
  return [Deno.execPath(), "run", "--unstable-worker-options", "--allow-all", ...rest];
}

/** Where mif on the linux platform reads the DHCP clients' leases and resolv.conf. */
export interface MifSources {
  /** The resolv.conf to read. */
  readonly resolvConf: string;
  /** The directory of the DHCP clients' leases. */
  readonly leaseDir: string;
}

/**
 * mif's command line, program first, in the network namespace `ns` on the
 * linux platform, reading `sources`: `ip netns exec <ns> deno run
 * --unstable-worker-options --allow-all cli.ts <args> --platform linux …`.
 *
 * @example mif status in a namespace
 * ```ts
 * import { mifNetnsArgv } from "./mif_process.ts";
 * import assert from "node:assert/strict";
 * const argv = mifNetnsArgv("mifscale1", { resolvConf: "/tmp/r", leaseDir: "/tmp/l" }, "status");
 * assert.deepEqual(argv.slice(0, 4), ["ip", "netns", "exec", "mifscale1"]);
 * assert.deepEqual(argv.slice(-7), [
 *   "status", "--platform", "linux", "--resolv-conf", "/tmp/r", "--lease-dir", "/tmp/l",
 * ]);
 * ```
 * @param ns The namespace.
 * @param sources Its resolv.conf and lease directory.
 * @param args mif's arguments.
 * @returns The command line.
 */
export function mifNetnsArgv(ns: string, sources: MifSources, ...args: string[]): string[] {
  return [
    "ip",
    "netns",
    "exec",
    ns,
    ...denoRunArgv([CLI, ...args]),
    "--platform",
    "linux",
    "--resolv-conf",
    sources.resolvConf,
    "--lease-dir",
    sources.leaseDir,
  ];
}

/**
 * The command line of mif in the host namespace, reading the test bed's
 * sources: `ip`'s arguments.
 */
export function mifArgs(bed: TestBed, ...args: string[]): string[] {
  const sources = { resolvConf: bed.resolvConf, leaseDir: bed.stateDir };
  return mifNetnsArgv(bed.ns.host, sources, ...args).slice(1);
}

/**
 * `deno`'s arguments that run mif as a user does, with the permissions the
 * README gives (read, net, run), then mif's arguments.
 *
 * @example mif status
 * ```ts
 * import { userMifArgs } from "./mif_process.ts";
 * import assert from "node:assert/strict";
 * const args = userMifArgs("status");
 * assert.deepEqual([args[0], args.at(-1)], ["run", "status"]);
 * assert.ok(args.at(-2)!.endsWith("/cli.ts"));
 * ```
 * @param args mif's arguments.
 * @returns The arguments.
 */
export function userMifArgs(...args: string[]): string[] {
  return [
    "run",
    "--unstable-worker-options",
    "--allow-read",
    "--allow-net",
    "--allow-run",
    CLI,
    ...args,
  ];
}

/** Runs `mif status --json` and returns the parsed status. */
export async function mifStatus(bed: TestBed): Promise<Record<string, unknown>> {
  const out = await new Deno.Command("ip", {
    args: mifArgs(bed, "status", "--json"),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`Cannot run mif status: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** A running `mif watch --json`, collecting every message with its arrival time. */
export class Watch implements AsyncDisposable {
  /** Messages so far, with performance.now() at arrival. */
  readonly messages: { at: number; message: ApiMessage }[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<void>;
  #waiters: (() => void)[] = [];

  /**
   * Starts mif watch in the test bed's host namespace, or runs a given
   * mif watch command line (program first), e.g. a client bed's
   * `mifArgv("watch", "--json")`.
   *
   * @param bed The test bed, or the command line.
   */
  constructor(bed: TestBed | readonly string[]) {
    const [program, ...args] = Array.isArray(bed)
      ? bed as readonly string[]
      : ["ip", ...mifArgs(bed as TestBed, "watch", "--json")];
    this.#child = new Deno.Command(program, {
      args,
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#done = this.#read();
  }

  async #read(): Promise<void> {
    let buffer = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) this.messages.push({ at: performance.now(), message: JSON.parse(line) });
      }
      for (const w of this.#waiters.splice(0)) w();
    }
  }

  /**
   * Waits for a message at or after index `from` matching the predicate.
   *
   * @returns Its index.
   */
  async next(
    from: number,
    match: (m: ApiMessage) => boolean,
    what: string,
    timeout = 20_000,
  ): Promise<number> {
    const end = Date.now() + timeout;
    for (;;) {
      const i = this.messages.findIndex((m, k) => k >= from && match(m.message));
      if (i >= 0) return i;
      if (Date.now() > end) {
        const seen = this.messages.slice(from).map((m) => JSON.stringify(m.message)).join("\n");
        throw new Error(`Timed out waiting for ${what}; after #${from} came:\n${seen}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits until no message has arrived for `quiet` ms. */
  async settle(quiet = 1500, timeout = 20_000): Promise<number> {
    const end = Date.now() + timeout;
    let count = -1;
    while (count !== this.messages.length && Date.now() < end) {
      count = this.messages.length;
      await new Promise((r) => setTimeout(r, quiet));
    }
    return this.messages.length;
  }

  /** Stops mif watch (SIGINT) and waits for it to exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGINT");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await this.#done;
  }
}
