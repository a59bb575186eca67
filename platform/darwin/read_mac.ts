/**
 * Reads a Mac through its tools: the commands the darwin platform runs,
 * each parsed by its own parser. A tool that is missing, fails or prints
 * what its parser cannot read becomes a note (shown under "Skipped
 * sources"), never a guess: the rest of the host is still read.
 *
 * @module
 */

import type { SourceNote } from "../../protocol/model.ts";
import { runTool, type ToolRunner } from "../run_tool.ts";
import { describeError } from "../../protocol/text.ts";
import type { DarwinHostState, IpconfigFacts } from "./build_snapshot.ts";
import { parseHardwarePorts } from "./parse_hardware_ports.ts";
import { parseServiceOrder } from "./parse_service_order.ts";
import { beyondLinkLocal, type IfconfigInterface, parseIfconfig } from "./parse_ifconfig.ts";
import { parseScutilNwi } from "./parse_scutil_nwi.ts";
import { parseScutilDns } from "./parse_scutil_dns.ts";
import { parseNetstatRoutes } from "./parse_netstat_routes.ts";
import { parseNdpPrefixes, parseNdpRouters } from "./parse_ndp.ts";
import { parseIpconfigPacket, parseIpconfigV6Packet } from "./parse_ipconfig_packet.ts";
import { parseIpconfigRa, parseIpconfigSummary } from "./parse_ipconfig_summary.ts";

/** The host-wide commands, program first. */
export const MAC_COMMANDS = {
  ports: ["networksetup", "-listallhardwareports"],
  services: ["networksetup", "-listnetworkserviceorder"],
  interfaces: ["ifconfig", "-a", "-v", "-L"],
  nwi: ["scutil", "--nwi"],
  dns: ["scutil", "--dns"],
  routes: ["netstat", "-rn"],
  ndpRouters: ["ndp", "-n", "-r"],
  ndpPrefixes: ["ndp", "-n", "-p"],
} as const;

/** Options for {@linkcode readMac}. */
export interface ReadMacOptions {
  /** How tools are run (default: runTool; tests replay captures). */
  readonly run?: ToolRunner;
  /** Stops the tools. */
  readonly signal?: AbortSignal;
}

/** Runs one command and parses its output; a failure is a note and undefined. */
async function read<T>(
  argv: readonly string[],
  parse: (text: string) => T,
  notes: SourceNote[],
  options: ReadMacOptions,
): Promise<T | undefined> {
  const source = argv.join(" ");
  // ipconfig exits 1, printing nothing, when it has no packet, RA or summary for the link
  // (bootp ipconfig.tproj/client.c, S_get_packet and its siblings): no answer, not a failure.
  const silentCodes = argv[0] === "ipconfig" ? [1] : [];
  try {
    return parse(await (options.run ?? runTool)(argv, { signal: options.signal, silentCodes }));
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    notes.push({ source, reason: describeError(error) });
    return undefined;
  }
}

/** The links ipconfig is asked about: up, with an address beyond link-local. */
function askedLinks(interfaces: readonly IfconfigInterface[]): IfconfigInterface[] {
  return interfaces.filter((i) =>
    i.flags.includes("UP") && !i.flags.includes("LOOPBACK") &&
    (beyondLinkLocal(i.inet) || beyondLinkLocal(i.inet6))
  );
}

/** ipconfig's view of one link (DHCPv4 packet, DHCPv6 packet, the RA it keeps, its summary). */
async function ipconfigFacts(
  link: IfconfigInterface,
  notes: SourceNote[],
  options: ReadMacOptions,
): Promise<IpconfigFacts> {
  const v6 = beyondLinkLocal(link.inet6);
  const [packet, v6packet, ra, summary] = await Promise.all([
    link.inet.length
      ? read(["ipconfig", "getpacket", link.name], parseIpconfigPacket, notes, options)
      : undefined,
    v6
      ? read(["ipconfig", "getv6packet", link.name], parseIpconfigV6Packet, notes, options)
      : undefined,
    v6 ? read(["ipconfig", "getra", link.name], parseIpconfigRa, notes, options) : undefined,
    // The lease's start time (macOS 12+): a DHCP lease's lifetimes and rebinding time.
    beyondLinkLocal(link.inet)
      ? read(["ipconfig", "getsummary", link.name], parseIpconfigSummary, notes, options)
      : undefined,
  ]);
  return {
    ...(packet ? { packet } : {}),
    ...(v6packet ? { v6packet } : {}),
    ...(ra ? { ra } : {}),
    ...(summary ? { summary } : {}),
  };
}

/**
 * Reads the Mac: every host-wide command at once, then ipconfig for each
 * link that has an address beyond link-local.
 *
 * @example Replayed outputs: what is missing becomes a note
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMac } from "./read_mac.ts";
 * const outputs: Record<string, string> = {
 *   "ifconfig -a -v -L": "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000\n",
 * };
 * const run = (argv: readonly string[]) =>
 *   outputs[argv.join(" ")] !== undefined
 *     ? Promise.resolve(outputs[argv.join(" ")])
 *     : Promise.reject(new Deno.errors.NotFound(`Cannot run ${argv[0]}: it is not installed`));
 * const state = await readMac({ run });
 * assert.deepEqual(state.interfaces.map((i) => i.name), ["lo0"]);
 * assert.ok(state.notes!.some((n) => n.source === "scutil --dns"));
 * ```
 * @param options The runner and a signal.
 * @returns The parsed host state, with a note per source that could not be read.
 * @throws {Error} The signal's reason when aborted.
 */
export async function readMac(options: ReadMacOptions = {}): Promise<DarwinHostState> {
  const notes: SourceNote[] = [];
  const [ports, services, state] = await Promise.all([
    read(MAC_COMMANDS.ports, parseHardwarePorts, notes, options),
    read(MAC_COMMANDS.services, parseServiceOrder, notes, options),
    readState(notes, options),
  ]);
  return { ...state, ...(ports ? { ports } : {}), ...(services ? { services } : {}), notes };
}

/** Everything but networksetup's hardware ports and service order. */
async function readState(
  notes: SourceNote[],
  options: ReadMacOptions,
): Promise<Omit<DarwinHostState, "ports" | "services">> {
  const now = Date.now();
  const c = MAC_COMMANDS;
  const [interfaces, nwi, dns, routes, ndpRouters, ndpPrefixes] = await Promise.all([
    read(c.interfaces, parseIfconfig, notes, options),
    read(c.nwi, parseScutilNwi, notes, options),
    read(c.dns, parseScutilDns, notes, options),
    read(c.routes, parseNetstatRoutes, notes, options),
    read(c.ndpRouters, parseNdpRouters, notes, options),
    read(c.ndpPrefixes, parseNdpPrefixes, notes, options),
  ]);
  const links = askedLinks(interfaces ?? []);
  const facts = await Promise.all(links.map((l) => ipconfigFacts(l, notes, options)));
  return {
    now,
    interfaces: interfaces ?? [],
    ...(nwi ? { nwi } : {}),
    ...(dns ? { dns } : {}),
    routes: routes ?? [],
    ...(ndpRouters ? { ndpRouters } : {}),
    ...(ndpPrefixes ? { ndpPrefixes } : {}),
    ipconfig: new Map(links.map((l, i) => [l.name, facts[i]])),
  };
}

/**
 * Reads the Mac again but for networksetup's hardware ports and service
 * order, which are kept from `previous` with their notes: a route message
 * cannot change them (new hardware comes with a link message, a new service
 * order with configd's notice, and both read everything). The rest is read
 * whole: an RA IPConfiguration heard again, or DNS configd rewrote, comes
 * with no message of its own, so no part of it may be kept.
 *
 * @example networksetup is not run again
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMac, readMacTables } from "./read_mac.ts";
 * const asked: string[] = [];
 * const run = (argv: readonly string[]) => {
 *   asked.push(argv.join(" "));
 *   return argv[0] === "ifconfig"
 *     ? Promise.resolve("lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n")
 *     : Promise.reject(new Deno.errors.NotFound(`Cannot run ${argv[0]}: it is not installed`));
 * };
 * const before = await readMac({ run });
 * asked.length = 0;
 * const after = await readMacTables(before, { run });
 * assert.ok(!asked.some((c) => c.startsWith("networksetup")));
 * assert.ok(asked.includes("scutil --dns"));
 * assert.ok(after.notes!.some((n) => n.source === "networksetup -listallhardwareports"), "kept");
 * ```
 * @param previous The last state read.
 * @param options The runner and a signal.
 * @returns The new state.
 * @throws {Error} The signal's reason when aborted.
 */
export async function readMacTables(
  previous: DarwinHostState,
  options: ReadMacOptions = {},
): Promise<DarwinHostState> {
  const notes: SourceNote[] = [];
  const state = await readState(notes, options);
  const kept = new Set([MAC_COMMANDS.ports, MAC_COMMANDS.services].map((a) => a.join(" ")));
  return {
    ...state,
    ...(previous.ports ? { ports: previous.ports } : {}),
    ...(previous.services ? { services: previous.services } : {}),
    notes: [...(previous.notes ?? []).filter((n) => kept.has(n.source)), ...notes],
  };
}
