/**
 * The status view: `mif status` computed from the broker's state, its
 * workers and its sessions, in one place.
 *
 * @module
 */

import type { AddressInfo, PdInfo } from "../protocol/model.ts";
import { remaining } from "../protocol/lifetime.ts";
import { dnsServerSources } from "../workers/pd_view.ts";
import { routingDomains } from "../protocol/routing_domains.ts";
import { type Session, sessionStatus } from "./session.ts";
import type { BrokerState } from "./state.ts";
import type { AddressStatus, MifStatus, PdStatus, WorkerPermissions } from "./status.ts";
import type { WorkerPool } from "./worker_pool.ts";

/** What status is computed from. */
export interface StatusSources {
  /** The platform's name. */
  readonly platform: string;
  /** The platform's description. */
  readonly description: string;
  /** How PD workers are sandboxed. */
  readonly workerPermissions: WorkerPermissions;
  /** The state model. */
  readonly state: Pick<BrokerState, "interfaces" | "notes">;
  /** The PD workers. */
  readonly workers: Pick<WorkerPool, "status" | "spareRunning">;
  /** The subscribers' sessions. */
  readonly sessions: Iterable<Session>;
}

/** An address with its lifetimes as seconds remaining now. */
function addressStatus(a: AddressInfo, now: number): AddressStatus {
  return {
    address: a.address,
    prefixLength: a.prefixLength,
    validLifetime: remaining(a.validUntil, now),
    preferredLifetime: remaining(a.preferredUntil, now),
  };
}

function pdStatus(pd: PdInfo, workers: StatusSources["workers"], now: number): PdStatus {
  return {
    pdId: pd.pdId,
    family: pd.family,
    addresses: pd.addresses.map((a) => addressStatus(a, now)),
    elements: pd.elements,
    // Computed where the worker's server list is (workers/pd_view.ts).
    dnsServers: dnsServerSources(pd),
    routingDomains: routingDomains(pd.elements),
    worker: workers.status(pd.pdId),
  };
}

/**
 * Computes the status: interfaces → PDs with their addresses (lifetimes as
 * of `now`), elements, DNS servers and worker; the subscribers; the notes.
 *
 * @example A PD's DNS servers: once per element that gave them
 * ```ts
 * import { statusView } from "./status_view.ts";
 * import assert from "node:assert/strict";
 * import type { ElementInfo } from "../protocol/model.ts";
 * const elements: ElementInfo[] = [
 *   { element: "ra", data: { "dns-servers": ["2001:db8::53", "2001:db8::53"] } },
 *   { element: "dhcpv6", data: { "dns-servers": ["2001:db8::53", "2001:db8::54"], "search-domains": ["Corp.test"] } },
 * ];
 * const pd = { pdId: "eth0/ipv6", family: "ipv6" as const, addresses: [], elements };
 * const status = statusView({
 *   platform: "sim", description: "example", workerPermissions: "net",
 *   state: { notes: [], interfaces: [{ interfaceId: "eth0", displayName: "eth0",
 *     interfaceType: "wired", operState: "up", pds: [pd] }] },
 *   workers: { spareRunning: false,
 *     status: () => ({ state: "stopped", inFlight: 0, connections: 0, starts: 0, crashes: 0 }) },
 *   sessions: [],
 * }, Date.parse("2025-01-01T00:00:00Z"));
 * assert.equal(status.at, "2025-01-01T00:00:00.000Z");
 * assert.deepEqual(status.interfaces[0].pds[0].dnsServers, [
 *   { address: "2001:db8::53", element: "ra" },
 *   { address: "2001:db8::53", element: "dhcpv6" },
 *   { address: "2001:db8::54", element: "dhcpv6" },
 * ]);
 * assert.deepEqual(status.interfaces[0].pds[0].routingDomains, ["corp.test"]);
 * ```
 * @param sources The state, workers and sessions, and the platform's identity.
 * @param now Milliseconds since the epoch.
 * @returns A copy the caller may keep.
 */
export function statusView(sources: StatusSources, now: number): MifStatus {
  const { state, workers } = sources;
  return structuredClone({
    platform: sources.platform,
    description: sources.description,
    at: new Date(now).toISOString(),
    workerPermissions: sources.workerPermissions,
    spareWorker: workers.spareRunning,
    interfaces: state.interfaces.map(({ pds, unattributed, ...nic }) => ({
      ...nic,
      pds: pds.map((pd) => pdStatus(pd, workers, now)),
      ...(unattributed?.length
        ? { unattributed: unattributed.map((a) => addressStatus(a, now)) }
        : {}),
    })),
    subscribers: [...sources.sessions].map(sessionStatus),
    notes: state.notes,
  });
}
