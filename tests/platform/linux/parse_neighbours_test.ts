/** parseNeighbours (platform/linux/parse_neighbours.ts) on `ip -j neigh` output. */

import assert from "node:assert/strict";
import { neighbourRouters, parseNeighbours } from "../../../platform/linux/parse_neighbours.ts";

Deno.test("parseNeighbours finds every router a test bed host heard, the stub router (lifetime 0) too", () => {
  const text = Deno.readTextFileSync(
    new URL("../../testdata/testbed_ipv6/ip_neigh.json", import.meta.url),
  );
  const routers = neighbourRouters(parseNeighbours(text));
  assert.deepEqual(routers.get("netd"), ["fe80::d1", "fe80::d2"]);
  assert.deepEqual(routers.get("netc"), ["fe80::c1", "fe80::c2"]);
  assert.deepEqual(routers.get("netm"), ["fe80::f"]);
});
