/**
 * The interface advisories of §3.3.7.25.4–5 as every real platform (Linux,
 * macOS) derives them from the snapshots it reads (advisor.ts sends them),
 * each sent once when its condition begins:
 *
 * - going up: the link is up (it has carrier) but carries no PD yet — DHCP
 *   or SLAAC is still in progress;
 * - going away: every PD of the interface is expiring — a DHCPv4 lease past
 *   its rebinding time (RFC 2131 §4.4.5: nobody renewed it), or its
 *   addresses all deprecated (a router that leaves deprecates its prefixes;
 *   a router lifetime of 0 alone is no sign: a stub router always has it).
 *
 * A link taken down administratively is not announced beforehand: the kernel
 * reports it only once it is down, and then its PDs are simply withdrawn.
 *
 * @module
 */

import type { PlatformEvent } from "./types.ts";
import type { InterfaceInfo, PdInfo, Snapshot } from "../protocol/model.ts";

function deprecated(pd: PdInfo, now: number): boolean {
  return pd.addresses.length > 0 &&
    pd.addresses.every((a) => a.preferredUntil !== null && a.preferredUntil <= now);
}

function rebinding(pd: PdInfo, now: number): boolean {
  const at = pd.elements.find((e) => e.element === "dhcpv4")?.data["rebind-at"];
  return typeof at === "string" && Date.parse(at) <= now;
}

/**
 * Whether a PD is expiring: a DHCPv4 lease past rebinding, or every address
 * deprecated. A PD that is only static never expires.
 *
 * @param pd The PD.
 * @param now Epoch ms.
 */
export function expiring(pd: PdInfo, now: number): boolean {
  return rebinding(pd, now) || deprecated(pd, now);
}

function goingUp(nic: InterfaceInfo): boolean {
  return nic.operState === "up" && nic.pds.length === 0;
}

function goingAway(nic: InterfaceInfo, now: number): boolean {
  // A preferred address not yet attributed (a new prefix whose RA is being
  // read, as in a renumbering) may be a PD's future: not going away.
  const pending = (nic.unattributed ?? []).some((a) =>
    a.preferredUntil === null || a.preferredUntil > now
  );
  return !pending && nic.pds.length > 0 && nic.pds.every((pd) => expiring(pd, now));
}

/**
 * The advisories a new snapshot calls for: one for each interface whose
 * going-up or going-away condition holds now and did not in the snapshot
 * before (at the time that one was taken).
 *
 * @example A link that came up and has no PD yet
 * ```ts
 * import { advisories } from "./advisories.ts";
 * import assert from "node:assert/strict";
 * const nic = { interfaceId: "eth0", displayName: "eth0", interfaceType: "wired" as const, pds: [] };
 * const before = { interfaces: [{ ...nic, operState: "down" as const }] };
 * const after = { interfaces: [{ ...nic, operState: "up" as const }] };
 * assert.deepEqual(advisories(before, 0, after, 0), [
 *   { type: "interface-going-up", interfaceId: "eth0" },
 * ]);
 * ```
 * @param before The last snapshot, or undefined at start (nothing is announced then).
 * @param beforeAt When its conditions were last evaluated, epoch ms.
 * @param after The new snapshot (or the same one, re-evaluated later).
 * @param now Epoch ms.
 * @returns The advisories, in interface order.
 */
export function advisories(
  before: Snapshot | undefined,
  beforeAt: number,
  after: Snapshot,
  now: number,
): PlatformEvent[] {
  if (!before) return [];
  const old = new Map(before.interfaces.map((n) => [n.interfaceId, n]));
  return after.interfaces.flatMap((nic): PlatformEvent[] => {
    const prior = old.get(nic.interfaceId);
    const { interfaceId } = nic;
    if (goingUp(nic) && !(prior && goingUp(prior))) {
      return [{ type: "interface-going-up", interfaceId }];
    }
    if (goingAway(nic, now) && !(prior && goingAway(prior, beforeAt))) {
      return [{ type: "interface-going-away", interfaceId }];
    }
    return [];
  });
}

/**
 * When a going-away condition may next begin without anything being read:
 * the earliest rebinding time or preferred lifetime end still ahead.
 *
 * @example The next deadline of a snapshot
 * ```ts
 * import { nextDeadline } from "./advisories.ts";
 * import assert from "node:assert/strict";
 * const pd = { pdId: "eth0/ipv4", family: "ipv4" as const, elements: [],
 *   addresses: [{ address: "198.51.100.7", prefixLength: 24, validUntil: 9000, preferredUntil: 5000 }] };
 * const nic = { interfaceId: "eth0", displayName: "eth0", interfaceType: "wired" as const,
 *   operState: "up" as const, pds: [pd] };
 * assert.equal(nextDeadline({ interfaces: [nic] }, 1000), 5000);
 * ```
 * @param snapshot A snapshot.
 * @param now Epoch ms.
 * @returns Epoch ms, or undefined when there is none.
 */
export function nextDeadline(snapshot: Snapshot, now: number): number | undefined {
  let next: number | undefined;
  const consider = (t: number | null | undefined) => {
    if (t !== null && t !== undefined && Number.isFinite(t) && t > now) {
      next = next === undefined ? t : Math.min(next, t);
    }
  };
  for (const nic of snapshot.interfaces) {
    for (const pd of nic.pds) {
      for (const a of pd.addresses) consider(a.preferredUntil);
      const rebind = pd.elements.find((e) => e.element === "dhcpv4")?.data["rebind-at"];
      if (typeof rebind === "string") consider(Date.parse(rebind));
    }
  }
  return next;
}
