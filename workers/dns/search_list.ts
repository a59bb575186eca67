/**
 * The names one translation tries, in order, from a PD's own search list
 * (resolv.conf(5) "search" and "ndots", applied per PD: its DHCPv4 option
 * 15/119, RA DNSSL, DHCPv6 option 24 and static domains). Pure.
 *
 * @module
 */

import { nameKey, toDnsName } from "../../dns/dns_name.ts";
import { isLocalName } from "./mdns_link.ts";

/** How names are qualified. */
export interface SearchRule {
  /** The PD's search domains, in order. */
  readonly domains: readonly string[];
  /** Names with fewer dots than this try the search domains first (resolv.conf default 1). */
  readonly ndots: number;
  /** Whether a single-label name also tries `name.local` (by mDNS), last. */
  readonly mdnsSingleLabel?: boolean;
}

/** The ASCII form of each usable search domain, once each, in order. */
function usableDomains(domains: readonly string[]): string[] {
  const seen = new Set<string>();
  return domains.flatMap((domain) => {
    const checked = typeof domain === "string" ? toDnsName(domain) : undefined;
    if (!checked?.ok || seen.has(nameKey(checked.name))) return [];
    seen.add(nameKey(checked.name));
    return [checked.name];
  });
}

/**
 * The candidates of a name, as glibc's res_search orders them: a name
 * ending in a dot is absolute and only itself; a name with fewer dots than
 * `ndots` tries `name.<domain>` for each search domain first, then itself;
 * any other name tries itself first, then the search domains. A name under
 * `local` is only itself (RFC 6762 §22: it belongs to mDNS). Candidates
 * that are no DNS names (too long) and repeats are left out. With
 * `mdnsSingleLabel`, a single-label name ends with `name.local`.
 *
 * @example Qualify a short name with the PD's domain
 * ```ts
 * import { searchCandidates } from "./search_list.ts";
 * import assert from "node:assert/strict";
 * const rule = { domains: ["isp1.test", "corp.test"], ndots: 1 };
 * assert.deepEqual(searchCandidates("printer", rule),
 *   ["printer.isp1.test", "printer.corp.test", "printer"]);
 * assert.deepEqual(searchCandidates("www.example", rule),
 *   ["www.example", "www.example.isp1.test", "www.example.corp.test"]);
 * assert.deepEqual(searchCandidates("printer.isp1.test.", rule), ["printer.isp1.test"]);
 * assert.deepEqual(searchCandidates("lamp.local", rule), ["lamp.local"]);
 * assert.deepEqual(searchCandidates("lamp", { domains: [], ndots: 1, mdnsSingleLabel: true }),
 *   ["lamp", "lamp.local"]);
 * ```
 * @param name The name as asked, ASCII (IDNA done), possibly with a trailing dot.
 * @param rule The PD's search domains and ndots.
 * @returns ASCII names without trailing dots, in the order to try; empty when the name is no DNS name.
 */
export function searchCandidates(name: string, rule: SearchRule): string[] {
  const checked = toDnsName(name);
  if (!checked.ok) return [];
  const bare = checked.name;
  if (name.endsWith(".") || isLocalName(bare)) return [bare];
  const dots = bare.split(".").length - 1;
  const searched = usableDomains(rule.domains).flatMap((domain) => {
    const qualified = toDnsName(`${bare}.${domain}`);
    return qualified.ok ? [qualified.name] : [];
  });
  const ordered = dots < rule.ndots ? [...searched, bare] : [bare, ...searched];
  const local = toDnsName(`${bare}.local`);
  if (rule.mdnsSingleLabel && dots === 0 && local.ok) ordered.push(local.name);
  const seen = new Set<string>();
  return ordered.filter((n) => !seen.has(nameKey(n)) && seen.add(nameKey(n)));
}
