/**
 * Finds the lease files of the dhclient processes running in this network
 * namespace, from their command lines (`-lf FILE`, or dhclient's defaults)
 * as ps lists them with their network namespace.
 *
 * @module
 */

import { runTool } from "../run_tool.ts";

/** dhclient's compiled-in lease files on Debian. */
const DEFAULT_LEASES = {
  ipv4: "/var/lib/dhcp/dhclient.leases",
  ipv6: "/var/lib/dhcp/dhclient6.leases",
};

/**
 * The lease file a dhclient command line writes, or undefined when the
 * command line is not dhclient's.
 *
 * @example Read -lf
 * ```ts
 * import { dhclientLeaseFile } from "./dhclient_processes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(dhclientLeaseFile(["dhclient", "-4", "-lf", "/tmp/a.leases", "eth0"]), "/tmp/a.leases");
 * assert.equal(
 *   dhclientLeaseFile(["/sbin/dhclient", "-6", "eth0"]),
 *   "/var/lib/dhcp/dhclient6.leases",
 * );
 * ```
 * @param argv The process's arguments.
 * @returns The lease file.
 */
export function dhclientLeaseFile(argv: readonly string[]): string | undefined {
  if (!/(^|\/)dhclient$/.test(argv[0] ?? "")) return undefined;
  const i = argv.indexOf("-lf");
  if (i > 0 && argv[i + 1]) return argv[i + 1];
  return argv.includes("-6") ? DEFAULT_LEASES.ipv6 : DEFAULT_LEASES.ipv4;
}

/**
 * The lease files of the dhclients in one network namespace, from
 * `ps -e -o pid=,netns=,args=` (Deno reads /proc/<pid> only with
 * --allow-all, so ps reads it). Arguments are split at spaces, as ps
 * prints them.
 *
 * @example Keep the dhclient of this namespace
 * ```ts
 * import { dhclientLeaseFiles } from "./dhclient_processes.ts";
 * import assert from "node:assert/strict";
 * const ps = [
 *   "  1 4026531840 /sbin/init",
 *   " 42 4026532001 dhclient -4 -lf /tmp/a.leases eth0",
 *   " 43 4026531840 dhclient -4 -lf /tmp/b.leases eth1",
 *   " 77 4026532001 deno run cli.ts status",
 * ].join("\n");
 * assert.deepEqual(dhclientLeaseFiles(ps, 77), ["/tmp/a.leases"]);
 * ```
 * @param psText The output of ps.
 * @param selfPid The pid whose namespace counts.
 * @returns Lease files, without duplicates.
 * @throws {SyntaxError} When selfPid is not in the output.
 */
export function dhclientLeaseFiles(psText: string, selfPid: number): string[] {
  const rows = psText.split("\n").map((l) => l.trim().split(/\s+/)).filter((r) => r.length >= 3);
  const self = rows.find((r) => Number(r[0]) === selfPid);
  if (!self) throw new SyntaxError(`Cannot parse ps output: process ${selfPid} is not listed`);
  const files = rows.filter((r) => r[1] === self[1]).map((r) => dhclientLeaseFile(r.slice(2)));
  return [...new Set(files.filter((f): f is string => f !== undefined))];
}

/**
 * The lease files of every dhclient in this process's network namespace.
 *
 * @example List them
 * ```ts ignore
 * import { runningDhclientLeaseFiles } from "./dhclient_processes.ts";
 * console.log(await runningDhclientLeaseFiles());
 * ```
 * @param signal Stops ps.
 * @returns Paths, without duplicates.
 * @throws {Deno.errors.NotFound} When ps is not installed.
 */
export async function runningDhclientLeaseFiles(signal?: AbortSignal): Promise<string[]> {
  const text = await runTool(["ps", "-e", "-o", "pid=,netns=,args="], { signal });
  return dhclientLeaseFiles(text, Deno.pid);
}
