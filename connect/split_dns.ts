/**
 * Split DNS across provisioning domains: which PDs a name is translated
 * through. A PD's routing domains are its configuration elements'
 * search domains (DHCPv4 options 15/119, RA DNSSL, DHCPv6 option 24, the
 * link's resolv.conf search list, a VPN's domains) and, where a platform
 * reports them, its RFC 8801 PvD `dnsZones`. A name equal to or under a
 * PD's routing domain belongs to that PD: it is translated through the
 * PDs with the longest matching domain only, so an internal name never
 * leaks to another network's resolvers (systemd-resolved's routing
 * domains). Names under no PD's domain go to every PD. Names under
 * `.local` are link-local (RFC 6762): each PD resolves them on its own
 * link (mDNS), so they go to every PD, whatever the domains say.
 *
 * Pure functions: connect() (connect/happy_eyeballs.ts) and `mif resolve`
 * apply them to what they learned of the PDs.
 *
 * @module
 */

import { parseIp } from "../ip/ip.ts";
import { toDnsName } from "../dns/dns_name.ts";

/**
 * What connect() does with the PDs a name is not routed to: `never` asks
 * them never (the default: no leak), `fallback` asks them only after every
 * PD the name is routed to failed to translate it.
 */
export const LEAK_MODES = ["never", "fallback"] as const;

/** One of {@linkcode LEAK_MODES}. */
export type LeakMode = typeof LEAK_MODES[number];

/** The link-local domain (RFC 6762): names under it go to every PD. */
export const LINK_LOCAL_DOMAIN = "local";

/** A PD and its routing domains. */
export interface PdDomains {
  /** The PD. */
  readonly pdId: string;
  /** Its routing domains, ASCII lower case, no trailing dot. */
  readonly domains: readonly string[];
}

/** Where a name goes: to every PD, or to the PDs of its longest matching domain. */
export type NameRoute =
  | {
    readonly kind: "everywhere";
    /** No PD's domain holds it, it is link-local, or it is no DNS name (an IP literal). */
    readonly why: "no-domain" | "link-local" | "not-a-name";
  }
  | {
    readonly kind: "routed";
    /** The name, ASCII lower case. */
    readonly name: string;
    /** The longest routing domain it is equal to or under. */
    readonly domain: string;
    /** The PDs with that domain, in the order given. */
    readonly pdIds: readonly string[];
  };

/** The number of labels of a name. */
function labels(name: string): number {
  return name.split(".").length;
}

/**
 * Whether a name needs the PDs' routing domains to be routed: false for
 * an IP literal, a link-local name or something that is no DNS name.
 *
 * @example Literals and .local names go everywhere
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsRouting } from "./split_dns.ts";
 * assert.equal(needsRouting("printer.isp1.test"), true);
 * assert.equal(needsRouting("198.51.100.20"), false);
 * assert.equal(needsRouting("Lamp.LOCAL."), false);
 * ```
 * @param name The name as given.
 * @returns Whether routeName() may route it to some PDs only.
 */
export function needsRouting(name: string): boolean {
  if (parseIp(name)) return false;
  const ascii = toDnsName(name);
  if (!ascii.ok) return false;
  const n = ascii.name;
  return n !== LINK_LOCAL_DOMAIN && !n.endsWith(`.${LINK_LOCAL_DOMAIN}`);
}

/**
 * Routes a name: to the PDs whose routing domain is the longest one the
 * name is equal to or under (case-insensitive, IDNA, trailing dot
 * ignored), or everywhere when no domain holds it, when it is link-local
 * (`.local`, RFC 6762: every PD resolves it on its own link) or when it is
 * no DNS name (IP literals; invalid names, which every PD refuses alike).
 *
 * @example A name under one PD's domain, one under none, a .local name
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeName } from "./split_dns.ts";
 * const pds = [
 *   { pdId: "eth0/ipv4", domains: ["isp1.test"] },
 *   { pdId: "tun0/ipv4", domains: ["corp.isp1.test"] },
 *   { pdId: "wlan0/ipv4", domains: ["isp2.test"] },
 * ];
 * assert.deepEqual(routeName("Printer.ISP1.test.", pds), {
 *   kind: "routed", name: "printer.isp1.test", domain: "isp1.test", pdIds: ["eth0/ipv4"],
 * });
 * const corp = routeName("wiki.corp.isp1.test", pds);
 * assert.deepEqual(corp.kind === "routed" ? corp.pdIds : [], ["tun0/ipv4"]);
 * assert.deepEqual(routeName("www.example", pds), { kind: "everywhere", why: "no-domain" });
 * assert.deepEqual(routeName("printer.local", pds), { kind: "everywhere", why: "link-local" });
 * ```
 * @param name The name as given.
 * @param pds Every PD with its routing domains.
 * @returns Where the name goes.
 */
export function routeName(name: string, pds: readonly PdDomains[]): NameRoute {
  if (parseIp(name)) return { kind: "everywhere", why: "not-a-name" };
  const ascii = toDnsName(name);
  if (!ascii.ok) return { kind: "everywhere", why: "not-a-name" };
  if (!needsRouting(name)) return { kind: "everywhere", why: "link-local" };
  const n = ascii.name;
  let domain: string | undefined;
  let pdIds: string[] = [];
  for (const pd of pds) {
    const match = pd.domains.filter((d) => n === d || n.endsWith(`.${d}`))
      .sort((a, b) => labels(b) - labels(a))[0];
    if (match === undefined) continue;
    if (domain === undefined || labels(match) > labels(domain)) {
      [domain, pdIds] = [match, [pd.pdId]];
    } else if (labels(match) === labels(domain)) pdIds.push(pd.pdId);
  }
  return domain === undefined
    ? { kind: "everywhere", why: "no-domain" }
    : { kind: "routed", name: n, domain, pdIds };
}

/**
 * Why a PD was not asked for a routed name, as the race's timeline says it.
 *
 * @example The detail of a PD left out
 * ```ts
 * import assert from "node:assert/strict";
 * import { notAskedDetail } from "./split_dns.ts";
 * assert.equal(
 *   notAskedDetail({ kind: "routed", name: "printer.isp1.test", domain: "isp1.test", pdIds: ["eth0/ipv4"] }),
 *   "printer.isp1.test is under isp1.test of eth0/ipv4",
 * );
 * ```
 * @param route A routed name.
 * @returns One line.
 */
export function notAskedDetail(route: NameRoute & { kind: "routed" }): string {
  return `${route.name} is under ${route.domain} of ${route.pdIds.join(", ")}`;
}

/**
 * Splits the PDs that may be asked into those asked first and those held
 * back (asked never, or on fallback), by the name's route.
 *
 * @example Hold back the PDs a name is not routed to
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitPds } from "./split_dns.ts";
 * const route = { kind: "routed", name: "a.isp1.test", domain: "isp1.test", pdIds: ["eth0/ipv4"] } as const;
 * assert.deepEqual(splitPds(route, ["eth0/ipv4", "wlan0/ipv4"]), { asked: ["eth0/ipv4"], held: ["wlan0/ipv4"] });
 * assert.deepEqual(splitPds({ kind: "everywhere", why: "no-domain" }, ["eth0/ipv4"]), { asked: ["eth0/ipv4"], held: [] });
 * ```
 * @param route Where the name goes.
 * @param pdIds The PDs that may be asked, in order.
 * @returns The PDs asked first and those held back, each in the given order.
 */
export function splitPds(
  route: NameRoute,
  pdIds: readonly string[],
): { asked: string[]; held: string[] } {
  if (route.kind === "everywhere") return { asked: [...pdIds], held: [] };
  return {
    asked: pdIds.filter((id) => route.pdIds.includes(id)),
    held: pdIds.filter((id) => !route.pdIds.includes(id)),
  };
}

/**
 * Checks a leak option.
 *
 * @example The default, and a typo
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLeak } from "./split_dns.ts";
 * assert.equal(checkLeak(undefined), "never");
 * assert.throws(() => checkLeak("always"), TypeError);
 * ```
 * @param leak The option as given.
 * @returns The mode, "never" when not given.
 * @throws {TypeError} For anything but one of {@linkcode LEAK_MODES}.
 */
export function checkLeak(leak: unknown): LeakMode {
  if (leak === undefined) return "never";
  if (!(LEAK_MODES as readonly unknown[]).includes(leak)) {
    throw new TypeError(`Cannot connect: leak must be ${LEAK_MODES.join(" or ")}, not ${leak}`);
  }
  return leak as LeakMode;
}
