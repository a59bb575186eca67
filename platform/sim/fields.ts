/**
 * Readers for untrusted JSON that name the offending field in their errors:
 * TypeError for a wrong type or an unknown field, RangeError for a value out
 * of range.
 *
 * @module
 */

/**
 * A JSON object read from untrusted input.
 *
 * @example Read a field
 * ```ts
 * import { type Json } from "./fields.ts";
 * import assert from "node:assert/strict";
 * const record: Json = JSON.parse('{"name":"tiny"}');
 * assert.equal(record.name, "tiny");
 * ```
 */
export type Json = Record<string, unknown>;

/**
 * Reads an object and refuses fields it does not know.
 *
 * @example Refuse a misspelt field
 * ```ts
 * import { object } from "./fields.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(object({ a: 1 }, "x", ["a", "b"]), { a: 1 });
 * assert.throws(() => object({ c: 1 }, "x", ["a"]), /^TypeError: x\.c: unknown field/);
 * ```
 *
 * @param value The value.
 * @param path Where it is, e.g. "interfaces[0]".
 * @param allowed The fields it may have.
 */
export function object(value: unknown, path: string, allowed: readonly string[]): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${path}: must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${path}.${key}: unknown field (expected one of ${allowed.join(", ")})`);
    }
  }
  return value as Json;
}

/**
 * Reads an array.
 *
 * @example Refuse a non-array
 * ```ts
 * import { array } from "./fields.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(array([1], "list"), [1]);
 * assert.throws(() => array({}, "list"), /^TypeError: list: must be an array$/);
 * ```
 */
export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${path}: must be an array`);
  return value;
}

/**
 * Reads a non-empty string of at most max characters.
 *
 * @example Refuse an empty string
 * ```ts
 * import { string } from "./fields.ts";
 * import assert from "node:assert/strict";
 * assert.equal(string("eth0", "id"), "eth0");
 * assert.throws(() => string("", "id"), /^TypeError: id: must be a non-empty string$/);
 * ```
 */
export function string(value: unknown, path: string, max = 256): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`${path}: must be a non-empty string`);
  }
  if (value.length > max) throw new RangeError(`${path}: must be at most ${max} characters`);
  return value;
}

/**
 * Reads an integer in [min, max].
 *
 * @example Refuse a port out of range
 * ```ts
 * import { integer } from "./fields.ts";
 * import assert from "node:assert/strict";
 * assert.equal(integer(80, "port", 1, 65535), 80);
 * assert.throws(() => integer(0, "port", 1, 65535), /^RangeError: port: must be from 1 to 65535$/);
 * ```
 */
export function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${path}: must be an integer`);
  }
  if (value < min || value > max) throw new RangeError(`${path}: must be from ${min} to ${max}`);
  return value;
}

/**
 * Reads one of a fixed set of strings.
 *
 * @example Read a family
 * ```ts
 * import { oneOf } from "./fields.ts";
 * import assert from "node:assert/strict";
 * assert.equal(oneOf("ipv6", "family", ["ipv4", "ipv6"]), "ipv6");
 * assert.throws(() => oneOf("ipx", "family", ["ipv4"]), /must be one of "ipv4"$/);
 * ```
 */
export function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw new TypeError(`${path}: must be one of ${values.map((v) => `"${v}"`).join(", ")}`);
  }
  return value as T;
}

/**
 * Reads an optional field with a reader.
 *
 * @example Read a missing MTU
 * ```ts
 * import { integer, optional } from "./fields.ts";
 * import assert from "node:assert/strict";
 * assert.equal(optional({}, "mtu", "data", (v, p) => integer(v, p, 68, 65535)), undefined);
 * assert.throws(() => optional({ mtu: 1 }, "mtu", "data", (v, p) => integer(v, p, 68, 65535)), /^RangeError: data\.mtu: /);
 * ```
 */
export function optional<T>(
  record: Json,
  key: string,
  path: string,
  read: (value: unknown, path: string) => T,
): T | undefined {
  return record[key] === undefined ? undefined : read(record[key], `${path}.${key}`);
}
