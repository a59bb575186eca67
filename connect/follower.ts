/**
 * Subscribing to everything and following new things: on each interface,
 * subscribe to its PDs; on each PD, to its configuration elements and
 * addresses. Subscriptions end with what they are about (§3.3.7.5), so a
 * returning interface or PD is subscribed to again. What the announcements
 * said is kept in one {@linkcode HostView}; connect() and `mif watch` both
 * follow the host this way.
 *
 * @module
 */

import type { ApiMessage, SubscriberMessage } from "../protocol/types.ts";
import { HostView } from "./host_view.ts";

/** Options of {@linkcode Follower}. */
export interface FollowerOptions {
  /** Subscribe to each PD's configuration elements too (default true). */
  readonly elements?: boolean;
  /** Milliseconds since the epoch, for address lifetimes (default Date.now). */
  readonly now?: () => number;
}

/**
 * Tracks what is subscribed, learns what is announced into its
 * {@linkcode Follower.view}, and says what to post next. It posts nothing
 * itself: the caller posts what start(), next() and stop() return.
 *
 * @example Start with the interfaces
 * ```ts
 * import assert from "node:assert/strict";
 * import { Follower } from "./follower.ts";
 * assert.deepEqual(new Follower().start(), [{ type: "announce-interfaces" }]);
 * ```
 */
export class Follower {
  readonly #view: HostView;
  readonly #elements: boolean;

  /**
   * Makes a follower that has subscribed to nothing yet.
   *
   * @param options Whether to follow configuration elements; the clock.
   */
  constructor(options: FollowerOptions = {}) {
    this.#view = new HostView(options.now);
    this.#elements = options.elements ?? true;
  }

  /** What the announcements taken so far said. */
  get view(): HostView {
    return this.#view;
  }

  /** The first message to post. */
  start(): SubscriberMessage[] {
    return [{ type: "announce-interfaces" }];
  }

  /**
   * Learns a message that arrived, and says what to post after it.
   *
   * @example Follow an interface
   * ```ts
   * import assert from "node:assert/strict";
   * import { Follower } from "./follower.ts";
   * const f = new Follower();
   * const wlan0 = {
   *   type: "interface-announcement", interfaceId: "wlan0", displayName: "Wi-Fi", interfaceType: "wifi",
   * } as const;
   * assert.deepEqual(f.next(wlan0), [{ type: "announce-provisioning-domains", interfaceId: "wlan0" }]);
   * assert.deepEqual(f.next(wlan0), [], "subscribed already");
   * assert.equal(f.view.interfaces.get("wlan0")?.interfaceType, "wifi");
   * ```
   * @param message The message that arrived.
   * @returns Messages to post, possibly none.
   */
  next(message: ApiMessage): SubscriberMessage[] {
    const isNew = (message.type === "interface-announcement" &&
      !this.#view.interfaces.has(message.interfaceId)) ||
      (message.type === "provisioning-domain-announcement" && !this.#view.pds.has(message.pdId));
    this.#view.learn(message);
    if (!isNew) return [];
    if (message.type === "interface-announcement") {
      return [{ type: "announce-provisioning-domains", interfaceId: message.interfaceId }];
    }
    if (message.type !== "provisioning-domain-announcement") return [];
    const { pdId } = message;
    return [
      ...(this.#elements ? [{ type: "announce-configuration-elements", pdId } as const] : []),
      { type: "announce-addresses", pdId },
    ];
  }

  /**
   * What ends every subscription still running: each PD's addresses (and
   * elements), each interface's PDs, the interfaces. Nothing is forgotten:
   * stop() says the same again until more messages are learned.
   *
   * @example Stop following one interface with one PD
   * ```ts
   * import assert from "node:assert/strict";
   * import { Follower } from "./follower.ts";
   * const f = new Follower({ elements: false });
   * f.next({ type: "interface-announcement", interfaceId: "eth0", displayName: "eth0", interfaceType: "wired" });
   * f.next({ type: "provisioning-domain-announcement", interfaceId: "eth0", pdId: "eth0/ipv4", family: "ipv4" });
   * assert.deepEqual(f.stop(), [
   *   { type: "stop-announcing-addresses", pdId: "eth0/ipv4" },
   *   { type: "stop-announcing-provisioning-domains", interfaceId: "eth0" },
   *   { type: "stop-announcing-interfaces" },
   * ]);
   * ```
   * @returns Messages to post.
   */
  stop(): SubscriberMessage[] {
    return [
      ...[...this.#view.pds.keys()].flatMap((pdId): SubscriberMessage[] => [
        ...(this.#elements
          ? [{ type: "stop-announcing-configuration-elements", pdId } as const]
          : []),
        { type: "stop-announcing-addresses", pdId },
      ]),
      ...[...this.#view.interfaces.keys()].map((interfaceId): SubscriberMessage => ({
        type: "stop-announcing-provisioning-domains",
        interfaceId,
      })),
      { type: "stop-announcing-interfaces" },
    ];
  }
}
