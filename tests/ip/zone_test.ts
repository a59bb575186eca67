/** Zones of link-local IPv6 addresses (ip/zone.ts). */

import assert from "node:assert/strict";
import { parseIp } from "../../ip/ip.ts";
import { needsZone, withoutZone, zoned } from "../../ip/zone.ts";

Deno.test("zones: link-local IPv6 addresses get the interface, comparisons leave zones out", () => {
  assert.equal(zoned("fe80::1", "eth0"), "fe80::1%eth0");
  assert.equal(zoned("fe80::1%eth1", "eth0"), "fe80::1%eth1");
  assert.equal(zoned("169.254.0.1", "eth0"), "169.254.0.1");
  assert.equal(zoned("not an address", "eth0"), "not an address");
  assert(needsZone(parseIp("fe80::1")!));
  assert(!needsZone(parseIp("2001:db8::1")!));
  assert.equal(withoutZone("fe80::1%2"), "fe80::1");
  assert.equal(withoutZone("fe80::1%eth0"), withoutZone("FE80:0::1%2"));
});
