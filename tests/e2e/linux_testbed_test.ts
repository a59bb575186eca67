/**
 * The Linux platform on a real network: namespaces, dnsmasq routers,
 * dhclient and SLAAC (tests/testbed/testbed.ts). Skipped with the reason
 * outside root or Linux; with CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import type { ApiMessage } from "../../mod.ts";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import { type TestBed, waitFor, withTestBed } from "../testbed/testbed.ts";
import { mifStatus, Watch } from "../testbed/mif_process.ts";

const unavailable = await testbedUnavailable();

interface PdJson {
  pdId: string;
  addresses: { address: string; validLifetime: number | "infinite" }[];
  elements: { element: string }[];
  dnsServers: { address: string; element: string }[];
}
interface NicJson {
  interfaceId: string;
  interfaceType: string;
  pds: PdJson[];
}

function is<T extends ApiMessage["type"]>(type: T, fields: Record<string, unknown> = {}) {
  return (m: ApiMessage) =>
    m.type === type &&
    Object.entries(fields).every(([k, v]) => (m as unknown as Record<string, unknown>)[k] === v);
}

/** The `ip -o monitor link ...` processes in the test bed's host namespace. */
async function monitorPids(bed: TestBed): Promise<number[]> {
  const out = await new Deno.Command("ip", {
    args: ["netns", "pids", bed.ns.host],
    stdout: "piped",
  })
    .output();
  const pids = new TextDecoder().decode(out.stdout).split("\n").filter(Boolean).map(Number);
  const found: number[] = [];
  for (const pid of pids) {
    const argv = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (/^(\S*\/)?ip\0-o\0monitor\0link\0/.test(argv)) found.push(pid);
  }
  return found;
}

testbedTest("linux platform on the test bed: status, then live changes", unavailable, async (t) => {
  await withTestBed({}, async (bed) => {
    await t.step("mif status describes interfaces, PDs, addresses and DNS per PD", async () => {
      const status = await mifStatus(bed);
      const nics = status.interfaces as NicJson[];
      assert.deepEqual(nics.map((n) => [n.interfaceId, n.interfaceType]), [
        ["lo", "loopback"],
        ["neta", "virtual"],
        ["netb", "virtual"],
        ["netc", "virtual"],
        ["nets", "virtual"],
      ]);
      const pds = new Map(nics.flatMap((n) => n.pds.map((p) => [p.pdId, p])));
      assert.deepEqual([...pds.keys()], [
        "lo/ipv4",
        "lo/ipv6",
        "neta/ipv4",
        "neta/ipv6/fe80::a",
        "netb/ipv4",
        "netc/ipv6/fe80::c1",
        "netc/ipv6/fe80::c2",
        "nets/ipv4",
        "nets/ipv6",
      ]);
      const dns = (id: string) => pds.get(id)!.dnsServers.map((d) => `${d.address} ${d.element}`);
      assert.deepEqual(dns("neta/ipv4"), ["198.51.100.1 dhcpv4"]);
      assert.deepEqual(dns("neta/ipv6/fe80::a"), ["2001:db8:a::1 ra", "2001:db8:a::1 dhcpv6"]);
      assert.deepEqual(dns("netb/ipv4"), ["203.0.113.1 dhcpv4"]);
      assert.deepEqual(dns("netc/ipv6/fe80::c1"), ["2001:db8:c1::1 ra"]);
      assert.deepEqual(dns("netc/ipv6/fe80::c2"), ["2001:db8:c2::1 ra"]);
      assert.deepEqual(dns("nets/ipv4"), ["198.18.1.1 static"]);
      const elements = (id: string) => pds.get(id)!.elements.map((e) => e.element);
      assert.deepEqual(elements("neta/ipv4"), ["dhcpv4"]);
      assert.deepEqual(elements("neta/ipv6/fe80::a"), ["ra", "dhcpv6"]);
      assert.deepEqual(elements("nets/ipv6"), ["static"]);
      // Addresses: DHCP from the pool with the lease's lifetime, SLAAC by prefix, static forever.
      const [a4] = pds.get("neta/ipv4")!.addresses;
      assert.match(a4.address, /^198\.51\.100\.1[0-5]\d$/);
      assert.ok(
        typeof a4.validLifetime === "number" && a4.validLifetime > 500 && a4.validLifetime <= 600,
      );
      assert.match(pds.get("netc/ipv6/fe80::c1")!.addresses[0].address, /^2001:db8:c1:0:/);
      assert.match(pds.get("netc/ipv6/fe80::c2")!.addresses[0].address, /^2001:db8:c2:0:/);
      assert.deepEqual(pds.get("nets/ipv4")!.addresses, [{
        address: "198.18.1.2",
        prefixLength: 24,
        validLifetime: "infinite",
        preferredLifetime: "infinite",
      }]);
      const notes = (status.notes as { source: string }[]).map((n) => n.source);
      assert.ok(
        !notes.some((s) => /^(dhclient|ps|rdisc6)/.test(s)),
        notes.join(),
      );
    });

    await t.step("mif watch follows the host as it changes", async () => {
      await using watch = new Watch(bed);
      await watch.next(0, is("address-announcement", { pdId: "nets/ipv6" }), "the first state");
      let i = await watch.settle();
      const pdsSeen = watch.messages.filter((m) =>
        m.message.type === "provisioning-domain-announcement"
      );
      assert.equal(
        pdsSeen.length,
        9,
        `every PD announced once: ${pdsSeen.map((m) => JSON.stringify(m.message)).join("\n")}`,
      );

      // Link down: netb's PD goes, its address and element first (§3.3.7.5, §3.3.7.13).
      await bed.ip(bed.ns.host, "link", "set", "netb", "down");
      const lost = await watch.next(
        i,
        is("no-provisioning-domain-announcement", { pdId: "netb/ipv4" }),
        "netb down",
      );
      const order = watch.messages.slice(i, lost + 1).map((m) => m.message.type);
      assert.deepEqual(order, [
        "no-address-announcement",
        "no-configuration-element-announcement",
        "no-provisioning-domain-announcement",
      ]);
      // Link up: it comes back, PD before its element and address.
      i = lost + 1;
      await bed.ip(bed.ns.host, "link", "set", "netb", "up");
      const back = await watch.next(
        i,
        is("provisioning-domain-announcement", { pdId: "netb/ipv4" }),
        "netb up",
      );
      const element = await watch.next(
        back,
        is("configuration-element-announcement", { pdId: "netb/ipv4", element: "dhcpv4" }),
        "netb's dhcpv4",
      );
      const address = await watch.next(
        back,
        is("address-announcement", { pdId: "netb/ipv4" }),
        "netb's address",
      );
      assert.ok(element > back && address > back);
      i = await watch.settle();

      // An address added, then removed.
      await bed.ip(bed.ns.host, "addr", "add", "2001:db8:5::3/64", "dev", "nets", "nodad");
      await watch.next(
        i,
        is("address-announcement", { pdId: "nets/ipv6", address: "2001:db8:5::3" }),
        "the new address",
      );
      await bed.ip(bed.ns.host, "addr", "del", "2001:db8:5::3/64", "dev", "nets");
      const gone = await watch.next(
        i,
        is("no-address-announcement", { pdId: "nets/ipv6", address: "2001:db8:5::3" }),
        "the address removed",
      );
      i = gone + 1;

      // A new link.
      await new Deno.Command("ip", {
        args: [
          "link",
          "add",
          "netd",
          "netns",
          bed.ns.host,
          "type",
          "veth",
          "peer",
          "name",
          "r1",
          "netns",
          bed.ns.s,
        ],
      }).output();
      await bed.ip(bed.ns.s, "link", "set", "r1", "up");
      await bed.ip(bed.ns.host, "addr", "add", "198.18.2.2/24", "dev", "netd");
      await bed.ip(bed.ns.host, "link", "set", "netd", "up");
      const nic = await watch.next(
        i,
        is("interface-announcement", { interfaceId: "netd" }),
        "netd",
      );
      const pd = await watch.next(
        nic,
        is("provisioning-domain-announcement", { pdId: "netd/ipv4" }),
        "netd's PD",
      );
      await watch.next(
        pd,
        is("configuration-element-announcement", { pdId: "netd/ipv4", element: "static" }),
        "netd's element",
      );
      const added = await watch.next(
        pd,
        is("address-announcement", { pdId: "netd/ipv4", address: "198.18.2.2" }),
        "netd's address",
      );
      i = added + 1;

      // The kernel monitor dies: it is restarted, and a change made meanwhile is not lost.
      const monitors = await monitorPids(bed);
      assert.equal(monitors.length, 1, "one ip monitor in the host namespace");
      Deno.kill(monitors[0], "SIGKILL");
      await bed.ip(bed.ns.host, "addr", "add", "2001:db8:5::4/64", "dev", "nets", "nodad");
      i = await watch.next(
        i,
        is("address-announcement", { pdId: "nets/ipv6", address: "2001:db8:5::4" }),
        "the change after the monitor died",
      );
      await waitFor("the restarted monitor", async () => (await monitorPids(bed)).length === 1);
      assert.notEqual((await monitorPids(bed))[0], monitors[0]);

      // netC's second router becomes a stub router: router lifetime 0 (RFC 4861 §6.2.5
      // makes it no default router). It still advertises its prefix and RDNSS, so its PD
      // stays: the ra element says router lifetime 0 and no default router.
      await bed.stopDaemon("c2");
      bed.startRouterC("c2", 0);
      const stub = await watch.next(
        i,
        is("configuration-element-announcement", { pdId: "netc/ipv6/fe80::c2", element: "ra" }),
        "router c2 becoming a stub router",
      );
      const c2 = watch.messages.slice(i, stub + 1).map((m) => m.message)
        .filter((m) => "pdId" in m && m.pdId === "netc/ipv6/fe80::c2").map((m) => m.type);
      assert.deepEqual(c2.filter((t) => t !== "address-announcement"), [
        "configuration-element-announcement",
      ]);
      const status = await mifStatus(bed);
      const ra = (status.interfaces as NicJson[]).flatMap((n) => n.pds)
        .find((p) => p.pdId === "netc/ipv6/fe80::c2")!.elements[0] as unknown as {
          data: Record<string, unknown>;
        };
      assert.equal(ra.data["router-lifetime"], 0);
      assert.equal(ra.data["default-router"], false);
      await bed.stopDaemon("c2");
      await watch.settle(1500);
      const c1Lost = watch.messages.slice(i).some((m) =>
        m.message.type === "no-provisioning-domain-announcement" &&
        m.message.pdId === "netc/ipv6/fe80::c1"
      );
      assert.equal(c1Lost, false, "the other router's PD stays");
    });
  });
});
