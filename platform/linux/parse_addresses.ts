/**
 * Parses `ip -j addr show`.
 *
 * @module
 */

import type { Family } from "../../protocol/types.ts";
import { jsonRecords } from "./json_records.ts";
import { canonicalIpCached } from "./parse_routes.ts";

/** iproute2's "forever": an all-ones 32-bit lifetime. */
export const FOREVER = 0xffffffff;

/** One address as iproute2 reports it. */
export interface AddressRecord {
  /** The interface's index. */
  readonly index: number;
  /** The interface's name. */
  readonly interfaceName: string;
  /** Address family. */
  readonly family: Family;
  /** Canonical address. */
  readonly address: string;
  /** Prefix length. */
  readonly prefixLength: number;
  /** "global", "site", "link" or "host". */
  readonly scope: string;
  /** Set when the address has lifetimes (SLAAC, DHCP): "dynamic". */
  readonly dynamic: boolean;
  /** Deprecated (preferred lifetime over). */
  readonly deprecated: boolean;
  /** Still in duplicate address detection, or failed it. */
  readonly tentative: boolean;
  /** An RFC 8981 temporary address. */
  readonly temporary: boolean;
  /** Seconds left, or null for forever. */
  readonly validLifetime: number | null;
  /** Seconds left until deprecated, or null for forever. */
  readonly preferredLifetime: number | null;
}

function lifetime(v: number | undefined): number | null {
  return v === undefined || v === FOREVER ? null : v;
}

/**
 * Parses the JSON of `ip -j addr show`.
 *
 * @example Parse a SLAAC address
 * ```ts
 * import { parseAddresses } from "./parse_addresses.ts";
 * import assert from "node:assert/strict";
 * const [a] = parseAddresses('[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet6",' +
 *   '"local":"2001:db8:a:0:0:0:0:5","prefixlen":64,"scope":"global","dynamic":true,' +
 *   '"valid_life_time":600,"preferred_life_time":300}]}]');
 * assert.equal(a.address, "2001:db8:a::5");
 * assert.equal(a.validLifetime, 600);
 * ```
 * @param text The command's output.
 * @returns Every address, interface by interface.
 * @throws {SyntaxError} When the output is not what iproute2 prints.
 */
export function parseAddresses(text: string): AddressRecord[] {
  const out: AddressRecord[] = [];
  for (const link of jsonRecords(text, "ip addr")) {
    const index = link.required("ifindex", link.integer);
    const interfaceName = link.required("ifname", link.string);
    for (const a of link.records("addr_info")) {
      const family = a.string("family");
      // Other families (e.g. "link" entries of some kernels) carry no IP address.
      if (family !== "inet" && family !== "inet6") continue;
      const local = a.required("local", a.string);
      const address = canonicalIpCached(local);
      if (!address) throw a.error(`"${local}" is not an IP address`);
      const prefixLength = a.required("prefixlen", a.integer);
      if (prefixLength > (family === "inet" ? 32 : 128)) throw a.error(`prefix /${prefixLength}`);
      out.push({
        index,
        interfaceName,
        family: family === "inet" ? "ipv4" : "ipv6",
        address,
        prefixLength,
        scope: a.string("scope") ?? "global",
        dynamic: a.flag("dynamic"),
        deprecated: a.flag("deprecated"),
        tentative: a.flag("tentative") || a.flag("dadfailed"),
        temporary: a.flag("temporary"),
        validLifetime: lifetime(a.integer("valid_life_time")),
        preferredLifetime: lifetime(a.integer("preferred_life_time")),
      });
    }
  }
  return out;
}
