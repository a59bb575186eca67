/** parseResolvConf (platform/linux/parse_resolv_conf.ts). */

import assert from "node:assert/strict";
import { parseResolvConf } from "../../../platform/linux/parse_resolv_conf.ts";
import { assertSyntaxError } from "../../fixtures/testdata.ts";

Deno.test("parseResolvConf reads servers without zones and the last search or domain", () => {
  const text = Deno.readTextFileSync(
    new URL("../../testdata/resolv_conf/servers_zones_search.txt", import.meta.url),
  );
  assert.deepEqual(parseResolvConf(text, "/etc/resolv.conf"), {
    dnsServers: ["198.51.100.53", "2001:db8::53", "fe80::1"],
    searchDomains: ["lan.example", "corp.example"],
    source: "/etc/resolv.conf",
  });
});

Deno.test("parseResolvConf takes a later domain line as the search list", () => {
  const text = "search a.example b.example\ndomain c.example\n";
  assert.deepEqual(parseResolvConf(text, "/etc/resolv.conf").searchDomains, ["c.example"]);
  assert.deepEqual(parseResolvConf("", "/etc/resolv.conf"), {
    dnsServers: [],
    searchDomains: [],
    source: "/etc/resolv.conf",
  });
});

Deno.test("parseResolvConf ignores unknown keywords but refuses a bad nameserver", () => {
  const text = "frobnicate 1 2 3\nnameserver 198.51.100.53\n";
  assert.deepEqual(parseResolvConf(text, "/etc/resolv.conf").dnsServers, ["198.51.100.53"]);
  assertSyntaxError(
    () => parseResolvConf("nameserver 198.51.100.300\n", "/etc/resolv.conf"),
    'Cannot parse resolv.conf /etc/resolv.conf: nameserver "198.51.100.300" on line 1 is not an IP address',
  );
  assertSyntaxError(
    () => parseResolvConf("\nnameserver\n", "/etc/resolv.conf"),
    "Cannot parse resolv.conf /etc/resolv.conf: nameserver on line 2 has no address",
  );
});
