/**
 * Reads the kernel's view of the host through iproute2 and /sys/class/net.
 *
 * @module
 */

import type { InterfaceType } from "../../protocol/types.ts";
import { interfaceTypeOf, type SysfsFacts } from "./interface_type.ts";
import { IpBatch } from "./ip_batch.ts";
import type { ReadScope } from "./kernel_change.ts";
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
 * @param program The ip program (tests replace it).
 * @returns The kernel's state.
 * @throws {Deno.errors.NotFound} When iproute2 is not installed.
 * @throws {SyntaxError} When its output cannot be parsed.
 */
export async function readKernel(signal?: AbortSignal, program = "ip"): Promise<KernelState> {
  const ip = (...args: string[]) => runTool([program, "-j", ...args], { signal });
  const [links, tables] = await Promise.all([
    ip("-d", "link", "show").then(parseLinks),
    readTables((globals, command) => ip(...globals, ...command.split(" "))),
  ]);
  return { links, ...tables, types: await linkTypes(links) };
}

type Ip = (globals: readonly string[], command: string) => Promise<string>;

/** The global options readTables uses, one batch process each. */
const TABLE_GLOBALS: readonly (readonly string[])[] = [[], ["-4"], ["-6"]];

/** The address, route and neighbour tables. */
async function readTables(ip: Ip): Promise<Omit<KernelState, "links" | "types">> {
  const [addresses, routes4, routes6, neighbours] = await Promise.all([
    ip([], "addr show").then(parseAddresses),
    ip(["-4"], "route show table all").then((t) => parseRoutes(t, "ipv4")),
    ip(["-6"], "route show table all").then((t) => parseRoutes(t, "ipv6")),
    ip(["-6"], "neigh show").then(parseNeighbours),
  ]);
  return { addresses, routes: [...routes4, ...routes6], neighbours };
}

async function linkTypes(links: readonly LinkRecord[]): Promise<Map<string, InterfaceType>> {
  const facts = await Promise.all(links.map((l) => sysfs(l.name)));
  return new Map(links.map((l, i) => [l.name, interfaceTypeOf(l, facts[i])]));
}

/**
 * Reads the kernel again after a change, only as much as the change can
 * have touched: a "tables" read asks long-running `ip -batch` processes
 * (one per family option, see {@linkcode IpBatch}) for the address, route
 * and neighbour tables and keeps the last links and link types; a "full"
 * read (and the first) spawns the five commands of {@linkcode readKernel}.
 * A full read also restarts the batch processes: iproute2 caches interface
 * names by index for as long as it runs, and only a link change can make
 * that cache stale. When a batch process fails, the command is spawned.
 *
 * @example Read fully, then only the tables (needs iproute2)
 * ```ts ignore
 * import { KernelReader } from "./read_host.ts";
 * await using reader = new KernelReader();
 * const full = await reader.read("full");
 * const tables = await reader.read("tables");
 * console.log(tables.links === full.links); // true: links are kept
 * ```
 */
export class KernelReader implements AsyncDisposable {
  readonly #program: string;
  #batches = new Map<string, IpBatch>();
  #last: KernelState | undefined;
  #closed = false;
  /** How many commands had to be spawned because a batch process failed. */
  fallbacks = 0;

  /**
   * Creates the reader; nothing runs until the first read.
   *
   * @param program The ip program (tests replace it).
   */
  constructor(program = "ip") {
    this.#program = program;
  }

  /**
   * Reads the kernel.
   *
   * @param scope "tables" to keep the last links and types, "full" for everything.
   * @param signal Stops spawned commands.
   * @returns The kernel's state.
   * @throws {Deno.errors.NotFound} When iproute2 is not installed.
   * @throws {SyntaxError} When its output cannot be parsed.
   */
  async read(scope: ReadScope, signal?: AbortSignal): Promise<KernelState> {
    const last = this.#last;
    if (scope === "full" || !last) {
      await this.#closeBatches();
      const state = await readKernel(signal, this.#program);
      this.#last = state;
      // Started now, so that the next change's read finds them running.
      if (!this.#closed) { for (const globals of TABLE_GLOBALS) this.#batch(globals).start(); }
      return state;
    }
    if (this.#closed) {
      throw new Deno.errors.BadResource("Cannot read the kernel: the reader is closed");
    }
    const tables = await readTables((globals, command) => this.#ask(globals, command, signal));
    const state = { ...tables, links: last.links, types: last.types };
    this.#last = state;
    return state;
  }

  #batch(globals: readonly string[]): IpBatch {
    const key = globals.join(" ");
    let batch = this.#batches.get(key);
    if (!batch) {
      batch = new IpBatch([...globals, "-j"], { program: this.#program });
      this.#batches.set(key, batch);
    }
    return batch;
  }

  async #ask(globals: readonly string[], command: string, signal?: AbortSignal): Promise<string> {
    try {
      return await this.#batch(globals).run(command);
    } catch {
      if (signal?.aborted) throw signal.reason;
      this.fallbacks++;
      const argv = [this.#program, ...globals, "-j", ...command.split(" ")];
      return await runTool(argv, { signal });
    }
  }

  async #closeBatches(): Promise<void> {
    const batches = [...this.#batches.values()];
    this.#batches = new Map();
    await Promise.all(batches.map((b) => b.close()));
  }

  /** Stops the batch processes; a tables read after this throws. */
  close(): Promise<void> {
    this.#closed = true;
    return this.#closeBatches();
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
