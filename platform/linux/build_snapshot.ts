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
  const pdsByLink = new Map<string, PdDraft[]>();
  const unattributed = new Map<string, AddressInfo[]>();
  const links = [...state.links].sort((a, b) => a.index - b.index);
  for (const link of links) {
    if (!usable(link)) continue;
    const addresses = state.addresses.filter((a) => a.index === link.index);
    const v4 = ipv4Pd(link, addresses, state);
    const v6 = ipv6Pds(link, addresses, state);
    pdsByLink.set(link.name, [...(v4 ? [v4] : []), ...v6.pds]);
    if (v6.unattributed.length) unattributed.set(link.name, v6.unattributed);
  }
  attributeResolvers(state.sources.resolvers, pdsByLink, state.routes, notes);
  const metered = new Map(
    (state.sources.links ?? []).flatMap((l) =>
      l.metered === undefined ? [] : [[l.interfaceName, l.metered] as const]
    ),
  );
  const interfaces: InterfaceInfo[] = links.map((link) => ({
    interfaceId: link.name,
    displayName: link.name,
    interfaceType: state.types.get(link.name) ?? "other",
    operState: operState(link),
    index: link.index,
    ...(link.mtu !== undefined ? { mtu: link.mtu } : {}),
    ...(link.mac !== undefined ? { mac: link.mac } : {}),
    ...(metered.has(link.name) ? { metered: metered.get(link.name)! } : {}),
    pds: (pdsByLink.get(link.name) ?? []).map((pd) => pd.done()),
    ...(unattributed.has(link.name) ? { unattributed: unattributed.get(link.name)! } : {}),
  }));
  return { interfaces, notes };
}
