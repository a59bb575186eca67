/** parseResolvectl (platform/linux/parse_resolvectl.ts) on `resolvectl dns` and `resolvectl domain` output. */

import assert from "node:assert/strict";
import { parseResolvectl } from "../../../platform/linux/parse_resolvectl.ts";
import { assertSyntaxError, testdata as fixture } from "../../fixtures/testdata.ts";

Deno.test("parseResolvectl reads what systemd-resolved 252 printed for a networkd link", async () => {
  const source = "resolvectl";
  const result = parseResolvectl(
    await fixture("networkd/stateful/resolvectl-dns-initial.txt"),
    await fixture("networkd/stateful/resolvectl-domain-initial.txt"),
    source,
  );
  assert.deepEqual(result, [{
    interfaceName: "nd0",
    dnsServers: ["198.51.100.1", "2001:db8:a::1"],
    searchDomains: ["nd.mif.example", "a6.mif.example"],
    source,
  }]);
});

Deno.test("parseResolvectl drops decorations and leaves routing-only domains out (hand-written: ports, SNI names, zones and ~domains no real run here produced)", async () => {
  const source = "resolvectl";
  const result = parseResolvectl(
    await fixture("resolvectl/dns_handwritten.txt"),
    await fixture("resolvectl/domain_handwritten.txt"),
    source,
  );
  assert.deepEqual(result, [
    {
      interfaceName: "enp0s31f6",
      dnsServers: ["203.0.113.53", "2001:db8:2::53"],
      searchDomains: ["corp.example"],
      source,
    },
    {
      interfaceName: "wlp2s0",
      dnsServers: ["198.51.100.53", "203.0.113.53", "2001:db8:1::53", "fe80::1"],
      searchDomains: ["lan.example"],
      source,
    },
    { interfaceName: "wg0", dnsServers: ["198.18.0.1"], searchDomains: [], source },
  ]);
});

Deno.test("parseResolvectl gives global configuration without an interface", () => {
  const dns = "Global: 198.51.100.53:53 fe80::53%1#dns.example\nLink 2 (eth0):\n";
  const domain = "Global: corp.example. ~lab.example\nLink 2 (eth0):\n";
  assert.deepEqual(parseResolvectl(dns, domain, "resolvectl"), [
    {
      dnsServers: ["198.51.100.53", "fe80::53"],
      searchDomains: ["corp.example"],
      source: "resolvectl",
    },
  ]);
});

Deno.test("parseResolvectl refuses garbled output", () => {
  const cases: [string, string, string][] = [
    [
      "Link 2 (eth0): 198.51.100.1 dns.example\n",
      "",
      'DNS server "dns.example" is not an IP address',
    ],
    ["        198.51.100.1\n", "", 'line 1 of resolvectl dns is not "Global:" or "Link N (name):"'],
    [
      "Global:\n",
      "Failed to get global data: Access denied\n",
      'line 1 of resolvectl domain is not "Global:" or "Link N (name):"',
    ],
  ];
  for (const [dns, domain, problem] of cases) {
    assertSyntaxError(
      () => parseResolvectl(dns, domain, "resolvectl"),
      `Cannot parse resolvectl output resolvectl: ${problem}`,
    );
  }
});
