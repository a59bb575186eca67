/**
 * Reads every configuration source the Linux platform knows: dhclient
 * leases (files in the lease directories and of running dhclients) and
 * what mif's dhclient hook recorded, systemd-networkd leases,
 * NetworkManager (nmcli), dhcpcd, /etc/resolv.conf and systemd-resolved
 * (resolvectl). Each source is read on its own: one that is missing,
 * unreadable or garbled becomes a note and the others still count.
 *
 * @module
 */

import { basename, dirname, resolve } from "node:path";
import type { SourceNote } from "../../protocol/model.ts";
import { runningDhclientLeaseFiles } from "./dhclient_processes.ts";
import type { SourceData } from "./source_types.ts";
import { skipReason } from "./skip_reason.ts";
import {
  DHCPCD_FILE,
  LEASE_FILE,
  NETWORKD_FILE,
  type ReadContext,
  readDhclient,
  readDhcpcd,
  readNetworkctl,
  readNetworkdLeases,
  readNmcli,
  readResolvConf,
  readResolvectl,
} from "./source_readers.ts";

/** Where the Linux platform looks for configuration. */
export interface SourcePaths {
  /** The resolver configuration file (default /etc/resolv.conf). */
  readonly resolvConf: string;
  /**
   * Directories holding dhclient lease files (`*.leases`, `*.lease`) and
   * mif dhclient hook records (`*.env`).
   */
  readonly leaseDirs: readonly string[];
  /** systemd-networkd's lease directory. */
  readonly networkdLeases: string;
  /** dhcpcd's lease directory. */
  readonly dhcpcdLeases: string;
}

/** The standard locations. */
export const DEFAULT_SOURCE_PATHS: SourcePaths = {
  resolvConf: "/etc/resolv.conf",
  leaseDirs: ["/var/lib/dhcp", "/var/lib/dhclient", "/run/mif/dhclient", "/run/mif/udhcpc"],
  networkdLeases: "/run/systemd/netif/leases",
  dhcpcdLeases: "/var/lib/dhcpcd",
};

/** Reads the configuration sources. */
export class ConfigSources {
  readonly #paths: SourcePaths;
  /** The lease files of running dhclients, found at the last read. */
  dhclientFiles: readonly string[] = [];
  /**
   * Whether the last read found a source that no file watch follows and a
   * kernel change may come with: NetworkManager, networkd's links or
   * systemd-resolved (their tools answered). A reader that skips the
   * sources after a kernel change should read them again soon when set.
   */
  unwatched = false;
  #discovery: Promise<boolean> | undefined;
  #psNote: SourceNote | undefined;

  /**
   * Creates a reader.
   *
   * @param paths Where to look.
   */
  constructor(paths: SourcePaths) {
    this.#paths = paths;
  }

  /** Lists the running dhclients, one listing at a time; true when their lease files changed. */
  #discover(signal?: AbortSignal): Promise<boolean> {
    this.#discovery ??= runningDhclientLeaseFiles(signal).then(
      (found) => {
        const changed = found.join("\n") !== this.dhclientFiles.join("\n");
        this.dhclientFiles = found;
        this.#psNote = undefined;
        return changed;
      },
      (error) => {
        if (signal?.aborted) return false;
        this.#psNote = { source: "ps (running dhclients)", reason: skipReason(error) };
        return false;
      },
    ).finally(() => this.#discovery = undefined);
    return this.#discovery;
  }

  /**
   * Whether a changed path is one this reader reads: resolv.conf, a running
   * dhclient's lease file, or a lease file in a lease directory. Changes to
   * anything else in the watched directories (in /etc above all) say nothing
   * about the configuration and must not cost a re-read.
   *
   * @example A log file beside resolv.conf is not a source
   * ```ts
   * import { ConfigSources, DEFAULT_SOURCE_PATHS } from "./config_sources.ts";
   * import assert from "node:assert/strict";
   * const sources = new ConfigSources(DEFAULT_SOURCE_PATHS);
   * assert.equal(sources.isSourceFile("/etc/resolv.conf"), true);
   * assert.equal(sources.isSourceFile("/etc/motd"), false);
   * ```
   * @param path A path: absolute, as file system events name it, or relative
   *   to the working directory.
   * @returns True when a change to it may change what read() returns.
   */
  isSourceFile(path: string): boolean {
    // Events name absolute paths even for a relative watch; the paths may be relative.
    const p = this.#paths;
    const file = resolve(path);
    if (file === resolve(p.resolvConf) || this.dhclientFiles.some((f) => resolve(f) === file)) {
      return true;
    }
    const dir = dirname(file);
    const name = basename(file);
    return (p.leaseDirs.some((d) => resolve(d) === dir) && LEASE_FILE.test(name)) ||
      (resolve(p.networkdLeases) === dir && NETWORKD_FILE.test(name)) ||
      (resolve(p.dhcpcdLeases) === dir && DHCPCD_FILE.test(name));
  }

  /** The directories and files whose changes should trigger a re-read. */
  watchPaths(): string[] {
    const dirs = new Set([
      ...this.#paths.leaseDirs,
      this.#paths.networkdLeases,
      this.#paths.dhcpcdLeases,
      ...this.dhclientFiles.map((f) => dirname(f)),
      dirname(this.#paths.resolvConf),
    ]);
    return [...dirs];
  }

  /**
   * Reads every source.
   *
   * @param links Interface names by index (networkd names leases by index); a
   *   promise, so the sources can be read while the kernel is.
   * @param signal Stops the tools it runs.
   * @param fresh Read the lease files of the running dhclients as ps lists
   *   them now (ps takes ~10 ms on a 2-core machine, hundreds under load; the
   *   other sources are read meanwhile); otherwise use the last list, and let
   *   `discovery` tell whether a new one differs.
   * @returns The data, a note per source skipped, and the dhclient discovery:
   *   true when the list changed after this read used the last one, so the
   *   caller should read again (always false with `fresh`: this read used it).
   */
  async read(
    links: ReadonlyMap<number, string> | Promise<ReadonlyMap<number, string>>,
    signal?: AbortSignal,
    fresh = true,
  ): Promise<{ data: SourceData; notes: SourceNote[]; discovery: Promise<boolean> }> {
    const discovery = this.#discover(signal);
    // Only dhclient's files wait for a fresh list: every other source is read meanwhile.
    const listed = fresh ? discovery.then(() => this.dhclientFiles) : undefined;
    // Each reader notes into its own list: the notes come in the readers'
    // order, not in the order they happened to finish.
    const lists: SourceNote[][] = [];
    const ctx = (): ReadContext => ({ links, signal, notes: lists[lists.length] = [] });
    const p = this.#paths;
    const parts = await Promise.all([
      readDhclient(ctx(), p.leaseDirs, () => listed ?? this.dhclientFiles),
      readNetworkdLeases(ctx(), p.networkdLeases),
      readNetworkctl(ctx(), p.networkdLeases),
      readDhcpcd(ctx(), p.dhcpcdLeases),
      readNmcli(ctx()),
      readResolvConf(ctx(), p.resolvConf),
      readResolvectl(ctx()),
    ]);
    const notes = lists.flat();
    const all = parts.flat();
    // networkctl, nmcli and resolvectl: read through their tools, not files.
    this.unwatched = [parts[2], parts[4], parts[6]].some((p) => p.length > 0);
    if (this.#psNote) notes.push(this.#psNote);
    return {
      // A fresh read already used the new list: reading again would find nothing new.
      discovery: fresh ? discovery.then(() => false) : discovery,
      data: {
        dhcp4: all.flatMap((d) => d.dhcp4),
        dhcp6: all.flatMap((d) => d.dhcp6),
        resolvers: all.flatMap((d) => d.resolvers),
        links: all.flatMap((d) => d.links ?? []),
      },
      notes,
    };
  }
}
