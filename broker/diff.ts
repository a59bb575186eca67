/**
 * Diffs two snapshots into the ordered changes the broker announces.
 *
 * Order (draft §3.3.7.5, §3.3.7.9, §3.3.7.13): for each interface of the old
 * snapshot, every PD that goes first loses its addresses and configuration
 * elements, then the PD itself; surviving PDs lose what they lost; an
 * interface that goes is removed only after all its PDs. Then, in the new
 * snapshot's order, parents are added before children: interface, PD,
 * configuration elements, addresses.
 *
 * @module
 */

import type {
  AddressInfo,
  ElementInfo,
  InterfaceInfo,
  PdInfo,
  Snapshot,
} from "../protocol/model.ts";
import { sameData } from "../protocol/json_value.ts";

/** One change between two snapshots. */
export type Change =
  | { readonly kind: "address-removed"; readonly pd: PdInfo; readonly address: string }
  | { readonly kind: "element-removed"; readonly pd: PdInfo; readonly element: ElementInfo }
  | { readonly kind: "pd-removed"; readonly interfaceId: string; readonly pd: PdInfo }
  | { readonly kind: "interface-removed"; readonly nic: InterfaceInfo }
  | { readonly kind: "interface-added"; readonly nic: InterfaceInfo }
  | { readonly kind: "interface-changed"; readonly nic: InterfaceInfo }
  | { readonly kind: "pd-added"; readonly interfaceId: string; readonly pd: PdInfo }
  | { readonly kind: "pd-changed"; readonly pd: PdInfo }
  | { readonly kind: "element-added"; readonly pd: PdInfo; readonly element: ElementInfo }
  | { readonly kind: "element-changed"; readonly pd: PdInfo; readonly element: ElementInfo }
  | { readonly kind: "address-added"; readonly pd: PdInfo; readonly address: AddressInfo }
  | { readonly kind: "address-changed"; readonly pd: PdInfo; readonly address: AddressInfo };

/**
 * Lifetimes are stored as absolute times; a platform that reads remaining
 * seconds (as `ip addr` prints them) computes them with up to a second of
 * jitter, so only differences beyond this count as a lifetime change.
 */
export const LIFETIME_TOLERANCE_MS = 2000;

/**
 * Two expiry times are the same when they differ by the tolerance at most,
 * or when both have passed: a platform that reads "0 s left" stamps a
 * deprecated address with the time of each read, which is no news.
 */
function sameTime(a: number | null, b: number | null, now: number): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= LIFETIME_TOLERANCE_MS || (a <= now && b <= now);
}

function sameAddress(a: AddressInfo, b: AddressInfo, now: number): boolean {
  return a.prefixLength === b.prefixLength && sameTime(a.validUntil, b.validUntil, now) &&
    sameTime(a.preferredUntil, b.preferredUntil, now);
}

function withdrawPd(pd: PdInfo, out: Change[]): void {
  for (const a of pd.addresses) out.push({ kind: "address-removed", pd, address: a.address });
  for (const element of pd.elements) out.push({ kind: "element-removed", pd, element });
}

function addPd(interfaceId: string, pd: PdInfo, out: Change[]): void {
  out.push({ kind: "pd-added", interfaceId, pd });
  for (const element of pd.elements) out.push({ kind: "element-added", pd, element });
  for (const address of pd.addresses) out.push({ kind: "address-added", pd, address });
}

function shrinkPd(before: PdInfo, after: PdInfo, out: Change[]): void {
  const elements = new Set(after.elements.map((e) => e.element));
  const addresses = new Set(after.addresses.map((a) => a.address));
  for (const a of before.addresses) {
    if (!addresses.has(a.address)) {
      out.push({ kind: "address-removed", pd: after, address: a.address });
    }
  }
  for (const e of before.elements) {
    if (!elements.has(e.element)) out.push({ kind: "element-removed", pd: after, element: e });
  }
}

function growPd(before: PdInfo, after: PdInfo, now: number, out: Change[]): void {
  const oldElements = new Map(before.elements.map((e) => [e.element, e]));
  const oldAddresses = new Map(before.addresses.map((a) => [a.address, a]));
  const additions: Change[] = [];
  for (const e of after.elements) {
    const old = oldElements.get(e.element);
    if (!old) additions.push({ kind: "element-added", pd: after, element: e });
    else if (!sameData(old.data, e.data)) {
      additions.push({ kind: "element-changed", pd: after, element: e });
    }
  }
  for (const a of after.addresses) {
    const old = oldAddresses.get(a.address);
    if (!old) additions.push({ kind: "address-added", pd: after, address: a });
    else if (!sameAddress(old, a, now)) {
      additions.push({ kind: "address-changed", pd: after, address: a });
    }
  }
  const elements = new Set(after.elements.map((e) => e.element));
  const addresses = new Set(after.addresses.map((a) => a.address));
  const shrunk = before.addresses.some((a) => !addresses.has(a.address)) ||
    before.elements.some((e) => !elements.has(e.element));
  if (additions.length > 0 || shrunk) {
    out.push({ kind: "pd-changed", pd: after }, ...additions);
  }
}

/**
 * Computes the ordered changes from one snapshot to the next.
 *
 * @example Diff a PD going away
 * ```ts
 * import { diffSnapshots } from "./diff.ts";
 * import assert from "node:assert/strict";
 * const pd = { pdId: "a/ipv4", family: "ipv4" as const, elements: [], addresses: [] };
 * const nic = { interfaceId: "a", displayName: "A", interfaceType: "wired" as const, operState: "up" as const, pds: [pd] };
 * const changes = diffSnapshots({ interfaces: [nic] }, { interfaces: [{ ...nic, pds: [] }] });
 * assert.deepEqual(changes.map((c) => c.kind), ["pd-removed"]);
 * ```
 * @param before The snapshot the subscribers know.
 * @param after The new snapshot.
 * @param now Epoch ms: expiry times both past are the same (default: the clock).
 * @returns The changes, in announcement order.
 */
export function diffSnapshots(
  before: Snapshot,
  after: Snapshot,
  now: number = Date.now(),
): Change[] {
  const out: Change[] = [];
  const newNics = new Map(after.interfaces.map((n) => [n.interfaceId, n]));
  const newPds = new Map<string, { interfaceId: string; pd: PdInfo }>();
  for (const nic of after.interfaces) {
    for (const pd of nic.pds) newPds.set(pd.pdId, { interfaceId: nic.interfaceId, pd });
  }
  const oldNics = new Map(before.interfaces.map((n) => [n.interfaceId, n]));
  const oldPds = new Map<string, { interfaceId: string; pd: PdInfo }>();
  for (const nic of before.interfaces) {
    for (const pd of nic.pds) oldPds.set(pd.pdId, { interfaceId: nic.interfaceId, pd });
  }
  // A PD survives when it stays on the same interface with the same family;
  // otherwise it is withdrawn and announced anew.
  const survives = (
    interfaceId: string,
    before: PdInfo,
    after: { interfaceId: string; pd: PdInfo } | undefined,
  ): after is { interfaceId: string; pd: PdInfo } =>
    after !== undefined && after.interfaceId === interfaceId && oldNics.has(interfaceId) &&
    newNics.has(interfaceId) && after.pd.family === before.family;
  for (const nic of before.interfaces) {
    // The same object in both (the broker keeps what repeats): nothing changed.
    if (newNics.get(nic.interfaceId) === nic) continue;
    for (const pd of nic.pds) {
      const next = newPds.get(pd.pdId);
      if (survives(nic.interfaceId, pd, next)) {
        shrinkPd(pd, next.pd, out);
        continue;
      }
      withdrawPd(pd, out);
      out.push({ kind: "pd-removed", interfaceId: nic.interfaceId, pd });
    }
    if (!newNics.has(nic.interfaceId)) out.push({ kind: "interface-removed", nic });
  }
  for (const nic of after.interfaces) {
    const old = oldNics.get(nic.interfaceId);
    if (old === nic) continue;
    if (!old) out.push({ kind: "interface-added", nic });
    else if (
      old.displayName !== nic.displayName || old.interfaceType !== nic.interfaceType ||
      old.metered !== nic.metered
    ) {
      out.push({ kind: "interface-changed", nic });
    }
    for (const pd of nic.pds) {
      const prior = oldPds.get(pd.pdId);
      const next = { interfaceId: nic.interfaceId, pd };
      if (prior && survives(prior.interfaceId, prior.pd, next)) growPd(prior.pd, pd, now, out);
      else addPd(nic.interfaceId, pd, out);
    }
  }
  return out;
}
