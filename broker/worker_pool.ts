/**
 * The broker's PD workers, one per PD that was asked something: created on
 * the PD's first request (started by it, see worker_client.ts), handed the
 * PD's new configuration, retired with the PD.
 *
 * @module
 */

import type { PdInfo } from "../protocol/model.ts";
import type { PdConfig } from "../wire/pd_wire.ts";
import type { LiveRequest } from "./session.ts";
import { PdWorkerClient, type WorkerSettings, type WorkerStatus } from "./worker_client.ts";

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

  /** @param settings Shared by every PD worker. */
  constructor(settings: WorkerSettings) {
    this.#settings = settings;
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
      worker = new PdWorkerClient(this.#config(interfaceId, pd), this.#settings);
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

  /** Stops every worker, answering nothing: nobody is left to answer. */
  close(): void {
    for (const worker of this.#workers.values()) worker.retire(undefined, "closed");
    this.#workers.clear();
  }

  #config(interfaceId: string, pd: PdInfo): PdConfig {
    return { interfaceId, pd, settings: this.#settings.pd };
  }
}
