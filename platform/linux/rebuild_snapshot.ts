/**
 * Rebuilds a snapshot after an address or route change on a few links,
 * reusing the last snapshot's interface objects for every other link (the
 * broker skips an interface that is the same object), only where the result
 * is the one buildSnapshot (build_snapshot.ts) would give. A link is rebuilt when it
 * was read again, when a resolver's server can be attributed to it (before
 * or after the change); and every link whose interface depends on the time
 * or on what rdisc6 or a DHCP client said must have been read again.
 *
 * @module
 */

import type { Snapshot, SourceNote } from "../../protocol/model.ts";
import { resolverLinks } from "./attribute_resolvers.ts";
import type { HostState } from "./host_state.ts";
import { linkInterfaces } from "./link_interfaces.ts";

/** A snapshot and what it was built from. */
export interface BuiltSnapshot {
  /** What was read. */
  readonly state: HostState;
  /** buildSnapshot(state) or rebuildSnapshot(state, ...). */
  readonly snapshot: Snapshot;
}

/**
 * The links whose interface depends on the time or on sources other than
 * the kernel's tables: an address or a route with a lifetime, an
 * advertisement from rdisc6, a DHCP lease.
 *
 * @example A static address is not volatile, a SLAAC one is
 * ```ts
 * import { volatileLinks } from "./rebuild_snapshot.ts";
 * import assert from "node:assert/strict";
 * const address = { family: "ipv6", prefixLength: 64, scope: "global", dynamic: false,
 *   deprecated: false, tentative: false, temporary: false } as const;
 * const links = volatileLinks({
 *   links: [{ index: 2, name: "d0", operState: "up", flags: ["UP"], linkType: "ether" },
 *     { index: 3, name: "d1", operState: "up", flags: ["UP"], linkType: "ether" }],
 *   addresses: [
 *     { ...address, index: 2, interfaceName: "d0", address: "2001:db8:1::1", validLifetime: null, preferredLifetime: null },
 *     { ...address, index: 3, interfaceName: "d1", address: "2001:db8:2::1", validLifetime: 600, preferredLifetime: 300 },
 *   ],
 *   routes: [], adverts: new Map(), sources: { dhcp4: [], dhcp6: [], resolvers: [] },
 * });
 * assert.deepEqual(links, new Set(["d1"]));
 * ```
 * @param state What was read.
 * @returns Their names.
 */
export function volatileLinks(
  state: Pick<HostState, "links" | "addresses" | "routes" | "adverts" | "sources">,
): ReadonlySet<string> {
  // Asked of each state twice: as the new one, then as the previous one.
  let known = volatile.get(state);
  if (!known) volatile.set(state, known = findVolatile(state));
  return known;
}

const volatile = new WeakMap<object, ReadonlySet<string>>();

function findVolatile(
  state: Pick<HostState, "links" | "addresses" | "routes" | "adverts" | "sources">,
): Set<string> {
  const names = new Map(state.links.map((l) => [l.index, l.name]));
  const out = new Set<string>();
  for (const [name, adverts] of state.adverts) if (adverts.length) out.add(name);
  for (const l of [...state.sources.dhcp4, ...state.sources.dhcp6]) out.add(l.interfaceName);
  for (const a of state.addresses) {
    if (a.validLifetime !== null || a.preferredLifetime !== null) {
      out.add(names.get(a.index) ?? a.interfaceName);
    }
  }
  for (const r of state.routes) if (r.expires !== null && r.device) out.add(r.device);
  return out;
}

/**
 * The snapshot of `state`, rebuilding only the links in `reread` (and those
 * resolvers can be attributed to) and reusing the previous snapshot's
 * interface objects for the others; undefined when that cannot be shown to
 * equal buildSnapshot(state): the links, types or sources are not the same
 * objects as the previous state's, a volatile link ({@linkcode volatileLinks})
 * was not read again, or a resolver's route is a tie.
 *
 * @example Only the changed link is a new object
 * ```ts
 * import { rebuildSnapshot } from "./rebuild_snapshot.ts";
 * import { buildSnapshot } from "./build_snapshot.ts";
 * import type { HostState } from "./host_state.ts";
 * import assert from "node:assert/strict";
 * const link = (index: number, name: string) =>
 *   ({ index, name, operState: "up", flags: ["UP", "LOWER_UP"], linkType: "ether" });
 * const before: HostState = {
 *   now: 0, links: [link(2, "d0"), link(3, "d1")], addresses: [], routes: [], adverts: new Map(),
 *   types: new Map(), notes: [], sources: { dhcp4: [], dhcp6: [], resolvers: [] },
 * };
 * const built = { state: before, snapshot: buildSnapshot(before) };
 * const after: HostState = { ...before, now: 5, addresses: [{ index: 2, interfaceName: "d0", family: "ipv4" as const,
 *   address: "198.18.0.1", prefixLength: 30, scope: "global", dynamic: false, deprecated: false,
 *   tentative: false, temporary: false, validLifetime: null, preferredLifetime: null }] };
 * const snapshot = rebuildSnapshot(after, built, new Set(["d0"]))!;
 * assert.deepEqual(snapshot, buildSnapshot(after));
 * assert.notEqual(snapshot.interfaces[0], built.snapshot.interfaces[0]);
 * assert.equal(snapshot.interfaces[1], built.snapshot.interfaces[1]);
 * ```
 * @param state What was read now: the previous state with the tables of `reread` read again.
 * @param previous The last snapshot and its state.
 * @param reread The links whose addresses and routes were read again.
 * @returns The snapshot, or undefined: build it with buildSnapshot.
 */
export function rebuildSnapshot(
  state: HostState,
  previous: BuiltSnapshot,
  reread: ReadonlySet<string>,
): Snapshot | undefined {
  const before = previous.state;
  if (
    state.links !== before.links || state.types !== before.types ||
    state.sources !== before.sources
  ) return undefined;
  const old = new Map(previous.snapshot.interfaces.map((i) => [i.interfaceId, i]));
  if (old.size !== state.links.length || state.links.some((l) => !old.has(l.name))) {
    return undefined;
  }
  for (const name of [...volatileLinks(state), ...volatileLinks(before)]) {
    if (!reread.has(name)) return undefined;
  }
  const targets = [
    resolverLinks(state.sources.resolvers, state.routes),
    resolverLinks(before.sources.resolvers, before.routes),
  ];
  if (targets.some((t) => t === undefined)) return undefined;
  const rebuild = new Set([...reread, ...targets[0]!, ...targets[1]!]);
  return rebuildLinks(state, rebuild, old);
}

/**
 * Builds the links in `rebuild` with linkInterfaces, as buildSnapshot does,
 * and takes the others from `old`.
 */
function rebuildLinks(
  state: HostState,
  rebuild: ReadonlySet<string>,
  old: ReadonlyMap<string, Snapshot["interfaces"][number]>,
): Snapshot {
  const notes: SourceNote[] = [...state.notes];
  const links = [...state.links].sort((a, b) => a.index - b.index);
  const built = linkInterfaces(state, links.filter((l) => rebuild.has(l.name)), notes);
  let k = 0; // built is in the order of the links rebuilt.
  const interfaces = links.map((link) => rebuild.has(link.name) ? built[k++] : old.get(link.name)!);
  return { interfaces, notes };
}
