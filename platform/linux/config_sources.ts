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
import type { SourceNote } from "../types.ts";
import { runningDhclientLeaseFiles } from "./dhclient_processes.ts";
import type { SourceData } from "./lease_types.ts";
import { parseDhclientLeases } from "./parse_dhclient.ts";
import { parseDhclientEnv } from "./parse_dhclient_env.ts";
import { parseDhcpcdDump } from "./parse_dhcpcd.ts";
import { parseNetworkdLease } from "./parse_networkd_lease.ts";
import { parseNetworkctlStatus } from "./parse_networkctl.ts";
import { NMCLI_FIELDS, parseNmcliDeviceShow } from "./parse_nmcli.ts";
import { parseResolvConf } from "./parse_resolv_conf.ts";
import { parseResolvectl } from "./parse_resolvectl.ts";
import { runTool } from "./run_tool.ts";
import { describeError } from "../../protocol/text.ts";

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

const EMPTY: SourceData = { dhcp4: [], dhcp6: [], resolvers: [] };

/** The files read in each directory: dhclient leases and hook records, networkd, dhcpcd. */
const LEASE_FILE = /\.(leases?|env)$/;
const NETWORKD_FILE = /^\d+$/;
const DHCPCD_FILE = /\.lease6?$/;

/**
 * The reason a source was skipped, from the error that skipped it.
 *
 * @example A missing file
 * ```ts
 * import { skipReason } from "./config_sources.ts";
 * console.log(skipReason(new Deno.errors.NotFound("No such file or directory (os error 2)"))); // not present
 * ```
 * @param error What reading it threw.
 * @returns A short reason.
 */
export function skipReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) {
    if (/os error 2/.test(error.message)) return "not present";
    return /not installed/.test(error.message) ? "not installed" : error.message;
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return `not readable (${error.message})`;
  }
  return describeError(error);
}

async function files(dir: string, pattern: RegExp): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && pattern.test(e.name)) out.push(`${dir}/${e.name}`);
  }
  return out.sort();
}

async function running(dir: string, service: string): Promise<void> {
  try {
    await Deno.stat(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(`${service} is not running (no ${dir})`, { cause: error });
  }
}

/** Reads the configuration sources. */
export class ConfigSources {
  readonly #paths: SourcePaths;
  /** The lease files of running dhclients, found at the last read. */
  dhclientFiles: readonly string[] = [];
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
   * const sources = new ConfigSources(DEFAULT_SOURCE_PATHS);
   * console.log(sources.isSourceFile("/etc/resolv.conf")); // true
   * console.log(sources.isSourceFile("/etc/motd")); // false
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
   * @param fresh Wait for the running dhclients to be listed (ps takes ~10 ms
   *   on a 2-core machine); otherwise use the last list, and let `discovery`
   *   tell whether a new one differs.
   * @returns The data, a note per source skipped, and the dhclient discovery:
   *   true when the list changed, so the caller should read again.
   */
  async read(
    links: ReadonlyMap<number, string> | Promise<ReadonlyMap<number, string>>,
    signal?: AbortSignal,
    fresh = true,
  ): Promise<{ data: SourceData; notes: SourceNote[]; discovery: Promise<boolean> }> {
    const notes: SourceNote[] = [];
    const discovery = this.#discover(signal);
    if (fresh) await discovery;
    const attempt = async (source: string, read: () => Promise<SourceData | SourceData[]>) => {
      try {
        return [await read()].flat();
      } catch (error) {
        if (signal?.aborted) throw error;
        notes.push({ source, reason: skipReason(error) });
        return [];
      }
    };
    const p = this.#paths;
    const parts = await Promise.all([
      (async () => {
        const lists = await Promise.all(
          p.leaseDirs.map((dir) =>
            files(dir, LEASE_FILE).catch((error) => {
              // A missing directory is the common case, summed up below.
              if (!(error instanceof Deno.errors.NotFound)) {
                notes.push({ source: dir, reason: skipReason(error) });
              }
              return [] as string[];
            })
          ),
        );
        // Hook records first, so a dhclient lease file (which has absolute times) wins.
        const all = [...new Set([...this.dhclientFiles, ...lists.flat()])]
          .sort((x, y) => Number(y.endsWith(".env")) - Number(x.endsWith(".env")));
        if (all.length === 0) {
          notes.push({
            source: "dhclient",
            reason: `no running dhclient, and no lease files in ${p.leaseDirs.join(", ")}`,
          });
        }
        return (await Promise.all(all.map((f) =>
          attempt(f, async () => {
            const text = await Deno.readTextFile(f);
            return f.endsWith(".env") ? parseDhclientEnv(text, f) : parseDhclientLeases(text, f);
          })
        ))).flat();
      })(),
      attempt(p.networkdLeases, async () => {
        const out: SourceData[] = [];
        const names = await links;
        for (const f of await files(p.networkdLeases, NETWORKD_FILE)) {
          const name = names.get(Number(f.slice(f.lastIndexOf("/") + 1)));
          if (name) {
            out.push(
              ...await attempt(f, async () => ({
                ...EMPTY,
                dhcp4: [parseNetworkdLease(await Deno.readTextFile(f), name, f)],
              })),
            );
          }
        }
        return out;
      }),
      attempt("networkctl", async () => {
        // networkd writes no DHCPv6 lease: its JSON status is where that data is.
        const linksDir = `${dirname(p.networkdLeases)}/links`;
        const names = await links;
        const out: SourceData[] = [];
        // No links directory: networkd is not running, which the leases' note says already.
        const managed = await files(linksDir, NETWORKD_FILE).catch((error) => {
          if (error instanceof Deno.errors.NotFound) return [] as string[];
          throw error;
        });
        for (const f of managed) {
          const name = names.get(Number(f.slice(f.lastIndexOf("/") + 1)));
          if (!name) continue;
          const argv = ["networkctl", "--no-pager", "status", name, "--json=short"];
          out.push(
            ...await attempt(
              argv.join(" "),
              async () => parseNetworkctlStatus(await runTool(argv, { signal }), argv.join(" ")),
            ),
          );
        }
        return out;
      }),
      attempt(p.dhcpcdLeases, async () => {
        const out: SourceData[] = [];
        for (const f of await files(p.dhcpcdLeases, DHCPCD_FILE)) {
          const name = f.slice(f.lastIndexOf("/") + 1).replace(/(-.*)?\.lease6?$/, "");
          const dump = ["dhcpcd", "-U", ...(f.endsWith("6") ? ["-6"] : ["-4"]), name];
          out.push(
            ...await attempt(
              dump.join(" "),
              async () => parseDhcpcdDump(await runTool(dump, { signal }), name, dump.join(" ")),
            ),
          );
        }
        return out;
      }),
      attempt("nmcli", async () => {
        await running("/run/NetworkManager", "NetworkManager");
        const argv = ["nmcli", "-t", "-f", NMCLI_FIELDS, "device", "show"];
        return parseNmcliDeviceShow(await runTool(argv, { signal }), "nmcli");
      }),
      attempt(p.resolvConf, async () => ({
        ...EMPTY,
        resolvers: [parseResolvConf(await Deno.readTextFile(p.resolvConf), p.resolvConf)],
      })),
      attempt("resolvectl", async () => {
        await running("/run/systemd/resolve", "systemd-resolved");
        const [dns, domain] = await Promise.all([
          runTool(["resolvectl", "dns"], { signal }),
          runTool(["resolvectl", "domain"], { signal }),
        ]);
        return { ...EMPTY, resolvers: parseResolvectl(dns, domain, "resolvectl") };
      }),
    ]);
    const all = parts.flat();
    if (this.#psNote) notes.push(this.#psNote);
    return {
      discovery,
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
