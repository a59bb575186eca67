import assert from "node:assert/strict";
import { BrokerState } from "../../broker/state.ts";
import { snapshotProblem } from "../../broker/snapshot_check.ts";
import type { InterfaceInfo, Snapshot } from "../../protocol/model.ts";
import { twoLinks } from "../fixtures/helpers.ts";

function kinds(changes: ReturnType<BrokerState["accept"]>): string[] | undefined {
  return changes?.map((c) => `${c.kind} ${"nic" in c ? c.nic.interfaceId : c.pd.pdId}`);
}

Deno.test("a snapshot that repeats the accepted one changes nothing, however often", () => {
  const state = new BrokerState();
  state.accept(twoLinks());
  for (let i = 0; i < 3; i++) assert.deepEqual(state.accept(twoLinks()), []);
  assert.deepEqual(state.interfaces, twoLinks().interfaces);
});

Deno.test("one changed interface among repeated ones is diffed; the others stay as they were", () => {
  const state = new BrokerState();
  state.accept(twoLinks());
  const next = twoLinks();
  const wlan = next.interfaces[1];
  const changed = {
    ...next,
    interfaces: [next.interfaces[0], { ...wlan, displayName: "Wi-Fi 2" }],
  };
  assert.deepEqual(kinds(state.accept(changed)), ["interface-changed wlan0"]);
  assert.equal(state.interface("wlan0")?.displayName, "Wi-Fi 2");
  assert.deepEqual(state.interface("eth0"), twoLinks().interfaces[0]);
});

Deno.test("the platform changing its snapshot after it was accepted changes nothing", () => {
  const state = new BrokerState();
  state.accept(twoLinks());
  const given = twoLinks();
  state.accept(given);
  (given.interfaces[0] as { displayName: string }).displayName = "changed";
  (given.interfaces[0].pds[0].addresses as unknown[]).length = 0;
  assert.deepEqual(state.interfaces, twoLinks().interfaces);
});

Deno.test("a repeated interface still counts for duplicate interface and PD ids", () => {
  const state = new BrokerState();
  state.accept(twoLinks());
  const [eth0, wlan0] = twoLinks().interfaces;
  const copy = {
    ...wlan0,
    interfaceId: "wlan1",
    pds: [{ ...wlan0.pds[0], pdId: "wlan1/ipv4" }, eth0.pds[0]],
  };
  assert.equal(state.accept({ interfaces: [eth0, wlan0, copy] }), undefined);
  assert.equal(
    state.notes.at(-1)?.reason,
    'Cannot accept snapshot: interfaces[2].pds[1].pdId: duplicate "eth0/ipv4"',
  );
  assert.equal(state.accept({ interfaces: [eth0, wlan0, wlan0] }), undefined);
  assert.equal(
    state.notes.at(-1)?.reason,
    'Cannot accept snapshot: interfaces[2].interfaceId: duplicate "wlan0"',
  );
});

Deno.test("checked interfaces skip content checks but not the PD id checks", () => {
  const snapshot = twoLinks();
  const broken = { ...snapshot.interfaces[0], displayName: "" } as InterfaceInfo;
  const trusted = new Set([broken]);
  assert.match(snapshotProblem({ interfaces: [broken] }) ?? "", /^interfaces\[0\]/);
  assert.equal(snapshotProblem({ interfaces: [broken] }, trusted), undefined);
  const twice = { interfaces: [broken, { ...broken, interfaceId: "other" }] };
  assert.equal(
    snapshotProblem(twice, new Set(twice.interfaces)),
    'interfaces[1].pds[0].pdId: duplicate "eth0/ipv4"',
  );
});

Deno.test("an interface that is no plain data is copied and checked anew", () => {
  const state = new BrokerState();
  state.accept(twoLinks());
  const [eth0, wlan0] = twoLinks().interfaces;
  const odd: Snapshot = { interfaces: [eth0, { ...wlan0, when: new Date(0) } as InterfaceInfo] };
  assert.deepEqual(kinds(state.accept(odd)), []);
  assert.deepEqual((state.interface("wlan0") as { when?: Date }).when, new Date(0));
  const broken = {
    interfaces: [eth0, { ...wlan0, operState: "sideways" } as unknown as InterfaceInfo],
  };
  assert.equal(state.accept(broken), undefined);
  assert.match(state.notes.at(-1)?.reason ?? "", /interfaces\[1\]\.operState/);
});
