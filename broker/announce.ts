/**
 * Turns snapshot changes into announcements (§3.3.7.1–16) for the sessions
 * subscribed to them, and ends subscriptions whose subject is gone.
 *
 * @module
 */

import type { Change } from "./diff.ts";
import { fanOut, type Session } from "./session.ts";
import type { AddressInfo, ElementInfo, InterfaceInfo, PdInfo } from "../protocol/model.ts";
import type { ApiMessage } from "../protocol/types.ts";
import { remaining } from "../protocol/lifetime.ts";

/** What the broker does beyond announcing. */
export interface AnnounceHooks {
  /** A PD is gone: stop its worker, answering its requests pd-gone. */
  retire(pdId: string): void;
  /** A PD's configuration changed: hand it to its worker. */
  configure(pdId: string): void;
}

/** The interface-announcement for an interface (§3.3.7.3). */
export function interfaceAnnouncement(nic: InterfaceInfo): ApiMessage {
  return {
    type: "interface-announcement",
    interfaceId: nic.interfaceId,
    displayName: nic.displayName,
    interfaceType: nic.interfaceType,
    ...(nic.metered === undefined ? {} : { metered: nic.metered }),
  };
}

/** The provisioning-domain-announcement for a PD (§3.3.7.7). */
export function pdAnnouncement(interfaceId: string, pd: PdInfo): ApiMessage {
  return {
    type: "provisioning-domain-announcement",
    interfaceId,
    pdId: pd.pdId,
    family: pd.family,
  };
}

/** The configuration-element-announcement for an element (§3.3.7.10). */
export function elementAnnouncement(pd: PdInfo, element: ElementInfo): ApiMessage {
  return { type: "configuration-element-announcement", pdId: pd.pdId, element: element.element };
}

/** The address-announcement for an address (§3.3.7.14). */
export function addressAnnouncement(pd: PdInfo, a: AddressInfo, now: number): ApiMessage {
  return {
    type: "address-announcement",
    pdId: pd.pdId,
    address: a.address,
    prefixLength: a.prefixLength,
    validLifetime: remaining(a.validUntil, now),
    preferredLifetime: remaining(a.preferredUntil, now),
  };
}

/** What announce-provisioning-domains sends: the interface's PDs. */
export function pdAnnouncements(nic: InterfaceInfo): ApiMessage[] {
  return nic.pds.map((pd) => pdAnnouncement(nic.interfaceId, pd));
}

/** What announce-configuration-elements sends: the PD's elements. */
export function elementAnnouncements(pd: PdInfo): ApiMessage[] {
  return pd.elements.map((e) => elementAnnouncement(pd, e));
}

/** What announce-addresses sends: the PD's addresses, lifetimes as of `now`. */
export function addressAnnouncements(pd: PdInfo, now: number): ApiMessage[] {
  return pd.addresses.map((a) => addressAnnouncement(pd, a, now));
}

/**
 * Announces one change.
 *
 * @param change From diffSnapshots, in order.
 * @param sessions Every session.
 * @param now Epoch ms, for lifetimes.
 * @param hooks Worker actions.
 */
export function announce(
  change: Change,
  sessions: ReadonlyMap<number, Session>,
  now: number,
  hooks: AnnounceHooks,
): void {
  const all = () => sessions.values();
  switch (change.kind) {
    case "address-removed":
      return fanOut(all(), (s) => s.addressesOf.has(change.pd.pdId), {
        type: "no-address-announcement",
        pdId: change.pd.pdId,
        address: change.address,
      });
    case "element-removed":
      return fanOut(all(), (s) => s.elementsOf.has(change.pd.pdId), {
        type: "no-configuration-element-announcement",
        pdId: change.pd.pdId,
        element: change.element.element,
      });
    case "pd-removed": {
      const { interfaceId, pd } = change;
      fanOut(all(), (s) => s.pdsOn.has(interfaceId), {
        type: "no-provisioning-domain-announcement",
        interfaceId,
        pdId: pd.pdId,
      });
      // Like PD subscriptions with their interface (§3.3.7.5), subscriptions
      // to a PD's elements and addresses end with the PD.
      for (const s of all()) {
        s.elementsOf.delete(pd.pdId);
        s.addressesOf.delete(pd.pdId);
      }
      return hooks.retire(pd.pdId);
    }
    case "interface-removed":
      fanOut(all(), (s) => s.interfaces, {
        type: "no-interface-announcement",
        interfaceId: change.nic.interfaceId,
      });
      // §3.3.7.5: "any subscriber that had subscribed to Provisioning Domain
      // announcements for that interface will be automatically unsubscribed."
      for (const s of all()) s.pdsOn.delete(change.nic.interfaceId);
      return;
    case "interface-added":
    case "interface-changed":
      return fanOut(all(), (s) => s.interfaces, interfaceAnnouncement(change.nic));
    case "pd-added":
      return fanOut(
        all(),
        (s) => s.pdsOn.has(change.interfaceId),
        pdAnnouncement(change.interfaceId, change.pd),
      );
    case "pd-changed":
      return hooks.configure(change.pd.pdId);
    case "element-added":
    case "element-changed":
      return fanOut(
        all(),
        (s) => s.elementsOf.has(change.pd.pdId),
        elementAnnouncement(change.pd, change.element),
      );
    case "address-added":
    case "address-changed":
      return fanOut(
        all(),
        (s) => s.addressesOf.has(change.pd.pdId),
        addressAnnouncement(change.pd, change.address, now),
      );
    default: {
      const never: never = change;
      throw new TypeError(`Cannot announce change: ${JSON.stringify(never)}`);
    }
  }
}
