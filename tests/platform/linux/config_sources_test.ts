import assert from "node:assert/strict";
import { ConfigSources } from "../../../platform/linux/config_sources.ts";

const DATA = new URL("../../testdata/testbed/", import.meta.url).pathname;

Deno.test("a garbled lease file becomes a note, and every other source still counts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mif-sources-" });
  try {
    await Deno.writeTextFile(`${dir}/broken.leases`, "lease { interface ");
    await Deno.copyFile(`${DATA}/neta.dhcpv6.env`, `${dir}/neta.dhcpv6.env`);
    await Deno.copyFile(`${DATA}/dhclient_neta4.leases`, `${dir}/neta4.leases`);
    await Deno.writeTextFile(`${dir}/resolv.conf`, "nameserver 198.18.1.1\n");
    const sources = new ConfigSources({
      resolvConf: `${dir}/resolv.conf`,
      leaseDirs: [dir, `${dir}/missing`],
      networkdLeases: `${dir}/no-networkd`,
      dhcpcdLeases: `${dir}/no-dhcpcd`,
    });
    const { data, notes } = await sources.read(new Map());
    assert.deepEqual(data.dhcp4.map((l) => l.address), ["198.51.100.123"]);
    assert.deepEqual(data.dhcp6.map((l) => l.dnsServers), [["2001:db8:a::1"]]);
    assert.deepEqual(data.resolvers.map((r) => r.dnsServers), [["198.18.1.1"]]);
    const by = new Map(notes.map((n) => [n.source, n.reason]));
    assert.match(by.get(`${dir}/broken.leases`)!, /^Cannot parse dhclient leases .*broken\.leases/);
    assert.equal(by.get(`${dir}/no-networkd`), "not present");
    assert.equal(by.get(`${dir}/no-dhcpcd`), "not present");
    assert.equal(by.has(`${dir}/missing`), false, "a missing lease directory is not an error");
    assert.ok(sources.watchPaths().includes(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing resolv.conf is noted as not present", async () => {
  const sources = new ConfigSources({
    resolvConf: "/nonexistent/resolv.conf",
    leaseDirs: [],
    networkdLeases: "/nonexistent/n",
    dhcpcdLeases: "/nonexistent/d",
  });
  const { data, notes } = await sources.read(new Map());
  assert.deepEqual(data.resolvers, []);
  assert.ok(
    notes.some((n) => n.source === "/nonexistent/resolv.conf" && n.reason === "not present"),
  );
});

Deno.test("only the files the sources read count as source changes", () => {
  const sources = new ConfigSources({
    resolvConf: "/t/etc/resolv.conf",
    leaseDirs: ["/t/dhcp/", "/t/mif"],
    networkdLeases: "/t/networkd",
    dhcpcdLeases: "/t/dhcpcd",
  });
  sources.dhclientFiles = ["/t/run/dhclient.eth0.leases"];
  for (
    const path of [
      "/t/etc/resolv.conf",
      "/t/dhcp/dhclient.leases",
      "/t/mif/neta.dhcpv6.env",
      "/t/networkd/3",
      "/t/dhcpcd/eth0-home.lease6",
      "/t/run/dhclient.eth0.leases",
    ]
  ) assert.ok(sources.isSourceFile(path), path);
  for (
    const path of [
      "/t/etc/dnsmasq.log",
      "/t/etc/resolv.conf.tmp",
      "/t/dhcp/notes.txt",
      "/t/networkd/.3.tmp",
      "/t/run/other.leases",
      "/t/etc/sub/resolv.conf",
    ]
  ) assert.ok(!sources.isSourceFile(path), path);
});

Deno.test("relative source paths match the absolute paths file system events name", () => {
  const sources = new ConfigSources({
    resolvConf: "resolv.conf",
    leaseDirs: ["./leases/"],
    networkdLeases: "networkd",
    dhcpcdLeases: "dhcpcd",
  });
  const cwd = Deno.cwd();
  assert.ok(sources.isSourceFile(`${cwd}/resolv.conf`));
  assert.ok(sources.isSourceFile(`${cwd}/leases/eth0.leases`));
  assert.ok(sources.isSourceFile(`${cwd}/networkd/2`));
  assert.ok(!sources.isSourceFile(`${cwd}/other.log`));
  assert.ok(sources.watchPaths().includes("."), "resolv.conf's directory is watched");
});

Deno.test("a fresh read reports no dhclient list change: it already read with the new list", async () => {
  const paths = {
    resolvConf: "/nonexistent/resolv.conf",
    leaseDirs: [],
    networkdLeases: "/nonexistent/n",
    dhcpcdLeases: "/nonexistent/d",
  };
  // A list no listing of running dhclients can find: the next listing differs.
  const fresh = new ConfigSources(paths);
  fresh.dhclientFiles = ["/nonexistent/run/dhclient.stale.leases"];
  const read = await fresh.read(new Map());
  assert.equal(await read.discovery, false);
  assert.ok(!fresh.dhclientFiles.includes("/nonexistent/run/dhclient.stale.leases"));

  const kept = new ConfigSources(paths);
  kept.dhclientFiles = ["/nonexistent/run/dhclient.stale.leases"];
  const quick = await kept.read(new Map(), undefined, false);
  assert.equal(await quick.discovery, true, "read with the old list: read again");
});

Deno.test("notes come in the sources' order, whichever source finishes first", async () => {
  const sources = new ConfigSources({
    resolvConf: "/nonexistent/resolv.conf",
    leaseDirs: [],
    networkdLeases: "/nonexistent/networkd",
    dhcpcdLeases: "/nonexistent/dhcpcd",
  });
  const expected = ["/nonexistent/networkd", "/nonexistent/dhcpcd", "/nonexistent/resolv.conf"];
  for (let k = 0; k < 5; k++) {
    const { notes } = await sources.read(new Map());
    const sourcesNoted = notes.map((n) => n.source);
    assert.deepEqual(sourcesNoted.filter((s) => expected.includes(s)), expected);
    // nmcli's and resolvectl's notes (when they are not running) keep their places too.
    const nm = sourcesNoted.indexOf("nmcli");
    const resolved = sourcesNoted.indexOf("resolvectl");
    if (nm >= 0) assert.ok(nm > sourcesNoted.indexOf("/nonexistent/dhcpcd"));
    if (nm >= 0 && resolved >= 0) assert.ok(nm < resolved);
  }
});
