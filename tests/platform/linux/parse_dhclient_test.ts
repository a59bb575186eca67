/** parseDhclientLeases (platform/linux/parse_dhclient.ts) on dhclient's lease files. */

import assert from "node:assert/strict";
import { parseDhclientLeases } from "../../../platform/linux/parse_dhclient.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/testbed/${name}`, import.meta.url));

Deno.test("parseDhclientLeases reads a real lease with UTC times", () => {
  const { dhcp4, dhcp6 } = parseDhclientLeases(data("dhclient_neta4.leases"), "neta4.leases");
  assert.equal(dhcp6.length, 0);
  assert.deepEqual(dhcp4, [{
    interfaceName: "neta",
    address: "198.51.100.123",
    prefixLength: 24,
    routers: ["198.51.100.1"],
    dnsServers: ["198.51.100.1"],
    searchDomains: ["a.mif.example"],
    serverIdentifier: "198.51.100.1",
    mtu: 1400,
    leaseTime: 600,
    renewalTime: 300,
    rebindingTime: 525,
    renewAt: Date.UTC(2026, 10, 24, 4, 13, 27),
    rebindAt: Date.UTC(2026, 10, 24, 4, 18, 19),
    expiresAt: Date.UTC(2026, 10, 24, 4, 19, 34),
    source: "neta4.leases",
  }]);
});

Deno.test("parseDhclientLeases reads a stateful lease6", () => {
  const text = Deno.readTextFileSync(
    new URL("../../testdata/dhclient/lease6_stateful.txt", import.meta.url),
  );
  const [lease] = parseDhclientLeases(text, "d6.leases").dhcp6;
  assert.equal(lease.stateless, false);
  assert.deepEqual(lease.addresses, [{
    value: "2001:db8:a::1eb",
    preferredLifetime: 600,
    validLifetime: 600,
  }]);
  assert.deepEqual(lease.dnsServers, ["2001:db8:a::1", "2001:db8:a::2"]);
  assert.equal(lease.startedAt, 1795492782000);
  assert.equal(lease.renewTime, 300);
});

Deno.test("parseDhclientLeases refuses a garbled file with its name", () => {
  assert.throws(
    () => parseDhclientLeases("lease { interface", "x.leases"),
    /x\.leases: missing ";"/,
  );
  assert.throws(
    () => parseDhclientLeases('lease { interface "a"; fixed-address 1.2.3; }', "x.leases"),
    /"1\.2\.3" is not an IP address/,
  );
  assert.throws(
    () => parseDhclientLeases('lease { interface "a"; renew 2 yesterday; }', "x.leases"),
    /not a lease time/,
  );
});
