/**
 * The shape of `mif status`: interfaces → PDs → configuration elements and
 * addresses, DNS servers, PD workers, subscribers and their intents.
 *
 * @module
 */

import type { ElementType, Family, Lifetime } from "../protocol/types.ts";
import type { ElementInfo, InterfaceInfo, SourceNote } from "../protocol/model.ts";
import type { IntentRecord } from "./intents.ts";
import type { WorkerPermissions, WorkerStatus } from "./worker_client.ts";

export type { IntentRecord, WorkerPermissions, WorkerStatus };

/** An address with its remaining lifetimes. */
export interface AddressStatus {
  /** The address. */
  readonly address: string;
  /** Its prefix length. */
  readonly prefixLength: number;
  /** Seconds left, or "infinite". */
  readonly validLifetime: Lifetime;
  /** Seconds left, or "infinite"; 0 means deprecated. */
  readonly preferredLifetime: Lifetime;
}

/** A DNS server and the element that supplied it. */
export interface DnsServerStatus {
  /** The server's address. */
  readonly address: string;
  /** The configuration element it came from. */
  readonly element: ElementType;
}

/** A provisioning domain. */
export interface PdStatus {
  /** Its id. */
  readonly pdId: string;
  /** Its family. */
  readonly family: Family;
  /** Its addresses. */
  readonly addresses: readonly AddressStatus[];
  /** Its configuration elements. */
  readonly elements: readonly ElementInfo[];
  /** The DNS servers of all its elements, in element order, each once per element. */
  readonly dnsServers: readonly DnsServerStatus[];
  /**
   * Its routing domains (split DNS, connect/split_dns.ts): its elements'
   * search domains and RFC 8801 dnsZones, ASCII lower case, each once.
   */
  readonly routingDomains: readonly string[];
  /** Its worker. */
  readonly worker: WorkerStatus;
}

/** An interface and its PDs. */
export interface InterfaceStatus extends Omit<InterfaceInfo, "pds" | "unattributed"> {
  /** Its PDs. */
  readonly pds: readonly PdStatus[];
  /** Its addresses no PD can claim (their router unknown or gone), if any. */
  readonly unattributed?: readonly AddressStatus[];
}

/** A subscriber: what it subscribed to and what it said it intends. */
export interface SubscriberStatus {
  /** Its id. */
  readonly subscriberId: number;
  /** Its name, if it gave one. */
  readonly name?: string;
  /** Whether it receives interface announcements. */
  readonly interfaces: boolean;
  /** Interfaces whose PD announcements it receives. */
  readonly provisioningDomainsOn: readonly string[];
  /** PDs whose configuration element announcements it receives. */
  readonly configurationElementsOf: readonly string[];
  /** PDs whose address announcements it receives. */
  readonly addressesOf: readonly string[];
  /** Translations in progress. */
  readonly translations: number;
  /** Connection attempts in progress. */
  readonly connecting: number;
  /** Open connections. */
  readonly connections: number;
  /** Messages waiting to be read. */
  readonly queued: number;
  /** Recorded application intents (§3.3.7.25). */
  readonly intents: readonly IntentRecord[];
}

/** Everything `mif status` shows. */
export interface MifStatus {
  /** The platform ("sim", "linux", "darwin"). */
  readonly platform: string;
  /** The platform's description (scenario, host). */
  readonly description: string;
  /** When the status was taken (ISO 8601). */
  readonly at: string;
  /** How PD workers are sandboxed. */
  readonly workerPermissions: WorkerPermissions;
  /** Whether a spare PD worker, serving no PD yet, is started now (MifOptions.workerSpare). */
  readonly spareWorker: boolean;
  /** Interfaces, PDs, elements and addresses. */
  readonly interfaces: readonly InterfaceStatus[];
  /** Subscribers of this Mif instance. */
  readonly subscribers: readonly SubscriberStatus[];
  /** Configuration sources that were skipped, and why. */
  readonly notes: readonly SourceNote[];
}
