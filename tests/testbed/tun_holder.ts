/**
 * Holds a TUN device open so that it has carrier, as a VPN client does with
 * its tunnel device, and reads (drops) what the kernel routes into it:
 *
 *   deno run --no-config --allow-ffi tun_holder.ts <device>
 *
 * It prints "ready" once the device is open and exits with status 0 on
 * SIGTERM or SIGINT. No packet goes anywhere: the test bed uses it for a
 * VPN-like link whose addresses, routes and DNS configuration mif reports,
 * not for traffic.
 *
 * @module
 */

import { LIBC, MAX_PACKET, openTun } from "./delay_line.ts";

if (import.meta.main) {
  const [name] = Deno.args;
  let lib: Deno.DynamicLibrary<typeof LIBC>;
  let fd: number;
  try {
    if (!name) throw new Error("Cannot hold a TUN device: usage: tun_holder.ts <device>");
    lib = Deno.dlopen("libc.so.6", LIBC);
    fd = openTun(lib.symbols, name);
  } catch (error) {
    console.log((error as Error).message);
    Deno.exit(1);
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => Deno.exit(0));
  }
  console.log("ready");
  const buffer = new Uint8Array(MAX_PACKET);
  while (true) {
    const n = Number(await lib.symbols.read(fd, buffer, BigInt(buffer.length)));
    if (n <= 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
