import assert from "node:assert/strict";
import type { SourceNote } from "../../../protocol/model.ts";
import {
  readDhclient,
  readDhcpcd,
  readNetworkctl,
  readNetworkdLeases,
  readNmcli,
  readResolvConf,
  readResolvectl,
} from "../../../platform/linux/source_readers.ts";

import { withTempDir } from "../../fixtures/helpers.ts";

const DATA = new URL("../../testdata/", import.meta.url).pathname;

const withDir = (use: (dir: string) => Promise<void>) => withTempDir("mif-readers-", use);

Deno.test("readDhclient reads hook records before lease files, running dhclients' files once", async () => {
  await withDir(async (dir) => {
    await Deno.copyFile(`${DATA}/testbed/dhclient_neta4.leases`, `${dir}/neta4.leases`);
    await Deno.copyFile(`${DATA}/testbed/neta.dhcpv6.env`, `${dir}/neta.dhcpv6.env`);
    const notes: SourceNote[] = [];
    const data = await readDhclient(
      { links: new Map(), notes },
      [dir],
      () => [`${dir}/neta4.leases`],
    );
    assert.deepEqual(notes, []);
    assert.deepEqual(data.flatMap((d) => [...d.dhcp6, ...d.dhcp4]).map((l) => l.source), [
      `${dir}/neta.dhcpv6.env`,
      `${dir}/neta4.leases`,
    ]);
  });
});

Deno.test("readDhclient reads the running dhclients' files from a list still being made", async () => {
  await withDir(async (dir) => {
    await Deno.copyFile(`${DATA}/testbed/dhclient_neta4.leases`, `${dir}/run.leases`);
    await Deno.mkdir(`${dir}/leases`);
    await Deno.copyFile(`${DATA}/testbed/neta.dhcpv6.env`, `${dir}/leases/neta.dhcpv6.env`);
    let listed!: (files: string[]) => void;
    const list = new Promise<string[]>((resolve) => listed = resolve);
    const notes: SourceNote[] = [];
    const reading = readDhclient({ links: new Map(), notes }, [`${dir}/leases`], () => list);
    setTimeout(() => listed([`${dir}/run.leases`]), 50);
    const data = await reading;
    assert.deepEqual(notes, []);
    assert.deepEqual(data.flatMap((d) => [...d.dhcp6, ...d.dhcp4]).map((l) => l.source), [
      `${dir}/leases/neta.dhcpv6.env`,
      `${dir}/run.leases`,
    ]);
  });
});

Deno.test("readDhclient notes that there is nothing to read, but not each missing directory", async () => {
  const notes: SourceNote[] = [];
  const data = await readDhclient(
    { links: new Map(), notes },
    ["/nonexistent/a", "/nonexistent/b"],
    () => [],
  );
  assert.deepEqual(data, []);
  assert.deepEqual(notes, [{
    source: "dhclient",
    reason: "no running dhclient, and no lease files in /nonexistent/a, /nonexistent/b",
  }]);
});

Deno.test("readNetworkdLeases reads the leases of known interfaces and skips other indexes", async () => {
  await withDir(async (dir) => {
    const text = await Deno.readTextFile(`${DATA}/networkd/stateful/lease-initial`);
    await Deno.writeTextFile(`${dir}/2`, text);
    await Deno.writeTextFile(`${dir}/7`, text);
    await Deno.writeTextFile(`${dir}/notes.txt`, "not a lease");
    const notes: SourceNote[] = [];
    const links = Promise.resolve(new Map([[2, "nd0"]]));
    const data = await readNetworkdLeases({ links, notes }, dir);
    assert.deepEqual(notes, []);
    assert.deepEqual(
      data.flatMap((d) => d.dhcp4).map((l) => [l.interfaceName, l.address, l.source]),
      [["nd0", "198.51.100.135", `${dir}/2`]],
    );
  });
});

Deno.test("readNetworkdLeases notes a garbled lease and keeps the others", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/2`,
      await Deno.readTextFile(`${DATA}/networkd/stateful/lease-initial`),
    );
    await Deno.writeTextFile(`${dir}/3`, "ADDRESS=not-an-address\n");
    const notes: SourceNote[] = [];
    const links = new Map([[2, "nd0"], [3, "nd1"]]);
    const data = await readNetworkdLeases({ links, notes }, dir);
    assert.deepEqual(data.flatMap((d) => d.dhcp4).map((l) => l.interfaceName), ["nd0"]);
    assert.deepEqual(notes.map((n) => n.source), [`${dir}/3`]);
  });
});

Deno.test("readNetworkctl runs nothing without networkd's links directory", async () => {
  await withDir(async (dir) => {
    const notes: SourceNote[] = [];
    assert.deepEqual(
      await readNetworkctl({ links: new Map([[2, "nd0"]]), notes }, `${dir}/leases`),
      [],
    );
    assert.deepEqual(notes, []);
  });
});

Deno.test("readDhcpcd, readNmcli and readResolvectl note a service that is not there", async () => {
  const notes: SourceNote[] = [];
  const ctx = { links: new Map(), notes };
  assert.deepEqual(await readDhcpcd(ctx, "/nonexistent/dhcpcd"), []);
  assert.deepEqual(await readNmcli(ctx, "/nonexistent/nm"), []);
  assert.deepEqual(await readResolvectl(ctx, "/nonexistent/resolve"), []);
  assert.deepEqual(notes, [
    { source: "/nonexistent/dhcpcd", reason: "not present" },
    { source: "nmcli", reason: "NetworkManager is not running (no /nonexistent/nm)" },
    { source: "resolvectl", reason: "systemd-resolved is not running (no /nonexistent/resolve)" },
  ]);
});

Deno.test("readResolvConf reads the file; a missing one is a note; an aborted read throws", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/resolv.conf`, "nameserver 198.18.1.1\nsearch a.example\n");
    const notes: SourceNote[] = [];
    const [data] = await readResolvConf({ links: new Map(), notes }, `${dir}/resolv.conf`);
    assert.deepEqual(data.resolvers.map((r) => [r.dnsServers, r.searchDomains]), [
      [["198.18.1.1"], ["a.example"]],
    ]);
    assert.deepEqual(await readResolvConf({ links: new Map(), notes }, `${dir}/missing`), []);
    assert.deepEqual(notes, [{ source: `${dir}/missing`, reason: "not present" }]);
    const signal = AbortSignal.abort();
    await assert.rejects(readResolvConf({ links: new Map(), notes, signal }, `${dir}/missing`));
    assert.equal(notes.length, 1);
  });
});

/**
 * readDhcpcd over a lease directory holding cl0.lease, with a fake `dhcpcd -U`
 * that gives `answers` in turn (the last one from then on).
 */
async function dumpWith(
  answers: readonly ((dir: string) => Promise<string>)[],
): Promise<{ dhcp4: number; notes: SourceNote[]; calls: number }> {
  let calls = 0;
  const notes: SourceNote[] = [];
  let dhcp4 = 0;
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/cl0.lease`, "dhcpcd's own format: mif reads only its name");
    const dumpDhcpcd = () => answers[Math.min(calls++, answers.length - 1)](dir);
    const data = await readDhcpcd({ links: new Map(), notes, dumpDhcpcd }, dir);
    dhcp4 = data.flatMap((d) => d.dhcp4).length;
  });
  return { dhcp4, notes, calls };
}

const realDump = () => Deno.readTextFile(`${DATA}dhcpcd/dump4.txt`);
const exited = () => Promise.reject(new Error("dhcpcd -U -4 cl0 exited with status 1"));

Deno.test("readDhcpcd asks dhcpcd again when a dump fails or is empty during a rewrite, instead of dropping the lease", async () => {
  // dhcpcd rewrites a lease in place (O_TRUNC, then write): a dump can catch it half done.
  const r = await dumpWith([exited, () => Promise.resolve(""), realDump]);
  assert.equal(r.calls, 3);
  assert.equal(r.dhcp4, 1, "the lease is kept");
  assert.deepEqual(r.notes, []);
});

Deno.test("readDhcpcd gives up on a lease whose dump keeps failing: a note and no data", async () => {
  const r = await dumpWith([exited]);
  assert.equal(r.calls, 3, "the first try and two more");
  assert.equal(r.dhcp4, 0);
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0].source, /^dhcpcd -U -4 cl0$/);
});

Deno.test("readDhcpcd does not ask again about a lease whose file is gone (released)", async () => {
  const r = await dumpWith([async (dir) => {
    await Deno.remove(`${dir}/cl0.lease`);
    return await exited();
  }]);
  assert.equal(r.calls, 1);
  assert.equal(r.dhcp4, 0);
  assert.equal(r.notes.length, 1);
});
