/**
 * Parses macOS `ipconfig getpacket <if>` (the last DHCPv4 packet the
 * interface accepted) and `ipconfig getv6packet <if>` (the last DHCPv6
 * reply). Formats follow apple-oss-distributions/bootp (line numbers at
 * bootp-494.60.3): bootplib/dhcplib.c dhcp_packet_with_options_print_cfstr()
 * L59-117 (`xid = %lu` up to bootp-298 = OS X 10.10, `xid = 0x%lx` from
 * bootp-314 = 10.11; `flags = %x` until bootp-490 changed it to `0x%x`;
 * chaddr bytes as `%0x`, so "c" for 0x0c; "options:" only when there are
 * options), bootplib/dhcp_options.c dhcpol_print_cfstr() L1069-1083,
 * dhcptag_print_cfstr() L519-545 and dhcptype_print_cfstr_simple() L350-440,
 * bootplib/DHCPv6.c L157-163 and bootplib/DHCPv6Options.c
 * DHCPv6OptionPrintToString() L470-610, L621-642, L925-990. Both verbs print
 * nothing when the interface has no packet (no DHCP): the parsers return
 * undefined for empty output.
 *
 * @module
 */

import { canonicalIp } from "../../ip/ip.ts";

/** One option as printed: `name (type): value`. */
export interface DhcpRawOption {
  /** bootp's option name ("lease_time"), or "tag N" for an undefined tag. */
  readonly name: string;
  /** bootp's type name ("uint32", "ip_mult", "opaque"...), "" for undefined tags. */
  readonly type: string;
  /** The value text; opaque hex dump lines are joined with "\n". */
  readonly value: string;
}

/** The options mif uses, read from the raw list. */
export interface DhcpOptions {
  /** dhcp_message_type, e.g. "ACK". */
  readonly messageType?: string;
  /** Option 54. */
  readonly serverIdentifier?: string;
  /** Seconds. */
  readonly leaseTime?: number;
  /** Seconds. */
  readonly renewalT1?: number;
  /** Seconds. */
  readonly rebindingT2?: number;
  /** Option 1. */
  readonly subnetMask?: string;
  /** Option 3. */
  readonly routers: readonly string[];
  /** Option 6. */
  readonly domainNameServers: readonly string[];
  /** Option 15. */
  readonly domainName?: string;
  /** Option 119. */
  readonly domainSearch: readonly string[];
  /** Every option in printed order, the ones above included. */
  readonly all: readonly DhcpRawOption[];
}

/** A DHCPv4 packet as `ipconfig getpacket` prints it. */
export interface DhcpPacket {
  /** "BOOTREPLY", "BOOTREQUEST" or "OP(n)". */
  readonly op: string;
  readonly htype: number;
  readonly flags: number;
  readonly hlen: number;
  readonly hops: number;
  /** Decimal on OS X <= 10.10, hex after: both read as a number. */
  readonly xid: number;
  readonly secs: number;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  /** Two hex digits per byte ("%0x" prints "c" for 0x0c). */
  readonly chaddr: string;
  readonly sname: string;
  readonly file: string;
  readonly options: DhcpOptions;
}

const HEADER =
  /^(op|htype|flags|hlen|hops|xid|secs|ciaddr|yiaddr|siaddr|giaddr|chaddr|sname|file) =(?: (.*))?$/;
const OPTION = /^([a-z0-9_]+) \(([a-z0-9_]+)\):(?: (.*))?$/;
const UNDEFINED = /^undefined tag (\d+) len (\d+)$/;
const HEXDUMP = /^[0-9a-f]{4} {2}/;

function fail(command: string, what: string, line: number): never {
  throw new SyntaxError(`Cannot parse ${command} output: ${what}, line ${line}`);
}

function ipv4(text: string | undefined, line: number): string {
  const ip = canonicalIp(text ?? "");
  if (ip === undefined || ip.includes(":")) {
    fail("ipconfig getpacket", `bad address "${text}"`, line);
  }
  return ip;
}

function headerNumber(key: string, value: string, line: number): number {
  const hex = key === "flags" || value.startsWith("0x");
  const n = hex ? parseInt(value.replace(/^0x/, ""), 16) : Number(value);
  if (!/^(0x)?[0-9a-f]+$/.test(value) || !Number.isSafeInteger(n)) {
    fail("ipconfig getpacket", `bad ${key} "${value}"`, line);
  }
  return n;
}

function list(value: string): string[] {
  const inner = value.replace(/^\{/, "").replace(/\}$/, "").trim();
  return inner === "" ? [] : inner.split(", ").map((x) => x.trim());
}

function uint(value: string | undefined): number | undefined {
  return value !== undefined && /^0x[0-9a-f]+$/.test(value)
    ? parseInt(value.slice(2), 16)
    : undefined;
}

/** Reads the options mif uses out of the raw list. */
function known(all: DhcpRawOption[]): DhcpOptions {
  const get = (name: string) => all.find((o) => o.name === name)?.value;
  const ips = (name: string) => list(get(name) ?? "").map((a) => canonicalIp(a) ?? a);
  const server = get("server_identifier");
  const mask = get("subnet_mask");
  const options: DhcpOptions = {
    messageType: get("dhcp_message_type")?.split(" ")[0],
    serverIdentifier: server === undefined ? undefined : canonicalIp(server) ?? server,
    leaseTime: uint(get("lease_time")),
    renewalT1: uint(get("renewal_t1_time_value")),
    rebindingT2: uint(get("rebinding_t2_time_value")),
    subnetMask: mask === undefined ? undefined : canonicalIp(mask) ?? mask,
    routers: ips("router"),
    domainNameServers: ips("domain_name_server"),
    domainName: get("domain_name"),
    domainSearch: list(get("domain_search") ?? ""),
    all,
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as DhcpOptions;
}

function readOptions(lines: string[], start: number): DhcpRawOption[] {
  const all: { name: string; type: string; value: string }[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i].trim();
    const m = OPTION.exec(line);
    const u = UNDEFINED.exec(line);
    if (m && m[1] !== "end") all.push({ name: m[1], type: m[2], value: (m[3] ?? "").trim() });
    else if (u) all.push({ name: `tag ${u[1]}`, type: "", value: `len ${u[2]}` });
    else if (HEXDUMP.test(line) && all.at(-1)?.type === "opaque") {
      const last = all.at(-1)!;
      last.value = last.value === "" ? line : `${last.value}\n${line}`;
    }
  }
  return all;
}

function readHeader(lines: string[]): [Map<string, [string, number]>, number] {
  const fields = new Map<string, [string, number]>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "options:") return [fields, i + 1];
    const m = HEADER.exec(line);
    if (m) fields.set(m[1], [(m[2] ?? "").trim(), i + 1]);
  }
  return [fields, lines.length];
}

/**
 * Parses `ipconfig getpacket <if>`.
 *
 * @example Read a lease
 * ```ts
 * import { parseIpconfigPacket } from "./parse_ipconfig_packet.ts";
 * import assert from "node:assert/strict";
 * const p = parseIpconfigPacket([
 *   "op = BOOTREPLY", "htype = 1", "flags = 0x0", "hlen = 6", "hops = 0", "xid = 0x1f", "secs = 0",
 *   "ciaddr = 0.0.0.0", "yiaddr = 198.51.100.7", "siaddr = 0.0.0.0", "giaddr = 0.0.0.0",
 *   "chaddr = a:0:27:0:0:1", "sname = ", "file = ", "options:", "Options count is 2",
 *   "lease_time (uint32): 0xe10", "router (ip_mult): {198.51.100.1}", "end (none): ",
 * ].join("\n"))!;
 * assert.equal(p.xid, 31);
 * assert.equal(p.chaddr, "0a:00:27:00:00:01");
 * assert.equal(p.options.leaseTime, 3600);
 * assert.deepEqual(p.options.routers, ["198.51.100.1"]);
 * assert.equal(parseIpconfigPacket(""), undefined);
 * ```
 * @param text The output.
 * @returns The packet, or undefined for empty output (no DHCP on the interface).
 * @throws {SyntaxError} When a header field is missing or malformed.
 */
export function parseIpconfigPacket(text: string): DhcpPacket | undefined {
  if (text.trim() === "") return undefined;
  const lines = text.split("\n");
  const [fields, optionsAt] = readHeader(lines);
  const field = (key: string): [string, number] => {
    const f = fields.get(key);
    return f ?? fail("ipconfig getpacket", `no "${key} =" line`, lines.length);
  };
  const num = (key: string) => headerNumber(key, ...field(key));
  const [chaddr, chaddrLine] = field("chaddr");
  if (!/^[0-9a-f]{1,2}(:[0-9a-f]{1,2})*$/i.test(chaddr)) {
    fail("ipconfig getpacket", `bad chaddr "${chaddr}"`, chaddrLine);
  }
  return {
    op: field("op")[0],
    htype: num("htype"),
    flags: num("flags"),
    hlen: num("hlen"),
    hops: num("hops"),
    xid: num("xid"),
    secs: num("secs"),
    ciaddr: ipv4(...field("ciaddr")),
    yiaddr: ipv4(...field("yiaddr")),
    siaddr: ipv4(...field("siaddr")),
    giaddr: ipv4(...field("giaddr")),
    chaddr: chaddr.toLowerCase().split(":").map((b) => b.padStart(2, "0")).join(":"),
    sname: fields.get("sname")?.[0] ?? "",
    file: fields.get("file")?.[0] ?? "",
    options: known(readOptions(lines, optionsAt)),
  };
}

/** A DHCPv6 lifetime: seconds, or "infinity" (0xffffffff, printed as -1 by bootp's %d). */
export type Dhcpv6Lifetime = number | "infinity";

/** One DHCPv6 option line: `NAME (code) Length n: value`. */
export interface Dhcpv6RawOption {
  readonly name: string;
  readonly code: number;
  readonly length: number;
  /** The text after the colon, trimmed ("Options[n] = {" left out). */
  readonly value: string;
  /** 0 for top-level options, 1 inside an IA_NA, 2 inside an IAADDR. */
  readonly depth: number;
}

/** An IA_NA option (RFC 8415 §21.4) with its addresses. */
export interface Dhcpv6IaNa {
  readonly iaid: number;
  readonly t1: number;
  readonly t2: number;
  readonly addresses: readonly {
    readonly address: string;
    readonly preferredLifetime: Dhcpv6Lifetime;
    readonly validLifetime: Dhcpv6Lifetime;
  }[];
  /** STATUS_CODE text inside the IA_NA, e.g. "NoAddrsAvail (2)". */
  readonly status?: string;
}

/** A DHCPv6 packet as `ipconfig getv6packet` prints it. */
export interface Dhcpv6Packet {
  /** "REPLY", "ADVERTISE"... */
  readonly messageType: string;
  readonly messageCode: number;
  readonly transactionId: number;
  readonly length: number;
  /** DNS_SERVERS (23), canonical. */
  readonly dnsServers: readonly string[];
  /** DOMAIN_LIST (24); empty when absent or printed "Invalid". */
  readonly domainList: readonly string[];
  readonly iaNa: readonly Dhcpv6IaNa[];
  readonly options: readonly Dhcpv6RawOption[];
}

const V6_HEADER = /^DHCPv6 (\S+) \((\d+)\) Transaction ID 0x([0-9a-f]+) Length (\d+)$/;
const V6_OPTION = /^(\S+) \((\d+)\) Length (\d+):(.*)$/;
const V6_OPEN = /\s*Options\[\d+\] = \{$/;
const IA_NA = /^IA_NA IAID=(-?\d+) T1=(-?\d+) T2=(-?\d+)$/;
const IAADDR = /^IAADDR (\S+) Preferred (-?\d+) Valid=(-?\d+)$/;

function v6Lifetime(text: string): Dhcpv6Lifetime {
  const n = Number(text);
  return n === -1 || n === 0xffffffff ? "infinity" : n >>> 0;
}

function readV6Options(lines: string[]): Dhcpv6RawOption[] {
  const options: Dhcpv6RawOption[] = [];
  let depth = -1;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (/^Options\[\d+\] = \{$/.test(line)) depth++;
    else if (line === "}") depth--;
    else if (line !== "") {
      const m = V6_OPTION.exec(line);
      if (!m || depth < 0) return;
      const opens = V6_OPEN.test(m[4]);
      const value = m[4].replace(V6_OPEN, "").trim();
      options.push({ name: m[1], code: Number(m[2]), length: Number(m[3]), value, depth });
      if (opens) depth++;
    }
    if (depth < -1) fail("ipconfig getv6packet", "unbalanced }", i + 1);
  });
  return options;
}

function iaNas(options: Dhcpv6RawOption[]): Dhcpv6IaNa[] {
  const result: {
    iaid: number;
    t1: number;
    t2: number;
    addresses: Dhcpv6IaNa["addresses"][number][];
    status?: string;
  }[] = [];
  for (const o of options) {
    const ia = o.code === 3 ? IA_NA.exec(o.value) : null;
    if (ia) {
      result.push({
        iaid: Number(ia[1]) >>> 0,
        t1: Number(ia[2]) >>> 0,
        t2: Number(ia[3]) >>> 0,
        addresses: [],
      });
    }
    const current = result.at(-1);
    if (!current || o.depth === 0) continue;
    const a = o.code === 5 ? IAADDR.exec(o.value) : null;
    const address = a ? canonicalIp(a[1]) : undefined;
    if (a && address) {
      current.addresses.push({
        address,
        preferredLifetime: v6Lifetime(a[2]),
        validLifetime: v6Lifetime(a[3]),
      });
    }
    if (o.code === 13 && o.depth === 1) current.status = o.value.replace(/^STATUS_CODE /, "");
  }
  return result;
}

/**
 * Parses `ipconfig getv6packet <if>`.
 *
 * @example Read a stateless reply
 * ```ts
 * import { parseIpconfigV6Packet } from "./parse_ipconfig_packet.ts";
 * import assert from "node:assert/strict";
 * const p = parseIpconfigV6Packet([
 *   "DHCPv6 REPLY (7) Transaction ID 0x00002a Length 34",
 *   "Options[1] = {",
 *   "  DNS_SERVERS (23) Length 16: 2001:db8::53",
 *   "}",
 * ].join("\n"))!;
 * assert.equal(p.messageType, "REPLY");
 * assert.equal(p.transactionId, 42);
 * assert.deepEqual(p.dnsServers, ["2001:db8::53"]);
 * assert.deepEqual(p.iaNa, []);
 * assert.equal(parseIpconfigV6Packet(""), undefined);
 * ```
 * @param text The output.
 * @returns The packet, or undefined for empty output (no DHCPv6 on the interface).
 * @throws {SyntaxError} When the first line is not a DHCPv6 packet header.
 */
export function parseIpconfigV6Packet(text: string): Dhcpv6Packet | undefined {
  if (text.trim() === "") return undefined;
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  const h = V6_HEADER.exec(lines[first].trim());
  if (!h) fail("ipconfig getv6packet", "no DHCPv6 header", first + 1);
  const options = readV6Options(lines.slice(first + 1));
  const top = (code: number) => options.find((o) => o.code === code && o.depth === 0)?.value;
  const servers = (top(23) ?? "").split(",").map((s) => canonicalIp(s.trim())).filter((s) =>
    s !== undefined
  );
  const domains = top(24);
  return {
    messageType: h[1],
    messageCode: Number(h[2]),
    transactionId: parseInt(h[3], 16),
    length: Number(h[4]),
    dnsServers: servers,
    domainList: domains === undefined || domains.startsWith("Invalid") || domains === ""
      ? []
      : domains.split(", ").map((d) => d.trim()),
    iaNa: iaNas(options),
    options,
  };
}
