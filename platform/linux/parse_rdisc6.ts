/**
 * Parses the verbose output of rdisc6 (ndisc6 package): one block per
 * Router Advertisement received (RFC 4861 §4.2), each closed by
 * " from <router>". Options rdisc6 prints but mif does not use are ignored;
 * a value mif uses that does not read as expected is a SyntaxError.
 *
 * @module
 */

import { canonicalIp } from "../../ip/ip.ts";

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
 * import assert from "node:assert/strict";
 * const [ra] = parseRdisc6([
 *   "Router lifetime           :           60 (0x0000003c) seconds",
 *   " Prefix                   : 2001:db8:c1::/64",
 *   "  Valid time              :          600 (0x00000258) seconds",
 *   " Recursive DNS server     : 2001:db8:c1::1",
 *   " from fe80::c1",
 * ].join("\n"));
 * assert.equal(ra.router, "fe80::c1");
 * assert.equal(ra.routerLifetime, 60);
 * assert.equal(ra.dnsServers[0].address, "2001:db8:c1::1");
 * ```
 * @param text rdisc6's standard output.
 * @returns The advertisements in the order received.
 * @throws {SyntaxError} When a value mif uses does not read as expected.
 */
export function parseRdisc6(text: string): RouterAdvert[] {
  const out: RouterAdvert[] = [];
  let d = fresh();
  for (const [n, raw] of text.split("\n").entries()) {
    const from = /^\s*from (\S+)\s*$/.exec(raw);
    if (from) {
      out.push(finish(d, from[1], n));
      d = fresh();
      continue;
    }
    const field = readField(raw, n);
    if (field) SETTERS.get(field.label)?.(d, field);
  }
  return out;
}

/** The advertisement a " from <router>" line closes. */
function finish(d: Draft, router: string, n: number): RouterAdvert {
  const address = canonicalIp(router);
  if (!address) throw lineError(n, `"${router}" is not an IPv6 address`);
  const { pendingDns: _d, pendingDomains: _s, ...ra } = d;
  return { router: address, ...ra };
}

function lineError(n: number, what: string): SyntaxError {
  return new SyntaxError(`Cannot parse rdisc6 line ${n + 1}: ${what}`);
}

/** The "label: value" of a line, or undefined when it has no label. */
function readField(raw: string, n: number): Field | undefined {
  // indexOf, not a regular expression: rdisc6 prints search-list labels raw,
  // so a router can send a line of 1,400 spaces (a regex backtracked for seconds).
  const colon = raw.indexOf(":");
  if (colon < 0) return undefined;
  const label = raw.slice(0, colon).trim();
  return label === "" ? undefined : new Field(label, raw.slice(colon + 1).trim(), n);
}

/** One "label: value" line, with readers that fail naming the line. */
class Field {
  constructor(readonly label: string, readonly value: string, readonly line: number) {}

  fail(what: string): SyntaxError {
    return lineError(this.line, what);
  }

  yes(): boolean {
    if (this.value !== "Yes" && this.value !== "No") {
      throw this.fail(`"${this.value}" is not Yes or No`);
    }
    return this.value === "Yes";
  }

  lifetime(): AdvertisedLifetime {
    if (/^infinite\b/.test(this.value)) return "infinite";
    const s = /^(\d+)\s/.exec(this.value + " ");
    if (!s) throw this.fail(`${this.label} "${this.value}" is not a lifetime`);
    return Number(s[1]);
  }

  prefix(): string {
    const p = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(this.value);
    const ip = p && canonicalIp(p[1]);
    if (!p || !ip || Number(p[2]) > 128) throw this.fail(`"${this.value}" is not an IPv6 prefix`);
    return `${ip}/${Number(p[2])}`;
  }
}

/** The Prefix Information option a prefix field belongs to. */
function lastPrefix(d: Draft, f: Field): Draft["prefixes"][number] {
  const p = d.prefixes.at(-1);
  if (!p) throw f.fail(`${f.label} outside a prefix`);
  return p;
}

/** Sets the lifetime of the RDNSS servers read since the last one set. */
function dnsLifetime(d: Draft, f: Field): void {
  const l = f.lifetime();
  for (const s of d.dnsServers.slice(d.dnsServers.length - d.pendingDns)) s.lifetime = l;
  d.pendingDns = 0;
}

/**
 * What each label sets in the advertisement being read (a setter's result is
 * unused); rdisc6's other labels are ignored.
 */
const SETTERS = new Map<string, (d: Draft, f: Field) => unknown>([
  ["Hop limit", (d, f) => {
    const h = /^(\d+)/.exec(f.value);
    if (h) d.hopLimit = Number(h[1]);
  }],
  ["Stateful address conf.", (d, f) => d.managed = f.yes()],
  ["Stateful other conf.", (d, f) => d.otherConfig = f.yes()],
  ["Router preference", (d, f) => d.preference = f.value],
  ["Router lifetime", (d, f) => {
    const l = f.lifetime();
    d.routerLifetime = l === "infinite" ? 0xffff : l;
  }],
  ["Prefix", (d, f) => {
    const prefix = f.prefix();
    d.prefixes.push({
      prefix,
      onLink: false,
      autonomous: false,
      validLifetime: 0,
      preferredLifetime: 0,
    });
  }],
  ["On-link", (d, f) => lastPrefix(d, f).onLink = f.yes()],
  ["Autonomous address conf.", (d, f) => lastPrefix(d, f).autonomous = f.yes()],
  ["Valid time", (d, f) => lastPrefix(d, f).validLifetime = f.lifetime()],
  ["Pref. time", (d, f) => lastPrefix(d, f).preferredLifetime = f.lifetime()],
  ["MTU", (d, f) => {
    const mtu = /^(\d+) bytes/.exec(f.value);
    if (!mtu) throw f.fail(`MTU "${f.value}"`);
    d.mtu = Number(mtu[1]);
  }],
  ["Recursive DNS server", (d, f) => {
    const address = canonicalIp(f.value);
    if (!address) throw f.fail(`"${f.value}" is not an IPv6 address`);
    d.dnsServers.push({ address, lifetime: 0 });
    d.pendingDns++;
  }],
  ["DNS server lifetime", dnsLifetime],
  ["DNS servers lifetime", dnsLifetime],
  ["DNS search list", (d, f) => {
    for (const name of f.value.split(/[\s,]+/).filter(Boolean)) {
      d.searchDomains.push({ domain: name.replace(/\.$/, ""), lifetime: 0 });
      d.pendingDomains++;
    }
  }],
  ["DNS search list lifetime", (d, f) => {
    const l = f.lifetime();
    for (const s of d.searchDomains.slice(d.searchDomains.length - d.pendingDomains)) {
      s.lifetime = l;
    }
    d.pendingDomains = 0;
  }],
  [
    "Route",
    (d, f) => d.routes.push({ prefix: f.prefix(), preference: "medium", lifetime: 0 }),
  ],
  ["Route preference", (d, f) => {
    const r = d.routes.at(-1);
    if (r) r.preference = f.value;
  }],
  ["Route lifetime", (d, f) => {
    const r = d.routes.at(-1);
    if (r) r.lifetime = f.lifetime();
  }],
]);
