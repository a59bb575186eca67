/**
 * Equality of JSON values (configuration data, advertisements): what the
 * broker and the platforms use to tell news from a repeat.
 *
 * @module
 */

/**
 * Deep equality of JSON-like values: the same primitives, arrays of equal
 * items in the same order, objects with the same keys holding equal values
 * (in any key order).
 *
 * @example Key order does not matter, array order does
 * ```ts
 * import { sameData } from "./json_value.ts";
 * import assert from "node:assert/strict";
 * assert(sameData({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }));
 * assert(!sameData([1, 2], [2, 1]));
 * ```
 * @param a A value.
 * @param b Another value.
 * @returns true when both hold the same data.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    Object.hasOwn(b, k) &&
    sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}
