/**
 * Splitting `mif`'s command line into options and positional arguments,
 * with mif's own one-line messages (Node's parseArgs explains its own
 * syntax instead of naming the mistake).
 *
 * @module
 */

import { didYouMean } from "./suggest.ts";

/** How an option is written: a flag, or an option with a value (repeatable or not). */
export interface OptionSpec {
  /** The value's placeholder in messages ("FILE"); absent for a flag. */
  readonly value?: string;
  /** Whether it may be given more than once (every value is kept). */
  readonly multiple?: boolean;
}

/** A command line, split: each option's values (true for a flag), and the positionals. */
export interface Tokens {
  /** Option name (without "--") → its values, or true for a flag given. */
  readonly values: ReadonlyMap<string, readonly string[] | true>;
  /** The arguments that are not options, in order. */
  readonly positionals: readonly string[];
  /** The first mistake, as a message, if any. */
  readonly problem?: string;
}

/** Short options: -h is --help. */
const SHORT: Readonly<Record<string, string>> = { h: "help" };

/**
 * Splits a command line. `--name value`, `--name=value`, `-h`, and `--`
 * ending the options are understood; a value may not start with "-" unless
 * written `--name=-value`. Scanning goes on after a mistake, so that the
 * command is known for the message.
 *
 * @example A value, and a typo
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenize } from "./tokens.ts";
 * const specs = { json: {}, pd: { value: "a PD id", multiple: true } };
 * const ok = tokenize(["resolve", "x.example", "--pd=a", "--pd", "b"], specs);
 * assert.deepEqual([...ok.values], [["pd", ["a", "b"]]]);
 * assert.deepEqual(ok.positionals, ["resolve", "x.example"]);
 * const typo = tokenize(["status", "--jsno"], specs);
 * assert.deepEqual(typo.positionals, ["status"]);
 * assert.equal(typo.problem, "unknown option --jsno; did you mean --json?");
 * ```
 * @param args The arguments.
 * @param specs The options, by name without "--".
 * @returns The options, positionals and first problem.
 */
export function tokenize(
  args: readonly string[],
  specs: Readonly<Record<string, OptionSpec>>,
): Tokens {
  const values = new Map<string, string[] | true>();
  const positionals: string[] = [];
  let problem: string | undefined;
  const fail = (text: string) => problem ??= text;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const eq = arg.indexOf("=");
    const name = long ? arg.slice(2, eq < 0 ? undefined : eq) : SHORT[arg.slice(1)];
    const spec = name === undefined ? undefined : specs[name];
    if (name === undefined || spec === undefined) {
      const names = Object.keys(specs).map((n) => `--${n}`);
      fail(`unknown option ${arg.split("=")[0]}${didYouMean(arg.split("=")[0], names, String)}`);
      continue;
    }
    const inline = long && eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (spec.value === undefined) {
      if (inline !== undefined) fail(`--${name} takes no value, got "${inline}"`);
      else values.set(name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next !== undefined && !(next.startsWith("-") && next.length > 1)) value = args[++i];
    }
    if (value === undefined) {
      fail(`--${name} needs a value: ${spec.value}`);
      continue;
    }
    const before = values.get(name);
    if (Array.isArray(before) && !spec.multiple) {
      fail(`--${name} given twice ("${before[0]}", "${value}"); give it once`);
      continue;
    }
    values.set(name, [...(Array.isArray(before) ? before : []), value]);
  }
  return { values, positionals, ...(problem === undefined ? {} : { problem }) };
}
