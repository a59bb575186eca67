/**
 * The worker's side of an open connection: moves bytes between a TCP socket
 * and the connection's MessagePort with credit-based flow control (see
 * workers/connection_wire.ts). When the subscriber's side has not taken
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
  READ_WINDOW,
  WRITE_WINDOW,
} from "../connection_wire.ts";

/**
 * Maps a socket error to a connection failure.
 *
 * @example Name a reset
 * ```ts
 * import { socketFailure } from "./socket_pump.ts";
 * console.log(socketFailure(Object.assign(new Error("x"), { code: "ECONNRESET" }))); // "reset"
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

/** Bytes one socket read may return. */
const READ_BUFFER = 128 * 1024;
/** Bytes per data message once reads come faster than the port is served. */
const BATCH = READ_WINDOW / 4;

/**
 * Collects a socket's reads into batches for the port, through node:net's
 * `onread` option: one reused read buffer instead of a fresh Buffer and a
 * stream event per read, which made the worker the bottleneck. Reads that
 * complete together travel as one message, because the port costs more per
 * message than a copy costs per read; a quarter window goes at once, so the
 * subscriber's side works while more arrives, and a timer sends the rest.
 */
export class SocketReader {
  /** Pass as net.connect's `onread` option. */
  readonly onread: {
    readonly buffer: Uint8Array;
    readonly callback: (nread: number, buffer: Uint8Array) => boolean;
  };
  #batch = new Uint8Array(BATCH);
  #length = 0;
  #credit = READ_WINDOW;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #send: ((chunk: ArrayBuffer) => void) | undefined;
  #pause: () => void = () => {};
  #paused = false;
  #early: ArrayBuffer[] = [];

  constructor() {
    this.onread = {
      buffer: new Uint8Array(READ_BUFFER),
      callback: (nread, buffer) => this.#take(nread, buffer),
    };
  }

  /**
   * Starts sending batches (reads before this are kept for it).
   *
   * @param send Posts one batch.
   * @param pause Stops the socket's reads when the window is used up.
   */
  start(send: (chunk: ArrayBuffer) => void, pause: () => void): void {
    this.#send = send;
    this.#pause = pause;
    for (const chunk of this.#early.splice(0)) send(chunk);
    if (this.#credit <= 0) this.#stop();
  }

  /** The subscriber's side took `bytes`; true when paused reading should resume. */
  grant(bytes: number): boolean {
    this.#credit += bytes;
    if (!this.#paused || this.#credit <= 0) return false;
    this.#paused = false;
    return true;
  }

  #stop(): void {
    this.flush();
    if (this.#paused || !this.#send) return;
    this.#paused = true;
    // net.Socket.pause() stops an onread socket's reads; returning false
    // from the callback would too, but resume() would not restart them.
    this.#pause();
  }

  /** Sends what is collected now. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#length === 0) return;
    let chunk: ArrayBuffer;
    if (this.#length === this.#batch.length) {
      chunk = this.#batch.buffer; // Handed over whole; a fresh batch follows.
      this.#batch = new Uint8Array(BATCH);
    } else {
      chunk = this.#batch.slice(0, this.#length).buffer;
    }
    this.#length = 0;
    if (this.#send) this.#send(chunk);
    else this.#early.push(chunk);
  }

  /** Returns false to pause the socket when the window is used up. */
  #take(nread: number, buffer: Uint8Array): boolean {
    this.#credit -= nread;
    for (let offset = 0; offset < nread;) {
      const n = Math.min(nread - offset, this.#batch.length - this.#length);
      this.#batch.set(buffer.subarray(offset, offset + n), this.#length);
      this.#length += n;
      offset += n;
      if (this.#length === this.#batch.length) this.flush();
    }
    if (this.#credit <= 0) {
      this.#stop();
      return true;
    }
    if (this.#length > 0 && this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), 0);
    }
    return true;
  }
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
 * @param socket A connected socket, made with allowHalfOpen and reader's onread.
 * @param reader The socket's reader.
 * @param port This connection's port.
 * @param onClosed Called once when the socket has closed.
 */
export function pumpSocket(
  socket: Socket,
  reader: SocketReader,
  port: MessagePort,
  onClosed: () => void,
): void {
  let done = false;
  let written = 0;
  const send = (message: FromSocket, transfer: Transferable[] = []) => {
    if (!done) port.postMessage(message, transfer);
  };
  const post = (message: FromSocket) => {
    reader.flush(); // Keep the order: bytes before an end or error.
    send(message);
  };
  reader.start((chunk) => send({ type: "data", chunk }, [chunk]), () => socket.pause());
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
        const bytes = message.chunk.byteLength;
        socket.write(Buffer.from(message.chunk), (error) => {
          if (error) return;
          // Grants back in batches, and all of it once the socket has taken everything.
          written += bytes;
          if (written >= WRITE_WINDOW / 4 || socket.writableLength === 0) {
            send({ type: "written", bytes: written });
            written = 0;
          }
        });
        return;
      }
      case "credit":
        if (reader.grant(message.bytes)) socket.resume();
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
