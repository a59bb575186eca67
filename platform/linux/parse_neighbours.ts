/**
 * Parses `ip -j -6 neigh show`: the kernel's neighbours, of which the ones
 * with the router flag are every router that advertised on a link — also a
 * stub router (router lifetime 0), which the kernel never makes a default
 * router: receiving an RA marks its sender's entry as a router (RFC 4861
 * §6.3.4), whatever its lifetime.
 *
 * @module
 */

import { jsonRecords } from "./json_records.ts";
import { canonicalIpCached } from "./parse_routes.ts";

/** One neighbour as iproute2 reports it. */
export interface NeighbourRecord {
  /** Canonical IPv6 address. */
  readonly address: string;
  /** The interface. */
  readonly device: string;
  /** Whether it is flagged as a router. */
  readonly router: boolean;
  /** NUD states ("REACHABLE", "STALE", "FAILED", ...). */
  readonly states: readonly string[];
}

/**
 * Parses the JSON of `ip -j -6 neigh show`. iproute2 marks a router with a
 * `"router": null` key: the key's presence is the flag.
 *
 * @example Find the routers
 * ```ts
 * import { parseNeighbours } from "./parse_neighbours.ts";
 * import assert from "node:assert/strict";
 * const [n] = parseNeighbours('[{"dst":"fe80::d2","dev":"stub0","lladdr":"02:00:00:00:00:d2",' +
 *   '"router":null,"state":["STALE"]}]');
 * assert.deepEqual(n, { address: "fe80::d2", device: "stub0", router: true, states: ["STALE"] });
 * ```
 * @param text The command's output.
 * @returns Every neighbour.
 * @throws {SyntaxError} When the output is not what iproute2 prints.
 */
export function parseNeighbours(text: string): NeighbourRecord[] {
  return jsonRecords(text, "ip -6 neigh").map((r) => {
    const dst = r.required("dst", r.string);
    const address = canonicalIpCached(dst);
    if (!address) throw r.error(`"${dst}" is not an IP address`);
    return {
      address,
      device: r.required("dev", r.string),
      router: r.raw("router") !== undefined,
      states: r.strings("state"),
    };
  });
}

/**
 * The routers the kernel has heard on each link, from the neighbour table
 * (entries that failed resolution are left out).
 *
 * @example Routers by link
 * ```ts
 * import { neighbourRouters } from "./parse_neighbours.ts";
 * import assert from "node:assert/strict";
 * const n = (address: string, router: boolean) =>
 *   ({ address, device: "eth0", router, states: ["STALE"] });
 * assert.deepEqual(neighbourRouters([n("fe80::2", true), n("fe80::1", true), n("fe80::9", false)]),
 *   new Map([["eth0", ["fe80::1", "fe80::2"]]]));
 * ```
 * @param neighbours The neighbour table.
 * @returns Link name → router addresses, sorted.
 */
export function neighbourRouters(
  neighbours: readonly NeighbourRecord[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of neighbours) {
    if (!n.router || n.states.includes("FAILED")) continue;
    const list = out.get(n.device) ?? [];
    if (!list.includes(n.address)) out.set(n.device, [...list, n.address].sort());
  }
  return out;
}
