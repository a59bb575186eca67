import assert from "node:assert/strict";
import { diffSnapshots } from "../../broker/diff.ts";
import { address, element, nic, pd, twoLinks } from "../fixtures/helpers.ts";
import type { Change } from "../../broker/diff.ts";

function kinds(changes: Change[]): string[] {
  return changes.map((c) => {
    const id = "nic" in c ? c.nic.interfaceId : c.pd.pdId;
    const what = "address" in c
      ? ` ${typeof c.address === "string" ? c.address : c.address.address}`
      : "element" in c
      ? ` ${c.element.element}`
      : "";
    return `${c.kind} ${id}${what}`;
  });
}

Deno.test("diff of identical snapshots is empty", () => {
  assert.deepEqual(diffSnapshots(twoLinks(), twoLinks()), []);
});

Deno.test("diff adds parents before children and removes children before parents", () => {
  const up = diffSnapshots({ interfaces: [] }, twoLinks());
  assert.deepEqual(kinds(up), [
    "interface-added eth0",
    "pd-added eth0/ipv4",
    "element-added eth0/ipv4 dhcpv4",
    "address-added eth0/ipv4 127.0.0.2",
    "pd-added eth0/ipv6",
    "element-added eth0/ipv6 ra",
    "element-added eth0/ipv6 dhcpv6",
    "address-added eth0/ipv6 ::1",
    "interface-added wlan0",
    "pd-added wlan0/ipv4",
    "element-added wlan0/ipv4 dhcpv4",
    "address-added wlan0/ipv4 127.0.0.3",
  ]);
  const down = diffSnapshots(twoLinks(), { interfaces: [] });
  assert.deepEqual(kinds(down).slice(0, 4), [
    "address-removed eth0/ipv4 127.0.0.2",
    "element-removed eth0/ipv4 dhcpv4",
    "pd-removed eth0/ipv4",
    "address-removed eth0/ipv6 ::1",
  ]);
  assert.deepEqual(kinds(down).at(-1), "interface-removed wlan0");
});

Deno.test("diff reports a PD that moves to another interface as removed then added", () => {
  const before = { interfaces: [nic("a", [pd("p/ipv4", [address("127.0.0.2")])]), nic("b")] };
  const after = { interfaces: [nic("a"), nic("b", [pd("p/ipv4", [address("127.0.0.2")])])] };
  assert.deepEqual(kinds(diffSnapshots(before, after)), [
    "address-removed p/ipv4 127.0.0.2",
    "pd-removed p/ipv4",
    "pd-added p/ipv4",
    "address-added p/ipv4 127.0.0.2",
  ]);
});

Deno.test("diff within a PD: losses first, then pd-changed, then gains", () => {
  const before = {
    interfaces: [nic("a", [pd("p/ipv4", [address("127.0.0.2")], [element("dhcpv4", { mtu: 1 })])])],
  };
  const after = {
    interfaces: [nic("a", [pd("p/ipv4", [address("127.0.0.3")], [element("dhcpv4", { mtu: 2 })])])],
  };
  assert.deepEqual(kinds(diffSnapshots(before, after)), [
    "address-removed p/ipv4 127.0.0.2",
    "pd-changed p/ipv4",
    "element-changed p/ipv4 dhcpv4",
    "address-added p/ipv4 127.0.0.3",
  ]);
  const renamed = { interfaces: [nic("a", before.interfaces[0].pds, { displayName: "Uplink" })] };
  assert.deepEqual(kinds(diffSnapshots(before, renamed)), ["interface-changed a"]);
});

Deno.test("news only: an address is changed when its expiry moves (a refresh), not when the same expiry is read again with jitter", () => {
  const at = (validUntil: number) => ({
    interfaces: [
      nic("eth0", [pd("eth0/ipv6", [address("2001:db8::7", 64, validUntil, validUntil)])]),
    ],
  });
  const t = 1_000_000;
  assert.deepEqual(
    diffSnapshots(at(t), at(t + 900), t - 60_000),
    [],
    "a re-read rounds differently",
  );
  assert.deepEqual(diffSnapshots(at(t), at(t - 1500), t - 60_000), []);
  const refreshed = diffSnapshots(at(t), at(t + 10_000), t - 60_000).map((c) => c.kind);
  assert.deepEqual(refreshed, ["pd-changed", "address-changed"]);
});

Deno.test("news only: a deprecated address read again (0 s preferred left, stamped with the read's time) is no change", () => {
  const t = 1_000_000;
  const at = (preferredUntil: number) => ({
    interfaces: [
      nic("eth0", [pd("eth0/ipv6", [address("2001:db8::7", 64, null, preferredUntil)])]),
    ],
  });
  assert.deepEqual(diffSnapshots(at(t), at(t + 4700), t + 4700), []);
});
