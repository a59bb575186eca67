/**
 * The Linux platform: the host as iproute2, sysfs, rdisc6 and the DHCP
 * clients' files describe it, followed live through `ip monitor`, file
 * watches on lease directories, and Router Solicitations when what Router
 * Advertisements set up on a link changes.
 *
 * @module
 */

import type { Platform, PlatformEvent } from "../types.ts";
import type { Snapshot, SourceNote } from "../../protocol/model.ts";
import { AdvertCache } from "./advert_cache.ts";
import { buildSnapshot } from "./build_snapshot.ts";
import { advisories, nextDeadline } from "./advisories.ts";
import { ConfigSources, DEFAULT_SOURCE_PATHS, type SourcePaths } from "./config_sources.ts";
import { Monitor, type MonitorOptions, NEIGHBOUR_COMMAND, routerFlagChanges } from "./monitor.ts";
import { raLinkKeys } from "./ipv6_pds.ts";
import { readKernel } from "./read_host.ts";

/** Options for {@linkcode LinuxPlatform}. */
export interface LinuxPlatformOptions {
  /** Where to look for configuration; unset fields keep their defaults. */
  readonly paths?: Partial<SourcePaths>;
  /** How long to gather a burst of kernel events before re-reading, ms (default 5). */
  readonly debounce?: number;
  /** The monitor command (tests replace it). */
  readonly monitorCommand?: readonly string[];
  /** The neighbour monitor command, for routers (tests replace it). */
  readonly neighbourCommand?: readonly string[];
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
  readonly #adverts = new AdvertCache();
  readonly #debounce: number;
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
  #timer: ReturnType<typeof setTimeout> | undefined;
  #busy = false;
  #again = false;
  #started = false;
  #closed = false;
  #last: Snapshot | undefined;
  /** When the last snapshot's advisories were evaluated. */
  #evaluatedAt = 0;
  #deadline: ReturnType<typeof setTimeout> | undefined;

  /**
   * Creates the platform; start() reads the host.
   *
   * @param options Source paths, debounce, monitor command.
   */
  constructor(options: LinuxPlatformOptions = {}) {
    this.#sources = new ConfigSources({ ...DEFAULT_SOURCE_PATHS, ...options.paths });
    this.#debounce = options.debounce ?? 5;
    if (options.monitorCommand) this.#monitorCommand = options.monitorCommand;
    this.#neighbourCommand = options.neighbourCommand ?? NEIGHBOUR_COMMAND;
  }

  async start(listener: (event: PlatformEvent) => void): Promise<Snapshot> {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot start platform: it is closed");
    if (this.#started) {
      throw new DOMException("Cannot start platform: it is already started", "InvalidStateError");
    }
    this.#started = true;
    const snapshot = await this.#read(true);
    this.#evaluatedAt = Date.now();
    this.#armDeadline();
    this.#listener = listener;
    const follow = (source: string, options: MonitorOptions) =>
      new Monitor(() => this.#trigger(), {
        ...options,
        onError: (error) => {
          this.#monitorNotes.set(source, { source, reason: `${error.message}; restarting` });
        },
        onStart: () => this.#monitorNotes.delete(source),
      });
    this.#monitor = follow(
      "ip monitor",
      this.#monitorCommand ? { command: this.#monitorCommand } : {},
    );
    this.#routerMonitor = follow("ip monitor neigh", {
      command: this.#neighbourCommand,
      filter: routerFlagChanges(),
    });
    this.#watch();
    return snapshot;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new Deno.errors.Interrupted("Cannot read the host: the platform is closed"));
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#watcher?.close();
    await Promise.all([this.#monitor?.close(), this.#routerMonitor?.close()]);
    await Promise.allSettled([...this.#pending]);
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

  #trigger(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#track(this.#refresh());
    }, this.#debounce);
  }

  async #refresh(): Promise<void> {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    try {
      const before = this.#last;
      const snapshot = await this.#read(false);
      if (!this.#closed) {
        this.#listener({ type: "snapshot", snapshot });
        this.#advise(before, snapshot);
      }
      this.#watch();
    } catch (error) {
      if (this.#closed) return;
      // Keep what was known, and say why it may be stale.
      const note = { source: "ip", reason: `Cannot read the host: ${(error as Error).message}` };
      const last = this.#last ?? { interfaces: [] };
      this.#listener({
        type: "snapshot",
        snapshot: { ...last, notes: [...(last.notes ?? []), note] },
      });
    } finally {
      this.#busy = false;
      if (this.#again) {
        this.#again = false;
        this.#trigger();
      }
    }
  }

  async #read(waitForAdverts: boolean): Promise<Snapshot> {
    const signal = this.#abort.signal;
    // The kernel and the configuration sources are read at the same time.
    const reading = readKernel(signal);
    const [kernel, sources] = await Promise.all([
      reading,
      this.#sources.read(
        reading.then((k) => new Map(k.links.map((l) => [l.index, l.name])), () => new Map()),
        signal,
        waitForAdverts,
      ),
    ]);
    // Listing the running dhclients is off the latency path after the first
    // read: when the list changed, read again.
    this.#track(sources.discovery.then((changed) => changed && this.#trigger()));
    const keys = raLinkKeys(kernel);
    const stale = new Map(this.#adverts.stale(keys).map((l) => [l, keys.get(l)!]));
    if (stale.size > 0) {
      const solicit = this.#adverts.solicit(stale, signal);
      if (waitForAdverts) await solicit;
      else this.#track(solicit.then(() => this.#trigger(), () => {}));
    }
    const snapshot = buildSnapshot({
      now: Date.now(),
      ...kernel,
      adverts: this.#adverts.adverts,
      sources: sources.data,
      notes: [
        ...sources.notes,
        ...this.#adverts.notes,
        ...this.#monitorNotes.values(),
      ],
    });
    this.#last = snapshot;
    return snapshot;
  }

  /** Sends the going-up and going-away advisories that began since the last evaluation. */
  #advise(before: Snapshot | undefined, after: Snapshot): void {
    const now = Date.now();
    for (const event of advisories(before, this.#evaluatedAt, after, now)) this.#listener(event);
    this.#evaluatedAt = now;
    this.#armDeadline();
  }

  /** Evaluates the advisories again when a lease or lifetime deadline passes unread. */
  #armDeadline(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
    const last = this.#last;
    const at = last && nextDeadline(last, Date.now());
    if (this.#closed || !last || at === undefined) return;
    this.#deadline = setTimeout(() => {
      this.#deadline = undefined;
      if (!this.#closed && this.#last) this.#advise(this.#last, this.#last);
    }, Math.min(at - Date.now() + 10, 0x7fffffff));
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
