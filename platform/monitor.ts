/**
 * Follows a host's changes through a long-running tool that prints a line
 * (or a block of lines) per change: `ip -o monitor` on Linux, `route -n
 * monitor` on macOS. When the tool dies it is restarted with backoff, and
 * the restart itself is a trigger without lines, so anything missed in
 * between is picked up.
 *
 * @module
 */

/** Options for {@linkcode Monitor}. */
export interface MonitorOptions {
  /** The command, program first (Linux: `ip -o monitor ...`; macOS: `route -n monitor`). */
  readonly command: readonly string[];
  /** Which lines are triggers (default: any output at all). */
  readonly filter?: (line: string) => boolean;
  /** First restart delay in ms (default 100), doubled up to 5 s while it keeps dying. */
  readonly restartDelay?: number;
  /** Called with the error when the monitor cannot be started or exits. */
  readonly onError?: (error: Error) => void;
  /** Called each time the monitor process has started (again). */
  readonly onStart?: () => void;
}

/**
 * Called for the lines of each chunk the monitor printed that pass the
 * filter, or without lines after a restart (anything may have changed).
 */
export type MonitorCallback = (lines?: readonly string[]) => void;

/** A running monitor. */
export class Monitor implements AsyncDisposable {
  readonly #argv: readonly string[];
  readonly #onChange: MonitorCallback;
  readonly #filter: ((line: string) => boolean) | undefined;
  readonly #onError: (error: Error) => void;
  readonly #onStart: () => void;
  readonly #firstDelay: number;
  #delay: number;
  #child: Deno.ChildProcess | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #running: Promise<void> | undefined;
  /** How many times it was restarted. */
  restarts = 0;

  /**
   * Starts the monitor.
   *
   * @example Follow changes
   * ```ts ignore
   * import { Monitor } from "./monitor.ts";
   * await using monitor = new Monitor(() => console.log("changed"), { command: ["route", "-n", "monitor"] });
   * ```
   * @param onChange Called with the (filtered) lines of every chunk, and
   *   without lines after every restart.
   * @param options Command, backoff, error callback.
   */
  constructor(onChange: MonitorCallback, options: MonitorOptions) {
    this.#argv = options.command;
    this.#onChange = onChange;
    this.#filter = options.filter;
    this.#onError = options.onError ?? (() => {});
    this.#onStart = options.onStart ?? (() => {});
    this.#firstDelay = this.#delay = options.restartDelay ?? 100;
    this.#running = this.#run();
  }

  async #run(): Promise<void> {
    const [program, ...args] = this.#argv;
    const started = Date.now();
    try {
      this.#child = new Deno.Command(program, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      this.#onStart();
      const text = this.#child.stdout.pipeThrough(new TextDecoderStream());
      let partial = "";
      for await (const chunk of text) {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop()!;
        // Every line goes through the filter: it may keep state (routerFlagChanges).
        const passed = this.#filter ? lines.filter(this.#filter) : lines;
        if (passed.length > 0) this.#onChange(passed);
      }
      // A last line without its newline still counts.
      if (partial !== "" && (!this.#filter || this.#filter(partial))) this.#onChange([partial]);
      const status = await this.#child.status;
      if (!this.#closed) {
        this.#onError(
          new Error(`Cannot follow changes: ${program} exited with code ${status.code}`),
        );
      }
    } catch (error) {
      if (!this.#closed) {
        this.#onError(
          new Error(`Cannot follow changes: ${(error as Error).message}`, { cause: error }),
        );
      }
    }
    this.#child = undefined;
    if (this.#closed) return;
    // A monitor that ran for a while earns a fast restart again.
    if (Date.now() - started > 10_000) this.#delay = this.#firstDelay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.restarts++;
      this.#running = this.#run();
      this.#onChange();
    }, this.#delay);
    this.#delay = Math.min(this.#delay * 2, 5000);
  }

  /** Stops the monitor and waits for its process to exit. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    try {
      this.#child?.kill("SIGTERM");
    } catch {
      // It has already exited.
    }
    await this.#running;
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
