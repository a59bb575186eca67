import assert from "node:assert/strict";
import { checkConnectArguments, pathTier } from "../../connect/connect_options.ts";
import { buildSnapshot } from "../../platform/linux/build_snapshot.ts";
import { drain, nic, openManual } from "../fixtures/helpers.ts";
import { validateApiMessage } from "../../mod.ts";

Deno.test("a metered interface (NetworkManager's state) is announced as such and changes are news", async () => {
  const { mif, platform } = await openManual({ interfaces: [nic("wwan0", [], { metered: true })] });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  const [announced] = drain(sub);
  assert.deepEqual(announced, {
    type: "interface-announcement",
    interfaceId: "wwan0",
    displayName: "WWAN0",
    interfaceType: "wired",
    metered: true,
  });
  assert(validateApiMessage(announced).ok);
  platform.snapshot({ interfaces: [nic("wwan0", [], { metered: false })] });
  assert.deepEqual(drain(sub).map((m) => m.type === "interface-announcement" && m.metered), [
    false,
  ]);
});

Deno.test("the race avoids or prohibits metered interfaces when asked", () => {
  const pd = (metered?: boolean) => ({
    pdId: "wlan0/ipv4",
    interfaceId: "wlan0",
    interfaceType: "wifi" as const,
    family: "ipv4" as const,
    addresses: [],
    ...(metered === undefined ? {} : { metered }),
  });
  const avoid = checkConnectArguments("www.example", 443, { avoid: ["metered"] });
  assert.equal(pathTier(pd(true), avoid, "www.example"), 2);
  assert.equal(pathTier(pd(false), avoid, "www.example"), 1);
  assert.equal(pathTier(pd(), avoid, "www.example"), 1);
  const prohibit = checkConnectArguments("www.example", 443, { prohibit: ["metered"] });
  assert.equal(pathTier(pd(true), prohibit, "www.example"), undefined);
});

Deno.test("the Linux platform marks the interfaces its sources report metered", () => {
  const snapshot = buildSnapshot({
    now: 0,
    links: [{
      index: 2,
      name: "nm0",
      operState: "up",
      flags: ["UP", "LOWER_UP"],
      linkType: "ether",
    }],
    addresses: [],
    routes: [],
    types: new Map([["nm0", "wired"]]),
    adverts: new Map(),
    sources: {
      dhcp4: [],
      dhcp6: [],
      resolvers: [],
      links: [{ interfaceName: "nm0", metered: true, source: "nmcli" }],
    },
    notes: [],
  });
  assert.equal(snapshot.interfaces[0].metered, true);
});
