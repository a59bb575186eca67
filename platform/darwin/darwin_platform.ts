/**
 * The macOS platform: the Mac as networksetup, ifconfig, scutil, ndp,
 * netstat and ipconfig describe it (read_mac.ts, build_snapshot.ts),
 * followed live through `route -n monitor`: a message that changes an
 * address, an interface or a route reads the Mac again after a short
 * debounce, and the new snapshot goes to the broker, which diffs it.
 *
 * @module
 */

import type { Snapshot, SourceNote } from "../../protocol/model.ts";
import type { Platform, PlatformEvent } from "../types.ts";
import type { ToolRunner } from "../run_tool.ts";
import { Monitor } from "../monitor.ts";
import { readMac } from "./read_mac.ts";
import { buildDarwinSnapshot } from "./build_snapshot.ts";
import { isRelevant, RouteMonitorParser } from "./parse_route_monitor.ts";
import { describeError } from "../../protocol/text.ts";

/** The monitor command. */
export const ROUTE_MONITOR_COMMAND: readonly string[] = ["route", "-n", "monitor"];

/** Options for {@linkcode DarwinPlatform}. */
export interface DarwinPlatformOptions {
  /** How tools are run (default: runTool; tests replay captures). */
  readonly run?: ToolRunner;
  /**
   * The monitor command (default {@linkcode ROUTE_MONITOR_COMMAND}); null
   * follows nothing (captures replayed from files never change).
   */
  readonly monitorCommand?: readonly string[] | null;
  /** Milliseconds a change waits for the rest of its burst (default 50). */
  readonly debounce?: number;
}

/**
 * A line filter for `route -n monitor`: true on the line that completes a
 * message about an address, an interface or a route (not a cloned host
 * route, not a lookup). Output it cannot parse counts as a change: reading
 * again is always safe.
 *
 * @example An address added, then an ARP entry cloned
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeChanges } from "./darwin_platform.ts";
 * const changes = routeChanges();
 * const lines = [
 *   "got message of size 160 on Tue Dec  1 05:00:01 2026",
 *   "RTM_NEWADDR: address being added to iface: len 160, metric 0, flags:",
 *   "sockaddrs: <NETMASK,IFP,IFA,BRD>",
 *   " 255.255.255.0 en0:a4.83.e7.1.2.3 198.51.100.7 198.51.100.255",
 * ];
 * assert.deepEqual(lines.map(changes), [false, false, false, true]);
 * ```
 * @returns A stateful filter.
 */
export function routeChanges(): (line: string) => boolean {
  let parser = new RouteMonitorParser();
  return (line) => {
    try {
      return parser.push(line).some(isRelevant);
    } catch {
      parser = new RouteMonitorParser();
      return true;
    }
  };
}

/**
 * The Mac's interfaces and PDs, live.
 *
 * @example Show a Mac's interfaces
 * ```ts ignore
 * import { openMif } from "../../mod.ts";
 * import { DarwinPlatform } from "./darwin_platform.ts";
 * await using mif = await openMif({ platform: new DarwinPlatform() });
 * console.log(mif.status().interfaces.map((i) => i.interfaceId));
 * ```
 */
export class DarwinPlatform implements Platform {
  readonly name = "darwin" as const;
  readonly description = "this Mac (networksetup, ifconfig, scutil, ndp, netstat, ipconfig)";
  readonly #run?: ToolRunner;
  readonly #monitorCommand: readonly string[] | null;
  readonly #debounce: number;
  readonly #abort = new AbortController();
  #listener: (event: PlatformEvent) => void = () => {};
  #monitor: Monitor | undefined;
  #monitorNote: SourceNote | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #last: Snapshot = { interfaces: [] };
  #started = false;
  #closed = false;

  /** @param options Runner, monitor command, debounce. */
  constructor(options: DarwinPlatformOptions = {}) {
    if (options.run) this.#run = options.run;
    this.#monitorCommand = options.monitorCommand ?? ROUTE_MONITOR_COMMAND;
    this.#debounce = options.debounce ?? 50;
  }

  async start(listener: (event: PlatformEvent) => void): Promise<Snapshot> {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot start platform: it is closed");
    if (this.#started) {
      throw new DOMException("Cannot start platform: it is already started", "InvalidStateError");
    }
    this.#started = true;
    const snapshot = await this.#read();
    this.#abort.signal.throwIfAborted();
    this.#listener = listener;
    if (this.#monitorCommand === null) return snapshot;
    const source = this.#monitorCommand.join(" ");
    this.#monitor = new Monitor(() => this.#trigger(), {
      command: this.#monitorCommand,
      filter: routeChanges(),
      onError: (error) => this.#monitorNote = { source, reason: `${error.message}; restarting` },
      onStart: () => this.#monitorNote = undefined,
    });
    return snapshot;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new Deno.errors.Interrupted("Cannot read the Mac: the platform is closed"));
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#monitor?.close();
    await this.#reading?.catch(() => {});
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #read(): Promise<Snapshot> {
    const state = await readMac({ run: this.#run, signal: this.#abort.signal });
    const notes = [...state.notes ?? [], ...(this.#monitorNote ? [this.#monitorNote] : [])];
    return this.#last = buildDarwinSnapshot({ ...state, notes });
  }

  /** Reads again after the debounce; a change during a read reads once more after it. */
  #trigger(): void {
    if (this.#closed) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#reading = this.#reread().finally(() => {
        this.#reading = undefined;
        if (this.#again) {
          this.#again = false;
          this.#trigger();
        }
      });
    }, this.#debounce);
  }

  /** Reads the Mac again; a read that fails keeps the last snapshot, with a note saying why. */
  async #reread(): Promise<void> {
    let snapshot: Snapshot;
    try {
      snapshot = await this.#read();
    } catch (error) {
      if (this.#closed) return;
      const note = {
        source: "darwin platform",
        reason: `Cannot read the Mac: ${describeError(error)}`,
      };
      snapshot = { ...this.#last, notes: [...this.#last.notes ?? [], note] };
    }
    if (!this.#closed) this.#listener({ type: "snapshot", snapshot });
  }
}
