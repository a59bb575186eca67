/** What races remember (connect/path_history.ts): RTT-based delays and the last winner per name. */

import assert from "node:assert/strict";
import { PathHistory } from "../../connect/path_history.ts";

const MINUTE = 60_000;

Deno.test("an IPv4 winner skips the resolution delay only after IPv6 failed, for ten minutes", () => {
  const history = new PathHistory();
  history.won("x.example", "eth0/ipv4", 0, { ipv6: false, ipv6Failed: false });
  assert.deepEqual(history.lastWinner("x.example", 1), {
    pdId: "eth0/ipv4",
    skipsResolutionDelay: false,
  }, "IPv6 was not beaten: it keeps its 50 ms");
  history.won("x.example", "eth0/ipv4", 1000, { ipv6: false, ipv6Failed: true });
  history.won("x.example", "eth0/ipv4", 2000, { ipv6: false, ipv6Failed: false });
  assert.equal(
    history.lastWinner("x.example", 3000)?.skipsResolutionDelay,
    true,
    "a later race without an IPv6 attempt keeps the exemption",
  );
  assert.equal(history.lastWinner("x.example", 1000 + 10 * MINUTE)?.skipsResolutionDelay, false);
  assert.equal(history.lastWinner("y.example", 0), undefined);
});

Deno.test("an IPv6 winner always skips the resolution delay (it only holds IPv4 answers back)", () => {
  const history = new PathHistory();
  history.won("x.example", "eth0/ipv6", 0, { ipv6: true, ipv6Failed: false });
  assert.equal(history.lastWinner("x.example", 0)?.skipsResolutionDelay, true);
});

Deno.test("the attempt delay follows each PD's own RTTs within 100 ms to 2 s", () => {
  const history = new PathHistory();
  history.connected("fast", "198.51.100.80", 5, 0);
  history.connected("slow", "198.51.100.80", 900, 0);
  assert.equal(history.attemptDelay("fast", 250), 100, "5 + 4 × 2.5 is below the minimum");
  assert.equal(history.attemptDelay("slow", 250), 2000, "900 + 4 × 450 is above the maximum");
  assert.equal(history.attemptDelay("new", 250), 250, "no history: the fallback");
  history.connected("fast", "198.51.100.80", 5, 0);
  assert.equal(history.srtt("fast"), 5);
});

Deno.test("a destination's outcome is forgotten after ten minutes", () => {
  const history = new PathHistory();
  history.failed("eth0/ipv4", "198.51.100.80", 0);
  assert.equal(history.destination("eth0/ipv4", "198.51.100.80", MINUTE), "failed");
  assert.equal(history.destination("eth0/ipv4", "198.51.100.80", 10 * MINUTE), "unknown");
  assert.equal(history.destination("wlan0/ipv4", "198.51.100.80", MINUTE), "unknown");
});
