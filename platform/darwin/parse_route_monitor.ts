/**
 * A parser of macOS `route -n monitor` output (also `route monitor`,
 * `route -v monitor`), line by line so that it can follow the running
 * command, and which of its messages ask the platform to read again
 * (route_change.ts says how much a batch asks for).
 *
 * Format (network_cmds-741.100.2 route.tproj/route.c): monitor() (L1569-1593)
 * prints `\ngot message of size N on <ctime>` then print_rtmsg()
 * (L1738-1784): `<msgtypes[type]>: len N, ` (msgtypes[] L1701-1720, e.g.
 * "RTM_ADD: Add Route"), then per type: RTM_IFINFO `if# I, flags:<ifnet
 * flags>`; RTM_NEWADDR/RTM_DELADDR `metric M, flags:<route flag names of
 * ifam_flags>`; RTM_NEWMADDR/RTM_DELMADDR nothing; other types `pid: P,
 * seq S, errno E, [ifscope I, ][ifref, ]flags:<...>` and pmsg_common()
 * (L1880-1888) `\nlocks: <...> inits: <...>`, then the sockaddrs
 * (route_sockaddrs.ts). A message of an unknown version prints `routing
 * message version N not understood`. `route -vv monitor <filters>` first
 * prints `# filtering flags ...` (L1563). xnu bsd/net/route.h defines types
 * up to RTM_GET_EXT (0x15) and no RTM_IFANNOUNCE (FreeBSD has it); it is
 * classified anyway (route_message_kind.ts). msgtypes[] ends at RTM_DELMADDR
 * (0x10): a later type prints as "(null)" or garbage.
 *
 * @module
 */

import { classifyRouteMessage } from "./route_message_kind.ts";
import { linkOf, readSockaddrs } from "./route_sockaddrs.ts";

/** One routing socket message as `route -n monitor` prints it. */
export interface RouteMessage {
  /** "RTM_ADD", "RTM_NEWADDR", ...; the printed head for an unnamed type ("(null)"). */
  readonly type: string;
  /** N of the `got message of size N` line, absent when the line is missing. */
  readonly size?: number;
  /** The date of the `got message` line as printed (local time, ctime format). */
  readonly time?: string;
  /** The message's `len`. */
  readonly len?: number;
  /** The sending process of a route message (0: the kernel). */
  readonly pid?: number;
  /** The sequence number of a route message. */
  readonly seq?: number;
  /** The error of a route message (0: none; 3 ESRCH on a deleted clone). */
  readonly errno?: number;
  /** The metric of an address message (RTM_NEWADDR, RTM_DELADDR). */
  readonly metric?: number;
  /** The interface index: `if# N`, an `index: N` link sockaddr of IFP or GATEWAY, or `ifscope N`. */
  readonly ifIndex?: number;
  /** The interface name from the IFP link sockaddr (`en0:…`, `ipsec0`, `index: 4 en0:…`). */
  readonly ifName?: string;
  /** The flag names: route flags, or interface flags for RTM_IFINFO. */
  readonly flags: readonly string[];
  /** The sockaddrs as printed, by name: destination, gateway, netmask, genmask, ifp, ifa, author, brd. */
  readonly addresses: Readonly<Record<string, string>>;
}

interface Building {
  fields: Record<string, unknown>;
  expect?: string[];
}

function fail(what: string, line: number): never {
  throw new SyntaxError(`Cannot parse route monitor output: ${what}, line ${line}`);
}

function parseHead(type: string, rest: string, fields: Record<string, unknown>): void {
  fields.type = /^(RTM_[A-Z0-9_]+):/.exec(type)?.[1] ?? type;
  fields.flags = [];
  for (const item of rest.split(/,\s+(?![^<]*>)/)) {
    const flags = /^flags:\s*(?:<(.*)>)?\s*$/.exec(item);
    if (flags) fields.flags = (flags[1] ?? "").split(",").filter((f) => f !== "");
    const m = /^(pid:|seq|errno|metric|if#|ifscope) (-?\d+)\s*$/.exec(item);
    if (!m) continue;
    const key = { "pid:": "pid", "if#": "ifIndex", ifscope: "ifscope" }[m[1]] ?? m[1];
    fields[key] = Number(m[2]);
  }
}

function finish(b: Building): RouteMessage {
  const f = b.fields;
  const addresses = (f.addresses ?? {}) as Record<string, string>;
  const ifp = addresses.ifp !== undefined ? linkOf(addresses.ifp) : {};
  // An old-form gateway ("en0:…" or a host name) is not read as a link: only `index: N` is unambiguous.
  const gateway = /^index: /.test(addresses.gateway ?? "") ? linkOf(addresses.gateway) : {};
  const ifIndex = f.ifIndex ?? ifp.index ?? f.ifscope ?? gateway.index;
  const message: Record<string, unknown> = { type: f.type };
  for (const key of ["size", "time", "len", "pid", "seq", "errno", "metric"]) {
    if (f[key] !== undefined) message[key] = f[key];
  }
  if (ifIndex !== undefined) message.ifIndex = ifIndex;
  if (ifp.name !== undefined) message.ifName = ifp.name;
  message.flags = f.flags ?? [];
  message.addresses = addresses;
  return message as unknown as RouteMessage;
}

/**
 * Splits `route -n monitor` output into messages, one line at a time.
 * {@linkcode RouteMonitorParser.push} returns the messages a line
 * completes: a message ends with its sockaddr values line, or with the
 * empty line or `got message` line that starts the next one. Indentation
 * is ignored, and a first message without its `got message` line (output
 * read from the middle) is accepted.
 *
 * @example Two messages fed line by line
 * ```ts
 * import { RouteMonitorParser } from "./parse_route_monitor.ts";
 * import assert from "node:assert/strict";
 * const parser = new RouteMonitorParser();
 * const lines = [
 *   "",
 *   "got message of size 112 on Tue Dec  1 05:00:00 2026",
 *   "RTM_IFINFO: iface status change: len 112, if# 4, flags:<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>",
 *   "",
 *   "got message of size 160 on Tue Dec  1 05:00:01 2026",
 *   "RTM_NEWADDR: address being added to iface: len 160, metric 0, flags:",
 *   "sockaddrs: <NETMASK,IFP,IFA,BRD>",
 *   " 255.255.255.0 en0:a4.83.e7.1.2.3 198.51.100.7 198.51.100.255",
 * ];
 * const messages = lines.flatMap((line) => parser.push(line));
 * assert.deepEqual(messages.map((m) => [m.type, m.ifIndex, m.ifName]), [
 *   ["RTM_IFINFO", 4, undefined],
 *   ["RTM_NEWADDR", undefined, "en0"],
 * ]);
 * assert.equal(messages[1].addresses.ifa, "198.51.100.7");
 * assert.deepEqual(parser.end(), []);
 * ```
 */
export class RouteMonitorParser {
  #current: Building | undefined;
  #header: Record<string, unknown> | undefined;
  #after = false;
  #line = 0;

  /**
   * Reads one line.
   *
   * @param line One line of output, without its newline.
   * @returns The messages this line completes (zero or one).
   * @throws {SyntaxError} On a line outside any message that is not a message start, or a values line with too many values.
   */
  push(line: string): RouteMessage[] {
    this.#line++;
    const raw = line.replace(/\r$/, "");
    const text = raw.trim();
    const b = this.#current;
    if (b?.expect) {
      b.fields.addresses = readSockaddrs(b.expect, raw, this.#line);
      this.#after = true;
      return this.#flush();
    }
    const got = /^got message of size (\d+) on (.*)$/.exec(text);
    if (text === "" || got) {
      const out = this.#flush();
      this.#header = got ? { size: Number(got[1]), time: got[2].trim() } : undefined;
      this.#after = false;
      return out;
    }
    const head = /^(.+?): len (\d+),\s*(.*)$/.exec(text);
    const version = /^routing message version (\d+) not understood$/.exec(text);
    if (head || version) {
      const out = this.#flush();
      const fields: Record<string, unknown> = { ...this.#header, flags: [] };
      this.#header = undefined;
      if (head) parseHead(head[1], head[3], Object.assign(fields, { len: Number(head[2]) }));
      else fields.type = `(version ${version![1]})`;
      this.#current = { fields };
      return out;
    }
    const sockaddrs = /^sockaddrs:\s*<(.*)>$/.exec(text);
    if (b && sockaddrs) b.expect = sockaddrs[1].split(",");
    else if (!b && !this.#after && !this.#header && !text.startsWith("#")) {
      fail(`unexpected "${text}"`, this.#line);
    }
    return [];
  }

  /**
   * Ends the input.
   *
   * @returns The last message, when one was still open.
   */
  end(): RouteMessage[] {
    return this.#flush();
  }

  #flush(): RouteMessage[] {
    const b = this.#current;
    this.#current = undefined;
    return b ? [finish(b)] : [];
  }
}

/**
 * Parses a whole `route -n monitor` output.
 *
 * @example A scoped default route deleted
 * ```ts
 * import { parseRouteMonitor } from "./parse_route_monitor.ts";
 * import assert from "node:assert/strict";
 * const [message] = parseRouteMonitor(`
 * got message of size 164 on Tue May 19 12:20:05 2020
 * RTM_DELETE: Delete Route: len 164, pid: 62, seq 263, errno 0, ifscope 6, flags:<GATEWAY,DONE,STATIC,PRCLONING,IFSCOPE,CONDEMNED>
 * locks:  inits:
 * sockaddrs: <DST,GATEWAY,NETMASK,IFP,IFA>
 *  default 198.51.100.1 default en1:e4.ce.8f.23.c5.de 198.51.100.44
 * `);
 * assert.deepEqual(message, {
 *   type: "RTM_DELETE", size: 164, time: "Tue May 19 12:20:05 2020", len: 164, pid: 62, seq: 263, errno: 0,
 *   ifIndex: 6, ifName: "en1", flags: ["GATEWAY", "DONE", "STATIC", "PRCLONING", "IFSCOPE", "CONDEMNED"],
 *   addresses: {
 *     destination: "default", gateway: "198.51.100.1", netmask: "default",
 *     ifp: "en1:e4.ce.8f.23.c5.de", ifa: "198.51.100.44",
 *   },
 * });
 * ```
 * @param text The output.
 * @returns The messages in order.
 * @throws {SyntaxError} As {@linkcode RouteMonitorParser.push}.
 */
export function parseRouteMonitor(text: string): RouteMessage[] {
  const parser = new RouteMonitorParser();
  return [...text.split("\n").flatMap((line) => parser.push(line)), ...parser.end()];
}

/**
 * Whether a message should trigger a read: an address, link or route
 * change, or an unknown kind.
 *
 * @example A new address is relevant, a cloned host route is not
 * ```ts
 * import { isRelevant } from "./parse_route_monitor.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isRelevant({ type: "RTM_NEWADDR", flags: [] }), true);
 * assert.equal(isRelevant({ type: "RTM_ADD", flags: ["UP", "HOST", "LLINFO", "WASCLONED"] }), false);
 * ```
 * @param message A message.
 * @returns True when it asks for a read.
 */
export function isRelevant(message: Pick<RouteMessage, "type" | "flags">): boolean {
  const kind = classifyRouteMessage(message);
  return kind !== "clone" && kind !== "other";
}
