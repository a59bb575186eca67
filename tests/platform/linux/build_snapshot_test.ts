import assert from "node:assert/strict";
import { buildSnapshot } from "../../../platform/linux/build_snapshot.ts";
import { CAPTURED_AT, capturedHostState } from "../../testbed/captured_host.ts";
import { parseResolvConf } from "../../../platform/linux/parse_resolv_conf.ts";
import { snapshotProblem } from "../../../broker/snapshot_check.ts";
import type { PdInfo, Snapshot } from "../../../protocol/model.ts";

function pds(snapshot: Snapshot): Map<string, PdInfo> {
  return new Map(snapshot.interfaces.flatMap((i) => i.pds.map((p) => [p.pdId, p])));
}

function dns(pd: PdInfo | undefined): unknown[] {
  return (pd?.elements ?? []).map((e) => [e.element, e.data["dns-servers"]]);
}

Deno.test("the test bed host yields one PD per family and per netC router", () => {
  const snapshot = buildSnapshot(capturedHostState());
  assert.equal(snapshotProblem(snapshot), undefined);
  assert.deepEqual(snapshot.interfaces.map((i) => [i.interfaceId, i.interfaceType]), [
    ["lo", "loopback"],
    ["neta", "virtual"],
    ["netb", "virtual"],
    ["netc", "virtual"],
    ["nets", "virtual"],
  ]);
  assert.deepEqual(snapshot.interfaces.map((i) => i.pds.map((p) => p.pdId)), [
    ["lo/ipv4", "lo/ipv6"],
    ["neta/ipv4", "neta/ipv6/fe80::a"],
    ["netb/ipv4"],
    ["netc/ipv6/fe80::c1", "netc/ipv6/fe80::c2"],
    ["nets/ipv4", "nets/ipv6"],
  ]);
});

Deno.test("each PD carries its own elements and DNS servers", () => {
  const by = pds(buildSnapshot(capturedHostState()));
  assert.deepEqual(dns(by.get("neta/ipv4")), [["dhcpv4", ["198.51.100.1"]]]);
  assert.deepEqual(dns(by.get("neta/ipv6/fe80::a")), [
    ["ra", ["2001:db8:a::1"]],
    ["dhcpv6", ["2001:db8:a::1"]],
  ]);
  assert.deepEqual(dns(by.get("netb/ipv4")), [["dhcpv4", ["203.0.113.1"]]]);
  assert.deepEqual(dns(by.get("netc/ipv6/fe80::c1")), [["ra", ["2001:db8:c1::1"]]]);
  assert.deepEqual(dns(by.get("netc/ipv6/fe80::c2")), [["ra", ["2001:db8:c2::1"]]]);
  const staticV4 = by.get("nets/ipv4")!.elements[0];
  assert.equal(staticV4.element, "static");
  assert.deepEqual(staticV4.data["dns-servers"], ["198.18.1.1"]);
  assert.deepEqual(staticV4.data["search-domains"], ["s.mif.example"]);
  assert.equal(staticV4.source, "ip addr, resolv.conf");
  assert.deepEqual(dns(by.get("nets/ipv6")), [["static", undefined]]);
});

Deno.test("addresses go to the router that advertised their prefix, with lifetimes", () => {
  const by = pds(buildSnapshot(capturedHostState()));
  const c1 = by.get("netc/ipv6/fe80::c1")!.addresses;
  const c2 = by.get("netc/ipv6/fe80::c2")!.addresses;
  assert.deepEqual(c1.map((a) => a.address), ["2001:db8:c1:0:3cc3:d3ff:fe11:cbb"]);
  assert.deepEqual(c2.map((a) => a.address), ["2001:db8:c2:0:3cc3:d3ff:fe11:cbb"]);
  assert.equal(c1[0].validUntil, CAPTURED_AT + 597_000);
  const fixed = by.get("nets/ipv4")!.addresses[0];
  assert.deepEqual(fixed, {
    address: "198.18.1.2",
    prefixLength: 24,
    validUntil: null,
    preferredUntil: null,
  });
  assert.equal(by.get("neta/ipv4")!.elements[0].data["expires-at"], "2026-11-24T04:19:34.000Z");
});

Deno.test("without rdisc6 data no address is guessed into a PD, with one router or two: they are unattributed", () => {
  const snapshot = buildSnapshot(capturedHostState({ adverts: new Map() }));
  const by = pds(snapshot);
  assert.deepEqual(by.get("netc/ipv6/fe80::c1")!.addresses, []);
  assert.deepEqual(by.get("netc/ipv6/fe80::c2")!.addresses, []);
  const ra = by.get("netc/ipv6/fe80::c1")!.elements[0];
  assert.equal(ra.source, "ip -6 route");
  assert.equal(ra.data["router-preference"], "medium");
  assert.equal(ra.data["default-router"], true);
  // One router in the kernel's list proves nothing: a stub router (lifetime
  // 0) may have advertised the prefix, and the kernel does not say who did.
  const a = by.get("neta/ipv6/fe80::a")!;
  assert.deepEqual(a.addresses, []);
  assert.equal(a.elements[0].data.prefixes, undefined);
  assert.deepEqual(a.elements.map((e) => e.element), ["ra"], "nor is the DHCPv6 answer guessed");
  const orphans = (id: string) =>
    snapshot.interfaces.find((n) => n.interfaceId === id)!.unattributed?.map((x) => x.address);
  assert.deepEqual(orphans("neta"), ["2001:db8:a:0:6033:12ff:fe39:3535"]);
  assert.equal(orphans("netc")?.length, 2);
});

Deno.test("a link that is down has no PDs, and an expired lease is not reported", () => {
  const state = capturedHostState();
  const links = state.links.map((l) =>
    l.name === "netb" ? { ...l, operState: "down", flags: ["BROADCAST"] } : l
  );
  const down = buildSnapshot({ ...state, links });
  assert.equal(down.interfaces[2].operState, "down");
  assert.deepEqual(down.interfaces[2].pds, []);
  const later = buildSnapshot({ ...state, now: Date.UTC(2026, 10, 24, 5) });
  const elements = pds(later).get("neta/ipv4")!.elements.map((e) => e.element);
  assert.deepEqual(elements, ["static"], "the lease expired at 04:19:34");
});

Deno.test("a self-assigned 169.254/16 address is no PD's, and alone gives its link no IPv4 PD; a 169.254 /30 is a PD's", () => {
  // The captured host, with addresses the test adds to two of its links: netb
  // keeps its lease's address and gains a self-assigned one; neta's IPv4
  // addresses are replaced by a self-assigned one; nets gains a tunnel's /30.
  const state = capturedHostState();
  const index = (name: string) => state.links.find((l) => l.name === name)!.index;
  const added = (name: string, address: string, prefixLength: number) => ({
    ...state.addresses.find((a) => a.index === index(name) && a.family === "ipv4")!,
    address,
    prefixLength,
    validLifetime: null,
    preferredLifetime: null,
  });
  const addresses = [
    ...state.addresses.filter((a) => !(a.index === index("neta") && a.family === "ipv4")),
    added("netb", "169.254.176.43", 16),
    added("neta", "169.254.231.178", 16),
    added("nets", "169.254.10.2", 30),
  ];
  const snapshot = buildSnapshot({ ...state, addresses });
  assert.equal(snapshotProblem(snapshot), undefined);
  const nic = (id: string) => snapshot.interfaces.find((n) => n.interfaceId === id)!;
  assert.deepEqual(nic("netb").pds.map((p) => p.addresses.map((a) => a.address)), [
    ["203.0.113.132"],
  ]);
  assert.deepEqual(nic("netb").unattributed?.map((a) => a.address), ["169.254.176.43"]);
  assert.deepEqual(nic("neta").pds.map((p) => p.pdId), ["neta/ipv6/fe80::a"]);
  assert.deepEqual(nic("neta").unattributed?.map((a) => a.address), ["169.254.231.178"]);
  assert.deepEqual(
    pds(snapshot).get("nets/ipv4")!.addresses.map((a) => `${a.address}/${a.prefixLength}`),
    ["198.18.1.2/24", "169.254.10.2/30"],
  );
});

Deno.test("resolver servers that belong to no PD are noted with the reason", () => {
  const state = capturedHostState();
  const snapshot = buildSnapshot({
    ...state,
    sources: {
      ...state.sources,
      resolvers: [
        parseResolvConf("nameserver 127.0.0.53\nnameserver 203.0.113.99\n", "/etc/resolv.conf"),
        {
          interfaceName: "netb",
          dnsServers: ["2001:db8:b::53"],
          searchDomains: [],
          source: "resolvectl",
        },
      ],
    },
  });
  assert.deepEqual(snapshot.notes?.map((n) => n.reason), [
    "Cannot attribute DNS server 127.0.0.53: it is a local stub resolver, not a provisioning domain's server",
    "Cannot attribute DNS server 2001:db8:b::53: link netb has no ipv6 provisioning domain",
  ]);
  // 203.0.113.99 is on netb's subnet, and netb's DHCP did not deliver it.
  const netb = pds(snapshot).get("netb/ipv4")!;
  assert.deepEqual(netb.elements.map((e) => [e.element, e.data["dns-servers"]]), [
    ["dhcpv4", ["203.0.113.1"]],
    ["static", ["203.0.113.99"]],
  ]);
});
