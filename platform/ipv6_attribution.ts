/**
 * Which advertising routers own an IPv6 address: the platform-neutral core
 * of the implicit PvDs (RFC 7556 §3.4) both Linux and macOS build. A SLAAC
 * address belongs to the routers that advertised its prefix with the A
 * flag; a DHCPv6 address to the routers whose RA set M. Nothing is guessed:
 * no owner means the address stays unattributed.
 *
 * @module
 */

import { prefixMatch } from "../ip/prefix.ts";

/** What attribution needs of one advertising router. */
export interface AdvertisingRouter {
  /** The router's address (the PD key). */
  readonly router: string;
  /** The RA's M flag; undefined when not known. */
  readonly managed?: boolean;
  /** The RA's O flag; undefined when not known. */
  readonly otherConfig?: boolean;
  /** The prefixes it advertised, with their A (autonomous) flag. */
  readonly prefixes: readonly { readonly prefix: string; readonly autonomous: boolean }[];
}

/** How an address may have been configured. */
export interface AddressOrigin {
  /** It may come from SLAAC (the prefix of an A-flagged PIO). */
  readonly slaac: boolean;
  /** It may come from DHCPv6 (IA_NA): asked when no SLAAC owner is found. */
  readonly dhcpv6: boolean;
}

/**
 * The routers whose RA set the given flag.
 *
 * @example The routers that sent M
 * ```ts
 * import { flaggedRouters } from "./ipv6_attribution.ts";
 * import assert from "node:assert/strict";
 * const routers = [{ router: "fe80::1", managed: true, prefixes: [] }, { router: "fe80::2", prefixes: [] }];
 * assert.deepEqual(flaggedRouters(routers, "managed").map((r) => r.router), ["fe80::1"]);
 * ```
 * @param routers The link's routers.
 * @param flag "managed" (M) or "otherConfig" (O).
 * @returns Those with the flag known to be set, in order.
 */
export function flaggedRouters<R extends AdvertisingRouter>(
  routers: readonly R[],
  flag: "managed" | "otherConfig",
): R[] {
  return routers.filter((r) => r[flag] === true);
}

/**
 * The routers an address belongs to: those that advertised its prefix with
 * the A flag (when it may be SLAAC), else those that set M (when it may be
 * DHCPv6), else none.
 *
 * @example A SLAAC address and a DHCPv6 address
 * ```ts
 * import { addressOwners } from "./ipv6_attribution.ts";
 * import assert from "node:assert/strict";
 * const routers = [
 *   { router: "fe80::1", managed: true, prefixes: [] },
 *   { router: "fe80::2", prefixes: [{ prefix: "2001:db8:2::/64", autonomous: true }] },
 * ];
 * const owners = (a: string, slaac: boolean, dhcpv6: boolean) =>
 *   addressOwners(a, { slaac, dhcpv6 }, routers).map((r) => r.router);
 * assert.deepEqual(owners("2001:db8:2::5", true, false), ["fe80::2"]);
 * assert.deepEqual(owners("2001:db8:1::5", false, true), ["fe80::1"]);
 * assert.deepEqual(owners("2001:db8:1::5", true, false), []);
 * ```
 * @param address The address (canonical, no prefix length).
 * @param origin How it may have been configured.
 * @param routers The link's advertising routers.
 * @returns Its owners, in the routers' order.
 */
export function addressOwners<R extends AdvertisingRouter>(
  address: string,
  origin: AddressOrigin,
  routers: readonly R[],
): R[] {
  const slaac = origin.slaac
    ? routers.filter((r) =>
      r.prefixes.some((p) => p.autonomous && prefixMatch(address, p.prefix) >= 0)
    )
    : [];
  if (slaac.length || !origin.dhcpv6) return slaac;
  return flaggedRouters(routers, "managed");
}
