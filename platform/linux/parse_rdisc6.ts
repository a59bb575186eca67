/**
 * Parses the verbose output of rdisc6 (ndisc6 package): one block per
 * Router Advertisement received (RFC 4861 §4.2), each closed by
 * " from <router>". Options rdisc6 prints but mif does not use are ignored;
 * a value mif uses that does not read as expected is a SyntaxError.
 *
 * @module
 */

import { canonicalIp } from "../../protocol/ip.ts";

/** A lifetime as advertised: seconds, or "infinite" (all ones). */
export type AdvertisedLifetime = number | "infinite";

/** A Prefix Information option. */
export interface RaPrefix {
  /** "2001:db8:a::/64", canonical. */
  readonly prefix: string;
  /** The L flag. */
  readonly onLink: boolean;
  /** The A flag (SLAAC). */
  readonly autonomous: boolean;
  /** Valid lifetime. */
  readonly validLifetime: AdvertisedLifetime;
  /** Preferred lifetime. */
  readonly preferredLifetime: AdvertisedLifetime;
}

/** One Router Advertisement. */
export interface RouterAdvert {
  /** The router's link-local address, canonical. */
  readonly router: string;
  /** Cur Hop Limit, where specified. */
  readonly hopLimit?: number;
  /** The M flag. */
  readonly managed: boolean;
  /** The O flag. */
  readonly otherConfig: boolean;
  /** RFC 4191 default router preference. */
  readonly preference: string;
  /** Router lifetime in seconds; 0 = not a default router. */
  readonly routerLifetime: number;
  /** The MTU option. */
  readonly mtu?: number;
  /** Prefix Information options. */
  readonly prefixes: readonly RaPrefix[];
  /** RDNSS servers (RFC 8106) with their lifetime. */
  readonly dnsServers: readonly { address: string; lifetime: AdvertisedLifetime }[];
  /** DNSSL domains (RFC 8106) with their lifetime. */
  readonly searchDomains: readonly { domain: string; lifetime: AdvertisedLifetime }[];
  /** Route Information options (RFC 4191). */
  readonly routes: readonly { prefix: string; preference: string; lifetime: AdvertisedLifetime }[];
}

interface Draft {
  hopLimit?: number;
  managed: boolean;
  otherConfig: boolean;
  preference: string;
  routerLifetime: number;
  mtu?: number;
  prefixes: { -readonly [K in keyof RaPrefix]: RaPrefix[K] }[];
  dnsServers: { address: string; lifetime: AdvertisedLifetime }[];
  pendingDns: number;
  searchDomains: { domain: string; lifetime: AdvertisedLifetime }[];
  pendingDomains: number;
  routes: { prefix: string; preference: string; lifetime: AdvertisedLifetime }[];
}

function fresh(): Draft {
  return {
    managed: false,
    otherConfig: false,
    preference: "medium",
    routerLifetime: 0,
    prefixes: [],
    dnsServers: [],
    pendingDns: 0,
    searchDomains: [],
    pendingDomains: 0,
    routes: [],
  };
}

/**
 * Parses rdisc6's verbose output.
 *
 * @example Parse one advertisement
 * ```ts
 * import { parseRdisc6 } from "./parse_rdisc6.ts";
 * const [ra] = parseRdisc6([
 *   "Router lifetime           :           60 (0x0000003c) seconds",
 *   " Prefix                   : 2001:db8:c1::/64",
 *   "  Valid time              :          600 (0x00000258) seconds",
 *   " Recursive DNS server     : 2001:db8:c1::1",
 *   " from fe80::c1",
 * ].join("\n"));
 * console.log(ra.router, ra.routerLifetime, ra.dnsServers[0].address); // fe80::c1 60 2001:db8:c1::1
 * ```
 * @param text rdisc6's standard output.
 * @returns The advertisements in the order received.
 * @throws {SyntaxError} When a value mif uses does not read as expected.
 */
export function parseRdisc6(text: string): RouterAdvert[] {
  const out: RouterAdvert[] = [];
  let d = fresh();
  for (const [n, raw] of text.split("\n").entries()) {
    const fail = (what: string) => new SyntaxError(`Cannot parse rdisc6 line ${n + 1}: ${what}`);
    const from = /^\s*from (\S+)\s*$/.exec(raw);
    if (from) {
      const router = canonicalIp(from[1]);
      if (!router) throw fail(`"${from[1]}" is not an IPv6 address`);
      const { pendingDns: _d, pendingDomains: _s, ...ra } = d;
      out.push({ router, ...ra });
      d = fresh();
      continue;
    }
    // indexOf, not a regular expression: rdisc6 prints search-list labels raw,
    // so a router can send a line of 1,400 spaces (a regex backtracked for seconds).
    const colon = raw.indexOf(":");
    if (colon < 0) continue;
    const label = raw.slice(0, colon).trim(), value = raw.slice(colon + 1).trim();
    if (label === "") continue;
    const yes = () => {
      if (value !== "Yes" && value !== "No") throw fail(`"${value}" is not Yes or No`);
      return value === "Yes";
    };
    const life = (): AdvertisedLifetime => {
      if (/^infinite\b/.test(value)) return "infinite";
      const s = /^(\d+)\s/.exec(value + " ");
      if (!s) throw fail(`${label} "${value}" is not a lifetime`);
      return Number(s[1]);
    };
    const prefix = () => {
      const p = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(value);
      const ip = p && canonicalIp(p[1]);
      if (!p || !ip || Number(p[2]) > 128) throw fail(`"${value}" is not an IPv6 prefix`);
      return `${ip}/${Number(p[2])}`;
    };
    const lastPrefix = () => {
      const p = d.prefixes.at(-1);
      if (!p) throw fail(`${label} outside a prefix`);
      return p;
    };
    switch (label) {
      case "Hop limit": {
        const h = /^(\d+)/.exec(value);
        if (h) d.hopLimit = Number(h[1]);
        break;
      }
      case "Stateful address conf.":
        d.managed = yes();
        break;
      case "Stateful other conf.":
        d.otherConfig = yes();
        break;
      case "Router preference":
        d.preference = value;
        break;
      case "Router lifetime": {
        const l = life();
        d.routerLifetime = l === "infinite" ? 0xffff : l;
        break;
      }
      case "Prefix":
        d.prefixes.push({
          prefix: prefix(),
          onLink: false,
          autonomous: false,
          validLifetime: 0,
          preferredLifetime: 0,
        });
        break;
      case "On-link":
        lastPrefix().onLink = yes();
        break;
      case "Autonomous address conf.":
        lastPrefix().autonomous = yes();
        break;
      case "Valid time":
        lastPrefix().validLifetime = life();
        break;
      case "Pref. time":
        lastPrefix().preferredLifetime = life();
        break;
      case "MTU": {
        const mtu = /^(\d+) bytes/.exec(value);
        if (!mtu) throw fail(`MTU "${value}"`);
        d.mtu = Number(mtu[1]);
        break;
      }
      case "Recursive DNS server": {
        const address = canonicalIp(value);
        if (!address) throw fail(`"${value}" is not an IPv6 address`);
        d.dnsServers.push({ address, lifetime: 0 });
        d.pendingDns++;
        break;
      }
      case "DNS server lifetime":
      case "DNS servers lifetime": {
        const l = life();
        for (const s of d.dnsServers.slice(d.dnsServers.length - d.pendingDns)) s.lifetime = l;
        d.pendingDns = 0;
        break;
      }
      case "DNS search list":
        for (const name of value.split(/[\s,]+/).filter(Boolean)) {
          d.searchDomains.push({ domain: name.replace(/\.$/, ""), lifetime: 0 });
          d.pendingDomains++;
        }
        break;
      case "DNS search list lifetime": {
        const l = life();
        for (const s of d.searchDomains.slice(d.searchDomains.length - d.pendingDomains)) {
          s.lifetime = l;
        }
        d.pendingDomains = 0;
        break;
      }
      case "Route":
        d.routes.push({ prefix: prefix(), preference: "medium", lifetime: 0 });
        break;
      case "Route preference": {
        const r = d.routes.at(-1);
        if (r) r.preference = value;
        break;
      }
      case "Route lifetime": {
        const r = d.routes.at(-1);
        if (r) r.lifetime = life();
        break;
      }
    }
  }
  return out;
}
