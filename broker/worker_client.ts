/**
 * The broker's side of one PD worker: lazy start, request/response
 * correlation over the worker's MessageChannel, idle stop, and crash
 * containment (a crash answers this PD's in-flight requests and nothing else).
 *
 * @module
 */

import type { ApiMessage, PdRequest } from "../protocol/types.ts";
import {
  isFinalReply,
  parseFromWorker,
  type PdConfig,
  type PdSettings,
  replyProblem,
  type ToWorker,
} from "../wire/pd_wire.ts";
import { type BrokerAnswerReason, failureFor } from "./failures.ts";
import type { ConnectionHandle } from "./connection.ts";
import { describeError } from "../protocol/text.ts";
import { answersOffline, InlinePd } from "./inline_pd.ts";
import { fromEventLoop } from "./message_queue.ts";
import { dnsServers } from "../workers/pd_view.ts";

/** How PD workers are sandboxed. */
export type WorkerPermissions = "net" | "inherit";

/** Settings shared by every PD worker. */
export interface WorkerSettings {
  /** What every PD worker resolves and connects with. */
  readonly pd: PdSettings;
  /** The worker module. */
  readonly url: URL;
  /**
   * "net": network only, plus reading the hosts file (needs
   * --unstable-worker-options); "inherit": the process's.
   */
  readonly permissions: WorkerPermissions;
  /** Milliseconds without requests after which a worker stops. */
  readonly idleTimeout: number;
  /**
   * While requests are in flight the worker must answer a liveness check
   * within this many milliseconds, or it is handled as crashed: a worker
   * that exits or hangs without an error event is caught this way.
   */
  readonly watchdog: number;
  /**
   * Whether the pool keeps one spare worker started, so that a PD's start
   * is a take-over (default true; see worker_pool.ts). It costs one idle
   * worker's memory (12–15 MiB here) until it is taken or the idle timeout passes.
   */
  readonly spare?: boolean;
}

/** A request in flight, with where its answers go. */
export interface Ticket {
  /** The request. */
  readonly request: PdRequest;
  /**
   * Receives each answer, the final one last; a `connected` answer comes
   * with the port of its connection, which the receiver must adopt (see
   * {@linkcode PdWorkerClient.adopt}) or close.
   */
  readonly deliver: (message: ApiMessage, port?: MessagePort) => void;
}

/** What status shows of a worker. */
export interface WorkerStatus {
  /** Whether a worker is running now. */
  readonly state: "running" | "stopped";
  /** Requests awaiting an answer. */
  readonly inFlight: number;
  /** Open connections whose sockets this worker holds. */
  readonly connections: number;
  /** How many times a worker was started for this PD. */
  readonly starts: number;
  /** How many of those crashed. */
  readonly crashes: number;
  /** What the last crash was. */
  readonly lastCrash?: string;
}

/** Milliseconds a worker may take to load before liveness checks count. */
const STARTUP_ALLOWANCE = 10_000;

/** Network only, and reading the host table (§3.3.7.18's "local host table lookup"). */
function netOnly(hostsFile: string | null) {
  return {
    net: true,
    read: hostsFile === null ? false : [hostsFile],
    write: false,
    env: false,
    run: false,
    sys: false,
    ffi: false,
    import: false,
  } as const;
}

/** A started worker and the broker's end of its channel, not yet serving a PD. */
export interface SpawnedWorker {
  /** The worker. */
  readonly worker: Worker;
  /** The broker's end of the worker's MessageChannel; what the worker sends waits here. */
  readonly port: MessagePort;
  /** Why it failed before a PD's client took it over, if it did. */
  failure?: string;
}

/** Where a client takes a pre-started worker from (see worker_pool.ts). */
export interface SpareSource {
  /** The spare worker, now the caller's, or undefined when there is none. */
  take(): SpawnedWorker | undefined;
  /** Called once a taken (or newly started) worker answered: the next spare may be started. */
  refill(): void;
}

/**
 * Starts a PD worker and hands it its channel. Until a client takes it over
 * (setting every handler), a failure is recorded in `failure` rather than
 * ending the process.
 *
 * @example A started worker says so on its port; endSpawned ends it
 * ```ts
 * import { endSpawned, spawnWorker } from "./worker_client.ts";
 * import assert from "node:assert/strict";
 * const spawned = spawnWorker({
 *   pd: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 1, connectTimeout: 1000 },
 *   url: new URL("../workers/pd_worker.ts", import.meta.url),
 *   permissions: "inherit", idleTimeout: 1000, watchdog: 1000,
 * }, "example");
 * const first = await new Promise((resolve) => spawned.port.onmessage = (e) => resolve(e.data));
 * assert.deepEqual(first, { type: "pong" });
 * assert.equal(spawned.failure, undefined);
 * endSpawned(spawned);
 * ```
 * @param settings The worker module and permissions.
 * @param name The worker's name, for debuggers.
 * @returns The worker and the broker's port.
 * @throws {Error} When Deno refuses to start it (e.g. permissions the process lacks).
 */
export function spawnWorker(settings: WorkerSettings, name: string): SpawnedWorker {
  const worker = new Worker(settings.url, {
    type: "module",
    name,
    ...(settings.permissions === "net"
      ? { deno: { permissions: netOnly(settings.pd.hostsFile) } }
      : {}),
  });
  const { port1, port2 } = new MessageChannel();
  const spawned: SpawnedWorker = { worker, port: port1 };
  worker.onerror = (event) => {
    event.preventDefault();
    spawned.failure ??= event.message || "uncaught error";
  };
  worker.onmessageerror = () => spawned.failure ??= "a message could not be deserialised";
  worker.onmessage = (event) =>
    spawned.failure ??= `protocol violation: message outside the channel: ${
      previewData(event.data)
    }`;
  worker.postMessage(null, [port2]);
  return spawned;
}

/**
 * Ends a worker nobody serves with (see {@linkcode spawnWorker}'s example).
 *
 * @param spawned The worker and its port.
 */
export function endSpawned(spawned: SpawnedWorker): void {
  spawned.port.close();
  spawned.worker.terminate();
}

interface Pending {
  readonly ticket: Ticket;
  cancelled: boolean;
}

/** One PD's worker, started on demand. */
export class PdWorkerClient {
  #config: PdConfig;
  #settings: WorkerSettings;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #pending = new Map<number, Pending>();
  #connections = new Set<ConnectionHandle>();
  #nextId = 1;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the worker last became idle (performance.now(): a clock change does not move it). */
  #idleSince = 0;
  #watchdogTimer: ReturnType<typeof setTimeout> | undefined;
  #pingOutstanding = false;
  /** Whether the running worker has said it started (its first message). */
  #started = false;
  #startedAt = 0;
  #starts = 0;
  #crashes = 0;
  #lastCrash: string | undefined;
  #retired = false;
  #spares: SpareSource | undefined;
  /** Serves what needs no network without a worker (inline_pd.ts), once asked to. */
  #inline: InlinePd | undefined;
  /** Whether the spare source was told the running worker answered. */
  #refilled = false;
  /** Whether the PD has no DNS servers, so that inline_pd.ts may serve its translations. */
  #mayAnswerOffline: boolean;

  /**
   * @param config The PD's configuration, handed to the worker on start.
   * @param settings Shared worker settings.
   * @param spares Where a start takes a pre-started worker from, if anywhere.
   */
  constructor(config: PdConfig, settings: WorkerSettings, spares?: SpareSource) {
    this.#config = config;
    this.#mayAnswerOffline = dnsServers(config.pd).length === 0;
    this.#settings = settings;
    this.#spares = spares;
  }

  /** The worker's state for status. */
  get status(): WorkerStatus {
    const status = {
      state: this.#worker ? "running" as const : "stopped" as const,
      inFlight: this.#pending.size + (this.#inline?.inFlight ?? 0),
      connections: this.#connections.size,
      starts: this.#starts,
      crashes: this.#crashes,
    };
    return this.#lastCrash === undefined ? status : { ...status, lastCrash: this.#lastCrash };
  }

  /**
   * Sends a request, starting the worker if it is not running; a request
   * that needs no network (inline_pd.ts) is served without a worker.
   *
   * @returns An id for {@linkcode PdWorkerClient.cancel}.
   */
  send(ticket: Ticket): number {
    const requestId = this.#nextId++;
    if (this.#retired) {
      ticket.deliver(failureFor(ticket.request, "pd-gone", "Cannot serve request: the PD is gone"));
      return requestId;
    }
    // answersOffline needs a PD without DNS servers: most PDs skip its search-list work.
    if (this.#mayAnswerOffline && answersOffline(ticket.request, this.#config)) {
      (this.#inline ??= new InlinePd(this.#config)).send(requestId, ticket);
      return requestId;
    }
    if (!this.#worker && !this.#start()) {
      ticket.deliver(
        failureFor(ticket.request, "worker-crashed", `Cannot start PD worker: ${this.#lastCrash}`),
      );
      this.#armIdle();
      return requestId;
    }
    this.#pending.set(requestId, { ticket, cancelled: false });
    this.#post({ type: "request", requestId, request: ticket.request });
    this.#armWatchdog();
    return requestId;
  }

  /**
   * Answers a request as cancelled now and tells the worker to stop working
   * on it; the worker's later answers to it are dropped.
   */
  cancel(requestId: number, detail: string): void {
    if (this.#inline?.cancel(requestId, detail)) return;
    const pending = this.#pending.get(requestId);
    if (!pending || pending.cancelled) return;
    pending.cancelled = true;
    pending.ticket.deliver(failureFor(pending.ticket.request, "cancelled", detail));
    this.#post({ type: "cancel", requestId });
  }

  /**
   * Keeps an open connection of this worker: it holds the worker up, and it
   * fails with the worker (crash) or the PD (withdrawal).
   */
  adopt(connection: ConnectionHandle): void {
    if (!this.#worker) {
      connection.fail("worker-crashed", "Cannot keep the connection: its PD worker is gone");
      return;
    }
    this.#connections.add(connection);
    this.#clearIdle();
    connection.closed.then(() => {
      this.#connections.delete(connection);
      this.#armIdle();
    });
  }

  /** Hands a running worker its PD's new configuration. */
  configure(config: PdConfig): void {
    this.#config = config;
    this.#mayAnswerOffline = dnsServers(config.pd).length === 0;
    this.#inline?.configure(config);
    if (this.#worker) this.#post({ type: "configure", config });
  }

  /**
   * Stops for good: in-flight requests are answered with reason (unless
   * reason is undefined, when nobody is left to answer) and the worker ends.
   */
  retire(reason: BrokerAnswerReason | undefined, detail: string): void {
    this.#retired = true;
    this.#inline?.retire(reason, detail);
    this.#stop(reason, detail);
  }

  #start(): boolean {
    this.#starts++;
    let spawned = this.#spares?.take();
    if (spawned?.failure !== undefined) {
      // A spare that failed before anyone took it: start afresh, so the failure is this start's.
      endSpawned(spawned);
      spawned = undefined;
    }
    try {
      spawned ??= spawnWorker(this.#settings, `mif PD ${this.#config.pd.pdId}`);
    } catch (error) {
      this.#crashes++;
      this.#lastCrash = this.#startFailure(describeError(error));
      return false;
    }
    const { worker, port } = spawned;
    worker.onerror = (event) => {
      // Without preventDefault an uncaught error in a worker ends the process.
      event.preventDefault();
      if (this.#worker === worker) this.#crash(event.message || "uncaught error");
    };
    worker.onmessageerror = () => {
      if (this.#worker === worker) this.#crash("a message could not be deserialised");
    };
    worker.onmessage = (event) => {
      if (this.#worker === worker) {
        this.#crash(`protocol violation: message outside the channel: ${previewData(event.data)}`);
      }
    };
    // Messages the worker sent before this (its "started" pong) were queued on the port.
    port.onmessage = (event) => {
      if (this.#worker === worker) fromEventLoop(() => this.#receive(event.data, event.ports));
      else for (const p of event.ports) closeConnectionPort(p);
    };
    this.#worker = worker;
    this.#port = port;
    this.#started = false;
    this.#refilled = false;
    this.#startedAt = Date.now();
    this.#post({ type: "configure", config: this.#config });
    return true;
  }

  #post(message: ToWorker): void {
    try {
      this.#port?.postMessage(message);
    } catch (error) {
      this.#crash(`cannot post to the worker: ${describeError(error)}`);
    }
  }

  #receive(data: unknown, ports: readonly MessagePort[]): void {
    this.#pingOutstanding = false; // Any message shows the worker is alive.
    this.#started = true;
    const message = parseFromWorker(data);
    const connected = typeof message !== "string" && message.type === "reply" &&
      message.message.type === "connected";
    if (ports.length !== (connected ? 1 : 0)) {
      for (const port of ports) closeConnectionPort(port);
      return this.#crash(
        `protocol violation: ${ports.length} ports with ${
          typeof message === "string" ? "a bad message" : message.type
        }`,
      );
    }
    if (typeof message === "string") return this.#crash(`protocol violation: ${message}`);
    if (message.type === "pong") return;
    if (message.type === "fault") {
      const pending = message.requestId === undefined
        ? undefined
        : this.#pending.get(message.requestId);
      if (!pending) return this.#crash(`fault: ${message.detail}`);
      this.#pending.delete(message.requestId!);
      if (!pending.cancelled) {
        pending.ticket.deliver(
          failureFor(pending.ticket.request, "worker-crashed", message.detail),
        );
      }
      return this.#armIdle();
    }
    const pending = this.#pending.get(message.requestId);
    const problem = pending
      ? replyProblem(pending.ticket.request, message.message)
      : `reply to unknown request ${message.requestId}`;
    if (problem) {
      for (const port of ports) closeConnectionPort(port);
      return this.#crash(`protocol violation: ${problem}`);
    }
    const final = isFinalReply(message.message);
    if (final) this.#pending.delete(message.requestId);
    if (!pending!.cancelled) pending!.ticket.deliver(message.message, ports[0]);
    // A connection made after its attempt was stopped is closed at once.
    else if (ports[0]) closeConnectionPort(ports[0]);
    if (final) this.#armIdle();
    if (!this.#refilled) {
      // Its first answer is out: the pool prepares the next PD's start once it is quiet.
      this.#refilled = true;
      this.#spares?.refill();
    }
  }

  #crash(detail: string): void {
    this.#crashes++;
    if (this.#started) {
      this.#lastCrash = detail;
      this.#stop("worker-crashed", `Cannot complete request: the PD worker crashed: ${detail}`);
      return;
    }
    // It never said it started: its module did not load, or Deno refused its permissions.
    this.#lastCrash = this.#startFailure(detail);
    this.#stop("worker-crashed", `Cannot start PD worker: ${this.#lastCrash}`);
  }

  /** Why a worker did not start, with what to do when Deno refused its permissions. */
  #startFailure(detail: string): string {
    // Deno refuses a worker more than the process has, and loading a worker's module needs read.
    if (!/escalate|requires \w+ access/i.test(detail)) return detail;
    const { hostsFile } = this.#settings.pd;
    return `${detail} (workerPermissions "net" gives each PD worker network access${
      hostsFile === null ? "" : ` and reading of ${hostsFile}`
    }, which the process must have: run it with --allow-net${
      hostsFile === null ? "" : " --allow-read"
    })`;
  }

  #stop(reason: BrokerAnswerReason | undefined, detail: string): void {
    this.#clearIdle();
    if (this.#watchdogTimer !== undefined) clearTimeout(this.#watchdogTimer);
    this.#watchdogTimer = undefined;
    this.#pingOutstanding = false;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    worker?.terminate();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    const connections = [...this.#connections];
    this.#connections.clear();
    for (const c of connections) {
      if (reason === undefined || reason === "cancelled") c.close();
      else c.fail(reason, detail.replace(/^Cannot complete request/, "Cannot keep the connection"));
    }
    if (reason === undefined) return;
    for (const p of pending) {
      if (!p.cancelled) p.ticket.deliver(failureFor(p.ticket.request, reason, detail));
    }
  }

  /**
   * While requests are in flight, checks every `watchdog` ms that the worker
   * answered something since the last check, and asks it to if not.
   */
  #armWatchdog(): void {
    if (this.#watchdogTimer !== undefined || !this.#worker) return;
    this.#watchdogTimer = setTimeout(() => {
      this.#watchdogTimer = undefined;
      if (!this.#worker || this.#pending.size === 0) return;
      // Loading a worker takes ~100 ms, far more on a loaded machine: that
      // is not a hang, so liveness counts once it has started.
      if (!this.#started) {
        if (Date.now() - this.#startedAt < STARTUP_ALLOWANCE) return this.#armWatchdog();
        return this.#crash(`unresponsive: not started within ${STARTUP_ALLOWANCE} ms`);
      }
      if (this.#pingOutstanding) {
        return this.#crash(
          `unresponsive: no answer to a liveness check within ${this.#settings.watchdog} ms`,
        );
      }
      this.#pingOutstanding = true;
      this.#post({ type: "ping" });
      this.#armWatchdog();
    }, this.#settings.watchdog);
  }

  /**
   * Starts the idle countdown once nothing is in flight. The timer is not
   * re-armed for every request (a setTimeout and a clearTimeout cost about
   * 5 µs of a 50 µs round trip): it stays armed while the worker is busy, and
   * when it fires it stops the worker, waits out the rest of the idle time
   * from the last answer, or leaves it to the next answer to arm it again.
   */
  #armIdle(): void {
    if (this.#pending.size > 0 || this.#connections.size > 0 || !this.#worker || this.#retired) {
      return;
    }
    this.#idleSince = performance.now();
    this.#idleTimer ??= setTimeout(this.#idleCheck, this.#settings.idleTimeout);
  }

  #idleCheck = (): void => {
    this.#idleTimer = undefined;
    if (this.#pending.size > 0 || this.#connections.size > 0 || !this.#worker) return;
    const left = this.#idleSince + this.#settings.idleTimeout - performance.now();
    if (left > 0) this.#idleTimer = setTimeout(this.#idleCheck, left);
    else this.#stop(undefined, "idle");
  };

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

/** Tells the socket behind a connection port nobody will use to close, and lets go of it. */
function closeConnectionPort(port: MessagePort): void {
  port.postMessage({ type: "close" });
  port.close();
}

/**
 * A short preview of a stray message's data for a crash detail (its JSON,
 * cut at 200 characters); not for errors, which describeError describes.
 */
function previewData(data: unknown): string {
  try {
    return JSON.stringify(data)?.slice(0, 200) ?? String(data);
  } catch {
    return typeof data;
  }
}
