/**
 * The simulated platform: plays a scenario's timeline against its initial
 * state and expires addresses when their valid lifetime runs out.
 *
 * @module
 */

import type { Platform, PlatformEvent, Snapshot } from "../types.ts";
import { parseScenario, type Scenario } from "./scenario.ts";
import { SimModel } from "./sim_model.ts";
import laptop from "./laptop.json" with { type: "json" };

/**
 * The bundled scenario's name, usable wherever a scenario file is.
 *
 * @example Load the bundled scenario
 * ```ts
 * import { BUNDLED_SCENARIO, loadScenario } from "@mif/mif";
 * const scenario = await loadScenario(BUNDLED_SCENARIO);
 * console.log(scenario.name); // "laptop"
 * ```
 */
export const BUNDLED_SCENARIO = "laptop";

/**
 * Loads a scenario file, or the bundled one.
 *
 * @example Load a scenario file
 * ```ts ignore
 * import { loadScenario } from "@mif/mif";
 * const scenario = await loadScenario("./my_scenario.json");
 * console.log(scenario.timeline.length);
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
 * A platform driven by a scenario.
 *
 * @example Run the MIF API on an inline scenario
 * ```ts
 * import { openMif, parseScenario, SimPlatform } from "@mif/mif";
 * const scenario = parseScenario(JSON.stringify({
 *   name: "one link",
 *   interfaces: [{ interfaceId: "eth0", interfaceType: "wired", pds: [] }],
 * }));
 * await using mif = await openMif({ platform: new SimPlatform(scenario) });
 * console.log(mif.status().interfaces.length); // 1
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

  start(listener: (event: PlatformEvent) => void): Promise<Snapshot> {
    if (this.#closed) {
      return Promise.reject(new Deno.errors.BadResource("Cannot start platform: it is closed"));
    }
    if (this.#model) {
      return Promise.reject(
        new DOMException("Cannot start platform: it is already started", "InvalidStateError"),
      );
    }
    this.#listener = listener;
    this.#start = Date.now();
    this.#model = new SimModel(this.#scenario.interfaces, this.#start, "interfaces");
    this.#schedule();
    return Promise.resolve(this.#model.snapshot());
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    return Promise.resolve();
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
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
        this.#listener({ type: "snapshot", snapshot: model.snapshot() });
      } else {
        const i = this.#next++;
        const e = this.#scenario.timeline[i];
        model.expire(due.at);
        for (const event of model.apply(e, due.at, `timeline[${i}]`)) this.#listener(event);
      }
    }
    this.#schedule();
  }
}
