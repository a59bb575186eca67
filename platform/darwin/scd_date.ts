/**
 * The dates configd's tools print. `ipconfig getsummary` and `scutil`
 * print a CFDate as `MM/DD/YYYY hh:mm:ss` in the Mac's system time zone
 * (configd, SystemConfiguration.fproj/SCD.c, `_SCCopyDescription`:
 * `CFTimeZoneCopySystem()`, format `%02d/%02d/%04d %02d:%02d:%02d`).
 *
 * @module
 */

const SCD_DATE = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/;

/**
 * Reads a configd date as local time of this process, which on the Mac
 * itself is the system time zone configd printed it in. (A capture
 * replayed in another time zone is read in that zone: its times shift.)
 *
 * @example A lease start
 * ```ts
 * import { parseScdDate } from "./scd_date.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseScdDate("09/16/2026 23:54:04"), new Date(2026, 8, 16, 23, 54, 4).getTime());
 * assert.equal(parseScdDate("2026-09-16"), undefined);
 * ```
 * @param text The printed date.
 * @returns Epoch ms, or undefined when it is not such a date.
 */
export function parseScdDate(text: string): number | undefined {
  const m = SCD_DATE.exec(text.trim());
  if (!m) return undefined;
  const [month, day, year, hour, minute, second] = m.slice(1).map(Number);
  const date = new Date(year, month - 1, day, hour, minute, second);
  // 02/30 or 25:00 roll over into another date: not a date configd prints.
  return date.getMonth() === month - 1 && date.getDate() === day && date.getHours() === hour
    ? date.getTime()
    : undefined;
}
