/**
 * The options of connect() and which provisioning domains they let race:
 * TAPS-style path preferences (require, prefer, avoid, prohibit) by PD,
 * interface or interface type, families, a source address.
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";
import { canonicalIp, type Family, isLoopback, parseIp } from "../ip/ip.ts";
import { INTERFACE_TYPES, type InterfaceType, type TlsOptions } from "../protocol/types.ts";
import { tlsProblem } from "../protocol/validate.ts";
import { toDnsName } from "../dns/dns_name.ts";
import { DEFAULT_ATTEMPT_DELAY, MAX_ATTEMPT_DELAY, MIN_ATTEMPT_DELAY } from "./path_history.ts";
import { checkLeak, type LeakMode } from "./split_dns.ts";

/**
 * Names PDs: a PD id ("wlan0/ipv4"), an interface id ("wlan0"), an
 * interface type ("cellular", "vpn", ...), "metered" (the PDs of every
 * interface the platform reports as metered: NetworkManager's metered state),
 * or "validated" (the PDs whose last connectivity check, still valid, found
 * full connectivity: checkConnectivity()).
 */
export type PathSelector = string;

/** Options of {@linkcode connect}. */
export interface ConnectOptions {
  /** The MIF API to use; without it connect() opens one, closed with the connection. */
  readonly mif?: Mif;
  /** Only these PDs take part. */
  readonly require?: readonly PathSelector[];
  /** These PDs are tried before the others. */
  readonly prefer?: readonly PathSelector[];
  /** These PDs are tried only after every other candidate. */
  readonly avoid?: readonly PathSelector[];
  /** These PDs never take part. */
  readonly prohibit?: readonly PathSelector[];
  /** Only PDs of these families (default both). */
  readonly families?: readonly Family[];
  /** Connect from this address only (the PD that has it; connect-to-address-from-address). */
  readonly source?: string;
  /**
   * Milliseconds between attempts for a PD without RTT history (RFC 8305
   * §5): default 250, 100 to 2000. With history, each PD's own measured
   * connect RTTs set its delay, within the same bounds.
   */
  readonly attemptDelay?: number;
  /**
   * Start the first attempt on each interface at once instead of an attempt
   * delay after the previous attempt, as the draft's §3.4 example does
   * (default true; false: RFC 8305's stagger throughout). Within an
   * interface, for avoided PDs, for metered interfaces and for destinations
   * that failed before, the stagger still holds. Costs a SYN per interface;
   * saves an attempt delay when the first interface's path is silently
   * broken (README, "Performance").
   */
  readonly parallelInterfaces?: boolean;
  /**
   * Let require/prefer/avoid/prohibit name PDs and interfaces the host does
   * not have now (one that may appear later). Default false: a name that is
   * no PD id, interface id, interface type or "metered" of this host is a
   * RangeError listing the valid ones, so a typo never silently disables a
   * policy.
   */
  readonly allowUnknownPaths?: boolean;
  /**
   * Split DNS: a name equal to or under some PDs' routing domains (their
   * search domains, RFC 8801 dnsZones) is translated through those PDs
   * only. "never" (the default) never asks the other PDs, so the name does
   * not leak to their resolvers; "fallback" asks them only after every
   * routed PD failed to translate it. Names under no PD's domain, `.local`
   * names and IP literals go to every PD either way.
   */
  readonly leak?: LeakMode;
  /** Milliseconds for the whole race, resolution included (default 30000). */
  readonly timeout?: number;
  /**
   * Run TLS on the connection (true: the defaults): each attempt's
   * handshake is part of the attempt, with full certificate verification.
   * serverName defaults to the hostname (none for an IP literal: the
   * certificate must then name the address); caCerts default to the
   * system's roots. An attempt whose TLS fails ends "tls", and the race
   * goes on.
   */
  readonly tls?: boolean | TlsOptions;
  /** Aborts the race; connect() then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A PD as announced, for eligibility. */
export interface AnnouncedPd {
  /** The PD. */
  readonly pdId: string;
  /** Its interface. */
  readonly interfaceId: string;
  /** The interface's type. */
  readonly interfaceType: InterfaceType;
  /** Whether the interface is metered, where the platform knows. */
  readonly metered?: boolean;
  /** Whether a connectivity check found full connectivity, and still holds. */
  readonly validated?: boolean;
  /** The PD's family. */
  readonly family: Family;
  /** Its addresses. */
  readonly addresses: readonly string[];
}

/** connect()'s options, checked, with defaults (each as in {@linkcode ConnectOptions}). */
export interface CheckedOptions {
  /** Only these PDs take part; undefined: any. */
  readonly require?: readonly string[];
  /** Tried first. */
  readonly prefer: readonly string[];
  /** Tried last. */
  readonly avoid: readonly string[];
  /** Never tried. */
  readonly prohibit: readonly string[];
  /** The families that take part. */
  readonly families: readonly Family[];
  /** The one source address, canonical, if given. */
  readonly source?: string;
  /** Milliseconds between attempts for a PD without history. */
  readonly attemptDelay: number;
  /** Whether each interface's first attempt starts at once. */
  readonly parallelInterfaces: boolean;
  /** Milliseconds for the whole race. */
  readonly timeout: number;
  /** Whether selectors may name PDs and interfaces the host does not have (yet). */
  readonly allowUnknownPaths: boolean;
  /** Whether PDs a name is not routed to are asked on fallback. */
  readonly leak: LeakMode;
  /** TLS for each attempt, serverName filled in; undefined: plain TCP. */
  readonly tls?: TlsOptions;
}

function selectors(name: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) {
    throw new TypeError(`Cannot connect: ${name} must be an array of PD ids, interfaces or types`);
  }
  return value;
}

/**
 * Checks connect()'s arguments and fills in defaults.
 *
 * @example Defaults, and a delay out of range
 * ```ts
 * import { checkConnectArguments } from "./connect_options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkConnectArguments("www.example", 443, {}).attemptDelay, 250);
 * assert.throws(() => checkConnectArguments("www.example", 443, { attemptDelay: 5 }), RangeError);
 * // TLS checks the certificate against the name; an IP literal is checked as the address.
 * assert.deepEqual(checkConnectArguments("WWW.example.", 443, { tls: true }).tls, { serverName: "www.example" });
 * assert.deepEqual(checkConnectArguments("198.51.100.80", 443, { tls: true }).tls, {});
 * ```
 * @param hostname The name or address to connect to.
 * @param port The port.
 * @param options The options.
 * @returns The checked options.
 * @throws {TypeError} For arguments of the wrong type.
 * @throws {RangeError} For a port, delay or timeout out of range.
 */
export function checkConnectArguments(
  hostname: unknown,
  port: unknown,
  options: ConnectOptions,
): CheckedOptions {
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError("Cannot connect: hostname must be a non-empty string");
  }
  if (hostname.length > 1024) {
    throw new RangeError(`Cannot connect: hostname has ${hostname.length} characters, over 1024`);
  }
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Cannot connect: port must be an integer from 1 to 65535, not ${port}`);
  }
  const attemptDelay = options.attemptDelay ?? DEFAULT_ATTEMPT_DELAY;
  if (
    typeof attemptDelay !== "number" || !(attemptDelay >= MIN_ATTEMPT_DELAY) ||
    attemptDelay > MAX_ATTEMPT_DELAY
  ) {
    throw new RangeError(
      `Cannot connect: attemptDelay must be ${MIN_ATTEMPT_DELAY} to ${MAX_ATTEMPT_DELAY} ms, not ${attemptDelay}`,
    );
  }
  const timeout = options.timeout ?? 30_000;
  if (typeof timeout !== "number" || !(timeout > 0) || timeout > 0x7fffffff) {
    throw new RangeError(`Cannot connect: timeout must be a positive number of ms, not ${timeout}`);
  }
  const families = options.families ?? ["ipv4", "ipv6"];
  if (!Array.isArray(families) || !families.every((f) => f === "ipv4" || f === "ipv6")) {
    throw new TypeError('Cannot connect: families must list "ipv4" and/or "ipv6"');
  }
  const parallelInterfaces = options.parallelInterfaces ?? true;
  if (typeof parallelInterfaces !== "boolean") {
    throw new TypeError("Cannot connect: parallelInterfaces must be a boolean");
  }
  const allowUnknownPaths = options.allowUnknownPaths ?? false;
  if (typeof allowUnknownPaths !== "boolean") {
    throw new TypeError("Cannot connect: allowUnknownPaths must be a boolean");
  }
  let source: string | undefined;
  if (options.source !== undefined) {
    source = typeof options.source === "string" ? canonicalIp(options.source) : undefined;
    if (source === undefined) {
      throw new TypeError(`Cannot connect: source "${options.source}" is not an IP address`);
    }
  }
  const tls = checkTls(hostname, options.tls);
  const leak = checkLeak(options.leak);
  return {
    require: selectors("require", options.require),
    prefer: selectors("prefer", options.prefer) ?? [],
    avoid: selectors("avoid", options.avoid) ?? [],
    prohibit: selectors("prohibit", options.prohibit) ?? [],
    families,
    source,
    attemptDelay,
    parallelInterfaces,
    timeout,
    allowUnknownPaths,
    leak,
    ...(tls ? { tls } : {}),
  };
}

/** connect()'s tls option checked, with the hostname as its serverName unless that is an IP literal. */
function checkTls(hostname: string, tls: unknown): TlsOptions | undefined {
  if (tls === undefined || tls === false) return undefined;
  const problem = tlsProblem(tls);
  if (problem) throw new TypeError(`Cannot connect: tls ${problem}`);
  const given = tls === true ? {} : tls as TlsOptions;
  if (given.serverName !== undefined || parseIp(hostname)) return { ...given };
  const name = toDnsName(hostname);
  if (!name.ok) {
    throw new TypeError(
      `Cannot connect over TLS: hostname ${name.problem}, so it cannot be checked`,
    );
  }
  return { ...given, serverName: name.name };
}

/** The PDs and interfaces a selector may name, as the host has them now. */
export interface KnownPaths {
  /** PD ids. */
  readonly pdIds: readonly string[];
  /** Interface ids. */
  readonly interfaceIds: readonly string[];
}

/**
 * Every name a selector may use on this host: its PD ids and interface ids,
 * the interface types ({@linkcode INTERFACE_TYPES}), "metered" and "validated".
 *
 * @example A one-PD host
 * ```ts
 * import { selectorNames } from "./connect_options.ts";
 * import assert from "node:assert/strict";
 * const names = selectorNames({ pdIds: ["wlan0/ipv4"], interfaceIds: ["wlan0"] });
 * assert.deepEqual(names.slice(0, 3), ["wlan0/ipv4", "wlan0", "wired"]);
 * assert.deepEqual(names.slice(-2), ["metered", "validated"]);
 * ```
 * @param known The host's PDs and interfaces.
 * @returns The names, PDs first.
 */
export function selectorNames(known: KnownPaths): string[] {
  return [...known.pdIds, ...known.interfaceIds, ...INTERFACE_TYPES, "metered", "validated"];
}

/**
 * The selectors that name nothing: no PD id, interface id or interface type
 * ({@linkcode INTERFACE_TYPES}) of `known`, and not "metered".
 *
 * @example A typo
 * ```ts
 * import { unknownSelectors } from "./connect_options.ts";
 * import assert from "node:assert/strict";
 * const known = { pdIds: ["wlan0/ipv4"], interfaceIds: ["wlan0"] };
 * assert.deepEqual(unknownSelectors(["cellullar", "wifi", "wlan0", "metered"], known), ["cellullar"]);
 * ```
 * @param selectors What the caller wrote.
 * @param known The host's PDs and interfaces.
 * @returns The ones that name nothing, in order.
 */
export function unknownSelectors(
  selectors: readonly string[],
  known: KnownPaths,
): string[] {
  const names = new Set(selectorNames(known));
  return selectors.filter((s) => !names.has(s));
}

/**
 * What names the host has, for an error about a selector that names none:
 * "the PDs here are …; interfaces …; interface types …, or metered".
 *
 * @example List what the host has
 * ```ts
 * import { validSelectors } from "./connect_options.ts";
 * import assert from "node:assert/strict";
 * assert.match(validSelectors({ pdIds: ["eth0/ipv4"], interfaceIds: ["eth0"] }), /^PDs eth0\/ipv4; interfaces eth0;/);
 * ```
 * @param known The host's PDs and interfaces.
 * @returns A list for a message.
 */
export function validSelectors(known: KnownPaths): string {
  const list = (items: readonly string[]) => items.length ? items.join(", ") : "none";
  return `PDs ${list(known.pdIds)}; interfaces ${list(known.interfaceIds)}; interface types ${
    INTERFACE_TYPES.join(", ")
  }; or metered, validated`;
}

/**
 * Refuses selectors that name nothing the host has (a typo would otherwise
 * quietly prohibit or avoid nothing), unless the caller allows names not
 * present yet.
 *
 * @param options The checked options.
 * @param known The host's PDs and interfaces.
 * @throws {RangeError} Naming the first option with an unknown selector and the valid names.
 */
export function checkSelectors(options: CheckedOptions, known: KnownPaths): void {
  if (options.allowUnknownPaths) return;
  for (const name of ["require", "prefer", "avoid", "prohibit"] as const) {
    const unknown = unknownSelectors(options[name] ?? [], known);
    if (unknown.length > 0) {
      throw new RangeError(
        `Cannot connect: ${name} names ${
          unknown.map((u) => `"${u}"`).join(", ")
        }, which this host has no PD, interface or interface type of (${
          validSelectors(known)
        }); pass allowUnknownPaths to name ones that may appear later`,
      );
    }
  }
}

/**
 * Whether a name can only mean this host: "localhost" and names under it
 * (RFC 6761 §6.3), and loopback literals.
 *
 * @example Loopback names
 * ```ts
 * import { isLoopbackName } from "./connect_options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isLoopbackName("localhost"), true);
 * assert.equal(isLoopbackName("::1"), true);
 * assert.equal(isLoopbackName("www.example"), false);
 * ```
 * @param hostname The name or literal.
 * @returns True for a loopback name.
 */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  const ip = parseIp(hostname);
  return ip !== undefined && isLoopback(ip);
}

function matches(pd: AnnouncedPd, list: readonly string[]): boolean {
  return list.some((s) =>
    s === pd.pdId || s === pd.interfaceId || s === pd.interfaceType ||
    (s === "metered" && pd.metered === true) || (s === "validated" && pd.validated === true)
  );
}

/**
 * The tier a PD races in, or undefined when it may not take part:
 * prohibited, not required, of another family, or without the source. A
 * loopback interface's PDs take part only for loopback names (or when
 * required by name): its addresses reach nothing else, and asking them
 * would only wake their workers.
 *
 * @example Avoid cellular, prohibit vpn
 * ```ts
 * import { checkConnectArguments, pathTier } from "./connect_options.ts";
 * import assert from "node:assert/strict";
 * const options = checkConnectArguments("www.example", 443, { avoid: ["cellular"], prohibit: ["vpn"] });
 * const pd = (interfaceType: "wifi" | "cellular" | "vpn") => ({
 *   pdId: `${interfaceType}/ipv4`, interfaceId: interfaceType, interfaceType, family: "ipv4" as const, addresses: [],
 * });
 * const tier = (type: "wifi" | "cellular" | "vpn") => pathTier(pd(type), options, "www.example");
 * assert.deepEqual([tier("wifi"), tier("cellular"), tier("vpn")], [1, 2, undefined]);
 * ```
 * @param pd The PD.
 * @param options The checked options.
 * @param hostname The name being connected to.
 * @returns 0 preferred, 1 neither, 2 avoided; undefined when excluded.
 */
export function pathTier(
  pd: AnnouncedPd,
  options: CheckedOptions,
  hostname: string,
): number | undefined {
  if (matches(pd, options.prohibit)) return undefined;
  if (options.require && !matches(pd, options.require)) return undefined;
  if (pd.interfaceType === "loopback" && !isLoopbackName(hostname) && !options.require) {
    return undefined;
  }
  if (!options.families.includes(pd.family)) return undefined;
  if (options.source !== undefined && !pd.addresses.includes(options.source)) return undefined;
  if (matches(pd, options.avoid)) return 2;
  return matches(pd, options.prefer) ? 0 : 1;
}
