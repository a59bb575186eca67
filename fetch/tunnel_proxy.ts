/**
 * The bridge between Deno's HTTP client and mif's connections: a loopback
 * SOCKS5 proxy (RFC 1928, with RFC 1929's username and password: a secret
 * per proxy) that accepts CONNECT to one origin only and splices the
 * client's socket onto a {@linkcode Connection} a PD worker holds. Deno
 * then speaks HTTP, and TLS for https, end to end through it: SNI,
 * certificate check and Host header all name the URL's host, while the
 * bytes leave from the PD's own source.
 *
 * Why SOCKS5 (measured on Deno 2.9.6): `proxy: { transport: "tcp" }` and
 * `{ transport: "unix" }` send an https URL's request as plaintext
 * ("GET https://… HTTP/1.1") with no TLS at all; an http:// proxy URL
 * tunnels https with CONNECT but forwards http requests in absolute form;
 * `socks5h://` tunnels both and hands the proxy the host name (Deno
 * still looks the name up through the system resolver first, for a
 * best-effort --deny-net check, and drops the answer: see the README). The
 * first tunnel gets the connection the race won, so no second handshake.
 *
 * @module
 */

import type { Connection } from "../broker/connection.ts";
import { canonicalIp, formatIp } from "../ip/ip.ts";
import { parseServerHello, type TlsHello } from "./tls_hello.ts";

/** What a {@linkcode TunnelProxy} serves. */
export interface TunnelProxyInit {
  /** The only target accepted: the URL's host (no brackets) and port. */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** The connection the race won: the first tunnel uses it. */
  readonly first: Connection;
  /** Opens another connection on the same route, for further tunnels. */
  readonly open: () => Promise<Connection>;
  /**
   * Called when another connection cannot be opened ("open"), or when a
   * connection ends with an error ("connection": e.g. its PD is gone).
   */
  readonly onFailure: (error: unknown, when: "open" | "connection") => void;
  /** Milliseconds a client has to authenticate and name its target (default 10000). */
  readonly handshakeMs?: number;
  /** Called whenever the number of open tunnels changes. */
  readonly onChange: (open: number) => void;
}

/** Milliseconds a client has to authenticate and name its target, by default. */
const HANDSHAKE_MS = 10_000;

/** Bytes of a server's first flight looked at for its ServerHello. */
const HELLO_LIMIT = 16384;

/** SOCKS5 replies (RFC 1928 §6): succeeded, general failure, not allowed, host unreachable. */
const REPLY = { ok: 0, failure: 1, notAllowed: 2, unreachable: 4 } as const;

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "x");
}

/** Reads exactly n bytes, or undefined at the end of the stream. */
async function readBytes(conn: Deno.Conn, n: number): Promise<Uint8Array | undefined> {
  const out = new Uint8Array(n);
  for (let at = 0; at < n;) {
    const got = await conn.read(out.subarray(at));
    if (got === null) return undefined;
    at += got;
  }
  return out;
}

/** Reads the SOCKS5 greeting and the username/password; true when the secret matches. */
async function authenticate(conn: Deno.Conn, secret: string): Promise<boolean> {
  const head = await readBytes(conn, 2);
  const methods = head && head[0] === 5 ? await readBytes(conn, head[1]) : undefined;
  if (!methods?.includes(2)) {
    await conn.write(new Uint8Array([5, 0xff]));
    return false;
  }
  await conn.write(new Uint8Array([5, 2]));
  const user = await readBytes(conn, 2).then((h) => h && readBytes(conn, h[1]));
  const password = await readBytes(conn, 1).then((h) => h && readBytes(conn, h[0]));
  const ok = new TextDecoder().decode(user) === "mif" &&
    new TextDecoder().decode(password) === secret;
  await conn.write(new Uint8Array([1, ok ? 0 : 1]));
  return ok;
}

/** Reads a SOCKS5 CONNECT request: its host and port, or undefined. */
async function readRequest(conn: Deno.Conn): Promise<{ host: string; port: number } | undefined> {
  const head = await readBytes(conn, 4);
  if (!head || head[0] !== 5 || head[1] !== 1) return undefined;
  let host: string | undefined;
  if (head[3] === 3) {
    const length = await readBytes(conn, 1);
    const name = length && await readBytes(conn, length[0]);
    host = name && new TextDecoder().decode(name).toLowerCase();
  } else if (head[3] === 1 || head[3] === 4) {
    const bytes = await readBytes(conn, head[3] === 1 ? 4 : 16);
    host = bytes && formatIp({ family: head[3] === 1 ? "ipv4" : "ipv6", bytes });
  }
  const port = await readBytes(conn, 2);
  return host && port ? { host, port: (port[0] << 8) | port[1] } : undefined;
}

function reply(conn: Deno.Conn, code: number): Promise<number> {
  return conn.write(new Uint8Array([5, code, 0, 1, 0, 0, 0, 0, 0, 0]));
}

/**
 * A loopback SOCKS5 proxy for one origin over one route's connections.
 *
 * @example What a Deno HTTP client is given
 * ```ts ignore
 * const proxy = new TunnelProxy({ host: "www.example", port: 443, first, open, onFailure, onChange });
 * const client = Deno.createHttpClient({ proxy: proxy.proxy });
 * ```
 */
export class TunnelProxy implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #init: TunnelProxyInit;
  readonly #host: string;
  readonly #secret = randomSecret();
  #first: Connection | undefined;
  #open = new Set<{ conn: Deno.Conn; connection?: Connection }>();
  #closed = false;
  #hello: TlsHello | undefined;

  /** @param init The origin, the first connection, and how to open more. */
  constructor(init: TunnelProxyInit) {
    this.#init = init;
    this.#host = canonicalIp(init.host) ?? init.host.toLowerCase();
    this.#first = init.first;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener.unref();
    this.#accept();
  }

  /** Deno.createHttpClient's proxy option for this tunnel. */
  get proxy(): { url: string; basicAuth: { username: string; password: string } } {
    return {
      url: `socks5h://127.0.0.1:${this.#listener.addr.port}`,
      basicAuth: { username: "mif", password: this.#secret },
    };
  }

  /** Tunnels open now (the raced connection waiting for its tunnel does not count). */
  get open(): number {
    return this.#open.size;
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

  /**
   * Answers one client: checks its secret and target within the
   * handshake time, splices it onto a connection. A failure on
   * the client's side ends only this tunnel; a connection that cannot be
   * opened, or that fails, is reported.
   */
  async #serve(conn: Deno.Conn): Promise<void> {
    const entry: { conn: Deno.Conn; connection?: Connection } = { conn };
    this.#open.add(entry);
    try {
      const target = await this.#handshake(conn);
      if (!target || this.#closed) return;
      try {
        entry.connection = this.#take() ?? await this.#init.open();
      } catch (error) {
        await reply(conn, REPLY.unreachable).catch(() => {});
        return this.#init.onFailure(error, "open");
      }
      if (this.#closed) return;
      await reply(conn, REPLY.ok);
      this.#init.onChange(this.open);
      await this.#splice(conn, entry.connection);
    } catch {
      // The client's socket failed: only this tunnel ends.
    } finally {
      this.#end(entry);
    }
  }

  /** The client's target once its secret and target are right, else undefined. */
  async #handshake(conn: Deno.Conn): Promise<{ host: string; port: number } | undefined> {
    // A client that says nothing is cut off: closing its socket ends the reads.
    const timer = setTimeout(
      () => this.#closeQuietly(conn),
      this.#init.handshakeMs ?? HANDSHAKE_MS,
    );
    try {
      const target = await authenticate(conn, this.#secret) ? await readRequest(conn) : undefined;
      if (!target) return undefined;
      const host = canonicalIp(target.host) ?? target.host;
      if (host === this.#host && target.port === this.#init.port) return target;
      await reply(conn, REPLY.notAllowed);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  #closeQuietly(conn: Deno.Conn): void {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  }

  #take(): Connection | undefined {
    const first = this.#first;
    this.#first = undefined;
    return first;
  }

  /** Pipes both ways until both ends are done; watches the server's first bytes for its hello. */
  async #splice(conn: Deno.Conn, connection: Connection): Promise<void> {
    let seen: Uint8Array | undefined = this.#hello === undefined ? new Uint8Array(0) : undefined;
    const watch = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        if (seen !== undefined) {
          const more = new Uint8Array(seen.length + chunk.length);
          more.set(seen);
          more.set(chunk, seen.length);
          const hello = parseServerHello(more);
          // One verdict per tunnel: a hello, or no TLS at all (http:), or too long to tell.
          if (hello !== "incomplete" || more.length >= HELLO_LIMIT) {
            if (hello !== "incomplete" && hello !== undefined) this.#hello ??= hello;
            seen = undefined;
          } else seen = more;
        }
        controller.enqueue(chunk);
      },
    });
    const failed = connection.closed.then((error) =>
      error && this.#init.onFailure(error, "connection")
    );
    await Promise.allSettled([
      conn.readable.pipeTo(connection.writable),
      connection.readable.pipeThrough(watch).pipeTo(conn.writable),
    ]);
    await connection.close();
    await failed;
  }

  #end(entry: { conn: Deno.Conn; connection?: Connection }): void {
    if (!this.#open.delete(entry)) return;
    this.#closeQuietly(entry.conn);
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
