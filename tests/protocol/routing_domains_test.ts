/** A PD's routing domains from its configuration elements (protocol/routing_domains.ts). */

import assert from "node:assert/strict";
import { routingDomains } from "../../protocol/routing_domains.ts";

Deno.test("routingDomains takes search-domains and dns-zones of every element, IDNA, lower case, once", () => {
  assert.deepEqual(
    routingDomains([
      { data: { "search-domains": ["Isp1.Test.", "", "~."], "dns-servers": ["198.51.100.53"] } },
      { data: { "dns-zones": ["isp1.test", "Bücher.test"], mtu: 1500 } },
      { data: { "search-domains": "corp.test" } },
      { data: { "search-domains": [7, null] } },
    ]),
    ["isp1.test", "xn--bcher-kva.test", "corp.test"],
  );
  assert.deepEqual(routingDomains([]), []);
});
