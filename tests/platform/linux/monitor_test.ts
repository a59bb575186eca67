import assert from "node:assert/strict";
import { Monitor } from "../../../platform/monitor.ts";

const PRINT_AND_EXIT = [Deno.execPath(), "eval", "console.log('2: eth0 inet 198.51.100.7/24')"];

Deno.test("the monitor calls back per line, restarts a dead monitor and triggers a resync", async () => {
  const errors: string[] = [];
  let changes = 0;
  const monitor = new Monitor(() => changes++, {
    command: PRINT_AND_EXIT,
    restartDelay: 20,
    onError: (e) => errors.push(e.message),
  });
  const end = Date.now() + 10_000;
  while (monitor.restarts < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  await monitor.close();
  assert.ok(monitor.restarts >= 2, `restarted ${monitor.restarts} times`);
  // Each finished run printed one line, and each restart asked for a resync.
  assert.ok(changes >= 2 * monitor.restarts, `${changes} changes, ${monitor.restarts} restarts`);
  assert.match(errors[0], /^Cannot follow changes: .* exited with code 0$/);
});

Deno.test("a monitor that cannot start reports why and keeps trying until closed", async () => {
  const errors: string[] = [];
  const monitor = new Monitor(() => {}, {
    command: ["/nonexistent/ip"],
    restartDelay: 10,
    onError: (e) => errors.push(e.message),
  });
  const end = Date.now() + 5000;
  while (errors.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  await monitor.close();
  assert.match(errors[0], /^Cannot follow changes: /);
  const after = errors.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(errors.length, after, "nothing runs after close");
});
