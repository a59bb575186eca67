/**
 * Runs TLS on a connected TCP socket (node:tls over the node:net socket that
 * left from the PD's source), with full certificate verification: a failed
 * handshake or check is an outcome with node's error code, never a plain
 * connection.
 *
 * @module
 */

import type net from "node:net";
import tls from "node:tls";
import type { TlsInfo, TlsOptions } from "../../protocol/types.ts";
import { describeError } from "../../protocol/text.ts";

/** The outcome of {@linkcode upgradeTls}. */
export type TlsOutcome =
  | { readonly ok: true; readonly socket: tls.TLSSocket; readonly info: TlsInfo }
  | { readonly ok: false; readonly cancelled: boolean; readonly detail: string };

/**
 * What a verified TLS socket negotiated, as a `connected` message carries it.
 *
 * @example Read a socket's TLS details (the shape node:tls gives)
 * ```ts
 * import { tlsInfo } from "./tls_upgrade.ts";
 * import assert from "node:assert/strict";
 * const socket = {
 *   getProtocol: () => "TLSv1.3",
 *   alpnProtocol: false,
 *   getPeerCertificate: () => ({
 *     subject: { CN: "www.example" },
 *     subjectaltname: "DNS:www.example",
 *     valid_to: "Dec  2 22:25:59 2026 GMT",
 *   }),
 * };
 * assert.deepEqual(tlsInfo(socket), {
 *   version: "TLSv1.3",
 *   alpnProtocol: null,
 *   subject: "www.example",
 *   subjectAltName: "DNS:www.example",
 *   validTo: "2026-12-02T22:25:59.000Z",
 * });
 * ```
 * @param socket A TLS socket past its handshake (only these members are read).
 * @returns The version, ALPN protocol and the peer certificate's names and expiry.
 */
export function tlsInfo(socket: {
  getProtocol(): string | null;
  readonly alpnProtocol?: string | boolean | null;
  getPeerCertificate(): object | null;
}): TlsInfo {
  const cert = socket.getPeerCertificate() as Partial<tls.PeerCertificate> | null;
  const cn = cert?.subject?.CN;
  const validTo = new Date(cert?.valid_to ?? "");
  return {
    version: socket.getProtocol() ?? "",
    alpnProtocol: typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : null,
    subject: Array.isArray(cn) ? cn.join(", ") : typeof cn === "string" ? cn : "",
    subjectAltName: typeof cert?.subjectaltname === "string" ? cert.subjectaltname : "",
    validTo: Number.isNaN(validTo.getTime()) ? "" : validTo.toISOString(),
  };
}

/**
 * How a TLS socket's reads are stopped for flow control: at its TCP
 * socket's handle. In Deno 2.9 pausing the TLS socket itself stops nothing
 * underneath (node:tls keeps reading and decrypting into memory: 30 MB
 * during a 500 ms pause, measured) and its 'end' never comes once it has
 * been paused, so the TCP handle's own readStop()/readStart() are used;
 * where they are missing, reading is never stopped (correct, unbounded).
 *
 * @example Flow control for a socket without a handle
 * ```ts
 * import net from "node:net";
 * import assert from "node:assert/strict";
 * import { tlsDataFlow } from "./tls_upgrade.ts";
 * const flow = tlsDataFlow(new net.Socket());
 * // No handle yet: nothing to stop, and no error.
 * assert.doesNotThrow(() => {
 *   flow.pause();
 *   flow.resume();
 * });
 * ```
 * @param tcp The TCP socket the TLS socket runs over.
 * @returns pause() and resume() for the pump.
 */
export function tlsDataFlow(tcp: net.Socket): { pause(): void; resume(): void } {
  type Handle = { readStop?: () => unknown; readStart?: () => unknown } | null | undefined;
  const handle = () => (tcp as unknown as { _handle?: Handle })._handle;
  return {
    pause: () => {
      const h = handle();
      if (typeof h?.readStop === "function" && typeof h.readStart === "function") h.readStop();
    },
    resume: () => {
      const h = handle();
      if (typeof h?.readStart === "function") h.readStart();
    },
  };
}

/** "CERT_HAS_EXPIRED: certificate has expired", or the message alone without a code. */
function describeTlsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = describeError(error);
  return typeof code === "string" && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/**
 * Runs the TLS handshake on a connected socket and verifies the peer: its
 * certificate must chain to `caCerts` (or the system's roots) and name
 * `serverName`, or the destination `host` when no name is given (then no
 * SNI is sent). The socket is destroyed unless the outcome is ok.
 *
 * @example Upgrade a socket from a PD's source (sketch)
 * ```ts ignore
 * const outcome = await upgradeTls(socket, "198.51.100.80", { serverName: "www.example" },
 *   Date.now() + 5000, signal);
 * if (!outcome.ok) console.log(outcome.detail); // "ERR_TLS_CERT_ALTNAME_INVALID: ..."
 * ```
 * @param socket The connected TCP socket, made without an `onread` option.
 * @param host The destination IP, without a zone: checked when no serverName is given.
 * @param options The TLS options.
 * @param deadline Date.now() by which the handshake must be done.
 * @param signal Cancels the handshake.
 * @returns The TLS socket and what it negotiated, or why not.
 */
export function upgradeTls(
  socket: net.Socket,
  host: string,
  options: TlsOptions,
  deadline: number,
  signal: AbortSignal,
): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    let secure: tls.TLSSocket;
    try {
      secure = tls.connect({
        socket,
        host,
        ...(options.serverName === undefined ? {} : { servername: options.serverName }),
        ...(options.caCerts === undefined ? {} : { ca: [...options.caCerts] }),
        ...(options.alpnProtocols === undefined
          ? {}
          : { ALPNProtocols: [...options.alpnProtocols] }),
        rejectUnauthorized: true,
        allowHalfOpen: true,
      } as tls.ConnectionOptions);
    } catch (error) {
      socket.destroy();
      resolve({ ok: false, cancelled: false, detail: describeTlsError(error) });
      return;
    }
    const finish = (outcome: TlsOutcome) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      secure.off("secureConnect", onSecure);
      secure.off("error", onError);
      secure.off("close", onClose);
      if (!outcome.ok) {
        secure.on("error", () => {}); // Late errors of an abandoned socket have no reader.
        secure.destroy();
        socket.destroy();
      }
      resolve(outcome);
    };
    const onSecure = () => {
      // rejectUnauthorized makes an unverified peer an error; this is a second lock.
      if (!secure.authorized) {
        const why = secure.authorizationError;
        return finish({
          ok: false,
          cancelled: false,
          detail: `the peer is not verified: ${describeTlsError(why ?? "unknown")}`,
        });
      }
      finish({ ok: true, socket: secure, info: tlsInfo(secure) });
    };
    const onError = (error: unknown) =>
      finish({ ok: false, cancelled: false, detail: describeTlsError(error) });
    const onClose = () =>
      finish({ ok: false, cancelled: false, detail: "the peer closed the connection" });
    const onAbort = () => finish({ ok: false, cancelled: true, detail: "stopped" });
    const timer = setTimeout(
      () => finish({ ok: false, cancelled: false, detail: "the handshake did not finish in time" }),
      Math.max(0, deadline - Date.now()),
    );
    secure.once("secureConnect", onSecure);
    secure.once("error", onError);
    secure.once("close", onClose);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
