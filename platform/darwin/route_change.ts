/**
 * What a batch of `route -n monitor` messages asks the platform to read
 * again: the macOS counterpart of platform/linux/kernel_change.ts.
 *
 * @module
 */

import { isRelevant, type RouteMessage } from "./parse_route_monitor.ts";
import { classifyRouteMessage } from "./route_message_kind.ts";

/** How much to read again: nothing, the address and route tables, or everything. */
export type RouteReadScope = "none" | "tables" | "full";

/**
 * How much a batch of messages asks to read again. An empty batch (a
 * monitor that restarted and may have missed anything), a link change or
 * an unknown kind reads everything; addresses and routes read the tables;
 * clones and other kinds read nothing.
 *
 * @example Routes read the tables, a link change everything
 * ```ts
 * import { readScope } from "./route_change.ts";
 * import assert from "node:assert/strict";
 * const m = (type: string, flags: string[] = []) => ({ type, flags, addresses: {} });
 * assert.equal(readScope([m("RTM_DELETE", ["GATEWAY"]), m("RTM_NEWADDR")]), "tables");
 * assert.equal(readScope([m("RTM_NEWADDR"), m("RTM_IFINFO", ["UP"])]), "full");
 * assert.equal(readScope([m("RTM_DELETE", ["HOST", "WASCLONED"])]), "none");
 * assert.equal(readScope([]), "full");
 * ```
 * @param messages The batch.
 * @returns The scope.
 */
export function readScope(
  messages: readonly Pick<RouteMessage, "type" | "flags">[],
): RouteReadScope {
  if (messages.length === 0) return "full";
  const kinds = messages.map(classifyRouteMessage);
  if (kinds.some((k) => k === "link" || k === "unknown")) return "full";
  return kinds.some((k) => k === "address" || k === "route") ? "tables" : "none";
}

/**
 * The interfaces the relevant messages of a batch are about: a name when
 * the message has one (IFP link sockaddr), otherwise an index (`if#`,
 * `index: N`, `ifscope`), to be mapped to names by the caller. A LOCAL
 * route to an address that an address message of the batch adds or
 * removes takes that message's interface. A relevant message that names no
 * interface (a default route added without IFP) makes the answer
 * undefined: read every interface.
 *
 * @example An address, its LOCAL route and a deleted scoped default
 * ```ts
 * import { parseRouteMonitor } from "./parse_route_monitor.ts";
 * import { touchedInterfaces } from "./route_change.ts";
 * import assert from "node:assert/strict";
 * const messages = parseRouteMonitor(`RTM_NEWADDR: address being added to iface: len 96, metric 0, flags:<CLONING>
 * sockaddrs: <NETMASK,IFP,IFA,BRD>
 *  ffff:ffff:ffff:ffff:: ipsec0 2001:db8:b10c::1a00 default
 *
 * got message of size 140 on Fri Apr  5 19:12:30 2024
 * RTM_ADD: Add Route: len 140, pid: 0, seq 0, errno 0, flags:<UP,HOST,LLINFO,LOCAL>
 * locks:  inits:
 * sockaddrs: <DST,GATEWAY>
 *  2001:db8:b10c::1a00
 *
 * got message of size 224 on Fri Apr  5 19:21:22 2024
 * RTM_DELETE: Delete Route: len 224, pid: 4334, seq 1, errno 0, ifscope 13, flags:<GATEWAY,DONE,PRCLONING,IFSCOPE,CONDEMNED,GLOBAL>
 * locks:  inits:
 * sockaddrs: <DST,GATEWAY>
 *  :: fe80::%utun0
 * `);
 * assert.deepEqual(touchedInterfaces(messages), new Set(["ipsec0", 13]));
 * assert.equal(touchedInterfaces([{ type: "RTM_ADD", flags: ["UP", "GATEWAY"], addresses: {} }]), undefined);
 * ```
 * @param messages The batch.
 * @returns Names and indexes, or undefined when some relevant message names no interface.
 */
export function touchedInterfaces(
  messages: readonly RouteMessage[],
): Set<string | number> | undefined {
  const byAddress = new Map<string, string | number>();
  for (const m of messages) {
    const id = m.ifName ?? m.ifIndex;
    if (classifyRouteMessage(m) === "address" && m.addresses.ifa && id !== undefined) {
      byAddress.set(m.addresses.ifa, id);
    }
  }
  const touched = new Set<string | number>();
  for (const m of messages) {
    if (!isRelevant(m)) continue;
    let id = m.ifName ?? m.ifIndex;
    if (id === undefined && m.flags.includes("LOCAL")) {
      id = byAddress.get(m.addresses.destination ?? "");
    }
    if (id === undefined) return undefined;
    touched.add(id);
  }
  return touched;
}
