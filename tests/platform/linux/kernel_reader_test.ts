import assert from "node:assert/strict";
import { KernelReader, type KernelState, readKernel } from "../../../platform/linux/read_host.ts";

const root = Deno.build.os === "linux" && Deno.uid() === 0;

async function run(...argv: string[]): Promise<void> {
  const out = await new Deno.Command(argv[0], { args: argv.slice(1), stderr: "piped" }).output();
  if (!out.success) throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** The tables without the seconds that tick between two reads. */
function tables(state: KernelState) {
  return {
    addresses: state.addresses.map((a) => ({ ...a, validLifetime: 0, preferredLifetime: 0 })),
    routes: state.routes.map((r) => ({ ...r, expires: 0 })),
    neighbours: state.neighbours,
  };
}

/** Runs `ip` in the namespace. */
type Ip = (...args: string[]) => Promise<void>;

/**
 * Runs `body` against a network namespace of its own (`mif<tag><pid>`) with
 * a veth pair k0–`peer`, lo and both ends up, and a reader whose ip runs in
 * it: the reader runs "<program> -j ..." and "<program> -6 -j -batch -",
 * `program` being a wrapper script; closes the reader and removes the
 * namespace and the script even on failure.
 */
async function withNamespace(
  tag: string,
  peer: string,
  body: (reader: KernelReader, ip: Ip, program: string) => Promise<void>,
): Promise<void> {
  const ns = `mif${tag}${Deno.pid}`;
  const dir = await Deno.makeTempDir({ prefix: `mif-kernel-${tag}-` });
  try {
    const program = `${dir}/ip`;
    await Deno.writeTextFile(program, `#!/bin/sh\nexec ip -n ${ns} "$@"\n`);
    await Deno.chmod(program, 0o755);
    await run("ip", "netns", "add", ns);
    const reader = new KernelReader(program);
    try {
      const ip: Ip = (...args) => run("ip", "-n", ns, ...args);
      await ip("link", "add", "k0", "type", "veth", "peer", "name", peer);
      for (const dev of ["lo", "k0", peer]) await ip("link", "set", dev, "up");
      await body(reader, ip, program);
    } finally {
      await reader.close();
      await run("ip", "netns", "del", ns).catch(() => {});
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "after an address change a tables read sees it through ip -batch, keeping the links",
  ignore: !root,
  fn: () =>
    withNamespace("kr", "k0p", async (reader, ip, program) => {
      const full = await reader.read("full");
      assert.deepEqual(full.links.map((l) => l.name).sort(), ["k0", "k0p", "lo"]);

      await ip("addr", "add", "2001:db8:5::100/64", "dev", "k0", "nodad");
      await ip(
        "addr",
        "add",
        "198.51.100.9/24",
        "dev",
        "k0",
        "valid_lft",
        "600",
        "preferred_lft",
        "300",
      );
      await ip(
        "-6",
        "route",
        "add",
        "2001:db8:7::/48",
        "via",
        "2001:db8:5::1",
        "dev",
        "k0",
        "expires",
        "600",
      );
      const after = await reader.read("tables");
      assert.equal(after.links, full.links, "the links are kept, not read");
      assert.equal(after.types, full.types);
      assert.ok(after.addresses.some((a) => a.address === "2001:db8:5::100"));
      const v4 = after.addresses.find((a) => a.address === "198.51.100.9");
      assert.ok(v4 && v4.dynamic && v4.validLifetime! <= 600 && v4.validLifetime! > 590);
      const route = after.routes.find((r) => r.destination === "2001:db8:7::/48");
      assert.ok(route && route.expires! <= 600 && route.expires! > 590);
      // Exactly what the spawned commands read.
      assert.deepEqual(tables(after), tables(await readKernel(undefined, program)));
      assert.equal(reader.fallbacks, 0, "no command had to be spawned");

      // A renamed link: the full read restarts the batch processes, whose
      // iproute2 caches interface names by index.
      await ip("link", "set", "k0", "down");
      await ip("link", "set", "k0", "name", "k1");
      await ip("link", "set", "k1", "up");
      await ip("addr", "add", "2001:db8:6::100/64", "dev", "k1", "nodad");
      await reader.read("full");
      const renamed = await reader.read("tables");
      const devices = new Set(renamed.routes.map((r) => r.device));
      assert.ok(devices.has("k1") && !devices.has("k0"), [...devices].join(" "));
      assert.ok(renamed.addresses.some((a) => a.interfaceName === "k1"));
    }),
});

Deno.test({
  name: "the first read of a reader is full even when asked for the tables",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const reader = new KernelReader();
    try {
      const state = await reader.read("tables");
      assert.ok(state.links.some((l) => l.name === "lo"));
      assert.equal(state.types.get("lo"), "loopback");
    } finally {
      await reader.close();
    }
  },
});

/** Tables in an order that does not depend on how they were read. */
function sorted(state: KernelState) {
  const t = tables(state);
  const key = (o: unknown) => JSON.stringify(o);
  return {
    addresses: t.addresses.map(key).sort(),
    routes: t.routes.map(key).sort(),
    neighbours: (t.neighbours ?? []).map(key).sort(),
  };
}

Deno.test({
  name: "a read of a few links merges their addresses and routes into what a full read gives",
  ignore: !root,
  fn: () =>
    withNamespace("kl", "k1", async (reader, ip, program) => {
      await ip("addr", "add", "198.18.0.1/30", "dev", "k0");
      await ip("addr", "add", "198.18.0.5/30", "dev", "k1");
      await ip("addr", "add", "2001:db8:1::1/64", "dev", "k1", "nodad");
      const full = await reader.read("full");
      await ip("addr", "add", "2001:db8:5::100/64", "dev", "k0", "nodad");
      await ip("-6", "route", "add", "2001:db8:7::/48", "via", "2001:db8:5::1", "dev", "k0");
      await ip("addr", "del", "198.18.0.1/30", "dev", "k0");
      const merged = await reader.read("tables", undefined, new Set(["k0"]));
      assert.deepEqual(reader.lastLinks, new Set(["k0"]), "read link by link");
      assert.equal(merged.links, full.links, "the links are kept");
      assert.ok(
        merged.routes.some((r) => r.destination === "2001:db8:7::/48" && r.device === "k0"),
      );
      assert.deepEqual(sorted(merged), sorted(await readKernel(undefined, program)));

      // A link that no longer exists: either ip -batch still knows its index
      // (and finds nothing of it) or it fails and every table is read; no hang.
      await ip("link", "del", "k0"); // And its peer k1.
      const gone = await reader.read("tables", undefined, new Set(["k0", "k1"]));
      assert.ok(!gone.routes.some((r) => r.device === "k0" || r.device === "k1"));
      assert.deepEqual(sorted(gone), sorted(await readKernel(undefined, program)));
      // A link the last read did not know: whole tables too.
      await reader.read("tables", undefined, new Set(["nope"]));
      assert.equal(reader.lastLinks, undefined);
    }),
});
