import assert from "node:assert/strict";
import { buildSnapshot } from "../../../platform/linux/build_snapshot.ts";
import type { HostState } from "../../../platform/linux/host_state.ts";
import { CAPTURED_AT, capturedHostState } from "../../testbed/captured_host.ts";
import type { RouteRecord } from "../../../platform/linux/parse_routes.ts";
import { rebuildSnapshot, volatileLinks } from "../../../platform/linux/rebuild_snapshot.ts";

/** The state a later read gives: the same links, types and sources, `links` re-read. */
function later(
  before: HostState,
  links: readonly string[],
  change: (s: HostState) => Pick<HostState, "addresses" | "routes">,
): { state: HostState; reread: Set<string> } {
  const state = { ...before, now: before.now + 4321, ...change(before) };
  return { state, reread: new Set([...links, ...volatileLinks(before)]) };
}

const route = (over: Partial<RouteRecord>): RouteRecord => ({
  family: "ipv4",
  destination: "0.0.0.0/0",
  protocol: "static",
  table: "main",
  type: "unicast",
  expires: null,
  ...over,
});

Deno.test("only the volatile links of the test bed (leases, RAs, lifetimes) must be read again", () => {
  assert.deepEqual([...volatileLinks(capturedHostState())].sort(), ["neta", "netb", "netc"]);
});

Deno.test("an address added on a static link rebuilds as a full build does, reusing the others", () => {
  const before = capturedHostState();
  const built = { state: before, snapshot: buildSnapshot(before) };
  const nets = before.addresses.find((a) => a.interfaceName === "nets" && a.family === "ipv6")!;
  const { state, reread } = later(before, ["nets"], (s) => ({
    addresses: [...s.addresses, { ...nets, address: "2001:db8:5::99" }],
    routes: s.routes,
  }));
  const snapshot = rebuildSnapshot(state, built, reread);
  assert.ok(snapshot);
  assert.deepEqual(snapshot, buildSnapshot(state));
  const lo = (s: typeof snapshot) => s.interfaces.find((i) => i.interfaceId === "lo");
  assert.equal(lo(snapshot), lo(built.snapshot), "an untouched static link is the same object");
  const pd = snapshot.interfaces.find((i) => i.interfaceId === "nets")!.pds
    .find((p) => p.pdId === "nets/ipv6")!;
  assert.ok(pd.addresses.some((a) => a.address === "2001:db8:5::99"));
});

Deno.test("an address and its routes deleted on the resolver's link rebuild as a full build does", () => {
  const before = capturedHostState();
  const built = { state: before, snapshot: buildSnapshot(before) };
  const { state, reread } = later(before, ["nets"], (s) => ({
    addresses: s.addresses.filter((a) => !(a.interfaceName === "nets" && a.family === "ipv4")),
    routes: s.routes.filter((r) => !(r.device === "nets" && r.family === "ipv4")),
  }));
  const snapshot = rebuildSnapshot(state, built, reread);
  assert.ok(snapshot);
  assert.deepEqual(snapshot, buildSnapshot(state));
  const nets = snapshot.interfaces.find((i) => i.interfaceId === "nets")!;
  assert.ok(!nets.pds.some((p) => p.family === "ipv4"), "nets has no IPv4 PD left");
});

Deno.test("a route that moves the resolver's server to lo rebuilds both links as a full build does", () => {
  const before = capturedHostState();
  const built = { state: before, snapshot: buildSnapshot(before) };
  const { state, reread } = later(before, ["lo"], (s) => ({
    addresses: s.addresses,
    routes: [...s.routes, route({ destination: "198.18.1.1/32", device: "lo" })],
  }));
  const snapshot = rebuildSnapshot(state, built, reread);
  assert.ok(snapshot);
  assert.deepEqual(snapshot, buildSnapshot(state));
  // And back: the old target (lo) is rebuilt too.
  const back = { ...state, now: state.now + 1000, routes: before.routes };
  const again = rebuildSnapshot(back, { state, snapshot }, reread);
  assert.ok(again);
  assert.deepEqual(again, buildSnapshot(back));
});

Deno.test("no rebuild when it cannot be shown equal to a full build", () => {
  const before = capturedHostState();
  const built = { state: before, snapshot: buildSnapshot(before) };
  const same = (s: HostState) => ({ addresses: s.addresses, routes: s.routes });
  // A volatile link (a lease, an RA, lifetimes) was not read again: its times moved.
  assert.equal(
    rebuildSnapshot({ ...before, now: CAPTURED_AT + 1 }, built, new Set(["nets"])),
    undefined,
  );
  // Other sources, links or types.
  const { state, reread } = later(before, ["nets"], same);
  const sources = { ...state.sources };
  assert.equal(rebuildSnapshot({ ...state, sources }, built, reread), undefined);
  assert.equal(rebuildSnapshot({ ...state, links: [...state.links] }, built, reread), undefined);
  // Two equal routes to the resolver through different links: the kernel's order decides.
  const tie = [
    route({ destination: "198.18.1.0/24", device: "lo", metric: 0 }),
    ...state.routes,
  ];
  const tied = later(before, ["lo"], (s) => ({ addresses: s.addresses, routes: tie }));
  assert.equal(rebuildSnapshot(tied.state, built, tied.reread), undefined);
});
