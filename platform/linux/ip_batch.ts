/**
 * A long-running `ip -j ... -batch -` that answers one command at a time:
 * spawning `ip` costs a few ms (tens on a loaded 2-core machine), writing a
 * line to a running one about one. A failed command (`dev X` of a device
 * it cannot find) prints nothing on standard output and makes `ip -batch`
 * exit (it runs without -force): the command is rejected at once. When the
 * process dies or an answer is late, the command is rejected, the process
 * is killed, and the next command starts a new one.
 *
 * @module
 */

/** Options for {@linkcode IpBatch}. */
export interface IpBatchOptions {
  /** The program (default "ip"; tests replace it). */
  readonly program?: string;
  /** How long an answer may take before the process is given up, ms (default 2000). */
  readonly timeout?: number;
}

interface Session {
  readonly child: Deno.ChildProcess;
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly lines: AsyncIterator<string>;
}

/**
 * Lines of a stream. `ip -j` prints a whole table as one line (0.5 MB and
 * more), in many chunks: only each new chunk is searched for newlines, and
 * the parts of a line are joined once, when it ends.
 */
async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let parts: string[] = [];
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    let start = 0;
    for (let end = chunk.indexOf("\n"); end !== -1; end = chunk.indexOf("\n", start)) {
      parts.push(chunk.slice(start, end));
      yield parts.join("");
      parts = [];
      start = end + 1;
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  }
}

/**
 * A running `ip -batch -`, started on first use.
 *
 * @example Two commands, one process
 * ```ts
 * import { IpBatch } from "./ip_batch.ts";
 * import assert from "node:assert/strict";
 * // A stand-in for ip that answers each line with one line.
 * const echo = await Deno.makeTempFile();
 * await Deno.writeTextFile(echo, 'while read -r line; do echo "[\\"$line\\"]"; done\n');
 * // sh takes the script as its first "global option" (and ignores "-batch -").
 * const batch = new IpBatch([echo], { program: "sh" });
 * assert.equal(await batch.run("addr show"), '["addr show"]');
 * assert.equal(await batch.run("route show table all"), '["route show table all"]');
 * assert.equal(batch.starts, 1);
 * await batch.close();
 * await Deno.remove(echo);
 * ```
 */
export class IpBatch implements AsyncDisposable {
  readonly #args: readonly string[];
  readonly #program: string;
  readonly #timeout: number;
  #session: Session | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** How many processes were started. */
  starts = 0;

  /**
   * Creates the batch; no process runs until the first command.
   *
   * @param globalArgs The global options before `-batch -`, e.g. `["-6", "-j"]`.
   * @param options Program and answer timeout.
   */
  constructor(globalArgs: readonly string[], options: IpBatchOptions = {}) {
    this.#args = [...globalArgs, "-batch", "-"];
    this.#program = options.program ?? "ip";
    this.#timeout = options.timeout ?? 2000;
  }

  /**
   * Runs one command (one line, without the program and global options).
   *
   * @param command E.g. `"addr show"`.
   * @returns Its one line of output.
   * @throws {Error} "Cannot run ip -batch: ..." when the process is closed, dies or is late.
   */
  run(command: string): Promise<string> {
    if (command.includes("\n")) throw new TypeError("Cannot run ip -batch: a command is one line");
    const result = this.#queue.then(() => this.#ask(command));
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Starts the process now when it is not running, so that the first command finds it. */
  start(): void {
    if (this.#closed) return;
    try {
      this.#session ??= this.#start();
    } catch {
      // The first command will report why.
    }
  }

  #start(): Session {
    const child = new Deno.Command(this.#program, {
      args: [...this.#args],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.starts++;
    return { child, writer: child.stdin.getWriter(), lines: splitLines(child.stdout) };
  }

  async #ask(command: string): Promise<string> {
    if (this.#closed) throw new Error("Cannot run ip -batch: it is closed");
    const session = this.#session ??= this.#start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${this.#timeout} ms`)),
          this.#timeout,
        );
      });
      await Promise.race([session.writer.write(new TextEncoder().encode(`${command}\n`)), late]);
      const line = await Promise.race([session.lines.next(), late]);
      if (line.done) throw new Error(`${this.#program} exited`);
      return line.value;
    } catch (error) {
      await this.#stop(session);
      throw new Error(`Cannot run ip -batch: ${(error as Error).message} (${command})`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async #stop(session: Session): Promise<void> {
    if (this.#session === session) this.#session = undefined;
    try {
      session.child.kill("SIGTERM");
    } catch {
      // It has already exited.
    }
    await session.writer.close().catch(() => {});
    await session.lines.return?.(undefined).catch(() => {});
    await session.child.status;
  }

  /** Stops the process and waits for it to exit. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#session) await this.#stop(this.#session);
    await this.#queue;
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
