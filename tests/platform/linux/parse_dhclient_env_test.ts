/** parseDhclientEnv (platform/linux/parse_dhclient_env.ts) on what dhclient_hook.sh recorded. */

import assert from "node:assert/strict";
import { parseDhclientEnv } from "../../../platform/linux/parse_dhclient_env.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/testbed/${name}`, import.meta.url));

Deno.test("parseDhclientEnv reads what the hook recorded for DHCPv4 and stateless DHCPv6", () => {
  const [v4] = parseDhclientEnv(data("netb.dhcpv4.env"), "netb.env").dhcp4;
  assert.equal(v4.interfaceName, "netb");
  assert.equal(v4.address, "203.0.113.132");
  assert.equal(v4.prefixLength, 24);
  assert.deepEqual(v4.dnsServers, ["203.0.113.1"]);
  assert.deepEqual(v4.searchDomains, ["b.mif.example"]);
  assert.equal(v4.leaseTime, 600);
  assert.equal(v4.expiresAt, 1795493974000);
  const [v6] = parseDhclientEnv(data("neta.dhcpv6.env"), "neta.env").dhcp6;
  assert.equal(v6.stateless, true);
  assert.deepEqual(v6.dnsServers, ["2001:db8:a::1"]);
  assert.deepEqual(v6.searchDomains, ["a6.mif.example"]);
  assert.equal(v6.infoRefreshTime, 600);
  assert.throws(() => parseDhclientEnv("reason=BOUND\n", "x.env"), /interface is missing/);
  assert.throws(
    () => parseDhclientEnv("reason=BOUND\ninterface=a\nnew_routers=nope\n", "x.env"),
    /new_routers: "nope"/,
  );
});
