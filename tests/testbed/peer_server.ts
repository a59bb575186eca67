/**
 * The test bed's TCP peer, run in a router namespace:
 *
 *   deno run --allow-net peer_server.ts <port> <address>...
 *
 * Listens on every address at the port and prints "listening" once all
 * listeners are up. For each connection it first writes
 * "<remote address> <remote port>\n" (the client's source address as this
 * namespace sees it), then echoes everything it receives until the client
 * closes. Runs until killed; a failing connection never stops it. Only
 * Deno built-ins, so it runs offline.
 *
 * @module
 */

/**
 * The line a peer writes first on a connection.
 *
 * @example The client's address and port
 * ```ts
 * import { greeting } from "./peer_server.ts";
 * console.log(greeting({ transport: "tcp", hostname: "198.51.100.101", port: 40000 }));
 * // "198.51.100.101 40000\n"
 * ```
 * @param remote The client's address.
 * @returns The line, newline included.
 */
export function greeting(remote: Deno.NetAddr): string {
  return `${remote.hostname} ${remote.port}\n`;
}

/** Greets one client and echoes until it closes; never throws. */
async function serve(conn: Deno.TcpConn): Promise<void> {
  try {
    const line = new TextEncoder().encode(greeting(conn.remoteAddr));
    for (let n = 0; n < line.length;) n += await conn.write(line.subarray(n));
    await conn.readable.pipeTo(conn.writable);
  } catch {
    // A reset or an early close ends only this connection.
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * Accepts connections until the listener closes. A client that resets
 * before its connection is accepted fails only that accept (ENOTCONN).
 */
async function acceptAll(listener: Deno.TcpListener): Promise<void> {
  while (true) {
    let conn: Deno.TcpConn;
    try {
      conn = await listener.accept();
    } catch (error) {
      if (error instanceof Deno.errors.BadResource) return;
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    serve(conn);
  }
}

/**
 * Reads the command line: the port, then the addresses.
 *
 * @example A port and two addresses
 * ```ts
 * import { parseArgs } from "./peer_server.ts";
 * console.log(parseArgs(["8080", "198.51.100.80", "2001:db8:a::80"]));
 * // { port: 8080, addresses: ["198.51.100.80", "2001:db8:a::80"] }
 * ```
 * @param args The program's arguments.
 * @returns The port and the addresses.
 * @throws {Error} When the port is not a number or no address is given.
 */
export function parseArgs(args: readonly string[]): { port: number; addresses: string[] } {
  const [portText, ...addresses] = args;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || addresses.length === 0) {
    throw new Error(
      `Cannot start the peer: expected "<port> <address>...", got "${args.join(" ")}"`,
    );
  }
  return { port, addresses };
}

/** Listens on every address, or reports on stdout (which the test bed reads) and exits. */
function listenAll(port: number, addresses: readonly string[]): Deno.TcpListener[] {
  return addresses.map((hostname) => {
    try {
      return Deno.listen({ hostname, port });
    } catch (error) {
      console.log(`Cannot listen on ${hostname} port ${port}: ${(error as Error).message}`);
      Deno.exit(1);
    }
  });
}

if (import.meta.main) {
  const { port, addresses } = parseArgs(Deno.args);
  const listeners = listenAll(port, addresses);
  console.log("listening");
  await Promise.all(listeners.map(acceptAll));
}
