/**
 * The sockets of the simulated platform: a DNS server (UDP, and TCP for
 * truncated answers) on every dns-servers address of a scenario that has a
 * `names` table, and its TCP `services`. All on loopback. A socket that
 * cannot be opened (a port below 1024 without privileges, a port in use, an
 * address the host does not have) becomes a note, and the rest still runs;
 * a port in use is tried again every second until it is free.
 *
 * @module
 */

import dgram from "node:dgram";
import net from "node:net";
import { Buffer } from "node:buffer";
import type { SourceNote } from "../../protocol/model.ts";
import { parseServer, serverText } from "../../ip/server_address.ts";
import { describeError } from "../../protocol/text.ts";
import type { Scenario } from "./scenario.ts";
import { scenarioDnsServers } from "./scenario_names.ts";
import { answerQuery, UDP_LIMIT } from "./sim_dns.ts";

type Closable = dgram.Socket | net.Server;

/**
 * What {@linkcode startListeners} opened.
 *
 * @example A service whose port is taken is a note, not an error
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * import { startListeners } from "./sim_listeners.ts";
 * import assert from "node:assert/strict";
 * using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const scenario = parseScenario(JSON.stringify({
 *   name: "taken",
 *   interfaces: [],
 *   services: [{ address: "127.0.0.1", port: taken.addr.port }],
 * }));
 * const listeners = await startListeners(scenario);
 * await listeners.close();
 * assert.equal(listeners.notes.length, 1);
 * assert.equal(listeners.notes[0].source, `sim service 127.0.0.1:${taken.addr.port}`);
 * assert.match(listeners.notes[0].reason, /^Cannot listen: the port is in use/);
 * ```
 */
export interface SimListeners {
  /**
   * One note per server or service that cannot listen now, in the
   * scenario's order (DNS servers first). A port in use is tried again
   * every {@linkcode RETRY_INTERVAL} ms, and its note goes once it listens.
   */
  readonly notes: readonly SourceNote[];
  /** Closes every socket and connection. */
  close(): Promise<void>;
}

function closeSocket(socket: Closable): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** Why a socket could not be opened, for a person. */
function why(error: unknown, host: string, port: number): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return port < 1024
        ? `permission denied (ports below 1024 need privileges on Linux: run as root or lower net.ipv4.ip_unprivileged_port_start)`
        : "permission denied";
    case "EADDRINUSE":
      return "the port is in use (another program, or another mif playing this scenario, listens there)";
    case "EADDRNOTAVAIL":
    case "EAFNOSUPPORT":
      return host.includes(":")
        ? `the host has no address ${host} (IPv6 is off on its loopback interface)`
        : `the host has no address ${host} (macOS has only 127.0.0.1 on lo0: sudo ifconfig lo0 alias ${host})`;
    default:
      return describeError(error);
  }
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const udp = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      udp.close();
      reject(error);
    };
    udp.once("error", fail);
    udp.bind({ address: host, port, exclusive: true }, () => {
      udp.off("error", fail);
      resolve(udp);
    });
  });
}

function listenTcp(host: string, port: number, serve: (socket: net.Socket) => void) {
  const tcp = net.createServer(serve);
  return new Promise<net.Server>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ host, port, exclusive: true }, () => {
      tcp.off("error", reject);
      tcp.on("error", () => {}); // A failed accept: the next one may work.
      resolve(tcp);
    });
  });
}

/**
 * How often a port that was in use is tried again, in milliseconds.
 *
 * @example A second mif playing the same scenario takes over within a second
 * ```ts
 * import { RETRY_INTERVAL } from "./sim_listeners.ts";
 * import assert from "node:assert/strict";
 * assert.equal(RETRY_INTERVAL, 1000);
 * ```
 */
export const RETRY_INTERVAL = 1000;

/** Every socket, connection, retry and note of one platform, closed together. */
class Sockets {
  readonly open: Closable[] = [];
  readonly connections = new Set<net.Socket>();
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Retries under way: close() waits for them (one that opens then closes its sockets). */
  readonly retries = new Set<Promise<void>>();
  /** One slot per server and service, in the scenario's order: its note, if any. */
  readonly slots: (SourceNote | undefined)[] = [];
  closed = false;

  constructor(readonly onChange: () => void) {}

  get notes(): SourceNote[] {
    return this.slots.filter((note) => note !== undefined);
  }

  /** Tracks a connection until it closes; its errors (a client hanging up) just close it. */
  track(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on("close", () => this.connections.delete(socket));
    socket.on("error", () => socket.destroy());
  }

  /**
   * Opens one server or service's sockets into a slot. A failure becomes the
   * slot's note; a port in use is tried again every RETRY_INTERVAL ms (the
   * program holding it, often another mif playing the same scenario, may
   * exit), and onChange says when the note changes after start.
   */
  async attempt(slot: number, source: string, host: string, port: number, open: Opener) {
    let opened: Closable[];
    try {
      opened = await open();
    } catch (error) {
      if (this.closed) return;
      const reason = `Cannot listen: ${why(error, host, port)}`;
      const changed = this.slots[slot]?.reason !== reason;
      this.slots[slot] = { source, reason };
      if ((error as { code?: string }).code === "EADDRINUSE") {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          const retry = this.attempt(slot, source, host, port, open);
          this.retries.add(retry);
          retry.finally(() => this.retries.delete(retry));
        }, RETRY_INTERVAL);
        this.timers.add(timer);
      }
      if (changed) this.onChange();
      return;
    }
    if (this.closed) return void await Promise.all(opened.map(closeSocket));
    this.open.push(...opened);
    if (this.slots[slot] !== undefined) {
      this.slots[slot] = undefined;
      this.onChange();
    }
  }

  /** Stops retrying and accepting, then ends every connection (a server's close waits for them). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closing = this.open.splice(0).map(closeSocket);
    for (const socket of this.connections) socket.destroy();
    await Promise.all([...closing, ...this.retries]);
  }
}

/** Opens the sockets of one server or service, or fails with the first error. */
type Opener = () => Promise<Closable[]>;

/** A DNS server: UDP and TCP on one address and port. */
function dnsOpener(sockets: Sockets, key: string, names: Scenario["names"] & object): Opener {
  const { host, port } = parseServer(key, "sim")!;
  return async () => {
    const udp = await bindUdp(host, port);
    udp.on("error", () => {}); // A send to a client that went away: nothing to do.
    udp.on("message", (message, from) => {
      const answer = answerQuery(message, names, key, UDP_LIMIT);
      if (answer) udp.send(answer, from.port, from.address);
    });
    try {
      return [udp, await listenTcp(host, port, (s) => serveDnsTcp(sockets, s, key, names))];
    } catch (error) {
      await closeSocket(udp);
      throw error;
    }
  };
}

/** RFC 1035 §4.2.2: TCP messages carry a two-octet length prefix. */
function serveDnsTcp(
  sockets: Sockets,
  socket: net.Socket,
  key: string,
  names: Scenario["names"] & object,
) {
  sockets.track(socket);
  let pending = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + message.length);
      const answer = answerQuery(message, names, key);
      if (!answer) return void socket.destroy(); // Not a query: hang up.
      const length = Buffer.alloc(2);
      length.writeUInt16BE(answer.length);
      socket.write(Buffer.concat([length, answer]));
    }
  });
  socket.on("end", () => socket.end());
}

/** A TCP service: the reply, then FIN; or an echo until the client's FIN. */
function serviceOpener(sockets: Sockets, host: string, port: number, reply?: string): Opener {
  return async () => [
    await listenTcp(host, port, (socket) => {
      sockets.track(socket);
      if (reply !== undefined) return void socket.end(reply);
      socket.on("data", (chunk: Buffer) => socket.write(chunk));
      socket.on("end", () => socket.end());
    }),
  ];
}

/**
 * Opens a scenario's DNS servers (when it has a `names` table) and services.
 *
 * @example Serve a reply on a loopback port, then close
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * import { startListeners } from "./sim_listeners.ts";
 * import assert from "node:assert/strict";
 * const scenario = parseScenario(JSON.stringify({
 *   name: "served",
 *   interfaces: [],
 *   services: [{ address: "127.0.0.1", port: 47001, reply: "hi" }],
 * }));
 * const listeners = await startListeners(scenario);
 * try {
 *   assert.deepEqual(listeners.notes, []);
 *   const conn = await Deno.connect({ hostname: "127.0.0.1", port: 47001 });
 *   assert.equal(await new Response(conn.readable).text(), "hi");
 * } finally {
 *   await listeners.close();
 * }
 * await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: 47001 }), Deno.errors.ConnectionRefused);
 * ```
 * @param scenario The scenario.
 * @param onChange Called when the notes change after this returns (a port
 *   in use became free and is listened on now).
 * @returns The open sockets and the notes of those that could not be opened.
 */
export async function startListeners(
  scenario: Scenario,
  onChange: () => void = () => {},
): Promise<SimListeners> {
  let started = false;
  const sockets = new Sockets(() => started && onChange());
  const names = scenario.names;
  const servers = names ? scenarioDnsServers(scenario.interfaces, scenario.timeline) : [];
  const services = scenario.services ?? [];
  sockets.slots.length = servers.length + services.length;
  await Promise.all([
    ...servers.map((key, i) => {
      const { host, port } = parseServer(key, "sim")!;
      return sockets.attempt(
        i,
        `sim DNS server ${key}`,
        host,
        port,
        dnsOpener(sockets, key, names!),
      );
    }),
    ...services.map((s, i) =>
      sockets.attempt(
        servers.length + i,
        `sim service ${serverText(s.address, s.port)}`,
        s.address,
        s.port,
        serviceOpener(sockets, s.address, s.port, s.reply),
      )
    ),
  ]);
  started = true;
  return {
    get notes() {
      return sockets.notes;
    },
    close: () => sockets.close(),
  };
}
