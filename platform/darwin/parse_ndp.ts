/**
 * Parses macOS `ndp -n -r` (the kernel's default router list) and
 * `ndp -n -p` (its prefix list with the routers that advertised each
 * prefix). Formats follow Apple's network_cmds-741.100.2 ndp.tproj/ndp.c:
 * rtrlist() L1499-1550, plist() L1647-1768, sec2str() L1887-1913.
 * Run ndp with -n: without it, router addresses may print as host names,
 * which this parser refuses.
 *
 * @module
 */

import { canonicalIp, parseIp } from "../../ip/ip.ts";
import { withoutZone } from "../../ip/zone.ts";

/** A lifetime in seconds, or "infinity" (ND6_INFINITE_LIFETIME). */
export type NdpLifetime = number | "infinity";

/** Seconds left before an entry expires, "never", or "expired" (prefixes only). */
export type NdpExpiry = number | "never" | "expired";

/** One default router (`ndp -r` line). */
export interface NdpRouter {
  /** Canonical address with its zone, "fe80::1%en0". */
  readonly address: string;
  /** The interface (`if=`). */
  readonly interface: string;
  /** The flag letters as printed: I ifscope, M managed, O other, S static, T installed. */
  readonly flags: string;
  /** The RA's M flag. */
  readonly managed: boolean;
  /** The RA's O flag. */
  readonly otherConfig: boolean;
  /** T: the kernel installed this router's default route. */
  readonly installed: boolean;
  /** S: a static (not RA-learned) entry, e.g. the per-utun placeholders. */
  readonly static: boolean;
  /** RFC 4191 preference; ndp prints "rsv" for the reserved value. */
  readonly preference: "low" | "medium" | "high" | "rsv";
  /** Router lifetime left. */
  readonly expire: NdpExpiry;
}

/** One advertising router of a prefix. */
export interface NdpAdvertiser {
  /** Canonical address with its zone. */
  readonly address: string;
  /** The router's neighbour state as ndp summarises it. */
  readonly state: "reachable" | "unreachable" | "no neighbor state";
}

/** One prefix (`ndp -p` block). */
export interface NdpPrefix {
  /** Canonical prefix without zone, "2001:db8:1::/64". */
  readonly prefix: string;
  /** The interface (`if=`). */
  readonly interface: string;
  /** Flag letters as printed: A auto, D detached, I ifscope, L onlink (RA), S static, O on-link route, Y proxy. */
  readonly flags: string;
  /** A: the RA's autonomous (SLAAC) flag. */
  readonly autonomous: boolean;
  /** L: the RA's on-link flag. */
  readonly onLink: boolean;
  /** Valid lifetime as advertised. */
  readonly validLifetime: NdpLifetime;
  /** Preferred lifetime as advertised. */
  readonly preferredLifetime: NdpLifetime;
  /** Time left. */
  readonly expire: NdpExpiry;
  /** Reference count (addresses made from the prefix). */
  readonly ref: number;
  /** The routers that advertised it; empty = "No advertising router". */
  readonly advertisers: readonly NdpAdvertiser[];
}

const SEC2STR = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(-?\d+)s$/;
const ROUTER = /^(\S+) if=(\S+), flags=([A-Z]*), pref=(\w+), expire=(\S+)$/;
const PREFIX = /^(\S+)\/(\d{1,3}) if=(\S+)$/;
const PREFIX_FLAGS =
  /^flags=([A-Z]*) vltime=(\d+|infinity), pltime=(\d+|infinity), (?:expire=(\S+)|expired), ref=(\d+)$/;
const ADVERTISER = /^(\S+) \((reachable|unreachable|no neighbor state)\)$/;
const PREFERENCES = ["low", "medium", "high", "rsv"];

function fail(command: string, what: string, line: number): never {
  throw new SyntaxError(`Cannot parse ${command} output: ${what}, line ${line}`);
}

/** Reads sec2str() text ("1h57m4s") or "Never". */
function expiry(text: string, command: string, line: number): NdpExpiry {
  if (text === "Never") return "never";
  const m = SEC2STR.exec(text);
  if (!m) fail(command, `bad expire "${text}"`, line);
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  return Math.max(0, ((d * 24 + h) * 60 + min) * 60 + s);
}

function address(text: string, command: string, line: number): string {
  const ip = parseIp(text);
  if (ip?.family !== "ipv6") fail(command, `"${text}" is not an IPv6 address (run ndp -n)`, line);
  return canonicalIp(text)!;
}

/**
 * Parses `ndp -n -r`.
 *
 * @example Read a router line
 * ```ts
 * import { parseNdpRouters } from "./parse_ndp.ts";
 * import assert from "node:assert/strict";
 * const [r] = parseNdpRouters("fe80::1%en0 if=en0, flags=IO, pref=high, expire=29m5s\n");
 * assert.deepEqual(r, {
 *   address: "fe80::1%en0", interface: "en0", flags: "IO", managed: false, otherConfig: true,
 *   installed: false, static: false, preference: "high", expire: 1745,
 * });
 * ```
 * @param text The output.
 * @returns The routers in printed order.
 * @throws {SyntaxError} When a router line does not read as ndp.c prints it.
 */
export function parseNdpRouters(text: string): NdpRouter[] {
  const routers: NdpRouter[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line.includes(" if=")) return;
    const m = ROUTER.exec(line);
    if (!m || !PREFERENCES.includes(m[4])) fail("ndp -r", `bad router line "${line}"`, i + 1);
    const flags = m[3];
    routers.push({
      address: address(m[1], "ndp -r", i + 1),
      interface: m[2],
      flags,
      managed: flags.includes("M"),
      otherConfig: flags.includes("O"),
      installed: flags.includes("T"),
      static: flags.includes("S"),
      preference: m[4] as NdpRouter["preference"],
      expire: expiry(m[5], "ndp -r", i + 1),
    });
  });
  return routers;
}

interface PrefixDraft extends Omit<NdpPrefix, "advertisers"> {
  advertisers: NdpAdvertiser[];
}

function lifetime(text: string): NdpLifetime {
  return text === "infinity" ? "infinity" : Number(text);
}

function prefixFlags(head: PrefixDraft, line: string, n: number): PrefixDraft {
  const m = PREFIX_FLAGS.exec(line);
  if (!m) fail("ndp -p", `bad flags line "${line}"`, n);
  return {
    ...head,
    flags: m[1],
    autonomous: m[1].includes("A"),
    onLink: m[1].includes("L"),
    validLifetime: lifetime(m[2]),
    preferredLifetime: lifetime(m[3]),
    expire: m[4] === undefined ? "expired" : expiry(m[4], "ndp -p", n),
    ref: Number(m[5]),
  };
}

function prefixHead(m: RegExpExecArray, n: number): PrefixDraft {
  const base = withoutZone(m[1]);
  if (base === undefined || !base.includes(":") || Number(m[2]) > 128) {
    fail("ndp -p", `bad prefix "${m[1]}/${m[2]}"`, n);
  }
  return {
    prefix: `${base}/${m[2]}`,
    interface: m[3],
    flags: "",
    autonomous: false,
    onLink: false,
    validLifetime: 0,
    preferredLifetime: 0,
    expire: "never",
    ref: 0,
    advertisers: [],
  };
}

/**
 * Parses `ndp -n -p`: each prefix with its flags, lifetimes and the routers
 * that advertised it (several routers on one link each appear here).
 *
 * @example Read a prefix advertised by one router
 * ```ts
 * import { parseNdpPrefixes } from "./parse_ndp.ts";
 * import assert from "node:assert/strict";
 * const [p] = parseNdpPrefixes([
 *   "2001:db8:1::/64 if=en0",
 *   "flags=ALO vltime=2592000, pltime=604800, expire=29d23h59m50s, ref=2",
 *   "  advertised by",
 *   "    fe80::1%en0 (reachable)",
 * ].join("\n"));
 * assert.equal(p.prefix, "2001:db8:1::/64");
 * assert.equal(p.autonomous, true);
 * assert.equal(p.expire, 2591990);
 * assert.deepEqual(p.advertisers, [{ address: "fe80::1%en0", state: "reachable" }]);
 * ```
 * @param text The output.
 * @returns The prefixes in printed order.
 * @throws {SyntaxError} When a prefix block does not read as ndp.c prints it.
 */
export function parseNdpPrefixes(text: string): NdpPrefix[] {
  const prefixes: PrefixDraft[] = [];
  let current: PrefixDraft | undefined;
  let expectFlags = false;
  let listing = false;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    const head = PREFIX.exec(line);
    const advertiser = listing ? ADVERTISER.exec(line) : null;
    if (head) {
      current = prefixHead(head, i + 1);
      prefixes.push(current);
      [expectFlags, listing] = [true, false];
    } else if (expectFlags) {
      current = prefixFlags(current!, line, i + 1);
      prefixes[prefixes.length - 1] = current;
      expectFlags = false;
    } else if (advertiser) {
      current!.advertisers.push({
        address: address(advertiser[1], "ndp -p", i + 1),
        state: advertiser[2] as NdpAdvertiser["state"],
      });
    } else {
      listing = line === "advertised by" && current !== undefined;
    }
  });
  if (expectFlags) fail("ndp -p", "prefix without flags line", text.split("\n").length);
  return prefixes;
}
