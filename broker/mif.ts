/**
 * Opens the MIF API: a platform feeding a broker, and subscriber handles on it.
 *
 * @module
 */

import { Broker } from "./broker.ts";
import { DEFAULT_QUEUE_LIMIT } from "./inbox.ts";
import type { MifStatus } from "./status.ts";
import type { Subscriber } from "./subscriber.ts";
import type { WorkerPermissions, WorkerSettings } from "./worker_client.ts";
import { defaultPlatformName, openPlatform, type PlatformOptions } from "../platform/select.ts";
import type { Platform, PlatformEvent, PlatformName } from "../platform/types.ts";

/**
 * Options for {@linkcode openMif}: the platform, its options when it is
 * opened by name, and the PD workers' settings.
 */
export interface MifOptions extends PlatformOptions {
  /** A platform name or instance; default: this OS's platform, else "sim". */
  readonly platform?: PlatformName | Platform;
  /**
   * "net" runs each PD worker with network permission only (the process
   * needs --unstable-worker-options, or Deno exits with code 70); "inherit"
   * (the default) gives workers the process's permissions. Deno offers no
   * way to detect the flag, so the caller says.
   */
  readonly workerPermissions?: WorkerPermissions;
  /** Milliseconds a PD worker may sit idle before it stops (default 30 000). */
  readonly workerIdleTimeout?: number;
  /**
   * Keep one spare PD worker started, so that a PD's first request takes
   * it over instead of waiting for a worker to start (default false: under
   * `deno test` in a clean checkout, the spare's start-up type check made
   * first requests of other workers miss 10 s deadlines). It
   * costs one idle worker (~12–15 MiB) from openMif until it is taken, and
   * again after each take-over, until `workerIdleTimeout` passes unused. A
   * long-running program that races often can turn it on.
   */
  readonly workerSpare?: boolean;
  /**
   * Milliseconds within which a PD worker with requests in flight must answer
   * a liveness check; one that does not (it exited or hangs) is handled as
   * crashed (default 2000).
   */
  readonly workerWatchdog?: number;
  /**
   * The local host table every PD consults before its DNS servers
   * (§3.3.7.18), in hosts(5) format; null for none (default /etc/hosts).
   */
  readonly hostsFile?: string | null;
  /** Milliseconds to wait for one DNS server's answer to one query (default 2000). */
  readonly dnsTimeout?: number;
  /** How many times each of a PD's DNS servers is tried for one query (default 2). */
  readonly dnsAttempts?: number;
  /**
   * Names with fewer dots than this try each PD's own search domains before
   * the name as asked (resolv.conf's ndots, 0 to 15; default 1).
   */
  readonly ndots?: number;
  /** Whether single-label names also try `name.local` by mDNS on each PD's link, last (default false). */
  readonly mdnsSingleLabel?: boolean;
  /** Milliseconds a connection attempt may take unless the request says (default 10 000). */
  readonly connectTimeout?: number;
  /** The PD worker module; for instrumented workers (default: workers/pd_worker.ts). */
  readonly workerUrl?: URL;
}

/** Options for {@linkcode Mif.subscribe}. */
export interface SubscribeOptions {
  /** A name, shown in status. */
  readonly name?: string;
  /**
   * Unread messages that fill the subscriber's queue (default 10 000, at
   * least 16). Past it, queued announcements give way to one `error` with
   * reason "queue-overflow" and then the current state of every
   * subscription; a subscriber whose unread answers alone fill it is closed
   * with that error last. See the README's reliability section.
   */
  readonly queueLimit?: number;
}

const MIN_QUEUE_LIMIT = 16;

/**
 * An open MIF API. Close it (or `await using` it) to stop its platform and
 * workers.
 *
 * @example Show the status of the simulated laptop
 * ```ts
 * import { openMif } from "@mif/mif";
 * import assert from "node:assert/strict";
 * await using mif = await openMif({ platform: "sim" });
 * assert.deepEqual(
 *   mif.status().interfaces.map((nic) => [nic.interfaceId, nic.pds.length]),
 *   [["wlan0", 2], ["rmnet0", 1], ["tun0", 1]],
 * );
 * ```
 */
export class Mif implements AsyncDisposable {
  #broker: Broker;
  #platform: Platform;
  #closed = false;
  #closing = new AbortController();

  /** Use {@linkcode openMif}. */
  constructor(broker: Broker, platform: Platform) {
    this.#broker = broker;
    this.#platform = platform;
  }

  /**
   * Aborts when close() begins: what a high-level API keeps for this Mif
   * (fetch()'s kept-alive routes) listens to it and lets go.
   *
   * @example Aborted by close()
   * ```ts
   * import { openMif } from "@mif/mif";
   * import assert from "node:assert/strict";
   * const mif = await openMif({ platform: "sim" });
   * assert.equal(mif.closing.aborted, false);
   * await mif.close();
   * assert.equal(mif.closing.aborted, true);
   * ```
   */
  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  /** The platform's name. */
  get platform(): PlatformName {
    return this.#platform.name;
  }

  /**
   * Opens a subscriber handle with its own subscriptions.
   *
   * @example Subscribe
   * ```ts
   * import { openMif } from "@mif/mif";
   * import assert from "node:assert/strict";
   * await using mif = await openMif({ platform: "sim" });
   * const sub = mif.subscribe({ name: "browser" });
   * sub.post({ type: "wants-to-connect", pdId: "wlan0/ipv4" });
   * assert.equal(mif.status().subscribers[0].intents[0].intent, "wants-to-connect");
   * ```
   */
  subscribe(options: SubscribeOptions = {}): Subscriber {
    if (options.name !== undefined && typeof options.name !== "string") {
      throw new TypeError("Cannot subscribe: name must be a string");
    }
    const limit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < MIN_QUEUE_LIMIT) {
      throw new RangeError(
        `Cannot subscribe: queueLimit must be an integer of at least ${MIN_QUEUE_LIMIT}, got ${
          String(limit)
        }`,
      );
    }
    return this.#broker.subscribe(options.name, limit);
  }

  /** Everything known now, for `mif status`. */
  status(): MifStatus {
    return this.#broker.status();
  }

  /** Closes every subscriber, stops every PD worker and the platform. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new Error("Cannot use the MIF API: it is closed"));
    this.#broker.close();
    await this.#platform.close();
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function milliseconds(value: unknown, name: string, fallback: number, min: number): number {
  const ms = value ?? fallback;
  if (typeof ms !== "number" || !(ms >= min) || ms > 0x7fffffff) {
    throw new RangeError(
      `Cannot open MIF API: ${name} must be from ${min} to 2147483647 ms, got ${String(ms)}`,
    );
  }
  return ms;
}

function spareOption(spare: unknown): boolean {
  if (spare !== undefined && typeof spare !== "boolean") {
    throw new TypeError("Cannot open MIF API: workerSpare must be a boolean");
  }
  return spare ?? false;
}

function settings(options: MifOptions): WorkerSettings {
  const permissions = options.workerPermissions ?? "inherit";
  if (permissions !== "net" && permissions !== "inherit") {
    throw new TypeError(
      `Cannot open MIF API: workerPermissions must be "net" or "inherit", got ${
        String(permissions)
      }`,
    );
  }
  const hostsFile = options.hostsFile === undefined ? "/etc/hosts" : options.hostsFile;
  if (hostsFile !== null && (typeof hostsFile !== "string" || hostsFile === "")) {
    throw new TypeError("Cannot open MIF API: hostsFile must be a path or null");
  }
  const attempts = options.dnsAttempts ?? 2;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
    throw new RangeError(
      `Cannot open MIF API: dnsAttempts must be an integer from 1 to 10, got ${String(attempts)}`,
    );
  }
  const ndots = options.ndots ?? 1;
  if (!Number.isInteger(ndots) || ndots < 0 || ndots > 15) {
    throw new RangeError(
      `Cannot open MIF API: ndots must be an integer from 0 to 15, got ${String(ndots)}`,
    );
  }
  if (options.mdnsSingleLabel !== undefined && typeof options.mdnsSingleLabel !== "boolean") {
    throw new TypeError("Cannot open MIF API: mdnsSingleLabel must be a boolean");
  }
  return {
    permissions,
    pd: {
      hostsFile,
      ndots,
      mdnsSingleLabel: options.mdnsSingleLabel === true,
      dnsTimeout: Math.ceil(milliseconds(options.dnsTimeout, "dnsTimeout", 2_000, 1)),
      dnsAttempts: attempts,
      connectTimeout: Math.ceil(
        milliseconds(options.connectTimeout, "connectTimeout", 10_000, 1),
      ),
    },
    idleTimeout: milliseconds(options.workerIdleTimeout, "workerIdleTimeout", 30_000, 0),
    spare: spareOption(options.workerSpare),
    watchdog: milliseconds(options.workerWatchdog, "workerWatchdog", 2_000, 1),
    url: options.workerUrl ?? new URL("../workers/pd_worker.ts", import.meta.url),
  };
}

/**
 * Opens the MIF API on a platform and starts following its changes.
 *
 * @example Open the simulated laptop and list its interfaces
 * ```ts
 * import { NO_MESSAGE, openMif } from "@mif/mif";
 * import assert from "node:assert/strict";
 * await using mif = await openMif({ platform: "sim" });
 * const sub = mif.subscribe();
 * sub.post({ type: "announce-interfaces" });
 * const ids: string[] = [];
 * for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) {
 *   ids.push(m.type === "interface-announcement" ? m.interfaceId : m.type);
 * }
 * assert.deepEqual(ids, ["wlan0", "rmnet0", "tun0"]);
 * ```
 * @param options Platform, scenario, worker settings, signal.
 * @returns The open API.
 * @throws {TypeError | RangeError} For bad options.
 * @throws {Deno.errors.NotSupported} For darwin on another OS without `replay`.
 */
export async function openMif(options: MifOptions = {}): Promise<Mif> {
  options.signal?.throwIfAborted();
  const worker = settings(options);
  const given = options.platform;
  const platform = typeof given === "object" && given !== null
    ? given
    : await openPlatform(given ?? defaultPlatformName(), {
      scenario: options.scenario,
      resolvConf: options.resolvConf,
      leaseDirs: options.leaseDirs,
      replay: options.replay,
      record: options.record,
      signal: options.signal,
    });
  // Events that arrive before the first snapshot is applied wait for it.
  let early: PlatformEvent[] | undefined = [];
  let broker: Broker | undefined;
  try {
    const starting = platform.start((event) => early ? early.push(event) : broker!.apply(event));
    // The broker (and with it the spare PD worker) starts while the platform reads the host.
    broker = new Broker({ worker, platform: platform.name, description: platform.description });
    const snapshot = await starting;
    options.signal?.throwIfAborted();
    broker.apply({ type: "snapshot", snapshot });
    for (const event of early) broker.apply(event);
    early = undefined;
    return new Mif(broker, platform);
  } catch (error) {
    broker?.close();
    await platform.close();
    throw error;
  }
}
