/** parseDhcpcdDump (platform/linux/parse_dhcpcd.ts) on `dhcpcd -U` output. */

import assert from "node:assert/strict";
import { parseDhcpcdDump } from "../../../platform/linux/parse_dhcpcd.ts";
import { assertSyntaxError, testdata as fixture } from "../../fixtures/testdata.ts";

Deno.test("parseDhcpcdDump reads what dhcpcd 9.4.1 dumped for a real DHCPv4 lease and stateless DHCPv6", async () => {
  const v4 = "dhcpcd -U -4 cl0", v6 = "dhcpcd -U -6 cl0";
  assert.deepEqual(parseDhcpcdDump(await fixture("dhcpcd/dump4.txt"), "cl0", v4), {
    dhcp4: [{
      interfaceName: "cl0",
      address: "198.51.100.139",
      prefixLength: 24,
      routers: ["198.51.100.1"],
      dnsServers: ["198.51.100.1"],
      searchDomains: ["dhcpcd.mif.example"],
      serverIdentifier: "198.51.100.1",
      mtu: 1400,
      leaseTime: 120,
      renewalTime: 60,
      rebindingTime: 105,
      source: v4,
    }],
    dhcp6: [],
    resolvers: [],
  });
  assert.deepEqual(parseDhcpcdDump(await fixture("dhcpcd/dump6.txt"), "cl0", v6), {
    dhcp4: [],
    dhcp6: [{
      interfaceName: "cl0",
      stateless: true,
      addresses: [],
      prefixes: [],
      dnsServers: ["2001:db8:a::1"],
      searchDomains: ["a6.mif.example"],
      serverId: "0001000132a08992026d696600fe",
      infoRefreshTime: 600,
      source: v6,
    }],
    resolvers: [{
      interfaceName: "cl0",
      dnsServers: ["2001:db8:a::1"],
      searchDomains: ["a6.mif.example"],
      source: v6,
    }],
  });
});

Deno.test("parseDhcpcdDump reads quoted values, IA_NA and IA_PD (hand-written: no real run here leased them)", async () => {
  const source = "dhcpcd -U eth0";
  assert.deepEqual(parseDhcpcdDump(await fixture("dhcpcd_dump/handwritten.txt"), "eth0", source), {
    dhcp4: [{
      interfaceName: "eth0",
      address: "198.51.100.20",
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
    }],
    dhcp6: [{
      interfaceName: "eth0",
      stateless: false,
      addresses: [{ value: "2001:db8:1::1:20", preferredLifetime: 3600, validLifetime: 7200 }],
      prefixes: [{ value: "2001:db8:a00::/56", preferredLifetime: 3600, validLifetime: 7200 }],
      dnsServers: ["2001:db8:1::53", "fe80::1"],
      searchDomains: ["lan.example"],
      serverId: "000100012af1ee1e5860d87bacf0",
      renewTime: 1800,
      rebindTime: 2880,
      source,
    }],
    resolvers: [],
  });
});

Deno.test("parseDhcpcdDump reads bare values and router advertisement DNS options", () => {
  const text = Deno.readTextFileSync(
    new URL("../../testdata/dhcpcd_dump/bare_values_ra_dns.txt", import.meta.url),
  );
  assert.deepEqual(parseDhcpcdDump(text, "eth0", "dhcpcd"), {
    dhcp4: [{
      interfaceName: "eth0",
      address: "198.51.100.20",
      prefixLength: 24,
      routers: ["198.51.100.1"],
      dnsServers: [],
      searchDomains: [],
      source: "dhcpcd",
    }],
    dhcp6: [{
      interfaceName: "eth0",
      stateless: true,
      addresses: [],
      prefixes: [],
      dnsServers: ["2001:db8:1::53"],
      searchDomains: [],
      infoRefreshTime: 86400,
      source: "dhcpcd",
    }],
    resolvers: [
      {
        interfaceName: "eth0",
        dnsServers: ["2001:db8:1::53"],
        searchDomains: [],
        source: "dhcpcd",
      },
    ],
  });
});

Deno.test("parseDhcpcdDump refuses garbled values", () => {
  const cases: [string, string][] = [
    [
      "ip_address='198.51.100.20'\nrouters='198.51.100.1 bogus'",
      'routers "bogus" is not an IP address',
    ],
    [
      "ip_address='198.51.100.20'\ndhcp_lease_time='1d'",
      'dhcp_lease_time "1d" is not a number up to 4294967295',
    ],
    ["ip_address='198.51.100.20'\nsubnet_cidr='33'", 'subnet_cidr "33" is not a number up to 32'],
    ["dhcp6_ia_pd1_prefix1='2001:db8:a00::'", "dhcp6_ia_pd1_prefix1 is incomplete"],
    ["eth0: leased 198.51.100.20 for 86400 seconds", "line 1 is not name=value"],
  ];
  for (const [text, problem] of cases) {
    assertSyntaxError(
      () => parseDhcpcdDump(text, "eth0", "dhcpcd"),
      `Cannot parse dhcpcd dump dhcpcd: ${problem}`,
    );
  }
});
