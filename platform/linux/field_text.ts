/**
 * Small readers shared by the configuration-source parsers: canonical
 * addresses and masks that fail with the parser's own SyntaxError, domain
 * names without their trailing dot, and objects without undefined keys.
 *
 * @module
 */

import { canonicalIp } from "../../ip/ip.ts";
import { maskLength } from "../../ip/prefix.ts";

/**
 * Drops the undefined-valued keys, so that results compare with deepEqual.
 *
 * @example Compact an object
 * ```ts
 * import { compact } from "./field_text.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(compact({ a: 1, b: undefined }), { a: 1 });
 * ```
 * @param value An object.
 * @returns A copy without undefined values.
 */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A domain name without its trailing dot.
 *
 * @example Strip the dot
 * ```ts
 * import { withoutTrailingDot } from "./field_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(withoutTrailingDot("a.example."), "a.example");
 * ```
 * @param name A domain name.
 * @returns The name.
 */
export function withoutTrailingDot(name: string): string {
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/**
 * The canonical form of an IP literal, or the parser's error.
 *
 * @example Read an address
 * ```ts
 * import { requireIp } from "./field_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(requireIp("2001:db8:0::1", (w) => new SyntaxError(w)), "2001:db8::1");
 * ```
 * @param word The literal.
 * @param fail Makes the parser's error from a description.
 * @param what What the value is, to start the description.
 * @returns The canonical address.
 * @throws {SyntaxError} From fail, when it is not an IP address.
 */
export function requireIp(
  word: string,
  fail: (problem: string) => Error,
  what?: string,
): string {
  const ip = canonicalIp(word);
  if (!ip) throw fail(`${what ? `${what} ` : ""}"${word}" is not an IP address`);
  return ip;
}

/**
 * The prefix length of a subnet mask, or the parser's error.
 *
 * @example Read a mask
 * ```ts
 * import { requireMask } from "./field_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(requireMask("255.255.255.0", (w) => new SyntaxError(w)), 24);
 * ```
 * @param mask A dotted-quad mask.
 * @param fail Makes the parser's error from a description.
 * @returns The prefix length.
 * @throws {SyntaxError} From fail, when it is not a contiguous mask.
 */
export function requireMask(mask: string, fail: (problem: string) => Error): number {
  const bits = maskLength(mask);
  if (bits === undefined) throw fail(`"${mask}" is not a subnet mask`);
  return bits;
}
