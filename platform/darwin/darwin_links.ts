/**
 * The links of a Mac: `ifconfig -a -v -L` joined with the hardware ports
 * (`networksetup -listallhardwareports`), the network services in the
 * user's preference order (`networksetup -listnetworkserviceorder`) and the
 * primary interface of each family (`scutil --nwi`). Pure: parsed outputs
 * in, links out; the PD builders take their addresses from here.
 *
 * @module
 */

import type { Family } from "../../ip/ip.ts";
import type { OperState } from "../../protocol/model.ts";
import type { InterfaceType } from "../../protocol/types.ts";
import { interfaceTypeOf } from "./interface_type.ts";
import type { HardwarePort } from "./parse_hardware_ports.ts";
import type { IfconfigInet, IfconfigInet6, IfconfigInterface } from "./parse_ifconfig.ts";
import type { ScutilNwi } from "./parse_scutil_nwi.ts";
import type { NetworkService } from "./parse_service_order.ts";

/**
 * Why a link gets no provisioning domain: "down" (not UP and RUNNING, or
 * `status: inactive`), "peer-to-peer" (awdl, llw, p2p: Wi-Fi links to nearby
 * Apple devices, link-local only), "bridge-member" (a `member:` of a bridge:
 * its addresses live on the bridge), "system-tunnel" (a utun that is not a
 * VPN: the system's own, with only fe80:: addresses).
 */
export type SkipReason = "down" | "peer-to-peer" | "bridge-member" | "system-tunnel";

/** One link of the Mac. */
export interface DarwinLink {
  /** The BSD name ("en0", "utun4"). */
  readonly name: string;
  /** The interface index (`ifconfig -v`), or null when not printed. */
  readonly index: number | null;
  /** The network service's name, else the hardware port's, else the BSD name. */
  readonly displayName: string;
  /** Its type (see interfaceTypeOf). */
  readonly interfaceType: InterfaceType;
  /** up (UP, RUNNING, `status: active`), unknown (UP, RUNNING, no status line: lo0, utun), down otherwise. */
  readonly operState: OperState;
  /** The MTU, or null. */
  readonly mtu: number | null;
  /** The Ethernet address, lower case, or null. */
  readonly mac: string | null;
  /** The hardware port of the device (listallhardwareports, else its service's port), or null. */
  readonly hardwarePort: string | null;
  /** The position of its network service in the service order ("(N)"), or null (none, or disabled). */
  readonly serviceRank: number | null;
  /** The families `scutil --nwi` ranks this link first for (its primary families). */
  readonly primary: readonly Family[];
  /** IPv4 addresses as ifconfig printed them. */
  readonly inet: readonly IfconfigInet[];
  /** IPv6 addresses as ifconfig printed them (flags, pltime/vltime). */
  readonly inet6: readonly IfconfigInet6[];
  /** Why the link gets no PD, or null when it may have some. */
  readonly skip: SkipReason | null;
}

/** The parsed outputs the links are built from; all but `interfaces` may be missing. */
export interface DarwinLinkSources {
  /** `ifconfig -a -v -L` (parseIfconfig). */
  readonly interfaces: readonly IfconfigInterface[];
  /** `networksetup -listallhardwareports` (parseHardwarePorts). */
  readonly ports?: readonly HardwarePort[];
  /** `networksetup -listnetworkserviceorder` (parseServiceOrder). */
  readonly services?: readonly NetworkService[];
  /** `scutil --nwi` (parseScutilNwi). */
  readonly nwi?: ScutilNwi;
}

function operStateOf(link: IfconfigInterface): OperState {
  if (!link.flags.includes("UP") || !link.flags.includes("RUNNING")) return "down";
  if (link.status === "active") return "up";
  if (link.status === "inactive") return "down";
  return "unknown";
}

function skipOf(
  link: IfconfigInterface,
  type: InterfaceType,
  state: OperState,
  members: ReadonlySet<string>,
): SkipReason | null {
  if (/^(awdl|llw|p2p)\d+$/.test(link.name)) return "peer-to-peer";
  if (members.has(link.name)) return "bridge-member";
  if (/^utun\d+$/.test(link.name) && type !== "vpn") return "system-tunnel";
  return state === "down" ? "down" : null;
}

/** The service of each device: its first enabled one in order, else its first disabled one. */
function servicesByDevice(services: readonly NetworkService[]): Map<string, NetworkService> {
  const byDevice = new Map<string, NetworkService>();
  for (const service of services) {
    if (service.device === "") continue;
    const known = byDevice.get(service.device);
    if (!known || (!known.enabled && service.enabled)) byDevice.set(service.device, service);
  }
  return byDevice;
}

/**
 * The links ifconfig printed, each joined with its hardware port and
 * network service (by device name; a service's port stands in for a missing
 * port list) and its primary families (`scutil --nwi`: the first interface
 * of a family's list not flagged NOT-IN-LIST). Ports and services of devices
 * ifconfig does not show (unplugged adapters, Bluetooth PAN before use) and
 * VPN services, which have no device, give no link.
 *
 * @example USB LAN first in the service order and primary; utun0 is the system's
 * ```ts
 * import { darwinLinks } from "./darwin_links.ts";
 * import { parseIfconfig } from "./parse_ifconfig.ts";
 * import assert from "node:assert/strict";
 * const interfaces = parseIfconfig(
 *   "en7: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500 index 9\n" +
 *     "\tether 98:00:43:0f:00:03\n\tinet 198.51.100.7 netmask 0xffffff00\n\tstatus: active\n" +
 *     "utun0: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n" +
 *     "\tinet6 fe80::1%utun0 prefixlen 64 scopeid 0x11\n",
 * );
 * const [en7, utun0] = darwinLinks({
 *   interfaces,
 *   ports: [{ port: "USB 10/100/1000 LAN", device: "en7", mac: "98:00:43:0f:00:03" }],
 *   services: [{ order: 1, name: "Office LAN", enabled: true, port: "USB 10/100/1000 LAN", device: "en7" }],
 *   nwi: { ipv4: [{ interface: "en7", flagsValue: 5, flags: ["IPv4", "DNS"] }], ipv6: [],
 *     interfaces: ["en7"], reach: {} },
 * });
 * assert.deepEqual(
 *   [en7.displayName, en7.interfaceType, en7.operState, en7.index, en7.serviceRank, en7.skip],
 *   ["Office LAN", "wired", "up", 9, 1, null],
 * );
 * assert.deepEqual(en7.primary, ["ipv4"]);
 * assert.equal(en7.inet[0].address, "198.51.100.7");
 * assert.deepEqual(
 *   [utun0.displayName, utun0.interfaceType, utun0.operState, utun0.skip],
 *   ["utun0", "virtual", "unknown", "system-tunnel"],
 * );
 * ```
 * @param sources The parsed outputs.
 * @returns One link per ifconfig interface, in ifconfig's order (see orderLinks).
 */
export function darwinLinks(sources: DarwinLinkSources): DarwinLink[] {
  const ports = new Map((sources.ports ?? []).map((p) => [p.device, p.port] as const));
  const services = servicesByDevice(sources.services ?? []);
  const members = new Set(sources.interfaces.flatMap((i) => i.members));
  // configd ranks NOT-IN-LIST entries (never primary) last: the first other one is primary.
  const first = (list: ScutilNwi["ipv4"] = []) =>
    list.find((entry) => !entry.flags.includes("NOT-IN-LIST"))?.interface;
  const firsts: [Family, string | undefined][] = [
    ["ipv4", first(sources.nwi?.ipv4)],
    ["ipv6", first(sources.nwi?.ipv6)],
  ];
  return sources.interfaces.map((link) => {
    const service = services.get(link.name);
    const port = ports.get(link.name) ?? service?.port ?? null;
    const interfaceType = interfaceTypeOf(link, port);
    const operState = operStateOf(link);
    return {
      name: link.name,
      index: link.index,
      displayName: service?.name ?? port ?? link.name,
      interfaceType,
      operState,
      mtu: link.mtu,
      mac: link.mac,
      hardwarePort: port,
      serviceRank: service?.enabled ? service.order : null,
      primary: firsts.filter(([, name]) => name === link.name).map(([family]) => family),
      inet: link.inet,
      inet6: link.inet6,
      skip: skipOf(link, interfaceType, operState, members),
    };
  });
}

/** "en35" → ["en", 35]; a name without a trailing number → [name, -1]. */
function nameKey(name: string): [string, number] {
  const match = /^(.*?)(\d+)$/.exec(name);
  return match ? [match[1], Number(match[2])] : [name, -1];
}

/**
 * The links in a stable snapshot order: those with an enabled network
 * service first, in the service order, then the others by name (letters
 * ignoring case, then the number: en5 before en35, ap1 before XHC0).
 *
 * @example A service-ordered Wi-Fi before lo0 and en2 before en10
 * ```ts
 * import { orderLinks } from "./darwin_links.ts";
 * import assert from "node:assert/strict";
 * const links = [
 *   { name: "en10", serviceRank: null }, { name: "lo0", serviceRank: null },
 *   { name: "en2", serviceRank: null }, { name: "en0", serviceRank: 3 },
 * ];
 * assert.deepEqual(orderLinks(links).map((l) => l.name), ["en0", "en2", "en10", "lo0"]);
 * ```
 * @param links The links (a copy is sorted).
 * @returns The links in order.
 */
export function orderLinks<T extends Pick<DarwinLink, "name" | "serviceRank">>(
  links: readonly T[],
): T[] {
  return [...links].sort((a, b) => {
    if (a.serviceRank !== b.serviceRank) {
      if (a.serviceRank === null) return 1;
      if (b.serviceRank === null) return -1;
      return a.serviceRank - b.serviceRank;
    }
    const [aText, aNumber] = nameKey(a.name);
    const [bText, bNumber] = nameKey(b.name);
    if (aText !== bText) {
      const [aLower, bLower] = [aText.toLowerCase(), bText.toLowerCase()];
      if (aLower !== bLower) return aLower < bLower ? -1 : 1;
      return aText < bText ? -1 : 1;
    }
    return aNumber - bNumber;
  });
}
