import assert from "node:assert/strict";
import {
  classifyMonitorLine,
  readScope,
  touchedLinks,
} from "../../../platform/linux/kernel_change.ts";

/*
 * Real captures: `ip -o monitor label link address route` (iproute2 6.1.0,
 * Linux 6.18.44) in a network namespace made for the capture (veth pair
 * d0/d0p, both up), 2026-12-01, while running there:
 *
 * BURSTS: ip addr add 2001:db8:5::100/64 dev d0 nodad; ip addr add
 *   198.51.100.7/24 dev d0; ip route add 203.0.113.0/24 via 198.51.100.1;
 *   ip -6 route add default via 2001:db8:5::1; ip link set d0 mtu 1400;
 *   ip addr del (both); ip link add d1 type veth peer name d1p; ip link del
 *   d1; ip link set d0 down.
 * LIFETIMES: ip addr add/del 2001:db8:5::100/64 dev d0 nodad (the test
 *   bed's change); ip addr add 198.51.100.9/24 dev d0 valid_lft 600
 *   preferred_lft 300; ip -6 route add 2001:db8:7::/48 via fe80::1 dev d0
 *   expires 600; ip link set d0 mtu 1300.
 */
const BURSTS = String.raw`[ROUTE]2001:db8:5::/64 dev d0 proto kernel metric 256 pref medium
[ADDR]3: d0    inet6 2001:db8:5::100/64 scope global nodad \       valid_lft forever preferred_lft forever
[ROUTE]local 2001:db8:5::100 dev d0 table local proto kernel metric 0 pref medium
[ADDR]3: d0    inet 198.51.100.7/24 scope global d0\       valid_lft forever preferred_lft forever
[ROUTE]local 198.51.100.7 dev d0 table local proto kernel scope host src 198.51.100.7 
[ROUTE]198.51.100.0/24 dev d0 proto kernel scope link src 198.51.100.7 
[ROUTE]broadcast 198.51.100.255 dev d0 table local proto kernel scope link src 198.51.100.7 
[ROUTE]203.0.113.0/24 via 198.51.100.1 dev d0 
[ROUTE]default via 2001:db8:5::1 dev d0 metric 1024 pref medium
[LINK]3: d0@d0p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UP group default \    link/ether 06:7c:32:97:83:ea brd ff:ff:ff:ff:ff:ff
[ADDR]Deleted 3: d0    inet6 2001:db8:5::100/64 scope global nodad \       valid_lft forever preferred_lft forever
[ROUTE]Deleted local 2001:db8:5::100 dev d0 table local proto kernel metric 0 pref medium
[ROUTE]Deleted 2001:db8:5::/64 dev d0 proto kernel metric 256 pref medium
[ADDR]Deleted 3: d0    inet 198.51.100.7/24 scope global d0\       valid_lft forever preferred_lft forever
[ROUTE]Deleted 198.51.100.0/24 dev d0 proto kernel scope link src 198.51.100.7 
[ROUTE]Deleted broadcast 198.51.100.255 dev d0 table local proto kernel scope link src 198.51.100.7 
[ROUTE]Deleted local 198.51.100.7 dev d0 table local proto kernel scope host src 198.51.100.7 
[LINK]4: d1p@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \    link/ether fa:e4:75:03:21:e6 brd ff:ff:ff:ff:ff:ff
[LINK]5: d1@d1p: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default \    link/ether 32:9f:41:7b:21:2b brd ff:ff:ff:ff:ff:ff
[LINK]Deleted 5: d1@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \    link/ether 32:9f:41:7b:21:2b brd ff:ff:ff:ff:ff:ff
[LINK]Deleted 4: d1p@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \    link/ether fa:e4:75:03:21:e6 brd ff:ff:ff:ff:ff:ff
[LINK]3: d0@d0p: <BROADCAST,MULTICAST> mtu 1400 qdisc noqueue state DOWN group default \    link/ether 06:7c:32:97:83:ea brd ff:ff:ff:ff:ff:ff
[ROUTE]Deleted fe80::/64 dev d0 proto kernel metric 256 pref medium
[ROUTE]Deleted default via 2001:db8:5::1 dev d0 metric 1024 pref medium
[ROUTE]Deleted multicast ff00::/8 dev d0 table local proto kernel metric 256 pref medium
[ADDR]Deleted 3: d0    inet6 fe80::47c:32ff:fe97:83ea/64 scope link tentative \       valid_lft forever preferred_lft forever
[LINK]2: d0p@d0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \    link/ether 32:0c:f1:0c:d6:20 brd ff:ff:ff:ff:ff:ff
[ADDR]2: d0p    inet6 fe80::300c:f1ff:fe0c:d620/64 scope link \       valid_lft forever preferred_lft forever
[ROUTE]local fe80::300c:f1ff:fe0c:d620 dev d0p table local proto kernel metric 0 pref medium`.split(
  "\n",
);
const LIFETIMES = String.raw`[ROUTE]2001:db8:5::/64 dev d0 proto kernel metric 256 pref medium
[ADDR]3: d0    inet6 2001:db8:5::100/64 scope global nodad \       valid_lft forever preferred_lft forever
[ROUTE]local 2001:db8:5::100 dev d0 table local proto kernel metric 0 pref medium
[ADDR]Deleted 3: d0    inet6 2001:db8:5::100/64 scope global nodad \       valid_lft forever preferred_lft forever
[ROUTE]Deleted local 2001:db8:5::100 dev d0 table local proto kernel metric 0 pref medium
[ROUTE]Deleted 2001:db8:5::/64 dev d0 proto kernel metric 256 pref medium
[ADDR]3: d0    inet 198.51.100.9/24 scope global dynamic d0\       valid_lft 600sec preferred_lft 300sec
[ROUTE]local 198.51.100.9 dev d0 table local proto kernel scope host src 198.51.100.9 
[ROUTE]198.51.100.0/24 dev d0 proto kernel scope link src 198.51.100.9 
[ROUTE]broadcast 198.51.100.255 dev d0 table local proto kernel scope link src 198.51.100.9 
[ROUTE]2001:db8:7::/48 via fe80::1 dev d0 metric 1024 expires 600sec pref medium
[LINK]3: d0@d0p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1300 qdisc noqueue state UP group default \    link/ether 06:7c:32:97:83:ea brd ff:ff:ff:ff:ff:ff`
  .split("\n");

/** The lines of one capture, from the first whose text includes `from`, `count` of them. */
function slice(lines: readonly string[], from: string, count: number): string[] {
  const i = lines.findIndex((l) => l.includes(from));
  assert.ok(i >= 0, `no line with ${from}`);
  return lines.slice(i, i + count);
}

Deno.test("every captured monitor line is classified by its label", () => {
  for (const line of [...BURSTS, ...LIFETIMES]) {
    const label = line.slice(0, line.indexOf("]") + 1);
    const expected = { "[ADDR]": "address", "[ROUTE]": "route", "[LINK]": "link" }[label];
    assert.equal(classifyMonitorLine(line), expected, line);
  }
});

Deno.test("an address added or removed, with its routes, reads only the kernel's tables", () => {
  const added = slice(LIFETIMES, "2001:db8:5::/64", 3);
  assert.deepEqual(added.map(classifyMonitorLine), ["route", "address", "route"]);
  assert.equal(readScope(added), "tables");
  assert.equal(
    readScope(slice(LIFETIMES, "[ADDR]Deleted 3: d0    inet6 2001:db8:5::100", 3)),
    "tables",
  );
  // A DHCP-like address with lifetimes, and a route with an expiry.
  assert.equal(readScope(slice(LIFETIMES, "198.51.100.9/24 scope global dynamic", 5)), "tables");
  // Each line alone, as a chunk may bring it.
  for (const line of added) assert.equal(readScope([line]), "tables", line);
});

Deno.test("a link change, alone or in a burst, reads everything", () => {
  assert.equal(readScope(slice(LIFETIMES, "mtu 1300", 1)), "full");
  const down = slice(BURSTS, "[LINK]3: d0@d0p: <BROADCAST,MULTICAST> mtu 1400", 5);
  assert.equal(readScope(down), "full");
  // A link that came and went, and the address and route lines around it.
  assert.equal(readScope(slice(BURSTS, "d1p@NONE", 4)), "full");
});

Deno.test("a line without a label (an older monitor command) or no line at all reads everything", () => {
  const unlabelled = LIFETIMES.map((l) => l.replace(/^\[[A-Z]+\]/, ""));
  for (const line of unlabelled) assert.equal(classifyMonitorLine(line), "unknown", line);
  assert.equal(readScope(unlabelled.slice(0, 3)), "full");
  assert.equal(readScope([]), "full", "a restarted monitor may have missed anything");
  assert.equal(readScope(["", "  "]), "full");
  assert.equal(readScope(["[NETCONF]ipv6 d0 forwarding off"]), "full");
});

Deno.test("touchedLinks names the one link of each captured address and route line, none for a link line", () => {
  const lines = BURSTS;
  const tables = lines.filter((l) => l.startsWith("[ADDR]") || l.startsWith("[ROUTE]"));
  assert.deepEqual(touchedLinks(tables), new Set(["d0", "d0p"]));
  assert.deepEqual(touchedLinks(LIFETIMES.filter((l) => !l.startsWith("[LINK]"))), new Set(["d0"]));
  assert.equal(touchedLinks(lines), undefined, "the [LINK] lines name no table change");
  assert.equal(touchedLinks(["[ROUTE]blackhole 198.18.9.0/24 proto static"]), undefined);
  assert.deepEqual(
    touchedLinks(["[ADDR]7: wg0    inet 198.18.3.1/32 scope global wg0", ""]),
    new Set(["wg0"]),
  );
});
