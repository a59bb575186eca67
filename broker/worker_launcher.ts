/**
 * The broker's side of workers/launcher.ts: PD workers are started by a
 * worker of their own, so that `new Worker()`'s wait for the new isolate
 * (40–80 ms each on a 2-core machine) never holds the broker's thread — a
 * race across PDs that starts six workers would otherwise stop answering
 * for a quarter of a second, and a spare worker started between two races
 * would delay the second.
 *
 * @module
 */

/** What a PD worker's client needs of a worker, wherever it runs. */
export interface WorkerHandle {
  /** An uncaught error in the worker; call preventDefault as for a Worker. */
  onerror: ((event: { readonly message: string; preventDefault(): void }) => void) | null;
  /** A message from the worker could not be deserialised. */
  onmessageerror: (() => void) | null;
  /** A message on the worker's global scope, outside its channel. */
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  /** Ends the worker. */
  terminate(): void;
}

/** How to start one PD worker. */
export interface WorkerSpec {
  /** The module. */
  readonly url: URL;
  /** A name for debuggers. */
  readonly name: string;
  /** Deno permissions for the worker, or undefined to inherit. */
  readonly permissions?: Deno.PermissionOptionsObject;
  /** The worker's end of the broker's channel, handed to it once it runs. */
  readonly port: MessagePort;
}

const NO_DEFAULT = { preventDefault() {} };

class RemoteWorker implements WorkerHandle {
  onerror: WorkerHandle["onerror"] = null;
  onmessageerror: WorkerHandle["onmessageerror"] = null;
  onmessage: WorkerHandle["onmessage"] = null;
  readonly #end: () => void;

  constructor(end: () => void) {
    this.#end = end;
  }

  terminate(): void {
    this.onerror = this.onmessageerror = this.onmessage = null;
    this.#end();
  }
}

/**
 * Starts PD workers from a worker, created on the first spawn.
 *
 * @example A PD worker started through the launcher answers on its port
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerLauncher } from "./worker_launcher.ts";
 * const launcher = new WorkerLauncher();
 * const { port1, port2 } = new MessageChannel();
 * const worker = launcher.spawn({
 *   url: new URL("../workers/pd_worker.ts", import.meta.url), name: "example", port: port2,
 * });
 * const first = await new Promise((resolve) => port1.onmessage = (e) => resolve(e.data));
 * assert.deepEqual(first, { type: "pong" });
 * worker.terminate();
 * port1.close();
 * launcher.close();
 * ```
 */
export class WorkerLauncher {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #remotes = new Map<number, RemoteWorker>();
  #closed = false;

  /**
   * Starts a PD worker; it receives `spec.port` once it runs.
   *
   * @throws {Deno.errors.BadResource} After close().
   */
  spawn(spec: WorkerSpec): WorkerHandle {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot start a PD worker: closed");
    const launcher = this.#worker ??= this.#start();
    const id = this.#nextId++;
    const remote = new RemoteWorker(() => {
      if (this.#remotes.delete(id)) launcher.postMessage({ type: "terminate", id });
    });
    this.#remotes.set(id, remote);
    const { url, name, permissions } = spec;
    launcher.postMessage(
      { type: "spawn", id, url: url.href, name, ...(permissions ? { permissions } : {}) },
      [spec.port],
    );
    return remote;
  }

  /** Ends the launcher and every worker it started. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const remote of [...this.#remotes.values()]) remote.terminate();
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #start(): Worker {
    const worker = new Worker(new URL("../workers/launcher.ts", import.meta.url), {
      type: "module",
      name: "mif PD worker launcher",
    });
    worker.onmessage = (event) => this.#receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(`the PD worker launcher failed: ${event.message || "uncaught error"}`);
    };
    return worker;
  }

  #receive(data: { type?: unknown; id?: unknown; message?: unknown; data?: unknown }): void {
    const remote = typeof data?.id === "number" ? this.#remotes.get(data.id) : undefined;
    if (!remote) return; // Terminated meanwhile.
    if (data.type === "error") {
      remote.onerror?.({ message: String(data.message), ...NO_DEFAULT });
    } else if (data.type === "messageerror") remote.onmessageerror?.();
    else if (data.type === "outside") remote.onmessage?.({ data: data.data });
  }

  /** The launcher itself broke: every worker it started counts as crashed. */
  #fail(message: string): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const remote of [...this.#remotes.values()]) {
      remote.onerror?.({ message, ...NO_DEFAULT });
    }
  }
}
