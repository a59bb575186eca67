/**
 * The test bed's HTTPS server, run in the racing topology's srv namespace
 * (TestBed.startHttps):
 *
 *   deno run --allow-net --allow-read https_server.ts <port> <cert.pem> <key.pem> <address>...
 *
 * One `Deno.serve` per address, with the certificate and key: it speaks
 * HTTP/2 and HTTP/1.1, chosen by ALPN. Prints "listening" once every
 * address listens. Endpoints ({@linkcode handle}):
 *
 * - `/`: `"<client address> <client port>\n"`, the client as this server sees it;
 * - `/bytes/N`: N bytes (byte i is i mod 256), streamed in 64 KiB chunks
 *   without a Content-Length (chunked over HTTP/1.1), never buffered whole;
 * - `/redirect?to=URL`: 302 to URL;
 * - `/echo`: JSON `{ method, url, headers, body }` of the request (body as text);
 * - `/version`: `"HTTP/2\n"` or `"HTTP/1.1\n"`. Deno.serve does not say
 *   which version a request came over, so it is inferred: an HTTP/1.1
 *   request always has a Host header (RFC 9112 §3.2), while over HTTP/2
 *   the authority travels as `:authority` and Deno.serve passes no Host
 *   header (a client sending both would be counted as HTTP/1.1).
 *
 * Anything else is 404. Only Deno built-ins, so it runs offline.
 *
 * @module
 */

import { greeting } from "./peer_server.ts";

/** The most `/bytes/N` sends: 1 GiB. */
export const MAX_BYTES = 1 << 30;

const CHUNK = 64 * 1024;
/** byte i = i mod 256; CHUNK is a multiple of 256, so the pattern runs on across chunks. */
const BLOCK = Uint8Array.from({ length: CHUNK }, (_, i) => i & 0xff);

/** A stream of `total` bytes of the pattern, made one chunk per pull. */
function byteStream(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const n = Math.min(CHUNK, total - sent);
      if (n <= 0) {
        controller.close();
        return;
      }
      controller.enqueue(n === CHUNK ? BLOCK.slice() : BLOCK.slice(0, n));
      sent += n;
    },
  }, { highWaterMark: 4 });
}

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}

/**
 * Answers one request (see the module documentation).
 *
 * @example The greeting and a redirect
 * ```ts
 * import { handle } from "./https_server.ts";
 * import assert from "node:assert/strict";
 * const remoteAddr = { transport: "tcp", hostname: "203.0.113.101", port: 40000 } as const;
 * const hello = await handle(new Request("https://race.mif.example/"), remoteAddr);
 * assert.equal(await hello.text(), "203.0.113.101 40000\n");
 * const to = "https://other.mif.example/";
 * const r = await handle(new Request(`https://race.mif.example/redirect?to=${to}`), remoteAddr);
 * assert.equal(r.status, 302);
 * assert.equal(r.headers.get("location"), to);
 * ```
 * @param request The request.
 * @param remoteAddr The client's address.
 * @returns The response.
 */
export async function handle(request: Request, remoteAddr: Deno.NetAddr): Promise<Response> {
  const url = new URL(request.url);
  const bytes = /^\/bytes\/(\d+)$/.exec(url.pathname);
  if (url.pathname === "/") return text(greeting(remoteAddr));
  if (bytes) {
    const n = Number(bytes[1]);
    if (n > MAX_BYTES) return text(`at most ${MAX_BYTES} bytes\n`, 400);
    return new Response(byteStream(n), {
      headers: { "content-type": "application/octet-stream" },
    });
  }
  if (url.pathname === "/redirect") {
    const to = url.searchParams.get("to");
    if (!to) return text("redirect needs ?to=URL\n", 400);
    return new Response(null, { status: 302, headers: { location: to } });
  }
  if (url.pathname === "/echo") {
    return Response.json({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    });
  }
  if (url.pathname === "/version") {
    return text(request.headers.has("host") ? "HTTP/1.1\n" : "HTTP/2\n");
  }
  return text("not found\n", 404);
}

/**
 * Reads the command line: the port, the certificate and key files, then the addresses.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./https_server.ts";
 * console.log(parseArgs(["443", "/tmp/cert.pem", "/tmp/key.pem", "198.18.10.80"]));
 * // { port: 443, cert: "/tmp/cert.pem", key: "/tmp/key.pem", addresses: ["198.18.10.80"] }
 * ```
 * @param args The program's arguments.
 * @returns The port, the files and the addresses.
 * @throws {Error} When the port is not a number, or a file or the addresses are missing.
 */
export function parseArgs(
  args: readonly string[],
): { port: number; cert: string; key: string; addresses: string[] } {
  const [portText, cert, key, ...addresses] = args;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !key || addresses.length === 0) {
    throw new Error(
      `Cannot start the HTTPS server: expected "<port> <cert.pem> <key.pem> <address>...", got "${
        args.join(" ")
      }"`,
    );
  }
  return { port, cert, key, addresses };
}

if (import.meta.main) {
  const { port, cert: certFile, key: keyFile, addresses } = parseArgs(Deno.args);
  const cert = await Deno.readTextFile(certFile);
  const key = await Deno.readTextFile(keyFile);
  const listening = addresses.map((hostname) => {
    const { promise, resolve } = Promise.withResolvers<void>();
    try {
      Deno.serve({
        hostname,
        port,
        cert,
        key,
        onListen: () => resolve(),
        onError: (error) => text(`${(error as Error).message}\n`, 500),
      }, (request, info) => handle(request, info.remoteAddr));
    } catch (error) {
      // stdout is what the test bed reads.
      console.log(`Cannot listen on ${hostname} port ${port}: ${(error as Error).message}`);
      Deno.exit(1);
    }
    return promise;
  });
  await Promise.all(listening);
  console.log("listening");
}
