/**
 * IPv6 PDs from captures of real links (tests/testdata/testbed_ipv6, see its
 * README): a default router and a stub router on one link, a renumbering,
 * temporary addresses, stateful DHCPv6.
 */

import assert from "node:assert/strict";
import { buildSnapshot } from "../../../platform/linux/build_snapshot.ts";
import type { HostState } from "../../../platform/linux/host_state.ts";
import { interfaceTypeOf } from "../../../platform/linux/interface_type.ts";
import { raLinkKeys } from "../../../platform/linux/ipv6_pds.ts";
import { parseAddresses } from "../../../platform/linux/parse_addresses.ts";
import { parseLinks } from "../../../platform/linux/parse_links.ts";
import { parseRdisc6 } from "../../../platform/linux/parse_rdisc6.ts";
import { parseRoutes } from "../../../platform/linux/parse_routes.ts";
import { snapshotProblem } from "../../../broker/snapshot_check.ts";
import { selectSources } from "../../../ip/addrselect.ts";
import type { InterfaceInfo, Snapshot } from "../../../protocol/model.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/testbed_ipv6/${name}`, import.meta.url));
const NOW = Date.UTC(2026, 10, 30, 17, 29);

function captured(overrides: Partial<HostState> = {}): HostState {
  const links = parseLinks(data("ip_link.json"));
  return {
    now: NOW,
    links,
    addresses: parseAddresses(data("ip_addr.json")),
    routes: parseRoutes(data("ip_route6.json"), "ipv6"),
    types: new Map(links.map((l) => [l.name, interfaceTypeOf(l, { wireless: false })])),
    adverts: new Map([
      ["stub0", parseRdisc6(data("rdisc6_stub0.txt")).map((a) => ({ ...a, receivedAt: NOW }))],
      ["renum0", parseRdisc6(data("rdisc6_renum0.txt")).map((a) => ({ ...a, receivedAt: NOW }))],
    ]),
    sources: { dhcp4: [], dhcp6: [], resolvers: [] },
    notes: [],
    ...overrides,
  };
}

function nic(snapshot: Snapshot, name: string): InterfaceInfo {
  return snapshot.interfaces.find((n) => n.interfaceId === name)!;
}

Deno.test("a stub router (router lifetime 0) is a PD of its own: its address, RDNSS and search domain, no default router", () => {
  const snapshot = buildSnapshot(captured());
  assert.equal(snapshotProblem(snapshot), undefined);
  const stub0 = nic(snapshot, "stub0");
  assert.deepEqual(stub0.pds.map((p) => [p.pdId, p.addresses.map((a) => a.address)]), [
    ["stub0/ipv6/fe80::d1", ["2001:db8:d1:0:b0eb:35ff:fe53:5801"]],
    ["stub0/ipv6/fe80::d2", ["2001:db8:d2:0:b0eb:35ff:fe53:5801"]],
  ]);
  const [d1, d2] = stub0.pds.map((p) => p.elements[0].data);
  assert.equal(d1["default-router"], true);
  assert.equal(d2["default-router"], false);
  assert.equal(d2["router-lifetime"], 0);
  assert.deepEqual(d2["dns-servers"], ["2001:db8:d2::1"]);
  assert.deepEqual(d2["search-domains"], ["d2.mif.example"]);
  assert.equal(stub0.unattributed, undefined);
});

Deno.test("before the RA data is read, no SLAAC address is put in a PD: the default router's PD holds none of the stub's", () => {
  const stub0 = nic(buildSnapshot(captured({ adverts: new Map() })), "stub0");
  assert.deepEqual(stub0.pds.map((p) => [p.pdId, p.addresses.length]), [
    ["stub0/ipv6/fe80::d1", 0],
  ]);
  assert.deepEqual(stub0.unattributed?.map((a) => a.address), [
    "2001:db8:d1:0:b0eb:35ff:fe53:5801",
    "2001:db8:d2:0:b0eb:35ff:fe53:5801",
  ]);
});

Deno.test("the RA parts of a link name its routers and prefixes, so a stub router's prefix asks rdisc6 again", () => {
  const keys = raLinkKeys(captured());
  assert.deepEqual(keys.get("stub0"), [
    "default fe80::d1",
    "prefix 2001:db8:d1::/64",
    "prefix 2001:db8:d2::/64",
  ]);
  const withoutStub = raLinkKeys({
    ...captured(),
    routes: captured().routes.filter((r) => r.destination !== "2001:db8:d2::/64"),
    addresses: captured().addresses.filter((a) => !a.address.startsWith("2001:db8:d2:")),
  });
  assert.deepEqual(withoutStub.get("stub0"), ["default fe80::d1", "prefix 2001:db8:d1::/64"]);
});

Deno.test("renumbering: the old prefix's address is in its PD, deprecated (preferred 0), and never a source", () => {
  const state = captured({ addresses: parseAddresses(data("renum0_ip_addr.json")) });
  const [pd] = nic(buildSnapshot(state), "renum0").pds;
  const byAddress = new Map(pd.addresses.map((a) => [a.address, a]));
  const old = byAddress.get("2001:db8:e1:0:e400:f4ff:fedf:f58b")!;
  assert.equal(old.preferredUntil, NOW);
  assert.equal(old.validUntil, null);
  assert.deepEqual(selectSources("2001:db8:e1::80", pd.addresses, NOW + 1), [
    "2001:db8:e2:0:e400:f4ff:fedf:f58b",
  ]);
});

Deno.test("a temporary address is reported as one and is the preferred source on its prefix (RFC 6724 rule 7)", () => {
  const addresses = parseAddresses(data("ip_addr.json")).filter((a) => a.interfaceName === "tmp0");
  const snapshot = buildSnapshot(captured());
  const orphans = nic(snapshot, "tmp0").unattributed!;
  assert.deepEqual(orphans.map((a) => [a.address, a.temporary ?? false]), [
    ["2001:db8:70:0:d0c3:e187:8b6d:5044", true],
    ["2001:db8:70:0:c052:7bff:fe4c:cf26", false],
  ]);
  assert.equal(addresses.length, 3);
  assert.deepEqual(selectSources("2001:db8:70::80", orphans, NOW), [
    "2001:db8:70:0:d0c3:e187:8b6d:5044",
    "2001:db8:70:0:c052:7bff:fe4c:cf26",
  ]);
});
