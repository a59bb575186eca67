import assert from "node:assert/strict";
import { advisories, expiring, nextDeadline } from "../../platform/advisories.ts";
import type { InterfaceInfo, PdInfo, Snapshot } from "../../protocol/model.ts";

const T = Date.UTC(2026, 10, 30, 18);

function v4(rebindAt: number): PdInfo {
  return {
    pdId: "eth0/ipv4",
    family: "ipv4",
    addresses: [{
      address: "198.51.100.7",
      prefixLength: 24,
      validUntil: T + 600_000,
      preferredUntil: T + 600_000,
    }],
    elements: [{ element: "dhcpv4", data: { "rebind-at": new Date(rebindAt).toISOString() } }],
  };
}

function v6(routerLifetime: number, preferredUntil: number): PdInfo {
  return {
    pdId: "eth0/ipv6/fe80::1",
    family: "ipv6",
    addresses: [{
      address: "2001:db8:1::7",
      prefixLength: 64,
      validUntil: T + 600_000,
      preferredUntil,
    }],
    elements: [{ element: "ra", data: { "router-lifetime": routerLifetime } }],
  };
}

function snap(pds: PdInfo[], operState: InterfaceInfo["operState"] = "up"): Snapshot {
  return {
    interfaces: [{
      interfaceId: "eth0",
      displayName: "eth0",
      interfaceType: "wired",
      operState,
      pds,
    }],
  };
}

Deno.test("going-up: once when a link comes up without a PD, not again while it stays so, not at start", () => {
  assert.deepEqual(advisories(undefined, T, snap([]), T), []);
  const up = advisories(snap([], "down"), T, snap([]), T);
  assert.deepEqual(up, [{ type: "interface-going-up", interfaceId: "eth0" }]);
  assert.deepEqual(advisories(snap([]), T, snap([]), T + 1000), []);
  assert.deepEqual(advisories(snap([]), T, snap([v4(T + 300_000)]), T + 1000), []);
});

Deno.test("going-away: once every PD is expiring (a lease past rebinding, all addresses deprecated)", () => {
  const live = snap([v4(T + 300_000), v6(600, T + 600_000)]);
  assert.deepEqual(advisories(live, T, live, T + 1000), []);
  // The IPv4 lease passes its rebinding time: one PD of two is expiring.
  const half = snap([v4(T + 1000), v6(600, T + 600_000)]);
  assert.deepEqual(advisories(live, T, half, T + 2000), []);
  // The IPv6 router leaves: lifetime 0, its address deprecated.
  const gone = snap([v4(T + 1000), v6(0, T + 2000)]);
  assert.deepEqual(advisories(half, T + 2000, gone, T + 3000), [
    { type: "interface-going-away", interfaceId: "eth0" },
  ]);
  assert.deepEqual(advisories(gone, T + 3000, gone, T + 4000), [], "only once");
});

Deno.test("a stub router's PD (lifetime 0, preferred addresses) and a static PD are not expiring", () => {
  assert.equal(expiring(v6(0, T + 600_000), T), false);
  const fixed: PdInfo = {
    pdId: "eth0/ipv4",
    family: "ipv4",
    addresses: [{
      address: "198.18.1.2",
      prefixLength: 24,
      validUntil: null,
      preferredUntil: null,
    }],
    elements: [{ element: "static", data: {} }],
  };
  assert.equal(expiring(fixed, T), false);
});

Deno.test("the next deadline is the earliest rebinding or deprecation still ahead", () => {
  assert.equal(nextDeadline(snap([v4(T + 5000), v6(600, T + 3000)]), T), T + 3000);
  assert.equal(nextDeadline(snap([v4(T - 5000)]), T), T + 600_000);
  assert.equal(nextDeadline(snap([]), T), undefined);
});

Deno.test("no going-away while a preferred address awaits attribution (a renumbering's new prefix)", () => {
  const renumbering: Snapshot = {
    interfaces: [{
      ...snap([v6(600, T)]).interfaces[0],
      unattributed: [{
        address: "2001:db8:2::7",
        prefixLength: 64,
        validUntil: T + 600_000,
        preferredUntil: T + 600_000,
      }],
    }],
  };
  const before = snap([v6(600, T + 600_000)]);
  assert.deepEqual(advisories(before, T - 1000, renumbering, T + 1000), []);
});
