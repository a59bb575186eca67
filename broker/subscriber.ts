/**
 * The subscriber handle: the draft's communication model (§3.3.6) — POST
 * MESSAGE, CHECK MESSAGE and GET MESSAGE — plus async iteration and
 * disposal over the same queue.
 *
 * @module
 */

import type { ApiMessage, SubscriberMessage } from "../protocol/types.ts";
import type { MessageQueue } from "./message_queue.ts";
import type { Connection } from "./connection.ts";

/**
 * What {@linkcode Subscriber.get} returns when no message is waiting: the
 * draft's "status code indicating that there is no message waiting"
 * (§3.3.6.3).
 *
 * @example Drain a subscriber without waiting
 * ```ts
 * import { NO_MESSAGE, openMif } from "@mif/mif";
 * import assert from "node:assert/strict";
 * await using mif = await openMif({ platform: "sim" });
 * const sub = mif.subscribe();
 * assert.equal(sub.get(), NO_MESSAGE); // nothing asked for yet
 * ```
 */
export const NO_MESSAGE: unique symbol = Symbol("mif.no-message");

/** Options for {@linkcode Subscriber.check}. */
export interface CheckOptions {
  /**
   * Milliseconds to wait: 0 is a non-blocking probe, a positive number a
   * bounded wait, undefined or Infinity (or more than 2^31 - 1, about 24.8
   * days) an indefinite one.
   */
  readonly timeout?: number;
  /** Aborts the wait; check() then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What {@linkcode Subscriber.check} reports, like poll() does. */
export interface CheckResult {
  /** Whether get() would return a message or a connection is readable. */
  readonly ready: boolean;
  /** How many MIF messages are waiting. */
  readonly messages: number;
  /** Tokens of this subscriber's connections that are readable. */
  readonly connections: readonly string[];
  /** Whether the subscriber is closed (nothing more will arrive). */
  readonly closed: boolean;
}

/** Options for {@linkcode Subscriber.messages}. */
export interface MessagesOptions {
  /** Ends the iteration by rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Keep the subscriber open when the loop ends early (default: close it). */
  readonly preventClose?: boolean;
}

/**
 * One application's or high-level API's view of the MIF API. Each has its own
 * subscriptions, translations, connections and intents.
 *
 * @example Announce interfaces and read them
 * ```ts
 * import { type ApiMessage, NO_MESSAGE, openMif } from "@mif/mif";
 * import assert from "node:assert/strict";
 * await using mif = await openMif({ platform: "sim" });
 * await using sub = mif.subscribe({ name: "example" });
 * sub.post({ type: "announce-interfaces" });
 * const messages: ApiMessage[] = [];
 * for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) messages.push(m);
 * assert.equal(messages.length, 3);
 * assert.deepEqual(messages[0], {
 *   type: "interface-announcement", interfaceId: "wlan0", displayName: "Wi-Fi", interfaceType: "wifi",
 * });
 * ```
 */
export interface Subscriber extends AsyncIterable<ApiMessage>, AsyncDisposable {
  /** A number unique within its Mif instance. */
  readonly id: number;
  /** The name given to subscribe(), shown in status. */
  readonly name: string | undefined;
  /** Whether close() was called or the Mif instance closed. */
  readonly closed: boolean;
  /**
   * POST MESSAGE (§3.3.6.1): posts and returns. A message that fails
   * validation or names something unknown is answered with an `error`
   * message; nothing posted throws here except posting on a closed handle.
   *
   * @throws {Deno.errors.BadResource} When the subscriber is closed.
   */
  post(message: SubscriberMessage): void;
  /**
   * CHECK MESSAGE (§3.3.6.2): probe, bounded wait or indefinite wait. It
   * lets the event loop run before it resolves (a turn, or the event-loop
   * callback that brought a PD worker's answer after the call), so a loop of
   * check() and get() never starves timers, workers or sockets.
   */
  check(options?: CheckOptions): Promise<CheckResult>;
  /** GET MESSAGE (§3.3.6.3): the next message, or NO_MESSAGE. */
  get(): ApiMessage | typeof NO_MESSAGE;
  /**
   * The connection a `connected` message's token names (§3.3.7.23). One that
   * ended before it was taken is still handed out, once, with its ending (the
   * 1,024 latest such):
   * its readable errors with the reason (or closes) and `closed` has
   * settled. A taken connection is forgotten once it closes. Closing the
   * subscriber closes its connections.
   *
   * @throws {TypeError} When token is not a string.
   * @throws {Deno.errors.NotFound} When this subscriber has no such connection open, nor ended
   * and not yet taken (it keeps the 1,024 latest of those).
   */
  connection(token: string): Connection;
  /** Iterates messages as they arrive until the subscriber closes. */
  messages(options?: MessagesOptions): AsyncGenerator<ApiMessage, void, undefined>;
  /**
   * Ends every subscription, cancels translations and connection attempts,
   * drops intents and queued messages.
   */
  close(): Promise<void>;
}

/** The broker's side of a subscriber handle. */
export interface SessionPort {
  /** Handles a posted message. */
  post(message: unknown): void;
  /** Tokens of readable connections. */
  readableConnections(): readonly string[];
  /** The open connection with a token. */
  connection(token: string): Connection | undefined;
  /** Releases everything the subscriber holds. */
  close(): void;
}

/** The implementation behind {@linkcode Subscriber}. */
export class SubscriberHandle implements Subscriber {
  readonly id: number;
  readonly name: string | undefined;
  #queue: MessageQueue<ApiMessage>;
  #port: SessionPort;

  constructor(
    id: number,
    name: string | undefined,
    queue: MessageQueue<ApiMessage>,
    port: SessionPort,
  ) {
    this.id = id;
    this.name = name;
    this.#queue = queue;
    this.#port = port;
  }

  get closed(): boolean {
    return this.#queue.closed;
  }

  post(message: SubscriberMessage): void {
    if (this.#queue.closed) {
      throw new Deno.errors.BadResource("Cannot post message: the subscriber is closed");
    }
    this.#port.post(message);
  }

  async check(options: CheckOptions = {}): Promise<CheckResult> {
    // The event loop turns before it resolves, so that a CHECK/GET loop over
    // something already true (an unread connection end) cannot starve
    // timers, workers and sockets: a probe or a ready queue would otherwise
    // resolve in a microtask (see MessageQueue.waitAfterTurn).
    await this.#queue.waitAfterTurn(options);
    const connections = this.#queue.closed ? [] : this.#port.readableConnections();
    const messages = this.#queue.size;
    return {
      ready: messages > 0 || connections.length > 0,
      messages,
      connections,
      closed: this.#queue.closed,
    };
  }

  get(): ApiMessage | typeof NO_MESSAGE {
    return this.#queue.shift() ?? NO_MESSAGE;
  }

  connection(token: string): Connection {
    if (typeof token !== "string") {
      throw new TypeError(`Cannot find connection: token must be a string, got ${typeof token}`);
    }
    const connection = this.#port.connection(token);
    if (!connection) {
      throw new Deno.errors.NotFound(
        `Cannot find connection: this subscriber has no open connection "${token}"`,
      );
    }
    return connection;
  }

  async *messages(options: MessagesOptions = {}): AsyncGenerator<ApiMessage, void, undefined> {
    try {
      while (true) {
        const message = this.get();
        if (message !== NO_MESSAGE) {
          yield message;
          continue;
        }
        if (this.#queue.closed) return;
        await this.#queue.wait({ signal: options.signal }, true);
      }
    } finally {
      if (!options.preventClose) await this.close();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<ApiMessage, void, undefined> {
    return this.messages();
  }

  close(): Promise<void> {
    // Also after the broker ended the queue (an overflow): drop what is left.
    this.#queue.close();
    this.#port.close();
    return Promise.resolve();
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
