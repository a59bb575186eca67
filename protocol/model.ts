/**
 * The model of the host's networking that every layer above shares: a
 * {@linkcode Snapshot} of interfaces, their provisioning domains (§3.1),
 * configuration elements and addresses. Platforms produce snapshots
 * (platform/), the broker diffs and announces them, the PD workers and
 * connect() read PDs and addresses; none of them owns these types, so they
 * live here, below all of them.
 *
 * @module
 */

import type { ConfigValue, ElementType, Family, InterfaceType } from "./types.ts";

/**
 * An interface's operational state.
 *
 * @example The three states
 * ```ts
 * import { OPER_STATES } from "./model.ts";
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
