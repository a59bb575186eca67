/**
 * Parser for `scutil --nwi`, the network information configd publishes for
 * the resolver and the socket layer: per address family, the interfaces
 * that have an address of that family, in rank order (the first is the
 * primary interface of that family), and the family's overall
 * reachability (configd nwi/network_state_information_logging.h
 * `_nwi_state_log()` and `_nwi_ifstate_log()`). Pure: text in, data out.
 *
 * @module
 */

import { type Family, formatIp, parseIp } from "../../ip/ip.ts";
import { parseScutilReach, type ScutilReach } from "./parse_scutil_dns.ts";

/** One interface entry of a family's list. */
export interface NwiInterface {
  /** The interface name ("en0", "utun3"). */
  readonly interface: string;
  /** The flags' value (NWI_IFSTATE_FLAGS_*: 0x1 IPv4, 0x2 IPv6, 0x4 DNS...). */
  readonly flagsValue: number;
  /** Flag names: "IPv4", "IPv6", "DNS", "CLAT46", "NOT-IN-LIST", "NOT-IN-IFLIST". */
  readonly flags: readonly string[];
  /** The interface's address of this family, canonical (the primary address configd chose). */
  readonly address?: string;
  /** `VPN server`: the VPN's server address, for a VPN interface. */
  readonly vpnServer?: string;
  /** The interface's reachability flags. */
  readonly reach?: ScutilReach;
}

/** The parsed output. */
export interface ScutilNwi {
  /** IPv4 interfaces in rank order: the first is the primary (default route) one. */
  readonly ipv4: readonly NwiInterface[];
  /** IPv6 interfaces in rank order. */
  readonly ipv6: readonly NwiInterface[];
  /** The "Network interfaces:" line: every interface configd knows, in rank order. */
  readonly interfaces: readonly string[];
  /** The `REACH : flags` line of each family. */
  readonly reach: { readonly ipv4?: ScutilReach; readonly ipv6?: ScutilReach };
}

type Draft = { -readonly [K in keyof NwiInterface]: NwiInterface[K] };

const FAMILY_HEADERS: Readonly<Record<string, Family>> = {
  "IPv4 network interface information": "ipv4",
  "IPv6 network interface information": "ipv6",
};

/**
 * Parses the output of `scutil --nwi`. "No IPv4 states found" and "No IPv6
 * states found" give empty lists. Unknown property lines (the debug
 * output's `rank`, `signature`, `generation`) are ignored.
 *
 * @example A split-tunnel VPN: en0 stays primary for IPv4, utun2 carries IPv6
 * ```ts
 * import { parseScutilNwi } from "./parse_scutil_nwi.ts";
 * import assert from "node:assert/strict";
 * const nwi = parseScutilNwi(`Network information
 *
 * IPv4 network interface information
 *      en0 : flags      : 0x5 (IPv4,DNS)
 *            address    : 198.51.100.10
 *            reach      : 0x00000002 (Reachable)
 *    utun2 : flags      : 0x7 (IPv4,IPv6,DNS)
 *            address    : 203.0.113.118
 *            VPN server : 198.18.0.1
 *            reach      : 0x00000003 (Reachable,Transient Connection)
 *
 *    REACH : flags 0x00000002 (Reachable)
 *
 * IPv6 network interface information
 *    No IPv6 states found
 *
 *    REACH : flags 0x00000000 (Not Reachable)
 *
 * Network interfaces: en0 utun2
 * `);
 * assert.deepEqual(nwi.ipv4.map((entry) => entry.interface), ["en0", "utun2"]);
 * assert.deepEqual(nwi.ipv4[1].flags, ["IPv4", "IPv6", "DNS"]);
 * assert.equal(nwi.ipv4[1].flagsValue, 7);
 * assert.equal(nwi.ipv4[1].address, "203.0.113.118");
 * assert.equal(nwi.ipv4[1].vpnServer, "198.18.0.1");
 * assert.equal(nwi.ipv4[1].reach?.value, 3);
 * assert.deepEqual(nwi.ipv6, []);
 * assert.deepEqual(nwi.interfaces, ["en0", "utun2"]);
 * assert.deepEqual(nwi.reach.ipv6, { value: 0, names: ["Not Reachable"] });
 * ```
 * @param text The output.
 * @returns The interfaces per family, the interface list and the reachability.
 * @throws {SyntaxError} When the "Network information" header is missing,
 * an interface comes before a family header, a property before an
 * interface, or a flags value or an address does not parse.
 */
export function parseScutilNwi(text: string): ScutilNwi {
  const lists: Record<Family, NwiInterface[]> = { ipv4: [], ipv6: [] };
  const reach: { ipv4?: ScutilReach; ipv6?: ScutilReach } = {};
  let interfaces: string[] = [];
  let family: Family | undefined;
  let current: Draft | undefined;
  let header = false;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    const fail = (what: string) =>
      new SyntaxError(`Cannot parse scutil --nwi output: ${what}, line ${index + 1}`);
    const entry = /^(\S+)\s+:\s+flags\s+:\s+(\S+)(?:\s+\((.*)\))?$/.exec(line);
    if (/^Network information\b/.test(line)) header = true;
    else if (FAMILY_HEADERS[line]) [family, current] = [FAMILY_HEADERS[line], undefined];
    else if (line.startsWith("Network interfaces:")) {
      interfaces = line.slice("Network interfaces:".length).split(/\s+/).filter((name) => name);
    } else if (line.startsWith("REACH ") && family) {
      reach[family] = parseScutilReach(line.replace(/^REACH\s+:\s+flags\s*/, ""));
      current = undefined;
    } else if (entry && entry[1] !== "REACH") {
      if (!family) throw fail(`interface "${entry[1]}" before a family header`);
      if (!/^0x[0-9a-fA-F]{1,8}$/.test(entry[2])) throw fail(`flags "${entry[2]}" are not hex`);
      current = { interface: entry[1], flagsValue: parseInt(entry[2], 16), flags: names(entry[3]) };
      lists[family].push(current);
    } else if (/^(?:address|VPN server|reach)\s+:/.test(line)) {
      if (!current) throw fail(`"${line}" before an interface`);
      readProperty(current, line, fail);
    }
  });
  if (!header) {
    throw new SyntaxError(
      'Cannot parse scutil --nwi output: no "Network information" header, line 1',
    );
  }
  return { ipv4: lists.ipv4, ipv6: lists.ipv6, interfaces, reach };
}

/** Reads an `address`, `VPN server` or `reach` line into the entry. */
function readProperty(draft: Draft, line: string, fail: (what: string) => SyntaxError): void {
  const colon = line.indexOf(":");
  const key = line.slice(0, colon).trim();
  const value = line.slice(colon + 1).trim();
  if (key === "reach") {
    draft.reach = parseScutilReach(value);
    return;
  }
  if (value === "???") return; // configd's text when inet_ntop() fails.
  const ip = parseIp(value);
  if (!ip) throw fail(`${key} "${value}" is not an IP address`);
  const canonical = formatIp(ip);
  if (key === "address") draft.address = canonical;
  else draft.vpnServer = canonical;
}

/** "IPv4,IPv6,DNS" → names (configd may append ",0x..." for unknown bits). */
function names(text: string | undefined): string[] {
  return (text ?? "").split(",").map((name) => name.trim()).filter((name) => name !== "");
}
