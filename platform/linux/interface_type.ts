/**
 * Classifies a link from iproute2's linkinfo and what /sys/class/net says.
 *
 * @module
 */

import type { InterfaceType } from "../../protocol/types.ts";
import type { LinkRecord } from "./parse_links.ts";

/** What /sys/class/net/<name> tells about a link. */
export interface SysfsFacts {
  /** /sys/class/net/<name>/wireless or phy80211 exists. */
  readonly wireless: boolean;
  /** DEVTYPE from /sys/class/net/<name>/uevent ("wlan", "wwan", "bridge", ...). */
  readonly devType?: string;
}

const VPN_KINDS = new Set([
  "tun",
  "wireguard",
  "ipip",
  "gre",
  "gretap",
  "ip6gre",
  "ip6gretap",
  "sit",
  "ip6tnl",
  "vti",
  "vti6",
  "xfrm",
  "ppp",
]);
const VIRTUAL_KINDS = new Set([
  "veth",
  "dummy",
  "macvlan",
  "macvtap",
  "ipvlan",
  "vlan",
  "vxlan",
  "geneve",
  "ifb",
  "bond",
  "team",
  "vrf",
  "netkit",
  "nlmon",
]);
const CELLULAR_KINDS = new Set(["rmnet", "qmi_wwan", "mhi_net"]);
const TUNNEL_LINK_TYPES = new Set(["none", "ipip", "gre", "sit", "tunnel6", "ip6gre", "ppp"]);

/**
 * The interface type of a link.
 *
 * @example Classify a WireGuard link and a veth
 * ```ts
 * import { interfaceTypeOf } from "./interface_type.ts";
 * import assert from "node:assert/strict";
 * const link = { index: 4, name: "wg0", operState: "unknown", flags: [], linkType: "none" };
 * assert.equal(interfaceTypeOf({ ...link, kind: "wireguard" }, { wireless: false }), "vpn");
 * assert.equal(
 *   interfaceTypeOf({ ...link, linkType: "ether", kind: "veth" }, { wireless: false }),
 *   "virtual",
 * );
 * ```
 * @param link The link.
 * @param sys Facts from /sys/class/net.
 * @returns Its type.
 */
export function interfaceTypeOf(link: LinkRecord, sys: SysfsFacts): InterfaceType {
  if (link.linkType === "loopback" || link.flags.includes("LOOPBACK")) return "loopback";
  if (sys.wireless || sys.devType === "wlan") return "wifi";
  if (
    sys.devType === "wwan" || CELLULAR_KINDS.has(link.kind ?? "") ||
    /^(wwan|rmnet|ccmni)\d/.test(link.name)
  ) return "cellular";
  if (link.kind === "bridge" || sys.devType === "bridge") return "bridge";
  if (VPN_KINDS.has(link.kind ?? "") || TUNNEL_LINK_TYPES.has(link.linkType)) return "vpn";
  if (VIRTUAL_KINDS.has(link.kind ?? "")) return "virtual";
  if (link.linkType === "ether" && link.kind === undefined) return "wired";
  return "other";
}
