/**
 * Sends the interface advisories (advisories.ts) of a real platform's
 * snapshots as they come, and once more when a lease or lifetime deadline
 * passes with nothing read: a DHCPv4 lease past its rebinding time or the
 * last preferred address deprecated begins a going-away without the host
 * saying anything.
 *
 * @module
 */

import type { Snapshot } from "../protocol/model.ts";
import type { PlatformEvent } from "./types.ts";
import { advisories, nextDeadline } from "./advisories.ts";

/** How long after a deadline its snapshot is evaluated again, ms (timers may fire early). */
const AFTER_DEADLINE = 10;
/** The longest delay setTimeout keeps, ms. */
const LONGEST_TIMER = 0x7fffffff;

/**
 * The going-up and going-away advisories of one platform: each snapshot it
 * reads is handed to advise(), which sends what began since the one before
 * (nothing for the first) and re-evaluates the last at its next deadline.
 *
 * @example A link that comes up with no PD yet
 * ```ts
 * import assert from "node:assert/strict";
 * import { Advisor } from "./advisor.ts";
 * import type { PlatformEvent } from "./types.ts";
 * const sent: PlatformEvent[] = [];
 * using advisor = new Advisor((event) => sent.push(event));
 * const nic = { interfaceId: "en0", displayName: "Ethernet", interfaceType: "wired" as const, pds: [] };
 * advisor.advise({ interfaces: [{ ...nic, operState: "down" as const }] });
 * advisor.advise({ interfaces: [{ ...nic, operState: "up" as const }] });
 * assert.deepEqual(sent, [{ type: "interface-going-up", interfaceId: "en0" }]);
 * ```
 */
export class Advisor implements Disposable {
  readonly #listener: (event: PlatformEvent) => void;
  readonly #onDeadline: (() => void) | undefined;
  #last: Snapshot | undefined;
  /** When the last snapshot's advisories were evaluated, epoch ms. */
  #evaluatedAt = 0;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * Creates an advisor that has seen no snapshot yet.
   *
   * @param listener Where the advisories go (the platform's listener).
   * @param options `onDeadline`: what to do when a deadline passes instead
   *   of evaluating the last snapshot again, for a platform that must read
   *   the host to know (macOS: a renewed lease changes no route and posts
   *   no notice); it then advises what it reads.
   * @throws {TypeError} When listener is not a function.
   */
  constructor(
    listener: (event: PlatformEvent) => void,
    options: { readonly onDeadline?: () => void } = {},
  ) {
    if (typeof listener !== "function") {
      throw new TypeError("Cannot create advisor: listener is not a function");
    }
    this.#listener = listener;
    this.#onDeadline = options.onDeadline;
  }

  /**
   * Sends the advisories whose condition holds in `snapshot` and did not in
   * the last one (when it was evaluated), remembers it, and arms the timer
   * for its next deadline. The first snapshot sends nothing. Once closed,
   * does nothing.
   *
   * @example A lease past its rebinding time is going away
   * ```ts
   * import assert from "node:assert/strict";
   * import { Advisor } from "./advisor.ts";
   * import type { PlatformEvent } from "./types.ts";
   * const sent: PlatformEvent[] = [];
   * using advisor = new Advisor((event) => sent.push(event));
   * const lease = (rebindAt: number) => ({ interfaces: [{
   *   interfaceId: "en0", displayName: "Ethernet", interfaceType: "wired" as const,
   *   operState: "up" as const, pds: [{ pdId: "en0/ipv4", family: "ipv4" as const, addresses: [],
   *     elements: [{ element: "dhcpv4" as const, data: { "rebind-at": new Date(rebindAt).toISOString() } }] }],
   * }] });
   * advisor.advise(lease(Date.now() + 3_600_000));
   * advisor.advise(lease(Date.now() - 1000));
   * assert.deepEqual(sent, [{ type: "interface-going-away", interfaceId: "en0" }]);
   * ```
   * @param snapshot The snapshot the platform just read.
   */
  advise(snapshot: Snapshot): void {
    if (this.#closed) return;
    const now = Date.now();
    const before = this.#last;
    this.#last = snapshot;
    for (const event of advisories(before, this.#evaluatedAt, snapshot, now)) this.#listener(event);
    this.#evaluatedAt = now;
    this.#arm();
  }

  /**
   * When a lease or lifetime deadline passes unread: evaluates the last
   * snapshot again, or calls onDeadline.
   */
  #arm(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
    const last = this.#last;
    const at = last && nextDeadline(last, Date.now());
    if (this.#closed || !last || at === undefined) return;
    this.#deadline = setTimeout(() => {
      this.#deadline = undefined;
      if (this.#closed || !this.#last) return;
      if (this.#onDeadline) this.#onDeadline();
      else this.advise(this.#last);
    }, Math.min(at - Date.now() + AFTER_DEADLINE, LONGEST_TIMER));
  }

  /**
   * Stops: clears the deadline timer; nothing is sent after.
   *
   * @example Closed before a deadline
   * ```ts
   * import assert from "node:assert/strict";
   * import { Advisor } from "./advisor.ts";
   * let sent = 0;
   * const advisor = new Advisor(() => sent++);
   * const nic = { interfaceId: "en0", displayName: "Ethernet", interfaceType: "wired" as const, pds: [] };
   * advisor.advise({ interfaces: [{ ...nic, operState: "down" as const }] });
   * advisor.close();
   * advisor.advise({ interfaces: [{ ...nic, operState: "up" as const }] });
   * assert.equal(sent, 0);
   * ```
   */
  close(): void {
    this.#closed = true;
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  /** Same as close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
