/**
 * Turns what the Linux platform read (HostState) into a Snapshot: one
 * interface per link, and on each link that is up its IPv4 PD and its IPv6
 * PDs (§3.1).
 *
 * @module
 */

import type { AddressInfo, InterfaceInfo, Snapshot, SourceNote } from "../../protocol/model.ts";
import { attributeResolvers } from "./attribute_resolvers.ts";
import type { HostState } from "./host_state.ts";
import { ipv4Pd } from "./ipv4_pd.ts";
import { ipv6Pds } from "./ipv6_pds.ts";
import type { LinkRecord } from "./parse_links.ts";
import type { AddressRecord } from "./parse_addresses.ts";
import type { PdDraft } from "./pd_draft.ts";

function operState(link: LinkRecord): InterfaceInfo["operState"] {
  if (link.operState === "up") return "up";
  if (link.operState === "unknown") return "unknown";
  return "down";
}

/**
 * A link carries provisioning domains only while it can carry traffic:
 * administratively up, and operationally up (or "unknown", as loopback and
 * tun devices report, with its lower layer up).
 */
function usable(link: LinkRecord): boolean {
  if (!link.flags.includes("UP")) return false;
  return link.operState === "up" ||
    (link.operState === "unknown" && link.flags.includes("LOWER_UP"));
}

/**
 * Addresses grouped by link index, in their order (grouped once: not filtered per link).
 *
 * @example Two links
 * ```ts
 * import { addressesByLink } from "./build_snapshot.ts";
 * import assert from "node:assert/strict";
 * const a = { interfaceName: "d0", family: "ipv4", prefixLength: 30, scope: "global", dynamic: false,
 *   deprecated: false, tentative: false, temporary: false, validLifetime: null, preferredLifetime: null } as const;
 * const byLink = addressesByLink([{ ...a, index: 2, address: "198.18.0.1" },
 *   { ...a, index: 3, address: "198.18.0.5" }, { ...a, index: 2, address: "198.18.0.9" }]);
 * assert.deepEqual(byLink.get(2)?.map((x) => x.address), ["198.18.0.1", "198.18.0.9"]);
 * ```
 * @param addresses All addresses.
 * @returns Each link's, by index.
 */
export function addressesByLink(
  addresses: readonly AddressRecord[],
): Map<number, AddressRecord[]> {
  const byLink = new Map<number, AddressRecord[]>();
  for (const a of addresses) {
    const list = byLink.get(a.index);
    if (list) list.push(a);
    else byLink.set(a.index, [a]);
  }
  return byLink;
}

/** What one link carries before resolvers are attributed: its PDs, addresses no PD claims. */
export interface LinkDraft {
  /** Its IPv4 PD first, then its IPv6 PDs. */
  readonly pds: PdDraft[];
  /** IPv6 addresses no PD claims. */
  readonly unattributed: AddressInfo[];
}

/**
 * One link's PDs, or undefined when the link cannot carry traffic.
 *
 * @example A link that is down has none
 * ```ts
 * import { linkDraft } from "./build_snapshot.ts";
 * import assert from "node:assert/strict";
 * const state = { now: 0, routes: [], adverts: new Map(), notes: [], links: [], addresses: [],
 *   types: new Map(), sources: { dhcp4: [], dhcp6: [], resolvers: [] } };
 * assert.equal(linkDraft({ index: 2, name: "d0", operState: "down", flags: [], linkType: "ether" }, [], state), undefined);
 * ```
 * @param link The link.
 * @param addresses Its addresses.
 * @param state What was read.
 * @returns Its draft.
 */
export function linkDraft(
  link: LinkRecord,
  addresses: readonly AddressRecord[],
  state: HostState,
): LinkDraft | undefined {
  if (!usable(link)) return undefined;
  const v4 = ipv4Pd(link, addresses, state);
  const v6 = ipv6Pds(link, addresses, state);
  return { pds: [...(v4 ? [v4] : []), ...v6.pds], unattributed: v6.unattributed };
}

/**
 * Metered flags by interface name, from the sources.
 *
 * @example NetworkManager says wwan0 is metered
 * ```ts
 * import { meteredLinks } from "./build_snapshot.ts";
 * import assert from "node:assert/strict";
 * const metered = meteredLinks({ now: 0, routes: [], adverts: new Map(), notes: [], links: [],
 *   addresses: [], types: new Map(), sources: { dhcp4: [], dhcp6: [], resolvers: [],
 *   links: [{ interfaceName: "wwan0", metered: true, source: "nmcli" }] } });
 * assert.equal(metered.get("wwan0"), true);
 * ```
 * @param state What was read.
 * @returns The flags.
 */
export function meteredLinks(state: HostState): Map<string, boolean> {
  return new Map(
    (state.sources.links ?? []).flatMap((l) =>
      l.metered === undefined ? [] : [[l.interfaceName, l.metered] as const]
    ),
  );
}

/**
 * One link's interface, once resolvers are attributed to its draft's PDs.
 *
 * @example A link without a draft has no PDs
 * ```ts
 * import { interfaceOf } from "./build_snapshot.ts";
 * import assert from "node:assert/strict";
 * const state = { now: 0, routes: [], adverts: new Map(), notes: [], links: [], addresses: [],
 *   types: new Map([["d0", "wired" as const]]), sources: { dhcp4: [], dhcp6: [], resolvers: [] } };
 * const i = interfaceOf({ index: 2, name: "d0", operState: "down", flags: [], linkType: "ether" }, state, new Map(), undefined);
 * assert.deepEqual([i.interfaceType, i.operState, i.pds], ["wired", "down", []]);
 * ```
 * @param link The link.
 * @param state What was read.
 * @param metered From {@linkcode meteredLinks}.
 * @param draft From {@linkcode linkDraft}.
 * @returns The interface.
 */
export function interfaceOf(
  link: LinkRecord,
  state: HostState,
  metered: ReadonlyMap<string, boolean>,
  draft: LinkDraft | undefined,
): InterfaceInfo {
  return {
    interfaceId: link.name,
    displayName: link.name,
    interfaceType: state.types.get(link.name) ?? "other",
    operState: operState(link),
    index: link.index,
    ...(link.mtu !== undefined ? { mtu: link.mtu } : {}),
    ...(link.mac !== undefined ? { mac: link.mac } : {}),
    ...(metered.has(link.name) ? { metered: metered.get(link.name)! } : {}),
    pds: (draft?.pds ?? []).map((pd) => pd.done()),
    ...(draft?.unattributed.length ? { unattributed: draft.unattributed } : {}),
  };
}

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
  const drafts = new Map<string, LinkDraft>();
  const links = [...state.links].sort((a, b) => a.index - b.index);
  const byLink = addressesByLink(state.addresses);
  for (const link of links) {
    const draft = linkDraft(link, byLink.get(link.index) ?? [], state);
    if (draft) drafts.set(link.name, draft);
  }
  attributeResolvers(
    state.sources.resolvers,
    new Map([...drafts].map(([name, d]) => [name, d.pds])),
    state.routes,
    notes,
  );
  const metered = meteredLinks(state);
  const interfaces = links.map((link) => interfaceOf(link, state, metered, drafts.get(link.name)));
  return { interfaces, notes };
}
