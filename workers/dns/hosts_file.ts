/**
 * The local host table (hosts(5)), the first of the draft's translation
 * systems (§3.3.7.18: "local host table lookup, Domain Name System, ...").
 * It is read again for every translation, so edits apply at once, as with
 * nsswitch "files".
 *
 * @module
 */

import { canonicalIp, parseIp } from "../../ip/ip.ts";
import type { Family } from "../../protocol/types.ts";
import { nameKey } from "../../dns/dns_name.ts";
import { describeError } from "../../protocol/text.ts";

/** Addresses by name key (see `nameKey`), in file order, each once. */
export type HostTable = ReadonlyMap<string, readonly string[]>;

/**
 * Parses a hosts(5) file: one IP address then its canonical name and aliases
 * per line, "#" to the end of a line is a comment. Lines that do not start
 * with an IP literal, or carry no name, are skipped.
 *
 * @example Parse two lines
 * ```ts
 * import { parseHosts } from "./hosts_file.ts";
 * import assert from "node:assert/strict";
 * const table = parseHosts("198.51.100.5 www.example www # the web server\nnot-an-ip x\n");
 * assert.deepEqual(table.get("www"), ["198.51.100.5"]);
 * ```
 * @param text The file's content.
 * @returns The table.
 */
export function parseHosts(text: string): HostTable {
  // A Set per name keeps a name with thousands of addresses linear.
  const sets = new Map<string, Set<string>>();
  for (const line of text.split(/\r?\n/)) {
    const hash = line.indexOf("#");
    const fields = (hash < 0 ? line : line.slice(0, hash)).trim().split(/\s+/);
    const address = canonicalIp(fields[0]);
    if (address === undefined || fields.length < 2) continue;
    for (const name of fields.slice(1)) {
      const key = nameKey(name);
      if (key === "") continue;
      const addresses = sets.get(key) ?? new Set();
      addresses.add(address);
      sets.set(key, addresses);
    }
  }
  return new Map([...sets].map(([key, addresses]) => [key, [...addresses]]));
}

/**
 * The table's addresses for a name, of the given families only.
 *
 * @example Ask for IPv6 only
 * ```ts
 * import { hostAddresses, parseHosts } from "./hosts_file.ts";
 * import assert from "node:assert/strict";
 * const table = parseHosts("198.51.100.5 www.example\n2001:db8::5 www.example\n");
 * assert.deepEqual(hostAddresses(table, "WWW.example.", ["ipv6"]), ["2001:db8::5"]);
 * ```
 * @param table A parsed table.
 * @param name The name (any case, trailing dot or not).
 * @param families The families wanted.
 * @returns The addresses, in file order.
 */
export function hostAddresses(
  table: HostTable,
  name: string,
  families: readonly Family[],
): string[] {
  return (table.get(nameKey(name)) ?? []).filter((a) => {
    const family = parseIp(a)?.family;
    return family !== undefined && families.includes(family);
  });
}

/** What {@linkcode readHosts} found. */
export type HostsRead =
  | { readonly ok: true; readonly table: HostTable }
  | { readonly ok: false; readonly problem: string; readonly error: unknown };

/**
 * Reads and parses a hosts file. A missing file is an empty table; any other
 * failure is returned, not thrown, so that the caller can go on with DNS and
 * report it. The read is synchronous: the file is small and local, this is
 * the PD worker's own thread, and an asynchronous read cost every
 * translation ~0.5 ms of thread hops before its first query went out.
 *
 * @example A missing file is an empty table
 * ```ts
 * import { readHosts } from "./hosts_file.ts";
 * import assert from "node:assert/strict";
 * const read = await readHosts("/nonexistent/hosts");
 * assert.equal(read.ok && read.table.size, 0);
 * ```
 * @param path The file, or null for no host table.
 * @param signal When already aborted, nothing is read (the outcome is then a problem).
 * @returns The table, or why it could not be read.
 */
export function readHosts(path: string | null, signal?: AbortSignal): Promise<HostsRead> {
  if (path === null) return Promise.resolve({ ok: true, table: new Map() });
  return Promise.resolve(readHostsNow(path, signal));
}

function readHostsNow(path: string, signal?: AbortSignal): HostsRead {
  try {
    signal?.throwIfAborted();
    return { ok: true, table: parseHosts(Deno.readTextFileSync(path)) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { ok: true, table: new Map() };
    const message = describeError(error);
    return { ok: false, problem: `cannot read the host table ${path} (${message})`, error };
  }
}
