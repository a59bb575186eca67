/**
 * Parses macOS `ipconfig getsummary <if>` (macOS 12+, bootp-428:
 * apple-oss-distributions/bootp ipconfig.tproj/client.c S_get_summary() L487,
 * an SCPrint of a CFDictionary read by read_scprint.ts) and `ipconfig getra
 * <if>` (macOS 11+, bootp-413.40.2: client.c S_get_ra() L429-484). The RA
 * text of both is read by parse_router_advertisement.ts; the DHCP and DHCPv6
 * packets embedded in the summary by parse_ipconfig_packet.ts.
 *
 * @module
 */

import {
  type DhcpPacket,
  type Dhcpv6Packet,
  parseIpconfigPacket,
  parseIpconfigV6Packet,
} from "./parse_ipconfig_packet.ts";
import {
  parseRouterAdvertisement,
  type RouterAdvertisement,
} from "./parse_router_advertisement.ts";
import { parseScPrint, type ScDictionary, type ScValue } from "./read_scprint.ts";

/**
 * Parses `ipconfig getra <if>` (macOS 11+).
 *
 * @example No RA yet
 * ```ts
 * import { parseIpconfigRa } from "./parse_ipconfig_summary.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseIpconfigRa(""), undefined);
 * const ra = parseIpconfigRa("RA Received 04/25/2025 23:06:51 from fe80::1, length 16, hop limit 64, " +
 *   "lifetime 0s, reachable 0ms, retransmit 0ms, flags 0x0\n");
 * assert.equal(ra?.received, "04/25/2025 23:06:51");
 * assert.equal(ra?.routerLifetime, 0);
 * ```
 * @param text The output.
 * @returns The RA, or undefined for empty output (no RA kept for the interface).
 * @throws {SyntaxError} When the output is not an RA description.
 */
export function parseIpconfigRa(text: string): RouterAdvertisement | undefined {
  return text.trim() === "" ? undefined : parseRouterAdvertisement(text);
}

/** One IPv4 service of the interface. */
export interface SummaryIpv4 {
  /** "DHCP", "Manual", "LinkLocal", "BOOTP"... */
  readonly configMethod?: string;
  readonly serviceId?: string;
  readonly addresses: readonly string[];
  readonly subnetMasks: readonly string[];
  readonly router?: string;
  /** DHCP state ("BOOTREPLY" packet included) when ConfigMethod is DHCP. */
  readonly dhcp?: {
    readonly state?: string;
    readonly leaseStartTime?: string;
    readonly leaseExpirationTime?: string;
    readonly packet?: DhcpPacket;
  };
}

/** One IPv6 service of the interface. */
export interface SummaryIpv6 {
  /** "Automatic", "Manual", "LinkLocal", "6to4"... */
  readonly configMethod?: string;
  readonly serviceId?: string;
  readonly rtadv?: {
    /** "Solicit", "Acquired"... */
    readonly state?: string;
    /** The one RA IPConfiguration keeps. */
    readonly advertisement?: RouterAdvertisement;
    readonly clat46Enabled: boolean;
    readonly clat46Active: boolean;
  };
  readonly dhcpv6?: {
    /** "Stateless", "Stateful", "None"... */
    readonly mode?: string;
    readonly state?: string;
    readonly statefulAddress?: string;
    readonly delegatedPrefix?: string;
    readonly packet?: Dhcpv6Packet;
  };
}

/** `ipconfig getsummary <if>`. */
export interface IpconfigSummary {
  readonly interfaceType?: string;
  readonly linkStatusActive?: boolean;
  /** "<redacted>" on recent releases unless `ipconfig setverbose 1`. */
  readonly ssid?: string;
  readonly ipv4: readonly SummaryIpv4[];
  readonly ipv6: readonly SummaryIpv6[];
  /** The whole dictionary. */
  readonly tree: ScDictionary;
}

const str = (d: ScDictionary | undefined, k: string) =>
  typeof d?.[k] === "string" ? d[k] as string : undefined;
const dict = (d: ScDictionary | undefined, k: string) =>
  d?.[k] !== undefined && typeof d[k] === "object" && !Array.isArray(d[k])
    ? d[k] as ScDictionary
    : undefined;
const list = (d: ScDictionary | undefined, k: string) =>
  Array.isArray(d?.[k]) ? d[k] as readonly ScValue[] : [];
const strings = (d: ScDictionary | undefined, k: string) =>
  list(d, k).filter((v) => typeof v === "string") as string[];
const dicts = (d: ScDictionary | undefined, k: string) =>
  list(d, k).filter((v) => typeof v === "object" && !Array.isArray(v)) as ScDictionary[];

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function ipv4Service(s: ScDictionary): SummaryIpv4 {
  const dhcp = dict(s, "DHCP");
  const packet = str(dhcp, "Packet");
  return compact({
    configMethod: str(s, "ConfigMethod"),
    serviceId: str(s, "ServiceID"),
    addresses: strings(s, "Addresses"),
    subnetMasks: strings(s, "SubnetMasks"),
    router: str(s, "Router"),
    dhcp: dhcp && compact({
      state: str(dhcp, "State"),
      leaseStartTime: str(dhcp, "LeaseStartTime"),
      leaseExpirationTime: str(dhcp, "LeaseExpirationTime"),
      packet: packet === undefined ? undefined : parseIpconfigPacket(packet),
    }),
  });
}

function ipv6Service(s: ScDictionary): SummaryIpv6 {
  const rtadv = dict(s, "RTADV");
  const v6 = dict(s, "DHCPv6");
  const ra = str(rtadv, "RouterAdvertisement");
  const packet = str(v6, "Packet");
  const prefix = str(v6, "DelegatedPrefix");
  return compact({
    configMethod: str(s, "ConfigMethod"),
    serviceId: str(s, "ServiceID"),
    rtadv: rtadv && compact({
      state: str(rtadv, "State"),
      advertisement: ra === undefined
        ? undefined
        : parseRouterAdvertisement(ra, "ipconfig getsummary"),
      clat46Enabled: str(rtadv, "CLAT46Enabled") === "TRUE",
      clat46Active: str(rtadv, "CLAT46Active") === "TRUE",
    }),
    dhcpv6: v6 && compact({
      mode: str(v6, "Mode"),
      state: str(v6, "State"),
      statefulAddress: str(v6, "StatefulAddress"),
      delegatedPrefix: prefix === undefined
        ? undefined
        : `${prefix}/${str(v6, "DelegatedPrefixLength") ?? ""}`,
      packet: packet === undefined ? undefined : parseIpconfigV6Packet(packet),
    }),
  });
}

/**
 * Parses `ipconfig getsummary <if>` (macOS 12+).
 *
 * @example Read the IPv6 state of an interface
 * ```ts
 * import { parseIpconfigSummary } from "./parse_ipconfig_summary.ts";
 * import assert from "node:assert/strict";
 * const s = parseIpconfigSummary([
 *   "<dictionary> {",
 *   "  IPv6 : <array> {",
 *   "    0 : <dictionary> {",
 *   "      ConfigMethod : Automatic",
 *   "      RTADV : <dictionary> {",
 *   "        RouterAdvertisement : from fe80::1, length 16, hop limit 64, lifetime 1800s, reachable 0ms, retransmit 0ms, flags 0x0",
 *   "",
 *   "        State : Acquired",
 *   "      }",
 *   "    }",
 *   "  }",
 *   "  LinkStatusActive : TRUE",
 *   "}",
 * ].join("\n"))!;
 * assert.equal(s.linkStatusActive, true);
 * assert.equal(s.ipv6[0].rtadv?.state, "Acquired");
 * assert.equal(s.ipv6[0].rtadv?.advertisement?.routerLifetime, 1800);
 * assert.deepEqual(s.ipv4, []);
 * assert.equal(parseIpconfigSummary(""), undefined);
 * ```
 * @param text The output.
 * @returns The summary, or undefined for empty output.
 * @throws {SyntaxError} When the output is not an SCPrint dictionary, or an embedded RA/packet does not read.
 */
export function parseIpconfigSummary(text: string): IpconfigSummary | undefined {
  if (text.trim() === "") return undefined;
  const tree = parseScPrint(text, "ipconfig getsummary");
  const link = str(tree, "LinkStatusActive");
  return compact({
    interfaceType: str(tree, "InterfaceType"),
    linkStatusActive: link === undefined ? undefined : link === "TRUE",
    ssid: str(tree, "SSID"),
    ipv4: dicts(tree, "IPv4").map(ipv4Service),
    ipv6: dicts(tree, "IPv6").map(ipv6Service),
    tree,
  });
}
