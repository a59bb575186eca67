/** parseRoutes (platform/linux/parse_routes.ts) on `ip -j route` output. */

import assert from "node:assert/strict";
import { parseRoutes } from "../../../platform/linux/parse_routes.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/testbed/${name}`, import.meta.url));

Deno.test("parseRoutes reads RA default routes with expiry and preference", () => {
  const routes = parseRoutes(data("ip_route6.json"), "ipv6");
  const defaults = routes.filter((r) => r.destination === "::/0");
  assert.deepEqual(defaults.map((r) => [r.gateway, r.device, r.protocol]).sort(), [
    ["fe80::a", "neta", "ra"],
    ["fe80::c1", "netc", "ra"],
    ["fe80::c2", "netc", "ra"],
  ]);
  assert.ok(defaults.every((r) => typeof r.expires === "number" && r.preference === "medium"));
  const v4 = parseRoutes(data("ip_route4.json"), "ipv4");
  assert.ok(v4.some((r) => r.destination === "0.0.0.0/0" && r.protocol === "dhcp"));
  assert.ok(v4.some((r) => r.table === "local" && r.type === "local"));
  assert.throws(() => parseRoutes('[{"dst":"300.1.1.1/8"}]', "ipv4"), SyntaxError);
});
