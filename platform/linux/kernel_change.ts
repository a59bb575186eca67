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

/**
 * The links a batch of address and route lines is about, so that only
 * their tables need reading again: an address line names its link after
 * its index, a route line after its one `dev`. A line that names no single
 * link (a multipath route, a nexthop object, a link line, anything else)
 * makes the answer undefined: read every table.
 *
 * @example An address and its route name d0; a multipath route names no single link
 * ```ts
 * import { touchedLinks } from "./kernel_change.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(touchedLinks([
 *   "[ADDR]Deleted 3: d0    inet 198.18.0.5/30 scope global d0\\       valid_lft forever preferred_lft forever",
 *   "[ROUTE]Deleted 198.18.0.4/30 dev d0 proto kernel scope link src 198.18.0.5 ",
 * ]), new Set(["d0"]));
 * assert.equal(touchedLinks([
 *   "[ROUTE]default proto static metric 1024 \\ nexthop via 198.18.0.2 dev d0 weight 1 \\ nexthop via 198.18.0.6 dev d1 weight 1",
 * ]), undefined);
 * ```
 * @param lines Monitor lines; empty lines are ignored.
 * @returns The link names, or undefined when some line names no single link.
 */
export function touchedLinks(lines: readonly string[]): Set<string> | undefined {
  const names = new Set<string>();
  for (const line of lines) {
    if (line.trim() === "") continue;
    const kind = classifyMonitorLine(line);
    let name: string | undefined;
    if (kind === "address") {
      name = /^\[ADDR\](?:Deleted )?\d+: (\S+)\s+inet6? /.exec(line)?.[1];
    } else if (kind === "route" && !/\b(?:nexthop|nhid)\b/.test(line)) {
      const devices = [...line.matchAll(/ dev (\S+)/g)];
      if (devices.length === 1) name = devices[0][1];
    }
    if (name === undefined) return undefined;
    names.add(name);
  }
  return names;
}
