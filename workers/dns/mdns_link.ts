/**
 * The link side of mDNS one-shot queries (RFC 6762 §5.1, "legacy unicast"):
 * which names belong to mDNS, where a PD's query leaves from and goes to,
 * and which senders are on the PD's link. Pure.
 *
 * @module
 */

import type { AddressInfo } from "../../protocol/model.ts";
import type { Family } from "../../protocol/types.ts";
import { isLinkLocal, parseIp } from "../../ip/ip.ts";
import { prefixMatch } from "../../ip/prefix.ts";
import { rankSources } from "../../ip/addrselect.ts";
import { zoned } from "../../ip/zone.ts";
import { nameKey } from "../../dns/dns_name.ts";

/** The mDNS port (RFC 6762 §3); queries leave from another port so answers come by unicast (§6.7). */
export const MDNS_PORT = 5353;

/** The IPv4 and IPv6 mDNS groups (RFC 6762 §3). */
export const MDNS_GROUPS = { ipv4: "224.0.0.251", ipv6: "ff02::fb" } as const;

/** Where a PD's mDNS queries go from and to. */
export interface MdnsRoute {
  /** The family of source and group. */
  readonly family: Family;
  /** The PD address to bind, with a %zone when it is link-local. */
  readonly source: string;
  /** The group to send to, with the interface as zone for IPv6 ("ff02::fb%eth0"). */
  readonly group: string;
  /** For setMulticastInterface: the source for IPv4, "::%<interface>" for IPv6. */
  readonly multicastInterface: string;
}

/**
 * Whether a name belongs to mDNS: `local` or a name under it (RFC 6762
 * §3), which is never sent to unicast DNS (§22).
 *
 * @example Only names under local
 * ```ts
 * import { isLocalName } from "./mdns_link.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isLocalName("Printer.LOCAL"), true);
 * assert.equal(isLocalName("local.example"), false);
 * ```
 * @param name An ASCII name, with or without a trailing dot.
 * @returns true for names under local.
 */
export function isLocalName(name: string): boolean {
  const key = nameKey(name);
  return key === "local" || key.endsWith(".local");
}

/**
 * Where a PD's mDNS query goes: from its best valid, preferred address
 * (RFC 6724 towards the group; IPv4 when it has one, else IPv6) to the
 * group on the PD's interface.
 *
 * @example An IPv4 PD asks 224.0.0.251 from its address
 * ```ts
 * import { mdnsRoute } from "./mdns_link.ts";
 * import assert from "node:assert/strict";
 * const a = { address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null };
 * assert.deepEqual(mdnsRoute("eth0", [a], Date.now()), {
 *   family: "ipv4", source: "198.51.100.7", group: "224.0.0.251",
 *   multicastInterface: "198.51.100.7",
 * });
 * assert.equal(mdnsRoute("eth0", [], Date.now()), undefined);
 * ```
 * @param interfaceId The PD's interface.
 * @param addresses The PD's addresses.
 * @param now Milliseconds since the epoch.
 * @returns The route, or undefined when the PD has no usable address.
 */
export function mdnsRoute(
  interfaceId: string,
  addresses: readonly AddressInfo[],
  now: number,
): MdnsRoute | undefined {
  for (const family of ["ipv4", "ipv6"] as const) {
    const group = parseIp(MDNS_GROUPS[family])!;
    const [best] = rankSources(group, addresses, now);
    if (!best) continue;
    const source = zoned(best.address, interfaceId, best.ip);
    return family === "ipv4"
      ? { family, source, group: MDNS_GROUPS.ipv4, multicastInterface: source }
      : {
        family,
        source,
        group: `${MDNS_GROUPS.ipv6}%${interfaceId}`,
        multicastInterface: `::%${interfaceId}`,
      };
  }
  return undefined;
}

/**
 * Whether an answer's sender is on the PD's link: inside one of the PD's
 * prefixes, or (IPv6) link-local with no zone, the PD's interface or an
 * interface index as its zone. Anything else is dropped.
 *
 * @example A sender on the PD's prefix, and one from elsewhere
 * ```ts
 * import { onLink } from "./mdns_link.ts";
 * import assert from "node:assert/strict";
 * const a = { address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null };
 * assert.equal(onLink("198.51.100.9", "eth0", [a]), true);
 * assert.equal(onLink("203.0.113.9", "eth0", [a]), false);
 * assert.equal(onLink("fe80::9%eth0", "eth0", [a]), true);
 * assert.equal(onLink("fe80::9%wlan0", "eth0", [a]), false);
 * ```
 * @param sender The datagram's source address, as node:dgram reports it.
 * @param interfaceId The PD's interface.
 * @param addresses The PD's addresses.
 * @returns true when the sender is on the link.
 */
export function onLink(
  sender: string,
  interfaceId: string,
  addresses: readonly AddressInfo[],
): boolean {
  const ip = parseIp(sender);
  if (!ip) return false;
  if (ip.family === "ipv6" && isLinkLocal(ip)) {
    return ip.zone === undefined || ip.zone === interfaceId || /^\d+$/.test(ip.zone);
  }
  const bare = sender.split("%")[0];
  return addresses.some((a) => prefixMatch(bare, `${a.address}/${a.prefixLength}`) >= 0);
}
