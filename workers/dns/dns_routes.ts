/**
 * Which of a PD's DNS servers a translation can use, and from which of the
 * PD's addresses it asks each (the draft's §3.3.7.18 "provisioning domain":
 * the query leaves from that PD, to that PD's servers only).
 *
 * @module
 */

import type { AddressInfo } from "../../protocol/model.ts";
import { noSourceReason, rankSources } from "../../ip/addrselect.ts";
import { type DnsServer, parseServer } from "../../ip/server_address.ts";
import { zoned } from "../../ip/zone.ts";

/** A server and the source address its queries leave from. */
export interface ServerRoute {
  /** The server. */
  readonly server: DnsServer;
  /** The PD address to bind, with a %zone when it is link-local. */
  readonly source: string;
}

/** The outcome of {@linkcode planRoutes}. */
export interface RoutePlan {
  /** Usable servers, in configured order. */
  readonly routes: readonly ServerRoute[];
  /** Why each other server was skipped. */
  readonly skipped: readonly string[];
}

/**
 * Pairs each server with the best source address of its family in the PD
 * (RFC 6724 §5, see ip/addrselect.ts). A server string that does not
 * parse, or whose family has no valid, preferred address in the PD, is
 * skipped with a reason.
 *
 * @example Skip a server of the other family
 * ```ts
 * import { planRoutes } from "./dns_routes.ts";
 * const a = { address: "198.51.100.7", prefixLength: 24, validUntil: null, preferredUntil: null };
 * const plan = planRoutes(["2001:db8::53", "198.51.100.53:5353"], "eth0", [a], Date.now());
 * import assert from "node:assert/strict";
 * assert.deepEqual(plan.routes.map((r) => `${r.server.text} from ${r.source}`), ["198.51.100.53:5353 from 198.51.100.7"]);
 * assert.deepEqual(plan.skipped, ["2001:db8::53 (the PD has no IPv6 address)"]);
 * ```
 * @param servers The PD's dns-servers strings.
 * @param interfaceId The PD's interface (zone of link-local addresses).
 * @param addresses The PD's addresses.
 * @param now Milliseconds since the epoch.
 * @returns The usable routes and the reasons for the rest.
 */
export function planRoutes(
  servers: readonly string[],
  interfaceId: string,
  addresses: readonly AddressInfo[],
  now: number,
): RoutePlan {
  const routes: ServerRoute[] = [];
  const skipped: string[] = [];
  for (const text of servers) {
    const server = parseServer(text, interfaceId);
    if (!server) {
      skipped.push(`${JSON.stringify(text)} (not a server address)`);
      continue;
    }
    const [source] = rankSources(server.ip, addresses, now);
    if (source === undefined) {
      const family = server.family === "ipv4" ? "IPv4" : "IPv6";
      skipped.push(
        noSourceReason(server.ip, addresses) === "no-address-of-family"
          ? `${text} (the PD has no ${family} address)`
          : `${text} (every ${family} address of the PD is deprecated or expired)`,
      );
      continue;
    }
    routes.push({ server, source: zoned(source.address, interfaceId, source.ip) });
  }
  return { routes, skipped };
}
