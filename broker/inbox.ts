/**
 * A subscriber's bounded inbox. A subscriber that does not read cannot make
 * the broker hold more than `limit` of its messages, and loses nothing
 * without being told:
 *
 * - Announcements are state. When the inbox is full they are dropped, one
 *   `error` with reason "queue-overflow" takes their place, and no further
 *   announcement is queued until the subscriber reads that error; at that
 *   moment the current state of every subscription it holds is queued right
 *   after it (what announce-* would send), so its view is whole again.
 * - Answers to its own requests cannot be sent again, so they are never
 *   dropped. When they alone fill the inbox the subscriber is closed: a last
 *   "queue-overflow" error says so, and what was queued stays readable.
 *
 * @module
 */

import { MessageQueue } from "./message_queue.ts";
import type { ApiMessage, ErrorMessage } from "../protocol/types.ts";

/** The messages that carry state a resynchronisation can send again. */
export const ANNOUNCEMENT_TYPES = [
  "interface-announcement",
  "no-interface-announcement",
  "provisioning-domain-announcement",
  "no-provisioning-domain-announcement",
  "configuration-element-announcement",
  "no-configuration-element-announcement",
  "address-announcement",
  "no-address-announcement",
  "interface-going-away",
  "interface-going-up",
] as const satisfies readonly ApiMessage["type"][];

const ANNOUNCEMENTS = new Set<string>(ANNOUNCEMENT_TYPES);

/** Default {@linkcode InboxOptions.limit}: about 1 MB of messages. */
export const DEFAULT_QUEUE_LIMIT = 10_000;

/** How an {@linkcode Inbox} behaves. */
export interface InboxOptions {
  /** Unread messages that fill the inbox. */
  readonly limit: number;
  /** Readiness beyond queued messages (readable connections). */
  readonly extraReady?: () => boolean;
  /** The current state of the subscriber's subscriptions, as announcements. */
  readonly resync: () => ApiMessage[];
  /** Called once when answers alone fill the inbox, before it ends. */
  readonly full: () => void;
}

function isAnnouncement(message: ApiMessage): boolean {
  return ANNOUNCEMENTS.has(message.type);
}

function overflow(detail: string): ErrorMessage {
  return Object.freeze({ type: "error", reason: "queue-overflow", messageType: null, detail });
}

/**
 * A {@linkcode MessageQueue} of API messages with the overflow policy above.
 *
 * @example A subscriber that never reads gets one overflow notice, then the state
 * ```ts
 * import { Inbox } from "./inbox.ts";
 * import assert from "node:assert/strict";
 * const up = { type: "interface-going-up", interfaceId: "eth0" } as const;
 * const state = { type: "no-interface-announcement", interfaceId: "wlan0" } as const;
 * const inbox = new Inbox({ limit: 2, resync: () => [state], full: () => {} });
 * for (let i = 0; i < 5; i++) inbox.push(up);
 * assert.equal(inbox.shift()?.type, "error"); // reason "queue-overflow"
 * assert.equal(inbox.shift(), state);
 * assert.equal(inbox.shift(), undefined);
 * ```
 */
export class Inbox extends MessageQueue<ApiMessage> {
  #options: InboxOptions;
  /** The queued overflow notice whose reading brings the state, if any. */
  #notice: ErrorMessage | undefined;

  /** @param options The limit and what to do on overflow. */
  constructor(options: InboxOptions) {
    super(options.extraReady);
    this.#options = options;
  }

  /** Queues a message under the overflow policy; false once the inbox has ended. */
  override push(message: ApiMessage): boolean {
    if (this.closed) return false;
    const announcement = isAnnouncement(message);
    // Until the notice is read, the state it brings covers every change.
    if (announcement && this.#notice) return true;
    const { limit } = this.#options;
    if (this.size >= limit) {
      const dropped = this.#notice ? 0 : this.dropWhere(isAnnouncement);
      if (dropped > 0 || (announcement && !this.#notice)) {
        this.#notice = overflow(
          `Cannot queue announcements: ${limit} messages wait unread; ${dropped} queued ` +
            "announcements were dropped and the current state of every subscription " +
            "follows this message",
        );
        super.push(this.#notice);
      }
      if (announcement) return true;
      if (this.size >= limit) {
        this.#options.full();
        this.end(overflow(
          `Cannot queue answers: ${limit} answers wait unread; the subscriber is closed, ` +
            "its requests cancelled and its connections closed",
        ));
        return false;
      }
    }
    return super.push(message);
  }

  /** The oldest message; reading the overflow notice queues the state right behind it. */
  override shift(): ApiMessage | undefined {
    const message = super.shift();
    if (message !== undefined && message === this.#notice) {
      this.#notice = undefined;
      this.pushFront(this.#options.resync().map((m) => Object.freeze(m)));
    }
    return message;
  }
}
