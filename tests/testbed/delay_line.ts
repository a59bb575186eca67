/**
 * The test bed's delay line, run in a router namespace:
 *
 *   deno run --no-config --allow-ffi delay_line.ts <tunIn> <tunOut> <delayMs>
 *
 * The kernel here has no netem qdisc, so delay is added in user space:
 * the program opens two TUN devices (IFF_TUN | IFF_NO_PI, through libc's
 * open and ioctl(TUNSETIFF) with Deno's FFI), reads every packet the
 * kernel routes into tunIn, holds it delayMs milliseconds and writes it
 * unchanged to tunOut, where the kernel receives it and routes it on. The
 * order is kept. TUNSETIFF attaches to an existing device (e.g. one made
 * persistent with `ip tuntap add dev <name> mode tun`) or creates one that
 * lives as long as the program.
 *
 * It prints "ready" once both devices are open, never stops for a bad
 * packet or a failed write (it counts them and reports the counts on
 * stderr when it exits), and exits with status 0 on SIGTERM or SIGINT.
 *
 * Flags: only --allow-ffi. Deno 2.9 needs no --unstable-ffi (FFI is
 * stable since Deno 2.0); --allow-read and --allow-write are not needed
 * because /dev/net/tun is opened by libc, not by Deno. Linux with glibc.
 *
 * @module
 */

/** ioctl request that attaches a file descriptor to a TUN/TAP device: _IOW('T', 202, int). */
export const TUNSETIFF = 0x400454ca;
/** ifr_flags: a TUN (layer 3) device. */
export const IFF_TUN = 0x0001;
/** ifr_flags: no packet information header before each packet. */
export const IFF_NO_PI = 0x1000;
/** The longest interface name, its terminating NUL included. */
export const IFNAMSIZ = 16;
/** sizeof(struct ifreq) on 64-bit Linux: the name, then a 24-byte union. */
export const IFREQ_SIZE = 40;
/** The largest packet a TUN device hands over (its MTU is at most 65535). */
export const MAX_PACKET = 65536;

const O_RDWR = 0o2;
const O_CLOEXEC = 0o2000000;

/**
 * Builds the struct ifreq that TUNSETIFF reads: the NUL-terminated name in
 * the first {@linkcode IFNAMSIZ} bytes, ifr_flags as a native-endian
 * (little-endian on the supported machines) short at offset 16.
 *
 * @example A TUN device without packet information
 * ```ts
 * import { IFF_NO_PI, IFF_TUN, ifreq } from "./delay_line.ts";
 * const bytes = ifreq("dlin", IFF_TUN | IFF_NO_PI);
 * console.log(bytes.length, bytes.subarray(0, 5), bytes[16], bytes[17]);
 * // 40 Uint8Array(5) [ 100, 108, 105, 110, 0 ] 1 16
 * ```
 * @param name The device's name: 1 to 15 printable ASCII characters, no "/", ":" or space.
 * @param flags ifr_flags.
 * @returns The 40 bytes.
 * @throws {Error} When the name cannot be an interface name or the flags do not fit a short.
 */
export function ifreq(name: string, flags: number): Uint8Array {
  if (!/^[\x21-\x2e\x30-\x39\x3b-\x7e]{1,15}$/.test(name) || name === "." || name === "..") {
    throw new Error(`Cannot name a TUN device "${name}": it must be 1 to 15 ASCII characters`);
  }
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff) {
    throw new Error(`Cannot set TUN flags ${flags}: they must fit 16 bits`);
  }
  const bytes = new Uint8Array(IFREQ_SIZE);
  bytes.set(new TextEncoder().encode(name));
  new DataView(bytes.buffer).setUint16(IFNAMSIZ, flags, true);
  return bytes;
}

/** What the command line asks for. */
export interface DelayLineArgs {
  /** The device packets are read from. */
  readonly tunIn: string;
  /** The device packets are written to. */
  readonly tunOut: string;
  /** How long each packet is held, in milliseconds. */
  readonly delayMs: number;
}

/**
 * Reads the command line: the two devices, then the delay.
 *
 * @example Two devices and 40 ms
 * ```ts
 * import { parseArgs } from "./delay_line.ts";
 * console.log(parseArgs(["dlin", "dlout", "40"]));
 * // { tunIn: "dlin", tunOut: "dlout", delayMs: 40 }
 * ```
 * @param args The program's arguments.
 * @returns The devices and the delay.
 * @throws {Error} When an argument is missing or wrong.
 */
export function parseArgs(args: readonly string[]): DelayLineArgs {
  const [tunIn, tunOut, delayText, ...rest] = args;
  const delayMs = Number(delayText);
  if (
    !tunIn || !tunOut || tunIn === tunOut || rest.length > 0 || delayText?.trim() === "" ||
    !Number.isFinite(delayMs) || delayMs < 0
  ) {
    throw new Error(
      `Cannot start the delay line: expected "<tunIn> <tunOut> <delayMs>", got "${args.join(" ")}"`,
    );
  }
  ifreq(tunIn, IFF_TUN);
  ifreq(tunOut, IFF_TUN);
  return { tunIn, tunOut, delayMs };
}

/** What a {@linkcode DelayQueue} has done. */
export interface DelayCounts {
  /** Packets written. */
  forwarded: number;
  /** Packets whose write failed (dropped). */
  dropped: number;
}

/**
 * Holds packets for a fixed delay and hands them to a writer in arrival
 * order, each no earlier than its arrival plus the delay. A writer that
 * throws or reports failure only counts a drop.
 *
 * @example Two packets, 10 ms each
 * ```ts
 * import { DelayQueue } from "./delay_line.ts";
 * const seen: number[] = [];
 * const queue = new DelayQueue(10, (p) => {
 *   seen.push(p[0]);
 *   return true;
 * });
 * queue.push(new Uint8Array([1]));
 * queue.push(new Uint8Array([2]));
 * await queue.drained();
 * console.log(seen, queue.counts); // [1, 2] { forwarded: 2, dropped: 0 }
 * ```
 */
export class DelayQueue {
  readonly #delayMs: number;
  readonly #write: (packet: Uint8Array) => boolean;
  readonly #now: () => number;
  readonly #queue: { due: number; packet: Uint8Array }[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #idle: (() => void)[] = [];
  /** Packets written and dropped so far. */
  readonly counts: DelayCounts = { forwarded: 0, dropped: 0 };

  /**
   * A queue with a fixed delay and a writer.
   *
   * @param delayMs How long each packet is held.
   * @param write Writes a packet; false or a throw counts it dropped.
   * @param now The clock in milliseconds (performance.now by default).
   */
  constructor(
    delayMs: number,
    write: (packet: Uint8Array) => boolean,
    now: () => number = () => performance.now(),
  ) {
    this.#delayMs = delayMs;
    this.#write = write;
    this.#now = now;
  }

  /** Packets waiting. */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Takes a packet; it is written after the delay (right away for 0 when
   * nothing waits before it).
   *
   * @param packet The packet, which the queue keeps: pass a copy.
   */
  push(packet: Uint8Array): void {
    this.#queue.push({ due: this.#now() + this.#delayMs, packet });
    if (this.#delayMs === 0 && this.length === 1) this.#flush();
    else this.#schedule();
  }

  /** Resolves once no packet waits. */
  drained(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.length === 0) return;
    const wait = Math.max(0, this.#queue[this.#head].due - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, Math.ceil(wait));
  }

  /** Writes every packet that is due, in order, then waits for the next. */
  #flush(): void {
    while (this.length > 0 && this.#queue[this.#head].due <= this.#now()) {
      const { packet } = this.#queue[this.#head++];
      let ok = false;
      try {
        ok = this.#write(packet);
      } catch {
        ok = false;
      }
      if (ok) this.counts.forwarded++;
      else this.counts.dropped++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.length === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    } else {
      this.#schedule();
    }
  }
}

/** The libc functions a TUN user needs, for Deno.dlopen("libc.so.6", LIBC). */
export const LIBC = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  // Blocks until the kernel routes a packet into the device: on another thread.
  read: { parameters: ["i32", "buffer", "usize"], result: "isize", nonblocking: true },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** libc's symbols as Deno.dlopen gives them. */
export type Libc = Deno.DynamicLibrary<typeof LIBC>["symbols"];

function errno(libc: Libc): number {
  const pointer = libc.__errno_location();
  return pointer ? new Deno.UnsafePointerView(pointer).getInt32() : 0;
}

/**
 * Opens /dev/net/tun and attaches it to the named TUN device (creating it
 * when it does not exist); the device has carrier while the fd is open.
 *
 * @param libc libc's symbols.
 * @param name The device.
 * @returns The file descriptor.
 * @throws {Error} When open or ioctl fails.
 */
export function openTun(libc: Libc, name: string): number {
  const fd = libc.open(new TextEncoder().encode("/dev/net/tun\0"), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    throw new Error(`Cannot open /dev/net/tun for ${name}: errno ${errno(libc)}`);
  }
  if (libc.ioctl(fd, BigInt(TUNSETIFF), ifreq(name, IFF_TUN | IFF_NO_PI)) < 0) {
    const code = errno(libc);
    libc.close(fd);
    throw new Error(`Cannot attach to the TUN device ${name}: ioctl(TUNSETIFF) errno ${code}`);
  }
  return fd;
}

async function main(): Promise<void> {
  let args: DelayLineArgs;
  let lib: Deno.DynamicLibrary<typeof LIBC>;
  let fdIn: number;
  let fdOut: number;
  try {
    args = parseArgs(Deno.args);
    lib = Deno.dlopen("libc.so.6", LIBC);
    fdIn = openTun(lib.symbols, args.tunIn);
    fdOut = openTun(lib.symbols, args.tunOut);
  } catch (error) {
    // On stdout too: the test bed reads it while it waits for "ready".
    console.log((error as Error).message);
    Deno.exit(1);
  }
  const libc = lib.symbols;
  const queue = new DelayQueue(
    args.delayMs,
    (packet) => Number(libc.write(fdOut, packet, BigInt(packet.length))) === packet.length,
  );
  let readErrors = 0;
  const stop = () => {
    const { forwarded, dropped } = queue.counts;
    console.error(
      `delay line: ${forwarded} forwarded, ${dropped} dropped, ${readErrors} failed reads`,
    );
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  console.log("ready");

  const buffer = new Uint8Array(MAX_PACKET);
  while (true) {
    const n = Number(await libc.read(fdIn, buffer, BigInt(buffer.length)));
    if (n > 0) {
      queue.push(buffer.slice(0, n));
    } else {
      // A failed read (e.g. EINTR) is counted; pause so a lasting failure does not spin.
      readErrors++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

if (import.meta.main) await main();
