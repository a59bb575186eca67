/**
 * A VPN link on the test bed: this kernel has no WireGuard (`ip link add
 * wg0 type wireguard` → "Unknown device type"), so the tunnel is a TUN
 * device held open by tests/testbed/tun_holder.ts, as a VPN client holds its
 * own: an address with a peer, split routes, and the VPN's DNS server and
 * search domain in the resolver configuration. mif must report it as an
 * interface of type vpn with a PD of its own, the routes it serves, and the
 * DNS server routed through it.
 */

import assert from "node:assert/strict";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import { type TestBed, waitFor, withTestBed } from "../testbed/testbed.ts";
import { mifStatus, Watch } from "../testbed/mif_process.ts";

const unavailable = await testbedUnavailable();
const HOLDER = new URL("../testbed/tun_holder.ts", import.meta.url).pathname;

interface StatusPd {
  pdId: string;
  addresses: { address: string }[];
  elements: { element: string; data: Record<string, unknown> }[];
}
interface StatusNic {
  interfaceId: string;
  interfaceType: string;
  pds: StatusPd[];
}

/** Starts the tunnel's holder in the host namespace; it dies with the namespace. */
async function holdTun(bed: TestBed, name: string): Promise<Deno.ChildProcess> {
  await bed.ip(bed.ns.host, "tuntap", "add", "dev", name, "mode", "tun");
  const child = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      bed.ns.host,
      Deno.execPath(),
      "run",
      "--no-config",
      "--allow-ffi",
      HOLDER,
      name,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  if (!value?.includes("ready")) throw new Error(`Cannot hold ${name}: ${value}`);
  return child;
}

testbedTest(
  "a VPN link (a TUN tunnel): type vpn, a PD of its own, its routes and DNS",
  unavailable,
  async (t) => {
    await withTestBed({}, async (bed) => {
      const holder = await holdTun(bed, "vpn0");
      try {
        await Deno.writeTextFile(
          bed.resolvConf,
          "# mif test bed\nnameserver 198.18.1.1\nnameserver 198.18.100.53\n" +
            "search s.mif.example vpn.mif.example\n",
        );
        await bed.ip(
          bed.ns.host,
          "addr",
          "add",
          "198.18.99.2/32",
          "peer",
          "198.18.99.1",
          "dev",
          "vpn0",
        );
        await bed.ip(bed.ns.host, "link", "set", "vpn0", "up");
        await bed.ip(bed.ns.host, "route", "add", "198.18.100.0/24", "dev", "vpn0");
        await waitFor("vpn0 up with carrier", async () => {
          return (await bed.ip(bed.ns.host, "link", "show", "vpn0")).includes("LOWER_UP");
        });

        await t.step(
          "status: type vpn, its PD, the routes it serves, the DNS server routed through it",
          async () => {
            const nics = (await mifStatus(bed)).interfaces as StatusNic[];
            const vpn = nics.find((n) => n.interfaceId === "vpn0")!;
            assert.equal(vpn.interfaceType, "vpn");
            assert.deepEqual(vpn.pds.map((p) => p.pdId), ["vpn0/ipv4"]);
            const [pd] = vpn.pds;
            assert.deepEqual(pd.addresses.map((a) => a.address), ["198.18.99.2"]);
            const data = pd.elements.find((e) => e.element === "static")!.data;
            assert.deepEqual(data.routes, ["198.18.100.0/24"]);
            assert.deepEqual(data["dns-servers"], ["198.18.100.53"]);
            assert.deepEqual(data["search-domains"], ["s.mif.example", "vpn.mif.example"]);
            // The static network's server stays with the static network's PD.
            const nets = nics.find((n) => n.interfaceId === "nets")!.pds[0];
            const netsDns = nets.elements.find((e) => e.element === "static")!.data["dns-servers"];
            assert.deepEqual(netsDns, ["198.18.1.1"]);
          },
        );

        await t.step("watch: a route added to the tunnel re-announces its element", async () => {
          await using watch = new Watch(bed);
          await watch.next(
            0,
            (m) => m.type === "configuration-element-announcement" && m.pdId === "vpn0/ipv4",
            "vpn0's element",
          );
          const from = await watch.settle(1000);
          await bed.ip(bed.ns.host, "route", "add", "198.18.101.0/24", "dev", "vpn0");
          await watch.next(
            from,
            (m) => m.type === "configuration-element-announcement" && m.pdId === "vpn0/ipv4",
            "vpn0's element again, with the new route",
          );
          const nics = (await mifStatus(bed)).interfaces as StatusNic[];
          const pd = nics.find((n) => n.interfaceId === "vpn0")!.pds[0];
          assert.deepEqual(pd.elements.find((e) => e.element === "static")!.data.routes, [
            "198.18.100.0/24",
            "198.18.101.0/24",
          ]);
        });
      } finally {
        try {
          holder.kill("SIGTERM");
        } catch {
          // Already gone.
        }
        await holder.status;
      }
    });
  },
);
