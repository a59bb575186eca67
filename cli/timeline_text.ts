/**
 * Human-readable text for `mif connect`: the winning path in one line, then
 * the race as a timeline on a common time axis, one row per name
 * translation and one per connection attempt. Pure functions over the
 * records connect() returns (and ConnectFailedError carries).
 *
 * @module
 */

import type { AttemptRecord, ResolutionRecord } from "../connect/timeline.ts";

/** A race as connect() reports it, with the error's message when it failed. */
export interface RaceReport {
  /** The attempt that connected; absent when none did. */
  readonly winner?: AttemptRecord;
  /** Every attempt, in the order they started. */
  readonly attempts: readonly AttemptRecord[];
  /** Every PD's name translation. */
  readonly resolutions: readonly ResolutionRecord[];
  /** Why it failed: the error's message. */
  readonly error?: string;
}

/** The default number of columns of the time axis. */
export const TIMELINE_WIDTH = 40;

/** Bar characters: a translation running, an attempt running, neither. */
const RESOLVING = "-", ATTEMPTING = "█", IDLE = "·";

function ms(time: number): string {
  return time.toFixed(1);
}

/**
 * Where the race ends on the time axis: the latest time any record names.
 *
 * @example The end of a race
 * ```ts
 * import assert from "node:assert/strict";
 * import { raceDuration } from "./timeline_text.ts";
 * assert.equal(raceDuration({
 *   attempts: [{ pdId: "eth0/ipv4", interfaceId: "eth0", source: "198.51.100.7",
 *     address: "198.18.20.80", port: 80, start: 2, end: 12.5, outcome: "connected" }],
 *   resolutions: [{ pdId: "eth0/ipv4", interfaceId: "eth0", family: "ipv4",
 *     answers: [{ address: "198.18.20.80", at: 1.9 }], end: 2, outcome: "success" }],
 * }), 12.5);
 * ```
 * @param race The attempts and translations.
 * @returns Milliseconds since connect() was called; 0 for an empty race.
 */
export function raceDuration(race: RaceReport): number {
  const times = [
    ...race.attempts.flatMap((a) => [a.start, a.end ?? a.start]),
    ...race.resolutions.flatMap((r) => [r.end ?? 0, ...r.answers.map((a) => a.at)]),
    ...(race.winner ? [race.winner.end ?? race.winner.start] : []),
  ];
  return Math.max(0, ...times.filter(Number.isFinite));
}

/**
 * The first line of `mif connect`'s output: the winning path, or that the
 * race failed and why.
 *
 * @example A winner, and a failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatOutcome } from "./timeline_text.ts";
 * const winner = { pdId: "netb/ipv4", interfaceId: "netb", source: "203.0.113.101",
 *   address: "198.18.20.80", port: 8080, start: 52.1, end: 83.4, outcome: "connected" as const };
 * assert.equal(
 *   formatOutcome({ winner, attempts: [winner], resolutions: [] }),
 *   "connected to 198.18.20.80 port 8080 through netb/ipv4 (netb) from 203.0.113.101 in 83.4 ms",
 * );
 * assert.equal(
 *   formatOutcome({
 *     attempts: [], resolutions: [],
 *     error: "Cannot connect to www.example port 80: no provisioning domain may be used",
 *   }),
 *   "not connected after 0.0 ms: Cannot connect to www.example port 80: no provisioning domain may be used",
 * );
 * ```
 * @param race The race.
 * @returns One line.
 */
export function formatOutcome(race: RaceReport): string {
  const w = race.winner;
  if (w) {
    return `connected to ${w.address} port ${w.port} through ${w.pdId} (${w.interfaceId}) from ${w.source} in ${
      ms(w.end ?? raceDuration(race))
    } ms`;
  }
  return `not connected after ${ms(raceDuration(race))} ms: ${
    race.error ?? "Cannot connect: no attempt connected"
  }`;
}

/**
 * Draws one bar: `fill` from `start` to `end` on an axis of `width`
 * columns for `total` milliseconds, `·` elsewhere; at least one column.
 */
function bar(start: number, end: number, total: number, width: number, fill: string): string {
  const scale = total > 0 ? width / total : 0;
  // A hair of tolerance, so that 50 of 100 ms on 40 columns is column 20, not 19 or 21.
  const from = Math.min(width - 1, Math.max(0, Math.floor(start * scale + 1e-9)));
  const to = Math.min(width, Math.max(from + 1, Math.ceil(end * scale - 1e-9)));
  return IDLE.repeat(from) + fill.repeat(to - from) + IDLE.repeat(width - to);
}

interface Row {
  kind: string;
  pdId: string;
  what: string;
  start: number;
  end: number | undefined;
  fill: string;
  outcome: string;
}

/**
 * A translation's row: it starts at 0 unless split DNS asked it late; a PD
 * not asked shows no bar; the detail (why not asked, or asked late) follows.
 */
function resolutionRow(r: ResolutionRecord): Row {
  return {
    kind: "resolve",
    pdId: r.pdId,
    what: r.family === "ipv6" ? "AAAA" : "A",
    start: r.start ?? 0,
    end: r.end,
    fill: r.outcome === "not-asked" ? IDLE : RESOLVING,
    outcome: [
      `${r.outcome ?? "unfinished"}${r.detail ? ` (${r.detail})` : ""}`,
      ...(r.answers.length === 0 ? [] : [
        r.answers.map((a) => `${a.address} at ${ms(a.at)} ms`).join(", "),
      ]),
    ].join("  "),
  };
}

/**
 * The race as a timeline: a line with the time axis (0 ms on the left, the
 * race's duration on the right; left out when even the duration does not
 * fit in `width`), then one row per name translation (in PD order; each
 * starts at 0) and one row per attempt in start order. A row
 * names its PD, what it did (the record type asked for; source →
 * destination), its start and end in ms, a bar on the common axis (`-` a
 * translation, `█` an attempt, `·` neither) and how it ended, with the
 * translation's answers and their times, or the attempt's detail. A PD
 * that split DNS did not ask ends `not-asked` with why, and no bar.
 *
 * @example Two PDs race; the second one's attempt wins
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTimeline } from "./timeline_text.ts";
 * const to = { address: "198.18.20.80", port: 8080, end: 83.4 };
 * const lines = formatTimeline({
 *   resolutions: [{ pdId: "neta/ipv4", interfaceId: "neta", family: "ipv4",
 *     answers: [{ address: "198.18.20.80", at: 2 }], end: 2.1, outcome: "success" }],
 *   attempts: [
 *     { ...to, pdId: "neta/ipv4", interfaceId: "neta", source: "198.51.100.101", start: 2.1,
 *       outcome: "cancelled" },
 *     { ...to, pdId: "netb/ipv4", interfaceId: "netb", source: "203.0.113.101", start: 52.1,
 *       outcome: "connected" },
 *   ],
 * }, 20);
 * assert.deepEqual(lines, [
 *   "                                                                 0 ms         83.4 ms",
 *   "resolve  neta/ipv4  A                               0.0– 2.1 ms  -···················  success  198.18.20.80 at 2.0 ms",
 *   "connect  neta/ipv4  198.51.100.101 → 198.18.20.80   2.1–83.4 ms  ████████████████████  cancelled",
 *   "connect  netb/ipv4  203.0.113.101 → 198.18.20.80   52.1–83.4 ms  ············████████  connected",
 * ]);
 * ```
 * @example Split DNS left a PD out
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTimeline } from "./timeline_text.ts";
 * const lines = formatTimeline({ attempts: [], resolutions: [
 *   { pdId: "eth0/ipv4", interfaceId: "eth0", family: "ipv4", answers: [], end: 4, outcome: "nxdomain" },
 *   { pdId: "eth1/ipv4", interfaceId: "eth1", family: "ipv4", answers: [], end: 0, outcome: "not-asked",
 *     detail: "printer.isp1.test is under isp1.test of eth0/ipv4" },
 * ] }, 4);
 * assert.equal(
 *   lines.at(-1),
 *   "resolve  eth1/ipv4  A  0.0–0.0 ms  ····  not-asked (printer.isp1.test is under isp1.test of eth0/ipv4)",
 * );
 * ```
 * @param race The attempts and translations.
 * @param width Columns of the time axis, the bars' length (default {@linkcode TIMELINE_WIDTH}).
 * @returns Lines without newlines.
 * @throws {RangeError} For a width that is not a positive integer.
 */
export function formatTimeline(race: RaceReport, width: number = TIMELINE_WIDTH): string[] {
  if (!Number.isInteger(width) || width < 1) {
    throw new RangeError(
      `Cannot format the timeline: width must be a positive integer, not ${width}`,
    );
  }
  const rows: Row[] = [
    ...race.resolutions.map(resolutionRow),
    // A stable sort: attempts that started at the same time stay in the race's order.
    ...[...race.attempts].sort((a, b) => a.start - b.start).map((a) => ({
      kind: "connect",
      pdId: a.pdId,
      what: `${a.source} → ${a.address}`,
      start: a.start,
      end: a.end,
      fill: ATTEMPTING,
      outcome: `${a.outcome ?? "unfinished"}${a.detail ? ` (${a.detail})` : ""}`,
    })),
  ];
  if (rows.length === 0) return ["no name translation and no attempt took place"];
  const total = raceDuration(race);
  const starts = rows.map((r) => ms(r.start));
  const ends = rows.map((r) => r.end === undefined ? "…" : ms(r.end));
  const widest = (texts: string[]) => Math.max(...texts.map((t) => t.length));
  const [kindW, pdW, whatW, startW, endW] = [
    widest(rows.map((r) => r.kind)),
    widest(rows.map((r) => r.pdId)),
    widest(rows.map((r) => r.what)),
    widest(starts),
    widest(ends),
  ];
  const lines = rows.map((r, i) => {
    const times = `${starts[i].padStart(startW)}–${ends[i].padStart(endW)} ms`;
    return [
      r.kind.padEnd(kindW),
      r.pdId.padEnd(pdW),
      r.what.padEnd(whatW),
      times,
      bar(r.start, r.end ?? total, total, width, r.fill),
      r.outcome,
    ].join("  ");
  });
  const barColumn = kindW + pdW + whatW + startW + endW + 4 + 2 * 4;
  // The axis's labels, where they fit in the width: both ends, the end only, or none.
  const left = "0 ms", right = `${ms(total)} ms`;
  const axis = left.length + 1 + right.length <= width
    ? left + right.padStart(width - left.length)
    : right.length <= width
    ? right.padStart(width)
    : undefined;
  return axis === undefined ? lines : [" ".repeat(barColumn) + axis, ...lines];
}

/**
 * All of `mif connect`'s human output: {@linkcode formatOutcome}'s line,
 * then {@linkcode formatTimeline}'s.
 *
 * @example A failed race
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRace } from "./timeline_text.ts";
 * const lines = formatRace({
 *   resolutions: [{ pdId: "eth0/ipv4", interfaceId: "eth0", family: "ipv4",
 *     answers: [{ address: "198.18.20.80", at: 1.2 }], end: 1.3, outcome: "success" }],
 *   attempts: [{ pdId: "eth0/ipv4", interfaceId: "eth0", source: "198.51.100.7",
 *     address: "198.18.20.80", port: 80, start: 1.3, end: 2.5, outcome: "refused" }],
 *   error: "Cannot connect to www.example port 80: every attempt failed",
 * });
 * assert.equal(
 *   lines[0],
 *   "not connected after 2.5 ms: Cannot connect to www.example port 80: every attempt failed",
 * );
 * assert.equal(lines.length, 4);
 * ```
 * @param race The race, with its winner or the error's message.
 * @param width Columns of the time axis (default {@linkcode TIMELINE_WIDTH}).
 * @returns Lines without newlines.
 * @throws {RangeError} For a width that is not a positive integer.
 */
export function formatRace(race: RaceReport, width: number = TIMELINE_WIDTH): string[] {
  return [formatOutcome(race), ...formatTimeline(race, width)];
}
