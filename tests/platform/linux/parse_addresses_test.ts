/** parseAddresses (platform/linux/parse_addresses.ts) on `ip -j address` output. */

import assert from "node:assert/strict";
import { parseAddresses } from "../../../platform/linux/parse_addresses.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/testbed/${name}`, import.meta.url));

Deno.test("parseAddresses reads families, scopes, flags and lifetimes", () => {
  const all = parseAddresses(data("ip_addr.json"));
  const slaac = all.find((a) => a.address === "2001:db8:a:0:6033:12ff:fe39:3535")!;
  assert.equal(slaac.family, "ipv6");
  assert.equal(slaac.dynamic, true);
  assert.equal(slaac.validLifetime, 600);
  const fixed = all.find((a) => a.address === "198.18.1.2")!;
  assert.equal(fixed.dynamic, false);
  assert.equal(fixed.validLifetime, null, "forever is null");
  assert.equal(all.filter((a) => a.scope === "link").length, 4);
  assert.throws(
    () =>
      parseAddresses(
        '[{"ifindex":2,"ifname":"e","addr_info":[{"family":"inet","local":"x","prefixlen":8}]}]',
      ),
    /"x" is not an IP address/,
  );
});
