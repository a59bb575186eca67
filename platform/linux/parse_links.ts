/**
 * Parses `ip -j -d link show`.
 *
 * @module
 */

import { jsonRecords } from "./json_records.ts";

/** One link as iproute2 reports it. */
export interface LinkRecord {
  /** Kernel interface index. */
  readonly index: number;
  /** Interface name. */
  readonly name: string;
  /** Link-layer address, lower case, where the link has one. */
  readonly mac?: string;
  /** MTU in octets. */
  readonly mtu?: number;
  /** RFC 2863 operational state, lower case ("up", "down", "lowerlayerdown", "unknown", ...). */
  readonly operState: string;
  /** Interface flags ("UP", "LOWER_UP", "LOOPBACK", "POINTOPOINT", ...). */
  readonly flags: readonly string[];
  /** ARPHRD type as iproute2 names it ("ether", "loopback", "none", "ipip", ...). */
  readonly linkType: string;
  /** The link's driver kind from linkinfo ("veth", "tun", "wireguard", "bridge", ...). */
  readonly kind?: string;
}

/**
 * Parses the JSON of `ip -j -d link show`.
 *
 * @example Parse one link
 * ```ts
 * import { parseLinks } from "./parse_links.ts";
 * import assert from "node:assert/strict";
 * const [lo] = parseLinks('[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536,' +
 *   '"operstate":"UNKNOWN","link_type":"loopback","address":"00:00:00:00:00:00"}]');
 * assert.equal(lo.name, "lo");
 * assert.equal(lo.operState, "unknown");
 * ```
 * @param text The command's output.
 * @returns The links in the order given.
 * @throws {SyntaxError} When the output is not what iproute2 prints.
 */
export function parseLinks(text: string): LinkRecord[] {
  return jsonRecords(text, "ip link").map((r) => {
    const linkType = r.string("link_type") ?? "none";
    const mac = r.string("address");
    const mtu = r.integer("mtu");
    const kind = r.record("linkinfo")?.string("info_kind");
    return {
      index: r.required("ifindex", r.integer),
      name: r.required("ifname", r.string),
      ...(mac !== undefined && linkType !== "loopback" && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(mac)
        ? { mac: mac.toLowerCase() }
        : {}),
      ...(mtu !== undefined ? { mtu } : {}),
      operState: (r.string("operstate") ?? "unknown").toLowerCase(),
      flags: r.strings("flags"),
      linkType,
      ...(kind !== undefined ? { kind } : {}),
    };
  });
}
