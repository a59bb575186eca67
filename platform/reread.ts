/**
 * When a real platform reads its host again: changes are gathered by a
 * debounce and read together, one read at a time; what comes while a read
 * runs is read once more after it. What a read covers is the platform's.
 *
 * @module
 */

/** Options for {@linkcode RereadScheduler}. */
export interface RereadOptions {
  /** How long a request waits for the rest of its burst before the read, ms. */
  readonly debounce: number;
  /**
   * How long a leading request (the first sign of one change, whose other
   * signs come at once) waits when no burst is under way, ms; the debounce
   * when shorter. Default: the debounce.
   */
  readonly gather?: number;
}

function checkDelay(name: string, value: number): number {
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`Cannot schedule re-reads: ${name} ${value} is not a number of ms >= 0`);
  }
  return value;
}

/**
 * Runs a platform's re-read after the debounce, never two at once: a
 * request while the read runs marks a burst and runs the read once more
 * after it. The read resolves true to be run once more after it (it may
 * have missed something); a read that throws counts as done (reporting its
 * failures is the read's own business).
 *
 * @example Three requests, one read
 * ```ts
 * import assert from "node:assert/strict";
 * import { RereadScheduler } from "./reread.ts";
 * let reads = 0;
 * const rereads = new RereadScheduler(() => Promise.resolve(void reads++), { debounce: 5 });
 * rereads.request();
 * rereads.request();
 * rereads.request(true);
 * await new Promise((r) => setTimeout(r, 50));
 * await rereads.close();
 * assert.equal(reads, 1);
 * ```
 */
export class RereadScheduler implements AsyncDisposable {
  readonly #read: () => Promise<boolean | void>;
  readonly #debounce: number;
  readonly #gather: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The running read, with what follows it. */
  #running: Promise<void> | undefined;
  #busy = false;
  /** Whether to read once more after the running read. */
  #again = false;
  /** Whether requests came while the last read ran: they wait for the debounce. */
  #burst = false;
  #closed = false;

  /**
   * Creates a scheduler that reads nothing until asked.
   *
   * @param read Reads the host and hands over what it read; true: read once more after it.
   * @param options The debounce and the gather delay.
   * @throws {TypeError} When read is not a function.
   * @throws {RangeError} When a delay is not a number of ms >= 0.
   */
  constructor(read: () => Promise<boolean | void>, options: RereadOptions) {
    if (typeof read !== "function") {
      throw new TypeError("Cannot schedule re-reads: read is not a function");
    }
    this.#read = read;
    this.#debounce = checkDelay("debounce", options.debounce);
    this.#gather = checkDelay("gather", options.gather ?? options.debounce);
  }

  /** Whether a read is running. */
  get busy(): boolean {
    return this.#busy;
  }

  /**
   * Asks for a re-read. A leading request is read after the gather delay,
   * unless it is part of a burst; anything else, and whatever comes while a
   * read runs, waits for the debounce and is read together. Once closed,
   * does nothing.
   *
   * @example A request during a read reads once more after it
   * ```ts
   * import assert from "node:assert/strict";
   * import { RereadScheduler } from "./reread.ts";
   * let reads = 0;
   * const rereads = new RereadScheduler(() => {
   *   if (++reads === 1) rereads.request();
   *   return Promise.resolve();
   * }, { debounce: 1 });
   * rereads.request();
   * while (reads < 2) await new Promise((r) => setTimeout(r, 5));
   * await rereads.close();
   * assert.equal(reads, 2);
   * ```
   * @param leading Whether this is the first sign of a change whose other signs come at once.
   */
  request(leading = false): void {
    if (this.#closed) return;
    if (this.#busy) {
      this.#again = true;
      this.#burst = true;
      return;
    }
    if (this.#timer !== undefined) return;
    const wait = leading && !this.#burst ? Math.min(this.#gather, this.#debounce) : this.#debounce;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#run();
    }, wait);
  }

  async #run(): Promise<void> {
    this.#busy = true;
    this.#burst = false;
    try {
      if (await this.#read()) this.#again = true;
    } catch {
      // The read reports its own failures; the next request reads again.
    } finally {
      this.#busy = false;
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    }
  }

  /**
   * Stops: no read starts after, a waiting one is dropped; resolves once
   * the running read (if any) is over.
   *
   * @example Closed before the debounce ends
   * ```ts
   * import assert from "node:assert/strict";
   * import { RereadScheduler } from "./reread.ts";
   * let reads = 0;
   * const rereads = new RereadScheduler(() => Promise.resolve(void reads++), { debounce: 5 });
   * rereads.request();
   * await rereads.close();
   * await new Promise((r) => setTimeout(r, 20));
   * assert.equal(reads, 0);
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
