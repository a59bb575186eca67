/**
 * Parser for macOS `ifconfig -a` output, with or without `-v` (index, eflags,
 * xflags, `type:`, `effective interface:`) and `-L` (IPv6 pltime/vltime).
 * Pure: text in, data out. Follows the line formats of Apple's network_cmds
 * ifconfig.tproj (ifconfig.c status(), af_inet.c and af_inet6.c in_status()).
 *
 * @module
 */

import { canonicalIp, isLinkLocal, parseIp } from "../../ip/ip.ts";
import { maskLength } from "../../ip/prefix.ts";

/** An IPv4 address line (`inet`). */
export interface IfconfigInet {
  /** The address, canonical. */
  readonly address: string;
  /** The prefix length read from the hex netmask. */
  readonly prefixLength: number;
  /** The broadcast address, or null when none is printed. */
  readonly broadcast: string | null;
  /** The point-to-point peer (`--> peer`), or null. */
  readonly peer: string | null;
}

/**
 * The IPv6 address flags ifconfig prints, in its order (network_cmds-741.100.2
 * ifconfig.tproj/af_inet6.c in_status() L340-361).
 *
 * @example The flags of a stable SLAAC address and of a temporary one
 * ```ts
 * import { INET6_FLAGS } from "./parse_ifconfig.ts";
 * import assert from "node:assert/strict";
 * assert.equal(INET6_FLAGS.length, 11);
 * assert(INET6_FLAGS.includes("secured") && INET6_FLAGS.includes("temporary"));
 * ```
 */
export const INET6_FLAGS = [
  "anycast",
  "tentative",
  "optimistic",
  "duplicated",
  "detached",
  "deprecated",
  "autoconf",
  "temporary",
  "dynamic",
  "secured",
  "clat46",
] as const;

/** One of {@linkcode INET6_FLAGS}. */
export type Inet6Flag = typeof INET6_FLAGS[number];

/** An IPv6 address line (`inet6`). */
export interface IfconfigInet6 {
  /** The address, canonical, without its zone. */
  readonly address: string;
  /** The zone printed after "%" (link-local addresses), or null. */
  readonly zone: string | null;
  /** The `scopeid` value, or null when none is printed. */
  readonly scopeId: number | null;
  /** The prefix length. */
  readonly prefixLength: number;
  /** The point-to-point peer (`--> peer`), or null. */
  readonly peer: string | null;
  /** The address flags, in the order printed. */
  readonly flags: readonly Inet6Flag[];
  /** Preferred lifetime in seconds (`-L`), or null when infinite ("infty") or not printed. */
  readonly pltime: number | null;
  /** Valid lifetime in seconds (`-L`), or null when infinite ("infty") or not printed. */
  readonly vltime: number | null;
}

/** A network agent line (`-v`): "agent domain:NetworkExtension type:VPN flags:0xf desc:"..."". */
export interface IfconfigAgent {
  /** The agent's domain ("NetworkExtension", "Skywalk", "WiFiManager", ...). */
  readonly domain: string;
  /** The agent's type ("VPN", "NetIf", "FlowSwitch", ...). */
  readonly type: string;
  /** The description between the quotes ("VPN: <app>"). */
  readonly description: string;
}

/** One interface block of ifconfig's output. */
export interface IfconfigInterface {
  /** The BSD name ("en0", "utun4", "bridge100"). */
  readonly name: string;
  /** The interface flag names ("UP", "RUNNING", "POINTOPOINT", ...). */
  readonly flags: readonly string[];
  /** The MTU, or null when none is printed. */
  readonly mtu: number | null;
  /** The interface index (`-v`), or null. */
  readonly index: number | null;
  /** The header's "constrained" word (Low Data Mode, recent releases). */
  readonly constrained: boolean;
  /** The extended flag names (`-v` eflags=...<...>). */
  readonly eflags: readonly string[];
  /** The xflags names (`-v`, recent releases: "IS_VPN", "NOAUTONX", ...). */
  readonly xflags: readonly string[];
  /** The Ethernet address (`ether` line), lower case, or null. */
  readonly mac: string | null;
  /**
   * The `type:` line (`-v`: "Wi-Fi", "Ethernet", "USB Ethernet", "Cellular",
   * "IP over Thunderbolt", ...; with `-v -v` the " (0x6) family: N
   * subfamily: N" suffix is cut off), or null.
   */
  readonly type: string | null;
  /** The `functional type:` line (`-v -v`: "wired", "wifi", "cellular", "awdl", ...), or null. */
  readonly functionalType: string | null;
  /** The `status:` line ("active", "inactive"), or null when none is printed. */
  readonly status: string | null;
  /** The `media:` line's text ("autoselect (1000baseT <full-duplex>)"), or null. */
  readonly media: string | null;
  /** The `effective interface:` line (`-v`, a VPN's underlying link), or null. */
  readonly effectiveInterface: string | null;
  /** Network agents (`-v` `agent domain:D type:T ...` lines), in order. */
  readonly agents: readonly IfconfigAgent[];
  /** Bridge members (`member:` lines), in order. */
  readonly members: readonly string[];
  /** IPv4 addresses, in order. */
  readonly inet: readonly IfconfigInet[];
  /** IPv6 addresses, in order. */
  readonly inet6: readonly IfconfigInet6[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Building = Mutable<IfconfigInterface> & {
  inet: IfconfigInet[];
  inet6: IfconfigInet6[];
  members: string[];
  agents: IfconfigAgent[];
};

/** Thrown inside; turned into a SyntaxError naming the line. */
class LineError extends Error {}

const HEADER = /^([^\s:]+): flags=[0-9a-fA-F]+<([^>]*)>(.*)$/;
const TYPE_SUFFIX = / \(0x[0-9a-fA-F]+\) family: \d+ subfamily: \d+$/;
const FLAG_LINE = /^(eflags|xflags)=[0-9a-fA-F]+<([^>]*)>/;
// ifconfig.c L2283: "\tagent domain:%s type:%s flags:0x%x desc:\"%s\"\n"
const AGENT = /^agent domain:(\S*) type:(\S*) flags:0x[0-9a-fA-F]+ desc:"(.*)"$/;
const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

/**
 * Parses `ifconfig -a` (also with `-v` and/or `-L`, or for one interface).
 * Interface blocks start at an unindented `name: flags=...<...> mtu N` line;
 * their lines are indented (tabs, or spaces in some pastes). Lines this parser
 * does not know (options, nd6, agent, link quality, bridge Configuration,
 * ...) are ignored, as are blank lines and trailing blanks.
 *
 * @example Parse a Wi-Fi interface from `ifconfig -v -L`
 * ```ts
 * import { INET6_FLAGS, parseIfconfig } from "./parse_ifconfig.ts";
 * import assert from "node:assert/strict";
 * const text = "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500 index 4\n" +
 *   "\teflags=12000c0<ACCEPT_RTADV,TXSTART,NOACKPRI,ECN_ENABLE>\n\tether 28:cf:e9:17:99:a9 \n" +
 *   "\tinet6 fe80::1%en0 prefixlen 64 secured scopeid 0x4 \n" +
 *   "\tinet6 2001:db8::5 prefixlen 64 autoconf temporary pltime 600 vltime infty \n" +
 *   "\tinet 198.51.100.7 netmask 0xffffff00 broadcast 198.51.100.255\n" +
 *   "\tmedia: autoselect\n\tstatus: active\n\ttype: Wi-Fi\n";
 * const [en0] = parseIfconfig(text);
 * assert.equal(en0.name, "en0");
 * assert.equal(en0.index, 4);
 * assert.equal(en0.type, "Wi-Fi");
 * assert.deepEqual(en0.inet, [
 *   { address: "198.51.100.7", prefixLength: 24, broadcast: "198.51.100.255", peer: null },
 * ]);
 * assert.deepEqual(en0.inet6[0].flags, ["secured"]);
 * assert.equal(en0.inet6[0].zone, "en0");
 * assert.deepEqual(en0.inet6[1], {
 *   address: "2001:db8::5", zone: null, scopeId: null, prefixLength: 64, peer: null,
 *   flags: ["autoconf", "temporary"], pltime: 600, vltime: null,
 * });
 * assert(INET6_FLAGS.includes("secured"));
 * ```
 * @param text The command's output.
 * @returns The interfaces in the order printed.
 * @throws {SyntaxError} When an indented line comes before any interface,
 * an unindented line is not an interface header, or an `inet`/`inet6`/
 * `ether` line has no valid address, netmask or prefix length.
 */
export function parseIfconfig(text: string): IfconfigInterface[] {
  const interfaces: Building[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/[ \t\r]+$/, "");
    if (raw === "") continue;
    try {
      if (!/^[ \t]/.test(raw)) {
        interfaces.push(header(raw));
      } else {
        const current = interfaces.at(-1);
        if (!current) throw new LineError("indented line before any interface");
        detail(current, raw.trim());
      }
    } catch (error) {
      if (!(error instanceof LineError)) throw error;
      throw new SyntaxError(`Cannot parse ifconfig output: ${error.message}, line ${i + 1}`, {
        cause: error,
      });
    }
  }
  return interfaces;
}

function header(line: string): Building {
  const match = HEADER.exec(line);
  if (!match) throw new LineError("not an interface header");
  const [, name, flags, tail] = match;
  // ifconfig.c status(): [ metric N] [ mtu N] [ rtref N] [ index N] [ constrained]
  const words = tail.trim().split(/[ \t]+/);
  const number = (key: string) => {
    const at = words.indexOf(key);
    return at < 0 ? null : integer(words[at + 1], key, 10);
  };
  return {
    name,
    flags: names(flags),
    mtu: number("mtu"),
    index: number("index"),
    constrained: words.includes("constrained"),
    eflags: [],
    xflags: [],
    mac: null,
    type: null,
    functionalType: null,
    status: null,
    media: null,
    effectiveInterface: null,
    agents: [],
    members: [],
    inet: [],
    inet6: [],
  };
}

function names(list: string): string[] {
  return list === "" ? [] : list.split(",");
}

function detail(current: Building, line: string): void {
  const [word, ...rest] = line.split(/[ \t]+/);
  const flagLine = FLAG_LINE.exec(line);
  if (flagLine) current[flagLine[1] as "eflags" | "xflags"] = names(flagLine[2]);
  else if (word === "inet") current.inet.push(inetLine(rest));
  else if (word === "inet6") current.inet6.push(inet6Line(rest));
  else if (word === "ether") {
    if (!MAC.test(rest[0] ?? "")) throw new LineError(`ether "${rest[0] ?? ""}" is not a MAC`);
    current.mac = rest[0].toLowerCase();
  } else if (word === "member:" && rest.length > 0) current.members.push(rest[0]);
  else if (word === "agent") {
    const agent = AGENT.exec(line);
    if (agent) current.agents.push({ domain: agent[1], type: agent[2], description: agent[3] });
  } else {
    const colon = line.indexOf(": ");
    const key = colon < 0 ? "" : line.slice(0, colon);
    const value = line.slice(colon + 2).trim();
    if (key === "media") current.media = value;
    else if (key === "status") current.status = value;
    else if (key === "type") current.type = typeName(value);
    else if (key === "functional type") current.functionalType = value;
    else if (key === "effective interface") current.effectiveInterface = value;
  }
}

/** A `type:` value without the `-v -v` suffix; null when it is only numbers (ift2str()). */
function typeName(value: string): string | null {
  return /^0x[0-9a-fA-F]+ family: \d+ subfamily: \d+$/.test(value)
    ? null
    : value.replace(TYPE_SUFFIX, "");
}

function address(text: string | undefined, what: string): string {
  const canonical = text === undefined ? undefined : canonicalIp(text);
  if (canonical === undefined) throw new LineError(`${what} "${text ?? ""}" is not an address`);
  return canonical;
}

function inetLine(words: string[]): IfconfigInet {
  const value = (key: string) => {
    const at = words.indexOf(key);
    return at < 0 ? undefined : words[at + 1];
  };
  const addressText = address(words[0], "inet");
  const peer = value("-->");
  const broadcast = value("broadcast");
  const mask = value("netmask");
  const prefixLength = mask === undefined
    ? undefined
    : mask.startsWith("0x")
    ? hexMaskLength(mask)
    : maskLength(mask); // -f inet:dotted
  if (prefixLength === undefined) throw new LineError(`inet netmask "${mask ?? ""}" is not valid`);
  return {
    address: addressText,
    prefixLength,
    broadcast: broadcast === undefined ? null : address(broadcast, "broadcast"),
    peer: peer === undefined ? null : address(peer, "peer"),
  };
}

function hexMaskLength(mask: string): number | undefined {
  if (!/^0x[0-9a-fA-F]{8}$/.test(mask)) return undefined;
  const bits = parseInt(mask.slice(2), 16).toString(2).padStart(32, "0");
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, "").length : undefined;
}

function inet6Line(words: string[]): IfconfigInet6 {
  const [literal] = words;
  const percent = literal?.indexOf("%") ?? -1;
  const result = {
    address: address(percent < 0 ? literal : literal.slice(0, percent), "inet6"),
    zone: percent < 0 ? null : literal.slice(percent + 1),
    scopeId: null as number | null,
    prefixLength: undefined as number | undefined,
    peer: null as string | null,
    flags: [] as Inet6Flag[],
    pltime: null as number | null,
    vltime: null as number | null,
  };
  for (let i = 1; i < words.length; i++) {
    const word = words[i], next = words[i + 1];
    if (word === "prefixlen") result.prefixLength = integer(next, "prefixlen", 10, 128);
    else if (word === "scopeid") result.scopeId = integer(next, "scopeid", 16);
    else if (word === "-->") result.peer = address(next?.replace(/%.*$/, ""), "peer");
    else if (word === "pltime") result.pltime = lifetime(next, "pltime");
    else if (word === "vltime") result.vltime = lifetime(next, "vltime");
    else {
      if ((INET6_FLAGS as readonly string[]).includes(word)) result.flags.push(word as Inet6Flag);
      continue;
    }
    i++;
  }
  const { prefixLength } = result;
  if (prefixLength === undefined) throw new LineError("inet6 line has no prefixlen");
  return { ...result, prefixLength };
}

function integer(text: string | undefined, what: string, radix: 10 | 16, max?: number): number {
  const valid = radix === 10 ? /^\d+$/ : /^0x[0-9a-fA-F]+$/;
  const n = text !== undefined && valid.test(text) ? parseInt(text, radix) : NaN;
  if (!Number.isSafeInteger(n) || (max !== undefined && n > max)) {
    throw new LineError(`${what} "${text ?? ""}" is not valid`);
  }
  return n;
}

function lifetime(text: string | undefined, what: string): number | null {
  return text === "infty" ? null : integer(text, what, 10);
}

/**
 * Whether one of a link's addresses is more than link-local (169.254/16,
 * fe80::/10): what the system's own utuns and a link with no network yet
 * lack.
 *
 * @example A utun with only fe80:: and a Wi-Fi link with a lease
 * ```ts
 * import { beyondLinkLocal } from "./parse_ifconfig.ts";
 * import assert from "node:assert/strict";
 * assert.equal(beyondLinkLocal([{ address: "fe80::1" }]), false);
 * assert.equal(beyondLinkLocal([{ address: "169.254.7.9" }, { address: "198.51.100.7" }]), true);
 * ```
 * @param addresses The addresses (`inet`, `inet6` or both).
 * @returns true when one is neither IPv4 nor IPv6 link-local.
 */
export function beyondLinkLocal(addresses: readonly { readonly address: string }[]): boolean {
  return addresses.some((a) => {
    const ip = parseIp(a.address);
    return ip !== undefined && !isLinkLocal(ip);
  });
}
