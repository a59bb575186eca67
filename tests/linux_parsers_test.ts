import assert from "node:assert/strict";
import { parseLinks } from "../platform/linux/parse_links.ts";
import { parseAddresses } from "../platform/linux/parse_addresses.ts";
import { parseRoutes } from "../platform/linux/parse_routes.ts";
import { parseRdisc6 } from "../platform/linux/parse_rdisc6.ts";
import { parseDhclientLeases } from "../platform/linux/parse_dhclient.ts";
import { parseDhclientEnv } from "../platform/linux/parse_dhclient_env.ts";
import { interfaceTypeOf } from "../platform/linux/interface_type.ts";
import { dhclientLeaseFile, dhclientLeaseFiles } from "../platform/linux/dhclient_processes.ts";
import { neighbourRouters, parseNeighbours } from "../platform/linux/parse_neighbours.ts";

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`./testdata/testbed/${name}`, import.meta.url));

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

Deno.test("parseRoutes reads RA default routes with expiry and preference", () => {
  const routes = parseRoutes(data("ip_route6.json"), "ipv6");
  const defaults = routes.filter((r) => r.destination === "::/0");
  assert.deepEqual(defaults.map((r) => [r.gateway, r.device, r.protocol]).sort(), [
    ["fe80::a", "neta", "ra"],
    ["fe80::c1", "netc", "ra"],
    ["fe80::c2", "netc", "ra"],
  ]);
  assert.ok(defaults.every((r) => typeof r.expires === "number" && r.preference === "medium"));
  const v4 = parseRoutes(data("ip_route4.json"), "ipv4");
  assert.ok(v4.some((r) => r.destination === "0.0.0.0/0" && r.protocol === "dhcp"));
  assert.ok(v4.some((r) => r.table === "local" && r.type === "local"));
  assert.throws(() => parseRoutes('[{"dst":"300.1.1.1/8"}]', "ipv4"), SyntaxError);
});

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

Deno.test("parseDhclientLeases reads a real lease with UTC times", () => {
  const { dhcp4, dhcp6 } = parseDhclientLeases(data("dhclient_neta4.leases"), "neta4.leases");
  assert.equal(dhcp6.length, 0);
  assert.deepEqual(dhcp4, [{
    interfaceName: "neta",
    address: "198.51.100.123",
    prefixLength: 24,
    routers: ["198.51.100.1"],
    dnsServers: ["198.51.100.1"],
    searchDomains: ["a.mif.example"],
    serverIdentifier: "198.51.100.1",
    mtu: 1400,
    leaseTime: 600,
    renewalTime: 300,
    rebindingTime: 525,
    renewAt: Date.UTC(2026, 10, 24, 4, 13, 27),
    rebindAt: Date.UTC(2026, 10, 24, 4, 18, 19),
    expiresAt: Date.UTC(2026, 10, 24, 4, 19, 34),
    source: "neta4.leases",
  }]);
});

Deno.test("parseDhclientLeases reads a stateful lease6", () => {
  const text = `default-duid "\\000\\001";
lease6 {
  interface "neta";
  ia-na e6:da:b2:78 {
    starts 1795492782;
    renew 300;
    rebind 525;
    iaaddr 2001:db8:a::1eb {
      starts 1795492782;
      preferred-life 600;
      max-life 600;
    }
  }
  option dhcp6.server-id 0:1:0:1:32:97:c7:fc;
  option dhcp6.name-servers 2001:db8:a::1,2001:db8:a::2;
  option dhcp6.domain-search "a.mif.example.";
}`;
  const [lease] = parseDhclientLeases(text, "d6.leases").dhcp6;
  assert.equal(lease.stateless, false);
  assert.deepEqual(lease.addresses, [{
    value: "2001:db8:a::1eb",
    preferredLifetime: 600,
    validLifetime: 600,
  }]);
  assert.deepEqual(lease.dnsServers, ["2001:db8:a::1", "2001:db8:a::2"]);
  assert.equal(lease.startedAt, 1795492782000);
  assert.equal(lease.renewTime, 300);
});

Deno.test("parseDhclientLeases refuses a garbled file with its name", () => {
  assert.throws(
    () => parseDhclientLeases("lease { interface", "x.leases"),
    /x\.leases: missing ";"/,
  );
  assert.throws(
    () => parseDhclientLeases('lease { interface "a"; fixed-address 1.2.3; }', "x.leases"),
    /"1\.2\.3" is not an IP address/,
  );
  assert.throws(
    () => parseDhclientLeases('lease { interface "a"; renew 2 yesterday; }', "x.leases"),
    /not a lease time/,
  );
});

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

Deno.test("interfaceTypeOf tells wifi, cellular, vpn, bridge, virtual and wired apart", () => {
  const link = { index: 2, name: "x", operState: "up", flags: [], linkType: "ether" };
  const none = { wireless: false };
  assert.equal(interfaceTypeOf(link, { wireless: true }), "wifi");
  assert.equal(interfaceTypeOf(link, { wireless: false, devType: "wwan" }), "cellular");
  assert.equal(interfaceTypeOf({ ...link, name: "rmnet0" }, none), "cellular");
  assert.equal(interfaceTypeOf({ ...link, linkType: "none", kind: "tun" }, none), "vpn");
  assert.equal(interfaceTypeOf({ ...link, linkType: "ipip", kind: "ipip" }, none), "vpn");
  assert.equal(interfaceTypeOf({ ...link, kind: "gre" }, none), "vpn");
  assert.equal(interfaceTypeOf({ ...link, kind: "bridge" }, none), "bridge");
  assert.equal(interfaceTypeOf({ ...link, kind: "veth" }, none), "virtual");
  assert.equal(interfaceTypeOf(link, none), "wired");
  assert.equal(
    interfaceTypeOf({ ...link, linkType: "loopback", flags: ["LOOPBACK"] }, none),
    "loopback",
  );
});

Deno.test("dhclientLeaseFile finds -lf and dhclient's defaults", () => {
  assert.equal(dhclientLeaseFile(["dhclient", "-lf", "/x/y.leases", "eth0"]), "/x/y.leases");
  assert.equal(dhclientLeaseFile(["/usr/sbin/dhclient", "eth0"]), "/var/lib/dhcp/dhclient.leases");
  assert.equal(dhclientLeaseFile(["dhclient", "-6", "eth0"]), "/var/lib/dhcp/dhclient6.leases");
  assert.equal(dhclientLeaseFile(["dhcpcd", "eth0"]), undefined);
});

Deno.test("dhclientLeaseFiles keeps only dhclients of this network namespace", () => {
  const ps = [
    "    1 4026531840 /sbin/init",
    "  500 4026532999 dhclient -1 -lf /tmp/other/neta4.leases neta",
    "  501 4026532123 dhclient -1 -lf /tmp/bed/neta4.leases -pf /tmp/bed/p neta",
    "  502 4026532123 /usr/sbin/dhclient -6 netc",
    "  503 4026532123 /usr/sbin/dhclient -6 netd",
    "  900 4026532123 deno run cli.ts status",
  ].join("\n");
  assert.deepEqual(dhclientLeaseFiles(ps, 900), [
    "/tmp/bed/neta4.leases",
    "/var/lib/dhcp/dhclient6.leases",
  ]);
  assert.throws(() => dhclientLeaseFiles(ps, 901), /process 901 is not listed/);
});

Deno.test("parseNeighbours finds every router a test bed host heard, the stub router (lifetime 0) too", () => {
  const text = Deno.readTextFileSync(
    new URL("./testdata/testbed_ipv6/ip_neigh.json", import.meta.url),
  );
  const routers = neighbourRouters(parseNeighbours(text));
  assert.deepEqual(routers.get("netd"), ["fe80::d1", "fe80::d2"]);
  assert.deepEqual(routers.get("netc"), ["fe80::c1", "fe80::c2"]);
  assert.deepEqual(routers.get("netm"), ["fe80::f"]);
});
