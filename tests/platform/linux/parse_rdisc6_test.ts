/** parseRdisc6 (platform/linux/parse_rdisc6.ts) on rdisc6's output. */

import assert from "node:assert/strict";
import { parseRdisc6 } from "../../../platform/linux/parse_rdisc6.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/testbed/${name}`, import.meta.url));

Deno.test("parseRdisc6 separates two routers' prefixes and RDNSS", () => {
  const [c1, c2] = parseRdisc6(data("rdisc6_netc.txt"));
  assert.equal(c1.router, "fe80::c1");
  assert.equal(c2.router, "fe80::c2");
  assert.deepEqual(c1.prefixes, [{
    prefix: "2001:db8:c1::/64",
    onLink: true,
    autonomous: true,
    validLifetime: 600,
    preferredLifetime: 600,
  }]);
  assert.deepEqual(c2.dnsServers, [{ address: "2001:db8:c2::1", lifetime: "infinite" }]);
  assert.equal(c1.routerLifetime, 600);
  assert.equal(c1.mtu, 1500);
  const [a] = parseRdisc6(data("rdisc6_neta.txt"));
  assert.equal(a.otherConfig, true);
  assert.deepEqual(a.searchDomains, [{ domain: "a6.mif.example", lifetime: 600 }]);
});

Deno.test("parseRdisc6 skips a line of spaces without a colon (a router's raw search-list label) in linear time", () => {
  const raw = `  DNS search list          : a.example\n${" ".repeat(100_000)}x\nfrom fe80::1\n`;
  const [ra] = parseRdisc6(raw);
  assert.equal(ra.router, "fe80::1");
});

Deno.test("parseRdisc6 refuses a garbled value it uses", () => {
  assert.throws(() => parseRdisc6(" Prefix                   : nope/64\n"), /line 1/);
  assert.throws(
    () => parseRdisc6("  Valid time              :          600\n"),
    /outside a prefix/,
  );
  assert.deepEqual(parseRdisc6("Soliciting ff02::2 (ff02::2) on x...\nTimed out.\n"), []);
});
