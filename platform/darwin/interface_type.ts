/**
 * Classifies a macOS link as one of mif's interface types from what
 * `ifconfig -a -v` prints about it (flags, xflags, `type:`, `functional
 * type:`, network agents, `effective interface:`, addresses, MAC) and the
 * hardware port `networksetup -listallhardwareports` names for its device.
 *
 * @module
 */

import type { InterfaceType } from "../../protocol/types.ts";
import { beyondLinkLocal, type IfconfigInterface } from "./parse_ifconfig.ts";

/**
 * Software links by name: Wi-Fi's peer-to-peer links (awdl: Apple Wireless
 * Direct Link, llw: low-latency WLAN, p2p: Wi-Fi Direct, ap: the Internet
 * Sharing access point, a bridge member), hypervisors' host-only links
 * (vmnet: VMware, vmenet: Virtualization.framework, vnic: Parallels,
 * vboxnet: VirtualBox), anpi (Apple silicon's peripheral links), the
 * gif/stf tunnels that exist unconfigured on every Mac, and XHC/VHC (USB
 * packet capture).
 */
const VIRTUAL_NAMES = /^(awdl|llw|p2p|ap|vmnet|vmenet|vnic|vboxnet|anpi|gif|stf|XHC|VHC)\d+$/;

/** The T2 chip's internal Ethernet link (iBridge) uses this fixed MAC prefix. */
const T2_MAC_PREFIX = "ac:de:48:";

/** Hardware ports that are wireless but not Wi-Fi: not "wired". */
const OTHER_PORTS = new Set(["Bluetooth PAN", "Bluetooth DUN"]);

/**
 * A VPN: the kernel marks it (xflags IS_VPN, recent releases), a Network
 * Extension VPN agent serves it, it delegates to another link (`effective
 * interface:`), it is an IKEv2/L2TP/PPTP link (ipsecN, pppN), or it is a utun
 * with an address that is not link-local (the system's own utuns — iCloud,
 * Continuity — only have fe80:: addresses).
 */
function isVpn(link: IfconfigInterface): boolean {
  if (link.xflags.includes("IS_VPN")) return true;
  if (link.agents.some((a) => a.domain === "NetworkExtension" && a.type === "VPN")) return true;
  if (link.effectiveInterface !== null && link.effectiveInterface !== link.name) return true;
  if (/^(ipsec|ppp)\d+$/.test(link.name)) return true;
  if (!/^utun\d+$/.test(link.name)) return false;
  return beyondLinkLocal([...link.inet, ...link.inet6]);
}

/**
 * The interface type of a macOS link, by the first rule that holds:
 * loopback (LOOPBACK flag); vpn (see above); virtual by name (awdl, llw,
 * p2p, ap, vmnet, vmenet, vnic, vboxnet, anpi, gif, stf, XHC, VHC, and a
 * portless enN with the T2 iBridge MAC ac:de:48:…); cellular (port "iPhone
 * USB", `type: Cellular`, `functional type: cellular`); wifi (port "Wi-Fi" or
 * "AirPort", or `type: Wi-Fi` / `functional type: wifi` on an enN); bridge
 * (bridgeN: Thunderbolt Bridge, Internet Sharing's bridge100, hypervisors'
 * bridges); other for Bluetooth PAN/DUN; wired (any other hardware port,
 * `type: Ethernet`, `functional type: wired`, IP over Thunderbolt/FireWire);
 * virtual for a utun without a routable address; other otherwise.
 *
 * @example A Wi-Fi port, a Network Extension VPN, the iPhone USB tether and awdl0
 * ```ts
 * import { interfaceTypeOf } from "./interface_type.ts";
 * import { parseIfconfig } from "./parse_ifconfig.ts";
 * import assert from "node:assert/strict";
 * const [en0, utun4, en5, awdl0] = parseIfconfig(
 *   "en0: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n" +
 *     "utun4: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1280 index 25\n" +
 *     "\txflags=10004<NOAUTONX,IS_VPN>\n" +
 *     "en5: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n\tinet 172.20.10.9 netmask 0xfffffff0\n" +
 *     "awdl0: flags=8943<UP,BROADCAST,RUNNING> mtu 1484\n\ttype: Wi-Fi\n",
 * );
 * assert.equal(interfaceTypeOf(en0, "Wi-Fi"), "wifi");
 * assert.equal(interfaceTypeOf(utun4, null), "vpn");
 * assert.equal(interfaceTypeOf(en5, "iPhone USB"), "cellular");
 * assert.equal(interfaceTypeOf(awdl0, null), "virtual");
 * ```
 * @param link The link as ifconfig printed it.
 * @param port The hardware port of its device (networksetup), or null when none.
 * @returns Its type.
 */
export function interfaceTypeOf(link: IfconfigInterface, port: string | null): InterfaceType {
  const { name, type, functionalType } = link;
  const en = /^en\d+$/.test(name);
  if (link.flags.includes("LOOPBACK")) return "loopback";
  if (isVpn(link)) return "vpn";
  if (VIRTUAL_NAMES.test(name)) return "virtual";
  if (port === null && en && link.mac?.startsWith(T2_MAC_PREFIX)) return "virtual";
  if (port === "iPhone USB" || type === "Cellular" || functionalType === "cellular") {
    return "cellular";
  }
  if (port === "Wi-Fi" || port === "AirPort") return "wifi";
  if (en && (type === "Wi-Fi" || functionalType === "wifi")) return "wifi";
  if (/^bridge\d+$/.test(name)) return "bridge";
  if (port !== null && OTHER_PORTS.has(port)) return "other";
  if (port !== null || type === "Ethernet" || functionalType === "wired") return "wired";
  if (type !== null && /^IP over (Thunderbolt|FireWire)$/.test(type)) return "wired";
  if (/^utun\d+$/.test(name)) return "virtual";
  return "other";
}
