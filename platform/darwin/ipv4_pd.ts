/**
 * The IPv4 provisioning domain of a macOS link (§3.1), from its `ifconfig`
 * addresses, the DHCPv4 packet `ipconfig getpacket <if>` prints and the
 * `netstat -rn` routes: a "dhcpv4" element when the link's lease covers one
 * of its addresses, a "static" element for addresses no lease explains.
 * Pure: parsed data and the time in, a draft out.
 *
 * @module
 */

import type { AddressInfo } from "../../protocol/model.ts";
import { isSelfAssigned } from "../../ip/ip.ts";
import { maskLength, networkOf, prefixMatch } from "../../ip/prefix.ts";
import { PdDraft } from "../pd_draft.ts";
import { dhcp4Element, type Dhcp4Lease } from "../dhcp_elements.ts";
import type { IfconfigInet } from "./parse_ifconfig.ts";
import type { DhcpPacket, DhcpRawOption } from "./parse_ipconfig_packet.ts";
import { defaultRouters, type NetstatRoute } from "./parse_netstat_routes.ts";

/** What {@linkcode ipv4Pd} reads about one link. */
export interface Ipv4Link {
  /** The interface name ("en0"). */
  readonly name: string;
  /** Its `inet` lines. */
  readonly inet: readonly IfconfigInet[];
  /** Its MTU. */
  readonly mtu?: number | null;
}

/** The host state {@linkcode ipv4Pd} reads. */
export interface Ipv4State {
  /** When it was read, epoch ms. */
  readonly now: number;
  /** All `netstat -rn` rows. */
  readonly routes: readonly NetstatRoute[];
  /** `ipconfig getpacket <if>` of this link; undefined when it printed nothing. */
  readonly packet?: DhcpPacket;
  /**
   * When the lease started, epoch ms (configd's LeaseStartTime in
   * `ipconfig getsummary`); without it the lease's times stay relative.
   */
  readonly leaseStart?: number;
}

/** What {@linkcode ipv4Pd} found. */
export interface Ipv4Result {
  /** The PD; undefined when the link has no IPv4 address but self-assigned ones. */
  readonly pd?: PdDraft;
  /** Self-assigned addresses (169.254/16, RFC 3927: isSelfAssigned): no PD's. */
  readonly unattributed: readonly AddressInfo[];
  /**
   * Why the link looks metered, if it does: "iphone-hotspot" for an
   * address in 172.20.10.0/28 behind router 172.20.10.1 (iPhone Personal
   * Hotspot's fixed network), "android-hotspot" for a lease whose
   * vendor-specific option (43) reads "ANDROID_METERED" (Android's tethering
   * DHCP server sends it). A hint for InterfaceInfo.metered.
   */
  readonly meteredHint?: "iphone-hotspot" | "android-hotspot";
}

/** The address a DHCP packet leased: yiaddr, or ciaddr (a renewal or INFORM). */
function leased(p: DhcpPacket): string | undefined {
  return [p.yiaddr, p.ciaddr].find((a) => a !== "0.0.0.0");
}

/**
 * An `ipconfig getpacket` ACK as the lease every platform's "dhcpv4"
 * element is made of (dhcp4Element): search domains from option 119, else
 * option 15; the renewal, rebinding and end times when the lease's start is
 * known.
 *
 * @example A campus lease
 * ```ts
 * import { packetLease } from "./ipv4_pd.ts";
 * import { parseIpconfigPacket } from "./parse_ipconfig_packet.ts";
 * import { dhcp4Element } from "../dhcp_elements.ts";
 * import assert from "node:assert/strict";
 * const p = parseIpconfigPacket([
 *   "op = BOOTREPLY", "htype = 1", "flags = 0", "hlen = 6", "hops = 0", "xid = 0x1", "secs = 0",
 *   "ciaddr = 0.0.0.0", "yiaddr = 198.51.100.7", "siaddr = 0.0.0.0", "giaddr = 0.0.0.0",
 *   "chaddr = a:0:27:0:0:1", "sname = ", "file = ", "options:", "Options count is 5",
 *   "dhcp_message_type (uint8): ACK 0x5", "lease_time (uint32): 0xe10",
 *   "subnet_mask (ip): 255.255.255.0", "router (ip_mult): {198.51.100.1}",
 *   "domain_name (string): lab.example", "end (none): ",
 * ].join("\n"))!;
 * const e = dhcp4Element(packetLease(p, { interfaceName: "en0", leaseStart: 0 }));
 * assert.deepEqual(e.data["search-domains"], ["lab.example"]);
 * assert.equal(e.data["prefix-length"], 24);
 * assert.equal(e.data["expires-at"], "1970-01-01T01:00:00.000Z");
 * ```
 * @param p The packet.
 * @param link The link's name, and when the lease started (epoch ms), if known.
 * @returns The lease.
 */
export function packetLease(
  p: DhcpPacket,
  link: { readonly interfaceName: string; readonly leaseStart?: number },
): Dhcp4Lease {
  const o = p.options;
  // Option 26, printed "interface_mtu (uint16): 0x5dc" (bootplib/dhcp_options.c).
  const mtu = /^0x([0-9a-f]{1,4})$/.exec(
    o.all.find((x) => x.name === "interface_mtu")?.value ?? "",
  );
  const address = leased(p);
  const prefixLength = o.subnetMask === undefined ? undefined : maskLength(o.subnetMask);
  const after = (seconds: number | undefined) =>
    link.leaseStart === undefined || seconds === undefined || seconds === 0xffffffff
      ? undefined
      : link.leaseStart + seconds * 1000;
  const [expiresAt, renewAt, rebindAt] = [o.leaseTime, o.renewalT1, o.rebindingT2].map(after);
  return {
    interfaceName: link.interfaceName,
    dnsServers: o.domainNameServers,
    searchDomains: o.domainSearch.length
      ? o.domainSearch
      : o.domainName !== undefined
      ? [o.domainName]
      : [],
    routers: o.routers,
    ...(address !== undefined ? { address } : {}),
    ...(prefixLength !== undefined ? { prefixLength } : {}),
    ...(o.domainName !== undefined ? { domainName: o.domainName } : {}),
    ...(o.serverIdentifier !== undefined ? { serverIdentifier: o.serverIdentifier } : {}),
    ...(mtu ? { mtu: parseInt(mtu[1], 16) } : {}),
    ...(o.leaseTime !== undefined ? { leaseTime: o.leaseTime } : {}),
    ...(o.renewalT1 !== undefined ? { renewalTime: o.renewalT1 } : {}),
    ...(o.rebindingT2 !== undefined ? { rebindingTime: o.rebindingT2 } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(renewAt !== undefined ? { renewAt } : {}),
    ...(rebindAt !== undefined ? { rebindAt } : {}),
    source: "ipconfig getpacket",
  };
}

/**
 * The static element's data: the link's default routers (primary or
 * interface-scoped; `link#N` defaults name no router), the destinations
 * routed through it beyond its own subnets (`routes`: a VPN's split routes,
 * "0.0.0.0/0" for a full tunnel or a default) and its MTU.
 *
 * @example A tunnel's full-tunnel default and a Wi-Fi router
 * ```ts
 * import { staticData } from "./ipv4_pd.ts";
 * import { parseNetstatRoutes } from "./parse_netstat_routes.ts";
 * import assert from "node:assert/strict";
 * const routes = parseNetstatRoutes(`Internet:
 * default            link#18            UCSg            utun3
 * default            198.51.100.1       UGScIg            en0
 * 198.51.100         link#11            UCS               en0      !
 * `);
 * const en0 = { name: "en0", inet: [{ address: "198.51.100.7", prefixLength: 24, broadcast: null, peer: null }] };
 * assert.deepEqual(staticData(en0, routes), { routers: ["198.51.100.1"], routes: ["0.0.0.0/0"] });
 * assert.deepEqual(staticData({ name: "utun3", inet: [], mtu: 1280 }, routes), {
 *   routers: [], routes: ["0.0.0.0/0"], mtu: 1280,
 * });
 * ```
 * @param link The link.
 * @param routes All `netstat -rn` rows.
 * @returns routers, routes and mtu.
 */
export function staticData(
  link: Ipv4Link,
  routes: readonly NetstatRoute[],
): { routers: string[]; routes?: string[]; mtu?: number } {
  const routers = defaultRouters(routes)
    .filter((r) => r.family === "ipv4" && r.netif === link.name)
    .map((r) => r.router);
  const own = link.inet.map((a) => networkOf(a.address, a.prefixLength));
  const served = routes.filter((r) =>
    r.family === "ipv4" && r.netif === link.name && r.prefix !== undefined &&
    r.flags.includes("S") && !/[HWLmb]/.test(r.flags) && !own.includes(r.prefix) &&
    prefixMatch(r.prefix.split("/")[0], "169.254.0.0/16") < 0
  ).map((r) => r.prefix!);
  return {
    routers: [...new Set(routers)],
    ...(served.length ? { routes: [...new Set(served)] } : {}),
    ...(link.mtu != null ? { mtu: link.mtu } : {}),
  };
}

/** When a lease ends, epoch ms; null when unknown or infinite. */
function leaseEnd(p: DhcpPacket, leaseStart: number | undefined): number | null {
  const t = p.options.leaseTime;
  return t === undefined || leaseStart === undefined || t === 0xffffffff
    ? null
    : leaseStart + t * 1000;
}

/**
 * Why a link looks metered: an iPhone hotspot's fixed network, or an
 * Android hotspot's ANDROID_METERED vendor option.
 *
 * @example The two hints
 * ```ts
 * import { meteredHint } from "./ipv4_pd.ts";
 * import assert from "node:assert/strict";
 * const inet = [{ address: "172.20.10.2", prefixLength: 28, broadcast: null, peer: null }];
 * assert.equal(meteredHint(inet, ["172.20.10.1"]), "iphone-hotspot");
 * assert.equal(meteredHint(inet, ["172.20.10.14"]), undefined);
 * const all = [{ name: "vendor_specific", type: "opaque", value: "0000  41 4e 44 52 4f 49 44 5f  4d 45 54 45 52 45 44     ANDROID_METERED" }];
 * assert.equal(meteredHint([], [], all), "android-hotspot");
 * ```
 * @param inet The link's addresses.
 * @param routers Its routers (netstat defaults and the lease's).
 * @param options The lease's raw options, if any.
 * @returns The hint, or undefined.
 */
export function meteredHint(
  inet: readonly IfconfigInet[],
  routers: readonly string[],
  options: readonly DhcpRawOption[] = [],
): Ipv4Result["meteredHint"] {
  if (
    routers.includes("172.20.10.1") &&
    inet.some((a) => a.address !== "172.20.10.1" && prefixMatch(a.address, "172.20.10.0/28") >= 0)
  ) return "iphone-hotspot";
  const vendor = options.find((o) => o.name === "vendor_specific")?.value ?? "";
  // The hex dump's text column, or the bytes themselves.
  const hex = vendor.split("\n").map((l) => l.slice(6, 55).replace(/\s/g, "")).join("");
  const text = String.fromCharCode(...(hex.match(/../g) ?? []).map((b) => parseInt(b, 16)));
  return text.includes("ANDROID_METERED") ? "android-hotspot" : undefined;
}

/**
 * Builds a link's IPv4 PD. A self-assigned address (169.254/16, RFC 3927:
 * isSelfAssigned) goes to `unattributed`, and a link with no other IPv4
 * address gets no PD, as on Linux. The DHCP packet explains an address
 * when it is an ACK for it whose lease has not ended; the address of a
 * lease that has ended goes to `unattributed` with its lease's end.
 *
 * @example A static address on en0
 * ```ts
 * import { ipv4Pd } from "./ipv4_pd.ts";
 * import assert from "node:assert/strict";
 * const inet = [{ address: "172.20.10.3", prefixLength: 28, broadcast: null, peer: null }];
 * const r = ipv4Pd({ name: "en0", inet }, { now: 0, routes: [] });
 * assert.equal(r.pd?.pdId, "en0/ipv4");
 * assert.equal(r.pd?.has("static"), true);
 * assert.equal(r.meteredHint, undefined); // No router 172.20.10.1 seen.
 * assert.deepEqual(r.unattributed, []);
 * ```
 * @param link The link.
 * @param state Routes, the link's DHCP packet and the time.
 * @returns The PD, link-local addresses and the metered hint.
 */
export function ipv4Pd(link: Ipv4Link, state: Ipv4State): Ipv4Result {
  const linkLocal = (a: IfconfigInet) => isSelfAssigned(a.address, a.prefixLength);
  const info = (a: IfconfigInet, until: number | null): AddressInfo => ({
    address: a.address,
    prefixLength: a.prefixLength,
    validUntil: until,
    preferredUntil: until,
  });
  const p = state.packet;
  const end = p ? leaseEnd(p, state.leaseStart) : null;
  const acked = p?.options.messageType === "ACK" ? leased(p) : undefined;
  // The address of a lease that ended by now is no lease's, and not static either: what it
  // is now (a stale read, a capture replayed later) is not known, so it is in no PD.
  const ended = (a: IfconfigInet) => a.address === acked && end !== null && end <= state.now;
  const unattributed = link.inet.filter((a) => linkLocal(a) || ended(a))
    .map((a) => info(a, ended(a) ? end : null));
  const own = link.inet.filter((a) => !linkLocal(a) && !ended(a));
  const address = own.some((a) => a.address === acked) ? acked : undefined;
  const lease = own.some((a) => a.address === address) ? p : undefined;
  const data = staticData(link, state.routes);
  const hint = meteredHint(
    own,
    [...data.routers, ...lease?.options.routers ?? []],
    lease?.options.all,
  );
  const extra = hint ? { meteredHint: hint } : {};
  if (own.length === 0) return { unattributed, ...extra };
  const pd = new PdDraft(`${link.name}/ipv4`, "ipv4");
  if (lease) {
    pd.set(
      dhcp4Element(packetLease(lease, { interfaceName: link.name, leaseStart: state.leaseStart })),
    );
  }
  if (own.some((a) => a.address !== address || !lease)) {
    pd.set({ element: "static", data, source: "ifconfig" });
  }
  pd.addresses.push(...own.map((a) => info(a, lease && a.address === address ? end : null)));
  return { pd, unattributed, ...extra };
}
