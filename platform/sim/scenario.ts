/**
 * Scenario files for the simulated platform: interfaces, PDs, addresses with
 * lifetimes, configuration elements with their data, and a timeline of
 * events. Every error names the field it is about.
 *
 * Simulated PD addresses and DNS servers must be loopback addresses
 * (127.0.0.0/8, ::1) so that name translation and connections run on real
 * sockets without touching a real network. A DNS server may name a port
 * ("127.0.0.12:5353", "[::1]:5353"). An optional `names` table says what
 * those DNS servers answer and optional `services` are TCP listeners to
 * connect to (see scenario_names.ts); the simulated platform runs both.
 *
 * @module
 */

import { canonicalIp, parseIp } from "../../ip/ip.ts";
import { configValueProblem } from "../../protocol/validate.ts";
import { parseServer } from "../../ip/server_address.ts";
import type {
  ConfigValue,
  ElementType,
  Family,
  InterfaceType,
  Lifetime,
} from "../../protocol/types.ts";
import { CONFIG_ITEM_NAME, ELEMENT_TYPES, INTERFACE_TYPES } from "../../protocol/types.ts";
import { array, integer, type Json, object, oneOf, optional, string } from "./fields.ts";
import { SimModel } from "./sim_model.ts";
import {
  loopbackAddress,
  parseNames,
  parseServices,
  scenarioDnsServers,
  type ScenarioName,
  type ScenarioService,
} from "./scenario_names.ts";

export type { ScenarioName, ScenarioService } from "./scenario_names.ts";

/** An address in a scenario; lifetimes count from when it is added. */
export interface ScenarioAddress {
  /** A loopback address. */
  readonly address: string;
  /** Prefix length. */
  readonly prefixLength: number;
  /** Seconds, or "infinite". */
  readonly validLifetime: Lifetime;
  /** Seconds, or "infinite"; at most validLifetime. */
  readonly preferredLifetime: Lifetime;
}

/** A configuration element in a scenario. */
export interface ScenarioElement {
  /** The element type. */
  readonly element: ElementType;
  /** Items by name. */
  readonly data: Readonly<Record<string, ConfigValue>>;
}

/** A provisioning domain in a scenario. */
export interface ScenarioPd {
  /** Its id. */
  readonly pdId: string;
  /** Its family. */
  readonly family: Family;
  /** Its addresses. */
  readonly addresses: readonly ScenarioAddress[];
  /** Its configuration elements. */
  readonly elements: readonly ScenarioElement[];
}

/** An interface in a scenario. */
export interface ScenarioInterface {
  /** Its id. */
  readonly interfaceId: string;
  /** Its display name. */
  readonly displayName: string;
  /** Its type. */
  readonly interfaceType: InterfaceType;
  /** Whether it starts up (default) or down. */
  readonly operState: "up" | "down";
  /** Its MTU. */
  readonly mtu?: number;
  /** Its link-layer address. */
  readonly mac?: string;
  /** Its PDs (only when up). */
  readonly pds: readonly ScenarioPd[];
}

/** One timeline event, `at` milliseconds after the platform starts. */
export type ScenarioEvent =
  & { readonly at: number }
  & (
    | {
      readonly event: "link-down" | "link-up" | "interface-remove" | "interface-going-away";
      readonly interfaceId: string;
    }
    | { readonly event: "interface-add"; readonly interface: ScenarioInterface }
    | { readonly event: "pd-add"; readonly interfaceId: string; readonly pd: ScenarioPd }
    | { readonly event: "pd-restore" | "pd-remove"; readonly pdId: string }
    | { readonly event: "address-add"; readonly pdId: string; readonly address: ScenarioAddress }
    | { readonly event: "address-remove"; readonly pdId: string; readonly address: string }
    | { readonly event: "element-set"; readonly pdId: string; readonly element: ScenarioElement }
    | { readonly event: "element-remove"; readonly pdId: string; readonly element: ElementType }
  );

/** A whole scenario. */
export interface Scenario {
  /** A short name. */
  readonly name: string;
  /** One line saying what it simulates. */
  readonly description: string;
  /** Interfaces at start. */
  readonly interfaces: readonly ScenarioInterface[];
  /** Events, in time order. */
  readonly timeline: readonly ScenarioEvent[];
  /**
   * What the scenario's DNS servers answer, by lower-case name without a
   * trailing dot. With a table, the simulated platform runs a DNS server on
   * every dns-servers address of the scenario; without one, it runs none.
   */
  readonly names?: Readonly<Record<string, ScenarioName>>;
  /** TCP services the simulated platform runs. */
  readonly services?: readonly ScenarioService[];
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
const DAY_MS = 86_400_000;

function lifetime(value: unknown, path: string): Lifetime {
  return value === "infinite" ? value : integer(value, path, 0, 0xfffffffe);
}

function address(value: unknown, path: string, family: Family): ScenarioAddress {
  const a = object(value, path, ["address", "prefixLength", "validLifetime", "preferredLifetime"]);
  const valid = lifetime(a.validLifetime ?? "infinite", `${path}.validLifetime`);
  const preferred = lifetime(a.preferredLifetime ?? valid, `${path}.preferredLifetime`);
  if (valid !== "infinite" && (preferred === "infinite" || preferred > valid)) {
    throw new RangeError(`${path}.preferredLifetime: must not exceed validLifetime`);
  }
  const max = family === "ipv4" ? 32 : 128;
  return {
    address: loopbackAddress(a.address, `${path}.address`, family),
    prefixLength: integer(a.prefixLength ?? max, `${path}.prefixLength`, 0, max),
    validLifetime: valid,
    preferredLifetime: preferred,
  };
}

function itemValue(item: string, value: unknown, path: string): ConfigValue {
  switch (item) {
    case "dns-servers":
      // An address, or address:port ("127.0.0.12:5353", "[::1]:5353") for a server off port 53.
      return array(value, path).map((v, i) => {
        const text = string(v, `${path}[${i}]`, 64);
        const server = parseServer(text, "sim");
        if (!server) throw new TypeError(`${path}[${i}]: "${text}" is not an IP address`);
        loopbackAddress(server.host, `${path}[${i}]`);
        return text;
      });
    case "routers":
      return array(value, path).map((v, i) => {
        const text = string(v, `${path}[${i}]`, 64);
        const canonical = canonicalIp(text);
        if (!canonical) throw new TypeError(`${path}[${i}]: "${text}" is not an IP address`);
        return canonical;
      });
    case "search-domains":
      return array(value, path).map((v, i) => string(v, `${path}[${i}]`, 253));
    case "mtu":
      return integer(value, path, 68, 65535);
    default: {
      const problem = configValueProblem(value);
      if (problem) throw new TypeError(`${path}: ${problem}`);
      return value as ConfigValue;
    }
  }
}

function element(value: unknown, path: string): ScenarioElement {
  const e = object(value, path, ["element", "data"]);
  const data: Record<string, ConfigValue> = {};
  for (
    const [item, v] of Object.entries(
      object(e.data ?? {}, `${path}.data`, Object.keys(e.data ?? {})),
    )
  ) {
    if (!CONFIG_ITEM_NAME.test(item)) {
      throw new TypeError(`${path}.data.${item}: item names are kebab-case`);
    }
    data[item] = itemValue(item, v, `${path}.data.${item}`);
  }
  return { element: oneOf(e.element, `${path}.element`, ELEMENT_TYPES), data };
}

function pd(value: unknown, path: string): ScenarioPd {
  const p = object(value, path, ["pdId", "family", "addresses", "elements"]);
  const family = oneOf(p.family, `${path}.family`, ["ipv4", "ipv6"] as const);
  return {
    pdId: string(p.pdId, `${path}.pdId`),
    family,
    addresses: array(p.addresses ?? [], `${path}.addresses`).map((a, i) =>
      address(a, `${path}.addresses[${i}]`, family)
    ),
    elements: array(p.elements ?? [], `${path}.elements`).map((e, i) =>
      element(e, `${path}.elements[${i}]`)
    ),
  };
}

function nic(value: unknown, path: string): ScenarioInterface {
  const n = object(value, path, [
    "interfaceId",
    "displayName",
    "interfaceType",
    "operState",
    "mtu",
    "mac",
    "pds",
  ]);
  const mac = optional(n, "mac", path, (v, p) => {
    const text = string(v, p, 17);
    if (!MAC.test(text)) throw new TypeError(`${p}: "${text}" is not a lower-case MAC address`);
    return text;
  });
  const mtu = optional(n, "mtu", path, (v, p) => integer(v, p, 68, 65535));
  const interfaceId = string(n.interfaceId, `${path}.interfaceId`, 64);
  return {
    interfaceId,
    displayName: n.displayName === undefined
      ? interfaceId
      : string(n.displayName, `${path}.displayName`),
    interfaceType: oneOf(n.interfaceType, `${path}.interfaceType`, INTERFACE_TYPES),
    operState: oneOf(n.operState ?? "up", `${path}.operState`, ["up", "down"] as const),
    ...(mtu === undefined ? {} : { mtu }),
    ...(mac === undefined ? {} : { mac }),
    pds: array(n.pds ?? [], `${path}.pds`).map((p, i) => pd(p, `${path}.pds[${i}]`)),
  };
}

function event(value: unknown, path: string): ScenarioEvent {
  const e = value as Json;
  const kind = oneOf(
    object(value, path, Object.keys(value ?? {})).event,
    `${path}.event`,
    [
      "link-down",
      "link-up",
      "interface-add",
      "interface-remove",
      "interface-going-away",
      "pd-add",
      "pd-restore",
      "pd-remove",
      "address-add",
      "address-remove",
      "element-set",
      "element-remove",
    ] as const,
  );
  const at = integer(e.at, `${path}.at`, 0, 7 * DAY_MS);
  switch (kind) {
    case "link-down":
    case "link-up":
    case "interface-remove":
    case "interface-going-away":
      object(value, path, ["at", "event", "interfaceId"]);
      return { at, event: kind, interfaceId: string(e.interfaceId, `${path}.interfaceId`) };
    case "interface-add":
      object(value, path, ["at", "event", "interface"]);
      return { at, event: kind, interface: nic(e.interface, `${path}.interface`) };
    case "pd-add":
      object(value, path, ["at", "event", "interfaceId", "pd"]);
      return {
        at,
        event: kind,
        interfaceId: string(e.interfaceId, `${path}.interfaceId`),
        pd: pd(e.pd, `${path}.pd`),
      };
    case "pd-restore":
    case "pd-remove":
      object(value, path, ["at", "event", "pdId"]);
      return { at, event: kind, pdId: string(e.pdId, `${path}.pdId`) };
    case "address-add":
    case "address-remove":
    case "element-set":
    case "element-remove":
      object(value, path, [
        "at",
        "event",
        "pdId",
        kind.startsWith("address") ? "address" : "element",
      ]);
      return eventOnPd(kind, at, e, path);
    default: {
      const never: never = kind;
      throw new TypeError(`${path}.event: unhandled ${never}`);
    }
  }
}

function eventOnPd(
  kind: "address-add" | "address-remove" | "element-set" | "element-remove",
  at: number,
  e: Json,
  path: string,
): ScenarioEvent {
  const pdId = string(e.pdId, `${path}.pdId`);
  switch (kind) {
    case "address-add": {
      const family = parseIp(String((e.address as Json | undefined)?.address))?.family ?? "ipv4";
      return { at, event: kind, pdId, address: address(e.address, `${path}.address`, family) };
    }
    case "address-remove":
      return { at, event: kind, pdId, address: loopbackAddress(e.address, `${path}.address`) };
    case "element-set":
      return { at, event: kind, pdId, element: element(e.element, `${path}.element`) };
    case "element-remove":
      return { at, event: kind, pdId, element: oneOf(e.element, `${path}.element`, ELEMENT_TYPES) };
  }
}

/**
 * Parses and checks a scenario. Beyond the fields, the timeline is played
 * once against the initial state, so an event that names an unknown or
 * already removed interface, PD or address is refused with its path.
 *
 * @example Parse a one-interface scenario
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(JSON.stringify({
 *   name: "tiny", description: "one wired link",
 *   interfaces: [{ interfaceId: "eth0", interfaceType: "wired", pds: [] }],
 *   timeline: [],
 * }));
 * assert.equal(s.interfaces[0].displayName, "eth0");
 * ```
 * @param text The JSON text.
 * @returns The scenario.
 * @throws {SyntaxError} When the text is not JSON.
 * @throws {TypeError} When a field has the wrong type, is unknown, or names something that does not exist.
 * @throws {RangeError} When a value is out of range.
 */
export function parseScenario(text: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Cannot parse scenario: ${(error as Error).message}`, { cause: error });
  }
  const s = object(json, "scenario", [
    "name",
    "description",
    "interfaces",
    "timeline",
    "names",
    "services",
  ]);
  const name = string(s.name, "name", 64);
  const description = s.description === undefined ? "" : string(s.description, "description", 512);
  const interfaces = array(s.interfaces, "interfaces").map((n, i) => nic(n, `interfaces[${i}]`));
  const timeline = array(s.timeline ?? [], "timeline").map((e, i) => event(e, `timeline[${i}]`));
  const servers = new Set(scenarioDnsServers(interfaces, timeline));
  const scenario: Scenario = {
    name,
    description,
    interfaces,
    timeline,
    ...(s.names === undefined ? {} : { names: parseNames(s.names, "names", servers) }),
    ...(s.services === undefined
      ? {}
      : { services: parseServices(s.services, "services", servers) }),
  };
  for (let i = 1; i < scenario.timeline.length; i++) {
    if (scenario.timeline[i].at < scenario.timeline[i - 1].at) {
      throw new RangeError(`timeline[${i}].at: events must be in time order`);
    }
  }
  const model = new SimModel(scenario.interfaces, 0, "interfaces");
  scenario.timeline.forEach((e, i) => {
    model.expire(e.at); // As when running: expiries due by an event's time come first.
    model.apply(e, e.at, `timeline[${i}]`);
  });
  return scenario;
}
