/**
 * Invariants every snapshot must hold before the broker accepts it: the
 * broker's own announcements of it are built and validated, so nothing it
 * announces can fail the protocol's validation.
 *
 * @module
 */

import { elementAnnouncement, interfaceAnnouncement, pdAnnouncement } from "./announce.ts";
import { canonicalIp, parseIp } from "../ip/ip.ts";
import { validateApiMessage } from "../protocol/validate.ts";
import type { ApiMessage } from "../protocol/types.ts";
import {
  type AddressInfo,
  type InterfaceInfo,
  OPER_STATES,
  type PdInfo,
  type Snapshot,
} from "../protocol/model.ts";
import type { Family } from "../protocol/types.ts";

/** The problem with a message the broker would derive, or undefined. */
function derived(at: string, message: ApiMessage): string | undefined {
  const v = validateApiMessage(message);
  return v.ok ? undefined : `${at}: ${v.detail.replace(/^Cannot accept /, "as ")}`;
}

function timeProblem(at: string, value: number | null): string | undefined {
  return value === null || Number.isFinite(value) ? undefined : `${at}: must be epoch ms or null`;
}

function pdProblem(at: string, interfaceId: string, pd: PdInfo): string | undefined {
  const { pdId, family } = pd;
  let problem = derived(at, pdAnnouncement(interfaceId, pd));
  if (problem) return problem;
  const elements = new Set<string>();
  for (const [k, e] of pd.elements.entries()) {
    const eAt = `${at}.elements[${k}]`;
    if (elements.has(e.element)) return `${eAt}.element: duplicate "${e.element}"`;
    elements.add(e.element);
    problem = derived(eAt, elementAnnouncement(pd, e));
    for (const [item, value] of Object.entries(e.data)) {
      problem ??= derived(`${eAt}.data.${item}`, {
        type: "configuration-data",
        pdId,
        element: e.element,
        item,
        value,
      });
    }
    if (problem) return problem;
  }
  return addressesProblem(`${at}.addresses`, pd.addresses, family);
}

/** Canonical addresses (of one family, if given), each once, with sound lifetimes. */
function addressesProblem(
  at: string,
  list: readonly AddressInfo[],
  family?: Family,
): string | undefined {
  const addresses = new Set<string>();
  for (const [k, a] of list.entries()) {
    const aAt = `${at}[${k}]`;
    const ip = parseIp(a.address);
    if (!ip || canonicalIp(a.address) !== a.address) {
      return `${aAt}.address: "${a.address}" is not a canonical IP address`;
    }
    if (family && ip.family !== family) {
      return `${aAt}.address: "${a.address}" is not an ${family} address`;
    }
    const max = ip.family === "ipv4" ? 32 : 128;
    if (!Number.isInteger(a.prefixLength) || a.prefixLength < 0 || a.prefixLength > max) {
      return `${aAt}.prefixLength: must be an integer from 0 to ${max}`;
    }
    if (addresses.has(a.address)) return `${aAt}.address: duplicate "${a.address}"`;
    addresses.add(a.address);
    const problem = timeProblem(`${aAt}.validUntil`, a.validUntil) ??
      timeProblem(`${aAt}.preferredUntil`, a.preferredUntil);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Checks a snapshot's invariants: unique interface and PD ids; ids, names,
 * types, families, elements, item names and values the protocol accepts; at
 * most one element of each type per PD; canonical addresses of the PD's
 * family, each at most once per PD, with a prefix length that fits it.
 *
 * @example Refuse a duplicate PD id
 * ```ts
 * import { snapshotProblem } from "./snapshot_check.ts";
 * import assert from "node:assert/strict";
 * const pd = { pdId: "a/ipv4", family: "ipv4" as const, elements: [], addresses: [] };
 * const nic = { interfaceId: "a", displayName: "A", interfaceType: "wired" as const, operState: "up" as const, pds: [pd, pd] };
 * assert.equal(snapshotProblem({ interfaces: [nic] }), 'interfaces[0].pds[1].pdId: duplicate "a/ipv4"');
 * ```
 * @param snapshot The snapshot.
 * @param checked Interfaces already found sound (in an accepted snapshot, under
 *   the same id): only their ids and their PDs' ids are checked again.
 * @returns The first problem, naming its path, or undefined when it is sound.
 */
export function snapshotProblem(
  snapshot: Snapshot,
  checked: ReadonlySet<InterfaceInfo> = new Set(),
): string | undefined {
  const interfaceIds = new Set<string>();
  const pdIds = new Set<string>();
  for (const [i, nic] of snapshot.interfaces.entries()) {
    const at = `interfaces[${i}]`;
    if (interfaceIds.has(nic.interfaceId)) {
      return `${at}.interfaceId: duplicate "${nic.interfaceId}"`;
    }
    interfaceIds.add(nic.interfaceId);
    if (checked.has(nic)) {
      for (const [j, pd] of nic.pds.entries()) {
        if (pdIds.has(pd.pdId)) return `${at}.pds[${j}].pdId: duplicate "${pd.pdId}"`;
        pdIds.add(pd.pdId);
      }
      continue;
    }
    const problem = derived(at, interfaceAnnouncement(nic));
    if (problem) return problem;
    if (!(OPER_STATES as readonly string[]).includes(nic.operState)) {
      return `${at}.operState: must be ${OPER_STATES.slice(0, -1).join(", ")} or ${
        OPER_STATES.at(-1)
      }`;
    }
    const orphans = addressesProblem(`${at}.unattributed`, nic.unattributed ?? []);
    if (orphans) return orphans;
    for (const [j, pd] of nic.pds.entries()) {
      const pdAt = `${at}.pds[${j}]`;
      if (pdIds.has(pd.pdId)) return `${pdAt}.pdId: duplicate "${pd.pdId}"`;
      pdIds.add(pd.pdId);
      const problem = pdProblem(pdAt, nic.interfaceId, pd);
      if (problem) return problem;
    }
  }
  return undefined;
}
