/**
 * The worker's side of an open connection: moves bytes between a TCP socket
 * and the connection's MessagePort with credit-based flow control (see
 * wire/connection_wire.ts). When the subscriber's side has not taken
 * READ_WINDOW bytes the socket is paused, so the kernel's receive buffer
 * fills and TCP flow control slows the peer: a slow reader costs at most a
 * window of memory here.
 *
 * @module
 */

import type { Socket } from "node:net";
import { Buffer } from "node:buffer";
import {
  type ConnectionFailure,
  type FromSocket,
  parseToSocket,
  WRITE_BATCH,
} from "../../wire/connection_wire.ts";
import type { SocketReader } from "./socket_reader.ts";

/**
 * Maps a socket error to a connection failure.
 *
 * @example Name a reset
 * ```ts
 * import { socketFailure } from "./socket_pump.ts";
 * import assert from "node:assert/strict";
 * assert.equal(socketFailure(Object.assign(new Error("x"), { code: "ECONNRESET" })), "reset");
 * ```
 * @param error What the socket emitted.
 * @returns The failure reason.
 */
export function socketFailure(error: unknown): ConnectionFailure {
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case "ETIMEDOUT":
      return "timeout";
    case "ENETUNREACH":
    case "EHOSTUNREACH":
    case "ENETDOWN":
    case "EHOSTDOWN":
      return "unreachable";
    default:
      return "reset";
  }
}

/** How reading a socket stops and starts again, for one read through 'data' events. */
export interface DataFlow {
  /** Stops reading: the kernel's buffer fills and TCP slows the peer. */
  pause(): void;
  /** Reads again. */
  resume(): void;
}

/**
 * Bridges a connected socket to a port until either side closes. The port
 * is closed and onClosed called once the socket is gone.
 *
 * @example Pump a socket (sketch)
 * ```ts ignore
 * const reader = new SocketReader();
 * const socket = net.connect({ host, port, allowHalfOpen: true, onread: reader.onread });
 * const { port1, port2 } = new MessageChannel();
 * pumpSocket(socket, reader, port1, () => {});
 * ```
 * @param socket A connected socket, made with allowHalfOpen and reader's onread, or (with
 *   dataFlow) a TLS socket over one made without onread.
 * @param reader The socket's reader.
 * @param port This connection's port.
 * @param onClosed Called once when the socket has closed.
 * @param dataFlow For a socket read through its 'data' events (TLS): how its reads stop and
 *   start again when the window is used up and granted back.
 */
export function pumpSocket(
  socket: Socket,
  reader: SocketReader,
  port: MessagePort,
  onClosed: () => void,
  dataFlow?: DataFlow,
): void {
  let done = false;
  const send = (message: FromSocket, transfer: Transferable[] = []) => {
    if (!done) port.postMessage(message, transfer);
  };
  const post = (message: FromSocket) => {
    reader.flush(); // Keep the order: bytes before an end or error.
    send(message);
  };
  const flow = dataFlow ?? { pause: () => socket.pause(), resume: () => socket.resume() };
  reader.start((chunk) => send({ type: "data", chunk }, [chunk.buffer]), () => flow.pause());
  // A TLS socket has no onread reader: its decrypted bytes come as 'data' events.
  if (dataFlow) socket.on("data", (chunk: Uint8Array) => reader.push(chunk));
  socket.on("end", () => post({ type: "end" }));
  socket.on("error", (error: Error) => {
    post({
      type: "error",
      reason: socketFailure(error),
      detail: `Cannot keep the connection: ${error.message}`,
    });
  });
  socket.on("close", () => {
    post({ type: "closed" });
    done = true;
    port.close();
    onClosed();
  });
  port.onmessage = (event: MessageEvent) => {
    const message = parseToSocket(event.data);
    if (typeof message === "string") {
      post({ type: "error", reason: "protocol-error", detail: message });
      socket.destroy();
      return;
    }
    switch (message.type) {
      case "write": {
        const chunk = message.chunk;
        const bytes = chunk.byteLength;
        socket.write(Buffer.from(chunk), (error) => {
          if (error) return; // The socket's error event reports it.
          // A full batch's buffer goes back for the next batch: no allocation per batch.
          if (bytes === WRITE_BATCH) send({ type: "written", bytes, spare: chunk }, [chunk]);
          else send({ type: "written", bytes });
        });
        return;
      }
      case "credit":
        if (reader.grant(message.bytes)) flow.resume();
        return;
      case "end":
        socket.end();
        return;
      case "close":
        socket.destroy();
        return;
      default: {
        const never: never = message;
        throw new TypeError(`Cannot handle connection message: ${JSON.stringify(never)}`);
      }
    }
  };
}
