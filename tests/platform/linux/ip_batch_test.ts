import assert from "node:assert/strict";
import { IpBatch } from "../../../platform/linux/ip_batch.ts";

/** A stand-in for ip: an executable shell script in a temp dir. */
async function fakeIp(body: string): Promise<{ program: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "mif-ipbatch-" });
  const program = `${dir}/ip`;
  await Deno.writeTextFile(program, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(program, 0o755);
  return { program, dir };
}

Deno.test("a batch answers commands in order from one process", async () => {
  const { program, dir } = await fakeIp('while read -r line; do echo "[\\"$line\\"]"; done');
  const batch = new IpBatch(["-j"], { program });
  try {
    const answers = await Promise.all(["addr show", "route show table all", "neigh show"]
      .map((c) => batch.run(c)));
    assert.deepEqual(answers, ['["addr show"]', '["route show table all"]', '["neigh show"]']);
    assert.equal(batch.starts, 1);
    assert.throws(() => batch.run("addr show\nlink show"), TypeError);
  } finally {
    await batch.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a batch process that dies fails its command, and the next command starts another", async () => {
  // Answers one command, then exits.
  const { program, dir } = await fakeIp('read -r line; echo "[\\"$line\\"]"');
  const batch = new IpBatch(["-j"], { program });
  try {
    assert.equal(await batch.run("addr show"), '["addr show"]');
    await assert.rejects(batch.run("addr show"), /^Error: Cannot run ip -batch: /);
    assert.equal(await batch.run("link show"), '["link show"]');
    assert.equal(batch.starts, 2);
  } finally {
    await batch.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a batch process that does not answer in time is given up", async () => {
  // Reads and never answers (a failed ip command prints nothing on stdout).
  const { program, dir } = await fakeIp("while read -r line; do :; done");
  const batch = new IpBatch(["-j"], { program, timeout: 100 });
  try {
    await assert.rejects(batch.run("addr show dev nope"), /no answer in 100 ms/);
    await assert.rejects(batch.run("addr show"), /no answer in 100 ms/);
    assert.equal(batch.starts, 2, "the silent process was replaced");
  } finally {
    await batch.close();
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(batch.run("addr show"), /it is closed/);
});

Deno.test({
  name: "ip -j -batch - answers as the spawned ip command does",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const spawned = await new Deno.Command("ip", { args: ["-j", "addr", "show", "dev", "lo"] })
      .output();
    assert.ok(spawned.success);
    const batch = new IpBatch(["-j"]);
    try {
      const line = await batch.run("addr show dev lo");
      assert.deepEqual(JSON.parse(line), JSON.parse(new TextDecoder().decode(spawned.stdout)));
      // A second command, same process.
      assert.deepEqual(JSON.parse(await batch.run("addr show dev lo")), JSON.parse(line));
      assert.equal(batch.starts, 1);
    } finally {
      await batch.close();
    }
  },
});

Deno.test("a batch answer of one long line in many chunks comes whole, and the next one after it", async () => {
  // 2,000 writes of 500 characters, then the newline: a 1 MB line as ip -j prints a table.
  const part = "x".repeat(500);
  const { program, dir } = await fakeIp(
    `while read -r line; do i=0; while [ $i -lt 2000 ]; do printf '%s' '${part}'; i=$((i+1)); done; echo "$line"; done`,
  );
  const batch = new IpBatch(["-j"], { program });
  try {
    const [a, b] = await Promise.all([batch.run("one"), batch.run("two")]);
    assert.equal(a, part.repeat(2000) + "one");
    assert.equal(b, part.repeat(2000) + "two");
  } finally {
    await batch.close();
    await Deno.remove(dir, { recursive: true });
  }
});
