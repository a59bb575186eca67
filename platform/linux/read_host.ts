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
import { runTool } from "../run_tool.ts";

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
 * The address, route and neighbour tables: what a {@linkcode KernelState} has besides links.
 *
 * @example Empty tables
 * ```ts
 * import type { KernelTables } from "./read_host.ts";
 * import assert from "node:assert/strict";
 * const tables: KernelTables = { addresses: [], routes: [], neighbours: [] };
 * assert.equal(Object.keys(tables).length, 3);
 * ```
 */
export type KernelTables = Omit<KernelState, "links" | "types">;

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
 * @param facts Sysfs facts kept from an earlier read, by "index name" (updated).
 * @param onTables Called with the tables as soon as they are read, before
 *   the links and their types may be (the same arrays the state returned holds).
 * @returns The kernel's state.
 * @throws {Deno.errors.NotFound} When iproute2 is not installed.
 * @throws {SyntaxError} When its output cannot be parsed.
 */
export async function readKernel(
  signal?: AbortSignal,
  program = "ip",
  facts?: Map<string, SysfsFacts>,
  onTables?: (tables: KernelTables) => void,
): Promise<KernelState> {
  const ip = (...args: string[]) => runTool([program, "-j", ...args], { signal });
  const [links, tables] = await Promise.all([
    ip("-d", "link", "show").then(parseLinks),
    readTables((globals, command) => ip(...globals, ...command.split(" "))).then((tables) => {
      onTables?.(tables);
      return tables;
    }),
  ]);
  return { links, ...tables, types: await linkTypes(links, facts) };
}

type Ip = (globals: readonly string[], command: string) => Promise<string>;

/** The global options readTables uses, one batch process each. */
const TABLE_GLOBALS: readonly (readonly string[])[] = [[], ["-4"], ["-6"]];

/** The address, route and neighbour tables. */
async function readTables(ip: Ip): Promise<KernelTables> {
  const [addresses, routes4, routes6, neighbours] = await Promise.all([
    ip([], "addr show").then(parseAddresses),
    ip(["-4"], "route show table all").then((t) => parseRoutes(t, "ipv4")),
    ip(["-6"], "route show table all").then((t) => parseRoutes(t, "ipv6")),
    ip(["-6"], "neigh show").then(parseNeighbours),
  ]);
  return { addresses, routes: [...routes4, ...routes6], neighbours };
}

/**
 * Each link's type. `known` keeps the sysfs facts of each link (by index and
 * name: a link keeps both for as long as it exists, and whether it is
 * wireless or its DEVTYPE never change), so that a full read after a link
 * change does not ask sysfs again for every other link.
 */
async function linkTypes(
  links: readonly LinkRecord[],
  known = new Map<string, SysfsFacts>(),
): Promise<Map<string, InterfaceType>> {
  const key = (l: LinkRecord) => `${l.index} ${l.name}`;
  const facts = await Promise.all(links.map((l) => known.get(key(l)) ?? sysfs(l.name)));
  const current = new Set(links.map(key));
  for (const k of known.keys()) if (!current.has(k)) known.delete(k);
  links.forEach((l, i) => known.set(key(l), facts[i]));
  return new Map(links.map((l, i) => [l.name, interfaceTypeOf(l, facts[i])]));
}

/**
 * Options of {@linkcode KernelReader.read}.
 *
 * @example Learn the tables first, start no batch process
 * ```ts
 * import type { KernelReadOptions, KernelTables } from "./read_host.ts";
 * import assert from "node:assert/strict";
 * const seen: KernelTables[] = [];
 * const options: KernelReadOptions = { onTables: (t) => seen.push(t), warm: false };
 * options.onTables?.({ addresses: [], routes: [], neighbours: [] });
 * assert.equal(seen.length, 1);
 * ```
 */
export interface KernelReadOptions {
  /**
   * Called with the tables as soon as they are read: with a full read,
   * before the links' types are (and maybe the links); otherwise just
   * before the read resolves.
   */
  readonly onTables?: (tables: KernelTables) => void;
  /**
   * Whether a full read starts the batch processes at once, so that the
   * next change's read finds them running (default true). With false they
   * start at {@linkcode KernelReader.warm} or at the first tables read: a
   * caller that may close right after the read spawns nothing it does not use.
   */
  readonly warm?: boolean;
}

/** The most links a change re-reads one by one; more read every table. */
const MAX_LINKS = 16;

/** One link's addresses and routes; undefined when an answer is not about it. */
async function readLink(
  ask: (globals: readonly string[], command: string) => Promise<string>,
  link: LinkRecord,
): Promise<Pick<KernelState, "addresses" | "routes"> | undefined> {
  const [addresses, routes4, routes6] = await Promise.all([
    ask([], `addr show dev ${link.name}`).then(parseAddresses),
    ask(["-4"], `route show table all dev ${link.name}`).then((t) => parseRoutes(t, "ipv4")),
    ask(["-6"], `route show table all dev ${link.name}`).then((t) => parseRoutes(t, "ipv6")),
  ]);
  if (addresses.some((a) => a.index !== link.index || a.interfaceName !== link.name)) {
    return undefined;
  }
  const routes = [...routes4, ...routes6];
  // A route shown for one device leaves "dev" out.
  if (routes.some((r) => r.device !== undefined && r.device !== link.name)) return undefined;
  return {
    addresses,
    // In parseRoutes's key order, as a whole-table read gives them.
    routes: routes.map(({ family, destination, gateway, device: _, ...rest }) => ({
      family,
      destination,
      ...(gateway !== undefined ? { gateway } : {}),
      device: link.name,
      ...rest,
    })),
  };
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
  /** Sysfs facts of the links, kept across full reads. */
  readonly #sysfs = new Map<string, SysfsFacts>();
  #closed = false;
  /** How many commands had to be spawned because a batch process failed. */
  fallbacks = 0;
  /** The links the last read read one by one; undefined when it read whole tables. */
  lastLinks: ReadonlySet<string> | undefined;

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
   * @param links With "tables": only these links' addresses and routes changed
   *   (see {@linkcode KernelReader.readLinks}); unset, every table is read.
   * @param options What to call once the tables are read; whether a full
   *   read starts the batch processes.
   * @returns The kernel's state.
   * @throws {Deno.errors.NotFound} When iproute2 is not installed.
   * @throws {SyntaxError} When its output cannot be parsed.
   */
  async read(
    scope: ReadScope,
    signal?: AbortSignal,
    links?: ReadonlySet<string>,
    options: KernelReadOptions = {},
  ): Promise<KernelState> {
    const last = this.#last;
    if (scope === "tables" && last && links && links.size <= MAX_LINKS && !this.#closed) {
      const state = await this.#readLinks(last, links).catch(() => undefined);
      if (state) {
        this.lastLinks = links;
        options.onTables?.(state);
        return this.#last = state;
      }
      if (signal?.aborted) throw signal.reason;
    }
    this.lastLinks = undefined;
    if (scope === "full" || !last) {
      // Without batch processes (the first read) the commands start at once, before anything else.
      if (this.#batches.size > 0) await this.#closeBatches();
      const state = await readKernel(signal, this.#program, this.#sysfs, options.onTables);
      this.#last = state;
      // Started now, so that the next change's read finds them running.
      if (options.warm ?? true) this.warm();
      return state;
    }
    if (this.#closed) {
      throw new Deno.errors.BadResource("Cannot read the kernel: the reader is closed");
    }
    const tables = await readTables((globals, command) => this.#ask(globals, command, signal));
    const state = { ...tables, links: last.links, types: last.types };
    options.onTables?.(state);
    this.#last = state;
    return state;
  }

  /**
   * Starts the batch processes that tables reads ask, unless they run or
   * the reader is closed: a full read given `warm: false` leaves them off.
   */
  warm(): void {
    if (this.#closed) return;
    for (const globals of TABLE_GLOBALS) this.#batch(globals).start();
    this.#batch(["-6"], "neighbours").start();
  }

  /**
   * Reads the addresses and routes of a few links (`addr show dev X`,
   * `-4/-6 route show table all dev X` through the batch processes) and puts
   * them in place of those links' records in the last tables, and reads the
   * neighbour table (routers, where to solicit) on a batch process of its own. Undefined, so that every table is read, when a link is not
   * among the last links, when a route of the last tables has no single
   * device (a multipath route: its nexthops cannot be filtered by device),
   * when an answer names another link, and when a command fails (`ip -batch` exits on a device it cannot
   * find: no answer is awaited in vain; one whose index it still knows from
   * before the link was deleted answers with nothing, which is what the link has).
   */
  async #readLinks(
    last: KernelState,
    names: ReadonlySet<string>,
  ): Promise<KernelState | undefined> {
    const byName = new Map(last.links.map((l) => [l.name, l]));
    const links = [...names].map((n) => byName.get(n));
    if (links.some((l) => l === undefined)) return undefined;
    if (last.routes.some((r) => r.device === undefined)) return undefined;
    const ask = (globals: readonly string[], command: string) => this.#batch(globals).run(command);
    const [neighbours, ...parts] = await Promise.all([
      // On a process of its own: the -6 one has the routes to answer.
      this.#batch(["-6"], "neighbours").run("neigh show").then(parseNeighbours),
      ...links.map((l) => readLink(ask, l!)),
    ]);
    if (parts.some((p) => p === undefined)) return undefined;
    const indexes = new Set(links.map((l) => l!.index));
    return {
      links: last.links,
      types: last.types,
      addresses: [
        ...last.addresses.filter((a) => !indexes.has(a.index)),
        ...parts.flatMap((p) => p!.addresses),
      ],
      routes: [
        ...last.routes.filter((r) => !names.has(r.device!)),
        ...parts.flatMap((p) => p!.routes),
      ],
      neighbours,
    };
  }

  #batch(globals: readonly string[], key = globals.join(" ")): IpBatch {
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
