/**
 * Name translation through one provisioning domain (§3.3.7.18–20): the
 * local host table, then that PD's DNS servers only, from that PD's source
 * addresses; never the system resolver. Each address is sent the moment its
 * answer arrives (§3.3.7.20: "a single Name Translation message for each
 * such IP address"), then one done event.
 *
 * @module
 */

import type { AddressInfo } from "../../protocol/model.ts";
import { formatIp, parseIp } from "../../ip/ip.ts";
import type { Family, TranslationFailure } from "../../protocol/types.ts";
import { toDnsName } from "../../dns/dns_name.ts";
import { planRoutes } from "./dns_routes.ts";
import { hostAddresses, readHosts } from "./hosts_file.ts";
import { resolveType } from "./resolve_type.ts";
import { endTranslation } from "./translation_outcome.ts";

/** What a translation needs to know about its PD. */
export interface TranslationTarget {
  /** The PD's interface, the scope of link-local servers ("fe80::1%eth0"). */
  readonly interfaceId: string;
  /** The PD's dns-servers, in order, as configured (see ip/server_address.ts). */
  readonly servers: readonly string[];
  /** The PD's addresses, the candidate sources of queries. */
  readonly addresses: readonly AddressInfo[];
  /** A hosts(5) file, or null for no host table. */
  readonly hostsFile: string | null;
  /** Milliseconds to wait for one server's answer to one query. */
  readonly timeout: number;
  /** How many times each server is tried per query. */
  readonly attempts: number;
}

/** What a translation reports: addresses as they come, then exactly one done. */
export type TranslationEvent =
  | {
    readonly type: "address";
    readonly address: string;
    readonly ttl?: number;
    readonly server: string;
  }
  | { readonly type: "done"; readonly reason?: TranslationFailure; readonly detail?: string };

function checkTarget(target: TranslationTarget): void {
  if (!Number.isFinite(target.timeout) || target.timeout <= 0) {
    throw new RangeError(
      `Cannot translate name: timeout ${target.timeout} is not a positive number`,
    );
  }
  if (!Number.isInteger(target.attempts) || target.attempts < 1) {
    throw new RangeError(
      `Cannot translate name: attempts ${target.attempts} is not a positive integer`,
    );
  }
}

/**
 * Translates a name through one PD. An IP literal is answered as itself
 * (server "literal"); a name the host table knows in a requested family is
 * answered from it (server "hosts") without DNS, as nsswitch "files dns"
 * does; otherwise A and AAAA are asked in parallel (only one of them when
 * `family` is given) of the PD's servers.
 *
 * `emit` gets every address once, then one done event, unless `signal`
 * aborts: after that nothing is emitted and the promise resolves once every
 * socket and timer is gone. Network conditions never reject the promise;
 * they end in a done event with a reason.
 *
 * @example Translate an IP literal
 * ```ts
 * import { translateName } from "./translate_name.ts";
 * import assert from "node:assert/strict";
 * const target = {
 *   interfaceId: "eth0", servers: [], addresses: [], hostsFile: null, timeout: 1000, attempts: 2,
 * };
 * const events: unknown[] = [];
 * await translateName("2001:DB8::1", undefined, target, (event) => events.push(event),
 *   new AbortController().signal);
 * assert.deepEqual(events, [
 *   { type: "address", address: "2001:db8::1", server: "literal" },
 *   { type: "done" },
 * ]);
 * ```
 * @param name The name, a UTF-8 string (§3.3.7.18).
 * @param family Only this family's addresses (default: both).
 * @param target The PD's servers, addresses, host table and timing.
 * @param emit Receives the events.
 * @param signal Stops the translation (§3.3.7.19).
 * @throws {RangeError} When the timeout or attempts are not positive.
 */
export async function translateName(
  name: string,
  family: Family | undefined,
  target: TranslationTarget,
  emit: (event: TranslationEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  checkTarget(target);
  const families: readonly Family[] = family ? [family] : ["ipv4", "ipv6"];
  const sent = new Set<string>();
  const send = (address: string, server: string, ttl?: number) => {
    if (signal.aborted || sent.has(address)) return;
    sent.add(address);
    emit({ type: "address", address, ...(ttl === undefined ? {} : { ttl }), server });
  };
  const done = (reason?: TranslationFailure, detail?: string) => {
    if (signal.aborted) return;
    emit({
      type: "done",
      ...(reason === undefined ? {} : { reason }),
      ...(detail === undefined ? {} : { detail }),
    });
  };

  const literal = parseIp(name);
  if (literal) {
    if (families.includes(literal.family)) send(formatIp(literal), "literal");
    return done();
  }
  const checked = toDnsName(name);
  if (!checked.ok) {
    return done(
      "invalid-name",
      `Cannot translate name: ${JSON.stringify(name)} ${checked.problem}`,
    );
  }
  const ascii = checked.name;

  const hosts = await readHosts(target.hostsFile, signal);
  if (signal.aborted) return;
  const notes = hosts.ok ? [] : [hosts.problem];
  if (hosts.ok) {
    const known = hostAddresses(hosts.table, ascii, families);
    if (known.length > 0) {
      for (const address of known) send(address, "hosts");
      return done();
    }
  }

  const plan = planRoutes(target.servers, target.interfaceId, target.addresses, Date.now());
  if (plan.routes.length === 0) {
    const why = target.servers.length === 0
      ? "the PD has no DNS servers"
      : `no DNS server of the PD is usable: ${plan.skipped.join(", ")}`;
    return done("no-dns-servers", `Cannot translate name: ${[why, ...notes].join("; ")}`);
  }
  const { timeout, attempts } = target;
  const outcomes = await Promise.all(families.map((f) =>
    resolveType(
      { name: ascii, type: f === "ipv4" ? "A" : "AAAA", routes: plan.routes, timeout, attempts },
      ({ address, ttl }, server) => send(address, server, ttl),
      signal,
    )
  ));
  if (signal.aborted) return;
  const end = endTranslation(outcomes, sent.size > 0, notes);
  done(end.reason, end.detail);
}
