/**
 * One end of the test bed's user-space tunnel, as a VPN client is one end
 * of its tunnel: it holds a TUN device open and carries every packet the
 * kernel routes into it to the other end over a Unix stream socket, and
 * writes what the other end sends into the device, where the kernel
 * receives it:
 *
 *   deno run --no-config --allow-ffi --allow-read --allow-write --allow-net tun_tunnel.ts <device> <socket> listen|connect
 *
 * One end runs in the test bed's host namespace with the "VPN" link, the
 * other in the VPN server's namespace (a Unix socket is a file: it joins
 * processes in different network namespaces). `listen` makes the socket
 * (replacing a stale one) and prints "ready" once it listens; `connect`
 * prints "ready" once connected. Each packet crosses the socket as a
 * 2-byte big-endian length and the packet (IFF_TUN | IFF_NO_PI, as
 * tests/testbed/delay_line.ts opens it). It exits with status 0 on SIGTERM
 * or SIGINT, or when the other end goes away.
 *
 * @module
 */

import { LIBC, MAX_PACKET, openTun } from "./delay_line.ts";

/** Frames packets for the stream: a 2-byte big-endian length, then the packet. */
export function frame(packet: Uint8Array): Uint8Array {
  const out = new Uint8Array(packet.length + 2);
  new DataView(out.buffer).setUint16(0, packet.length);
  out.set(packet, 2);
  return out;
}

/**
 * Splits a stream of frames back into packets, keeping an incomplete tail.
 *
 * @example Two frames in one chunk and a partial third
 * ```ts
 * import { frame, Unframer } from "./tun_tunnel.ts";
 * import assert from "node:assert/strict";
 * const u = new Unframer();
 * const a = frame(new Uint8Array([1])), b = frame(new Uint8Array([2, 3]));
 * const c = frame(new Uint8Array([4]));
 * assert.deepEqual(u.push(new Uint8Array([...a, ...b, ...c.slice(0, 1)])), [
 *   new Uint8Array([1]),
 *   new Uint8Array([2, 3]),
 * ]);
 * assert.deepEqual(u.push(c.slice(1)), [new Uint8Array([4])]);
 * ```
 */
export class Unframer {
  #buffer = new Uint8Array(0);

  /**
   * Adds bytes from the stream.
   *
   * @param chunk The bytes.
   * @returns The packets completed by them.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const all = new Uint8Array(this.#buffer.length + chunk.length);
    all.set(this.#buffer);
    all.set(chunk, this.#buffer.length);
    const packets: Uint8Array[] = [];
    let at = 0;
    while (all.length - at >= 2) {
      const length = (all[at] << 8) | all[at + 1];
      if (all.length - at - 2 < length) break;
      packets.push(all.slice(at + 2, at + 2 + length));
      at += 2 + length;
    }
    this.#buffer = all.slice(at);
    return packets;
  }
}

async function open(socket: string, mode: string): Promise<Deno.Conn> {
  if (mode === "listen") {
    await Deno.remove(socket).catch(() => {});
    const listener = Deno.listen({ transport: "unix", path: socket });
    console.log("ready");
    const conn = await listener.accept();
    listener.close();
    return conn;
  }
  if (mode === "connect") {
    const conn = await Deno.connect({ transport: "unix", path: socket });
    console.log("ready");
    return conn;
  }
  throw new Error(`Cannot start the tunnel: mode "${mode}" is not listen or connect`);
}

async function main(): Promise<void> {
  const [device, socket, mode] = Deno.args;
  let lib: Deno.DynamicLibrary<typeof LIBC>;
  let fd: number;
  try {
    if (!device || !socket) {
      throw new Error(
        "Cannot start the tunnel: usage: tun_tunnel.ts <device> <socket> listen|connect",
      );
    }
    lib = Deno.dlopen("libc.so.6", LIBC);
    fd = openTun(lib.symbols, device);
  } catch (error) {
    console.log((error as Error).message);
    Deno.exit(1);
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => Deno.exit(0));
  }
  let conn: Deno.Conn;
  try {
    conn = await open(socket, mode);
  } catch (error) {
    console.log((error as Error).message);
    Deno.exit(1);
  }
  const libc = lib.symbols;
  const writer = conn.writable.getWriter();
  // The other end's packets into the device.
  (async () => {
    const unframer = new Unframer();
    for await (const chunk of conn.readable) {
      for (const packet of unframer.push(chunk)) {
        libc.write(fd, packet, BigInt(packet.length));
      }
    }
    Deno.exit(0);
  })().catch(() => Deno.exit(0));
  // The device's packets to the other end.
  const buffer = new Uint8Array(MAX_PACKET);
  while (true) {
    const n = Number(await libc.read(fd, buffer, BigInt(buffer.length)));
    if (n > 0) {
      await writer.write(frame(buffer.slice(0, n))).catch(() => Deno.exit(0));
    } else {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

if (import.meta.main) await main();
