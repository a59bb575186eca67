/**
 * `mif connect`'s text (cli/timeline_text.ts) on fixed races: the winner line,
 * the failure header, and the timeline's rows and bars on a common axis.
 */

import assert from "node:assert/strict";
import type { AttemptRecord, ResolutionRecord } from "../../mod.ts";
import {
  formatOutcome,
  formatRace,
  formatTimeline,
  raceDuration,
  type RaceReport,
} from "../../cli/timeline_text.ts";

function attempt(
  pdId: string,
  source: string,
  start: number,
  end: number | undefined,
  outcome?: AttemptRecord["outcome"],
  detail?: string,
): AttemptRecord {
  return {
    pdId,
    interfaceId: pdId.split("/")[0],
    source,
    address: "198.18.20.80",
    port: 8080,
    start,
    ...(end === undefined ? {} : { end, outcome }),
    ...(detail === undefined ? {} : { detail }),
  };
}

function resolution(
  pdId: string,
  answers: [string, number][],
  end: number | undefined,
  outcome?: ResolutionRecord["outcome"],
): ResolutionRecord {
  return {
    pdId,
    interfaceId: pdId.split("/")[0],
    family: pdId.includes("ipv6") ? "ipv6" : "ipv4",
    answers: answers.map(([address, at]) => ({ address, at })),
    ...(end === undefined ? {} : { end, outcome }),
  };
}

const WINNER = attempt("netb/ipv4", "203.0.113.101", 50, 100, "connected");

/** neta resolves in 10 ms and tries first; netb answers at 40 ms, tries at 50 and wins at 100. */
const RACE: RaceReport = {
  winner: WINNER,
  resolutions: [
    resolution("neta/ipv4", [["198.18.20.80", 9.5]], 10, "success"),
    resolution("netb/ipv4", [["198.18.20.80", 40]], 40, "success"),
    resolution("netc/ipv6", [], 25, "nxdomain"),
  ],
  // Out of start order on purpose: the timeline sorts them.
  attempts: [
    WINNER,
    attempt("neta/ipv4", "198.51.100.101", 10, 100, "cancelled", "another attempt connected first"),
  ],
};

/** The bar of a row: the run of bar characters before its outcome. */
function barOf(line: string): string {
  return line.match(/[-█·]+(?= {2}\S+)/g)!.at(-1)!;
}

Deno.test("the first line names the winning path and its time", () => {
  assert.equal(
    formatOutcome(RACE),
    "connected to 198.18.20.80 port 8080 through netb/ipv4 (netb) from 203.0.113.101 in 100.0 ms",
  );
  assert.equal(formatRace(RACE)[0], formatOutcome(RACE));
});

Deno.test("a failed race's header says it failed, when, and the error's message", () => {
  const failed: RaceReport = {
    resolutions: [resolution("neta/ipv4", [["198.18.20.80", 3]], 3.2, "success")],
    attempts: [attempt("neta/ipv4", "198.51.100.101", 3.2, 4.75, "refused")],
    error: "Cannot connect to www.example port 8080: every attempt failed",
  };
  const lines = formatRace(failed, 20);
  assert.equal(
    lines[0],
    "not connected after 4.8 ms: Cannot connect to www.example port 8080: every attempt failed",
  );
  assert.equal(lines.length, 4, "header, axis, one translation, one attempt");
  assert.match(lines[3], / {2}refused$/);
});

Deno.test("every translation and every attempt is a row, attempts in start order, with outcomes", () => {
  const lines = formatTimeline(RACE, 40);
  assert.equal(lines.length, 1 + 3 + 2, "the axis, three translations, two attempts");
  const [, ...rows] = lines;
  assert.deepEqual(rows.map((l) => l.split(/ {2,}/).slice(0, 2)), [
    ["resolve", "neta/ipv4"],
    ["resolve", "netb/ipv4"],
    ["resolve", "netc/ipv6"],
    ["connect", "neta/ipv4"],
    ["connect", "netb/ipv4"],
  ]);
  assert.match(rows[0], /^resolve {2}neta\/ipv4 {2}A {4}/);
  assert.match(rows[0], / {2}success {2}198\.18\.20\.80 at 9\.5 ms$/);
  assert.match(rows[2], /^resolve {2}netc\/ipv6 {2}AAAA /);
  assert.match(rows[2], / {2}nxdomain$/);
  assert.match(rows[3], / 198\.51\.100\.101 → 198\.18\.20\.80 {2}10\.0–100\.0 ms {2}/);
  assert.match(rows[3], / {2}cancelled \(another attempt connected first\)$/);
  assert.match(rows[4], / 203\.0\.113\.101 → 198\.18\.20\.80 {3}50\.0–100\.0 ms {2}/);
  assert.match(rows[4], / {2}connected$/);
});

Deno.test("bars are proportional to time and placed at their start on a common axis", () => {
  const lines = formatTimeline(RACE, 40);
  const bars = lines.slice(1).map(barOf);
  // 100 ms over 40 columns: 2.5 ms a column.
  assert.deepEqual(bars, [
    "----" + "·".repeat(36), // 0–10 ms
    "-".repeat(16) + "·".repeat(24), // 0–40 ms
    "-".repeat(10) + "·".repeat(30), // 0–25 ms
    "····" + "█".repeat(36), // 10–100 ms
    "·".repeat(20) + "█".repeat(20), // 50–100 ms
  ]);
  // Every bar starts in the same column, under the axis's "0 ms".
  const columns = lines.slice(1).map((l) => l.indexOf(barOf(l)));
  assert.ok(columns.every((c) => c === columns[0]), columns.join(" "));
  assert.equal(lines[0].indexOf("0 ms"), columns[0]);
  assert.ok(lines[0].endsWith("100.0 ms"));
  assert.equal(lines[0].length, columns[0] + 40, "the axis spans the bars' width");
});

Deno.test("the width sets the bars' length and the axis fits it", () => {
  for (const width of [1, 5, 8, 12, 40, 73]) {
    const lines = formatTimeline(RACE, width);
    const rows = lines.filter((l) => /^(resolve|connect) /.test(l));
    assert.equal(rows.length, 5);
    for (const row of rows) assert.equal([...barOf(row)].length, width, row);
    const column = rows[0].indexOf(barOf(rows[0]));
    // The axis is there while "100.0 ms" fits, and never wider than the bars.
    assert.equal(lines.length, width >= 8 ? 6 : 5, `width ${width}`);
    if (width >= 8) {
      assert.ok(lines[0].length <= column + width, `axis at width ${width}: "${lines[0]}"`);
      assert.ok(lines[0].endsWith("100.0 ms"));
    }
  }
  assert.equal(barOf(formatTimeline(RACE)[1]).length, 40, "40 columns by default");
  for (const width of [0, -3, 2.5, NaN]) {
    assert.throws(
      () => formatTimeline(RACE, width),
      (e) =>
        e instanceof RangeError && /^Cannot format the timeline: width must be/.test(e.message),
    );
  }
});

Deno.test("a zero-duration race draws one column at the start, without dividing by zero", () => {
  const instant: RaceReport = {
    resolutions: [resolution("eth0/ipv4", [["198.18.20.80", 0]], 0, "success")],
    attempts: [attempt("eth0/ipv4", "198.51.100.7", 0, 0, "refused")],
    error: "Cannot connect to 198.18.20.80 port 8080: every attempt failed",
  };
  assert.equal(raceDuration(instant), 0);
  const lines = formatRace(instant, 10);
  assert.match(lines[0], /^not connected after 0\.0 ms: /);
  assert.deepEqual(lines.slice(2).map(barOf), ["-" + "·".repeat(9), "█" + "·".repeat(9)]);
  assert.ok(!lines.join("\n").includes("NaN") && !lines.join("\n").includes("Infinity"));
});

Deno.test("unfinished records run to the race's end and say so; an empty race says nothing took place", () => {
  const stopped: RaceReport = {
    resolutions: [resolution("eth0/ipv4", [], undefined)],
    attempts: [attempt("wlan0/ipv4", "198.51.100.7", 20, undefined)],
    error: "Cannot connect to www.example port 8080: timed out",
  };
  // Nothing ended: the axis ends at the last start.
  const lines = formatTimeline(stopped, 10);
  assert.match(lines[1], / 0\.0–… ms {2}-{10} {2}unfinished$/);
  assert.match(lines[2], /20\.0–… ms {2}·{9}█ {2}unfinished$/);
  assert.deepEqual(formatTimeline({ attempts: [], resolutions: [] }), [
    "no name translation and no attempt took place",
  ]);
});
