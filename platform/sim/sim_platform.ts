/**
 * The simulated platform: plays a scenario's timeline against its initial
 * state and expires addresses when their valid lifetime runs out, and runs
 * the scenario's DNS servers and TCP services on loopback (sim_listeners.ts)
 * while it is started.
 *
 * @module
 */

import type { Platform, PlatformEvent } from "../types.ts";
import type { Snapshot } from "../../protocol/model.ts";
import { parseScenario, type Scenario } from "./scenario.ts";
import { SimModel } from "./sim_model.ts";
import { type SimListeners, startListeners } from "./sim_listeners.ts";
import laptop from "./laptop.json" with { type: "json" };

/**
 * The bundled scenario's name, usable wherever a scenario file is.
 *
 * @example Load the bundled scenario
 * ```ts
 * import { BUNDLED_SCENARIO, loadScenario } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const scenario = await loadScenario(BUNDLED_SCENARIO);
 * assert.equal(scenario.name, "laptop");
 * assert.deepEqual(scenario.names?.["www.example"]?.a, ["127.0.0.1"]);
 * ```
 */
export const BUNDLED_SCENARIO = "laptop";

/**
 * Loads a scenario file, or the bundled one.
 *
 * @example Load a scenario file
 * ```ts
 * import { loadScenario } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const file = await Deno.makeTempFile({ suffix: ".json" });
 * try {
 *   await Deno.writeTextFile(file, JSON.stringify({ name: "empty", interfaces: [] }));
 *   const scenario = await loadScenario(file);
 *   assert.equal(scenario.timeline.length, 0);
 * } finally {
 *   await Deno.remove(file);
 * }
 * ```
 *
 * @param file A path or file URL; undefined or "laptop" for the bundled scenario.
 * @param options signal: aborts reading the file.
 * @returns The checked scenario.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @throws {SyntaxError | TypeError | RangeError} When it is not a valid scenario; the message names the file and field.
 */
export async function loadScenario(
  file?: string | URL,
  options: { readonly signal?: AbortSignal } = {},
): Promise<Scenario> {
  if (file === undefined || file === BUNDLED_SCENARIO) return parseScenario(JSON.stringify(laptop));
  let text: string;
  try {
    text = await Deno.readTextFile(file, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted && error === options.signal.reason) throw error;
    const state = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
    // Keep the error's class (NotFound, PermissionDenied, NotCapable, ...) for callers to catch.
    const Class = error instanceof Error ? error.constructor as ErrorConstructor : Error;
    throw new Class(`Cannot load scenario ${file}: ${state}`, { cause: error });
  }
  try {
    return parseScenario(text);
  } catch (error) {
    const Class = error instanceof SyntaxError
      ? SyntaxError
      : error instanceof RangeError
      ? RangeError
      : TypeError;
    throw new Class(`Cannot load scenario ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A platform driven by a scenario. start() opens the scenario's DNS servers
 * (when it has a `names` table) and TCP services and close() closes them; a
 * server or service that cannot listen is reported in every snapshot's
 * `notes` ("Skipped sources" in `mif status`); one whose port was in use is
 * tried again every second, and a snapshot without its note follows once it
 * listens.
 *
 * @example Run the MIF API on an inline scenario
 * ```ts
 * import { openMif, parseScenario, SimPlatform } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const scenario = parseScenario(JSON.stringify({
 *   name: "one link",
 *   interfaces: [{ interfaceId: "eth0", interfaceType: "wired", pds: [] }],
 * }));
 * await using mif = await openMif({ platform: new SimPlatform(scenario) });
 * assert.equal(mif.status().interfaces.length, 1);
 * ```
 */
export class SimPlatform implements Platform {
  readonly name = "sim" as const;
  readonly description: string;
  #scenario: Scenario;
  #model: SimModel | undefined;
  #start = 0;
  #next = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #started = false;
  #sockets: Promise<SimListeners> | undefined;
  #listeners: SimListeners | undefined;
  #listener: (event: PlatformEvent) => void = () => {};

  /**
   * Creates a platform for a scenario; start() begins its timeline.
   *
   * @param scenario A scenario from {@linkcode loadScenario}.
   */
  constructor(scenario: Scenario) {
    this.#scenario = scenario;
    this.description = scenario.description
      ? `${scenario.name}: ${scenario.description}`
      : scenario.name;
  }

  async start(listener: (event: PlatformEvent) => void): Promise<Snapshot> {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot start platform: it is closed");
    if (this.#started) {
      throw new DOMException("Cannot start platform: it is already started", "InvalidStateError");
    }
    this.#started = true;
    // A port in use that frees up later changes the notes: a new snapshot says so.
    this.#sockets = startListeners(this.#scenario, () => this.#notesChanged());
    this.#listeners = await this.#sockets;
    if (this.#closed) throw new Deno.errors.BadResource("Cannot start platform: it was closed");
    this.#listener = listener;
    this.#start = Date.now();
    this.#model = new SimModel(this.#scenario.interfaces, this.#start, "interfaces");
    this.#schedule();
    return this.#snapshot();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const sockets = this.#sockets;
    this.#sockets = undefined;
    if (sockets) await (await sockets).close();
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The model's state, with the notes of the servers and services that cannot listen. */
  #snapshot(): Snapshot {
    const snapshot = this.#model!.snapshot();
    const notes = this.#listeners?.notes ?? [];
    return notes.length === 0 ? snapshot : { ...snapshot, notes };
  }

  #notesChanged(): void {
    if (this.#model && !this.#closed) {
      this.#listener({ type: "snapshot", snapshot: this.#snapshot() });
    }
  }

  /** The time of the next due item: a timeline event or an address expiry. */
  #due(): { at: number; expiry: boolean } | undefined {
    const model = this.#model!;
    const event = this.#scenario.timeline[this.#next];
    const eventAt = event ? this.#start + event.at : Infinity;
    const expiry = model.nextExpiry() ?? Infinity;
    if (eventAt === Infinity && expiry === Infinity) return undefined;
    return expiry <= eventAt ? { at: expiry, expiry: true } : { at: eventAt, expiry: false };
  }

  #schedule(): void {
    const due = this.#due();
    if (!due || this.#closed) return;
    const delay = Math.min(Math.max(0, due.at - Date.now()), 0x7fffffff);
    this.#timer = setTimeout(() => this.#tick(), delay);
  }

  #tick(): void {
    this.#timer = undefined;
    const model = this.#model!;
    for (let due = this.#due(); due && due.at <= Date.now() && !this.#closed; due = this.#due()) {
      if (due.expiry) {
        model.expire(due.at);
        this.#listener({ type: "snapshot", snapshot: this.#snapshot() });
      } else {
        const i = this.#next++;
        const e = this.#scenario.timeline[i];
        model.expire(due.at);
        for (const event of model.apply(e, due.at, `timeline[${i}]`)) {
          this.#listener(
            event.type === "snapshot" ? { ...event, snapshot: this.#snapshot() } : event,
          );
        }
      }
    }
    this.#schedule();
  }
}
