/**
 * Whether the Router Advertisements heard on a link explain what the kernel
 * shows RAs set up there (its RA parts, see raLinkKeys in ipv6_pds.ts), and
 * which advertisements rdisc6 has printed in full so far. The platform stops
 * soliciting a link as soon as the answers explain all of it, instead of
 * always waiting rdisc6's full time.
 *
 * @module
 */

import { canonicalIp, isLinkLocal, parseIp } from "../../ip/ip.ts";
import { parseRdisc6, type RouterAdvert } from "./parse_rdisc6.ts";

/**
 * The advertisements rdisc6 printed in full: its output up to the last
 * " from <router>" line that ends with a newline (a block still being
 * printed, or cut when rdisc6 was stopped, is left out).
 *
 * @example The second block is not complete yet
 * ```ts
 * import { completeAdverts } from "./advert_answers.ts";
 * import assert from "node:assert/strict";
 * const text = "Router lifetime : 0 (0x0) seconds\n from fe80::d2\n\n Prefix : 2001:db8:d";
 * assert.deepEqual(completeAdverts(text).map((a) => a.router), ["fe80::d2"]);
 * ```
 * @param text rdisc6's standard output so far.
 * @returns The complete advertisements, in the order received.
 * @throws {SyntaxError} When a value mif uses in a complete block does not read as expected.
 */
export function completeAdverts(text: string): RouterAdvert[] {
  const ends = [...text.matchAll(/^[ \t]*from \S+[ \t]*\n/gm)];
  const last = ends.at(-1);
  return last ? parseRdisc6(text.slice(0, last.index + last[0].length)) : [];
}

/**
 * Whether the answers explain every default router (`default <router>`:
 * that router answered) and every RA prefix (`prefix <p>`: an answer
 * carries it). Router neighbours are not asked for: a router that never
 * advertises can be flagged one. This decides whether a link is asked again.
 *
 * @example A stub router's prefix no answer carries
 * ```ts
 * import { explainsRaParts } from "./advert_answers.ts";
 * import assert from "node:assert/strict";
 * const ra = { router: "fe80::d1", managed: false, otherConfig: false, preference: "medium",
 *   routerLifetime: 600, dnsServers: [], searchDomains: [], routes: [],
 *   prefixes: [{ prefix: "2001:db8:d1::/64", onLink: true, autonomous: true,
 *     validLifetime: 600, preferredLifetime: 600 }] };
 * const parts = ["default fe80::d1", "prefix 2001:db8:d1::/64", "router fe80::d2"];
 * assert.equal(explainsRaParts(parts, [ra]), true);
 * assert.equal(explainsRaParts([...parts, "prefix 2001:db8:d2::/64"], [ra]), false);
 * ```
 * @param parts The link's RA parts.
 * @param adverts The answers heard.
 * @returns true when nothing but router neighbours is left unexplained.
 */
export function explainsRaParts(
  parts: readonly string[],
  adverts: readonly RouterAdvert[],
): boolean {
  const explained = explanations(adverts);
  return parts.every((p) => p.startsWith("router ") || explained.has(p));
}

/**
 * Whether soliciting a link can stop before rdisc6's time is up: every
 * default router and every link-local router neighbour answered, and every
 * RA prefix is in an answer. A router neighbour known only by another
 * address is not waited for (an RA always comes from a link-local address,
 * RFC 4861 §6.1.2); a link with nothing to wait for is not stopped early
 * (whoever answers within rdisc6's time is heard, as before).
 *
 * @example The stub router has not answered yet
 * ```ts
 * import { answersComplete } from "./advert_answers.ts";
 * import assert from "node:assert/strict";
 * const ra = (router: string) => ({ router, managed: false, otherConfig: false,
 *   preference: "medium", routerLifetime: 600, prefixes: [], dnsServers: [],
 *   searchDomains: [], routes: [] });
 * const parts = ["default fe80::d1", "router 2001:db8:d1::1", "router fe80::d1", "router fe80::d2"];
 * assert.equal(answersComplete(parts, [ra("fe80::d1")]), false);
 * assert.equal(answersComplete(parts, [ra("fe80::d1"), ra("fe80::d2")]), true);
 * assert.equal(answersComplete(["router 2001:db8:d1::1"], [ra("fe80::d1")]), false);
 * ```
 * @param parts The link's RA parts.
 * @param adverts The answers heard.
 * @returns true when the answers explain every part that an answer can explain.
 */
export function answersComplete(
  parts: readonly string[],
  adverts: readonly RouterAdvert[],
): boolean {
  const explained = explanations(adverts);
  const needed = parts.flatMap((p) => {
    const [kind, value] = p.split(" ");
    if (kind === "prefix") return [p];
    const ip = parseIp(value);
    if (kind === "router" && !(ip?.family === "ipv6" && isLinkLocal(ip))) return [];
    return [`${kind} ${canonicalIp(value) ?? value}`];
  });
  return needed.length > 0 && needed.every((p) => explained.has(p));
}

/** The parts the answers explain. */
function explanations(adverts: readonly RouterAdvert[]): Set<string> {
  return new Set(adverts.flatMap((a) => [
    `default ${a.router}`,
    `router ${a.router}`,
    ...a.prefixes.map((x) => `prefix ${x.prefix}`),
  ]));
}
