/**
 * Parser for systemd-resolved's configuration as `resolvectl dns` and
 * `resolvectl domain` print it. Pure: text in, data out.
 *
 * @module
 */

import { canonicalIp } from "../../ip/ip.ts";
import type { ResolverConfig } from "./source_types.ts";

/** The words after "Global:" or "Link N (name):", by scope ("" for Global). */
type Scopes = Map<string, string[]>;

/**
 * Parses the outputs of `resolvectl dns` and `resolvectl domain`: a
 * `Global:` line and one `Link <ifindex> (<name>):` line per link, each
 * followed by its servers or domains. Long lists wrap onto lines indented
 * with spaces. Servers may be decorated as `address:port`, `[v6]:port`,
 * `address%ifindex` and `address#server-name`; the decorations are dropped.
 * Routing-only domains (`~example.com`, `~.`) are left out of the search
 * domains.
 *
 * @example Parse both outputs
 * ```ts
 * import { parseResolvectl } from "./parse_resolvectl.ts";
 * import assert from "node:assert/strict";
 * const dns = "Global:\nLink 2 (eth0): 203.0.113.53#dns.example 2001:db8::53\n";
 * const domain = "Global:\nLink 2 (eth0): corp.example ~.\n";
 * assert.deepEqual(parseResolvectl(dns, domain, "resolvectl"), [{
 *   interfaceName: "eth0", dnsServers: ["203.0.113.53", "2001:db8::53"],
 *   searchDomains: ["corp.example"], source: "resolvectl",
 * }]);
 * ```
 * @param dnsText The output of `resolvectl dns`.
 * @param domainText The output of `resolvectl domain`.
 * @param source The commands, for the results and errors.
 * @returns The global configuration (without interfaceName) when it has
 * servers or search domains, then one configuration per link that has any,
 * in the order resolvectl lists them.
 * @throws {SyntaxError} When a line is neither a scope line nor a
 * continuation, or a server is not an IP address.
 */
export function parseResolvectl(
  dnsText: string,
  domainText: string,
  source: string,
): ResolverConfig[] {
  const fail = (problem: string) =>
    new SyntaxError(`Cannot parse resolvectl output ${source}: ${problem}`);
  const servers = scopes(dnsText, "dns", fail);
  const domains = scopes(domainText, "domain", fail);
  const names = [...new Set(["", ...servers.keys(), ...domains.keys()])];
  return names.flatMap((name) => {
    const dnsServers = (servers.get(name) ?? []).map((word) => {
      const ip = canonicalIp(undecorate(word));
      if (ip === undefined) throw fail(`DNS server "${word}" is not an IP address`);
      return ip.replace(/%.*$/, "");
    });
    const searchDomains = (domains.get(name) ?? [])
      .filter((domain) => !domain.startsWith("~"))
      .map((domain) => domain.replace(/\.$/, ""))
      .filter((domain) => domain !== "");
    if (dnsServers.length === 0 && searchDomains.length === 0) return [];
    const scope = { dnsServers, searchDomains, source };
    return [name === "" ? scope : { interfaceName: name, ...scope }];
  });
}

/** Splits one output into scopes, joining wrapped continuation lines. */
function scopes(text: string, verb: string, fail: (problem: string) => Error): Scopes {
  const result: Scopes = new Map();
  let current: string[] | undefined;
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const header = /^(?:Global|Link \d+ \((.+)\)):(.*)$/.exec(line);
    if (header) {
      current = result.get(header[1] ?? "") ?? [];
      result.set(header[1] ?? "", current);
    } else if (!/^\s/.test(line) || current === undefined) {
      throw fail(`line ${index + 1} of resolvectl ${verb} is not "Global:" or "Link N (name):"`);
    }
    current.push(...(header ? header[2] : line).split(/\s+/).filter((word) => word !== ""));
  });
  return result;
}

/** The address in "198.51.100.53:853", "[2001:db8::1]:853%2" or "...#name". */
function undecorate(server: string): string {
  const address = server.replace(/#.*$/, "");
  const bracketed = /^\[([^\]]+)\](?::\d+)?(%.+)?$/.exec(address);
  if (bracketed) return bracketed[1] + (bracketed[2] ?? "");
  return /^[\d.]+:\d+$/.test(address) ? address.replace(/:\d+$/, "") : address;
}
