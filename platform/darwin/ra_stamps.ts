/**
 * `received-at` as Linux means it: when the router's advertisement as it
 * stands was first heard. IPConfiguration keeps only the latest RA of a
 * link and stamps it on every arrival, even a repeat (bootp
 * IPConfiguration.bproj/rtadv.c), so without this every read would
 * re-announce an unchanged `ra` element.
 *
 * @module
 */

import type { ElementInfo, PdInfo, Snapshot } from "../../protocol/model.ts";
import { sameData } from "../../protocol/json_value.ts";

const STAMP = "received-at";

/** The `ra` element of a PD, if it has one. */
const raOf = (pd: PdInfo | undefined) => pd?.elements.find((e) => e.element === "ra");

/** `element` with the earlier stamp when nothing but the stamp changed. */
function restamped(element: ElementInfo, before: ElementInfo | undefined): ElementInfo {
  if (!before || element.element !== "ra" || before.data[STAMP] === undefined) return element;
  const { [STAMP]: _now, ...rest } = element.data;
  const { [STAMP]: then, ...was } = before.data;
  return sameData(rest, was) && sameData(element.source, before.source)
    ? { ...element, data: { ...element.data, [STAMP]: then } }
    : element;
}

/**
 * Keeps each PD's `ra` element stamp from `previous` when the router said
 * the same again; anything else in `next` is left as it is.
 *
 * @example A repeated RA keeps its first stamp; a changed one takes the new
 * ```ts
 * import assert from "node:assert/strict";
 * import { keepRaStamps } from "./ra_stamps.ts";
 * const snapshot = (at: string, lifetime: number) => ({ interfaces: [{
 *   interfaceId: "en0", displayName: "Wi-Fi", interfaceType: "wifi" as const, operState: "up" as const,
 *   pds: [{ pdId: "en0/ipv6/fe80::1", family: "ipv6" as const, addresses: [],
 *     elements: [{ element: "ra" as const, data: { "router-lifetime": lifetime, "received-at": at } }] }],
 * }] });
 * const first = snapshot("2026-12-01T07:00:00.000Z", 1800);
 * const repeat = keepRaStamps(first, snapshot("2026-12-01T07:05:00.000Z", 1800));
 * assert.equal(repeat.interfaces[0].pds[0].elements[0].data["received-at"], "2026-12-01T07:00:00.000Z");
 * const changed = keepRaStamps(first, snapshot("2026-12-01T07:05:00.000Z", 0));
 * assert.equal(changed.interfaces[0].pds[0].elements[0].data["received-at"], "2026-12-01T07:05:00.000Z");
 * ```
 * @param previous The snapshot before, if any.
 * @param next The snapshot just built.
 * @returns `next`, with earlier stamps where the RA is a repeat.
 */
export function keepRaStamps(previous: Snapshot | undefined, next: Snapshot): Snapshot {
  if (!previous) return next;
  const before = new Map(
    previous.interfaces.flatMap((nic) => nic.pds.map((pd) => [pd.pdId, pd] as const)),
  );
  return {
    ...next,
    interfaces: next.interfaces.map((nic) => ({
      ...nic,
      pds: nic.pds.map((pd) => ({
        ...pd,
        elements: pd.elements.map((e) => restamped(e, raOf(before.get(pd.pdId)))),
      })),
    })),
  };
}
