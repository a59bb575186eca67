/**
 * Parses ISC dhclient lease files (dhclient.leases(5)): `lease { ... }`
 * blocks for DHCPv4 and `lease6 { ... }` blocks for DHCPv6. dhclient appends
 * each new lease, so later blocks are newer.
 *
 * @module
 */

import { requireIp, requireMask } from "./field_text.ts";
import type { SourceData } from "./source_types.ts";
import type { Dhcp4Lease, Dhcp6Binding, Dhcp6Lease } from "../dhcp_elements.ts";

/** A statement: its words, and its block if it has one. */
interface Statement {
  readonly words: readonly string[];
  readonly block?: readonly Statement[];
}

function tokens(text: string, fail: (what: string) => SyntaxError): string[] {
  const out: string[] = [];
  const re = /\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};"#]+)/y;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    const m = re.exec(text);
    if (!m) throw fail(`unexpected text at offset ${at}`);
    if (m[1] !== undefined) out.push(`"${m[1]}`);
    else if (m[2] ?? m[3]) out.push(m[2] ?? m[3]);
  }
  return out;
}

function statements(ts: string[], i: { n: number }, fail: (w: string) => SyntaxError): Statement[] {
  const out: Statement[] = [];
  let words: string[] = [];
  while (i.n < ts.length) {
    const t = ts[i.n++];
    if (t === ";") {
      if (words.length) out.push({ words });
      words = [];
    } else if (t === "{") {
      out.push({ words, block: statements(ts, i, fail) });
      words = [];
    } else if (t === "}") {
      if (words.length) throw fail(`missing ";" after "${words.join(" ")}"`);
      return out;
    } else words.push(t);
  }
  if (words.length) throw fail(`missing ";" after "${words.join(" ")}"`);
  return out;
}

/** The option values of a list option ("a,b" or "a, b"), unquoted. */
function list(words: readonly string[]): string[] {
  return words.join(" ").split(",").map((w) => w.trim().replace(/^"/, "")).filter(Boolean);
}

function domain(word: string): string {
  return word.replace(/^"/, "").replace(/\.$/, "");
}

/** dhclient writes times as "W YYYY/MM/DD HH:MM:SS" in UTC, or "epoch N". */
function time(words: readonly string[], fail: (w: string) => SyntaxError): number {
  if (words[0] === "epoch" && /^\d+$/.test(words[1] ?? "")) return Number(words[1]) * 1000;
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(words[1] ?? "");
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(words[2] ?? "");
  if (!m || !t) throw fail(`"${words.join(" ")}" is not a lease time`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +t[1], +t[2], +t[3]);
}

function seconds(word: string | undefined, fail: (w: string) => SyntaxError): number {
  if (!/^\d+$/.test(word ?? "")) throw fail(`"${word}" is not a number of seconds`);
  return Number(word);
}

function lease4(body: readonly Statement[], source: string, fail: (w: string) => SyntaxError) {
  const o: Record<string, unknown> = { routers: [], dnsServers: [], searchDomains: [], source };
  let domainName: string | undefined;
  for (const { words } of body) {
    const [key, ...rest] = words;
    if (key === "interface") o.interfaceName = domain(rest[0] ?? "");
    else if (key === "fixed-address") o.address = requireIp(rest[0] ?? "", fail);
    else if (key === "renew" || key === "rebind" || key === "expire") {
      o[`${key === "expire" ? "expires" : key}At`] = time(rest, fail);
    } else if (key === "option") {
      const [name, ...v] = rest;
      if (name === "subnet-mask") o.prefixLength = requireMask(v[0], fail);
      else if (name === "routers") o.routers = list(v).map((x) => requireIp(x, fail));
      else if (name === "domain-name-servers") {
        o.dnsServers = list(v).map((x) => requireIp(x, fail));
      } else if (name === "domain-search") o.searchDomains = list(v).map(domain);
      else if (name === "domain-name") domainName = domain(v.join(" "));
      else if (name === "dhcp-server-identifier") o.serverIdentifier = requireIp(v[0], fail);
      else if (name === "interface-mtu") o.mtu = seconds(v[0], fail);
      else if (name === "dhcp-lease-time") o.leaseTime = seconds(v[0], fail);
      else if (name === "dhcp-renewal-time") o.renewalTime = seconds(v[0], fail);
      else if (name === "dhcp-rebinding-time") o.rebindingTime = seconds(v[0], fail);
    }
  }
  if (domainName !== undefined) {
    o.domainName = domainName;
    if ((o.searchDomains as string[]).length === 0) o.searchDomains = [domainName];
  }
  if (typeof o.interfaceName !== "string") throw fail("a lease names no interface");
  return o as unknown as Dhcp4Lease;
}

function bindings(body: readonly Statement[], kind: string, fail: (w: string) => SyntaxError) {
  const out: Dhcp6Binding[] = [];
  for (const s of body) {
    if (s.words[0] !== kind || !s.block) continue;
    const [addr, length] = (s.words[1] ?? "").split("/");
    const value = requireIp(addr, fail) + (length === undefined ? "" : `/${seconds(length, fail)}`);
    const b: { -readonly [K in keyof Dhcp6Binding]: Dhcp6Binding[K] } = { value };
    for (const { words } of s.block) {
      if (words[0] === "preferred-life") b.preferredLifetime = seconds(words[1], fail);
      if (words[0] === "max-life") b.validLifetime = seconds(words[1], fail);
    }
    out.push(b);
  }
  return out;
}

function lease6(body: readonly Statement[], source: string, fail: (w: string) => SyntaxError) {
  const o: Record<string, unknown> = { dnsServers: [], searchDomains: [], source };
  const addresses: Dhcp6Binding[] = [], prefixes: Dhcp6Binding[] = [];
  for (const s of body) {
    const [key, ...rest] = s.words;
    if (key === "interface") o.interfaceName = domain(rest[0] ?? "");
    else if ((key === "ia-na" || key === "ia-pd") && s.block) {
      for (const { words } of s.block) {
        if (words[0] === "starts") o.startedAt = seconds(words[1], fail) * 1000;
        if (words[0] === "renew") o.renewTime = seconds(words[1], fail);
        if (words[0] === "rebind") o.rebindTime = seconds(words[1], fail);
      }
      addresses.push(...bindings(s.block, "iaaddr", fail));
      prefixes.push(...bindings(s.block, "iaprefix", fail));
    } else if (key === "option") {
      const [name, ...v] = rest;
      if (name === "dhcp6.name-servers") o.dnsServers = list(v).map((x) => requireIp(x, fail));
      else if (name === "dhcp6.domain-search") o.searchDomains = list(v).map(domain);
      else if (name === "dhcp6.server-id") o.serverId = v.join(" ");
      else if (name === "dhcp6.info-refresh-time") o.infoRefreshTime = seconds(v[0], fail);
    }
  }
  if (typeof o.interfaceName !== "string") throw fail("a lease6 names no interface");
  return {
    ...o,
    stateless: addresses.length + prefixes.length === 0,
    addresses,
    prefixes,
  } as unknown as Dhcp6Lease;
}

/**
 * Parses a dhclient lease file.
 *
 * @example Parse a DHCPv4 lease
 * ```ts
 * import { parseDhclientLeases } from "./parse_dhclient.ts";
 * import assert from "node:assert/strict";
 * const { dhcp4 } = parseDhclientLeases(`lease {
 *   interface "eth0";
 *   fixed-address 198.51.100.136;
 *   option subnet-mask 255.255.255.0;
 *   option domain-name-servers 198.51.100.1;
 *   expire 2 2026/11/24 04:08:56;
 * }`, "/var/lib/dhcp/dhclient.leases");
 * assert.equal(dhcp4[0].address, "198.51.100.136");
 * assert.equal(dhcp4[0].prefixLength, 24);
 * assert.deepEqual(dhcp4[0].dnsServers, ["198.51.100.1"]);
 * ```
 * @param text The file's contents.
 * @param source The file's path, for messages and labels.
 * @returns Every lease, oldest first; resolvers is always empty.
 * @throws {SyntaxError} When the file is not a lease file.
 */
export function parseDhclientLeases(text: string, source: string): SourceData {
  const fail = (what: string) => new SyntaxError(`Cannot parse dhclient leases ${source}: ${what}`);
  const dhcp4: Dhcp4Lease[] = [], dhcp6: Dhcp6Lease[] = [];
  for (const s of statements(tokens(text, fail), { n: 0 }, fail)) {
    if (s.words[0] === "lease" && s.block) dhcp4.push(lease4(s.block, source, fail));
    if (s.words[0] === "lease6" && s.block) dhcp6.push(lease6(s.block, source, fail));
  }
  return { dhcp4, dhcp6, resolvers: [] };
}
