/**
 * The child of the Linux benchmarks' `--profile` (linux_latency.ts,
 * scale_linux.ts), run in the namespace whose changes are profiled:
 *
 *   deno run --unstable-worker-options --allow-all bench/profile_child.ts <resolv.conf> <lease dir>
 *
 * It opens the library on a LinuxPlatform whose `onStep` hook stamps each
 * step (monitor line, re-read start, kernel read, sources, snapshot built,
 * handed to the broker), subscribes as `mif watch` does, and prints each
 * step and each (no-)address-announcement its subscriber gets as a JSON
 * line: `{ step, at, scope?, address? }`, `at` in epoch ms; first
 * `{ step: "ready" }`. {@linkcode ProfileChild} runs it and collects them.
 *
 * @module
 */

import { openMif } from "../mod.ts";
import { Follower } from "../connect/follower.ts";
import { LinuxPlatform } from "../platform/linux/linux_platform.ts";

/** This script's path, to run it. */
export const PROFILE_CHILD: string = new URL(import.meta.url).pathname;

/** A step the child printed. */
export interface Step {
  /** The onStep step, "ready", or the announcement's type. */
  readonly step: string;
  /** Epoch ms. */
  readonly at: number;
  /** The onStep scope, if any. */
  readonly scope?: string;
  /** An announcement's address. */
  readonly address?: string;
}

/** The child: prints each step and each announcement until it is killed. */
async function profileChild(resolvConf: string, leaseDir: string): Promise<void> {
  const at = () => performance.timeOrigin + performance.now();
  const out = (o: Record<string, unknown>) => console.log(JSON.stringify(o));
  const platform = new LinuxPlatform({
    paths: { resolvConf, leaseDirs: [leaseDir] },
    onStep: (step, scope) => out({ step, at: at(), ...(scope ? { scope } : {}) }),
  });
  await using mif = await openMif({ platform, workerSpare: false });
  await using sub = mif.subscribe({ name: "profile" });
  // What mif watch subscribes to.
  const follower = new Follower();
  for (const m of follower.start()) sub.post(m);
  out({ step: "ready", at: at() });
  for await (const message of sub.messages()) {
    if (message.type === "address-announcement" || message.type === "no-address-announcement") {
      out({ step: message.type, address: message.address, at: at() });
    }
    for (const m of follower.next(message)) sub.post(m);
  }
}

/**
 * A running profile child, collecting the steps it prints; killed (SIGTERM)
 * on dispose.
 *
 * @example Run in a namespace (sketch)
 * ```ts ignore
 * const argv = hostClientArgv(bed, PROFILE_CHILD, [bed.resolvConf, bed.stateDir]);
 * await using child = new ProfileChild(argv);
 * await child.until(0, (s) => s.step === "ready");
 * ```
 */
export class ProfileChild implements AsyncDisposable {
  /** Every step so far, in the order printed. */
  readonly steps: Step[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #reading: Promise<void>;

  /**
   * Starts the child.
   *
   * @param argv Its command line, program first, e.g.
   *   `hostClientArgv(bed, PROFILE_CHILD, [resolvConf, leaseDir])`.
   */
  constructor(argv: readonly string[]) {
    const [program, ...args] = argv;
    this.#child = new Deno.Command(program, { args, stdout: "piped", stderr: "inherit" }).spawn();
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    let partial = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const l of lines) if (l.trim()) this.steps.push(JSON.parse(l));
    }
  }

  /**
   * Waits (polling every ms) for a step at or after index `from` that matches.
   *
   * @returns Its index in {@linkcode ProfileChild.steps}.
   */
  async until(from: number, match: (s: Step) => boolean, timeout = 20_000): Promise<number> {
    for (const end = Date.now() + timeout; Date.now() < end;) {
      const i = this.steps.findIndex((s, k) => k >= from && match(s));
      if (i >= 0) return i;
      await new Promise((r) => setTimeout(r, 1));
    }
    throw new Error(`Cannot profile: the child did not report in ${timeout / 1000} s`);
  }

  /** Kills the child and waits for it and its output to end. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await this.#reading.catch(() => {});
  }
}

if (import.meta.main) await profileChild(Deno.args[0], Deno.args[1]);
