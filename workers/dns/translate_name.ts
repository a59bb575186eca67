/**
 * Name translation through one provisioning domain (§3.3.7.18–20): for
 * each candidate of the PD's search list, the local host table, then that
 * PD's DNS servers only (or mDNS on its link for `.local` names), from that
 * PD's source addresses; never the system resolver. Each address is sent the moment its
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
import { resolveType, type TypeOutcome } from "./resolve_type.ts";
import { searchCandidates } from "./search_list.ts";
import { isLocalName, mdnsRoute } from "./mdns_link.ts";
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
  /** The PD's search domains, in order (default none; see search_list.ts). */
  readonly searchDomains?: readonly string[];
  /** Names with fewer dots try the search domains first (default 1). */
  readonly ndots?: number;
  /** Whether single-label names also try `name.local` by mDNS, last (default false). */
  readonly mdnsSingleLabel?: boolean;
}

/** What a translation reports: addresses as they come, then exactly one done. */
export type TranslationEvent =
  | {
    readonly type: "address";
    readonly address: string;
    readonly ttl?: number;
    readonly server: string;
    /** The qualified name answered ("printer.isp1.test" for "printer"); absent for literals. */
    readonly name?: string;
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

/** Sends addresses (each once) and the done event, nothing once aborted. */
function emitter(emit: (event: TranslationEvent) => void, signal: AbortSignal) {
  const sent = new Set<string>();
  return {
    sent,
    send(address: string, server: string, ttl?: number, name?: string) {
      if (signal.aborted || sent.has(address)) return;
      sent.add(address);
      emit({
        type: "address",
        address,
        ...(ttl === undefined ? {} : { ttl }),
        server,
        ...(name === undefined ? {} : { name }),
      });
    },
    done(reason?: TranslationFailure, detail?: string) {
      if (signal.aborted) return;
      emit({
        type: "done",
        ...(reason === undefined ? {} : { reason }),
        ...(detail === undefined ? {} : { detail }),
      });
    },
  };
}

type Send = (address: string, server: string, ttl: number | undefined, name: string) => void;

/**
 * Asks one candidate name for each family: by mDNS when it is under local,
 * else of the PD's DNS servers ("no-servers" when it has none usable).
 */
async function askCandidate(
  name: string,
  families: readonly Family[],
  target: TranslationTarget,
  send: Send,
  signal: AbortSignal,
): Promise<TypeOutcome[] | "no-servers"> {
  const { timeout, attempts, interfaceId, addresses } = target;
  const type = (f: Family) => f === "ipv4" ? "A" as const : "AAAA" as const;
  if (isLocalName(name)) {
    const route = mdnsRoute(interfaceId, addresses, Date.now());
    if (!route) {
      const detail = `${name}: the PD has no usable address to ask mDNS from`;
      return [{ kind: "unreachable", detail }];
    }
    // Loaded on first use: dns-packet and node:dgram add ~2 MiB and milliseconds to a start.
    const { resolveMdns } = await import("./mdns_query.ts");
    if (signal.aborted) return [{ kind: "cancelled" }];
    return await Promise.all(families.map((f) =>
      resolveMdns(
        { name, type: type(f), route, interfaceId, addresses, timeout, attempts },
        ({ address, ttl }) => send(address, "mdns", ttl, name),
        signal,
      )
    ));
  }
  const plan = planRoutes(target.servers, interfaceId, addresses, Date.now());
  if (plan.routes.length === 0) return "no-servers";
  return await Promise.all(families.map((f) =>
    resolveType(
      { name, type: type(f), routes: plan.routes, timeout, attempts },
      ({ address, ttl }, server) => send(address, server, ttl, name),
      signal,
    )
  ));
}

/** Why no DNS server of the PD can be asked. */
function noServers(target: TranslationTarget, notes: readonly string[]): string {
  const plan = planRoutes(target.servers, target.interfaceId, target.addresses, Date.now());
  const why = target.servers.length === 0
    ? "the PD has no DNS servers"
    : `no DNS server of the PD is usable: ${plan.skipped.join(", ")}`;
  return `Cannot translate name: ${[why, ...notes].join("; ")}`;
}

/**
 * Translates a name through one PD. An IP literal is answered as itself
 * (server "literal"). Otherwise each candidate of the PD's search list
 * (search_list.ts) is tried in turn until one yields addresses: the host
 * table first (server "hosts", as nsswitch "files dns"), then A and AAAA in
 * parallel (only one of them when `family` is given) of the PD's servers,
 * or by mDNS on the PD's link (server "mdns") for names under local, which
 * never go to DNS. Each address carries the candidate it answers (`name`).
 *
 * As glibc's res_search: NXDOMAIN, NODATA and SERVFAIL move on to the next
 * candidate; a timeout or an unreachable server skips the remaining search
 * domains, though the name as asked is still tried when it has not been.
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
 * @param name The name, a UTF-8 string (§3.3.7.18); a trailing dot makes it absolute.
 * @param family Only this family's addresses (default: both).
 * @param target The PD's servers, addresses, search list, host table and timing.
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
  const out = emitter(emit, signal);
  const literal = parseIp(name);
  if (literal) {
    if (families.includes(literal.family)) out.send(formatIp(literal), "literal");
    return out.done();
  }
  const checked = toDnsName(name);
  if (!checked.ok) {
    const quoted = JSON.stringify(name);
    return out.done("invalid-name", `Cannot translate name: ${quoted} ${checked.problem}`);
  }
  const hosts = await readHosts(target.hostsFile, signal);
  if (signal.aborted) return;
  const notes = hosts.ok ? [] : [hosts.problem];
  const candidates = searchCandidates(name, {
    domains: target.searchDomains ?? [],
    ndots: target.ndots ?? 1,
    mdnsSingleLabel: target.mdnsSingleLabel,
  });
  const outcomes: TypeOutcome[] = [];
  let nodata = false, serverless = false, stopped = false;
  for (const candidate of candidates) {
    if (stopped && candidate !== checked.name) continue;
    const known = hosts.ok ? hostAddresses(hosts.table, candidate, families) : [];
    if (known.length > 0) {
      for (const address of known) out.send(address, "hosts", undefined, candidate);
      return out.done();
    }
    const asked = await askCandidate(candidate, families, target, out.send, signal);
    if (signal.aborted) return;
    if (asked === "no-servers") {
      serverless = true;
      continue;
    }
    outcomes.push(...asked);
    if (out.sent.size > 0) break;
    nodata ||= asked.every((o) => o.kind === "nodata");
    stopped ||= asked.some((o) => o.kind === "timeout" || o.kind === "unreachable");
  }
  if (outcomes.length === 0 && serverless) {
    return out.done("no-dns-servers", noServers(target, notes));
  }
  const end = endTranslation(outcomes, out.sent.size > 0 || nodata, notes);
  out.done(end.reason, end.detail);
}
