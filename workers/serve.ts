/**
 * Wires a PD service to the worker's MessageChannel port: the broker posts
 * the port once on the worker's global scope, then every message travels on
 * the port and is guarded before it reaches the service.
 *
 * @module
 */

import { PdService } from "./pd_service.ts";
import { describeError } from "../protocol/text.ts";
import { type FromWorker, parseToWorker, type Send, type ServiceMessage } from "../wire/pd_wire.ts";

/** The part of a worker's global scope this needs. */
export interface WorkerScope {
  /** Set to receive the broker's port. */
  onmessage: ((event: MessageEvent) => void) | null;
  /** Posts to the broker outside the channel (only to complain). */
  postMessage(message: FromWorker): void;
  /** Uncaught errors and unhandled rejections of the worker's code. */
  addEventListener?(
    type: "error" | "unhandledrejection",
    listener: (event: Event & { message?: string; reason?: unknown }) => void,
  ): void;
}

/** Something that handles broker messages. */
export interface Service {
  /** Handles one guarded broker message. */
  receive(message: ServiceMessage): void;
}

/**
 * From the moment the worker has its port, an uncaught error or unhandled
 * rejection is told to the broker as a fault on the port (which handles it
 * as a crash) instead of travelling up as an error event, which Deno
 * prints on stderr for a worker started by another worker even when its
 * parent prevents the default.
 */
function reportCrashes(scope: WorkerScope, send: Send): void {
  const report = (event: Event & { message?: string; reason?: unknown }, what: string) => {
    event.preventDefault();
    const detail = event.type === "error" ? event.message : describeError(event.reason);
    send({ type: "fault", detail: `${what}: ${detail || "unknown"}` });
  };
  scope.addEventListener?.("error", (event) => report(event, "uncaught error"));
  scope.addEventListener?.("unhandledrejection", (event) => report(event, "unhandled rejection"));
}

/**
 * Serves a PD from inside a worker.
 *
 * @param scope The worker's global scope (`self`).
 * @param createService Builds the service around a send function.
 */
export function servePdWorker(
  scope: WorkerScope,
  createService: (send: Send) => Service = (send) => new PdService(send),
): void {
  scope.onmessage = (event: MessageEvent) => {
    const port = event.ports[0];
    if (!port) {
      scope.postMessage({ type: "fault", detail: "Cannot start: expected the broker's port" });
      return;
    }
    scope.onmessage = null;
    // Without a transfer list postMessage takes its fast path (no WebIDL conversion of the list).
    const send: Send = (message, transfer) =>
      transfer?.length ? port.postMessage(message, transfer) : port.postMessage(message);
    reportCrashes(scope, send);
    const service = createService(send);
    port.onmessage = (e: MessageEvent) => {
      const message = parseToWorker(e.data);
      if (typeof message === "string") send({ type: "fault", detail: message });
      else if (message.type === "ping") send({ type: "pong" });
      else service.receive(message);
    };
    send({ type: "pong" }); // Started: from now on the liveness checks count.
  };
}
