/**
 * The parts of a scenario the simulated platform serves itself: a `names`
 * table its DNS servers answer from, and TCP `services` for connections to
 * reach. Every address in them is a loopback address, so the simulation
 * never touches a real network. Every error names the field it is about.
 *
 * @module
 */

import { toDnsName } from "../../dns/dns_name.ts";
import { parseServer, serverText } from "../../ip/server_address.ts";
import type { Family } from "../../protocol/types.ts";
import { formatIp, isLoopback, parseIp } from "../../ip/ip.ts";
import { array, integer, object, string } from "./fields.ts";
import type { ScenarioElement, ScenarioEvent, ScenarioInterface, ScenarioPd } from "./scenario.ts";

/**
 * What the scenario's DNS servers answer for one name.
 *
 * @example A name only the VPN's DNS server knows
 * ```ts
 * import { parseScenario, type ScenarioName } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const vpn = {
 *   interfaceId: "tun0", interfaceType: "vpn",
 *   pds: [{
 *     pdId: "tun0/ipv4", family: "ipv4", addresses: [{ address: "127.0.0.1" }],
 *     elements: [{ element: "static", data: { "dns-servers": ["127.0.0.1:5304"] } }],
 *   }],
 * };
 * const scenario = parseScenario(JSON.stringify({
 *   name: "vpn",
 *   interfaces: [vpn],
 *   names: { "Intranet.corp.example.": { a: ["127.0.0.1"], servers: ["127.0.0.1:5304"] } },
 * }));
 * const expected: ScenarioName = { a: ["127.0.0.1"], aaaa: [], ttl: 300, servers: ["127.0.0.1:5304"] };
 * assert.deepEqual(scenario.names, { "intranet.corp.example": expected });
 * ```
 */
export interface ScenarioName {
  /** A records: IPv4 loopback addresses. */
  readonly a: readonly string[];
  /** AAAA records: "::1", the one IPv6 loopback address. */
  readonly aaaa: readonly string[];
  /** TTL of its records, in seconds (default 300). */
  readonly ttl: number;
  /**
   * Only these DNS servers know the name, as "host:port" ("127.0.0.1:5304",
   * "[::1]:53"); the others answer NXDOMAIN. Absent: every server knows it.
   */
  readonly servers?: readonly string[];
}

/**
 * A TCP service the simulated platform runs.
 *
 * @example A greeting on port 8080 and an echo service
 * ```ts
 * import { parseScenario, type ScenarioService } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const services: ScenarioService[] = [
 *   { address: "127.0.0.1", port: 8080, reply: "hello\n" },
 *   { address: "::1", port: 7 },
 * ];
 * const scenario = parseScenario(JSON.stringify({ name: "served", interfaces: [], services }));
 * assert.deepEqual(scenario.services, services);
 * ```
 */
export interface ScenarioService {
  /** The loopback address it listens on. */
  readonly address: string;
  /** Its port. */
  readonly port: number;
  /** Written to every connection, which is then ended; absent: it echoes what it reads. */
  readonly reply?: string;
}

/** How many names, records per type, services and servers per name a scenario may have. */
const LIMITS = { names: 1000, records: 64, services: 64, servers: 64 } as const;
/** RFC 2181 §8: a TTL is at most 2^31 - 1 seconds. */
const MAX_TTL = 0x7fffffff;

/**
 * The form a DNS server string is compared in: "host:port", "[host]:port".
 *
 * @example Name a server on the default port
 * ```ts
 * import { serverKey } from "./scenario_names.ts";
 * import assert from "node:assert/strict";
 * assert.equal(serverKey("::1"), "[::1]:53");
 * assert.equal(serverKey("127.0.0.1:5301"), "127.0.0.1:5301");
 * assert.equal(serverKey("nonsense"), undefined);
 * ```
 * @param text A dns-servers item.
 * @returns Its key, or undefined when it is not a server string.
 */
export function serverKey(text: string): string | undefined {
  const server = parseServer(text, "sim");
  return server && serverText(server.host, server.port);
}

/**
 * Every DNS server a scenario's elements name, at start or in its timeline,
 * once each, in order of appearance.
 *
 * @example List the servers of one PD
 * ```ts
 * import { scenarioDnsServers } from "./scenario_names.ts";
 * import assert from "node:assert/strict";
 * const pd = {
 *   pdId: "eth0/ipv4", family: "ipv4" as const, addresses: [],
 *   elements: [{ element: "dhcpv4" as const, data: { "dns-servers": ["127.0.0.1:5301", "::1"] } }],
 * };
 * const nic = { interfaceId: "eth0", displayName: "eth0", interfaceType: "wired" as const };
 * const servers = scenarioDnsServers([{ ...nic, operState: "up", pds: [pd] }], []);
 * assert.deepEqual(servers, ["127.0.0.1:5301", "[::1]:53"]);
 * ```
 * @param interfaces The scenario's interfaces at start.
 * @param timeline Its timeline.
 * @returns Each server as {@linkcode serverKey} gives it.
 */
export function scenarioDnsServers(
  interfaces: readonly ScenarioInterface[],
  timeline: readonly ScenarioEvent[],
): string[] {
  const found = new Set<string>();
  const fromElement = (e: ScenarioElement) => {
    const items = e.data["dns-servers"];
    for (const text of Array.isArray(items) ? items : []) {
      const key = typeof text === "string" ? serverKey(text) : undefined;
      if (key !== undefined) found.add(key);
    }
  };
  const fromPd = (pd: ScenarioPd) => pd.elements.forEach(fromElement);
  const fromNic = (n: ScenarioInterface) => n.pds.forEach(fromPd);
  interfaces.forEach(fromNic);
  for (const e of timeline) {
    if (e.event === "interface-add") fromNic(e.interface);
    else if (e.event === "pd-add") fromPd(e.pd);
    else if (e.event === "element-set") fromElement(e.element);
  }
  return [...found];
}

/**
 * Reads a loopback address of one family, in canonical form.
 *
 * @example Read an A record
 * ```ts
 * import { loopbackAddress } from "./scenario_names.ts";
 * import assert from "node:assert/strict";
 * assert.equal(loopbackAddress("0:0:0:0:0:0:0:1", "aaaa[0]", "ipv6"), "::1");
 * assert.throws(() => loopbackAddress("192.0.2.1", "a[0]"), RangeError);
 * ```
 * @param value The value.
 * @param path Where it is, for errors.
 * @param family The family it must have, if any.
 * @returns The canonical address.
 * @throws {TypeError} When it is not an IP address (of the family).
 * @throws {RangeError} When it is not a loopback address.
 */
export function loopbackAddress(value: unknown, path: string, family?: Family): string {
  const text = string(value, path, 64);
  const ip = parseIp(text);
  if (!ip) throw new TypeError(`${path}: "${text}" is not an IP address`);
  if (family && ip.family !== family) {
    throw new TypeError(`${path}: "${text}" is not an ${family} address`);
  }
  if (ip.zone !== undefined || !isLoopback(ip)) {
    throw new RangeError(
      `${path}: "${text}" is not a loopback address (the simulated platform only uses 127.0.0.0/8 and ::1)`,
    );
  }
  return formatIp(ip);
}

function records(value: unknown, path: string, family: Family): string[] {
  const list = array(value, path);
  if (list.length > LIMITS.records) {
    throw new RangeError(`${path}: must have at most ${LIMITS.records} addresses`);
  }
  return list.map((v, i) => loopbackAddress(v, `${path}[${i}]`, family));
}

function entry(value: unknown, path: string, servers: ReadonlySet<string>): ScenarioName {
  const e = object(value, path, ["a", "aaaa", "ttl", "servers"]);
  const only = e.servers === undefined ? undefined : array(e.servers, `${path}.servers`);
  if (only && (only.length === 0 || only.length > LIMITS.servers)) {
    throw new RangeError(`${path}.servers: must have from 1 to ${LIMITS.servers} servers`);
  }
  return {
    a: records(e.a ?? [], `${path}.a`, "ipv4"),
    aaaa: records(e.aaaa ?? [], `${path}.aaaa`, "ipv6"),
    ttl: integer(e.ttl ?? 300, `${path}.ttl`, 0, MAX_TTL),
    ...(only === undefined ? {} : {
      servers: only.map((v, i) => {
        const text = string(v, `${path}.servers[${i}]`, 64);
        const key = serverKey(text);
        if (key === undefined || !servers.has(key)) {
          throw new TypeError(
            `${path}.servers[${i}]: "${text}" is not a DNS server of the scenario (its dns-servers items are ${
              [...servers].join(", ") || "none"
            })`,
          );
        }
        return key;
      }),
    }),
  };
}

/**
 * Reads a scenario's `names` table: names (any case, a trailing dot
 * allowed) to what its DNS servers answer for them.
 *
 * @example Read a table
 * ```ts
 * import { parseNames } from "./scenario_names.ts";
 * import assert from "node:assert/strict";
 * const names = parseNames({ "WWW.Example.": { a: ["127.0.0.1"], ttl: 60 } }, "names", new Set());
 * assert.deepEqual(names, { "www.example": { a: ["127.0.0.1"], aaaa: [], ttl: 60 } });
 * ```
 * @param value The table.
 * @param path Where it is, for errors: "names".
 * @param servers Every DNS server of the scenario, as {@linkcode serverKey} gives it.
 * @returns The table by lower-case ASCII name, without trailing dots.
 * @throws {TypeError} When a field has the wrong type or is unknown, or a name is not a DNS name.
 * @throws {RangeError} When a value is out of range or an address is not loopback.
 */
export function parseNames(
  value: unknown,
  path: string,
  servers: ReadonlySet<string>,
): Record<string, ScenarioName> {
  const table = object(value, path, Object.keys(value ?? {}));
  const keys = Object.keys(table);
  if (keys.length > LIMITS.names) {
    throw new RangeError(`${path}: must have at most ${LIMITS.names} names`);
  }
  const names: Record<string, ScenarioName> = {};
  for (const key of keys) {
    const where = `${path}[${JSON.stringify(key)}]`;
    const checked = toDnsName(key);
    if (!checked.ok) {
      throw new TypeError(`${where}: "${key}" is not a DNS name: it ${checked.problem}`);
    }
    if (Object.hasOwn(names, checked.name)) {
      throw new TypeError(`${where}: "${checked.name}" is already in the table`);
    }
    names[checked.name] = entry(table[key], where, servers);
  }
  return names;
}

/**
 * Reads a scenario's `services` list.
 *
 * @example Read a service
 * ```ts
 * import { parseServices } from "./scenario_names.ts";
 * import assert from "node:assert/strict";
 * const services = parseServices([{ address: "::1", port: 8080, reply: "hi\n" }], "services", new Set());
 * assert.deepEqual(services, [{ address: "::1", port: 8080, reply: "hi\n" }]);
 * ```
 * @param value The list.
 * @param path Where it is, for errors: "services".
 * @param servers Every DNS server of the scenario ({@linkcode serverKey}): no service may take one's port.
 * @returns The services.
 * @throws {TypeError} When a field has the wrong type or is unknown, or two services share a port.
 * @throws {RangeError} When a value is out of range or an address is not loopback.
 */
export function parseServices(
  value: unknown,
  path: string,
  servers: ReadonlySet<string>,
): ScenarioService[] {
  const list = array(value, path);
  if (list.length > LIMITS.services) {
    throw new RangeError(`${path}: must have at most ${LIMITS.services} services`);
  }
  const taken = new Map<string, string>();
  return list.map((v, i) => {
    const where = `${path}[${i}]`;
    const s = object(v, where, ["address", "port", "reply"]);
    const address = loopbackAddress(s.address, `${where}.address`);
    const port = integer(s.port, `${where}.port`, 1, 65535);
    const key = serverText(address, port);
    if (servers.has(key)) {
      throw new TypeError(`${where}.port: ${key} is a DNS server of the scenario`);
    }
    if (taken.has(key)) throw new TypeError(`${where}.port: ${key} is already ${taken.get(key)}`);
    taken.set(key, where);
    return {
      address,
      port,
      ...(s.reply === undefined ? {} : { reply: string(s.reply, `${where}.reply`, 65536) }),
    };
  });
}
