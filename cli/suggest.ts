/**
 * "Did you mean": the nearest of some names to a near-miss, by edit
 * distance (insertions, deletions, substitutions and swaps of neighbours).
 *
 * @module
 */

/**
 * The optimal-string-alignment distance: how many single-character
 * insertions, deletions, substitutions and swaps of adjacent characters
 * turn `a` into `b`.
 *
 * @example A swap and a missing letter
 * ```ts
 * import assert from "node:assert/strict";
 * import { editDistance } from "./suggest.ts";
 * assert.equal(editDistance("stauts", "status"), 1);
 * assert.equal(editDistance("prohibt", "prohibit"), 1);
 * ```
 * @param a A word.
 * @param b Another word.
 * @returns The distance, 0 for equal words.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate `word` was probably meant to be: the nearest one within a
 * third of the word's length (at least 1, at most 3 edits), or the only
 * candidate that starts with a word of 3 or more characters.
 *
 * @example A typo, and nothing near
 * ```ts
 * import assert from "node:assert/strict";
 * import { closest } from "./suggest.ts";
 * assert.equal(closest("cellullar", ["wifi", "cellular", "vpn"]), "cellular");
 * assert.equal(closest("nosuchthing", ["wifi", "cellular", "vpn"]), undefined);
 * ```
 * @param word What was written.
 * @param candidates What is valid.
 * @returns The suggestion, or undefined when none is near.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const all = [...candidates];
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined, bestDistance = Infinity;
  for (const c of all) {
    const distance = editDistance(word.toLowerCase(), c.toLowerCase());
    if (distance <= limit && distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  if (best !== undefined) return best;
  const prefixed = word.length >= 3 ? all.filter((c) => c.startsWith(word)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/**
 * `; did you mean "X"?` for a near-miss, or nothing.
 *
 * @example A near-miss command
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./suggest.ts";
 * assert.equal(didYouMean("stauts", ["status", "watch"]), '; did you mean "status"?');
 * assert.equal(didYouMean("frobnicate", ["status", "watch"]), "");
 * ```
 * @param word What was written.
 * @param candidates What is valid.
 * @param format How to quote the suggestion (default in double quotes).
 * @returns The clause, or "".
 */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  format: (s: string) => string = (s) => `"${s}"`,
): string {
  const near = closest(word, candidates);
  return near === undefined ? "" : `; did you mean ${format(near)}?`;
}
