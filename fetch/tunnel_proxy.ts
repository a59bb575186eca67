/**
 * The bridge between Deno's HTTP client and mif's connections: a loopback
 * HTTP proxy that answers CONNECT (RFC 9110 §9.3.6) for one origin only,
 * with a per-proxy secret, by splicing the client's socket onto a
 * {@linkcode Connection} a PD worker holds. Deno then speaks TLS and HTTP
 * end to end through it: SNI, certificate check and Host header all name
 * the URL's host, while the bytes leave from the PD's own source.
 *
 * Why CONNECT (measured on Deno 2.9.6): `proxy: { transport: "tcp" }` and
 * `{ transport: "unix" }` send an https URL's request as plaintext
 * ("GET https://… HTTP/1.1") with no TLS at all; only a proxy URL makes
 * Deno tunnel and keep TLS end to end. The first CONNECT gets the
 * connection the race won, so no second handshake.
 *
 * @module
 */

import type { Connection } from "../broker/connection.ts";
import { parseServerHello, type TlsHello } from "./tls_hello.ts";

/** What a {@linkcode TunnelProxy} serves. */
export interface TunnelProxyInit {
  /** The only CONNECT target accepted, "host:port" as Deno writes it. */
  readonly authority: string;
  /** The connection the race won: the first tunnel uses it. */
  readonly first: Connection;
  /** Opens another connection on the same route, for further tunnels. */
  readonly open: () => Promise<Connection>;
  /** Called when a connection ends with an error (e.g. its PD is gone). */
  readonly onFailure: (error: unknown) => void;
  /** Called whenever the number of open tunnels changes. */
  readonly onChange: (open: number) => void;
}

const HEAD_LIMIT = 8192;
const encoder = new TextEncoder();

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "x");
}

/** Reads the CONNECT head; returns it and whatever came after it. */
async function readHead(conn: Deno.Conn): Promise<{ head: string; rest: Uint8Array } | undefined> {
  const buffer = new Uint8Array(HEAD_LIMIT);
  let length = 0;
  while (length < HEAD_LIMIT) {
    const n = await conn.read(buffer.subarray(length));
    if (n === null) return undefined;
    length += n;
    const text = new TextDecoder().decode(buffer.subarray(0, length));
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const headBytes = encoder.encode(text.slice(0, end + 4)).length;
      return { head: text.slice(0, end), rest: buffer.slice(headBytes, length) };
    }
  }
  return undefined;
}

/**
 * A loopback CONNECT proxy for one origin over one route's connections.
 *
 * @example What a Deno HTTP client is given
 * ```ts ignore
 * const proxy = new TunnelProxy({ authority: "www.example:443", first, open, onFailure, onChange });
 * const client = Deno.createHttpClient({ proxy: proxy.proxy });
 * ```
 */
export class TunnelProxy implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #init: TunnelProxyInit;
  readonly #secret = randomSecret();
  #first: Connection | undefined;
  #open = new Set<{ conn: Deno.Conn; connection?: Connection }>();
  #closed = false;
  #hello: TlsHello | undefined;

  /** @param init The origin, the first connection, and how to open more. */
  constructor(init: TunnelProxyInit) {
    this.#init = init;
    this.#first = init.first;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener.unref();
    this.#accept();
  }

  /** Deno.createHttpClient's proxy option for this tunnel. */
  get proxy(): Deno.Proxy {
    return {
      url: `http://127.0.0.1:${this.#listener.addr.port}`,
      basicAuth: { username: "mif", password: this.#secret },
    };
  }

  /** Tunnels open now, the unused first connection included. */
  get open(): number {
    return this.#open.size + (this.#first ? 1 : 0);
  }

  /** What the server's first TLS hello said, once a tunnel saw one. */
  get tls(): TlsHello | undefined {
    return this.#hello;
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) this.#serve(conn);
    } catch {
      // The listener closed.
    }
  }

  /** Answers one CONNECT: checks it, splices it onto a connection. */
  async #serve(conn: Deno.Conn): Promise<void> {
    const entry: { conn: Deno.Conn; connection?: Connection } = { conn };
    this.#open.add(entry);
    try {
      const request = await readHead(conn);
      const refusal = request === undefined ? "400 Bad Request" : this.#refusal(request.head);
      if (refusal) {
        await conn.write(encoder.encode(`HTTP/1.1 ${refusal}\r\ncontent-length: 0\r\n\r\n`));
        return this.#end(entry);
      }
      entry.connection = this.#take() ?? await this.#init.open();
      if (this.#closed) return this.#end(entry);
      await conn.write(encoder.encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
      this.#init.onChange(this.open);
      await this.#splice(conn, entry.connection, request!.rest);
    } catch (error) {
      if (!entry.connection) {
        await conn.write(encoder.encode("HTTP/1.1 502 Bad Gateway\r\n\r\n")).catch(() => {});
      }
      this.#init.onFailure(error);
    }
    this.#end(entry);
  }

  #take(): Connection | undefined {
    const first = this.#first;
    this.#first = undefined;
    return first;
  }

  #refusal(head: string): string | undefined {
    const [line, ...fields] = head.split("\r\n");
    const [method, target] = line.split(" ");
    if (method !== "CONNECT") return "405 Method Not Allowed";
    const expected = `Basic ${btoa(`mif:${this.#secret}`)}`;
    const auth = fields.find((f) => /^proxy-authorization:/i.test(f));
    if (auth?.slice(auth.indexOf(":") + 1).trim() !== expected) {
      return "407 Proxy Authentication Required";
    }
    if (target?.toLowerCase() !== this.#init.authority.toLowerCase()) return "403 Forbidden";
    return undefined;
  }

  /** Pipes both ways until both ends are done; watches the server's first bytes for its hello. */
  async #splice(conn: Deno.Conn, connection: Connection, early: Uint8Array): Promise<void> {
    if (early.length > 0) {
      const writer = connection.writable.getWriter();
      await writer.write(early);
      writer.releaseLock();
    }
    let seen = new Uint8Array(0);
    const watch = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        if (this.#hello === undefined && seen.length < 16384) {
          seen = new Uint8Array([...seen, ...chunk.subarray(0, 16384)]);
          const hello = parseServerHello(seen);
          if (hello !== "incomplete") {
            this.#hello = hello;
            seen = new Uint8Array(0);
          }
        }
        controller.enqueue(chunk);
      },
    });
    const failed = connection.closed.then((error) => error && this.#init.onFailure(error));
    await Promise.allSettled([
      conn.readable.pipeTo(connection.writable),
      connection.readable.pipeThrough(watch).pipeTo(conn.writable),
    ]);
    await connection.close();
    await failed;
  }

  #end(entry: { conn: Deno.Conn; connection?: Connection }): void {
    if (!this.#open.delete(entry)) return;
    try {
      entry.conn.close();
    } catch {
      // Closed by the pipe already.
    }
    entry.connection?.close();
    this.#init.onChange(this.open);
  }

  /** Closes the listener, every tunnel and the unused first connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    await this.#take()?.close();
    for (const entry of [...this.#open]) this.#end(entry);
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
