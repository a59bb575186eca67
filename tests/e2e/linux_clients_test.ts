/**
 * The Linux platform against real DHCP clients (tests/testbed/client_bed.ts):
 * NetworkManager, systemd-networkd with systemd-resolved, dhcpcd and busybox
 * udhcpc each configure a link from a dnsmasq router, and mif status and
 * mif watch, run in the client's namespaces, must report exactly what the
 * client was given. One test per client, so each is skipped (with what is
 * missing) or fails on its own; with CI=true a missing prerequisite fails.
 */

import assert from "node:assert/strict";
import type { ApiMessage } from "../../mod.ts";
import {
  type ClientBed,
  type ClientName,
  type Dhcpv6Mode,
  IPV4_PD,
  IPV6_PD,
  LINK,
  ROUTER,
  ROUTER_V6,
  withClientBed,
} from "../testbed/client_bed.ts";
import { Watch } from "../testbed/mif_process.ts";
import { clientUnavailable, testbedTest } from "../testbed/prerequisites.ts";

const CLIENTS: readonly ClientName[] = ["networkmanager", "networkd", "dhcpcd", "udhcpc"];
const unavailable: Partial<Record<ClientName, string>> = {};
for (const client of CLIENTS) unavailable[client] = await clientUnavailable(client);

interface ElementJson {
  element: string;
  data: Record<string, unknown>;
  source: string;
}
interface PdJson {
  pdId: string;
  addresses: { address: string; prefixLength: number }[];
  elements: ElementJson[];
  dnsServers: { address: string; element: string }[];
}
interface NicJson {
  interfaceId: string;
  pds: PdJson[];
  unattributed?: { address: string }[];
}

function pdsOf(status: Record<string, unknown>): Map<string, PdJson> {
  const nics = status.interfaces as NicJson[];
  return new Map(nics.flatMap((n) => n.pds.map((p) => [p.pdId, p])));
}

function element(pd: PdJson | undefined, type: string): ElementJson | undefined {
  return pd?.elements.find((e) => e.element === type);
}

function is<T extends ApiMessage["type"]>(type: T, fields: Record<string, unknown> = {}) {
  return (m: ApiMessage) =>
    m.type === type &&
    Object.entries(fields).every(([k, v]) => (m as unknown as Record<string, unknown>)[k] === v);
}

/**
 * The DHCPv4 element each client's data gives, besides what every one has
 * (address, prefix-length, routers, dns-servers, search-domains,
 * server-identifier, mtu, lease-time).
 */
const DHCPV4_EXTRA: Readonly<Record<ClientName, Record<string, unknown>>> = {
  // nmcli (NetworkManager 1.42) shows no dhcp_renewal_time/dhcp_rebinding_time
  // although dnsmasq sent T1/T2; `expiry` gives expires-at.
  networkmanager: { "expires-at": "≈ now + 120 s" },
  // The lease file has T1, T2 and LIFETIME in seconds, but no absolute time.
  networkd: { "renewal-time": 60, "rebinding-time": 105 },
  // `dhcpcd -U -4` has dhcp_renewal_time/dhcp_rebinding_time, no absolute time.
  dhcpcd: { "renewal-time": 60, "rebinding-time": 105 },
  // udhcpc gives its script no T1/T2; the hook records lease + the time it ran.
  udhcpc: { "expires-at": "≈ now + 120 s" },
};

/** The address the kernel has from the router's prefix on the link: SLAAC, or IA_NA if stateful. */
async function kernelIpv6(bed: ClientBed): Promise<{ address: string; prefixLength: number }> {
  const text = await bed.exec(["ip", "-6", "-o", "addr", "show", "dev", LINK, "scope", "global"]);
  const found = [...text.matchAll(/ inet6 (2001:db8:a:[0-9a-f:]+)\/(\d+) /g)];
  assert.equal(found.length, 1, `one address from the router's prefix:\n${text}`);
  return { address: found[0][1], prefixLength: Number(found[0][2]) };
}

async function checkStatus(bed: ClientBed, dhcpv6: Dhcpv6Mode): Promise<void> {
  const client = bed.client;
  const status = await bed.mifStatus();
  const pds = pdsOf(status);
  const notes = JSON.stringify(status.notes);

  // IPv4: the dhcpv4 element is exactly what dnsmasq gave.
  const v4 = pds.get(IPV4_PD);
  assert.ok(v4, `${IPV4_PD} in ${[...pds.keys()]}; notes: ${notes}`);
  const dhcp4 = element(v4, "dhcpv4");
  assert.ok(dhcp4, `a dhcpv4 element in ${JSON.stringify(v4.elements)}; notes: ${notes}`);
  const data = { ...dhcp4.data };
  const address = String(data.address);
  assert.match(address, /^198\.51\.100\.(1[0-4]\d|150)$/, "the address is from dnsmasq's range");
  if ("expires-at" in data) {
    const left = Date.parse(String(data["expires-at"])) - Date.now();
    assert.ok(left > 60_000 && left <= 125_000, `expires-at ${data["expires-at"]}: ${left} ms`);
    data["expires-at"] = "≈ now + 120 s";
  }
  assert.deepEqual(data, {
    address,
    "prefix-length": 24,
    routers: [ROUTER.ipv4],
    "dns-servers": [ROUTER.ipv4],
    "search-domains": [`${client}.mif.example`],
    "server-identifier": ROUTER.ipv4,
    mtu: 1400,
    "lease-time": 120,
    ...DHCPV4_EXTRA[client],
  });
  assert.deepEqual(v4.addresses.map((a) => [a.address, a.prefixLength]), [[address, 24]]);
  assert.deepEqual(v4.dnsServers, [{ address: ROUTER.ipv4, element: "dhcpv4" }]);

  // The sources that run are read without a note: nmcli with NetworkManager, resolvectl with
  // systemd-resolved (beside networkd); elsewhere each is noted as not running.
  const noted = (source: string) =>
    (status.notes as { source: string }[]).some((n) => n.source === source);
  assert.equal(noted("nmcli"), client !== "networkmanager", `nmcli note: ${notes}`);
  assert.equal(noted("resolvectl"), client !== "networkd", `resolvectl note: ${notes}`);

  // The link itself: NetworkManager's connection is metered (connection.metered yes); the
  // other clients have no such notion, so mif says nothing.
  const link = (status.interfaces as { interfaceId: string; metered?: boolean }[])
    .find((n) => n.interfaceId === LINK);
  assert.equal(link?.metered, client === "networkmanager" ? true : undefined, "metered");

  // IPv6: the router's PD has its RA, the client's DHCPv6 data where the
  // client exposes it, and the client's address.
  const v6 = pds.get(IPV6_PD);
  assert.ok(v6, `${IPV6_PD} in ${[...pds.keys()]}`);
  const ra = element(v6, "ra");
  assert.ok(ra, `an ra element in ${JSON.stringify(v6.elements)}`);
  const lifetime = dhcpv6 === "stateful" ? 120 : 600;
  assert.deepEqual(ra.data.rdnss, [{ address: ROUTER_V6.dnsServer, lifetime }]);
  assert.deepEqual(ra.data.dnssl, [{ domain: ROUTER_V6.searchDomain, lifetime }]);
  assert.equal(ra.data.managed, dhcpv6 === "stateful");
  assert.equal(ra.data["other-config"], true);
  const kernel = await kernelIpv6(bed);
  const dhcp6 = element(v6, "dhcpv6");
  const expected6: Record<string, unknown> | undefined = {
    // nmcli's DHCP6.OPTION has no server id and no information refresh time.
    networkmanager: { mode: "stateless", ...dns6() },
    // networkd 252 drops what a Reply to Information-request brings (systemd
    // PR #29718, v255): nothing from stateless DHCPv6 anywhere.
    networkd: dhcpv6 === "stateful"
      ? {
        mode: "stateful",
        ...dns6(),
        // networkd: no DHCPv6 lease file: mif reads networkctl's JSON, which has the
        // IA_NA address but neither its lifetimes nor T1/T2 nor the server's DUID.
        addresses: [{ address: kernel.address }],
      }
      : undefined,
    dhcpcd: {
      mode: "stateless",
      ...dns6(),
      "server-identifier": dhcp6?.data["server-identifier"],
      "information-refresh-time": 600,
    },
    // udhcpc does DHCPv4 only.
    udhcpc: undefined,
  }[client];
  assert.deepEqual(dhcp6?.data, expected6, `the dhcpv6 element from ${dhcp6?.source}`);
  if (client === "dhcpcd") {
    // dnsmasq's DUID-LLT: type 1, hardware type 1, a time, r0's MAC.
    assert.match(String(dhcp6!.data["server-identifier"]), /^00010001[0-9a-f]{8}026d696600fe$/);
  }
  assert.deepEqual(v6.elements.map((e) => e.element), expected6 ? ["ra", "dhcpv6"] : ["ra"]);
  // The client's address is in the router's PD: SLAAC (EUI-64 from the fixed MAC
  // except dhcpcd's stable private address), or the IA_NA /128 with stateful DHCPv6.
  if (dhcpv6 === "stateful") {
    assert.match(kernel.address, /^2001:db8:a::1[0-9a-f]{2}$/);
    assert.equal(kernel.prefixLength, 128);
  } else if (client !== "dhcpcd") {
    assert.deepEqual(kernel, { address: "2001:db8:a:0:6d:69ff:fe66:1", prefixLength: 64 });
  } else {
    assert.equal(kernel.prefixLength, 64);
  }
  assert.deepEqual(v6.addresses.map((a) => [a.address, a.prefixLength]), [
    [kernel.address, kernel.prefixLength],
  ]);
  const nic = (status.interfaces as NicJson[]).find((n) => n.interfaceId === LINK);
  // networkd: no DHCPv6 lease file: before mif read networkctl's JSON, the IA_NA
  // address was listed here, in no provisioning domain.
  assert.deepEqual(nic?.unattributed ?? [], [], "every address of the link is in a PD");
  assert.deepEqual(
    v6.dnsServers,
    [
      { address: ROUTER_V6.dnsServer, element: "ra" },
      ...(expected6 ? [{ address: ROUTER_V6.dnsServer, element: "dhcpv6" }] : []),
    ],
  );
}

function dns6() {
  return { "dns-servers": [ROUTER_V6.dnsServer], "search-domains": [ROUTER_V6.searchDomain] };
}

/**
 * What a client's renewal (ClientBed.renew) may withdraw for a moment, all
 * of it re-announced. NetworkManager: a changed applied connection (the
 * only way found to restart its DHCPv4 client at once) re-applies IPv6:
 * its addresses go and come back tentative (DAD again, ~2 s); IPv4 stays.
 * dhcpcd: `dhcpcd -n` rebinds DHCPv6 too, and its DHCPv6 data is gone until
 * the new Reply. networkd and udhcpc renew DHCPv4 alone.
 */
const RENEWAL_WITHDRAWS: Readonly<Record<ClientName, readonly Record<string, string>[]>> = {
  networkmanager: [{ type: "no-address-announcement", pdId: IPV6_PD }],
  networkd: [],
  dhcpcd: [{ type: "no-configuration-element-announcement", pdId: IPV6_PD, element: "dhcpv6" }],
  udhcpc: [],
};

function fields(m: ApiMessage): Record<string, unknown> {
  return m as unknown as Record<string, unknown>;
}

/** dhcpv4 dns-servers in mif status now. */
async function statusDns(bed: ClientBed): Promise<unknown> {
  return element(pdsOf(await bed.mifStatus()).get(IPV4_PD), "dhcpv4")?.data["dns-servers"];
}

async function checkLive(bed: ClientBed): Promise<string> {
  await using watch = new Watch(bed.mifArgv("watch", "--json"));
  await watch.next(
    0,
    is("configuration-element-announcement", { pdId: IPV4_PD, element: "dhcpv4" }),
    "the first state",
    60_000,
  );
  const from = await watch.settle();
  const t0 = performance.now();
  await bed.setRouterDns(ROUTER.ipv4Second);
  const t1 = performance.now();
  await bed.renew();
  const t2 = performance.now();
  // The element is announced again when the client's data changes; the
  // renewal may also be announced before the new server shows (e.g. the
  // expiry first): wait for the announcement after which status has it.
  let i = from;
  let announced = 0;
  for (;;) {
    i = await watch.next(
      i,
      is("configuration-element-announcement", { pdId: IPV4_PD, element: "dhcpv4" }),
      `${bed.client}'s renewed dhcpv4 element with dns-servers ${ROUTER.ipv4Second}`,
      30_000,
    );
    announced = watch.messages[i].at;
    if (JSON.stringify(await statusDns(bed)) === JSON.stringify([ROUTER.ipv4Second])) break;
    i++;
  }
  const t3 = performance.now();
  // Renewing tears nothing of IPv4 down; what a client withdraws meanwhile
  // (RENEWAL_WITHDRAWS) comes back.
  const withdrawn = watch.messages.slice(from).map((m) => m.message).filter((m) =>
    m.type.startsWith("no-") && "pdId" in m && m.pdId.startsWith(`${LINK}/`)
  );
  for (const m of withdrawn) {
    const what = JSON.stringify(m);
    assert.ok(
      RENEWAL_WITHDRAWS[bed.client].some((allowed) =>
        Object.entries(allowed).every(([k, v]) => fields(m)[k] === v)
      ),
      `${bed.client} withdrew ${what}`,
    );
    const same = (x: ApiMessage) =>
      x.type === m.type.replace(/^no-/, "") &&
      ["pdId", "address", "element"].every((k) => fields(x)[k] === fields(m)[k]);
    await watch.next(
      watch.messages.findIndex((x) => x.message === m) + 1,
      same,
      `${what} announced again`,
      15_000,
    );
  }
  const also = withdrawn.length
    ? `; withdrawn and back: ${withdrawn.map((m) => m.type).join(", ")}`
    : "";
  return `dnsmasq restart ${Math.round(t1 - t0)} ms, renew() ${Math.round(t2 - t1)} ms, ` +
    `announcement ${Math.round(announced - t2)} ms after renew(), status confirmed ${
      Math.round(t3 - t2)
    } ms after${also}`;
}

function scenario(client: ClientName, dhcpv6: Dhcpv6Mode): void {
  const name = `linux platform with ${client}${
    dhcpv6 === "stateful" ? " (stateful DHCPv6)" : ""
  }: mif status and watch report what it was given`;
  testbedTest(name, unavailable[client], async (t) => {
    const start = performance.now();
    await withClientBed({ client, dhcpv6 }, async (bed) => {
      const setUp = Math.round(performance.now() - start);
      await t.step("mif status: the lease, the RA, the DHCPv6 data, the addresses", async () => {
        await checkStatus(bed, dhcpv6);
      });
      let live = "";
      await t.step("mif watch: a new DNS server after a renewal", async () => {
        live = await checkLive(bed);
      });
      console.log(
        `${client}/${dhcpv6}: set up ${setUp} ms ${JSON.stringify(bed.timings)}; ${live}`,
      );
    });
  });
}

for (const client of CLIENTS) scenario(client, "stateless");
scenario("networkd", "stateful");
