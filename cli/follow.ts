/**
 * Subscribing to everything and following new things: on each interface,
 * subscribe to its PDs; on each PD, to its configuration elements and
 * addresses. Subscriptions end with what they are about (§3.3.7.5), so a
 * returning interface or PD is subscribed to again.
 *
 * @module
 */

import type { ApiMessage, SubscriberMessage } from "../protocol/types.ts";

/**
 * Tracks what is subscribed and says what to post next.
 *
 * @example Start with the interfaces
 * ```ts
 * import assert from "node:assert/strict";
 * import { Follower } from "./follow.ts";
 * assert.deepEqual(new Follower().start(), [{ type: "announce-interfaces" }]);
 * ```
 */
export class Follower {
  #interfaces = new Set<string>();
  #pds = new Set<string>();

  /** The first message to post. */
  start(): SubscriberMessage[] {
    return [{ type: "announce-interfaces" }];
  }

  /**
   * What to post after a message arrives.
   *
   * @example Follow an interface
   * ```ts
   * import assert from "node:assert/strict";
   * import { Follower } from "./follow.ts";
   * const f = new Follower();
   * const wlan0 = {
   *   type: "interface-announcement", interfaceId: "wlan0", displayName: "Wi-Fi", interfaceType: "wifi",
   * } as const;
   * assert.deepEqual(f.next(wlan0), [{ type: "announce-provisioning-domains", interfaceId: "wlan0" }]);
   * assert.deepEqual(f.next(wlan0), [], "subscribed already");
   * ```
   * @param message The message that arrived.
   * @returns Messages to post, possibly none.
   */
  next(message: ApiMessage): SubscriberMessage[] {
    switch (message.type) {
      case "interface-announcement":
        if (this.#interfaces.has(message.interfaceId)) return [];
        this.#interfaces.add(message.interfaceId);
        return [{ type: "announce-provisioning-domains", interfaceId: message.interfaceId }];
      case "no-interface-announcement":
        this.#interfaces.delete(message.interfaceId);
        return [];
      case "provisioning-domain-announcement":
        if (this.#pds.has(message.pdId)) return [];
        this.#pds.add(message.pdId);
        return [
          { type: "announce-configuration-elements", pdId: message.pdId },
          { type: "announce-addresses", pdId: message.pdId },
        ];
      case "no-provisioning-domain-announcement":
        this.#pds.delete(message.pdId);
        return [];
      default:
        return [];
    }
  }
}
