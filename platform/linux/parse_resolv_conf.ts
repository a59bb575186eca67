/**
 * Parser for /etc/resolv.conf (resolv.conf(5)): name servers and the search
 * list. Pure: text in, data out.
 *
 * @module
 */

import { withoutTrailingDot } from "./field_text.ts";
import { canonicalIp } from "../../ip/ip.ts";
import type { ResolverConfig } from "./source_types.ts";

/**
 * Parses resolv.conf text. `nameserver` lines give the servers (a "%zone" on
 * an IPv6 address is dropped); `search` and `domain` give the search list.
 * As resolv.conf(5) says, the two are mutually exclusive and the last
 * instance wins; `domain` stands for a one-entry search list. Lines starting
 * with "#" or ";" are comments, and so is anything after a "#" or ";" on a
 * line. Unknown keywords (`options`, `sortlist`, ...) are ignored, like the
 * resolver does.
 *
 * @example Parse a resolv.conf
 * ```ts
 * import { parseResolvConf } from "./parse_resolv_conf.ts";
 * import assert from "node:assert/strict";
 * const text = "nameserver 198.51.100.53\nnameserver fe80::1%eth0\nsearch corp.example.\n";
 * assert.deepEqual(parseResolvConf(text, "/etc/resolv.conf"), {
 *   dnsServers: ["198.51.100.53", "fe80::1"], searchDomains: ["corp.example"],
 *   source: "/etc/resolv.conf",
 * });
 * ```
 * @param text The file's content.
 * @param source Where the text was read from, for the result and errors.
 * @returns The system-wide resolver configuration (no interfaceName).
 * @throws {SyntaxError} When a nameserver line has no address or one that is
 * not an IP address, or a domain line has no name.
 */
export function parseResolvConf(text: string, source: string): ResolverConfig {
  const fail = (problem: string) =>
    new SyntaxError(`Cannot parse resolv.conf ${source}: ${problem}`);
  const dnsServers: string[] = [];
  let searchDomains: string[] = [];
  text.split("\n").forEach((raw, index) => {
    const words = raw.replace(/[#;].*$/, "").trim().split(/[ \t]+/);
    const [keyword, ...values] = words;
    const line = index + 1;
    if (keyword === "nameserver") {
      if (values.length === 0) throw fail(`nameserver on line ${line} has no address`);
      const address = canonicalIp(values[0]);
      if (address === undefined) {
        throw fail(`nameserver "${values[0]}" on line ${line} is not an IP address`);
      }
      dnsServers.push(address.replace(/%.*$/, ""));
    } else if (keyword === "search") {
      searchDomains = values.map(withoutTrailingDot).filter((name) => name !== "");
    } else if (keyword === "domain") {
      const name = values.length === 0 ? "" : withoutTrailingDot(values[0]);
      if (name === "") throw fail(`domain on line ${line} has no name`);
      searchDomains = [name];
    }
  });
  return { dnsServers, searchDomains, source };
}
