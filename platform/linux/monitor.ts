/**
 * What Linux follows with a Monitor (../monitor.ts): kernel changes through
 * a long-running `ip -o monitor link address route label` (iproute2 6.1
 * ignores -j on monitor, so a line only says what kind of object changed,
 * by its label; the platform re-reads that part of the state after it, see
 * kernel_change.ts), and routers through `ip -6 -o monitor neigh`.
 *
 * @module
 */

/** The monitor command. */
export const MONITOR_COMMAND: readonly string[] = [
  "ip",
  "-o",
  "monitor",
  "link",
  "address",
  "route",
  // Each line starts with [LINK], [ADDR] or [ROUTE]. Last, so the command
  // still reads `ip -o monitor link ...` to whoever looks for it.
  "label",
];

/**
 * Follows the IPv6 neighbour table for routers: a Router Advertisement
 * marks its sender's entry as a router, so a stub router (router lifetime
 * 0, no route of its own) shows here first. Only a change of the router
 * flag is a trigger (see {@linkcode routerFlagChanges}): every host's ND
 * and every state change of a router's entry are not.
 */
export const NEIGHBOUR_COMMAND: readonly string[] = ["ip", "-6", "-o", "monitor", "neigh"];

/**
 * A filter for lines of `ip -6 -o monitor neigh` that passes the ones where
 * an entry's router flag changes: a router appears, stops being flagged
 * (its Neighbor Advertisement cleared the flag), or its entry is deleted.
 *
 * @example A stub router appears once; its state changes pass nothing
 * ```ts
 * import { routerFlagChanges } from "./monitor.ts";
 * import assert from "node:assert/strict";
 * const changed = routerFlagChanges();
 * assert(changed("fe80::d2 dev stub0 lladdr 02:00:00:00:00:d2 router STALE"));
 * assert(!changed("fe80::d2 dev stub0 lladdr 02:00:00:00:00:d2 router REACHABLE"));
 * assert(!changed("2001:db8:d1::9 dev stub0 lladdr 02:00:00:00:00:09 REACHABLE"));
 * assert(changed("fe80::d2 dev stub0 lladdr 02:00:00:00:00:d2 REACHABLE"));
 * ```
 * @returns A stateful filter: true for a line that changes what is a router.
 */
export function routerFlagChanges(): (line: string) => boolean {
  const routers = new Map<string, boolean>();
  return (line) => {
    const m = /^(Deleted )?(\S+) dev (\S+)/.exec(line);
    if (!m) return false;
    const key = `${m[3]} ${m[2]}`;
    const before = routers.get(key);
    if (m[1]) {
      routers.delete(key);
      return before === true;
    }
    const router = / router\b/.test(line);
    routers.set(key, router);
    return before === undefined ? router : before !== router;
  };
}
