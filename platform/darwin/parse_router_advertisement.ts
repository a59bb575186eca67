/**
 * Parses the Router Advertisement description macOS `ipconfig` prints:
 * `ipconfig getra <if>` (macOS 11+, bootp-413.40.2: ipconfig.tproj/client.c
 * S_get_ra() L429-484, "RA Received %@ %@\n") and the RTADV ›
 * RouterAdvertisement string of `ipconfig getsummary <if>`
 * (IPConfiguration.bproj/rtadv.c rtadv_provide_summary() L1780-1806). The
 * text follows bootplib/RouterAdvertisement.c
 * RouterAdvertisementAppendDescription() L1128-1170 and
 * AppendOptionDescriptions() L1064-1120 (bootp-494.60.3).
 * IPConfiguration keeps ONE router's RA per interface (rtadv.c L1087: "XXX
 * only track state of one router right now"); use parse_ndp.ts for all routers.
 *
 * @module
 */

import { canonicalIp } from "../../ip/ip.ts";

/** An RA lifetime: seconds, or "infinity" (printed "infinite"). */
export type RaLifetime = number | "infinity";

/** One RA option line: `\t<name> option (<type>), length <bytes> (<units>): <text>`. */
export interface RaOption {
  readonly name: string;
  readonly type: number;
  readonly length: number;
  readonly text: string;
}

/** A Router Advertisement as ipconfig describes it. */
export interface RouterAdvertisement {
  /** `RA Received <date>` text (getra only), as printed. */
  readonly received?: string;
  /** The router's link-local source address, without zone. */
  readonly source: string;
  readonly hopLimit: number;
  /** Router lifetime in seconds (0: not a default router). */
  readonly routerLifetime: number;
  readonly reachableMs: number;
  readonly retransmitMs: number;
  /** The RA flags byte. */
  readonly flags: number;
  readonly managed: boolean;
  readonly otherConfig: boolean;
  /** RFC 4191 default router preference (flags bits 3-4). */
  readonly preference: "high" | "medium" | "low" | "reserved";
  readonly mtu?: number;
  readonly sourceLinkAddress?: string;
  readonly prefixes: readonly {
    readonly prefix: string;
    readonly onLink: boolean;
    readonly autonomous: boolean;
    readonly validLifetime: RaLifetime;
    readonly preferredLifetime: RaLifetime;
  }[];
  readonly rdnss: readonly { readonly servers: readonly string[]; readonly lifetime: RaLifetime }[];
  readonly dnssl: readonly { readonly domains: readonly string[]; readonly lifetime: RaLifetime }[];
  readonly routes: readonly {
    readonly prefix: string;
    readonly preference: string;
    readonly lifetime: RaLifetime;
  }[];
  /** RFC 8781 PREF64. */
  readonly pref64?: { readonly prefix: string; readonly lifetime: number };
  /** RFC 8910 captive portal URI. */
  readonly captivePortal?: string;
  /** Every option line in order, the ones above included. */
  readonly options: readonly RaOption[];
}

const RA_HEAD =
  /^(?:RA Received (.+?) )?from (\S+), length \d+, hop limit (\d+), lifetime (\d+)s(?: \(max\))?, reachable (\d+)ms, retransmit (\d+)ms, flags 0x([0-9a-f]+)/;
const RA_OPTION = /^(.+?) option \((\d+)\), length (\d+) \(\d+\):(.*)$/;
const PIO = /^(\S+)\/(\d+), flags \[([^\]]*)\], valid time (\S+), pref\. time (\S+)$/i;
const RDNSS = /^lifetime (\S+), addr: (.*)$/;
const DNSSL = /^lifetime (\S+), domain\(s\): (.*)$/;
const PREF64 = /^(\S+)\/(\d+) lifetime (\d+)s$/;
const RIO = /^(\S+)\/(\d+), pref=(\S+), lifetime (\S+)$/;
const PREFERENCE = ["medium", "high", "reserved", "low"] as const;

function raLifetime(text: string): RaLifetime | undefined {
  if (text === "infinite") return "infinity";
  return /^\d+s$/.test(text) ? Number(text.slice(0, -1)) : undefined;
}

function ips(text: string): string[] {
  return text.split(",").map((s) => canonicalIp(s.trim())).filter((s) => s !== undefined);
}

type Draft = { -readonly [K in keyof RouterAdvertisement]: RouterAdvertisement[K] } & {
  prefixes: RouterAdvertisement["prefixes"][number][];
  rdnss: RouterAdvertisement["rdnss"][number][];
  dnssl: RouterAdvertisement["dnssl"][number][];
  routes: RouterAdvertisement["routes"][number][];
  options: RaOption[];
};

/** Reads the options mif uses; an option whose text does not read is kept in `options` only. */
function readOption(ra: Draft, o: RaOption): void {
  let m: RegExpExecArray | null;
  const t = o.text;
  if (o.type === 1) ra.sourceLinkAddress = t;
  else if (o.type === 5 && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(t)) {
    ra.mtu = parseInt(t.slice(6).replaceAll(":", ""), 16);
  } else if (o.type === 3 && (m = PIO.exec(t)) && canonicalIp(m[1])) {
    const [valid, preferred] = [raLifetime(m[4]), raLifetime(m[5])];
    if (valid === undefined || preferred === undefined) return;
    const flags = m[3].toLowerCase().split(/\s+/);
    ra.prefixes.push({
      prefix: `${canonicalIp(m[1])}/${m[2]}`,
      onLink: flags.includes("onlink"),
      autonomous: flags.includes("auto"),
      validLifetime: valid,
      preferredLifetime: preferred,
    });
  } else if (o.type === 25 && (m = RDNSS.exec(t)) && raLifetime(m[1]) !== undefined) {
    ra.rdnss.push({ servers: ips(m[2]), lifetime: raLifetime(m[1])! });
  } else if (o.type === 31 && (m = DNSSL.exec(t)) && raLifetime(m[1]) !== undefined) {
    ra.dnssl.push({
      // RouterAdvertisement.c L813-818 prints "no domains <bytes>" when the list does not decode.
      domains: m[2].startsWith("no domains")
        ? []
        : m[2].split(",").map((d) => d.trim()).filter((d) => d !== ""),
      lifetime: raLifetime(m[1])!,
    });
  } else if (o.type === 38 && (m = PREF64.exec(t)) && canonicalIp(m[1])) {
    ra.pref64 = { prefix: `${canonicalIp(m[1])}/${m[2]}`, lifetime: Number(m[3]) };
  } else if (
    o.type === 24 && (m = RIO.exec(t)) && canonicalIp(m[1]) && raLifetime(m[4]) !== undefined
  ) {
    ra.routes.push({
      prefix: `${canonicalIp(m[1])}/${m[2]}`,
      preference: m[3],
      lifetime: raLifetime(m[4])!,
    });
  } else if (o.type === 37 && t.startsWith("uri=")) ra.captivePortal = t.slice(4);
}

/**
 * Parses the RA description ipconfig prints (`ipconfig getra`, or the
 * RTADV › RouterAdvertisement string of `ipconfig getsummary`).
 *
 * @example Read an RA with RDNSS
 * ```ts
 * import { parseRouterAdvertisement } from "./parse_router_advertisement.ts";
 * import assert from "node:assert/strict";
 * const ra = parseRouterAdvertisement([
 *   "from fe80::1, length 64, hop limit 64, lifetime 1800s, reachable 0ms, retransmit 0ms, flags 0x40=[ other ], pref=medium",
 *   "\trdnss option (25), length 24 (3):  lifetime 600s, addr: 2001:db8::53",
 * ].join("\n"));
 * assert.equal(ra.source, "fe80::1");
 * assert.equal(ra.otherConfig, true);
 * assert.deepEqual(ra.rdnss, [{ servers: ["2001:db8::53"], lifetime: 600 }]);
 * ```
 * @param text The description.
 * @param command The command named in errors.
 * @returns The advertisement.
 * @throws {SyntaxError} When the first line is not an RA header.
 */
export function parseRouterAdvertisement(
  text: string,
  command = "ipconfig getra",
): RouterAdvertisement {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  const h = RA_HEAD.exec(lines[first]?.trim() ?? "");
  if (!h || !canonicalIp(h[2])) {
    throw new SyntaxError(`Cannot parse ${command} output: no RA header, line ${first + 1}`);
  }
  const flags = parseInt(h[7], 16);
  const ra: Draft = {
    source: canonicalIp(h[2])!,
    hopLimit: Number(h[3]),
    routerLifetime: Number(h[4]),
    reachableMs: Number(h[5]),
    retransmitMs: Number(h[6]),
    flags,
    managed: (flags & 0x80) !== 0,
    otherConfig: (flags & 0x40) !== 0,
    preference: PREFERENCE[(flags >> 3) & 3],
    prefixes: [],
    rdnss: [],
    dnssl: [],
    routes: [],
    options: [],
  };
  if (h[1] !== undefined) ra.received = h[1];
  for (const line of lines.slice(first + 1)) {
    const m = RA_OPTION.exec(line.trim());
    if (!m) continue;
    const option = { name: m[1], type: Number(m[2]), length: Number(m[3]), text: m[4].trim() };
    ra.options.push(option);
    readOption(ra, option);
  }
  return ra;
}
