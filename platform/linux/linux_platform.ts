/**
 * The Linux platform: the host as iproute2, sysfs, rdisc6 and the DHCP
 * clients' files describe it, followed live through `ip monitor`, file
 * watches on lease directories, and Router Solicitations when what Router
 * Advertisements set up on a link changes. After an address or route change
 * only the kernel's tables are read again, through running `ip -batch`
 * processes (read_host.ts, kernel_change.ts): only the named links' addresses
 * and routes (and those of links whose data has lifetimes, leases or RAs)
 * when the monitor lines name them, and only those links' interfaces are
 * built again when that is provably what a full build gives
 * (rebuild_snapshot.ts); a link change, a lease file, a restarted monitor or
 * anything unclassified reads everything.
 *
 * @module
 */

import type { Platform, PlatformEvent } from "../types.ts";
import type { Snapshot, SourceNote } from "../../protocol/model.ts";
import { AdvertCache } from "./advert_cache.ts";
import { buildSnapshot } from "./build_snapshot.ts";
import type { HostState } from "./host_state.ts";
import { type BuiltSnapshot, rebuildSnapshot, volatileLinks } from "./rebuild_snapshot.ts";
import { Advisor } from "../advisor.ts";
import { RereadScheduler } from "../reread.ts";
import { ConfigSources, DEFAULT_SOURCE_PATHS, type SourcePaths } from "./config_sources.ts";
import { MONITOR_COMMAND, NEIGHBOUR_COMMAND, routerFlagChanges } from "./monitor.ts";
import { Monitor, type MonitorOptions } from "../monitor.ts";
import { raLinkKeys } from "./ipv6_pds.ts";
import { KernelReader, type KernelTables } from "./read_host.ts";
import { type ReadScope, readScope, touchedLinks } from "./kernel_change.ts";
import type { SourceData } from "./source_types.ts";

/** How long a kernel change outside a burst waits for the rest of its lines, ms. */
const GATHER = 1;
/**
 * How long after start() the `ip -batch` processes that re-reads ask are
 * started, ms: a caller that closes at once (mif status) never spawns them,
 * and a change that comes sooner starts the ones its read needs.
 */
const WARM_AFTER = 250;

/** Options for {@linkcode LinuxPlatform}. */
export interface LinuxPlatformOptions {
  /** Where to look for configuration; unset fields keep their defaults. */
  readonly paths?: Partial<SourcePaths>;
  /**
   * How long to gather a burst of events before re-reading, ms (default 5).
   * A kernel change that comes while nothing is read, and after a read that
   * saw no other change, is read after 1 ms (the rest of its own lines);
   * what comes during a read is a burst, gathered this long for the next.
   */
  readonly debounce?: number;
  /** The monitor command (tests replace it). */
  readonly monitorCommand?: readonly string[];
  /** The neighbour monitor command, for routers (tests replace it). */
  readonly neighbourCommand?: readonly string[];
  /**
   * Called with each step of a re-read as it happens (for profiles):
   * "event" (a monitor line), "read" (re-read starts, with its scope),
   * "kernel", "sources", "snapshot" (built), "listener" (snapshot handed over).
   */
  readonly onStep?: (step: string, scope?: "tables" | "full") => void;
}

/**
 * The Linux platform.
 *
 * @example Show this host's interfaces
 * ```ts ignore
 * import { LinuxPlatform, openMif } from "@mif/mif";
 * await using mif = await openMif({ platform: new LinuxPlatform() });
 * console.log(mif.status().interfaces.map((i) => i.interfaceId));
 * ```
 */
export class LinuxPlatform implements Platform {
  readonly name = "linux" as const;
  readonly description = "this Linux host (iproute2, rdisc6, DHCP client leases)";
  readonly #sources: ConfigSources;
  readonly #kernel = new KernelReader();
  readonly #onStep: (step: string, scope?: ReadScope) => void;
  /** The last sources read, kept while only the kernel's tables changed. */
  #lastSources: { data: SourceData; notes: SourceNote[] } | undefined;
  /** What the next re-read covers. */
  #scope: ReadScope = "full";
  /** The links the lines since the last re-read began name; undefined: unknown. */
  #touched: Set<string> | undefined = new Set();
  /** The last snapshot built and what it was built from. */
  #built: BuiltSnapshot | undefined;
  readonly #adverts = new AdvertCache();
  readonly #rereads: RereadScheduler;
  readonly #advisor = new Advisor((event) => this.#listener(event));
  readonly #monitorCommand?: readonly string[];
  readonly #neighbourCommand: readonly string[];
  readonly #abort = new AbortController();
  readonly #pending = new Set<Promise<unknown>>();
  #listener: (event: PlatformEvent) => void = () => {};
  #monitor: Monitor | undefined;
  #routerMonitor: Monitor | undefined;
  /** Why a monitor is not running, by its command, until it runs again. */
  readonly #monitorNotes = new Map<string, SourceNote>();
  #watcher: Deno.FsWatcher | undefined;
  #watched = "";
  #started = false;
  #closed = false;
  #last: Snapshot | undefined;
  #warmTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Creates the platform; start() reads the host.
   *
   * @param options Source paths, debounce, monitor command.
   * @throws {RangeError} When the debounce is not a number of ms >= 0.
   */
  constructor(options: LinuxPlatformOptions = {}) {
    this.#sources = new ConfigSources({ ...DEFAULT_SOURCE_PATHS, ...options.paths });
    this.#rereads = new RereadScheduler(() => this.#refresh(), {
      debounce: options.debounce ?? 5,
      gather: GATHER,
    });
    if (options.monitorCommand) this.#monitorCommand = options.monitorCommand;
    this.#neighbourCommand = options.neighbourCommand ?? NEIGHBOUR_COMMAND;
    this.#onStep = options.onStep ?? (() => {});
  }

  async start(listener: (event: PlatformEvent) => void): Promise<Snapshot> {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot start platform: it is closed");
    if (this.#started) {
      throw new DOMException("Cannot start platform: it is already started", "InvalidStateError");
    }
    this.#started = true;
    const snapshot = await this.#read(true, "full");
    this.#scope = "tables";
    this.#advisor.advise(snapshot);
    this.#listener = listener;
    // After the read: the routers' answers to its solicitation change
    // address lifetimes and routes, which would only read it all again.
    this.#follow();
    this.#watch();
    this.#warmTimer = setTimeout(() => this.#kernel.warm(), WARM_AFTER);
    return snapshot;
  }

  /** Starts following the kernel's changes and the routers' flags. */
  #follow(): void {
    const follow = (source: string, options: MonitorOptions, kernel: boolean) =>
      new Monitor((lines) => {
        if (lines && kernel) this.#onStep("event");
        // Restarts (no lines) and router flags read everything after the debounce.
        if (lines && kernel) {
          this.#touch(touchedLinks(lines));
          this.#trigger(readScope(lines), true);
        } else this.#trigger();
      }, {
        ...options,
        onError: (error) => {
          this.#monitorNotes.set(source, { source, reason: `${error.message}; restarting` });
        },
        onStart: () => this.#monitorNotes.delete(source),
      });
    this.#monitor = follow(
      "ip monitor",
      { command: this.#monitorCommand ?? MONITOR_COMMAND },
      true,
    );
    this.#routerMonitor = follow("ip monitor neigh", {
      command: this.#neighbourCommand,
      filter: routerFlagChanges(),
    }, false);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new Deno.errors.Interrupted("Cannot read the host: the platform is closed"));
    const rereads = this.#rereads.close();
    this.#advisor.close();
    clearTimeout(this.#warmTimer);
    this.#watcher?.close();
    await Promise.all([this.#monitor?.close(), this.#routerMonitor?.close()]);
    await Promise.allSettled([...this.#pending, rereads]);
    await this.#kernel.close();
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    promise.finally(() => this.#pending.delete(promise)).catch(() => {});
    return promise;
  }

  /** Adds links the monitor named (undefined: it named something else). */
  #touch(names: Set<string> | undefined): void {
    if (!names) this.#touched = undefined;
    else if (this.#touched) { for (const name of names) this.#touched.add(name); }
  }

  /**
   * Asks for a re-read of at least `scope`. A kernel change (`leading`) is
   * read almost at once, unless it is part of a burst (changes came while
   * the last read ran); anything else, and whatever comes while a read
   * runs, waits for the debounce and is read together (RereadScheduler).
   */
  #trigger(scope: ReadScope = "full", leading = false): void {
    if (this.#closed) return;
    if (scope === "full") this.#scope = "full";
    // The kernel reports one change as a few lines at once (an address and
    // its routes): 1 ms gathers them, where the debounce waits 5 for a burst.
    this.#rereads.request(leading);
  }

  /**
   * One re-read: reads what the changes since the last one call for and
   * hands the snapshot over.
   *
   * @returns Whether to read again soon (sources no watch follows).
   */
  async #refresh(): Promise<boolean> {
    const scope = this.#scope;
    const touched = this.#touched;
    this.#scope = "tables";
    this.#touched = new Set();
    try {
      this.#onStep("read", scope);
      const snapshot = await this.#read(false, scope, touched);
      if (!this.#closed) {
        this.#listener({ type: "snapshot", snapshot });
        this.#onStep("listener");
        this.#advisor.advise(snapshot);
      }
      this.#watch();
      // Sources no file watch follows may have changed with the kernel: read them soon.
      if (scope === "tables" && this.#sources.unwatched) {
        this.#scope = "full";
        return true;
      }
    } catch (error) {
      if (this.#closed) return false;
      // Keep what was known, and say why it may be stale.
      const note = { source: "ip", reason: `Cannot read the host: ${(error as Error).message}` };
      const last = this.#last ?? { interfaces: [] };
      this.#listener({
        type: "snapshot",
        snapshot: { ...last, notes: [...(last.notes ?? []), note] },
      });
    }
    return false;
  }

  /** Reads the configuration sources, or keeps the last when only the kernel's tables changed. */
  async #readSources(
    scope: ReadScope,
    kernel: ReturnType<KernelReader["read"]>,
    waitForAdverts: boolean,
  ): Promise<{ data: SourceData; notes: SourceNote[] }> {
    // Lease files have their own watch; an address or a route changes no source.
    if (scope === "tables" && this.#lastSources) return this.#lastSources;
    const sources = await this.#sources.read(
      kernel.then((k) => new Map(k.links.map((l) => [l.index, l.name])), () => new Map()),
      this.#abort.signal,
      waitForAdverts,
    );
    // Listing the running dhclients is off the latency path after the first
    // read: when the list changed, read again.
    this.#track(sources.discovery.then((changed) => changed && this.#trigger()));
    return this.#lastSources = { data: sources.data, notes: sources.notes };
  }

  async #read(
    waitForAdverts: boolean,
    scope: ReadScope,
    touched?: ReadonlySet<string>,
  ): Promise<Snapshot> {
    const signal = this.#abort.signal;
    const previous = this.#built;
    // After an address or route change on a few links, only they (and the
    // links whose interfaces depend on the time) are read again.
    const links = scope === "tables" && touched && previous
      ? new Set([...touched, ...volatileLinks(previous.state)])
      : undefined;
    // The kernel and the configuration sources are read at the same time,
    // and routers are solicited as soon as the tables are known: rdisc6
    // waits for answers while the links' types and the sources are read.
    let solicit: Promise<void> | undefined;
    const reading = this.#kernel.read(scope, signal, links, {
      onTables: (tables) => solicit = this.#solicit(tables, signal, waitForAdverts),
      // A first read may be all there is (mif status): the batch processes start after it.
      warm: previous !== undefined,
    });
    reading.then(() => this.#onStep("kernel"), () => {});
    const [kernel, sources] = await Promise.all([
      reading,
      this.#readSources(scope, reading, waitForAdverts).finally(() => this.#onStep("sources")),
    ]);
    if (waitForAdverts) await solicit;
    // Closed meanwhile: what was read is no snapshot (start() must not follow anything).
    signal.throwIfAborted();
    let state: HostState = {
      now: Date.now(),
      ...kernel,
      adverts: new Map(this.#adverts.adverts),
      sources: sources.data,
      notes: [...sources.notes, ...this.#adverts.notes, ...this.#monitorNotes.values()],
    };
    const reread = this.#kernel.lastLinks;
    let snapshot = reread && previous ? rebuildSnapshot(state, previous, reread) : undefined;
    if (!snapshot && reread) {
      // Not provably the same as a full build: read every table, as without links.
      state = { ...state, ...await this.#kernel.read("tables", signal), now: Date.now() };
    }
    snapshot ??= buildSnapshot(state);
    this.#onStep("snapshot");
    this.#built = { state, snapshot };
    this.#last = snapshot;
    return snapshot;
  }

  /**
   * Solicits the links whose RA parts (raLinkKeys) changed since they were
   * last solicited, as soon as the kernel's tables are read. The run is
   * tracked (close() waits for it, its signal stops rdisc6); unless the
   * caller waits for it, its end reads the host again.
   *
   * @returns The solicitation, undefined when no link needs one.
   */
  #solicit(
    tables: KernelTables,
    signal: AbortSignal,
    waited: boolean,
  ): Promise<void> | undefined {
    if (signal.aborted) return undefined; // Closed while the tables were read.
    const keys = raLinkKeys(tables);
    const stale = new Map(this.#adverts.stale(keys).map((l) => [l, keys.get(l)!]));
    if (stale.size === 0) return undefined;
    const solicit = this.#track(this.#adverts.solicit(stale, signal));
    if (!waited) this.#track(solicit.then(() => this.#trigger(), () => {}));
    return solicit;
  }

  /** (Re)starts the file watcher when the set of watched directories changed. */
  #watch(): void {
    if (this.#closed) return;
    const paths = this.#sources.watchPaths().filter((p) => {
      try {
        return Deno.statSync(p).isDirectory;
      } catch {
        return false;
      }
    });
    const key = paths.join("\n");
    if (key === this.#watched) return;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watched = key;
    if (paths.length === 0) return;
    const watcher = this.#watcher = Deno.watchFs(paths, { recursive: false });
    this.#track((async () => {
      try {
        for await (const event of watcher) {
          const relevant = event.kind !== "access" && event.kind !== "other" &&
            event.paths.some((path) => this.#sources.isSourceFile(path));
          if (relevant) this.#trigger();
        }
      } catch {
        // Closed while waiting: nothing more to follow.
      }
    })());
  }
}
