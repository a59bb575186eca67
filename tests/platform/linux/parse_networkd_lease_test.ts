/** parseNetworkdLease (platform/linux/parse_networkd_lease.ts) on systemd-networkd's lease files. */

import assert from "node:assert/strict";
import { parseNetworkdLease } from "../../../platform/linux/parse_networkd_lease.ts";
import { assertSyntaxError, testdata as fixture } from "../../fixtures/testdata.ts";

Deno.test("parseNetworkdLease reads what systemd-networkd 252 wrote for a real DHCPv4 lease", async () => {
  const source = "/run/systemd/netif/leases/2";
  const text = await fixture("networkd/stateful/lease-initial");
  assert.deepEqual(parseNetworkdLease(text, "nd0", source), {
    interfaceName: "nd0",
    address: "198.51.100.135",
    prefixLength: 24,
    routers: ["198.51.100.1"],
    dnsServers: ["198.51.100.1"],
    searchDomains: ["nd.mif.example"],
    serverIdentifier: "198.51.100.1",
    mtu: 1400,
    leaseTime: 120,
    renewalTime: 60,
    rebindingTime: 105,
    source,
  });
});

Deno.test("parseNetworkdLease reads systemd timespans (hand-written: 252 writes seconds)", async () => {
  const source = "/run/systemd/netif/leases/2";
  assert.deepEqual(
    parseNetworkdLease(await fixture("networkd_lease/handwritten.txt"), "enp0s31f6", source),
    {
      interfaceName: "enp0s31f6",
      address: "198.51.100.23",
      prefixLength: 24,
      routers: ["198.51.100.1"],
      dnsServers: ["198.51.100.53", "203.0.113.53"],
      searchDomains: ["lan.example", "corp.example"],
      domainName: "lan.example",
      serverIdentifier: "198.51.100.1",
      mtu: 1500,
      leaseTime: 86400,
      renewalTime: 43200,
      rebindingTime: 75600,
      source,
    },
  );
});

Deno.test("parseNetworkdLease reads older files with seconds and empty lists", () => {
  const text = Deno.readTextFileSync(
    new URL("../../testdata/networkd_lease/seconds_empty_lists.txt", import.meta.url),
  );
  assert.deepEqual(parseNetworkdLease(text, "eth0", "lease"), {
    interfaceName: "eth0",
    address: "203.0.113.7",
    prefixLength: 25,
    routers: [],
    dnsServers: [],
    searchDomains: ["corp.example"],
    domainName: "corp.example",
    leaseTime: 0xffffffff,
    renewalTime: 1800,
    rebindingTime: 3150,
    source: "lease",
  });
  assert.equal(parseNetworkdLease("T1=52min 30s\n", "eth0", "lease").renewalTime, 3150);
});

Deno.test("parseNetworkdLease refuses garbled values", () => {
  const source = "/run/systemd/netif/leases/2";
  const cases: [string, string][] = [
    ["DNS=198.51.100.53 x.y", 'DNS "x.y" is not an IP address'],
    ["NETMASK=255.0.255.0", 'NETMASK "255.0.255.0" is not a netmask'],
    ["LIFETIME=forever", 'LIFETIME "forever" is not a duration'],
    ["MTU=1500.5", 'MTU "1500.5" is not an MTU'],
    ["ADDRESS", "line 1 is not KEY=VALUE"],
  ];
  for (const [text, problem] of cases) {
    assertSyntaxError(
      () => parseNetworkdLease(text, "eth0", source),
      `Cannot parse networkd lease ${source}: ${problem}`,
    );
  }
});
