/**
 * What a `route -n monitor` message is about (the kinds of xnu
 * bsd/net/route.h RTM_* messages), and so whether it changes the
 * configuration mif reads.
 *
 * @module
 */

/**
 * What a message is about: an interface's addresses, the interface itself
 * (flags, up/down), a route, a cloned host route (an ARP/NDP entry or a
 * per-destination clone: no configuration change), another kind that
 * changes nothing (RTM_GET, RTM_MISS, RTM_RESOLVE, multicast memberships,
 * ...), or an unknown kind.
 */
export type RouteChange = "address" | "link" | "route" | "clone" | "other" | "unknown";

const KINDS: Record<string, RouteChange> = {
  RTM_NEWADDR: "address",
  RTM_DELADDR: "address",
  RTM_IFINFO: "link",
  RTM_IFINFO2: "link",
  RTM_IFANNOUNCE: "link",
  RTM_ADD: "route",
  RTM_DELETE: "route",
  RTM_CHANGE: "route",
  RTM_REDIRECT: "route",
  RTM_OLDADD: "route",
  RTM_OLDDEL: "route",
};

const OTHER = new Set([
  "RTM_GET",
  "RTM_GET2",
  "RTM_GET_SILENT",
  "RTM_GET_EXT",
  "RTM_LOSING",
  "RTM_MISS",
  "RTM_LOCK",
  "RTM_RESOLVE",
  "RTM_NEWMADDR",
  "RTM_DELMADDR",
  "RTM_NEWMADDR2",
]);

/**
 * Classifies a message. A route with WASCLONED, or a HOST route with LLINFO
 * but not LOCAL (a neighbour entry), is a "clone"; a LOCAL host route is the
 * route of a local address and stays a "route".
 *
 * @example A deleted default, a deleted clone, a new address, a link change
 * ```ts
 * import { classifyRouteMessage } from "./route_message_kind.ts";
 * import assert from "node:assert/strict";
 * const m = (type: string, flags: string[]) => ({ type, flags, addresses: {} });
 * assert.equal(classifyRouteMessage(m("RTM_DELETE", ["GATEWAY", "DONE", "STATIC"])), "route");
 * assert.equal(classifyRouteMessage(m("RTM_DELETE", ["UP", "GATEWAY", "HOST", "WASCLONED"])), "clone");
 * assert.equal(classifyRouteMessage(m("RTM_ADD", ["UP", "HOST", "LLINFO", "LOCAL"])), "route");
 * assert.equal(classifyRouteMessage(m("RTM_NEWADDR", [])), "address");
 * assert.equal(classifyRouteMessage(m("RTM_IFINFO", ["UP"])), "link");
 * assert.equal(classifyRouteMessage(m("RTM_MISS", [])), "other");
 * assert.equal(classifyRouteMessage(m("(null)", [])), "unknown");
 * ```
 * @param message A message from parse_route_monitor.ts, or its type and flags.
 * @returns Its kind.
 */
export function classifyRouteMessage(
  message: { readonly type: string; readonly flags: readonly string[] },
): RouteChange {
  const kind = KINDS[message.type];
  if (kind === "route") {
    const has = (flag: string) => message.flags.includes(flag);
    if (has("WASCLONED") || (has("HOST") && has("LLINFO") && !has("LOCAL"))) return "clone";
  }
  return kind ?? (OTHER.has(message.type) ? "other" : "unknown");
}
