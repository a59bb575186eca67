/**
 * The broker's PD workers, one per PD that was asked something: created on
 * the PD's first request (started by it, see worker_client.ts), handed the
 * PD's new configuration, retired with the PD.
 *
 * Starting a worker takes tens of milliseconds (Deno creates its isolate
 * while the broker's thread waits, then it loads its modules), so the pool
 * keeps one spare worker, started but serving no PD: a PD's start takes it
 * over and hands it the PD's configuration by message. The spare is started
 * with the pool and again after each take-over, once the worker that took
 * it answered and no request is in flight (creating a worker blocks the
 * broker's thread); it stops when unused for the idle timeout, and close()
 * ends it. `spare: false` in the settings turns
 * this off.
 *
 * @module
 */

import type { PdInfo } from "../protocol/model.ts";
import type { PdConfig } from "../wire/pd_wire.ts";
import type { LiveRequest } from "./session.ts";
import {
  endSpawned,
  PdWorkerClient,
  type SpareSource,
  type SpawnedWorker,
  spawnWorker,
  type WorkerSettings,
  type WorkerStatus,
} from "./worker_client.ts";

/**
 * Milliseconds between checks that no request is in flight before a spare
 * is started: creating a worker blocks the broker's thread for the isolate's
 * creation (~20 ms here, several times that on a loaded machine), which
 * must not delay the answers of a race across PDs.
 */
const QUIET_CHECK = 50;

/** What status shows for a PD that has no worker client. */
const NEVER_STARTED: WorkerStatus = {
  state: "stopped",
  inFlight: 0,
  connections: 0,
  starts: 0,
  crashes: 0,
};

/**
 * The worker clients by PD id.
 *
 * @example A PD's worker is created once and shows in status before it starts
 * ```ts
 * import { WorkerPool } from "./worker_pool.ts";
 * import assert from "node:assert/strict";
 * const pool = new WorkerPool({
 *   pd: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 2, connectTimeout: 1000 },
 *   url: new URL("../workers/pd_worker.ts", import.meta.url),
 *   permissions: "inherit", idleTimeout: 1000, watchdog: 1000,
 * });
 * const pd = { pdId: "eth0/ipv4", family: "ipv4" as const, elements: [], addresses: [] };
 * assert.equal(pool.obtain("eth0", pd), pool.obtain("eth0", pd));
 * assert.equal(pool.status("eth0/ipv4").state, "stopped");
 * assert.equal(pool.status("eth1/ipv4").starts, 0);
 * pool.close();
 * ```
 */
export class WorkerPool {
  #settings: WorkerSettings;
  #workers = new Map<string, PdWorkerClient>();
  #spare: SpawnedWorker | undefined;
  #spareTimer: ReturnType<typeof setTimeout> | undefined;
  #refillTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #spares: SpareSource = {
    take: () => this.#takeSpare(),
    refill: () => this.#refillWhenQuiet(),
  };

  /** @param settings Shared by every PD worker. */
  constructor(settings: WorkerSettings) {
    this.#settings = settings;
    this.#startSpare();
  }

  /** Whether a spare worker is started now (see the module documentation). */
  get spareRunning(): boolean {
    return this.#spare !== undefined;
  }

  /**
   * The PD's worker client, created (not started) when it has none.
   *
   * @param interfaceId The interface the PD is on.
   * @param pd The PD.
   * @returns Its client.
   */
  obtain(interfaceId: string, pd: PdInfo): PdWorkerClient {
    let worker = this.#workers.get(pd.pdId);
    if (!worker) {
      worker = new PdWorkerClient(this.#config(interfaceId, pd), this.#settings, this.#spares);
      this.#workers.set(pd.pdId, worker);
    }
    return worker;
  }

  /**
   * What status shows of a PD's worker.
   *
   * @param pdId The PD's id.
   * @returns Its worker's status; "stopped" with zero counts when it has none.
   */
  status(pdId: string): WorkerStatus {
    return this.#workers.get(pdId)?.status ?? NEVER_STARTED;
  }

  /**
   * Cancels a request in flight (see {@linkcode PdWorkerClient.cancel}).
   *
   * @param live The request: its PD and the client's id for it.
   * @param detail "Cannot <action>: <why>", for the answer.
   */
  cancel(live: LiveRequest, detail: string): void {
    this.#workers.get(live.pdId)?.cancel(live.requestId, detail);
  }

  /**
   * Hands a PD's worker the PD's new configuration, if it has a worker.
   *
   * @param interfaceId The interface the PD is on.
   * @param pd The PD as it is now.
   */
  configure(interfaceId: string, pd: PdInfo): void {
    this.#workers.get(pd.pdId)?.configure(this.#config(interfaceId, pd));
  }

  /**
   * Retires the worker of a PD that is gone: its requests are answered
   * pd-gone, and its next request, if any, starts a new one.
   *
   * @param pdId The PD's id.
   */
  retire(pdId: string): void {
    const worker = this.#workers.get(pdId);
    this.#workers.delete(pdId);
    worker?.retire("pd-gone", `Cannot complete request: provisioning domain "${pdId}" is gone`);
  }

  /** Stops every worker, and the spare, answering nothing: nobody is left to answer. */
  close(): void {
    this.#closed = true;
    if (this.#refillTimer !== undefined) clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
    this.#endSpare();
    for (const worker of this.#workers.values()) worker.retire(undefined, "closed");
    this.#workers.clear();
  }

  #takeSpare(): SpawnedWorker | undefined {
    const spare = this.#spare;
    this.#spare = undefined;
    if (this.#spareTimer !== undefined) clearTimeout(this.#spareTimer);
    this.#spareTimer = undefined;
    return spare;
  }

  /** Starts a spare unless there is one, the pool is closed, spares are off or idle workers stop at once. */
  #startSpare(): void {
    const { spare, idleTimeout } = this.#settings;
    if (this.#closed || this.#spare || spare === false || idleTimeout === 0) return;
    try {
      this.#spare = spawnWorker(this.#settings, "mif PD worker (spare)");
    } catch {
      return; // A PD's start will meet the same refusal and report it.
    }
    this.#spareTimer = setTimeout(() => {
      this.#spareTimer = undefined;
      this.#endSpare();
    }, this.#settings.idleTimeout);
  }

  /** Starts a spare once no request is in flight (checked every QUIET_CHECK ms). */
  #refillWhenQuiet(): void {
    if (this.#refillTimer !== undefined || this.#closed) return;
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      const busy = [...this.#workers.values()].some((w) => w.status.inFlight > 0);
      if (busy) this.#refillWhenQuiet();
      else this.#startSpare();
    }, QUIET_CHECK);
  }

  #endSpare(): void {
    const spare = this.#takeSpare();
    if (spare) endSpawned(spare);
  }

  #config(interfaceId: string, pd: PdInfo): PdConfig {
    return { interfaceId, pd, settings: this.#settings.pd };
  }
}
