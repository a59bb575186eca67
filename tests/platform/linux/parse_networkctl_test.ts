/** parseNetworkctlStatus (platform/linux/parse_networkctl.ts) on `networkctl status --json=short` output. */

import assert from "node:assert/strict";
import { parseNetworkctlStatus } from "../../../platform/linux/parse_networkctl.ts";
import { testdata as fixture } from "../../fixtures/testdata.ts";

Deno.test("parseNetworkctlStatus reads networkd's DHCPv6 data from real networkctl JSON: an IA_NA when stateful, nothing when stateless (systemd 252)", async () => {
  const stateful = await fixture("networkd/stateful/networkctl-status-short-initial.json");
  const [lease] = parseNetworkctlStatus(stateful, "networkctl").dhcp6;
  assert.deepEqual(lease, {
    interfaceName: "nd0",
    stateless: false,
    addresses: [{ value: "2001:db8:a::153" }],
    prefixes: [],
    dnsServers: ["2001:db8:a::1"],
    searchDomains: ["a6.mif.example"],
    source: "networkctl",
  });
  const stateless = await fixture("networkd/stateless/networkctl-status-short-initial.json");
  assert.deepEqual(parseNetworkctlStatus(stateless, "networkctl").dhcp6, []);
  assert.throws(() => parseNetworkctlStatus("[]", "networkctl"), SyntaxError);
});
