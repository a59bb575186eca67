/**
 * The IPv6 provisioning domains of one macOS link, as on Linux: one implicit
 * PvD (RFC 7556 §3.4) per advertising router, `<if>/ipv6/<router>` (the
 * router's link-local address without its zone), then a static PD
 * `<if>/ipv6` for global addresses no protocol manages. Built from parsed
 * `ifconfig -L` addresses, `ndp -n -r`, `ndp -n -p`, the one RA
 * IPConfiguration keeps (`ipconfig getra` / `getsummary`), the DHCPv6 packet
 * and `netstat -rn` defaults. Addresses go to PDs through the
 * platform-neutral core in ../ipv6_attribution.ts; what it cannot place is
 * unattributed, never guessed.
 *
 * @module
 */

import type { AddressInfo, ElementInfo } from "../../protocol/model.ts";
import type { ConfigValue } from "../../protocol/types.ts";
import { PdDraft } from "../pd_draft.ts";
import { dhcp6Element, type Dhcp6Lease } from "../dhcp_elements.ts";
import { addressOwners, type AdvertisingRouter, flaggedRouters } from "../ipv6_attribution.ts";
import { withoutZone } from "../../ip/zone.ts";
import type { IfconfigInet6 } from "./parse_ifconfig.ts";
import type { NdpPrefix, NdpRouter } from "./parse_ndp.ts";
import type { SummaryIpv6 } from "./parse_ipconfig_summary.ts";
import type { RouterAdvertisement } from "./parse_router_advertisement.ts";
import type { Dhcpv6Packet } from "./parse_ipconfig_packet.ts";
import type { NetstatRoute } from "./parse_netstat_routes.ts";
import { parseScdDate } from "./scd_date.ts";

/** What is known of one link's IPv6 state; a source left out was not read. */
export interface DarwinIpv6Input {
  /** The interface name ("en0"). */
  readonly link: string;
  /** The link's `inet6` lines, from `ifconfig -L` (without -L lifetimes read as infinite). */
  readonly addresses: readonly IfconfigInet6[];
  /** `ndp -n -r` (all links; this link's are picked). */
  readonly routers?: readonly NdpRouter[];
  /** `ndp -n -p` (all links; this link's are picked). */
  readonly prefixes?: readonly NdpPrefix[];
  /** `ipconfig getra <if>`: the one RA IPConfiguration tracks. */
  readonly ra?: RouterAdvertisement;
  /** `ipconfig getv6packet <if>`. */
  readonly dhcpv6?: Dhcpv6Packet;
  /** The IPv6 service of `ipconfig getsummary <if>`: RA, DHCPv6 mode and packet when not given above. */
  readonly summary?: SummaryIpv6;
  /** `netstat -rn` rows (all links). */
  readonly routes?: readonly NetstatRoute[];
  /** When the outputs were read, epoch ms. */
  readonly now: number;
}

/** The link's IPv6 PDs, and its addresses no PD can claim. */
export interface DarwinLinkIpv6 {
  /** One PD per advertising router (sorted by router), then the static PD if any. */
  readonly pds: PdDraft[];
  /** Addresses whose router is unknown, gone (detached) or not flagged. */
  readonly unattributed: AddressInfo[];
}

/** The part of an RA whose lifetimes still run at `now`, and when it was received. */
interface LiveAdvert extends RouterAdvertisement {
  /** Epoch ms of "RA Received", when printed and readable. */
  readonly receivedAt?: number;
  /** Whether the router lifetime still runs (known only with `receivedAt`). */
  readonly routerLive: boolean;
}

/** Everything known of one router of the link. */
interface RouterFacts extends AdvertisingRouter {
  readonly ndp?: NdpRouter;
  readonly ndpPrefixes: readonly NdpPrefix[];
  readonly ra?: LiveAdvert;
  readonly kernelDefault: boolean;
  readonly pd: PdDraft;
}

type Data = Record<string, ConfigValue>;

const key = (address: string) => withoutZone(address) ?? address;
const lifetime = (t: number | "infinity"): number | "infinite" => t === "infinity" ? "infinite" : t;

/**
 * What of the RA IPConfiguration keeps still holds at `now`. Its lifetimes
 * count from reception ("RA Received <date>" of `ipconfig getra`: bootp
 * ipconfig.tproj/client.c S_get_ra(), RouterAdvertisementGetReceiveTime),
 * and IPConfiguration keeps the RA after they run out (rtadv.c only
 * re-publishes DNS at its expiration timer). An option whose lifetime has run
 * out is dropped; so is every finite one when the date is missing (the
 * getsummary RA has none) or unreadable: nothing says whether it still
 * holds, and a late DNS server or prefix is better than a wrong one.
 * Infinite lifetimes, flags, MTU and the like need no date.
 */
function liveAdvert(ra: RouterAdvertisement, now: number): LiveAdvert {
  const receivedAt = ra.received === undefined ? undefined : parseScdDate(ra.received);
  const live = (t: number | "infinity") =>
    t === "infinity" || (receivedAt !== undefined && receivedAt + t * 1000 > now);
  const { pref64, ...rest } = ra;
  return {
    ...rest,
    prefixes: ra.prefixes.filter((p) => live(p.validLifetime)),
    rdnss: ra.rdnss.filter((o) => live(o.lifetime)),
    dnssl: ra.dnssl.filter((o) => live(o.lifetime)),
    routes: ra.routes.filter((o) => live(o.lifetime)),
    ...(pref64 && live(pref64.lifetime) ? { pref64 } : {}),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
    routerLive: live(ra.routerLifetime),
  };
}

/**
 * `fe80::` is the Subnet-Router anycast address of fe80::/64 (RFC 4291
 * §2.6.1), never a router's source address: the kernel's per-utun default
 * placeholders (ndp -r flags IST, netstat `fe80::%utun0` UGcIg).
 */
const placeholder = (router: string) => key(router) === "fe80::";

/**
 * This link's RA-learned default gateways in netstat: link-local, not the
 * utun placeholder, no S flag (xnu nd6_rtr.c defrouter_addreq() installs RA
 * defaults without RTF_STATIC; `route add` and configd's manual Router set it).
 */
function kernelDefaults(input: DarwinIpv6Input, statics: boolean): string[] {
  return (input.routes ?? []).filter((r) =>
    r.family === "ipv6" && r.destination === "default" && r.netif === input.link &&
    r.flags.includes("G") && r.gatewayIp !== undefined && !placeholder(r.gatewayIp) &&
    r.flags.includes("S") === statics && (statics || key(r.gatewayIp).startsWith("fe80:"))
  ).map((r) => key(r.gatewayIp!));
}

/** The link's routers with what each source says of them, sorted by address. */
function linkRouters(input: DarwinIpv6Input, ra: LiveAdvert | undefined): RouterFacts[] {
  const ndp = (input.routers ?? []).filter((r) =>
    r.interface === input.link && !r.static && !placeholder(r.address)
  );
  // An expired prefix (ndp prints "expired") is no longer advertised.
  const prefixes = (input.prefixes ?? []).filter((p) =>
    p.interface === input.link && p.expire !== "expired"
  );
  const defaults = kernelDefaults(input, false);
  const names = new Set([
    ...ndp.map((r) => key(r.address)),
    ...prefixes.flatMap((p) => p.advertisers.map((a) => key(a.address))),
    ...(ra ? [key(ra.source)] : []),
    ...defaults,
  ]);
  return [...names].sort().map((router) => {
    const n = ndp.find((r) => key(r.address) === router);
    const own = ra && key(ra.source) === router ? ra : undefined;
    const advertised = prefixes.filter((p) => p.advertisers.some((a) => key(a.address) === router));
    return {
      router,
      ...(n ? { ndp: n } : {}),
      ...(own ? { ra: own } : {}),
      managed: n?.managed ?? own?.managed,
      otherConfig: n?.otherConfig ?? own?.otherConfig,
      ndpPrefixes: advertised,
      prefixes: [...advertised, ...(own?.prefixes ?? [])],
      kernelDefault: defaults.includes(router) || n !== undefined,
      pd: new PdDraft(`${input.link}/ipv6/${router}`, "ipv6", router),
    };
  });
}

/** The prefixes a router advertised: ndp -p first, then the RA's others. */
function prefixData(r: RouterFacts): ConfigValue[] {
  const out = new Map<string, ConfigValue>();
  for (const p of [...r.ndpPrefixes, ...(r.ra?.prefixes ?? [])]) {
    if (out.has(p.prefix)) continue;
    out.set(p.prefix, {
      prefix: p.prefix,
      "on-link": p.onLink,
      autonomous: p.autonomous,
      "valid-lifetime": lifetime(p.validLifetime),
      "preferred-lifetime": lifetime(p.preferredLifetime),
    });
  }
  return [...out.values()];
}

/**
 * What only the router's own RA says: lifetime, DNS, MTU, routes, PREF64.
 * Lifetimes are as advertised, counted from `received-at` (as on Linux);
 * without that date none is given.
 */
function advertOnly(ra: LiveAdvert): Data {
  const rdnss = ra.rdnss.flatMap((o) =>
    o.servers.map((address) => ({ address, lifetime: lifetime(o.lifetime) }))
  );
  const dnssl = ra.dnssl.flatMap((o) =>
    o.domains.map((domain) => ({ domain, lifetime: lifetime(o.lifetime) }))
  );
  return {
    ...(ra.receivedAt !== undefined
      ? {
        "router-lifetime": ra.routerLifetime,
        "received-at": new Date(ra.receivedAt).toISOString(),
      }
      : {}),
    "dns-servers": [...new Set(rdnss.map((s) => s.address))],
    rdnss,
    "search-domains": [...new Set(dnssl.map((s) => s.domain))],
    dnssl,
    ...(ra.mtu !== undefined ? { mtu: ra.mtu } : {}),
    ...(ra.hopLimit ? { "hop-limit": ra.hopLimit } : {}),
    ...(ra.routes.length
      ? { "route-information": ra.routes.map((x) => ({ ...x, lifetime: lifetime(x.lifetime) })) }
      : {}),
    ...(ra.pref64 ? { pref64: { ...ra.pref64 } } : {}),
    ...(ra.captivePortal !== undefined ? { "captive-portal": ra.captivePortal } : {}),
  };
}

/** The "ra" element of a router: only what some source says. */
function raData(r: RouterFacts, input: DarwinIpv6Input): ElementInfo {
  const preference = r.ndp?.preference ?? r.ra?.preference;
  const defaultKnown = input.routers !== undefined || input.routes !== undefined;
  const data: Data = {
    routers: [r.router],
    ...(defaultKnown || r.ra?.receivedAt !== undefined
      ? { "default-router": r.kernelDefault || (r.ra?.routerLive ?? false) }
      : {}),
    ...(preference ? { "router-preference": preference === "rsv" ? "reserved" : preference } : {}),
    ...(r.managed !== undefined ? { managed: r.managed } : {}),
    ...(r.otherConfig !== undefined ? { "other-config": r.otherConfig } : {}),
    ...(input.prefixes !== undefined || r.ra ? { prefixes: prefixData(r) } : {}),
    ...(r.ra ? advertOnly(r.ra) : {}),
  };
  const sources = [
    r.ndp && "ndp -r",
    r.ndpPrefixes.length && "ndp -p",
    kernelDefaults(input, false).includes(r.router) && "netstat -rn",
    r.ra && "ipconfig",
  ].filter((s) => typeof s === "string");
  return { element: "ra", data, source: sources.join(", ") };
}

/** `ipconfig getv6packet` as the DHCPv6 data every platform's "dhcpv6" element is made of. */
function packetLease6(link: string, packet: Dhcpv6Packet, mode: string | undefined): Dhcp6Lease {
  const addresses = packet.iaNa.flatMap((ia) => ia.addresses);
  const server = packet.options.find((o) => o.name === "SERVERID" && o.depth === 0);
  const ia = packet.iaNa[0];
  const known = mode?.toLowerCase();
  return {
    interfaceName: link,
    stateless: known === "stateless" || (known !== "stateful" && addresses.length === 0),
    addresses: addresses.map((a) => ({
      value: a.address,
      preferredLifetime: lifetime(a.preferredLifetime),
      validLifetime: lifetime(a.validLifetime),
    })),
    prefixes: [],
    dnsServers: packet.dnsServers,
    searchDomains: packet.domainList,
    ...(server ? { serverId: server.value } : {}),
    ...(ia ? { renewTime: ia.t1, rebindTime: ia.t2 } : {}),
    source: "ipconfig",
  };
}

/** How an address came: skipped (link-local, not usable), SLAAC, DHCPv6, static, or unknown. */
function origin(a: IfconfigInet6): "skip" | "slaac" | "dhcpv6" | "static" | "unknown" {
  const has = (f: IfconfigInet6["flags"][number]) => a.flags.includes(f);
  if (/^fe[89ab]/.test(a.address) || has("tentative") || has("duplicated") || has("anycast")) {
    return "skip";
  }
  if (has("detached")) return "unknown";
  if (has("autoconf") || has("secured") || has("temporary")) return "slaac";
  if (has("dynamic")) return "dhcpv6";
  return a.flags.some((f) => f !== "optimistic" && f !== "deprecated") ? "unknown" : "static";
}

/**
 * An ifconfig address as an AddressInfo: lifetimes from `now`; a deprecated
 * address with no printed pltime is no longer preferred.
 *
 * @example A deprecated temporary address
 * ```ts
 * import { darwinAddressInfo } from "./ipv6_pds.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(darwinAddressInfo({
 *   address: "2001:db8::5", zone: null, scopeId: null, prefixLength: 64, peer: null,
 *   flags: ["deprecated", "autoconf", "temporary"], pltime: 0, vltime: 600,
 * }, 1000), { address: "2001:db8::5", prefixLength: 64, validUntil: 601000, preferredUntil: 1000, temporary: true });
 * ```
 * @param a The address.
 * @param now Epoch ms.
 * @returns Its AddressInfo.
 */
export function darwinAddressInfo(a: IfconfigInet6, now: number): AddressInfo {
  const deprecated = a.flags.includes("deprecated") ? now : null;
  return {
    address: a.address,
    prefixLength: a.prefixLength,
    validUntil: a.vltime === null ? null : now + a.vltime * 1000,
    preferredUntil: a.pltime === null ? deprecated : now + a.pltime * 1000,
    ...(a.flags.includes("temporary") ? { temporary: true as const } : {}),
  };
}

/**
 * Builds a link's IPv6 PDs. A SLAAC address (autoconf, secured, temporary)
 * goes to the PDs whose router advertised its prefix with A (ndp -p, or the
 * RA); a DHCPv6 address (dynamic) to the PDs whose router set M; the
 * DHCPv6 element to those that set M or O; RDNSS/DNSSL only to the router
 * the RA came from; a global address without flags to the static PD.
 * Detached, unflagged-owner and unknown-router addresses are unattributed.
 *
 * @example Two routers, one SLAAC address from each prefix
 * ```ts
 * import { darwinIpv6Pds } from "./ipv6_pds.ts";
 * import assert from "node:assert/strict";
 * const prefix = (p: string, router: string) => ({ prefix: p, interface: "en0", flags: "ALO",
 *   autonomous: true, onLink: true, validLifetime: 600, preferredLifetime: 600, expire: 600, ref: 1,
 *   advertisers: [{ address: `${router}%en0`, state: "reachable" as const }] });
 * const slaac = (address: string) => ({ address, zone: null, scopeId: null, prefixLength: 64,
 *   peer: null, flags: ["autoconf" as const, "secured" as const], pltime: 60, vltime: 600 });
 * const { pds, unattributed } = darwinIpv6Pds({
 *   link: "en0", now: 0,
 *   addresses: [slaac("2001:db8:1::5"), slaac("2001:db8:2::5"), slaac("2001:db8:3::5")],
 *   prefixes: [prefix("2001:db8:1::/64", "fe80::1"), prefix("2001:db8:2::/64", "fe80::2")],
 * });
 * assert.deepEqual(pds.map((p) => [p.pdId, p.addresses.map((a) => a.address)]), [
 *   ["en0/ipv6/fe80::1", ["2001:db8:1::5"]],
 *   ["en0/ipv6/fe80::2", ["2001:db8:2::5"]],
 * ]);
 * assert.deepEqual(unattributed.map((a) => a.address), ["2001:db8:3::5"]);
 * ```
 * @param input The link's parsed outputs and the time.
 * @returns The PDs and the addresses no PD can claim.
 */
export function darwinIpv6Pds(input: DarwinIpv6Input): DarwinLinkIpv6 {
  const advert = input.ra ?? input.summary?.rtadv?.advertisement;
  const routers = linkRouters(input, advert && liveAdvert(advert, input.now));
  for (const r of routers) r.pd.set(raData(r, input));
  const packet = input.dhcpv6 ?? input.summary?.dhcpv6?.packet;
  if (packet) {
    const element = dhcp6Element(packetLease6(input.link, packet, input.summary?.dhcpv6?.mode));
    const flagged = new Set([
      ...flaggedRouters(routers, "managed"),
      ...flaggedRouters(routers, "otherConfig"),
    ]);
    for (const r of flagged) r.pd.set(element);
  }
  const unattributed: AddressInfo[] = [];
  const statics: AddressInfo[] = [];
  for (const a of input.addresses) {
    const kind = origin(a);
    if (kind === "skip") continue;
    const info = darwinAddressInfo(a, input.now);
    if (kind === "static") statics.push(info);
    const owners = kind === "slaac" || kind === "dhcpv6"
      ? addressOwners(a.address, { slaac: kind === "slaac", dhcpv6: kind === "dhcpv6" }, routers)
      : [];
    if (kind !== "static" && !owners.length) unattributed.push(info);
    for (const r of owners) r.pd.addresses.push(info);
  }
  const pds = routers.map((r) => r.pd);
  const gateways = kernelDefaults(input, true);
  if (statics.length || gateways.length) {
    const pd = new PdDraft(`${input.link}/ipv6`, "ipv6");
    pd.set({ element: "static", data: { routers: [...new Set(gateways)] }, source: "ifconfig" });
    pd.addresses.push(...statics);
    pds.push(pd);
  }
  return { pds, unattributed };
}
