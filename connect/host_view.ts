/**
 * What a subscriber has learned from announcements: the interfaces, their
 * PDs, each PD's configuration elements and addresses, the addresses with
 * their announced lifetimes. The one client-side model of the host: built
 * from messages only (connect/follower.ts feeds it), read by connect() and
 * kept up to date by `mif watch`.
 *
 * @module
 */

import type { Family } from "../ip/ip.ts";
import { expiresAt } from "../protocol/lifetime.ts";
import type { ApiMessage, ElementType, InterfaceType, Lifetime } from "../protocol/types.ts";

/** An interface as announced (§3.3.7.3). */
export interface KnownInterface {
  /** The interface. */
  readonly interfaceId: string;
  /** What a person calls it. */
  readonly displayName: string;
  /** What kind of link it is. */
  readonly interfaceType: InterfaceType;
  /** Whether traffic on it costs; absent when the platform does not know. */
  readonly metered?: boolean;
}

/**
 * An address as announced (§3.3.7.14): its lifetimes as the announcement
 * gave them, and when they run out from the moment it arrived. It fits
 * ip/addrselect.ts's SourceAddress, so source selection reads it directly.
 */
export interface KnownAddress {
  /** The address (canonical, as the API sends it). */
  readonly address: string;
  /** The on-link prefix length. */
  readonly prefixLength: number;
  /** Seconds it was still valid when announced. */
  readonly validLifetime: Lifetime;
  /** Seconds it was still preferred when announced (0: deprecated). */
  readonly preferredLifetime: Lifetime;
  /** When the announcement arrived, in ms since the epoch. */
  readonly announcedAt: number;
  /** When it stops being valid, in ms since the epoch; null = never. */
  readonly validUntil: number | null;
  /** When it becomes deprecated, in ms since the epoch; null = never. */
  readonly preferredUntil: number | null;
}

/** A PD as announced (§3.3.7.7), with what was announced of it since. */
export interface KnownPd {
  /** The PD. */
  readonly pdId: string;
  /** Its interface. */
  readonly interfaceId: string;
  /** Its family. */
  readonly family: Family;
  /** Its configuration elements announced as complete (§3.3.7.10). */
  readonly elements: ReadonlySet<ElementType>;
  /** Its addresses by address, in announcement order. */
  readonly addresses: ReadonlyMap<string, KnownAddress>;
}

interface Pd extends KnownPd {
  readonly elements: Set<ElementType>;
  readonly addresses: Map<string, KnownAddress>;
}

/**
 * The host as a subscriber's announcements describe it: `learn()` every
 * message taken; the rest is read. Things are kept in announcement order,
 * and leave with their "no-…-announcement" (a gone interface takes its PDs
 * with it, as its PD subscriptions end, §3.3.7.5).
 *
 * @example Learn an interface, its PD and an address
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostView } from "./host_view.ts";
 * const view = new HostView(() => 1_000);
 * view.learn({ type: "interface-announcement", interfaceId: "wlan0", displayName: "Wi-Fi", interfaceType: "wifi" });
 * view.learn({ type: "provisioning-domain-announcement", interfaceId: "wlan0", pdId: "wlan0/ipv4", family: "ipv4" });
 * view.learn({
 *   type: "address-announcement", pdId: "wlan0/ipv4", address: "198.51.100.7", prefixLength: 24,
 *   validLifetime: 60, preferredLifetime: "infinite",
 * });
 * const address = view.pds.get("wlan0/ipv4")!.addresses.get("198.51.100.7")!;
 * assert.equal(address.validUntil, 61_000);
 * assert.equal(address.preferredUntil, null);
 * view.learn({ type: "no-interface-announcement", interfaceId: "wlan0" });
 * assert.equal(view.pds.size, 0);
 * ```
 */
export class HostView {
  readonly #now: () => number;
  readonly #interfaces = new Map<string, KnownInterface>();
  readonly #pds = new Map<string, Pd>();

  /**
   * Makes an empty view.
   *
   * @param now Milliseconds since the epoch, for lifetimes (default Date.now).
   */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The interfaces, by id, in announcement order. */
  get interfaces(): ReadonlyMap<string, KnownInterface> {
    return this.#interfaces;
  }

  /** The PDs, by id, in announcement order. */
  get pds(): ReadonlyMap<string, KnownPd> {
    return this.#pds;
  }

  /**
   * Takes in one message; messages that are no announcement change nothing.
   *
   * @param m A message taken from the subscriber.
   */
  learn(m: ApiMessage): void {
    switch (m.type) {
      case "interface-announcement": {
        const { interfaceId, displayName, interfaceType, metered } = m;
        this.#interfaces.set(interfaceId, {
          interfaceId,
          displayName,
          interfaceType,
          ...(metered === undefined ? {} : { metered }),
        });
        return;
      }
      case "no-interface-announcement":
        this.#interfaces.delete(m.interfaceId);
        for (const [pdId, pd] of this.#pds) {
          if (pd.interfaceId === m.interfaceId) this.#pds.delete(pdId);
        }
        return;
      case "provisioning-domain-announcement": {
        const { pdId, interfaceId, family } = m;
        const known = this.#pds.get(pdId);
        this.#pds.set(pdId, {
          pdId,
          interfaceId,
          family,
          elements: known?.elements ?? new Set(),
          addresses: known?.addresses ?? new Map(),
        });
        return;
      }
      case "no-provisioning-domain-announcement":
        this.#pds.delete(m.pdId);
        return;
      case "configuration-element-announcement":
        this.#pds.get(m.pdId)?.elements.add(m.element);
        return;
      case "no-configuration-element-announcement":
        this.#pds.get(m.pdId)?.elements.delete(m.element);
        return;
      case "address-announcement":
        this.#pds.get(m.pdId)?.addresses.set(m.address, known(m, this.#now()));
        return;
      case "no-address-announcement":
        this.#pds.get(m.pdId)?.addresses.delete(m.address);
        return;
    }
  }
}

/** An address announcement as learned at `now`. */
function known(m: ApiMessage & { type: "address-announcement" }, now: number): KnownAddress {
  return {
    address: m.address,
    prefixLength: m.prefixLength,
    validLifetime: m.validLifetime,
    preferredLifetime: m.preferredLifetime,
    announcedAt: now,
    validUntil: expiresAt(m.validLifetime, now),
    preferredUntil: expiresAt(m.preferredLifetime, now),
  };
}
