/**
 * Reads the kernel's view of the host through iproute2 and /sys/class/net.
 *
 * @module
 */

import type { InterfaceType } from "../../protocol/types.ts";
import { interfaceTypeOf, type SysfsFacts } from "./interface_type.ts";
import { type AddressRecord, parseAddresses } from "./parse_addresses.ts";
import { type LinkRecord, parseLinks } from "./parse_links.ts";
import { type NeighbourRecord, parseNeighbours } from "./parse_neighbours.ts";
import { parseRoutes, type RouteRecord } from "./parse_routes.ts";
import { runTool } from "./run_tool.ts";

/** The kernel's links, addresses and routes, and each link's type. */
export interface KernelState {
  /** Links. */
  readonly links: LinkRecord[];
  /** Addresses. */
  readonly addresses: AddressRecord[];
  /** IPv4 and IPv6 routes of every table. */
  readonly routes: RouteRecord[];
  /** IPv6 neighbours (routers among them). */
  readonly neighbours: NeighbourRecord[];
  /** Interface types by name. */
  readonly types: Map<string, InterfaceType>;
}

async function sysfs(name: string): Promise<SysfsFacts> {
  const dir = `/sys/class/net/${name}`;
  const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
  const [wireless, phy, uevent] = await Promise.all([
    exists(`${dir}/wireless`),
    exists(`${dir}/phy80211`),
    Deno.readTextFile(`${dir}/uevent`).catch(() => ""),
  ]);
  const devType = /^DEVTYPE=(.*)$/m.exec(uevent)?.[1];
  return { wireless: wireless || phy, ...(devType ? { devType } : {}) };
}

/**
 * Reads links, addresses, routes and IPv6 neighbours (five `ip -j` commands, in parallel).
 *
 * @example Read this host
 * ```ts ignore
 * import { readKernel } from "./read_host.ts";
 * const kernel = await readKernel();
 * console.log(kernel.links.map((l) => l.name));
 * ```
 * @param signal Stops the commands.
 * @returns The kernel's state.
 * @throws {Deno.errors.NotFound} When iproute2 is not installed.
 * @throws {SyntaxError} When its output cannot be parsed.
 */
export async function readKernel(signal?: AbortSignal): Promise<KernelState> {
  const ip = (...args: string[]) => runTool(["ip", "-j", ...args], { signal });
  const [links, addresses, routes4, routes6, neighbours] = await Promise.all([
    ip("-d", "link", "show").then(parseLinks),
    ip("addr", "show").then(parseAddresses),
    ip("-4", "route", "show", "table", "all").then((t) => parseRoutes(t, "ipv4")),
    ip("-6", "route", "show", "table", "all").then((t) => parseRoutes(t, "ipv6")),
    ip("-6", "neigh", "show").then(parseNeighbours),
  ]);
  const facts = await Promise.all(links.map((l) => sysfs(l.name)));
  const types = new Map(links.map((l, i) => [l.name, interfaceTypeOf(l, facts[i])]));
  return { links, addresses, routes: [...routes4, ...routes6], neighbours, types };
}
