/**
 * Watching what connect() posts and receives, for `mif connect`'s progress
 * line: a view of a Mif whose subscribers report every message posted and
 * every message taken. connect() has no progress callback of its own.
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";
import { NO_MESSAGE, type Subscriber } from "../broker/subscriber.ts";
import type { ApiMessage, SubscriberMessage } from "../protocol/types.ts";

/**
 * Told about each message a watched subscriber posts or takes.
 *
 * @example An observer that counts
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MessageObserver } from "./observe.ts";
 * let count = 0;
 * const observer: MessageObserver = { posted: () => count++, received: () => count++ };
 * observer.posted({ type: "announce-interfaces" });
 * assert.equal(count, 1);
 * ```
 */
export interface MessageObserver {
  /** A message was posted. */
  posted(message: SubscriberMessage): void;
  /** A message was taken with get(). */
  received(message: ApiMessage): void;
}

/** A proxy whose methods run on the target itself (its private fields need that). */
function delegate<T extends object>(target: T, own: (key: PropertyKey) => unknown): T {
  return new Proxy(target, {
    get(object, key) {
      const replaced = own(key);
      if (replaced !== undefined) return replaced;
      const value = Reflect.get(object, key, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

/**
 * The same Mif, whose subscribe() gives subscribers that tell `observer`
 * what they post and get.
 *
 * @example Seeing a subscriber's messages
 * ```ts
 * import assert from "node:assert/strict";
 * import { openMif } from "../broker/mif.ts";
 * import { observeMif } from "./observe.ts";
 * await using mif = await openMif({ platform: "sim" });
 * const seen: string[] = [];
 * const observed = observeMif(mif, {
 *   posted: (m) => seen.push(`posted ${m.type}`),
 *   received: (m) => seen.push(`got ${m.type}`),
 * });
 * await using sub = observed.subscribe();
 * sub.post({ type: "announce-interfaces" });
 * sub.get();
 * assert.deepEqual(seen, ["posted announce-interfaces", "got interface-announcement"]);
 * ```
 * @param mif The Mif.
 * @param observer Told about every message.
 * @returns A view of `mif`.
 */
export function observeMif(mif: Mif, observer: MessageObserver): Mif {
  return delegate(
    mif,
    (key) =>
      key === "subscribe"
        ? (...args: Parameters<Mif["subscribe"]>) =>
          observeSubscriber(mif.subscribe(...args), observer)
        : undefined,
  );
}

function observeSubscriber(sub: Subscriber, observer: MessageObserver): Subscriber {
  return delegate(sub, (key) => {
    if (key === "post") {
      return (m: SubscriberMessage) => {
        sub.post(m);
        observer.posted(m);
      };
    }
    if (key === "get") {
      return () => {
        const m = sub.get();
        if (m !== NO_MESSAGE) observer.received(m);
        return m;
      };
    }
    return undefined;
  });
}
