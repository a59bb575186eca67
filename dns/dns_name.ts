/**
 * Checks a name before it is looked up (§3.3.7.18: "a name, which is a UTF8
 * string naming a network node") and turns it into the ASCII form that goes
 * on the wire: IDNA for non-ASCII labels (RFC 5891), then the length and
 * character rules of RFC 1035 §2.3.4 and RFC 1123 §2.1, with the underscore
 * allowed as in service names (RFC 8552).
 *
 * @module
 */

import { domainToASCII } from "node:url";

/** The outcome of {@linkcode toDnsName}. */
export type DnsNameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly problem: string };

/** RFC 1035 §2.3.4: "labels 63 octets or less". */
const MAX_LABEL = 63;
/**
 * RFC 1035 §2.3.4: "names 255 octets or less" on the wire, which is 253
 * octets of text without the trailing dot.
 */
const MAX_NAME = 253;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LABEL = /^[A-Za-z0-9_-]+$/;

/**
 * Converts a name to its ASCII form and checks it. A trailing dot is allowed
 * and left out of the result; ASCII letters come out in lower case (IDNA
 * mapping). Names are absolute: no search domain is ever appended.
 *
 * @example Convert an internationalised name
 * ```ts
 * import { toDnsName } from "./dns_name.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(toDnsName("Bücher.example."), { ok: true, name: "xn--bcher-kva.example" });
 * ```
 * @example Refuse an empty label
 * ```ts
 * import { toDnsName } from "./dns_name.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(toDnsName("a..b"), { ok: false, problem: "has an empty label" });
 * ```
 * @param name The name as the subscriber wrote it.
 * @returns The ASCII name, or what is wrong with it.
 * @throws {TypeError} When name is not a string.
 */
export function toDnsName(name: string): DnsNameCheck {
  if (typeof name !== "string") {
    throw new TypeError(`Cannot check a name: ${typeof name} is not a string`);
  }
  const problem = (text: string): DnsNameCheck => ({ ok: false, problem: text });
  if (CONTROL.test(name)) return problem("contains a control character");
  if (name === "" || name === ".") return problem("is empty");
  const ascii = domainToASCII(name);
  if (ascii === "") return problem("is not a valid internationalised name (IDNA)");
  const bare = ascii.endsWith(".") ? ascii.slice(0, -1) : ascii;
  if (bare === "") return problem("is empty");
  if (bare.length > MAX_NAME) {
    return problem(`is ${bare.length} octets long, over ${MAX_NAME}`);
  }
  for (const label of bare.split(".")) {
    if (label === "") return problem("has an empty label");
    if (label.length > MAX_LABEL) {
      return problem(`has a label of ${label.length} octets, over ${MAX_LABEL}`);
    }
    if (!LABEL.test(label)) {
      return problem("has a character other than a letter, digit, hyphen or underscore");
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      return problem("has a label that starts or ends with a hyphen");
    }
  }
  return { ok: true, name: bare };
}

/**
 * Compares two names as DNS does: ASCII case-insensitively (RFC 4343 §3),
 * a trailing dot ignored.
 *
 * @example Compare spellings
 * ```ts
 * import { sameName } from "./dns_name.ts";
 * import assert from "node:assert/strict";
 * assert(sameName("WWW.Example.", "www.example"));
 * assert(!sameName("www.example", "www.example.org"));
 * ```
 * @param a A name.
 * @param b Another name.
 * @returns true when they name the same node.
 */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/**
 * The form of a name used as a map key: ASCII letters in lower case, no
 * trailing dot.
 *
 * @example Key a name
 * ```ts
 * import { nameKey } from "./dns_name.ts";
 * import assert from "node:assert/strict";
 * assert.equal(nameKey("Host.Example."), "host.example");
 * ```
 * @param name A name.
 * @returns Its key.
 */
export function nameKey(name: string): string {
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  return bare.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}
