/**
 * Turns what the Linux platform read (HostState) into a Snapshot: one
 * interface per link, and on each link that is up its IPv4 PD and its IPv6
 * PDs (§3.1).
 *
 * @module
 */

import type { Snapshot, SourceNote } from "../../protocol/model.ts";
import type { HostState } from "./host_state.ts";
import { linkInterfaces } from "./link_interfaces.ts";

/**
 * Builds the snapshot.
 *
 * @example A host with only loopback
 * ```ts
 * import { buildSnapshot } from "./build_snapshot.ts";
 * import assert from "node:assert/strict";
 * const snapshot = buildSnapshot({
 *   now: 0, routes: [], adverts: new Map(), notes: [],
 *   links: [{ index: 1, name: "lo", operState: "unknown", flags: ["LOOPBACK", "UP", "LOWER_UP"], linkType: "loopback" }],
 *   addresses: [], types: new Map([["lo", "loopback"]]),
 *   sources: { dhcp4: [], dhcp6: [], resolvers: [] },
 * });
 * assert.equal(snapshot.interfaces[0].interfaceType, "loopback");
 * ```
 * @param state What was read.
 * @returns The snapshot, interfaces by index.
 */
export function buildSnapshot(state: HostState): Snapshot {
  const notes: SourceNote[] = [...state.notes];
  const links = [...state.links].sort((a, b) => a.index - b.index);
  return { interfaces: linkInterfaces(state, links, notes), notes };
}
