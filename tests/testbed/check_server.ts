/**
 * The test bed's connectivity-check responders (TestBed.create({ check: true })),
 * plain HTTP, run in a router or server namespace:
 *
 *   deno run --allow-net check_server.ts <port> full <address>...
 *   deno run --allow-net check_server.ts <port> portal <portal URL> <address>...
 *
 * One `Deno.serve` per address; prints "listening" once every address
 * listens. `full` ({@linkcode handleFull}) is what a probe expects from
 * the Internet: `/generate_204` answers 204 No Content, `/` the client as
 * this server sees it (`"<address> <port>\n"`), anything else 404.
 * `portal` ({@linkcode handlePortal}) is a captive portal: every request
 * is answered 302 to the portal URL, except the portal URL's own path,
 * which is a 200 login page. Only Deno built-ins, so it runs offline.
 *
 * @module
 */

import { greeting } from "./peer_server.ts";

/** The path a connectivity probe asks for. */
export const PROBE_PATH = "/generate_204";

/**
 * Answers one request as a server on the Internet does.
 *
 * @example The probe and the greeting
 * ```ts
 * import { handleFull } from "./check_server.ts";
 * import assert from "node:assert/strict";
 * const remoteAddr = { transport: "tcp", hostname: "198.51.100.101", port: 40000 } as const;
 * assert.equal(handleFull(new Request("http://probe.mif.example/generate_204"), remoteAddr).status, 204);
 * const hello = handleFull(new Request("http://race.mif.example/"), remoteAddr);
 * assert.equal(await hello.text(), "198.51.100.101 40000\n");
 * ```
 * @param request The request.
 * @param remoteAddr The client's address.
 * @returns 204 for the probe, the greeting for `/`, else 404.
 */
export function handleFull(request: Request, remoteAddr: Deno.NetAddr): Response {
  const { pathname } = new URL(request.url);
  if (pathname === PROBE_PATH) return new Response(null, { status: 204 });
  if (pathname === "/") return new Response(greeting(remoteAddr));
  return new Response("not found\n", { status: 404 });
}

/**
 * Answers one request as a captive portal does.
 *
 * @example The probe is redirected; the login page is not
 * ```ts
 * import { handlePortal } from "./check_server.ts";
 * import assert from "node:assert/strict";
 * const portal = "http://portal.mif.example/login";
 * const probe = handlePortal(new Request("http://probe.mif.example/generate_204"), portal);
 * assert.equal(probe.status, 302);
 * assert.equal(probe.headers.get("location"), portal);
 * assert.equal(handlePortal(new Request(portal), portal).status, 200);
 * ```
 * @param request The request.
 * @param portalUrl Where every request is sent.
 * @returns 302 to `portalUrl`, or 200 with the login page for its path.
 */
export function handlePortal(request: Request, portalUrl: string): Response {
  if (new URL(request.url).pathname === new URL(portalUrl).pathname) {
    return new Response("<!doctype html><title>Log in</title><form method=post></form>\n", {
      headers: { "content-type": "text/html" },
    });
  }
  return new Response(null, { status: 302, headers: { location: portalUrl } });
}

/** What the command line asks for. */
export type CheckServerArgs =
  | { port: number; mode: "full"; addresses: string[] }
  | { port: number; mode: "portal"; portalUrl: string; addresses: string[] };

/**
 * Reads the command line.
 *
 * @example A captive portal
 * ```ts
 * import { parseArgs } from "./check_server.ts";
 * console.log(parseArgs(["80", "portal", "http://portal.mif.example/login", "203.0.113.1"]));
 * // { port: 80, mode: "portal", portalUrl: "http://portal.mif.example/login", addresses: ["203.0.113.1"] }
 * ```
 * @param args The program's arguments.
 * @returns The port, the mode (and portal URL) and the addresses.
 * @throws {Error} For a bad port, mode or portal URL, or no address.
 */
export function parseArgs(args: readonly string[]): CheckServerArgs {
  const [portText, mode, ...rest] = args;
  const port = Number(portText);
  const portalUrl = mode === "portal" ? rest.shift() : undefined;
  if (
    !Number.isInteger(port) || port < 1 || port > 65535 || rest.length === 0 ||
    (mode !== "full" && mode !== "portal") ||
    (mode === "portal" && !URL.canParse(portalUrl ?? ""))
  ) {
    throw new Error(
      `Cannot start the check server: expected "<port> full <address>..." or "<port> portal <URL> <address>...", got "${
        args.join(" ")
      }"`,
    );
  }
  return mode === "full"
    ? { port, mode, addresses: rest }
    : { port, mode, portalUrl: portalUrl!, addresses: rest };
}

if (import.meta.main) {
  const args = parseArgs(Deno.args);
  const listening = args.addresses.map((hostname) => {
    const { promise, resolve } = Promise.withResolvers<void>();
    try {
      Deno.serve(
        {
          hostname,
          port: args.port,
          onListen: () => resolve(),
          onError: (error) => new Response(`${(error as Error).message}\n`, { status: 500 }),
        },
        (request, info) =>
          args.mode === "full"
            ? handleFull(request, info.remoteAddr)
            : handlePortal(request, args.portalUrl),
      );
    } catch (error) {
      // stdout is what the test bed reads.
      console.log(`Cannot listen on ${hostname} port ${args.port}: ${(error as Error).message}`);
      Deno.exit(1);
    }
    return promise;
  });
  await Promise.all(listening);
  console.log("listening");
}
