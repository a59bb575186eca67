/**
 * What a batch of `route -n monitor` messages asks the platform to read
 * again: the macOS counterpart of platform/linux/kernel_change.ts.
 *
 * @module
 */

import type { RouteMessage } from "./parse_route_monitor.ts";
import { classifyRouteMessage } from "./route_message_kind.ts";

/** How much to read again: nothing, all but networksetup (readMacTables), or everything. */
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
