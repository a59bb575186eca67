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
  const prefix = options.privateMount
    ? privateMountArgv(bed.ns.host)
    : ["ip", "netns", "exec", bed.ns.host];
  return [
    ...prefix,
    Deno.execPath(),
    "run",
    "--unstable-worker-options",
    "--allow-all",
    "--config",
    CONFIG,
    script,
    ...args,
  ];
}

/** The command line of mif in the host namespace, reading the test bed's sources. */
export function mifArgs(bed: TestBed, ...args: string[]): string[] {
  return [
    "netns",
    "exec",
    bed.ns.host,
    Deno.execPath(),
    "run",
    "--unstable-worker-options",
    "--allow-all",
    CLI,
    ...args,
    "--platform",
    "linux",
    "--resolv-conf",
    bed.resolvConf,
    "--lease-dir",
    bed.stateDir,
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
