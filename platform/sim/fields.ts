/**
 * Readers for untrusted JSON that name the offending field in their errors:
 * TypeError for a wrong type or an unknown field, RangeError for a value out
 * of range.
 *
 * @module
 */

/** A JSON object read from untrusted input. */
export type Json = Record<string, unknown>;

/**
 * Reads an object and refuses fields it does not know.
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

/** Reads an array. */
export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${path}: must be an array`);
  return value;
}

/** Reads a non-empty string of at most max characters. */
export function string(value: unknown, path: string, max = 256): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`${path}: must be a non-empty string`);
  }
  if (value.length > max) throw new RangeError(`${path}: must be at most ${max} characters`);
  return value;
}

/** Reads an integer in [min, max]. */
export function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${path}: must be an integer`);
  }
  if (value < min || value > max) throw new RangeError(`${path}: must be from ${min} to ${max}`);
  return value;
}

/** Reads one of a fixed set of strings. */
export function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw new TypeError(`${path}: must be one of ${values.map((v) => `"${v}"`).join(", ")}`);
  }
  return value as T;
}

/** Reads an optional field with a reader. */
export function optional<T>(
  record: Json,
  key: string,
  path: string,
  read: (value: unknown, path: string) => T,
): T | undefined {
  return record[key] === undefined ? undefined : read(record[key], `${path}.${key}`);
}
