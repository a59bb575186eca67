/**
 * The subscriber's side of a connection made through a PD worker: the
 * communications API (§3.3.4) behind the token of a `connected` message
 * (§3.3.7.23). The socket stays in the worker; bytes cross the connection's
 * own MessagePort as transferred ArrayBuffers, with credit-based
 * backpressure both ways (wire/connection_wire.ts).
 *
 * @module
 */

import {
  type ConnectionFailure,
  type FromSocket,
  parseFromSocket,
  type ToSocket,
  WRITE_BATCH,
  WRITE_WINDOW,
} from "../wire/connection_wire.ts";

import type { TlsInfo } from "../protocol/types.ts";

export type { ConnectionFailure, TlsInfo };

/** An address and port of one end of a connection. */
export interface SocketAddress {
  /** IP literal. */
  readonly address: string;
  /** TCP port. */
  readonly port: number;
}

/**
 * Why an open connection failed: its PD was withdrawn ("pd-gone"), its
 * worker crashed, the peer reset it, or the path broke.
 *
 * @example Tell a withdrawn PD apart from other failures
 * ```ts
 * import { ConnectionError } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const error = new ConnectionError("pd-gone", "Cannot keep the connection: its PD is gone");
 * assert.equal(error.reason, "pd-gone");
 * assert.ok(error instanceof Error);
 * ```
 */
export class ConnectionError extends Error {
  /** Why the connection failed. */
  readonly reason: ConnectionFailure;

  /**
   * Makes the error a failed connection raises.
   *
   * @param reason Why the connection failed.
   * @param message "Cannot <action>: <state>".
   * @param options The cause, if any.
   */
  constructor(reason: ConnectionFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionError";
    this.reason = reason;
  }
}

/**
 * An open TCP connection of one PD, usable with standard Web Streams.
 *
 * @example Send a request and read the answer
 * ```ts ignore
 * const connection = sub.connection(connected.token);
 * const writer = connection.writable.getWriter();
 * await writer.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
 * for await (const chunk of connection.readable) console.log(chunk.length);
 * ```
 */
export interface Connection extends AsyncDisposable {
  /** The token of the `connected` message. */
  readonly token: string;
  /** The provisioning domain whose source address it uses. */
  readonly pdId: string;
  /** This end. */
  readonly localAddress: SocketAddress;
  /** The peer. */
  readonly remoteAddress: SocketAddress;
  /**
   * What TLS negotiated and whom it verified, when the connection was asked
   * for with `tls`; the streams then carry the plaintext.
   */
  readonly tls?: TlsInfo;
  /** Bytes from the peer; errors with a {@linkcode ConnectionError} when the connection fails. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; close() sends FIN and keeps reading possible. */
  readonly writable: WritableStream<Uint8Array>;
  /** Settles when the connection is gone, with the error that ended it, if any. */
  readonly closed: Promise<ConnectionError | undefined>;
  /** Closes both directions at once, dropping unread bytes. */
  close(): Promise<void>;
}

/** Returned batch buffers kept for reuse: a window's worth. */
const SPARES = WRITE_WINDOW / WRITE_BATCH;

/** Subscriber-side bytes granted back to the worker at a time. */
const CREDIT_BATCH = 256 * 1024;

/** What a {@linkcode ConnectionHandle} is made of. */
export interface ConnectionInit {
  /** The token. */
  readonly token: string;
  /** The PD. */
  readonly pdId: string;
  /** This end. */
  readonly localAddress: SocketAddress;
  /** The peer. */
  readonly remoteAddress: SocketAddress;
  /** What TLS negotiated, for a TLS connection. */
  readonly tls?: TlsInfo;
  /** The connection's port to the worker's socket. */
  readonly port: MessagePort;
  /** Called when bytes or the end arrive, so waiting checks wake up. */
  readonly onReadable: () => void;
}

/** The implementation behind {@linkcode Connection}. */
export class ConnectionHandle implements Connection {
  readonly token: string;
  readonly pdId: string;
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
  readonly tls?: TlsInfo;
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly closed: Promise<ConnectionError | undefined>;
  #port: MessagePort;
  #onReadable: () => void;
  #chunks: Uint8Array[] = [];
  #peerEnded = false;
  #error: ConnectionError | undefined;
  #finished = false;
  #endDelivered = false;
  #pullWaiter: (() => void) | undefined;
  #readController!: ReadableStreamDefaultController<Uint8Array>;
  #writeController!: WritableStreamDefaultController;
  #owed = 0;
  /** Bytes written and not yet with the kernel: batched or in flight. */
  #outstanding = 0;
  /** Bytes posted to the worker and not yet acknowledged. */
  #inFlight = 0;
  #batch: Uint8Array<ArrayBuffer> | undefined;
  #batchLength = 0;
  /** Batch buffers the worker gave back, for reuse. */
  #spares: ArrayBuffer[] = [];
  #writeWaiters: { ready: () => boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #resolveClosed!: (error: ConnectionError | undefined) => void;

  /** @param init Token, addresses, port and readiness callback. */
  constructor(init: ConnectionInit) {
    this.token = init.token;
    this.pdId = init.pdId;
    this.localAddress = init.localAddress;
    this.remoteAddress = init.remoteAddress;
    if (init.tls) this.tls = init.tls;
    this.#port = init.port;
    this.#onReadable = init.onReadable;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#readController = controller;
      },
      pull: () => this.#pull(),
      cancel: () => {
        this.#endDelivered = true; // The stream is closed already.
        return this.close();
      },
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.#writeController = controller;
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#end(),
      abort: () => this.close(),
    });
    this.#port.onmessage = (event: MessageEvent) => this.#receive(event.data);
  }

  /** Whether the socket is gone (closed has settled or is about to). */
  get ended(): boolean {
    return this.#finished;
  }

  /** Whether a read would not wait: bytes, the end or an error are waiting. */
  get readableNow(): boolean {
    return this.#chunks.length > 0 ||
      (!this.#endDelivered && (this.#peerEnded || this.#error !== undefined || this.#finished));
  }

  /** Fails the connection from outside (its PD or worker is gone); the socket is gone with it. */
  fail(reason: ConnectionFailure, detail: string): void {
    if (this.#finished) return;
    this.#setError(new ConnectionError(reason, detail));
    this.#finish();
  }

  close(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    this.#post({ type: "close" });
    this.#chunks = [];
    this.#batch = undefined;
    this.#batchLength = 0;
    this.#spares = [];
    this.#finish();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #post(message: ToSocket, transfer: Transferable[] = []): void {
    if (!this.#finished) this.#port.postMessage(message, transfer);
  }

  #receive(data: unknown): void {
    const message = parseFromSocket(data);
    if (typeof message === "string") {
      this.#post({ type: "close" });
      return this.fail("protocol-error", `Cannot keep the connection: ${message}`);
    }
    this.#handle(message);
  }

  #handle(message: FromSocket): void {
    switch (message.type) {
      case "data":
        this.#chunks.push(message.chunk);
        return this.#wakeReader();
      case "written":
        this.#outstanding -= message.bytes;
        this.#inFlight -= message.bytes;
        if (message.spare?.byteLength === WRITE_BATCH && this.#spares.length < SPARES) {
          this.#spares.push(message.spare);
        }
        if (this.#inFlight === 0) this.#sendBatch();
        return this.#wakeWriters();
      case "end":
        this.#peerEnded = true;
        return this.#wakeReader();
      case "error":
        return this.#setError(new ConnectionError(message.reason, message.detail));
      case "closed":
        return this.#finish();
      default: {
        const never: never = message;
        throw new TypeError(`Cannot handle connection message: ${JSON.stringify(never)}`);
      }
    }
  }

  #setError(error: ConnectionError): void {
    if (this.#error || this.#finished) return;
    this.#error = error;
    this.#writeController.error(error);
    this.#wakeWriters();
    this.#wakeReader();
  }

  /** The socket is gone: nothing more arrives, writes fail, closed settles. */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#port.close();
    this.#writeController.error(
      this.#error ?? new Deno.errors.BadResource("Cannot write: the connection is closed"),
    );
    this.#wakeWriters();
    this.#wakeReader();
    this.#resolveClosed(this.#error);
  }

  #wakeReader(): void {
    const waiter = this.#pullWaiter;
    if (waiter && this.#deliver()) {
      this.#pullWaiter = undefined;
      waiter();
    }
    this.#onReadable();
  }

  #pull(): Promise<void> | void {
    if (this.#deliver()) return;
    return new Promise((resolve) => this.#pullWaiter = resolve);
  }

  /** Hands the reader one chunk, or the end; false when there is nothing yet. */
  #deliver(): boolean {
    if (this.#endDelivered) return false;
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#readController.enqueue(chunk);
      this.#owed += chunk.byteLength;
      if (this.#owed >= CREDIT_BATCH || this.#chunks.length === 0) {
        this.#post({ type: "credit", bytes: this.#owed });
        this.#owed = 0;
      }
      return true;
    }
    if (this.#error) this.#readController.error(this.#error);
    else if (this.#peerEnded || this.#finished) this.#readController.close();
    else return false;
    this.#endDelivered = true;
    return true;
  }

  /**
   * Copies the chunk into batches of WRITE_BATCH: the port costs more per
   * message than a copy costs per byte. A full batch goes at once; a partial
   * one goes when the worker has nothing in flight (or when its acks say so),
   * so a lone small write is not held back.
   */
  #write(chunk: Uint8Array): Promise<void> | void {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError("Cannot write: chunks must be Uint8Array");
    }
    if (chunk.byteLength === 0) return;
    this.#outstanding += chunk.byteLength;
    for (let offset = 0; offset < chunk.byteLength;) {
      this.#batch ??= new Uint8Array(this.#spares.pop() ?? new ArrayBuffer(WRITE_BATCH));
      const n = Math.min(chunk.byteLength - offset, WRITE_BATCH - this.#batchLength);
      this.#batch.set(chunk.subarray(offset, offset + n), this.#batchLength);
      this.#batchLength += n;
      offset += n;
      if (this.#batchLength === WRITE_BATCH) this.#sendBatch();
    }
    if (this.#inFlight === 0) this.#sendBatch();
    return this.#waitFor(() => this.#outstanding < WRITE_WINDOW);
  }

  /** Posts the collected bytes, if any. */
  #sendBatch(): void {
    const length = this.#batchLength;
    if (length === 0 || !this.#batch) return;
    const chunk = length === WRITE_BATCH ? this.#batch.buffer : this.#batch.slice(0, length).buffer;
    if (length === WRITE_BATCH) this.#batch = undefined; // Handed over whole.
    this.#batchLength = 0;
    this.#inFlight += length;
    this.#post({ type: "write", chunk }, [chunk]);
  }

  async #end(): Promise<void> {
    this.#sendBatch();
    this.#post({ type: "end" });
    await this.#waitFor(() => this.#outstanding === 0);
  }

  #waitFor(ready: () => boolean): Promise<void> | void {
    if (this.#error || this.#finished) {
      throw this.#error ?? new Deno.errors.BadResource("Cannot write: the connection is closed");
    }
    if (ready()) return;
    return new Promise((resolve, reject) => this.#writeWaiters.push({ ready, resolve, reject }));
  }

  #wakeWriters(): void {
    const failure = this.#error ??
      (this.#finished
        ? new Deno.errors.BadResource("Cannot write: the connection is closed")
        : undefined);
    this.#writeWaiters = this.#writeWaiters.filter((w) => {
      if (failure) w.reject(failure);
      else if (w.ready()) w.resolve();
      else return true;
      return false;
    });
  }
}
