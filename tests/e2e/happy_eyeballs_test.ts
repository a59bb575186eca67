/**
 * connect() end to end on a manual platform with real sockets: four IPv4
 * PDs on loopback addresses (wired, Wi-Fi, cellular, VPN), each with its
 * own DNS server. One destination never answers (a listener whose accept
 * queue is full), another accepts.
 */

import assert from "node:assert/strict";
import { connect, ConnectFailedError, type Mif } from "../../mod.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { FullListener, TcpPeer } from "../fixtures/tcp_peer.ts";
import { address, element, nic, openManual, pd, startWorkers, until } from "../fixtures/helpers.ts";
import type { Snapshot } from "../../protocol/model.ts";

const NAME = "race.mif.example";
/** Where nothing answers: the full listener's address. */
const SILENT = "127.0.0.1";
/** Where the peer accepts. */
const GOOD = "127.0.0.22";

const LINKS = [
  { id: "eth0", type: "wired", source: "127.0.0.2", dns: "127.0.0.12" },
  { id: "wlan0", type: "wifi", source: "127.0.0.3", dns: "127.0.0.13" },
  { id: "rmnet0", type: "cellular", source: "127.0.0.4", dns: "127.0.0.14" },
  { id: "tun0", type: "vpn", source: "127.0.0.5", dns: "127.0.0.15" },
] as const;

/** The links, each PD naming its DNS server ("address:port"). */
function snapshot(servers: ReadonlyMap<string, TestDnsServer>): Snapshot {
  return {
    interfaces: LINKS.map((l) =>
      nic(l.id, [
        pd(`${l.id}/ipv4`, [address(l.source, 8)], [
          element("dhcpv4", { "dns-servers": [servers.get(l.id)!.server] }),
        ]),
      ], { interfaceType: l.type })
    ),
  };
}

/** A race bed: DNS per link answering `answers[link]`, a silent listener and a peer on its port. */
async function bed(answers: Record<string, string | undefined>) {
  const silent = await FullListener.open();
  const peer = new TcpPeer(GOOD, silent.port);
  const dns = new Map<string, TestDnsServer>();
  for (const l of LINKS) {
    const a = answers[l.id];
    dns.set(
      l.id,
      await TestDnsServer.start({
        address: l.dns,
        names: { [NAME]: a ? { a: [a] } : { rcode: "NXDOMAIN" } },
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
    peer,
    dns,
    port: silent.port,
    async [Symbol.asyncDispose]() {
      await mif.close();
      for (const d of dns.values()) await d[Symbol.asyncDispose]();
      await peer[Symbol.asyncDispose]();
      await silent[Symbol.asyncDispose]();
    },
  };
}

function openConnections(mif: Mif): number {
  return mif.status().interfaces.flatMap((n) => n.pds).reduce(
    (sum, p) => sum + (p.worker?.connections ?? 0),
    0,
  );
}

Deno.test("connect() races the PDs: the silent path's attempt is cancelled and the next PD's connection wins", async () => {
  await using b = await bed({ eth0: SILENT, wlan0: GOOD });
  // eth0 goes first whichever worker answers first: it is preferred.
  const result = await connect(NAME, b.port, {
    mif: b.mif,
    require: ["eth0", "wlan0"],
    prefer: ["eth0"],
  });
  assert.equal(result.winner.pdId, "wlan0/ipv4");
  assert.equal(result.winner.source, "127.0.0.3");
  assert.equal(result.connection.pdId, "wlan0/ipv4");
  assert.deepEqual(
    result.attempts.map((a) => [a.pdId, a.address, a.outcome]),
    [["eth0/ipv4", SILENT, "cancelled"], ["wlan0/ipv4", GOOD, "connected"]],
  );
  const [first, second] = result.attempts;
  assert.ok(second.start - first.start >= 249, `staggered by the attempt delay: ${second.start}`);
  const accepted = await b.peer.accept();
  assert.equal(accepted.remote.hostname, "127.0.0.3", "the peer sees the winning PD's source");
  assert.equal(openConnections(b.mif), 1, "only the winner is open");
  assert.deepEqual(result.resolutions.map((r) => [r.pdId, r.outcome]), [
    ["eth0/ipv4", "success"],
    ["wlan0/ipv4", "success"],
  ]);
  await result.connection.close();
  accepted.conn.close();
  assert.equal(openConnections(b.mif), 0);
  // The race's subscriber closes with the connection.
  await until(() => b.mif.status().subscribers.length === 0);
});

Deno.test("connect() respects prohibit and avoid: the VPN is never asked, Wi-Fi only after cellular", async () => {
  await using b = await bed({ eth0: SILENT, wlan0: GOOD, rmnet0: GOOD, tun0: GOOD });
  const result = await connect(NAME, b.port, {
    mif: b.mif,
    avoid: ["wifi"],
    prohibit: ["vpn"],
    // The avoided PD waits for cellular up to an attempt delay: long enough that a loaded
    // machine (CI runs tests beside other work) cannot make the avoided PD's turn come first.
    attemptDelay: 2_000,
  });
  assert.equal(result.winner.pdId, "rmnet0/ipv4");
  assert.ok(!result.attempts.some((a) => a.pdId === "wlan0/ipv4"), "the avoided PD was not needed");
  assert.equal(b.dns.get("tun0")!.queries.length, 0, "the prohibited PD's DNS was never asked");
  assert.ok(!result.resolutions.some((r) => r.pdId === "tun0/ipv4"));
  await result.connection.close();
});

Deno.test("connect() where every attempt fails rejects with ConnectFailedError naming each reason", async () => {
  await using b = await bed({ eth0: "127.0.0.23", wlan0: "127.0.0.23" });
  try {
    await connect(NAME, b.port, { mif: b.mif, require: ["eth0", "wlan0", "rmnet0"] });
    assert.fail("connected");
  } catch (e) {
    assert.ok(e instanceof ConnectFailedError);
    assert.match(
      e.message,
      /^Cannot connect to race\.mif\.example port \d+: every attempt failed: 2 refused$/,
    );
    assert.equal(e.reason, "not-connected");
    assert.deepEqual(e.attempts.map((a) => a.outcome), ["refused", "refused"]);
    assert.deepEqual(e.resolutions.map((r) => r.outcome), ["success", "success", "nxdomain"]);
    const reasons = e.errors.map((x: Error) => x.message);
    assert.ok(reasons.some((m: string) => m.includes("rmnet0/ipv4: nxdomain")), reasons.join("; "));
    assert.equal(
      reasons.filter((m: string) => /: refused \(/.test(m)).length,
      2,
      reasons.join("; "),
    );
  }
  assert.equal(openConnections(b.mif), 0);
  assert.equal(b.mif.status().subscribers.length, 0);
});

Deno.test("connect() with every PD prohibited fails at once without asking any DNS", async () => {
  await using b = await bed({ eth0: GOOD });
  await assert.rejects(
    connect(NAME, b.port, { mif: b.mif, prohibit: ["wired", "wifi", "cellular", "vpn"] }),
    (e) =>
      e instanceof ConnectFailedError && e.reason === "no-pd" &&
      /no provisioning domain may be used/.test(e.message),
  );
  assert.equal([...b.dns.values()].reduce((n, d) => n + d.queries.length, 0), 0);
});

Deno.test("connect() where no PD can translate the name says so, counted by cause, not 'no addresses'", async () => {
  await using b = await bed({});
  await assert.rejects(
    connect(NAME, b.port, { mif: b.mif }),
    (e) =>
      e instanceof ConnectFailedError && e.reason === "not-translated" &&
      e.message ===
        `Cannot connect to ${NAME} port ${b.port}: no PD could translate the name: 4 nxdomain`,
  );
});

Deno.test("a typo in a policy is a RangeError naming the valid PDs, interfaces and types; allowUnknownPaths lets it through", async () => {
  await using b = await bed({ eth0: GOOD });
  await assert.rejects(
    connect(NAME, b.port, { mif: b.mif, prohibit: ["cellullar"] }),
    (e) =>
      e instanceof RangeError &&
      /prohibit names "cellullar", which this host has no PD, interface or interface type of \(PDs eth0\/ipv4, .*; interfaces eth0, .*; interface types wired, .*cellular.*; or metered, validated\)/
        .test(e.message),
  );
  assert.equal(b.mif.status().subscribers.length, 0, "the race's subscriber is closed");
  const { connection } = await connect(NAME, b.port, {
    mif: b.mif,
    avoid: ["wlan9"],
    allowUnknownPaths: true,
  });
  await connection.close();
});

Deno.test("a PD that vanishes mid-race is survived: its translation ends pd-gone and another PD wins", async () => {
  await using b = await bed({ eth0: SILENT, wlan0: GOOD, rmnet0: GOOD });
  b.dns.get("wlan0")!.set(NAME, { a: [GOOD], delay: { A: 300 } });
  b.dns.get("rmnet0")!.set(NAME, { a: [GOOD], delay: { A: 150 } });
  await startWorkers(b.mif, ["eth0/ipv4", "wlan0/ipv4", "rmnet0/ipv4"]);
  const racing = connect(NAME, b.port, {
    mif: b.mif,
    require: ["eth0", "wlan0", "rmnet0"],
    attemptDelay: 2000,
  });
  await Promise.race([
    b.dns.get("wlan0")!.waitForQueries(1),
    racing.then(() => {
      throw new Error("the race ended before wlan0 asked its DNS server");
    }),
  ]);
  b.platform.snapshot({
    interfaces: snapshot(b.dns).interfaces.filter((n) => n.interfaceId !== "wlan0"),
  });
  const result = await racing;
  assert.equal(result.winner.pdId, "rmnet0/ipv4");
  const wlan = result.resolutions.find((r) => r.pdId === "wlan0/ipv4")!;
  assert.equal(wlan.outcome, "pd-gone");
  assert.equal((await b.peer.accept()).remote.hostname, "127.0.0.4");
  await result.connection.close();
});

Deno.test("connect() aborted by its signal rejects with the signal's reason and leaves nothing open", async () => {
  await using b = await bed({ eth0: SILENT });
  const stop = new AbortController();
  const racing = connect(NAME, b.port, { mif: b.mif, require: ["eth0"], signal: stop.signal });
  await b.dns.get("eth0")!.waitForQueries(1);
  await new Promise((r) => setTimeout(r, 50));
  stop.abort(new Error("enough"));
  await assert.rejects(racing, /enough/);
  assert.equal(openConnections(b.mif), 0);
  assert.equal(b.mif.status().subscribers.length, 0);
});

Deno.test("connect() refuses bad arguments with TypeError and RangeError before doing anything", async () => {
  await assert.rejects(connect("", 80), TypeError);
  await assert.rejects(connect("x.example", 0), RangeError);
  await assert.rejects(connect("x.example", 80, { attemptDelay: 99 }), RangeError);
  await assert.rejects(connect("x.example", 80, { attemptDelay: 2001 }), RangeError);
  await assert.rejects(connect("x.example", 80, { source: "not-an-ip" }), TypeError);
  await assert.rejects(
    connect("x.example", 80, { prohibit: "vpn" as unknown as string[] }),
    TypeError,
  );
});
