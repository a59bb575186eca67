/**
 * The macOS snapshot: the parsed outputs of networksetup, ifconfig, scutil,
 * ndp, netstat and ipconfig joined into interfaces and their PDs. Pure:
 * parsed data and the time in, a Snapshot out (the platform runs the
 * tools). A link gets an IPv4 PD (ipv4_pd.ts), one IPv6 PD per advertising
 * router and a static one (ipv6_pds.ts), then the DNS servers `scutil --dns`
 * scopes to it (attribute_dns.ts); a link that is down is shown without
 * PDs, and peer-to-peer links, bridge members and the system's own tunnels
 * (darwin_links.ts) are not shown.
 *
 * @module
 */

import type { InterfaceInfo, Snapshot, SourceNote } from "../../protocol/model.ts";
import type { PdDraft } from "../pd_draft.ts";
import {
  type DarwinLink,
  darwinLinks,
  type DarwinLinkSources,
  orderLinks,
} from "./darwin_links.ts";
import { ipv4Pd } from "./ipv4_pd.ts";
import { darwinIpv6Pds } from "./ipv6_pds.ts";
import { attributeDns } from "./attribute_dns.ts";
import type { NetstatRoute } from "./parse_netstat_routes.ts";
import type { NdpPrefix, NdpRouter } from "./parse_ndp.ts";
import type { DhcpPacket, Dhcpv6Packet } from "./parse_ipconfig_packet.ts";
import type { IpconfigSummary } from "./parse_ipconfig_summary.ts";
import type { RouterAdvertisement } from "./parse_router_advertisement.ts";
import type { ScutilDns } from "./parse_scutil_dns.ts";
import { parseScdDate } from "./scd_date.ts";
import type { IfconfigInterface } from "./parse_ifconfig.ts";

/** What ipconfig said of one interface; a verb left out was not run or printed nothing. */
export interface IpconfigFacts {
  /** `ipconfig getpacket <if>`. */
  readonly packet?: DhcpPacket;
  /** `ipconfig getv6packet <if>`. */
  readonly v6packet?: Dhcpv6Packet;
  /** `ipconfig getra <if>` (macOS 11+). */
  readonly ra?: RouterAdvertisement;
  /** `ipconfig getsummary <if>` (macOS 12+). */
  readonly summary?: IpconfigSummary;
}

/** Everything read of the Mac at one moment, parsed. */
export interface DarwinHostState extends DarwinLinkSources {
  /** When it was read, epoch ms. */
  readonly now: number;
  /** `netstat -rn`. */
  readonly routes: readonly NetstatRoute[];
  /** `ndp -n -r`. */
  readonly ndpRouters?: readonly NdpRouter[];
  /** `ndp -n -p`. */
  readonly ndpPrefixes?: readonly NdpPrefix[];
  /** ipconfig's outputs by interface name. */
  readonly ipconfig?: ReadonlyMap<string, IpconfigFacts>;
  /** `scutil --dns`. */
  readonly dns?: ScutilDns;
  /** Sources that could not be read. */
  readonly notes?: readonly SourceNote[];
}

/** A link's PDs and what no PD can claim. */
interface LinkPds {
  readonly pds: PdDraft[];
  readonly unattributed: InterfaceInfo["unattributed"];
  readonly metered?: boolean;
}

/**
 * When the lease of `packet` started, from `ipconfig getsummary`: the
 * LeaseStartTime of the DHCP service whose packet offers the same address.
 */
function summaryLeaseStart(
  summary: IpconfigSummary | undefined,
  packet: DhcpPacket,
): number | undefined {
  const dhcp = summary?.ipv4.find((s) => s.dhcp?.packet?.yiaddr === packet.yiaddr)?.dhcp;
  return dhcp?.leaseStartTime === undefined ? undefined : parseScdDate(dhcp.leaseStartTime);
}

/** The PDs of a link that may have some. */
function linkPds(link: DarwinLink, state: DarwinHostState): LinkPds {
  const facts = state.ipconfig?.get(link.name) ?? {};
  const summary = facts.summary;
  const packet = facts.packet ?? summary?.ipv4.find((s) => s.dhcp?.packet)?.dhcp?.packet;
  const leaseStart = packet && summaryLeaseStart(summary, packet);
  const v4 = ipv4Pd(link, {
    now: state.now,
    routes: state.routes,
    packet,
    ...(leaseStart !== undefined ? { leaseStart } : {}),
  });
  const v6 = darwinIpv6Pds({
    link: link.name,
    addresses: link.inet6,
    routers: state.ndpRouters,
    prefixes: state.ndpPrefixes,
    ra: facts.ra,
    dhcpv6: facts.v6packet,
    summary: summary?.ipv6[0],
    routes: state.routes,
    now: state.now,
  });
  return {
    pds: [...(v4.pd ? [v4.pd] : []), ...v6.pds],
    unattributed: [...v4.unattributed, ...v6.unattributed],
    ...(v4.meteredHint ? { metered: true } : {}),
  };
}

/**
 * Whether the kernel marks data on a link as costly (eflags EXPENSIVE:
 * cellular, a phone's hotspot) or the user asked to save it (Low Data Mode:
 * xflags CONSTRAINED, or "constrained" in the header), as `ifconfig -v`
 * prints them (network_cmds ifconfig.tproj/ifconfig.c, IFEFBITS, IFXFBITS,
 * SIOCGIFCONSTRAINED). Their absence proves nothing on releases that
 * print neither.
 */
function kernelMetered(link: IfconfigInterface | undefined): boolean {
  return link !== undefined &&
    (link.eflags.includes("EXPENSIVE") || link.xflags.includes("CONSTRAINED") ||
      link.constrained);
}

/**
 * Builds the snapshot of a Mac from its tools' parsed outputs.
 *
 * @example One Wi-Fi link with a DHCP-less IPv4 address and its scoped DNS
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDarwinSnapshot } from "./build_snapshot.ts";
 * import { parseIfconfig } from "./parse_ifconfig.ts";
 * import { parseNetstatRoutes } from "./parse_netstat_routes.ts";
 * import { parseScutilDns } from "./parse_scutil_dns.ts";
 * const snapshot = buildDarwinSnapshot({
 *   now: 0,
 *   interfaces: parseIfconfig(
 *     "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n" +
 *       "\tinet 198.51.100.7 netmask 0xffffff00 broadcast 198.51.100.255\n" +
 *       "\tstatus: active\n",
 *   ),
 *   ports: [{ port: "Wi-Fi", device: "en0", mac: null }],
 *   routes: parseNetstatRoutes(
 *     "Routing tables\n\nInternet:\nDestination        Gateway            Flags        Netif Expire\n" +
 *       "default            198.51.100.1       UGScg          en0\n",
 *   ),
 *   dns: parseScutilDns(
 *     "DNS configuration\n\nDNS configuration (for scoped queries)\n\nresolver #1\n" +
 *       "  nameserver[0] : 198.51.100.53\n  if_index : 6 (en0)\n  flags    : Scoped, Request A records\n",
 *   ),
 * });
 * const [en0] = snapshot.interfaces;
 * assert.equal(en0.interfaceType, "wifi");
 * assert.deepEqual(en0.pds.map((p) => p.pdId), ["en0/ipv4"]);
 * assert.deepEqual(en0.pds[0].elements.map((e) => e.data["dns-servers"]), [["198.51.100.53"]]);
 * ```
 * @param state The parsed outputs.
 * @returns The snapshot: links in service order, then by name.
 */
export function buildDarwinSnapshot(state: DarwinHostState): Snapshot {
  const links = orderLinks(darwinLinks(state)).filter((l) => l.skip === null || l.skip === "down");
  const built = new Map<string, LinkPds>();
  for (const link of links) {
    if (link.skip === null) built.set(link.name, linkPds(link, state));
  }
  const notes: SourceNote[] = [...(state.notes ?? [])];
  if (state.dns) {
    const names = new Map(links.flatMap((l) => l.index === null ? [] : [[l.index, l.name]]));
    attributeDns(state.dns, new Map([...built].map(([name, b]) => [name, b.pds])), notes, names);
  }
  const ifconfig = new Map(state.interfaces.map((i) => [i.name, i]));
  const interfaces = links.map((link): InterfaceInfo => {
    const pds = built.get(link.name);
    const metered = pds?.metered || kernelMetered(ifconfig.get(link.name));
    return {
      interfaceId: link.name,
      displayName: link.displayName,
      interfaceType: link.interfaceType,
      operState: link.operState,
      ...(link.index !== null ? { index: link.index } : {}),
      ...(link.mtu !== null ? { mtu: link.mtu } : {}),
      ...(link.mac !== null ? { mac: link.mac } : {}),
      ...(metered ? { metered: true } : {}),
      pds: pds?.pds.map((pd) => pd.done()) ?? [],
      ...(pds?.unattributed?.length ? { unattributed: pds.unattributed } : {}),
    };
  });
  return { interfaces, ...(notes.length ? { notes } : {}) };
}
