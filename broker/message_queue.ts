/**
 * A subscriber's inbox: a FIFO with readiness waits for CHECK MESSAGE
 * (§3.3.6.2): a non-blocking probe, a bounded wait, or an indefinite one.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/** How many event-loop callbacks marked with {@linkcode fromEventLoop} are running now. */
let eventDepth = 0;

/**
 * Runs a callback of the event loop (a PD worker's message): a CHECK MESSAGE
 * wait it wakes resolves without waiting for another turn of the loop, which
 * the event that woke it just was (see {@linkcode MessageQueue.waitAfterTurn}).
 *
 * @example A wait woken from an event-loop callback resolves at once
 * ```ts
 * import { fromEventLoop, MessageQueue } from "./message_queue.ts";
 * import assert from "node:assert/strict";
 * const queue = new MessageQueue<string>();
 * const waiting = queue.waitAfterTurn();
 * setTimeout(() => fromEventLoop(() => queue.push("answer")), 0);
 * assert.equal(await waiting, true);
 * assert.equal(queue.shift(), "answer");
 * ```
 * @param callback The callback's work.
 */
export function fromEventLoop(callback: () => void): void {
  eventDepth++;
  try {
    callback();
  } finally {
    eventDepth--;
  }
}

/** Resolves after the event loop's next turn (~2 µs here; setTimeout(0) ~2 ms). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Options for {@linkcode MessageQueue.wait}. */
export interface WaitOptions {
  /** Milliseconds to wait: 0 probes, Infinity (the default) waits forever. */
  readonly timeout?: number;
  /** Aborts the wait; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Validates a CHECK MESSAGE timeout.
 *
 * @param timeout The caller's value.
 * @returns The timeout in milliseconds.
 */
export function checkTimeout(timeout: unknown): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== "number" || Number.isNaN(timeout)) {
    throw new TypeError(
      `Cannot check messages: timeout must be a number of milliseconds, got ${typeof timeout}`,
    );
  }
  if (timeout < 0) {
    throw new RangeError(`Cannot check messages: timeout must not be negative, got ${timeout}`);
  }
  return timeout;
}

/**
 * A FIFO of messages whose readers can wait for it to become ready. It ends
 * in one of two ways: close() drops what is queued; end() keeps it readable
 * and refuses more. Either way it is closed: nothing more will arrive.
 */
export class MessageQueue<T> {
  #items: T[] = [];
  #head = 0;
  #closed = false;
  #waiters = new Set<() => void>();
  #extraReady: () => boolean;

  /**
   * @param extraReady Readiness beyond queued messages (readable connections).
   */
  constructor(extraReady: () => boolean = () => false) {
    this.#extraReady = extraReady;
  }

  /** Number of queued messages. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Whether the queue was closed or ended: nothing more will be queued. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a reader would not block. */
  get ready(): boolean {
    return this.#closed || this.size > 0 || this.#extraReady();
  }

  /**
   * Appends a message and wakes waiters.
   *
   * @returns false when the queue is closed and the message was not queued.
   */
  push(item: T): boolean {
    if (this.#closed) return false;
    this.#items.push(item);
    this.notify();
    return true;
  }

  /**
   * Puts messages before every queued one, in the given order.
   *
   * @returns false when the queue is closed and nothing was queued.
   */
  pushFront(items: readonly T[]): boolean {
    if (this.#closed) return false;
    if (items.length === 0) return true;
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
    this.notify();
    return true;
  }

  /**
   * Removes every queued message the predicate picks, keeping the order of
   * the rest.
   *
   * @returns How many were removed.
   */
  dropWhere(predicate: (item: T) => boolean): number {
    const kept = this.#items.slice(this.#head).filter((item) => !predicate(item));
    const dropped = this.size - kept.length;
    this.#items = kept;
    this.#head = 0;
    return dropped;
  }

  /**
   * Queues a last message and closes the queue without dropping anything:
   * what is queued stays readable, nothing more is accepted.
   *
   * @returns false when the queue was closed already.
   */
  end(last: T): boolean {
    if (this.#closed) return false;
    this.#items.push(last);
    this.#closed = true;
    this.notify();
    return true;
  }

  /** Removes and returns the oldest message, if any. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Wakes waiters so they re-evaluate readiness. */
  notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Drops every queued message and wakes every waiter for good. */
  close(): void {
    this.#closed = true;
    this.#items = [];
    this.#head = 0;
    this.notify();
  }

  /**
   * Resolves once the queue is ready (or, with messagesOnly, holds a
   * message), is closed, or the timeout passes.
   *
   * @returns Whether it became ready.
   */
  wait(options: WaitOptions = {}, messagesOnly = false): Promise<boolean> {
    const timeout = checkTimeout(options.timeout);
    const { signal } = options;
    const ready = messagesOnly ? () => this.#closed || this.size > 0 : () => this.ready;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ready()) return Promise.resolve(true);
    if (timeout === 0) return Promise.resolve(false);
    return this.#park(timeout, signal, ready, false);
  }

  /**
   * CHECK MESSAGE's wait (§3.3.6.2): like {@linkcode MessageQueue.wait}, but
   * it resolves only after the event loop turned since the call, so that a
   * loop of checks over something already true cannot starve timers, workers
   * and sockets. A probe, a ready queue and a wait that ends by a timeout,
   * an abort or a push from the caller's own code (a microtask) take one
   * turn (setImmediate); a wait woken by an event-loop callback (a worker's
   * answer, see {@linkcode fromEventLoop}) resolves at once, since that
   * callback came from the loop after the call: it saves the ~5 µs of an
   * immediate on the broker → worker round trip. A wake that takes a turn
   * checks again after it, and waits on if what was ready is gone.
   *
   * @returns Whether it became ready.
   */
  waitAfterTurn(options: WaitOptions = {}): Promise<boolean> {
    const timeout = checkTimeout(options.timeout);
    const { signal } = options;
    if (signal?.aborted || this.ready || timeout === 0) {
      return nextTurn().then(() => this.wait(options));
    }
    return this.#park(timeout, signal, () => this.ready, true);
  }

  /**
   * Waits for ready() (see wait and waitAfterTurn). With `afterTurn`, a wake
   * outside an event-loop callback takes a turn and checks again: what
   * became ready may be gone by then (a connection's data read by the
   * caller's other code), and the wait goes on rather than answer "not ready"
   * before its time.
   */
  #park(
    timeout: number,
    signal: AbortSignal | undefined,
    ready: () => boolean,
    afterTurn: boolean,
  ): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let turning = false;
      const stop = () => {
        this.#waiters.delete(wake);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const end = (outcome: () => void) => {
        stop();
        if (afterTurn) setImmediate(outcome);
        else outcome();
      };
      const wake = () => {
        if (!ready()) return;
        if (!afterTurn || eventDepth > 0) {
          stop();
          resolve(true);
        } else if (!turning) {
          turning = true;
          setImmediate(() => {
            turning = false;
            if (ready()) {
              stop();
              resolve(true);
            }
          });
        }
      };
      const onAbort = () => end(() => reject(signal!.reason));
      this.#waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
      // Beyond the longest timer (2^31 - 1 ms, about 24.8 days) a wait is indefinite.
      if (timeout <= 0x7fffffff) timer = setTimeout(() => end(() => resolve(false)), timeout);
    });
  }
}
