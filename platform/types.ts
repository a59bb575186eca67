/**
 * The one interface every platform implements: a snapshot of the host's
 * interfaces, provisioning domains, configuration elements and addresses,
 * then change events. Platforms report whole snapshots; the broker diffs them
 * and emits the announcements of §3.3.7, so the ordering rules live in one
 * place for every platform.
 *
 * @module
 */

import type { ConfigValue, ElementType, Family, InterfaceType } from "../protocol/types.ts";

/**
 * Every platform name mif accepts.
 *
 * @example Validate a name
 * ```ts
 * import { PLATFORM_NAMES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(PLATFORM_NAMES.includes("sim"));
 * ```
 */
export const PLATFORM_NAMES = ["sim", "linux", "darwin"] as const;

/** The platforms mif knows: one of {@linkcode PLATFORM_NAMES}. */
export type PlatformName = typeof PLATFORM_NAMES[number];

/**
 * An interface's operational state.
 *
 * @example
 * ```ts
 * import { OPER_STATES } from "./types.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(OPER_STATES, ["up", "down", "unknown"]);
 * ```
 */
export const OPER_STATES = ["up", "down", "unknown"] as const;

/** One of {@linkcode OPER_STATES}. */
export type OperState = typeof OPER_STATES[number];

/** An address of a provisioning domain. */
export interface AddressInfo {
  /** Canonical IP literal. */
  readonly address: string;
  /** Prefix length (≤ 32 for IPv4). */
  readonly prefixLength: number;
  /** When the address stops being valid, in ms since the epoch; null = never. */
  readonly validUntil: number | null;
  /** When the address becomes deprecated, in ms since the epoch; null = never. */
  readonly preferredUntil: number | null;
  /** An RFC 8981 temporary (privacy) address: preferred as a source (RFC 6724 rule 7). */
  readonly temporary?: true;
}

/** A configuration element of a provisioning domain, with its data. */
export interface ElementInfo {
  /** The element type. */
  readonly element: ElementType;
  /** Items by name ("dns-servers", "mtu", ...). */
  readonly data: Readonly<Record<string, ConfigValue>>;
  /** Where the data came from (a file, a tool, a scenario). */
  readonly source?: string;
}

/** A provisioning domain (§3.1): a link plus what was received on it. */
export interface PdInfo {
  /** Readable, stable id, e.g. "wlan0/ipv4" or "wlan0/ipv6/fe80::1". */
  readonly pdId: string;
  /** The PD's address family. */
  readonly family: Family;
  /** Configuration elements, at most one per type. */
  readonly elements: readonly ElementInfo[];
  /** Addresses, each at most once. */
  readonly addresses: readonly AddressInfo[];
}

/** A network interface and its provisioning domains. */
export interface InterfaceInfo {
  /** Stable id (the interface name on Linux). */
  readonly interfaceId: string;
  /** What a person calls it. */
  readonly displayName: string;
  /** What kind of link it is. */
  readonly interfaceType: InterfaceType;
  /** Operational state. */
  readonly operState: OperState;
  /** Kernel interface index, where there is one. */
  readonly index?: number;
  /** Link MTU in octets. */
  readonly mtu?: number;
  /** Link-layer address. */
  readonly mac?: string;
  /** Whether traffic on it costs (a network manager's metered state), where known. */
  readonly metered?: boolean;
  /** Provisioning domains on this interface. */
  readonly pds: readonly PdInfo[];
  /**
   * Addresses of the interface that no PD can claim: the router that
   * advertised their prefix is not known yet (its Router Advertisement not
   * read) or not any more. They are still the host's, so they are shown
   * (status), but never announced in a PD they may not belong to.
   */
  readonly unattributed?: readonly AddressInfo[];
}

/** A configuration source that could not be read, and why. */
export interface SourceNote {
  /** The source (a path, a command). */
  readonly source: string;
  /** Why it was skipped. */
  readonly reason: string;
}

/** Everything a platform knows at one moment. */
export interface Snapshot {
  /** Interfaces in a stable order. */
  readonly interfaces: readonly InterfaceInfo[];
  /** Sources skipped while taking the snapshot. */
  readonly notes?: readonly SourceNote[];
}

/** What a platform reports after start. */
export type PlatformEvent =
  | { readonly type: "snapshot"; readonly snapshot: Snapshot }
  | { readonly type: "interface-going-away"; readonly interfaceId: string }
  | { readonly type: "interface-going-up"; readonly interfaceId: string };

/** A source of link data (the draft's Network Link API, §3.3.5). */
export interface Platform extends AsyncDisposable {
  /** Which platform this is. */
  readonly name: PlatformName;
  /** A one-line description (the scenario, the host). */
  readonly description: string;
  /**
   * Takes the first snapshot and starts reporting changes to listener. The
   * listener is called only after the returned promise settles.
   */
  start(listener: (event: PlatformEvent) => void): Promise<Snapshot>;
  /** Stops reporting and releases every timer, process and file. */
  close(): Promise<void>;
}
