/** interfaceTypeOf (platform/linux/interface_type.ts). */

import assert from "node:assert/strict";
import { interfaceTypeOf } from "../../../platform/linux/interface_type.ts";

Deno.test("interfaceTypeOf tells wifi, cellular, vpn, bridge, virtual and wired apart", () => {
  const link = { index: 2, name: "x", operState: "up", flags: [], linkType: "ether" };
  const none = { wireless: false };
  assert.equal(interfaceTypeOf(link, { wireless: true }), "wifi");
  assert.equal(interfaceTypeOf(link, { wireless: false, devType: "wwan" }), "cellular");
  assert.equal(interfaceTypeOf({ ...link, name: "rmnet0" }, none), "cellular");
  assert.equal(interfaceTypeOf({ ...link, linkType: "none", kind: "tun" }, none), "vpn");
  assert.equal(interfaceTypeOf({ ...link, linkType: "ipip", kind: "ipip" }, none), "vpn");
  assert.equal(interfaceTypeOf({ ...link, kind: "gre" }, none), "vpn");
  assert.equal(interfaceTypeOf({ ...link, kind: "bridge" }, none), "bridge");
  assert.equal(interfaceTypeOf({ ...link, kind: "veth" }, none), "virtual");
  assert.equal(interfaceTypeOf(link, none), "wired");
  assert.equal(
    interfaceTypeOf({ ...link, linkType: "loopback", flags: ["LOOPBACK"] }, none),
    "loopback",
  );
});
