/**
 * What a line of `ip -o monitor link address route label` says changed, and
 * so how much of the host the Linux platform reads again: an address or a
 * route changes only the kernel's address, route and neighbour tables; a
 * link, or anything it cannot tell, can change every part (the set of
 * interfaces, their types, the sources that name leases by interface).
 *
 * @module
 */

/** The kind of object a monitor line is about. */
export type KernelChange = "address" | "route" | "link" | "unknown";

/** How much to read again: the kernel's tables only, or everything. */
export type ReadScope = "tables" | "full";

const LABELS: Record<string, KernelChange> = {
  "[ADDR]": "address",
  "[ROUTE]": "route",
  "[LINK]": "link",
};

/**
 * Classifies one monitor line by the label `ip monitor label` puts first.
 *
 * @example A labelled address line, and a line without a label
 * ```ts
 * import { classifyMonitorLine } from "./kernel_change.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   classifyMonitorLine("[ADDR]3: d0    inet 198.51.100.7/24 scope global d0\\       valid_lft forever preferred_lft forever"),
 *   "address",
 * );
 * assert.equal(classifyMonitorLine("3: d0    inet 198.51.100.7/24 scope global d0"), "unknown");
 * ```
 * @param line One line, without its newline.
 * @returns The kind; "unknown" for anything without a known label.
 */
export function classifyMonitorLine(line: string): KernelChange {
  const label = /^\[[A-Z]+\]/.exec(line)?.[0];
  return (label && LABELS[label]) || "unknown";
}

/**
 * How much a batch of monitor lines asks to read again. No lines at all (a
 * monitor that restarted and may have missed anything) is a full read.
 *
 * @example Addresses and routes read the tables; a link reads everything
 * ```ts
 * import { readScope } from "./kernel_change.ts";
 * import assert from "node:assert/strict";
 * assert.equal(readScope(["[ADDR]3: d0    inet6 2001:db8:5::100/64 scope global", "[ROUTE]2001:db8:5::/64 dev d0"]), "tables");
 * assert.equal(readScope(["[ROUTE]2001:db8:5::/64 dev d0", "[LINK]3: d0@d0p: <BROADCAST,MULTICAST> mtu 1400"]), "full");
 * assert.equal(readScope([]), "full");
 * ```
 * @param lines The lines; empty lines are ignored.
 * @returns "tables" when every line is an address or a route, otherwise "full".
 */
export function readScope(lines: readonly string[]): ReadScope {
  const kinds = lines.filter((l) => l.trim() !== "").map(classifyMonitorLine);
  if (kinds.length === 0) return "full";
  return kinds.every((k) => k === "address" || k === "route") ? "tables" : "full";
}
