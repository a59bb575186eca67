/**
 * Parser for `scutil --dns`, macOS's resolver configuration as configd
 * prints it (configd dnsinfo/dnsinfo_logging.h `_dns_configuration_log()`
 * and `_dns_resolver_log()`; older releases dnsinfo/dnsinfo_internal.h).
 * Pure: text in, data out.
 *
 * The output has up to three sections: "DNS configuration" (the resolvers
 * used for unscoped queries: the default resolver first, then supplemental
 * per-domain ones, including the mDNS ones for "local" and the link-local
 * reverse zones), "DNS configuration (for scoped queries)" (one resolver per
 * interface, used by queries bound to that interface) and "DNS configuration
 * (for service-specific queries)". Resolver numbering restarts at #1 in each.
 *
 * @module
 */

import { type Family, formatIp, parseIp } from "../../ip/ip.ts";

/** SCNetworkReachability flags by the name configd prints (SCNetworkReachability.h). */
const REACH_BITS: ReadonlyMap<string, number> = new Map([
  ["Transient Connection", 1 << 0],
  ["Reachable", 1 << 1],
  ["Connection Required", 1 << 2],
  ["Automatic Connection On Traffic", 1 << 3],
  ["Intervention Required", 1 << 4],
  ["Automatic Connection On Demand", 1 << 5],
  ["Local Address", 1 << 16],
  ["Directly Reachable Address", 1 << 17],
  ["WWAN", 1 << 18],
]);

/** Reachability flags as scutil prints them. */
export interface ScutilReach {
  /**
   * The flags' value: the printed hex, or, in the formats without hex, the
   * sum of the names when every name is known; undefined otherwise.
   */
  readonly value?: number;
  /** The flag names, in printed order ("Reachable", "Transient Connection", ...). */
  readonly names: readonly string[];
}

/** A nameserver of a resolver. */
export interface ScutilNameserver {
  /** Canonical IP literal, without its zone. */
  readonly address: string;
  /** The address family. */
  readonly family: Family;
  /** The zone of a link-local IPv6 server ("en0" in "fe80::1%en0"). */
  readonly zone?: string;
}

/** One `resolver #N` block. */
export interface ScutilResolver {
  /** N in "resolver #N" (restarts at 1 in each section). */
  readonly number: number;
  /** The domain a supplemental (per-domain) resolver serves ("local", "corp.example"). */
  readonly domain?: string;
  /** `search domain[i]` values, in order. */
  readonly searchDomains: readonly string[];
  /** `nameserver[i]` values, in order. */
  readonly nameservers: readonly ScutilNameserver[];
  /** `options` ("mdns", "pdns", "ndots:2"...). */
  readonly options?: string;
  /** `port`, when not the default. */
  readonly port?: number;
  /** `timeout` in seconds. */
  readonly timeout?: number;
  /** `if_index`: the interface the resolver is bound to. */
  readonly ifIndex?: number;
  /** The interface's name from `if_index : N (name)`; undefined when printed "?". */
  readonly ifName?: string;
  /** `service_identifier`. */
  readonly serviceIdentifier?: number;
  /** Flag names: "Scoped", "Service-specific", "Supplemental", "Request A records", "Request AAAA records". */
  readonly flags: readonly string[];
  /** `reach`; undefined when not printed (mdns resolvers of 2017 releases). */
  readonly reach?: ScutilReach;
  /** `order`: search order, lower first. */
  readonly order?: number;
}

/** The parsed output. */
export interface ScutilDns {
  /** The "DNS configuration" section. */
  readonly resolvers: readonly ScutilResolver[];
  /** The "DNS configuration (for scoped queries)" section. */
  readonly scoped: readonly ScutilResolver[];
  /** The "DNS configuration (for service-specific queries)" section. */
  readonly serviceSpecific: readonly ScutilResolver[];
}

type Draft = { -readonly [K in keyof ScutilResolver]: ScutilResolver[K] } & {
  searchDomains: string[];
  nameservers: ScutilNameserver[];
};

const SECTIONS: Readonly<Record<string, keyof ScutilDns>> = {
  "DNS configuration": "resolvers",
  "DNS configuration (for scoped queries)": "scoped",
  "DNS configuration (for service-specific queries)": "serviceSpecific",
};

/**
 * Parses reachability flags in the three formats scutil has printed:
 * `0x00020002 (Reachable,Directly Reachable Address)` (configd since macOS
 * 10.13, SCNetworkReachabilityLogging.h), `Reachable,Directly Reachable
 * Address` (no hex, 2017 outputs) and `Reachable, Transient Connection`
 * (", " separated, configd-802 SCNetworkReachabilityInternal.h). When the
 * closing parenthesis is missing (a cut line), the names are read from the
 * hex value.
 *
 * @example Three formats
 * ```ts
 * import { parseScutilReach } from "./parse_scutil_dns.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseScutilReach("0x00000003 (Reachable,Transient Connection)"), {
 *   value: 3, names: ["Reachable", "Transient Connection"],
 * });
 * assert.deepEqual(parseScutilReach("Reachable,Directly Reachable Address"), {
 *   value: 0x20002, names: ["Reachable", "Directly Reachable Address"],
 * });
 * assert.deepEqual(parseScutilReach("Not Reachable"), { value: 0, names: ["Not Reachable"] });
 * assert.equal(parseScutilReach("Reachable,Directly R").value, undefined);
 * ```
 * @param text The text after "reach :" or "flags" (or a whole old-format line).
 * @returns The value and names.
 */
export function parseScutilReach(text: string): ScutilReach {
  const hex = /^0x([0-9a-fA-F]{1,8})(?:\s+\((.*))?$/.exec(text.trim());
  if (hex) {
    const value = parseInt(hex[1], 16);
    const inner = hex[2];
    const closed = inner !== undefined && inner.endsWith(")");
    return { value, names: closed ? splitNames(inner.slice(0, -1)) : reachNames(value) };
  }
  const names = splitNames(text);
  let value: number | undefined = 0;
  for (const name of names) {
    const bit = REACH_BITS.get(name);
    if (bit !== undefined) value |= bit;
    else if (name !== "Not Reachable") value = undefined;
    if (value === undefined) break;
  }
  return { value, names };
}

/** "a,b, c" → ["a", "b", "c"]. */
function splitNames(text: string): string[] {
  return text.split(",").map((name) => name.trim()).filter((name) => name !== "");
}

/** The names configd prints for a value, in its order. */
function reachNames(value: number): string[] {
  if (value === 0) return ["Not Reachable"];
  const order = [1, 0, 2, 3, 5, 4, 16, 17, 18];
  const names = order.filter((bit) => value & (1 << bit)).map((bit) =>
    [...REACH_BITS].find(([, v]) => v === 1 << bit)![0]
  );
  const known = order.reduce((sum, bit) => sum | (1 << bit), 0);
  const rest = (value & ~known) >>> 0;
  return rest ? [...names, `0x${rest.toString(16).padStart(8, "0")}`] : names;
}

/**
 * Parses the output of `scutil --dns`. Lines outside a resolver block that
 * are not section headers (a user's "[...]", `generation = N` of the debug
 * output) are ignored, and so are unknown keys inside a block; a value mif
 * uses that does not read as expected is a SyntaxError. "No DNS
 * configuration available" parses as no resolvers.
 *
 * @example A VPN's split DNS and an interface's scoped resolver
 * ```ts
 * import { parseScutilDns } from "./parse_scutil_dns.ts";
 * import assert from "node:assert/strict";
 * const dns = parseScutilDns(`DNS configuration
 *
 * resolver #1
 *   domain   : corp.example
 *   nameserver[0] : 198.51.100.53
 *   if_index : 20 (utun4)
 *   flags    : Supplemental, Request A records
 *   reach    : 0x00000003 (Reachable,Transient Connection)
 *   order    : 102200
 *
 * DNS configuration (for scoped queries)
 *
 * resolver #1
 *   search domain[0] : home.example
 *   nameserver[0] : fe80::1%en0
 *   if_index : 6 (en0)
 *   flags    : Scoped, Request AAAA records
 *   reach    : 0x00020002 (Reachable,Directly Reachable Address)
 * `);
 * assert.equal(dns.resolvers[0].domain, "corp.example");
 * assert.deepEqual(dns.resolvers[0].flags, ["Supplemental", "Request A records"]);
 * assert.equal(dns.resolvers[0].reach?.value, 3);
 * assert.deepEqual(dns.scoped[0].nameservers, [{ address: "fe80::1", family: "ipv6", zone: "en0" }]);
 * assert.equal(dns.scoped[0].ifName, "en0");
 * assert.deepEqual(dns.serviceSpecific, []);
 * assert.deepEqual(parseScutilDns("No DNS configuration available\n").resolvers, []);
 * ```
 * @param text The output.
 * @returns The resolvers of each section, in printed order.
 * @throws {SyntaxError} When there is no section header, a resolver comes
 * before one, or a nameserver, if_index or number does not parse.
 */
export function parseScutilDns(text: string): ScutilDns {
  const result: Record<keyof ScutilDns, ScutilResolver[]> = {
    resolvers: [],
    scoped: [],
    serviceSpecific: [],
  };
  let section: ScutilResolver[] | undefined;
  let current: Draft | undefined;
  let headers = 0;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    const fail = (what: string) =>
      new SyntaxError(`Cannot parse scutil --dns output: ${what}, line ${index + 1}`);
    const resolver = /^resolver #(\d+)$/.exec(line);
    if (line === "") {
      current = undefined;
    } else if (/^DNS configuration\b/.test(line) || line === "No DNS configuration available") {
      headers++;
      const key = SECTIONS[line];
      section = key ? result[key] : line.startsWith("DNS") ? [] : undefined; // Unknown sections: skipped.
      current = undefined;
    } else if (resolver) {
      if (section === undefined) throw fail(`"${line}" before a "DNS configuration" header`);
      current = { number: Number(resolver[1]), searchDomains: [], nameservers: [], flags: [] };
      section.push(current);
    } else if (current && /^\s/.test(raw)) {
      readField(current, line.trim(), fail);
    } else if (current && /^(?:Not )?Reachable\b/.test(line)) {
      current.reach = parseScutilReach(line); // 2018 format: the reach flags alone on a line.
    }
  });
  if (headers === 0) {
    throw new SyntaxError(
      'Cannot parse scutil --dns output: no "DNS configuration" header, line 1',
    );
  }
  return result;
}

/** Reads one `key : value` line of a resolver into the draft. */
function readField(draft: Draft, line: string, fail: (what: string) => SyntaxError): void {
  const colon = line.indexOf(":");
  if (colon < 0) return;
  const key = line.slice(0, colon).trim();
  const value = line.slice(colon + 1).trim();
  const indexed = /^(search domain|nameserver)\[\d+\]$/.exec(key);
  const integer = () => {
    if (!/^\d{1,10}$/.test(value)) throw fail(`${key} "${value}" is not a number`);
    return Number(value);
  };
  if (indexed?.[1] === "search domain") draft.searchDomains.push(value);
  else if (indexed?.[1] === "nameserver") draft.nameservers.push(nameserver(value, fail));
  else if (key === "domain") draft.domain = value;
  else if (key === "options") draft.options = value;
  else if (key === "port") draft.port = integer();
  else if (key === "timeout") draft.timeout = integer();
  else if (key === "order") draft.order = integer();
  else if (key === "service_identifier") draft.serviceIdentifier = integer();
  else if (key === "flags") draft.flags = resolverFlags(value);
  else if (key === "reach") draft.reach = parseScutilReach(value);
  else if (key === "if_index") {
    const match = /^(\d{1,10})\s+\((.*)\)$/.exec(value);
    if (!match) throw fail(`if_index "${value}" is not "N (name)"`);
    draft.ifIndex = Number(match[1]);
    if (match[2] !== "?") draft.ifName = match[2];
  }
}

/** A nameserver value: an IP literal, IPv6 possibly with %zone. */
function nameserver(value: string, fail: (what: string) => SyntaxError): ScutilNameserver {
  const ip = parseIp(value);
  if (!ip) throw fail(`nameserver "${value}" is not an IP address`);
  const address = formatIp({ family: ip.family, bytes: ip.bytes });
  return ip.zone === undefined
    ? { address, family: ip.family }
    : { address, family: ip.family, zone: ip.zone };
}

/** "Scoped, Request A records" (or debug "0x00001002 (Scoped, ...)") → names. */
function resolverFlags(value: string): string[] {
  const debug = /^0x[0-9a-fA-F]{1,8}\s*\((.*)\)$/.exec(value);
  return splitNames(debug ? debug[1] : value);
}
