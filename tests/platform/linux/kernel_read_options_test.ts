import assert from "node:assert/strict";
import { KernelReader, type KernelTables } from "../../../platform/linux/read_host.ts";

/**
 * Runs `body` with a KernelReader whose ip is a wrapper that logs each
 * command line and runs this host's `ip` (read-only commands: show and
 * -batch). Closes the reader and removes the wrapper even on failure.
 */
async function withLoggedIp(
  body: (reader: KernelReader, log: () => Promise<string[]>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mif-kernel-options-" });
  const reader = new KernelReader(`${dir}/ip`);
  try {
    await Deno.writeTextFile(`${dir}/ip`, `#!/bin/sh\necho "$*" >> ${dir}/log\nexec ip "$@"\n`);
    await Deno.chmod(`${dir}/ip`, 0o755);
    const log = () =>
      Deno.readTextFile(`${dir}/log`).then((t) => t.split("\n").filter(Boolean), () => []);
    await body(reader, log);
  } finally {
    await reader.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const batches = (lines: string[]) => lines.filter((l) => l.endsWith("-batch -")).sort();

/**
 * The batch command lines logged once `count` are, or after `ms` (a
 * started batch process logs when its shell runs, maybe after the read).
 */
async function loggedBatches(
  log: () => Promise<string[]>,
  count: number,
  ms = 5000,
): Promise<string[]> {
  const end = Date.now() + ms;
  while (batches(await log()).length < count && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return batches(await log());
}

Deno.test({
  name:
    "a full read with warm: false starts no ip -batch; warm() starts the four, tables reads use them",
  ignore: Deno.build.os !== "linux",
  fn: () =>
    withLoggedIp(async (reader, log) => {
      await reader.read("full", undefined, undefined, { warm: false });
      assert.deepEqual(await loggedBatches(log, 1, 300), [], "nothing spawned for the next change");
      reader.warm();
      reader.warm(); // Running ones are not started again.
      const tables = await reader.read("tables");
      assert.ok(Array.isArray(tables.routes));
      assert.deepEqual(await loggedBatches(log, 4), [
        "-4 -j -batch -",
        "-6 -j -batch -",
        "-6 -j -batch -",
        "-j -batch -",
      ]);
      assert.equal(reader.fallbacks, 0);
    }),
});

Deno.test({
  name: "by default a full read starts the batch processes at once",
  ignore: Deno.build.os !== "linux",
  fn: () =>
    withLoggedIp(async (reader, log) => {
      await reader.read("full");
      assert.equal((await loggedBatches(log, 4)).length, 4);
    }),
});

Deno.test({
  name: "onTables is called once per read, before it resolves, with the tables the state holds",
  ignore: Deno.build.os !== "linux",
  fn: () =>
    withLoggedIp(async (reader) => {
      for (const scope of ["full", "tables"] as const) {
        const seen: KernelTables[] = [];
        let resolved = false;
        const reading = reader.read(scope, undefined, undefined, {
          onTables: (tables) => {
            assert.equal(resolved, false, "called before the read resolves");
            seen.push(tables);
          },
        });
        const state = await reading.finally(() => resolved = true);
        assert.equal(seen.length, 1, scope);
        assert.equal(seen[0].addresses, state.addresses, scope);
        assert.equal(seen[0].routes, state.routes, scope);
        assert.equal(seen[0].neighbours, state.neighbours, scope);
      }
    }),
});
