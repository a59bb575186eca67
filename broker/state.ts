/**
 * The broker's state model: the last accepted snapshot (interfaces → PDs →
 * configuration elements and addresses), its lookups, and the notes status
 * shows. A snapshot is checked before it is accepted (snapshot_check.ts).
 *
 * @module
 */

import {
  addressAnnouncements,
  elementAnnouncements,
  interfaceAnnouncement,
  pdAnnouncements,
} from "./announce.ts";
import { type Change, diffSnapshots } from "./diff.ts";
import type { Session } from "./session.ts";
import { snapshotProblem } from "./snapshot_check.ts";
import { describeError } from "../protocol/text.ts";
import type { ApiMessage } from "../protocol/types.ts";
import type { InterfaceInfo, PdInfo, Snapshot, SourceNote } from "../protocol/model.ts";

/** Whether a value is a plain object (an object literal, or one without a prototype). */
function isPlain(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deep equality of plain data: primitives the same by Object.is, arrays of
 * equal items in order, plain objects with the same own keys holding equal
 * values. Anything else (a Date, a Map, a class instance) is never equal.
 */
function samePlain(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const array = Array.isArray(a);
  if (array !== Array.isArray(b)) return false;
  if (array) {
    const x = a as unknown[], y = b as unknown[];
    if (Object.getPrototypeOf(x) !== Array.prototype || x.length !== y.length) return false;
    if (Object.keys(x).length !== x.length || Object.keys(y).length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!samePlain(x[i], y[i])) return false;
    return true;
  }
  if (!isPlain(a) || !isPlain(b)) return false;
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) if (!Object.hasOwn(y, k) || !samePlain(x[k], y[k])) return false;
  return true;
}

/** A PD and the interface it is on. */
export interface PdEntry {
  /** The interface's id. */
  readonly interfaceId: string;
  /** The PD. */
  readonly pd: PdInfo;
}

/** What a session subscribed to (§3.3.7.1, .5, .9, .13). */
export type Subscriptions = Pick<Session, "interfaces" | "pdsOn" | "elementsOf" | "addressesOf">;

/**
 * The last accepted snapshot, indexed by interface and PD id.
 *
 * @example Accept a snapshot, then refuse a broken one with a note
 * ```ts
 * import { BrokerState } from "./state.ts";
 * import assert from "node:assert/strict";
 * const state = new BrokerState();
 * const pd = { pdId: "eth0/ipv4", family: "ipv4" as const, elements: [], addresses: [] };
 * const nic = { interfaceId: "eth0", displayName: "eth0", interfaceType: "wired" as const,
 *   operState: "up" as const, pds: [pd] };
 * const changes = state.accept({ interfaces: [nic] });
 * assert.deepEqual(changes?.map((c) => c.kind), ["interface-added", "pd-added"]);
 * assert.equal(state.pd("eth0/ipv4")?.interfaceId, "eth0");
 * assert.equal(state.accept({ interfaces: [{ ...nic, interfaceId: "" }] }), undefined);
 * assert.match(state.notes[0].reason, /^Cannot accept snapshot: /);
 * assert.equal(state.interface("eth0")?.displayName, "eth0");
 * ```
 */
export class BrokerState {
  #snapshot: Snapshot = { interfaces: [] };
  #nics = new Map<string, InterfaceInfo>();
  #pds = new Map<string, PdEntry>();
  #notes: SourceNote[] = [];

  /** The interfaces of the accepted snapshot, in its order. */
  get interfaces(): readonly InterfaceInfo[] {
    return this.#snapshot.interfaces;
  }

  /** The sources the snapshot skipped, and why the last snapshot was refused if it was. */
  get notes(): readonly SourceNote[] {
    return this.#notes;
  }

  /**
   * Looks an interface up.
   *
   * @param interfaceId Its id.
   * @returns The interface, or undefined when there is none.
   */
  interface(interfaceId: string): InterfaceInfo | undefined {
    return this.#nics.get(interfaceId);
  }

  /**
   * Looks a PD up.
   *
   * @param pdId Its id.
   * @returns The PD and its interface, or undefined when there is none.
   */
  pd(pdId: string): PdEntry | undefined {
    return this.#pds.get(pdId);
  }

  /**
   * Accepts a snapshot: a private copy, checked first. One that breaks the
   * protocol is refused with a note (replacing the previous such note), and
   * the state stays as it was.
   *
   * @param given The platform's snapshot.
   * @returns The changes from the previous snapshot, in announcement order,
   *   or undefined when the snapshot was refused.
   */
  accept(given: Snapshot): Change[] | undefined {
    let next: Snapshot, problem: string | undefined;
    try {
      // A copy, so the platform cannot change the model behind the broker's back.
      const reused = this.#reuse(given);
      next = reused?.snapshot ?? structuredClone(given);
      problem = snapshotProblem(next, reused?.checked);
    } catch (error) {
      problem = `it is malformed (${describeError(error, { name: true })})`;
      next = this.#snapshot;
    }
    if (problem) {
      const note = { source: "platform", reason: `Cannot accept snapshot: ${problem}` };
      this.#notes = [...this.#notes.filter((n) => n.source !== "platform"), note];
      return undefined;
    }
    const changes = diffSnapshots(this.#snapshot, next);
    this.#snapshot = next;
    this.#notes = [...(next.notes ?? [])];
    this.#nics = new Map(next.interfaces.map((n) => [n.interfaceId, n]));
    this.#pds = new Map(
      next.interfaces.flatMap((n) =>
        n.pds.map((pd) => [pd.pdId, { interfaceId: n.interfaceId, pd }])
      ),
    );
    return changes;
  }

  /**
   * The given snapshot as a private copy that keeps the accepted interfaces
   * it repeats: an interface equal to the accepted one of its id is that
   * (already checked) object, any other is cloned. A snapshot that is not
   * plain data is left to structuredClone (undefined).
   */
  #reuse(given: Snapshot): { snapshot: Snapshot; checked: Set<InterfaceInfo> } | undefined {
    try {
      if (!isPlain(given) || !Array.isArray(given.interfaces)) return undefined;
      const checked = new Set<InterfaceInfo>();
      const interfaces = given.interfaces.map((nic) => {
        const old = isPlain(nic) ? this.#nics.get(nic.interfaceId) : undefined;
        if (old === undefined || !samePlain(nic, old)) return structuredClone(nic);
        checked.add(old);
        return old;
      });
      return {
        snapshot: { ...structuredClone({ ...given, interfaces: [] }), interfaces },
        checked,
      };
    } catch {
      // Whatever it is, the full copy reports it.
      return undefined;
    }
  }

  /**
   * What announce-* would send now for every subscription of a session: how
   * an inbox that overflowed catches up (see inbox.ts).
   *
   * @param subscriptions The session's subscriptions.
   * @param now Milliseconds since the epoch, for address lifetimes.
   * @returns The announcements, interfaces first.
   */
  announcements(subscriptions: Subscriptions, now: number): ApiMessage[] {
    const pds = (ids: Set<string>) => [...ids].flatMap((id) => this.#pds.get(id)?.pd ?? []);
    return [
      ...(subscriptions.interfaces ? this.#snapshot.interfaces.map(interfaceAnnouncement) : []),
      ...[...subscriptions.pdsOn].flatMap((id) => {
        const nic = this.#nics.get(id);
        return nic ? pdAnnouncements(nic) : [];
      }),
      ...pds(subscriptions.elementsOf).flatMap(elementAnnouncements),
      ...pds(subscriptions.addressesOf).flatMap((pd) => addressAnnouncements(pd, now)),
    ];
  }
}
