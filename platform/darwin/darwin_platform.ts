/**
 * The macOS platform: the Mac as networksetup, ifconfig, scutil, ndp,
 * netstat and ipconfig describe it (read_mac.ts, build_snapshot.ts),
 * followed live through `route -n monitor` and configd's change notice
 * (`notifyutil -w com.apple.system.config.network_change`): a message that
 * changes an address, an interface or a route, or a DNS or primary
 * interface change, reads the Mac again after a short debounce
 * (reread.ts), and the new snapshot goes to the broker, which diffs it. The going-up and going-away advisories of each snapshot go
 * with it, and again when a lease or lifetime deadline passes (advisor.ts).
 *
 * @module
 */

import type { Snapshot, SourceNote } from "../../protocol/model.ts";
import type { Platform, PlatformEvent } from "../types.ts";
import type { ToolRunner } from "../run_tool.ts";
import { Monitor } from "../monitor.ts";
import { Advisor } from "../advisor.ts";
import { RereadScheduler } from "../reread.ts";
import { readMac, readMacTables } from "./read_mac.ts";
import { buildDarwinSnapshot } from "./build_snapshot.ts";
import { keepRaStamps } from "./ra_stamps.ts";
import { isRelevant, type RouteMessage, RouteMonitorParser } from "./parse_route_monitor.ts";
import { readScope } from "./route_change.ts";
import type { DarwinHostState } from "./build_snapshot.ts";
import { describeError } from "../../protocol/text.ts";

/** The monitor command: the kernel's address, interface and route messages. */
export const ROUTE_MONITOR_COMMAND: readonly string[] = ["route", "-n", "monitor"];

/**
 * configd's own change notice, for what changes without a route message (a
 * network's DNS servers, the primary interface): IPMonitor posts
 * `com.apple.system.config.network_change` once the DNS configuration and
 * the network information (`scutil --dns`, `scutil --nwi`) are updated
 * (configd, Plugins/IPMonitor/ip_plugin.c; the name is SCPrivate.h's
 * `_SC_NOTIFY_NETWORK_CHANGE`), and `notifyutil -w` prints the name on a
 * line of its own each time (Libnotify, notifyutil.c `process_event`, then
 * `fflush(stdout)`).
 */
export const NOTIFY_COMMAND: readonly string[] = [
  "notifyutil",
  "-w",
  "com.apple.system.config.network_change",
];

/** A monitor's command line, or null for none. */
type Command = readonly string[] | null;

/** Options for {@linkcode DarwinPlatform}. */
export interface DarwinPlatformOptions {
  /** How tools are run (default: runTool; tests replay captures). */
  readonly run?: ToolRunner;
  /**
   * The route monitor (default {@linkcode ROUTE_MONITOR_COMMAND}); null:
   * none (captures replayed from files never change).
   */
  readonly monitorCommand?: readonly string[] | null;
  /** configd's change notice (default {@linkcode NOTIFY_COMMAND}); null: none. */
  readonly notifyCommand?: readonly string[] | null;
  /** What status() says the platform reads (default: this Mac and its tools). */
  readonly description?: string;
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
 * @param seen Called with the relevant messages a line completes, or
 *   undefined for output it cannot parse (then anything may have changed).
 * @returns A stateful filter.
 */
export function routeChanges(
  seen: (messages: readonly RouteMessage[] | undefined) => void = () => {},
): (line: string) => boolean {
  let parser = new RouteMonitorParser();
  return (line) => {
    try {
      const relevant = parser.push(line).filter(isRelevant);
      if (relevant.length > 0) seen(relevant);
      return relevant.length > 0;
    } catch {
      parser = new RouteMonitorParser();
      seen(undefined);
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
  readonly description: string;
  readonly #run?: ToolRunner;
  readonly #commands: { readonly route: Command; readonly notify: Command };
  readonly #rereads: RereadScheduler;
  // A deadline reads the Mac again: a renewed lease changes no route and posts no notice.
  readonly #advisor = new Advisor((event) => this.#listener(event), {
    onDeadline: () => this.#want(true),
  });
  readonly #abort = new AbortController();
  #listener: (event: PlatformEvent) => void = () => {};
  #monitors: Monitor[] = [];
  /** Why a monitor is not running, by its command line. */
  readonly #monitorNotes = new Map<string, SourceNote>();
  #last: Snapshot = { interfaces: [] };
  /** The last state read, which a read of the tables only builds on. */
  #state: DarwinHostState | undefined;
  /** Whether the next read reads everything (else all but networksetup: readMacTables). */
  #full = false;
  /** The route messages the monitor's last lines completed; undefined: unparseable output. */
  #messages: RouteMessage[] | undefined = [];
  #started = false;
  /** Whether start() has handed its snapshot over (re-reads go to the listener from then on). */
  #listening = false;
  #closed = false;

  /**
   * Makes the platform; nothing runs before start().
   *
   * @param options Runner, monitor commands, debounce, description.
   * @throws {RangeError} When the debounce is not a number of ms >= 0.
   */
  constructor(options: DarwinPlatformOptions = {}) {
    if (options.run) this.#run = options.run;
    this.#commands = {
      route: options.monitorCommand === null
        ? null
        : options.monitorCommand ?? ROUTE_MONITOR_COMMAND,
      notify: options.notifyCommand === null ? null : options.notifyCommand ?? NOTIFY_COMMAND,
    };
    this.description = options.description ??
      "this Mac (networksetup, ifconfig, scutil, ndp, netstat, ipconfig)";
    this.#rereads = new RereadScheduler(() => this.#reread(), { debounce: options.debounce ?? 50 });
  }

  async start(listener: (event: PlatformEvent) => void): Promise<Snapshot> {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot start platform: it is closed");
    if (this.#started) {
      throw new DOMException("Cannot start platform: it is already started", "InvalidStateError");
    }
    this.#started = true;
    // The monitors start first: what changes while the Mac is read is read again after.
    const { route, notify } = this.#commands;
    const seen = (messages: readonly RouteMessage[] | undefined) => {
      if (messages && this.#messages) this.#messages.push(...messages);
      else this.#messages = undefined;
    };
    if (route) this.#follow(route, routeChanges(seen), (lines) => this.#routeChanged(lines));
    if (notify) this.#follow(notify, (line) => line.trim() !== "", () => this.#want(true));
    let snapshot: Snapshot;
    try {
      snapshot = await this.#read();
      this.#abort.signal.throwIfAborted();
    } catch (error) {
      await Promise.all(this.#monitors.map((m) => m.close()));
      throw error;
    }
    this.#listener = listener;
    this.#listening = true;
    this.#advisor.advise(snapshot);
    // A change the monitors saw while the Mac was read asked for everything: read it now.
    if (this.#full) this.#rereads.request();
    return snapshot;
  }

  /**
   * What the route monitor's messages call for: all but networksetup for an
   * address or route, everything for a link message, unparseable output or
   * a restart of the monitor (`lines` undefined: anything may have changed).
   */
  #routeChanged(lines: readonly string[] | undefined): void {
    const messages = this.#messages;
    this.#messages = [];
    const scope = lines && messages ? readScope(messages) : "full";
    if (scope !== "none") this.#want(scope === "full");
  }

  /** Asks for a read (of everything, if `full`). During start(), the read after it reads everything. */
  #want(full: boolean): void {
    if (full || !this.#listening) this.#full = true;
    if (this.#listening) this.#rereads.request();
  }

  /** Starts a monitor whose filtered lines call `onChange`; while it is down, a note says so. */
  #follow(
    command: readonly string[],
    filter: (line: string) => boolean,
    onChange: (lines?: readonly string[]) => void,
  ): void {
    const source = command.join(" ");
    this.#monitors.push(
      new Monitor(onChange, {
        command,
        filter,
        onError: (error) =>
          this.#monitorNotes.set(source, { source, reason: `${error.message}; restarting` }),
        onStart: () => this.#monitorNotes.delete(source),
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new Deno.errors.Interrupted("Cannot read the Mac: the platform is closed"));
    const rereads = this.#rereads.close();
    this.#advisor.close();
    await Promise.all(this.#monitors.map((m) => m.close()));
    await rereads;
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Reads what is pending: everything, or all but networksetup (read_mac.ts). */
  async #read(): Promise<Snapshot> {
    const full = this.#full;
    this.#full = false;
    const options = { run: this.#run, signal: this.#abort.signal };
    let state: DarwinHostState;
    try {
      state = full || !this.#state
        ? await readMac(options)
        : await readMacTables(this.#state, options);
    } catch (error) {
      this.#full = true; // What this read missed, the next one reads.
      throw error;
    }
    this.#state = state;
    const notes = [...state.notes ?? [], ...this.#monitorNotes.values()];
    return this.#last = keepRaStamps(this.#last, buildDarwinSnapshot({ ...state, notes }));
  }

  /**
   * Reads the Mac again and hands the snapshot over with its advisories; a
   * read that fails keeps the last snapshot, with a note saying why.
   */
  async #reread(): Promise<void> {
    let snapshot: Snapshot;
    try {
      snapshot = await this.#read();
    } catch (error) {
      const reason = `Cannot read the Mac: ${describeError(error)}`;
      snapshot = {
        ...this.#last,
        notes: [...this.#last.notes ?? [], { source: "darwin platform", reason }],
      };
    }
    if (this.#closed) return;
    this.#listener({ type: "snapshot", snapshot });
    this.#advisor.advise(snapshot); // A failed read's snapshot keeps the deadlines armed.
  }
}
