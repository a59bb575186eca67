/**
 * Reads the TLS version (and, up to TLS 1.2, the ALPN protocol) from a
 * server's first bytes: the ServerHello (RFC 8446 §4.1.3, RFC 5246
 * §7.4.1.3) travels in the clear. fetch() sees them as they pass its tunnel
 * without taking part in the handshake, which Deno's own TLS stack does.
 * TLS 1.3 sends the ALPN choice encrypted (EncryptedExtensions), so there
 * it stays unknown.
 *
 * @module
 */

/** What a ServerHello says. */
export interface TlsHello {
  /** The version chosen, as node:tls names it: "TLSv1.3", "TLSv1.2", ... */
  readonly version: string;
  /** The ALPN protocol chosen; undefined when the hello cannot tell (TLS 1.3 encrypts it). */
  readonly alpnProtocol?: string | null;
}

const VERSIONS: Readonly<Record<number, string>> = {
  0x0304: "TLSv1.3",
  0x0303: "TLSv1.2",
  0x0302: "TLSv1.1",
  0x0301: "TLSv1",
};

const SUPPORTED_VERSIONS = 0x002b;
const ALPN = 0x0010;

/** Reads extensions from `at` to `end`: supported_versions and ALPN. */
function extensions(bytes: Uint8Array, at: number, end: number) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let selected: number | undefined;
  let alpn: string | null = null;
  while (at + 4 <= end) {
    const type = view.getUint16(at);
    const length = view.getUint16(at + 2);
    const data = at + 4;
    if (data + length > end) return undefined;
    if (type === SUPPORTED_VERSIONS && length === 2) selected = view.getUint16(data);
    if (type === ALPN && length >= 3) {
      alpn = new TextDecoder().decode(bytes.subarray(data + 3, data + 3 + bytes[data + 2]));
    }
    at = data + length;
  }
  return { selected, alpn };
}

/**
 * Parses the start of a server's byte stream.
 *
 * @example A TLS 1.2 ServerHello that chose h2
 * ```ts
 * import { parseServerHello } from "./tls_hello.ts";
 * import assert from "node:assert/strict";
 * const alpn = [0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x32]; // "h2"
 * const body = [0x03, 0x03, ...new Array(32).fill(0), 0, 0xc0, 0x2f, 0, 0, alpn.length, ...alpn];
 * const handshake = [2, 0, 0, body.length, ...body];
 * const record = [22, 3, 3, 0, handshake.length, ...handshake];
 * assert.deepEqual(parseServerHello(new Uint8Array(record)), { version: "TLSv1.2", alpnProtocol: "h2" });
 * assert.equal(parseServerHello(new Uint8Array(record.slice(0, 20))), "incomplete");
 * assert.equal(parseServerHello(new TextEncoder().encode("HTTP/1.1 200 OK")), undefined);
 * ```
 * @param bytes The first bytes the server sent.
 * @returns The hello, "incomplete" when more bytes are needed, undefined when it is no ServerHello.
 */
export function parseServerHello(bytes: Uint8Array): TlsHello | "incomplete" | undefined {
  if (bytes.length < 9) return bytes.length === 0 || bytes[0] === 22 ? "incomplete" : undefined;
  if (bytes[0] !== 22 || bytes[1] !== 3 || bytes[5] !== 2) return undefined;
  const length = (bytes[6] << 16) | (bytes[7] << 8) | bytes[8];
  const end = 9 + length;
  if (bytes.length < end) return "incomplete";
  const legacy = (bytes[9] << 8) | bytes[10];
  let at = 11 + 32;
  at += 1 + bytes[at]; // session id
  at += 3; // cipher suite, compression method
  if (at > end) return undefined;
  const found = at + 2 <= end
    ? extensions(bytes, at + 2, Math.min(end, at + 2 + ((bytes[at] << 8) | bytes[at + 1])))
    : { selected: undefined, alpn: null };
  if (found === undefined) return undefined;
  const version = VERSIONS[found.selected ?? legacy];
  if (version === undefined) return undefined;
  return version === "TLSv1.3" ? { version } : { version, alpnProtocol: found.alpn };
}
