/**
 * Checks what a command line names against the host: --pd, --prefer,
 * --avoid, --prohibit and --from must name PDs, interfaces, interface
 * types or addresses the host has, with the same lists connect() uses in
 * its own error, so that a typo never silently disables a policy.
 *
 * @module
 */

import type { MifStatus } from "../broker/status.ts";
import {
  type KnownPaths,
  selectorNames,
  unknownSelectors,
  validSelectors,
} from "../connect/connect_options.ts";
import type { Invocation } from "./args.ts";
import { UsageError } from "./args.ts";
import { didYouMean } from "./suggest.ts";

/**
 * The PD ids and interface ids of a status.
 *
 * @example A host without interfaces
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownPaths } from "./paths.ts";
 * assert.deepEqual(
 *   knownPaths({ platform: "sim", description: "", at: "", workerPermissions: "net",
 *     spareWorker: false, interfaces: [], subscribers: [], notes: [] }),
 *   { pdIds: [], interfaceIds: [] },
 * );
 * ```
 * @param status From Mif.status().
 * @returns What selectors may name.
 */
export function knownPaths(status: MifStatus): KnownPaths {
  return {
    pdIds: status.interfaces.flatMap((nic) => nic.pds.map((pd) => pd.pdId)),
    interfaceIds: status.interfaces.map((nic) => nic.interfaceId),
  };
}

const quoted = (items: readonly string[]) => items.map((s) => `"${s}"`).join(", ");

/** "names" for one, "name" for several. */
const names = (items: readonly unknown[]) => items.length > 1 ? "name" : "names";

function checkPds(pds: readonly string[], known: KnownPaths): void {
  const bad = pds.filter((id) => !known.pdIds.includes(id));
  if (bad.length === 0) return;
  throw new UsageError(
    `--pd ${quoted(bad)} ${names(bad)} no provisioning domain of this host (PDs: ${
      known.pdIds.length ? known.pdIds.join(", ") : "none"
    })${didYouMean(bad[0], known.pdIds)}`,
  );
}

/** --prefer, --avoid and --prohibit, with connect()'s own test and list of what is valid. */
function checkPolicies(invocation: Invocation, known: KnownPaths): void {
  for (const option of ["prefer", "avoid", "prohibit"] as const) {
    const unknown = unknownSelectors(invocation[option] ?? [], known);
    if (unknown.length === 0) continue;
    const valid = selectorNames(known);
    throw new UsageError(
      `--${option} ${quoted(unknown)} ${names(unknown)} no PD, interface or interface type ` +
        `of this host (${validSelectors(known)})${didYouMean(unknown[0], valid)}`,
    );
  }
}

function checkFrom(from: string, status: MifStatus): void {
  const addresses = status.interfaces.flatMap((nic) =>
    nic.pds.flatMap((pd) => pd.addresses.map((a) => a.address))
  );
  if (addresses.includes(from)) return;
  throw new UsageError(
    `--from ${from} is no address of a PD of this host (addresses: ${
      addresses.length ? [...new Set(addresses)].join(", ") : "none"
    })`,
  );
}

/**
 * Refuses --pd ids that are no PD of the host, --prefer/--avoid/--prohibit
 * selectors that name nothing (connect()'s unknownSelectors, listing what
 * is valid with its validSelectors), and a --from that is no PD's address.
 *
 * @example A typo in --prohibit
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation } from "./args.ts";
 * import { checkPaths } from "./paths.ts";
 * const host = { platform: "sim", description: "", at: "", workerPermissions: "net" as const,
 *   spareWorker: false, interfaces: [], subscribers: [], notes: [] };
 * const line = ["connect", "x.example", "80", "--prohibit", "cellullar"];
 * assert.throws(
 *   () => checkPaths(parseInvocation(line), host),
 *   /^UsageError: --prohibit "cellullar" names no PD, interface or interface type of this host \(PDs none; .*\); did you mean "cellular"\?$/,
 * );
 * ```
 * @param invocation The command line.
 * @param status The host, from Mif.status().
 * @throws {UsageError} Naming the first mistake and the valid names.
 */
export function checkPaths(invocation: Invocation, status: MifStatus): void {
  const known = knownPaths(status);
  checkPds(invocation.pds ?? [], known);
  checkPolicies(invocation, known);
  if (invocation.from !== undefined) checkFrom(invocation.from, status);
}
