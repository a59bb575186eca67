/**
 * What a PD worker reads off its PD's configuration: the DNS servers every
 * element delivered, and the source addresses a connection may use.
 *
 * @module
 */

import { canonicalIp } from "../protocol/ip.ts";
import type { ConnectToAddress, ConnectToAddressFromAddress } from "../protocol/types.ts";
import type { PdInfo } from "../platform/types.ts";
import { noSourceReason, selectSources } from "./net/source_selection.ts";

/**
 * The PD's DNS servers: the dns-servers item of each configuration element,
 * in element order, each once.
 *
 * @example Merge RA and DHCPv6 servers
 * ```ts
 * import { dnsServers } from "./pd_view.ts";
 * console.log(dnsServers({
 *   pdId: "eth0/ipv6", family: "ipv6", addresses: [],
 *   elements: [
 *     { element: "ra", data: { "dns-servers": ["2001:db8::53"] } },
 *     { element: "dhcpv6", data: { "dns-servers": ["2001:db8::53", "2001:db8::54"] } },
 *   ],
 * })); // ["2001:db8::53", "2001:db8::54"]
 * ```
 * @param pd The PD.
 * @returns Server strings as the elements hold them.
 */
export function dnsServers(pd: PdInfo): string[] {
  const out = new Set<string>();
  for (const e of pd.elements) {
    const servers = e.data["dns-servers"];
    if (!Array.isArray(servers)) continue;
    for (const s of servers) if (typeof s === "string") out.add(s);
  }
  return [...out];
}

/** Sources to try, or why there are none. */
export type SourceChoice =
  | { readonly sources: readonly string[] }
  | { readonly reason: "no-source-address" | "source-not-in-pd"; readonly detail: string };

/**
 * The source addresses a connection request may use: the RFC 6724 order of
 * the PD's valid, preferred addresses (§3.3.7.21), or the one the request
 * names when the PD holds it, deprecated or not (§3.3.7.22).
 *
 * @example Refuse a source from another PD
 * ```ts
 * import { connectSources } from "./pd_view.ts";
 * const pd = { pdId: "eth0/ipv4", family: "ipv4" as const, elements: [],
 *   addresses: [{ address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null }] };
 * const request = { type: "connect-to-address-from-address" as const, pdId: "eth0/ipv4",
 *   source: "203.0.113.7", address: "198.51.100.80", port: 80, connectionId: "c" };
 * console.log("reason" in connectSources(request, pd, Date.now()) ? "refused" : "ok"); // refused
 * ```
 * @param request The connection request.
 * @param pd The PD.
 * @param now Milliseconds since the epoch.
 * @returns The sources, best first, or why there are none.
 */
export function connectSources(
  request: ConnectToAddress | ConnectToAddressFromAddress,
  pd: PdInfo,
  now: number,
): SourceChoice {
  if (request.type === "connect-to-address-from-address") {
    const source = canonicalIp(request.source);
    const held = pd.addresses.some((a) =>
      a.address === source && (a.validUntil === null || a.validUntil > now)
    );
    return held ? { sources: [source!] } : {
      reason: "source-not-in-pd",
      detail: `Cannot connect: ${request.source} is not a valid address of "${pd.pdId}"`,
    };
  }
  const sources = selectSources(request.address, pd.addresses, now);
  if (sources.length > 0) return { sources };
  const why = noSourceReason(request.address, pd.addresses) === "no-address-of-family"
    ? `it has no address of ${request.address}'s family`
    : "its addresses of that family are deprecated or expired";
  return {
    reason: "no-source-address",
    detail:
      `Cannot connect to ${request.address}: "${pd.pdId}" has no usable source address (${why})`,
  };
}
