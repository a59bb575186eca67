/**
 * Invariants every snapshot must hold before the broker accepts it.
 *
 * @module
 */

import { canonicalIp, parseIp } from "../protocol/ip.ts";
import type { Snapshot } from "./types.ts";

/**
 * Checks a snapshot's invariants: unique interface and PD ids, at most one
 * element of each type per PD, canonical addresses of the PD's family, each
 * at most once per PD, with a prefix length that fits the family.
 *
 * @example Refuse a duplicate PD id
 * ```ts
 * import { snapshotProblem } from "./snapshot.ts";
 * const pd = { pdId: "a/ipv4", family: "ipv4" as const, elements: [], addresses: [] };
 * const nic = { interfaceId: "a", displayName: "A", interfaceType: "wired" as const, operState: "up" as const, pds: [pd, pd] };
 * console.log(snapshotProblem({ interfaces: [nic] })); // interfaces[0].pds[1].pdId: duplicate "a/ipv4"
 * ```
 * @param snapshot The snapshot.
 * @returns The first problem, naming its path, or undefined when it is sound.
 */
export function snapshotProblem(snapshot: Snapshot): string | undefined {
  const interfaceIds = new Set<string>();
  const pdIds = new Set<string>();
  for (const [i, nic] of snapshot.interfaces.entries()) {
    const at = `interfaces[${i}]`;
    if (interfaceIds.has(nic.interfaceId)) {
      return `${at}.interfaceId: duplicate "${nic.interfaceId}"`;
    }
    interfaceIds.add(nic.interfaceId);
    for (const [j, pd] of nic.pds.entries()) {
      const pdAt = `${at}.pds[${j}]`;
      if (pdIds.has(pd.pdId)) return `${pdAt}.pdId: duplicate "${pd.pdId}"`;
      pdIds.add(pd.pdId);
      const elements = new Set<string>();
      for (const [k, element] of pd.elements.entries()) {
        if (elements.has(element.element)) {
          return `${pdAt}.elements[${k}].element: duplicate "${element.element}"`;
        }
        elements.add(element.element);
      }
      const addresses = new Set<string>();
      for (const [k, a] of pd.addresses.entries()) {
        const aAt = `${pdAt}.addresses[${k}]`;
        const ip = parseIp(a.address);
        if (!ip || canonicalIp(a.address) !== a.address) {
          return `${aAt}.address: "${a.address}" is not a canonical IP address`;
        }
        if (ip.family !== pd.family) {
          return `${aAt}.address: "${a.address}" is not an ${pd.family} address`;
        }
        const max = ip.family === "ipv4" ? 32 : 128;
        if (!Number.isInteger(a.prefixLength) || a.prefixLength < 0 || a.prefixLength > max) {
          return `${aAt}.prefixLength: must be an integer from 0 to ${max}`;
        }
        if (addresses.has(a.address)) return `${aAt}.address: duplicate "${a.address}"`;
        addresses.add(a.address);
      }
    }
  }
  return undefined;
}
