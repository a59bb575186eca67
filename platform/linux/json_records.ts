/**
 * Shared reading of iproute2's JSON output (`ip -j ...`): an array of
 * records whose fields are checked one by one, so odd output becomes a
 * SyntaxError naming the record and field rather than a crash later.
 *
 * @module
 */

/** One record of `ip -j` output, with typed field readers. */
export class JsonRecord {
  readonly #value: Readonly<Record<string, unknown>>;
  readonly #at: string;

  /**
   * Wraps a parsed record.
   *
   * @param value The record.
   * @param at Where it is, for messages ("ip link record 3").
   */
  constructor(value: Readonly<Record<string, unknown>>, at: string) {
    this.#value = value;
    this.#at = at;
  }

  /** The raw field. */
  raw(key: string): unknown {
    return this.#value[key];
  }

  /** A string field; absent gives undefined, another type a SyntaxError. */
  string(key: string): string | undefined {
    const v = this.#value[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw this.#bad(key, "a string");
    return v;
  }

  /** A non-negative integer field. */
  integer(key: string): number | undefined {
    const v = this.#value[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw this.#bad(key, "a non-negative integer");
    }
    return v;
  }

  /** A field that must be there. */
  required<T>(key: string, read: (key: string) => T | undefined): T {
    const v = read.call(this, key);
    if (v === undefined) throw new SyntaxError(`Cannot parse ${this.#at}: "${key}" is missing`);
    return v;
  }

  /** A boolean flag field (`"dynamic": true`); absent is false. */
  flag(key: string): boolean {
    const v = this.#value[key];
    if (v === undefined) return false;
    if (typeof v !== "boolean") throw this.#bad(key, "a boolean");
    return v;
  }

  /** An array of strings. */
  strings(key: string): string[] {
    const v = this.#value[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      throw this.#bad(key, "an array of strings");
    }
    return v;
  }

  /** A nested record, or undefined. */
  record(key: string): JsonRecord | undefined {
    const v = this.#value[key];
    if (v === undefined) return undefined;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw this.#bad(key, "an object");
    return new JsonRecord(v as Record<string, unknown>, `${this.#at}.${key}`);
  }

  /** A nested array of records. */
  records(key: string): JsonRecord[] {
    const v = this.#value[key];
    if (v === undefined) return [];
    return recordsOf(v, `${this.#at}.${key}`);
  }

  /** A SyntaxError about this record. */
  error(what: string): SyntaxError {
    return new SyntaxError(`Cannot parse ${this.#at}: ${what}`);
  }

  #bad(key: string, expected: string): SyntaxError {
    return this.error(`"${key}" is not ${expected}`);
  }
}

function recordsOf(value: unknown, at: string): JsonRecord[] {
  if (!Array.isArray(value)) throw new SyntaxError(`Cannot parse ${at}: expected an array`);
  return value.map((v, i) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw new SyntaxError(`Cannot parse ${at}[${i}]: expected an object`);
    }
    return new JsonRecord(v as Record<string, unknown>, `${at}[${i}]`);
  });
}

/**
 * Parses `ip -j` output into records.
 *
 * @example Read two records
 * ```ts
 * import { jsonRecords } from "./json_records.ts";
 * import assert from "node:assert/strict";
 * const [a] = jsonRecords('[{"ifname":"eth0"},{"ifname":"lo"}]', "ip link");
 * assert.equal(a.string("ifname"), "eth0");
 * ```
 * @param text The command's output.
 * @param what The command, for messages.
 * @returns The records.
 * @throws {SyntaxError} When the text is not a JSON array of objects.
 */
export function jsonRecords(text: string, what: string): JsonRecord[] {
  let value: unknown;
  try {
    // iproute2 prints nothing at all when there is nothing to show.
    value = text.trim() === "" ? [] : JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Cannot parse ${what}: ${(error as Error).message}`, { cause: error });
  }
  return recordsOf(value, what);
}
