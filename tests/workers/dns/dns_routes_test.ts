/** Which server each query goes to, from which source (workers/dns/dns_routes.ts). */

import assert from "node:assert/strict";
import { planRoutes } from "../../../workers/dns/dns_routes.ts";

const address = (
  address: string,
  validUntil: number | null = null,
  preferredUntil = validUntil,
) => ({
  address,
  prefixLength: address.includes(":") ? 64 : 24,
  validUntil,
  preferredUntil,
});

Deno.test("routes pair each server with the PD's best source of its family, and say why others are skipped", () => {
  const now = Date.now();
  const plan = planRoutes(
    ["198.51.100.53", "fe80::53", "2001:db8:2::53", "nonsense", "203.0.113.53"],
    "eth0",
    [
      address("198.51.100.7"),
      address("fe80::7"),
      address("2001:db8:1::7"),
      address("2001:db8:2::7"),
    ],
    now,
  );
  assert.deepEqual(plan.routes.map((r) => [r.server.text, r.source]), [
    ["198.51.100.53", "198.51.100.7"],
    ["fe80::53", "fe80::7%eth0"],
    ["2001:db8:2::53", "2001:db8:2::7"],
    ["203.0.113.53", "198.51.100.7"],
  ]);
  assert.deepEqual(plan.skipped, ['"nonsense" (not a server address)']);
  const expired = planRoutes(["198.51.100.53"], "eth0", [address("198.51.100.7", now - 1)], now);
  assert.deepEqual(expired.skipped, [
    "198.51.100.53 (every IPv4 address of the PD is deprecated or expired)",
  ]);
});
