/**
 * Reads a socket straight into the batches the worker sends to the
 * subscriber's side, through node:net's `onread` option.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";
import { READ_BATCH, READ_WINDOW } from "../../wire/connection_wire.ts";

/**
 * The least room a read is given. A batch with less room left goes out
 * first, so reads stay large (few system calls) and batches nearly full.
 */
const MIN_READ = 64 * 1024;

/**
 * A connection's first batch. Most connections read little (a greeting, a
 * response), and a fresh READ_BATCH (1 MiB) at every connect cost the
 * worker ~0.5 ms of its CPU (page faults, GC pressure) right when the
 * connection is made, the moment its race is decided; once a batch fills,
 * the next ones are READ_BATCH.
 */
const FIRST_BATCH = 2 * MIN_READ;

/**
 * Collects a socket's reads into batches for the port. node:net's `onread`
 * option with a buffer function lets each read land in the current batch
 * itself: no stream event, no fresh Buffer and no copy per read (the
 * `data` event path made the worker the bottleneck). node:net asks for a
 * buffer right before each read and calls back right after it, so inside
 * the callback no read is pending and a full batch is handed over whole.
 * Bytes that wait go as a copy once the reads that completed together are
 * taken (setImmediate: ~5 µs here, where setTimeout(0) takes ~2 ms, which
 * a request and its answer would pay each time); a copy, since a read may
 * be under way into the rest of the batch by then.
 *
 * @example Read a socket into batches (sketch)
 * ```ts ignore
 * const reader = new SocketReader();
 * const socket = net.connect({ host, port, onread: reader.onread });
 * reader.start((chunk) => port.postMessage({ type: "data", chunk }, [chunk.buffer]), () => socket.pause());
 * ```
 */
export class SocketReader {
  /** Pass as net.connect's `onread` option. */
  readonly onread: {
    readonly buffer: () => Uint8Array;
    readonly callback: (nread: number, buffer: Uint8Array) => boolean;
  };
  /**
   * Allocated at the first read, not with the reader: every connection
   * attempt has a reader, and a burst of failed attempts allocated 1 MiB
   * each (500 attempts: 500 MiB for the GC to collect).
   */
  #batch: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  /** Where the bytes not yet sent begin in the batch. */
  #start = 0;
  /** Where they end. */
  #end = 0;
  #credit = READ_WINDOW;
  #timer: ReturnType<typeof setImmediate> | undefined;
  #send: ((chunk: Uint8Array<ArrayBuffer>) => void) | undefined;
  #pause: () => void = () => {};
  #paused = false;
  #early: Uint8Array<ArrayBuffer>[] = [];
  /** Whether a batch filled: the connection carries bulk data, batches are READ_BATCH. */
  #bulk = false;

  constructor() {
    this.onread = {
      buffer: () => {
        if (this.#batch.length === 0) {
          this.#batch = new Uint8Array(this.#bulk ? READ_BATCH : FIRST_BATCH);
        }
        return this.#batch.subarray(this.#end);
      },
      callback: (nread, buffer) => this.#take(nread, buffer),
    };
  }

  /**
   * Starts sending batches (reads before this are kept for it).
   *
   * @param send Posts one batch; it may transfer the chunk's buffer.
   * @param pause Stops the socket's reads when the window is used up.
   */
  start(send: (chunk: Uint8Array<ArrayBuffer>) => void, pause: () => void): void {
    this.#send = send;
    this.#pause = pause;
    for (const chunk of this.#early.splice(0)) send(chunk);
    if (this.#credit <= 0) this.#stop();
  }

  /**
   * The subscriber's side took `bytes`.
   *
   * @param bytes How many.
   * @returns True when paused reading should resume.
   */
  grant(bytes: number): boolean {
    this.#credit += bytes;
    if (!this.#paused || this.#credit <= 0) return false;
    this.#paused = false;
    return true;
  }

  /**
   * Takes bytes a socket delivered another way (a TLS socket's 'data'
   * events: node:tls decrypts into its own buffers), copied into the batch
   * as if read there, so batches, the window and pausing work alike.
   *
   * @param chunk The bytes.
   */
  push(chunk: Uint8Array): void {
    for (let offset = 0; offset < chunk.byteLength;) {
      const room = this.onread.buffer();
      const n = Math.min(room.byteLength, chunk.byteLength - offset);
      room.set(chunk.subarray(offset, offset + n));
      this.#take(n, room);
      offset += n;
    }
  }

  /** Sends what is collected now, as a copy: a read may be under way into the batch. */
  flush(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    if (this.#end === this.#start) return;
    this.#emit(this.#batch.slice(this.#start, this.#end));
    this.#start = this.#end;
  }

  #emit(chunk: Uint8Array<ArrayBuffer>): void {
    if (this.#send) this.#send(chunk);
    else this.#early.push(chunk);
  }

  #stop(): void {
    this.flush();
    if (this.#paused || !this.#send) return;
    this.#paused = true;
    // net.Socket.pause() stops an onread socket's reads; returning false
    // from the callback would too, but resume() would not restart them.
    this.#pause();
  }

  /** A read of `nread` bytes landed in `buffer`, a view of the batch; no read is pending now. */
  #take(nread: number, buffer: Uint8Array): boolean {
    this.#credit -= nread;
    if (buffer.buffer === this.#batch.buffer && buffer.byteOffset === this.#end) {
      this.#end += nread;
    } else { // Not where this reader asked for it: sent on its own, in order.
      this.flush();
      this.#emit(buffer.slice(0, nread));
    }
    if (this.#batch.length - this.#end < MIN_READ) {
      // Handed over whole, without a copy; a fresh batch takes the next read.
      if (this.#timer !== undefined) clearImmediate(this.#timer);
      this.#timer = undefined;
      this.#emit(this.#batch.subarray(this.#start, this.#end));
      this.#batch = new Uint8Array(READ_BATCH);
      this.#bulk = true;
      this.#start = this.#end = 0;
    }
    if (this.#credit <= 0) {
      this.#stop();
    } else if (this.#end > this.#start && this.#timer === undefined) {
      this.#timer = setImmediate(() => this.flush());
    }
    return true;
  }
}
