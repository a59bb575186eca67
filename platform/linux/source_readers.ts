/**
 * One reader per configuration source of the Linux platform: dhclient
 * leases and mif's hook records, systemd-networkd leases and networkctl,
 * dhcpcd, NetworkManager (nmcli), resolv.conf and systemd-resolved
 * (resolvectl). A reader never throws unless its signal is aborted (then
 * with the signal's reason, whatever failed meanwhile): a source that is
 * missing, unreadable or garbled becomes a note, and what it read before
 * still counts.
 *
 * @module
 */

import { dirname } from "node:path";
import type { SourceNote } from "../../protocol/model.ts";
import type { SourceData } from "./source_types.ts";
import { parseDhclientLeases } from "./parse_dhclient.ts";
import { parseDhclientEnv } from "./parse_dhclient_env.ts";
import { parseDhcpcdDump } from "./parse_dhcpcd.ts";
import { parseNetworkctlStatus } from "./parse_networkctl.ts";
import { parseNetworkdLease } from "./parse_networkd_lease.ts";
import { NMCLI_FIELDS, parseNmcliDeviceShow } from "./parse_nmcli.ts";
import { parseResolvConf } from "./parse_resolv_conf.ts";
import { parseResolvectl } from "./parse_resolvectl.ts";
import { runTool } from "../run_tool.ts";
import { skipReason } from "./skip_reason.ts";

/** What every reader of one read shares. */
export interface ReadContext {
  /** Interface names by index (networkd names leases by index); may still be being read. */
  readonly links: ReadonlyMap<number, string> | Promise<ReadonlyMap<number, string>>;
  /** Stops the tools the readers run. */
  readonly signal?: AbortSignal;
  /** Where readers add a note per source they skip. */
  readonly notes: SourceNote[];
  /** dhcpcd's lease dump (`dhcpcd -U`); default: run it. For tests. */
  readonly dumpDhcpcd?: (argv: readonly string[], signal?: AbortSignal) => Promise<string>;
}

/**
 * How long to wait before asking dhcpcd for a lease again after a dump
 * failed. dhcpcd rewrites a lease file in place (its writefile() opens it
 * with O_TRUNC, then writes), so a dump taken during a renewal can find it
 * empty; saying the lease is gone then would announce a loss that never
 * happened. A lease still failing after these is a note, as before.
 */
export const DHCPCD_RETRY_DELAYS: readonly number[] = [50, 250];

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * One lease's dump, asked again while its file is still there and the dump
 * failed or came back empty (see {@linkcode DHCPCD_RETRY_DELAYS}).
 */
async function dumpLease(
  ctx: ReadContext,
  file: string,
  name: string,
  argv: readonly string[],
): Promise<SourceData> {
  const dump = ctx.dumpDhcpcd ?? ((a, signal) => runTool(a, { signal }));
  const empty = (d: SourceData) => !d.dhcp4.length && !d.dhcp6.length && !d.resolvers.length;
  for (let i = 0;; i++) {
    let data: SourceData | undefined, failure: unknown;
    try {
      data = parseDhcpcdDump(await dump(argv, ctx.signal), name, argv.join(" "));
    } catch (error) {
      if (ctx.signal?.aborted) throw ctx.signal.reason;
      failure = error;
    }
    if (data && !empty(data)) return data;
    // A lease file that is gone was released: no point asking again.
    const there = await Deno.stat(file).then(() => true, () => false);
    if (i >= DHCPCD_RETRY_DELAYS.length || !there) {
      if (data) return data;
      throw failure;
    }
    await pause(DHCPCD_RETRY_DELAYS[i], ctx.signal);
  }
}

/** dhclient lease files and mif hook records, in a lease directory. */
export const LEASE_FILE = /\.(leases?|env)$/;
/** systemd-networkd lease files (and link state files): named by interface index. */
export const NETWORKD_FILE = /^\d+$/;
/** dhcpcd lease files. */
export const DHCPCD_FILE = /\.lease6?$/;

const EMPTY: SourceData = { dhcp4: [], dhcp6: [], resolvers: [] };

/** Reads one source; a failure becomes a note (unless the read was aborted). */
async function attempt(
  ctx: ReadContext,
  source: string,
  read: () => Promise<SourceData | SourceData[]>,
): Promise<SourceData[]> {
  try {
    return [await read()].flat();
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    ctx.notes.push({ source, reason: skipReason(error) });
    return [];
  }
}

async function files(dir: string, pattern: RegExp): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && pattern.test(e.name)) out.push(`${dir}/${e.name}`);
  }
  return out.sort();
}

/** The interface an index file's name names. */
function indexedName(names: ReadonlyMap<number, string>, file: string): string | undefined {
  return names.get(Number(file.slice(file.lastIndexOf("/") + 1)));
}

async function running(dir: string, service: string): Promise<void> {
  try {
    await Deno.stat(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(`${service} is not running (no ${dir})`, { cause: error });
  }
}

/**
 * Reads dhclient's lease files and mif's hook records: those of running
 * dhclients and those in the lease directories. A missing directory is no
 * note of its own; finding no file at all is one.
 *
 * @example A garbled lease file becomes a note; a missing directory does not
 * ```ts
 * import { readDhclient } from "./source_readers.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/broken.leases`, "lease { interface ");
 * const notes: { source: string; reason: string }[] = [];
 * const data = await readDhclient({ links: new Map(), notes }, [dir, `${dir}/missing`], () => []);
 * assert.deepEqual(data, []);
 * assert.deepEqual(notes.map((n) => n.source), [`${dir}/broken.leases`]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @param ctx The read's links, signal and notes.
 * @param leaseDirs The directories to list.
 * @param runningFiles The lease files of running dhclients, asked for once
 *   the directories are listed (the latest list then, or a promise of the
 *   list being made: the directories are listed meanwhile).
 * @returns The data of every file read.
 */
export async function readDhclient(
  ctx: ReadContext,
  leaseDirs: readonly string[],
  runningFiles: () => readonly string[] | Promise<readonly string[]>,
): Promise<SourceData[]> {
  const lists = await Promise.all(
    leaseDirs.map((dir) =>
      files(dir, LEASE_FILE).catch((error) => {
        // A missing directory is the common case, summed up below.
        if (!(error instanceof Deno.errors.NotFound)) {
          ctx.notes.push({ source: dir, reason: skipReason(error) });
        }
        return [] as string[];
      })
    ),
  );
  // Hook records first, so a dhclient lease file (which has absolute times) wins.
  const all = [...new Set([...await runningFiles(), ...lists.flat()])]
    .sort((x, y) => Number(y.endsWith(".env")) - Number(x.endsWith(".env")));
  if (all.length === 0) {
    ctx.notes.push({
      source: "dhclient",
      reason: `no running dhclient, and no lease files in ${leaseDirs.join(", ")}`,
    });
  }
  return (await Promise.all(all.map((f) =>
    attempt(ctx, f, async () => {
      const text = await Deno.readTextFile(f);
      return f.endsWith(".env") ? parseDhclientEnv(text, f) : parseDhclientLeases(text, f);
    })
  ))).flat();
}

/**
 * Reads systemd-networkd's DHCPv4 leases, one file per interface index.
 *
 * @example networkd is not running
 * ```ts
 * import { readNetworkdLeases } from "./source_readers.ts";
 * import assert from "node:assert/strict";
 * const notes: { source: string; reason: string }[] = [];
 * assert.deepEqual(await readNetworkdLeases({ links: new Map(), notes }, "/nonexistent/leases"), []);
 * assert.deepEqual(notes, [{ source: "/nonexistent/leases", reason: "not present" }]);
 * ```
 * @param ctx The read's links, signal and notes.
 * @param dir networkd's lease directory.
 * @returns A lease per file of a known interface.
 */
export function readNetworkdLeases(ctx: ReadContext, dir: string): Promise<SourceData[]> {
  return attempt(ctx, dir, async () => {
    const out: SourceData[] = [];
    const names = await ctx.links;
    for (const f of await files(dir, NETWORKD_FILE)) {
      const name = indexedName(names, f);
      if (name) {
        out.push(
          ...await attempt(ctx, f, async () => ({
            ...EMPTY,
            dhcp4: [parseNetworkdLease(await Deno.readTextFile(f), name, f)],
          })),
        );
      }
    }
    return out;
  });
}

/**
 * Reads networkd's DHCPv6 data from `networkctl status <link> --json=short`
 * for each link networkd manages (networkd writes no DHCPv6 lease).
 *
 * @example networkd is not running: no links, and no note of its own
 * ```ts
 * import { readNetworkctl } from "./source_readers.ts";
 * import assert from "node:assert/strict";
 * const notes: { source: string; reason: string }[] = [];
 * assert.deepEqual(await readNetworkctl({ links: new Map(), notes }, "/nonexistent/leases"), []);
 * assert.deepEqual(notes, []);
 * ```
 * @param ctx The read's links, signal and notes.
 * @param leasesDir networkd's lease directory; its sibling `links` lists the managed links.
 * @returns The data of each managed link.
 */
export function readNetworkctl(ctx: ReadContext, leasesDir: string): Promise<SourceData[]> {
  return attempt(ctx, "networkctl", async () => {
    const linksDir = `${dirname(leasesDir)}/links`;
    const names = await ctx.links;
    const out: SourceData[] = [];
    // No links directory: networkd is not running, which the leases' note says already.
    const managed = await files(linksDir, NETWORKD_FILE).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return [] as string[];
      throw error;
    });
    for (const f of managed) {
      const name = indexedName(names, f);
      if (!name) continue;
      const argv = ["networkctl", "--no-pager", "status", name, "--json=short"];
      out.push(
        ...await attempt(
          ctx,
          argv.join(" "),
          async () =>
            parseNetworkctlStatus(await runTool(argv, { signal: ctx.signal }), argv.join(" ")),
        ),
      );
    }
    return out;
  });
}

/**
 * Reads dhcpcd's leases: `dhcpcd -U -4|-6 <interface>` for each lease file.
 *
 * @example dhcpcd has no lease directory
 * ```ts
 * import { readDhcpcd } from "./source_readers.ts";
 * import assert from "node:assert/strict";
 * const notes: { source: string; reason: string }[] = [];
 * assert.deepEqual(await readDhcpcd({ links: new Map(), notes }, "/nonexistent/dhcpcd"), []);
 * assert.deepEqual(notes, [{ source: "/nonexistent/dhcpcd", reason: "not present" }]);
 * ```
 * @param ctx The read's signal and notes.
 * @param dir dhcpcd's lease directory.
 * @returns The data of each dump.
 */
export function readDhcpcd(ctx: ReadContext, dir: string): Promise<SourceData[]> {
  return attempt(ctx, dir, async () => {
    const out: SourceData[] = [];
    for (const f of await files(dir, DHCPCD_FILE)) {
      const name = f.slice(f.lastIndexOf("/") + 1).replace(/(-.*)?\.lease6?$/, "");
      const dump = ["dhcpcd", "-U", ...(f.endsWith("6") ? ["-6"] : ["-4"]), name];
      out.push(...await attempt(ctx, dump.join(" "), () => dumpLease(ctx, f, name, dump)));
    }
    return out;
  });
}

/**
 * Reads NetworkManager's devices (`nmcli -t -f ... device show`) while it runs.
 *
 * @example NetworkManager is not running
 * ```ts
 * import { readNmcli } from "./source_readers.ts";
 * import assert from "node:assert/strict";
 * const notes: { source: string; reason: string }[] = [];
 * assert.deepEqual(await readNmcli({ links: new Map(), notes }, "/nonexistent/nm"), []);
 * assert.deepEqual(notes, [
 *   { source: "nmcli", reason: "NetworkManager is not running (no /nonexistent/nm)" },
 * ]);
 * ```
 * @param ctx The read's signal and notes.
 * @param runDir NetworkManager's runtime directory, there while it runs.
 * @returns Its leases, resolvers and link facts.
 */
export function readNmcli(ctx: ReadContext, runDir = "/run/NetworkManager"): Promise<SourceData[]> {
  return attempt(ctx, "nmcli", async () => {
    await running(runDir, "NetworkManager");
    const argv = ["nmcli", "-t", "-f", NMCLI_FIELDS, "device", "show"];
    return parseNmcliDeviceShow(await runTool(argv, { signal: ctx.signal }), "nmcli");
  });
}

/**
 * Reads the resolver configuration file.
 *
 * @example A nameserver line
 * ```ts
 * import { readResolvConf } from "./source_readers.ts";
 * import assert from "node:assert/strict";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, "nameserver 198.18.1.1\n");
 * const [data] = await readResolvConf({ links: new Map(), notes: [] }, file);
 * assert.deepEqual(data.resolvers.map((r) => r.dnsServers), [["198.18.1.1"]]);
 * await Deno.remove(file);
 * ```
 * @param ctx The read's notes.
 * @param path The file (/etc/resolv.conf).
 * @returns Its resolver configuration.
 */
export function readResolvConf(ctx: ReadContext, path: string): Promise<SourceData[]> {
  return attempt(ctx, path, async () => ({
    ...EMPTY,
    resolvers: [parseResolvConf(await Deno.readTextFile(path), path)],
  }));
}

/**
 * Reads systemd-resolved's per-link servers and domains (`resolvectl dns`,
 * `resolvectl domain`) while it runs.
 *
 * @example systemd-resolved is not running
 * ```ts
 * import { readResolvectl } from "./source_readers.ts";
 * import assert from "node:assert/strict";
 * const notes: { source: string; reason: string }[] = [];
 * assert.deepEqual(await readResolvectl({ links: new Map(), notes }, "/nonexistent/r"), []);
 * assert.match(notes[0].reason, /^systemd-resolved is not running/);
 * ```
 * @param ctx The read's signal and notes.
 * @param runDir systemd-resolved's runtime directory, there while it runs.
 * @returns Its resolver configurations.
 */
export function readResolvectl(
  ctx: ReadContext,
  runDir = "/run/systemd/resolve",
): Promise<SourceData[]> {
  return attempt(ctx, "resolvectl", async () => {
    await running(runDir, "systemd-resolved");
    const [dns, domain] = await Promise.all([
      runTool(["resolvectl", "dns"], { signal: ctx.signal }),
      runTool(["resolvectl", "domain"], { signal: ctx.signal }),
    ]);
    return { ...EMPTY, resolvers: parseResolvectl(dns, domain, "resolvectl") };
  });
}
