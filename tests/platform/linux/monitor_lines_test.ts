import assert from "node:assert/strict";
import { Monitor } from "../../../platform/monitor.ts";

// Two lines in one write, then a last line without its newline, then exit.
const PRINT = [
  Deno.execPath(),
  "eval",
  `await Deno.stdout.write(new TextEncoder().encode(
    "[ADDR]2: eth0    inet 198.51.100.7/24 scope global eth0\\n[ROUTE]198.51.100.0/24 dev eth0\\n"));
  await new Promise((r) => setTimeout(r, 100));
  await Deno.stdout.write(new TextEncoder().encode("[LINK]2: eth0: <BROADCAST> mtu 1500"));`,
];

Deno.test("the monitor hands over each chunk's lines, the last one even without a newline, and none after a restart", async () => {
  const calls: (readonly string[] | undefined)[] = [];
  const monitor = new Monitor((lines) => calls.push(lines), { command: PRINT, restartDelay: 50 });
  const end = Date.now() + 10_000;
  while (monitor.restarts < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  await monitor.close();
  assert.deepEqual(calls.slice(0, 3), [
    ["[ADDR]2: eth0    inet 198.51.100.7/24 scope global eth0", "[ROUTE]198.51.100.0/24 dev eth0"],
    ["[LINK]2: eth0: <BROADCAST> mtu 1500"],
    undefined,
  ]);
});

Deno.test("a filtered monitor hands over only the lines that pass", async () => {
  const calls: (readonly string[] | undefined)[] = [];
  const monitor = new Monitor((lines) => calls.push(lines), {
    command: PRINT,
    restartDelay: 5000,
    filter: (line) => line.startsWith("[ROUTE]"),
  });
  const end = Date.now() + 10_000;
  while (calls.length < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  await monitor.close();
  assert.deepEqual(calls, [["[ROUTE]198.51.100.0/24 dev eth0"]]);
});
