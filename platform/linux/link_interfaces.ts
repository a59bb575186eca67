/**
 * The interfaces of some links, from what the Linux platform read
 * (HostState): a draft of each usable link's PDs (its IPv4 PD, then its IPv6
 * PDs, §3.1), the resolvers attributed to those drafts, then each link's
 * interface. What buildSnapshot (every link) and rebuildSnapshot (the links
 * it rebuilds) share.
 *
 * @module
 */

import type { AddressInfo, InterfaceInfo, SourceNote } from "../../protocol/model.ts";
import { attributeResolvers } from "./attribute_resolvers.ts";
import type { HostState } from "./host_state.ts";
import { addressInfo, ipv4Pd } from "./ipv4_pd.ts";
import { isSelfAssigned } from "../../ip/ip.ts";
import { ipv6Pds } from "./ipv6_pds.ts";
import type { LinkRecord } from "./parse_links.ts";
import type { AddressRecord } from "./parse_addresses.ts";
import type { PdDraft } from "../pd_draft.ts";

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

/** Addresses grouped by link index, in their order (grouped once: not filtered per link). */
function addressesByLink(addresses: readonly AddressRecord[]): Map<number, AddressRecord[]> {
  const byLink = new Map<number, AddressRecord[]>();
  for (const a of addresses) {
    const list = byLink.get(a.index);
    if (list) list.push(a);
    else byLink.set(a.index, [a]);
  }
  return byLink;
}

/** What one link carries before resolvers are attributed: its PDs, addresses no PD claims. */
interface LinkDraft {
  /** Its IPv4 PD first, then its IPv6 PDs. */
  readonly pds: PdDraft[];
  /** Self-assigned IPv4 addresses (RFC 3927), then IPv6 addresses no PD claims. */
  readonly unattributed: AddressInfo[];
}

/**
 * One link's PDs, or undefined when the link cannot carry traffic. A
 * self-assigned IPv4 address (169.254/16) comes with no provisioning: it is
 * no PD's, and a link with only such IPv4 addresses has no IPv4 PD.
 */
function linkDraft(
  link: LinkRecord,
  addresses: readonly AddressRecord[],
  state: HostState,
): LinkDraft | undefined {
  if (!usable(link)) return undefined;
  const selfAssigned = addresses.filter((a) => isSelfAssigned(a.address, a.prefixLength));
  const v4 = ipv4Pd(link, addresses.filter((a) => !selfAssigned.includes(a)), state);
  const v6 = ipv6Pds(link, addresses, state);
  return {
    pds: [...(v4 ? [v4] : []), ...v6.pds],
    unattributed: [...selfAssigned.map((a) => addressInfo(a, state.now)), ...v6.unattributed],
  };
}

/** Metered flags by interface name, from the sources. */
function meteredLinks(state: HostState): Map<string, boolean> {
  return new Map(
    (state.sources.links ?? []).flatMap((l) =>
      l.metered === undefined ? [] : [[l.interfaceName, l.metered] as const]
    ),
  );
}

/** One link's interface, once resolvers are attributed to its draft's PDs. */
function interfaceOf(
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
 * The interfaces of `links` (some or all of `state.links`), in their order:
 * a link that cannot carry traffic has no PDs; the resolvers are attributed
 * to these links' PDs only, and what cannot be attributed is noted in `notes`.
 *
 * @example A link that is down has no PDs; NetworkManager says wwan0 is metered
 * ```ts
 * import { linkInterfaces } from "./link_interfaces.ts";
 * import assert from "node:assert/strict";
 * const links = [
 *   { index: 2, name: "d0", operState: "down", flags: [], linkType: "ether" },
 *   { index: 3, name: "wwan0", operState: "up", flags: ["UP", "LOWER_UP"], linkType: "none" },
 * ];
 * const a = { family: "ipv4", prefixLength: 30, scope: "global", dynamic: false, deprecated: false,
 *   tentative: false, temporary: false, validLifetime: null, preferredLifetime: null } as const;
 * const state = { now: 0, routes: [], adverts: new Map(), notes: [], links,
 *   addresses: [{ ...a, index: 2, interfaceName: "d0", address: "198.18.0.1" },
 *     { ...a, index: 3, interfaceName: "wwan0", address: "198.18.0.5" }],
 *   types: new Map([["d0", "wired" as const], ["wwan0", "cellular" as const]]),
 *   sources: { dhcp4: [], dhcp6: [], resolvers: [],
 *     links: [{ interfaceName: "wwan0", metered: true, source: "nmcli" }] } };
 * const [d0, wwan0] = linkInterfaces(state, links, []);
 * assert.deepEqual([d0.interfaceType, d0.operState, d0.pds], ["wired", "down", []]);
 * assert.equal(d0.metered, undefined);
 * assert.deepEqual(wwan0.pds.map((pd) => pd.addresses[0].address), ["198.18.0.5"]);
 * assert.equal(wwan0.metered, true);
 * ```
 * @param state What was read.
 * @param links The links to build, ordered by index.
 * @param notes Where to note what resolvers cannot be attributed.
 * @returns Their interfaces.
 */
export function linkInterfaces(
  state: HostState,
  links: readonly LinkRecord[],
  notes: SourceNote[],
): InterfaceInfo[] {
  const some = links.length < state.links.length ? new Set(links.map((l) => l.index)) : undefined;
  const byLink = addressesByLink(
    some ? state.addresses.filter((a) => some.has(a.index)) : state.addresses,
  );
  const drafts = new Map<string, LinkDraft>();
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
  return links.map((link) => interfaceOf(link, state, metered, drafts.get(link.name)));
}
