/** parseNmcliDeviceShow (platform/linux/parse_nmcli.ts) on `nmcli -t device show` output. */

import assert from "node:assert/strict";
import { parseNmcliDeviceShow } from "../../../platform/linux/parse_nmcli.ts";
import { assertSyntaxError, testdata as fixture } from "../../fixtures/testdata.ts";

Deno.test("parseNmcliDeviceShow reads what NetworkManager 1.42 printed for a real DHCPv4 + SLAAC + stateless DHCPv6 link", async () => {
  const source = "nmcli device show";
  const text = await fixture("networkmanager/nmcli_device_show.txt");
  assert.deepEqual(parseNmcliDeviceShow(text, source), {
    dhcp4: [{
      interfaceName: "nm0",
      address: "198.51.100.139",
      prefixLength: 24,
      routers: ["198.51.100.1"],
      dnsServers: ["198.51.100.1"],
      searchDomains: ["nm.mif.example"],
      serverIdentifier: "198.51.100.1",
      mtu: 1400,
      leaseTime: 120,
      expiresAt: 1796064078000,
      source,
    }],
    dhcp6: [{
      interfaceName: "nm0",
      stateless: true,
      addresses: [],
      prefixes: [],
      dnsServers: ["2001:db8:a::1"],
      searchDomains: ["a6.mif.example"],
      source,
    }],
    resolvers: [{
      interfaceName: "nm0",
      dnsServers: ["198.51.100.1", "2001:db8:a::1"],
      searchDomains: ["nm.mif.example", "a6.mif.example"],
      source,
    }],
    links: [],
  });
});

Deno.test("parseNmcliDeviceShow reads the metered state NetworkManager prints, guessed or not", async () => {
  const [, line] = (await fixture("networkmanager/nmcli_metered.txt")).split("\n");
  const metered = (value: string) =>
    parseNmcliDeviceShow(`GENERAL.DEVICE:nm0\nGENERAL.METERED:${value}\n`, "nmcli").links;
  assert.equal(line, "GENERAL.METERED:yes");
  assert.deepEqual(metered("yes"), [{ interfaceName: "nm0", metered: true, source: "nmcli" }]);
  assert.deepEqual(metered("yes (guessed)")?.[0].metered, true);
  assert.deepEqual(metered("no (guessed)")?.[0].metered, false);
  assert.deepEqual(metered("unknown"), [{ interfaceName: "nm0", source: "nmcli" }]);
  assert.throws(() => metered("perhaps"), SyntaxError);
});

Deno.test("parseNmcliDeviceShow reads two devices and stateful DHCPv6 (hand-written: no real run here had them)", async () => {
  const source = "nmcli device show";
  assert.deepEqual(
    parseNmcliDeviceShow(await fixture("networkmanager/nmcli_device_show_handwritten.txt"), source),
    {
      dhcp4: [
        {
          interfaceName: "wlp2s0",
          address: "198.51.100.23",
          prefixLength: 24,
          routers: ["198.51.100.1"],
          dnsServers: ["198.51.100.53", "203.0.113.53"],
          searchDomains: ["lan.example", "corp.example"],
          domainName: "lan.example",
          serverIdentifier: "198.51.100.1",
          leaseTime: 86400,
          expiresAt: 1764028800000,
          source,
        },
        {
          interfaceName: "enp0s31f6",
          address: "203.0.113.40",
          prefixLength: 24,
          routers: ["203.0.113.1"],
          dnsServers: ["203.0.113.53"],
          searchDomains: ["corp.example"],
          domainName: "corp.example",
          serverIdentifier: "203.0.113.2",
          mtu: 9000,
          leaseTime: 7200,
          renewalTime: 3600,
          rebindingTime: 6300,
          expiresAt: 1764008400000,
          source,
        },
      ],
      dhcp6: [
        {
          interfaceName: "wlp2s0",
          stateless: true,
          addresses: [],
          prefixes: [],
          dnsServers: ["2001:db8:1::1"],
          searchDomains: ["lan.example"],
          source,
        },
        {
          interfaceName: "enp0s31f6",
          stateless: false,
          addresses: [{ value: "2001:db8:2::1:a5" }],
          prefixes: [],
          dnsServers: ["2001:db8:2::53", "2001:db8:2::54"],
          searchDomains: ["corp.example"],
          source,
        },
      ],
      resolvers: [
        {
          interfaceName: "wlp2s0",
          dnsServers: ["198.51.100.53", "203.0.113.53", "2001:db8:1::1"],
          searchDomains: ["lan.example"],
          source,
        },
        {
          interfaceName: "enp0s31f6",
          dnsServers: ["203.0.113.53", "2001:db8:2::53", "2001:db8:2::54"],
          searchDomains: ["corp.example"],
          source,
        },
      ],
      links: [],
    },
  );
});

Deno.test("parseNmcliDeviceShow accepts backslash-escaped colons", () => {
  const text = "GENERAL.DEVICE:eth0\nIP6.DNS[1]:2001\\:db8\\:\\:53\nIP6.DOMAIN[1]:corp.example.\n";
  assert.deepEqual(parseNmcliDeviceShow(text, "nmcli").resolvers, [
    {
      interfaceName: "eth0",
      dnsServers: ["2001:db8::53"],
      searchDomains: ["corp.example"],
      source: "nmcli",
    },
  ]);
});

Deno.test("parseNmcliDeviceShow refuses garbled output", () => {
  const cases: [string, string][] = [
    [
      "GENERAL.DEVICE:eth0\nIP4.DNS[1]:198.51.100.5x\n",
      'IP4.DNS "198.51.100.5x" is not an IP address',
    ],
    ["IP4.DNS[1]:198.51.100.53\n", "line 1 comes before any GENERAL.DEVICE"],
    ["GENERAL.DEVICE:eth0\nthis is not nmcli\n", "line 2 is not FIELD:value"],
    [
      "GENERAL.DEVICE:eth0\nDHCP4.OPTION[1]:expiry\n",
      'DHCP4.OPTION "expiry" is not "name = value"',
    ],
    [
      "GENERAL.DEVICE:eth0\nDHCP4.OPTION[1]:expiry = soon\n",
      'DHCP4.OPTION expiry "soon" is not a number',
    ],
    [
      "GENERAL.DEVICE:eth0\nDHCP4.OPTION[1]:subnet_mask = 255.0.255.0\n",
      'DHCP4.OPTION subnet_mask "255.0.255.0" is not a netmask',
    ],
  ];
  for (const [text, problem] of cases) {
    assertSyntaxError(
      () => parseNmcliDeviceShow(text, "nmcli"),
      `Cannot parse nmcli output nmcli: ${problem}`,
    );
  }
});
