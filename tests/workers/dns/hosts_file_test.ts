import assert from "node:assert/strict";
import { hostAddresses, parseHosts, readHosts } from "../../../workers/dns/hosts_file.ts";

const HOSTS = new URL("../../testdata/hosts", import.meta.url).pathname;

Deno.test("the hosts fixture parses to names with their addresses, in file order, each once", async () => {
  const table = parseHosts(await Deno.readTextFile(HOSTS));
  assert.deepEqual(Object.fromEntries(table), {
    "localhost": ["127.0.0.1", "::1"],
    "ip6-localhost": ["::1"],
    "ip6-loopback": ["::1"],
    "router.example": ["198.51.100.1", "2001:db8::1"],
    "router": ["198.51.100.1"],
    "printer.example": ["198.51.100.2"],
    "printer": ["198.51.100.2"],
    "indented.example": ["203.0.113.5"],
    "tab.example": ["198.51.100.6"],
    "alias6": ["198.51.100.6"],
    "dup.example": ["203.0.113.7", "203.0.113.8"],
    "linklocal.example": ["fe80::1%eth0"],
    "hash.example": ["198.51.100.9"],
  });
});

Deno.test("bad lines are skipped: no IP first, a bad IP, no name, a comment", () => {
  const table = parseHosts(
    "not-an-address broken.example\n198.51.100.300 bad.example\n2001:db8::zz v6.example\n" +
      "198.51.100.3\n# 198.51.100.4 commented.example\n01.2.3.4 octal.example\n",
  );
  assert.equal(table.size, 0);
});

Deno.test("CRLF line ends and trailing dots are accepted", () => {
  const table = parseHosts("198.51.100.5 www.example.\r\n198.51.100.6 ftp.example\r\n");
  assert.deepEqual(hostAddresses(table, "www.example", ["ipv4"]), ["198.51.100.5"]);
  assert.deepEqual(hostAddresses(table, "FTP.Example.", ["ipv4"]), ["198.51.100.6"]);
});

Deno.test("lookups match case-insensitively and keep only the families asked", () => {
  const table = parseHosts("198.51.100.1 Router.example\n2001:db8::1 router.EXAMPLE\n");
  assert.deepEqual(hostAddresses(table, "ROUTER.example.", ["ipv4", "ipv6"]), [
    "198.51.100.1",
    "2001:db8::1",
  ]);
  assert.deepEqual(hostAddresses(table, "router.example", ["ipv6"]), ["2001:db8::1"]);
  assert.deepEqual(hostAddresses(table, "other.example", ["ipv4", "ipv6"]), []);
});

Deno.test("reading: null and a missing file are an empty table, a directory is a problem", async () => {
  assert.deepEqual(await readHosts(null), { ok: true, table: new Map() });
  assert.deepEqual(await readHosts("/nonexistent/hosts"), { ok: true, table: new Map() });
  const read = await readHosts(new URL("../../testdata", import.meta.url).pathname);
  assert.equal(read.ok, false);
  assert.ok(!read.ok && read.problem.startsWith("cannot read the host table "));
  const ok = await readHosts(HOSTS);
  assert.ok(ok.ok && ok.table.has("router.example"));
});

Deno.test("a name with 30,000 addresses keeps each once, in file order", () => {
  const lines = Array.from(
    { length: 30_000 },
    (_, i) => `198.18.${i >> 8 & 0xff}.${i & 0xff} many`,
  );
  const table = parseHosts([...lines, lines[0]].join("\n"));
  const addresses = table.get("many")!;
  assert.equal(addresses.length, 30_000);
  assert.equal(addresses[0], "198.18.0.0");
  assert.equal(addresses.at(-1), "198.18.117.47");
});
