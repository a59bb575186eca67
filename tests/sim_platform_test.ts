import assert from "node:assert/strict";
import { brief, drain, next, oneLinkScenario } from "./helpers.ts";
import { openMif, parseScenario, SimPlatform } from "../mod.ts";
import type { PlatformEvent } from "../platform/types.ts";

const scenario = parseScenario(JSON.stringify(oneLinkScenario(
  { addresses: [{ address: "127.0.0.2", prefixLength: 8 }] },
  [
    { at: 10, event: "link-down", interfaceId: "eth0" },
    { at: 20, event: "link-up", interfaceId: "eth0" },
    { at: 30, event: "pd-restore", pdId: "eth0/ipv4" },
    {
      at: 40,
      event: "address-add",
      pdId: "eth0/ipv4",
      address: { address: "127.0.0.9", validLifetime: 1 },
    },
    {
      at: 50,
      event: "interface-add",
      interface: { interfaceId: "usb0", interfaceType: "cellular" },
    },
  ],
)));

Deno.test("the sim platform plays its timeline: advisories first, then the new state", async () => {
  const platform = new SimPlatform(scenario);
  const events: PlatformEvent[] = [];
  const initial = await platform.start((e) => events.push(e));
  assert.deepEqual(initial.interfaces.map((n) => n.pds.length), [1]);
  await new Promise((r) => setTimeout(r, 120));
  await platform.close();
  assert.deepEqual(
    events.map((e) =>
      e.type === "snapshot"
        ? `snapshot ${
          e.snapshot.interfaces.map((n) => `${n.interfaceId}:${n.operState}:${n.pds.length}`)
        }`
        : `${e.type} ${e.interfaceId}`
    ),
    [
      "interface-going-away eth0",
      "snapshot eth0:down:0",
      "interface-going-up eth0",
      "snapshot eth0:up:0",
      "snapshot eth0:up:1",
      "snapshot eth0:up:1",
      "snapshot eth0:up:1,usb0:up:0",
    ],
  );
});

Deno.test("sim addresses expire when their valid lifetime runs out", async () => {
  const expiring = parseScenario(JSON.stringify(oneLinkScenario({
    addresses: [
      { address: "127.0.0.2", validLifetime: "infinite" },
      { address: "127.0.0.9", validLifetime: 1 },
    ],
  })));
  await using mif = await openMif({ platform: new SimPlatform(expiring) });
  const sub = mif.subscribe();
  sub.post({ type: "announce-addresses", pdId: "eth0/ipv4" });
  assert.deepEqual(brief(drain(sub)), [
    "address-announcement eth0/ipv4 127.0.0.2",
    "address-announcement eth0/ipv4 127.0.0.9",
  ]);
  const expired = await next(sub, 5000);
  assert.deepEqual(brief([expired]), ["no-address-announcement eth0/ipv4 127.0.0.9"]);
});

Deno.test("a closed sim platform stops its timeline", async () => {
  const platform = new SimPlatform(scenario);
  const events: PlatformEvent[] = [];
  await platform.start((e) => events.push(e));
  await platform.close();
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(events, []);
  await assert.rejects(platform.start(() => {}), Deno.errors.BadResource);
});

Deno.test("starting a sim platform twice is refused with InvalidStateError", async () => {
  const platform = new SimPlatform(scenario);
  await platform.start(() => {});
  await assert.rejects(platform.start(() => {}), { name: "InvalidStateError" });
  await platform.close();
});
