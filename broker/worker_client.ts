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
  replyProblem,
  type ToWorker,
} from "../workers/protocol.ts";
import { type BrokerFailure, failureFor } from "./failures.ts";

/** How PD workers are sandboxed. */
export type WorkerPermissions = "net" | "inherit";

/** Settings shared by every PD worker. */
export interface WorkerSettings {
  /** The worker module. */
  readonly url: URL;
  /** "net": network only (needs --unstable-worker-options); "inherit": the process's. */
  readonly permissions: WorkerPermissions;
  /** Milliseconds without requests after which a worker stops. */
  readonly idleTimeout: number;
  /**
   * While requests are in flight the worker must answer a liveness check
   * within this many milliseconds, or it is handled as crashed: a worker
   * that exits or hangs without an error event is caught this way.
   */
  readonly watchdog: number;
}

/** A request in flight, with where its answers go. */
export interface Ticket {
  /** The request. */
  readonly request: PdRequest;
  /** Receives each answer; the final one last. */
  readonly deliver: (message: ApiMessage) => void;
}

/** What status shows of a worker. */
export interface WorkerStatus {
  /** Whether a worker is running now. */
  readonly state: "running" | "stopped";
  /** Requests awaiting an answer. */
  readonly inFlight: number;
  /** How many times a worker was started for this PD. */
  readonly starts: number;
  /** How many of those crashed. */
  readonly crashes: number;
  /** What the last crash was. */
  readonly lastCrash?: string;
}

const NET_ONLY = {
  net: true,
  read: false,
  write: false,
  env: false,
  run: false,
  sys: false,
  ffi: false,
  import: false,
} as const;

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
  #nextId = 1;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdogTimer: ReturnType<typeof setTimeout> | undefined;
  #pingOutstanding = false;
  #starts = 0;
  #crashes = 0;
  #lastCrash: string | undefined;
  #retired = false;

  /**
   * @param config The PD's configuration, handed to the worker on start.
   * @param settings Shared worker settings.
   */
  constructor(config: PdConfig, settings: WorkerSettings) {
    this.#config = config;
    this.#settings = settings;
  }

  /** The worker's state for status. */
  get status(): WorkerStatus {
    const status = {
      state: this.#worker ? "running" as const : "stopped" as const,
      inFlight: this.#pending.size,
      starts: this.#starts,
      crashes: this.#crashes,
    };
    return this.#lastCrash === undefined ? status : { ...status, lastCrash: this.#lastCrash };
  }

  /**
   * Sends a request, starting the worker if it is not running.
   *
   * @returns An id for {@linkcode PdWorkerClient.cancel}.
   */
  send(ticket: Ticket): number {
    const requestId = this.#nextId++;
    if (this.#retired) {
      ticket.deliver(failureFor(ticket.request, "pd-gone", "Cannot serve request: the PD is gone"));
      return requestId;
    }
    this.#clearIdle();
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
    const pending = this.#pending.get(requestId);
    if (!pending || pending.cancelled) return;
    pending.cancelled = true;
    pending.ticket.deliver(failureFor(pending.ticket.request, "cancelled", detail));
    this.#post({ type: "cancel", requestId });
  }

  /** Hands a running worker its PD's new configuration. */
  configure(config: PdConfig): void {
    this.#config = config;
    if (this.#worker) this.#post({ type: "configure", config });
  }

  /**
   * Stops for good: in-flight requests are answered with reason (unless
   * reason is undefined, when nobody is left to answer) and the worker ends.
   */
  retire(reason: BrokerFailure | undefined, detail: string): void {
    this.#retired = true;
    this.#stop(reason, detail);
  }

  #start(): boolean {
    this.#starts++;
    const { url, permissions } = this.#settings;
    let worker: Worker;
    try {
      worker = new Worker(url, {
        type: "module",
        name: `mif PD ${this.#config.pd.pdId}`,
        ...(permissions === "net" ? { deno: { permissions: NET_ONLY } } : {}),
      });
    } catch (error) {
      this.#crashes++;
      this.#lastCrash = error instanceof Error ? error.message : String(error);
      return false;
    }
    const { port1, port2 } = new MessageChannel();
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
        this.#crash(`protocol violation: message outside the channel: ${describe(event.data)}`);
      }
    };
    port1.onmessage = (event) => {
      if (this.#worker === worker) this.#receive(event.data);
    };
    this.#worker = worker;
    this.#port = port1;
    worker.postMessage(null, [port2]);
    this.#post({ type: "configure", config: this.#config });
    return true;
  }

  #post(message: ToWorker): void {
    try {
      this.#port?.postMessage(message);
    } catch (error) {
      this.#crash(`cannot post to the worker: ${error instanceof Error ? error.message : error}`);
    }
  }

  #receive(data: unknown): void {
    this.#pingOutstanding = false; // Any message shows the worker is alive.
    const message = parseFromWorker(data);
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
    if (!pending) {
      return this.#crash(`protocol violation: reply to unknown request ${message.requestId}`);
    }
    const problem = replyProblem(pending.ticket.request, message.message);
    if (problem) return this.#crash(`protocol violation: ${problem}`);
    const final = isFinalReply(message.message);
    if (final) this.#pending.delete(message.requestId);
    if (!pending.cancelled) pending.ticket.deliver(message.message);
    if (final) this.#armIdle();
  }

  #crash(detail: string): void {
    this.#crashes++;
    this.#lastCrash = detail;
    this.#stop("worker-crashed", `Cannot complete request: the PD worker crashed: ${detail}`);
  }

  #stop(reason: BrokerFailure | undefined, detail: string): void {
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

  #armIdle(): void {
    if (this.#pending.size > 0 || !this.#worker || this.#retired) return;
    this.#clearIdle();
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#pending.size === 0) this.#stop(undefined, "idle");
    }, this.#settings.idleTimeout);
  }

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

function describe(data: unknown): string {
  try {
    return JSON.stringify(data)?.slice(0, 200) ?? String(data);
  } catch {
    return typeof data;
  }
}
