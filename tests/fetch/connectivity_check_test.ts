/**
 * checkConnectivity() on a manual platform with real sockets: four PDs on
 * loopback sources, each with its own DNS server answering the probe's
 * name differently: an HTTP server answering 204 (full), a captive portal
 * redirecting every request to its login page, an address where nothing
 * listens (limited: DNS works, the probe fails), and no such name (none).
 */

import assert from "node:assert/strict";
import { checkConnectivity, connect } from "../../mod.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { address, element, nic, openManual, pd, until } from "../fixtures/helpers.ts";
import type { Snapshot } from "../../protocol/model.ts";

const PROBE_NAME = "probe.test.example";
const FULL = "127.0.0.31";
const PORTAL = "127.0.0.32";
const SILENT = "127.0.0.33";
const LOGIN = "http://portal.test.example/login";

const LINKS = [
  { id: "eth0", type: "wired", source: "127.0.0.2", dns: "127.0.0.12", answer: FULL },
  { id: "wlan0", type: "wifi", source: "127.0.0.3", dns: "127.0.0.13", answer: PORTAL },
  { id: "rmnet0", type: "cellular", source: "127.0.0.4", dns: "127.0.0.14", answer: SILENT },
  { id: "tun0", type: "vpn", source: "127.0.0.5", dns: "127.0.0.15", answer: undefined },
] as const;

function snapshot(servers: readonly TestDnsServer[], eth0Source = "127.0.0.2"): Snapshot {
  return {
    interfaces: LINKS.map((l, i) =>
      nic(l.id, [
        pd(`${l.id}/ipv4`, [address(l.id === "eth0" ? eth0Source : l.source, 8)], [
          element("dhcpv4", { "dns-servers": [servers[i].server] }),
        ]),
      ], { interfaceType: l.type })
    ),
  };
}

async function bed() {
  const full = Deno.serve(
    { hostname: FULL, port: 0, onListen() {} },
    () => new Response(null, { status: 204 }),
  );
  const port = full.addr.port;
  let portalHits = 0;
  const portal = Deno.serve({ hostname: PORTAL, port, onListen() {} }, () => {
    portalHits++;
    return new Response(null, { status: 302, headers: { location: LOGIN } });
  });
  const dns: TestDnsServer[] = [];
  for (const l of LINKS) {
    dns.push(
      await TestDnsServer.start({
        address: l.dns,
        names: { [PROBE_NAME]: l.answer ? { a: [l.answer] } : { rcode: "NXDOMAIN" } },
      }),
    );
  }
  const { mif, platform } = await openManual(snapshot(dns), {
    workerPermissions: "net",
    hostsFile: null,
    dnsTimeout: 500,
  });
  return {
    mif,
    platform,
    dns,
    url: `http://${PROBE_NAME}:${port}/generate_204`,
    port,
    portalHits: () => portalHits,
    async [Symbol.asyncDispose]() {
      await mif.close();
      for (const d of dns) await d[Symbol.asyncDispose]();
      await full.shutdown();
      await portal.shutdown();
    },
  };
}

Deno.test("checkConnectivity tells full, captive-portal, limited and none apart, per PD", async (t) => {
  await using b = await bed();
  const { mif, url } = b;

  await t.step("each PD's probe goes through its own DNS and source", async () => {
    const results = await checkConnectivity({ mif, url, timeout: 3000 });
    const byPd = Object.fromEntries(results.map((r) => [r.pdId, r]));
    assert.deepEqual(results.map((r) => [r.pdId, r.state]), [
      ["eth0/ipv4", "full"],
      ["wlan0/ipv4", "captive-portal"],
      ["rmnet0/ipv4", "limited"],
      ["tun0/ipv4", "none"],
    ]);
    assert.equal(byPd["eth0/ipv4"].status, 204);
    assert.equal(byPd["wlan0/ipv4"].portalUrl, LOGIN);
    assert.equal(byPd["wlan0/ipv4"].status, 302);
    assert.match(byPd["rmnet0/ipv4"].detail ?? "", /refused|connect/i);
    assert.match(byPd["tun0/ipv4"].detail ?? "", /nxdomain|translate/i);
    assert.ok(results.every((r) => !r.kept && r.ms > 0));
  });

  await t.step("a second check returns the kept results without probing", async () => {
    const hits = b.portalHits();
    const results = await checkConnectivity({ mif, url });
    assert.ok(results.every((r) => r.kept && r.ms === 0));
    assert.equal(b.portalHits(), hits);
    const fresh = await checkConnectivity({ mif, url, pd: "wlan0/ipv4", fresh: true });
    assert.deepEqual(fresh.map((r) => [r.pdId, r.state, r.kept]), [[
      "wlan0/ipv4",
      "captive-portal",
      false,
    ]]);
    assert.equal(b.portalHits(), hits + 1);
  });

  await t.step("require: validated races only the PD with full connectivity", async () => {
    const { connection, winner } = await connect(FULL, b.port, { mif, require: ["validated"] });
    assert.equal(winner.pdId, "eth0/ipv4");
    await connection.close();
  });

  await t.step(
    "a PD whose addresses changed is no longer validated until checked again",
    async () => {
      b.platform.snapshot(snapshot(b.dns, "127.0.0.6"));
      await until(() =>
        mif.status().interfaces[0].pds[0].addresses.some((a) => a.address === "127.0.0.6")
      );
      await assert.rejects(
        connect(FULL, b.port, { mif, require: ["validated"] }),
        /no provisioning domain may be used/,
      );
      const [eth0] = await checkConnectivity({ mif, url, pd: "eth0/ipv4" });
      assert.deepEqual([eth0.state, eth0.kept], ["full", false]);
      const { connection } = await connect(FULL, b.port, { mif, require: ["validated"] });
      assert.equal(connection.localAddress.address, "127.0.0.6");
      await connection.close();
    },
  );

  await t.step("a result past its TTL no longer validates", async () => {
    await checkConnectivity({ mif, url, pd: "eth0/ipv4", fresh: true, ttl: 1 });
    await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(
      connect(FULL, b.port, { mif, require: ["validated"] }),
      /no provisioning domain may be used/,
    );
  });

  await t.step("an unknown pd is a RangeError", async () => {
    await assert.rejects(checkConnectivity({ mif, url, pd: "nope/ipv4" }), RangeError);
  });
});
