/** parseLinks (platform/linux/parse_links.ts) on `ip -j link` output. */

import assert from "node:assert/strict";
import { parseLinks } from "../../../platform/linux/parse_links.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../../testdata/testbed/${name}`, import.meta.url));

Deno.test("parseLinks reads index, name, MAC, MTU, state and kind from the test bed", () => {
  const links = parseLinks(data("ip_link.json"));
  assert.deepEqual(links.map((l) => [l.index, l.name, l.kind, l.operState]), [
    [1, "lo", undefined, "unknown"],
    [2, "neta", "veth", "up"],
    [3, "netb", "veth", "up"],
    [4, "netc", "veth", "up"],
    [5, "nets", "veth", "up"],
  ]);
  assert.equal(links[1].mac, "62:33:12:39:35:35");
  assert.equal(links[1].mtu, 1500);
  assert.equal(links[0].mac, undefined, "loopback has no link-layer address");
});

Deno.test("parseLinks refuses output that is not iproute2's", () => {
  assert.throws(() => parseLinks("{"), SyntaxError);
  assert.throws(() => parseLinks('{"ifindex":1}'), /expected an array/);
  assert.throws(() => parseLinks('[{"ifname":"x"}]'), /"ifindex" is missing/);
  assert.throws(() => parseLinks('[{"ifindex":"1","ifname":"x"}]'), /"ifindex" is not/);
  assert.deepEqual(parseLinks(""), []);
});
