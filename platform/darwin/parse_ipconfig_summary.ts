/**
 * Parses macOS `ipconfig getsummary <if>` (macOS 12+, bootp-428) and
 * `ipconfig getra <if>` (macOS 11+, bootp-413.40.2): apple-oss-distributions/bootp
 * ipconfig.tproj/client.c S_get_ra() L429-484 ("RA Received %@ %@\n") and
 * S_get_summary() L487; the summary is an SCPrint of a CFDictionary whose
 * multi-line strings (RTADV › RouterAdvertisement, DHCP › Packet,
 * DHCPv6 › Packet) print raw, breaking the indentation
 * (IPConfiguration.bproj/rtadv.c rtadv_provide_summary() L1780-1806,
 * DHCPv6Client.c DHCPv6ClientProvideSummary() L957-1024). The RA text follows
 * bootplib/RouterAdvertisement.c RouterAdvertisementAppendDescription()
 * L1128-1170 and AppendOptionDescriptions() L1064-1120 (bootp-494.60.3).
 * IPConfiguration keeps ONE router's RA per interface (rtadv.c L1087: "XXX
 * only track state of one router right now"); use parse_ndp.ts for all routers.
 *
 * @module
 */

import { canonicalIp } from "../../ip/ip.ts";
import {
  type DhcpPacket,
  type Dhcpv6Packet,
  parseIpconfigPacket,
  parseIpconfigV6Packet,
} from "./parse_ipconfig_packet.ts";

/** An SCPrint value: a string, an array or a dictionary. */
export type ScValue = string | readonly ScValue[] | { readonly [key: string]: ScValue };

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
 * import { parseRouterAdvertisement } from "./parse_ipconfig_summary.ts";
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

/**
 * Parses `ipconfig getra <if>` (macOS 11+).
 *
 * @example No RA yet
 * ```ts
 * import { parseIpconfigRa } from "./parse_ipconfig_summary.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseIpconfigRa(""), undefined);
 * const ra = parseIpconfigRa("RA Received 04/25/2025 23:06:51 from fe80::1, length 16, hop limit 64, " +
 *   "lifetime 0s, reachable 0ms, retransmit 0ms, flags 0x0\n");
 * assert.equal(ra?.received, "04/25/2025 23:06:51");
 * assert.equal(ra?.routerLifetime, 0);
 * ```
 * @param text The output.
 * @returns The RA, or undefined for empty output (no RA kept for the interface).
 * @throws {SyntaxError} When the output is not an RA description.
 */
export function parseIpconfigRa(text: string): RouterAdvertisement | undefined {
  return text.trim() === "" ? undefined : parseRouterAdvertisement(text);
}

type Dict = { readonly [key: string]: ScValue };
type Container =
  | { kind: "dict"; value: Record<string, ScValue>; indent: number }
  | { kind: "array"; value: ScValue[]; indent: number };

const SC_KEY = /^\s*([A-Za-z0-9_.-]+) :(?: (.*))?$/;

function put(c: Container, key: string, value: ScValue): void {
  if (c.kind === "dict") c.value[key] = value;
  else c.value.push(value);
}

/** A string value being read, with the setter that stores its final text. */
interface Pending {
  text: string;
  readonly set: (text: string) => void;
}

function open(top: Container, key: string, value: string, at: number): Container | Pending {
  if (value === "<dictionary> {" || value === "<array> {") {
    const child: Container = value === "<array> {"
      ? { kind: "array", value: [], indent: at }
      : { kind: "dict", value: {}, indent: at };
    put(top, key, child.value);
    return child;
  }
  put(top, key, value);
  const index = top.kind === "array" ? top.value.length - 1 : key;
  const set = (text: string) => {
    if (top.kind === "array") top.value[index as number] = text;
    else top.value[index] = text;
  };
  return { text: value, set };
}

const indent = (line: string) => line.length - line.trimStart().length;

/**
 * Reads an SCPrint dictionary. SCPrint indents two blanks per level and
 * closes a container with `}` at the indent of the line that opened it;
 * every other line continues the last string value (multi-line strings
 * print raw, so an embedded DHCPv6 packet's own `}` is not a closing brace).
 */
function parseScPrint(text: string, command: string): Dict {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0 || lines[first].trim() !== "<dictionary> {") {
    throw new SyntaxError(`Cannot parse ${command} output: no "<dictionary> {", line ${first + 1}`);
  }
  const root: Container = { kind: "dict", value: {}, indent: indent(lines[first]) };
  const stack: Container[] = [root];
  let last: Pending | undefined;
  for (let i = first + 1; i < lines.length && stack.length > 0; i++) {
    const top = stack.at(-1)!;
    const closes = lines[i].trim() === "}" && indent(lines[i]) === top.indent;
    const m = SC_KEY.exec(lines[i]);
    const key = m && (last === undefined || indent(lines[i]) === top.indent + 2) ? m : undefined;
    if (closes || key) {
      last?.set(last.text.replace(/\s+$/, ""));
      last = undefined;
    }
    if (closes) stack.pop();
    else if (key) {
      const opened = open(top, key[1], (key[2] ?? "").trim(), indent(lines[i]));
      if ("kind" in opened) stack.push(opened);
      else last = opened;
    } else if (last) last.text += `\n${lines[i]}`;
    else if (lines[i].trim() !== "") {
      throw new SyntaxError(`Cannot parse ${command} output: stray line ${i + 1}`);
    }
  }
  if (stack.length > 0) {
    throw new SyntaxError(
      `Cannot parse ${command} output: unclosed dictionary, line ${lines.length}`,
    );
  }
  return root.value;
}

/** One IPv4 service of the interface. */
export interface SummaryIpv4 {
  /** "DHCP", "Manual", "LinkLocal", "BOOTP"... */
  readonly configMethod?: string;
  readonly serviceId?: string;
  readonly addresses: readonly string[];
  readonly subnetMasks: readonly string[];
  readonly router?: string;
  /** DHCP state ("BOOTREPLY" packet included) when ConfigMethod is DHCP. */
  readonly dhcp?: {
    readonly state?: string;
    readonly leaseStartTime?: string;
    readonly leaseExpirationTime?: string;
    readonly packet?: DhcpPacket;
  };
}

/** One IPv6 service of the interface. */
export interface SummaryIpv6 {
  /** "Automatic", "Manual", "LinkLocal", "6to4"... */
  readonly configMethod?: string;
  readonly serviceId?: string;
  readonly rtadv?: {
    /** "Solicit", "Acquired"... */
    readonly state?: string;
    /** The one RA IPConfiguration keeps. */
    readonly advertisement?: RouterAdvertisement;
    readonly clat46Enabled: boolean;
    readonly clat46Active: boolean;
  };
  readonly dhcpv6?: {
    /** "Stateless", "Stateful", "None"... */
    readonly mode?: string;
    readonly state?: string;
    readonly statefulAddress?: string;
    readonly delegatedPrefix?: string;
    readonly packet?: Dhcpv6Packet;
  };
}

/** `ipconfig getsummary <if>`. */
export interface IpconfigSummary {
  readonly interfaceType?: string;
  readonly linkStatusActive?: boolean;
  /** "<redacted>" on recent releases unless `ipconfig setverbose 1`. */
  readonly ssid?: string;
  readonly ipv4: readonly SummaryIpv4[];
  readonly ipv6: readonly SummaryIpv6[];
  /** The whole dictionary. */
  readonly tree: { readonly [key: string]: ScValue };
}

const str = (d: Dict | undefined, k: string) =>
  typeof d?.[k] === "string" ? d[k] as string : undefined;
const dict = (d: Dict | undefined, k: string) =>
  d?.[k] !== undefined && typeof d[k] === "object" && !Array.isArray(d[k])
    ? d[k] as Dict
    : undefined;
const list = (d: Dict | undefined, k: string) =>
  Array.isArray(d?.[k]) ? d[k] as readonly ScValue[] : [];
const strings = (d: Dict | undefined, k: string) =>
  list(d, k).filter((v) => typeof v === "string") as string[];
const dicts = (d: Dict | undefined, k: string) =>
  list(d, k).filter((v) => typeof v === "object" && !Array.isArray(v)) as Dict[];

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function ipv4Service(s: Dict): SummaryIpv4 {
  const dhcp = dict(s, "DHCP");
  const packet = str(dhcp, "Packet");
  return compact({
    configMethod: str(s, "ConfigMethod"),
    serviceId: str(s, "ServiceID"),
    addresses: strings(s, "Addresses"),
    subnetMasks: strings(s, "SubnetMasks"),
    router: str(s, "Router"),
    dhcp: dhcp && compact({
      state: str(dhcp, "State"),
      leaseStartTime: str(dhcp, "LeaseStartTime"),
      leaseExpirationTime: str(dhcp, "LeaseExpirationTime"),
      packet: packet === undefined ? undefined : parseIpconfigPacket(packet),
    }),
  });
}

function ipv6Service(s: Dict): SummaryIpv6 {
  const rtadv = dict(s, "RTADV");
  const v6 = dict(s, "DHCPv6");
  const ra = str(rtadv, "RouterAdvertisement");
  const packet = str(v6, "Packet");
  const prefix = str(v6, "DelegatedPrefix");
  return compact({
    configMethod: str(s, "ConfigMethod"),
    serviceId: str(s, "ServiceID"),
    rtadv: rtadv && compact({
      state: str(rtadv, "State"),
      advertisement: ra === undefined
        ? undefined
        : parseRouterAdvertisement(ra, "ipconfig getsummary"),
      clat46Enabled: str(rtadv, "CLAT46Enabled") === "TRUE",
      clat46Active: str(rtadv, "CLAT46Active") === "TRUE",
    }),
    dhcpv6: v6 && compact({
      mode: str(v6, "Mode"),
      state: str(v6, "State"),
      statefulAddress: str(v6, "StatefulAddress"),
      delegatedPrefix: prefix === undefined
        ? undefined
        : `${prefix}/${str(v6, "DelegatedPrefixLength") ?? ""}`,
      packet: packet === undefined ? undefined : parseIpconfigV6Packet(packet),
    }),
  });
}

/**
 * Parses `ipconfig getsummary <if>` (macOS 12+).
 *
 * @example Read the IPv6 state of an interface
 * ```ts
 * import { parseIpconfigSummary } from "./parse_ipconfig_summary.ts";
 * import assert from "node:assert/strict";
 * const s = parseIpconfigSummary([
 *   "<dictionary> {",
 *   "  IPv6 : <array> {",
 *   "    0 : <dictionary> {",
 *   "      ConfigMethod : Automatic",
 *   "      RTADV : <dictionary> {",
 *   "        RouterAdvertisement : from fe80::1, length 16, hop limit 64, lifetime 1800s, reachable 0ms, retransmit 0ms, flags 0x0",
 *   "",
 *   "        State : Acquired",
 *   "      }",
 *   "    }",
 *   "  }",
 *   "  LinkStatusActive : TRUE",
 *   "}",
 * ].join("\n"))!;
 * assert.equal(s.linkStatusActive, true);
 * assert.equal(s.ipv6[0].rtadv?.state, "Acquired");
 * assert.equal(s.ipv6[0].rtadv?.advertisement?.routerLifetime, 1800);
 * assert.deepEqual(s.ipv4, []);
 * assert.equal(parseIpconfigSummary(""), undefined);
 * ```
 * @param text The output.
 * @returns The summary, or undefined for empty output.
 * @throws {SyntaxError} When the output is not an SCPrint dictionary, or an embedded RA/packet does not read.
 */
export function parseIpconfigSummary(text: string): IpconfigSummary | undefined {
  if (text.trim() === "") return undefined;
  const tree = parseScPrint(text, "ipconfig getsummary");
  const link = str(tree, "LinkStatusActive");
  return compact({
    interfaceType: str(tree, "InterfaceType"),
    linkStatusActive: link === undefined ? undefined : link === "TRUE",
    ssid: str(tree, "SSID"),
    ipv4: dicts(tree, "IPv4").map(ipv4Service),
    ipv6: dicts(tree, "IPv6").map(ipv6Service),
    tree,
  });
}
