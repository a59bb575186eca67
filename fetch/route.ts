/**
 * A route: one origin over one provisioning domain, as fetch() keeps it
 * alive. It starts from the connection a race won, and opens further
 * connections to the same server address from the same source address of
 * the same PD (connect-to-address-from-address, §3.3.7.22) when Deno's
 * client wants more. A route whose connection fails because its PD or
 * worker went away is dead: the next fetch races again.
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";
import type { Connection, SocketAddress } from "../broker/connection.ts";
import { ConnectionError } from "../broker/connection.ts";
import type { ConnectResult } from "../connect/race_driver.ts";
import type { CheckedFetchOptions } from "./fetch_options.ts";
import { TunnelProxy } from "./tunnel_proxy.ts";

/**
 * Opens one connection from `source` of `pdId` to `remote`, through its own
 * subscriber (closed with the connection).
 */
async function openFrom(
  mif: Mif,
  pdId: string,
  source: string,
  remote: SocketAddress,
  timeout: number,
): Promise<Connection> {
  const sub = mif.subscribe({ name: `fetch ${remote.address} via ${pdId}` });
  const connectionId = "c";
  sub.post({
    type: "connect-to-address-from-address",
    pdId,
    source,
    address: remote.address,
    port: remote.port,
    connectionId,
    timeout,
  });
  for await (const m of sub.messages({ preventClose: true })) {
    if (m.type === "connected" && m.connectionId === connectionId) {
      const connection = sub.connection(m.token);
      connection.closed.then(() => sub.close());
      return connection;
    }
    if (m.type === "not-connected" && m.connectionId === connectionId) {
      await sub.close();
      throw new Error(
        `Cannot open another connection to ${remote.address} port ${remote.port} through ${pdId}: ${m.reason}${
          m.detail ? ` (${m.detail})` : ""
        }`,
      );
    }
    if (m.type === "error") {
      await sub.close();
      throw new Error(`Cannot open another connection through ${pdId}: ${m.detail ?? m.reason}`);
    }
  }
  throw new Error(`Cannot open another connection through ${pdId}: the MIF API closed`);
}

/** One origin over one PD: its proxy, its HTTP client, and when it was last used. */
export class Route implements AsyncDisposable {
  /** The PD. */
  readonly pdId: string;
  /** The winning connection's source. */
  readonly localAddress: SocketAddress;
  /** The server. */
  readonly remoteAddress: SocketAddress;
  /** The HTTP client whose connections go through the route. */
  readonly client: Deno.HttpClient;
  /** Whether the route may be used (not failed, not closed). */
  alive = true;
  readonly #proxy: TunnelProxy;
  readonly #idleTimeout: number;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #busy = 0;
  #onClose: () => void;

  /**
   * @param mif The MIF API the race used.
   * @param host The URL's host, IPv6 literals without brackets.
   * @param port The URL's port.
   * @param race The race that found the route; its connection is the first.
   * @param options fetch()'s checked options.
   * @param onClose Called once when the route closes.
   */
  constructor(
    mif: Mif,
    host: string,
    port: number,
    race: ConnectResult,
    options: CheckedFetchOptions,
    onClose: () => void,
  ) {
    const { connection } = race;
    this.pdId = connection.pdId;
    this.localAddress = connection.localAddress;
    this.remoteAddress = connection.remoteAddress;
    this.#idleTimeout = options.idleTimeout;
    this.#onClose = onClose;
    this.#proxy = new TunnelProxy({
      host,
      port,
      first: connection,
      open: () =>
        openFrom(
          mif,
          this.pdId,
          this.localAddress.address,
          this.remoteAddress,
          options.connectTimeout,
        ),
      // A route that cannot open another connection, or whose PD or worker is gone, is
      // closed: the next fetch races again. A reset or timeout ends one connection only.
      onFailure: (error, when) => {
        const gone = error instanceof ConnectionError &&
          (error.reason === "pd-gone" || error.reason === "worker-crashed");
        if (when === "open" || gone) this.close();
      },
      onChange: () => this.#idleCheck(),
    });
    this.client = Deno.createHttpClient({
      proxy: this.#proxy.proxy,
      caCerts: [...options.caCerts],
      http1: options.http1,
      http2: options.http2,
      poolIdleTimeout: options.idleTimeout,
    });
  }

  /** The server's TLS hello, once seen. */
  get tls() {
    return this.#proxy.tls;
  }

  /** Marks a request as using the route until `done` settles. */
  use(done: Promise<unknown>): void {
    this.#busy++;
    this.#idleCheck();
    const end = () => {
      this.#busy--;
      this.#idleCheck();
    };
    done.then(end, end);
  }

  /** Closes the route after idleTimeout with no request and no tunnel. */
  #idleCheck(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (!this.alive || this.#busy > 0 || this.#proxy.open > 0) return;
    const timer = setTimeout(() => this.close(), this.#idleTimeout);
    Deno.unrefTimer(timer);
    this.#idleTimer = timer;
  }

  /** Closes the HTTP client, the proxy and every connection. */
  async close(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#onClose();
    this.client.close();
    await this.#proxy.close();
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
