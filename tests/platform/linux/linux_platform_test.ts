import assert from "node:assert/strict";
import { quietPlatform } from "./quiet_platform.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "a write beside resolv.conf costs no re-read, a rewritten resolv.conf is re-read",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mif-watch-" });
    await Deno.mkdir(`${dir}/leases`);
    await Deno.writeTextFile(`${dir}/resolv.conf`, "nameserver 198.51.100.53\n");
    // The kernel monitor is replaced by a process that prints nothing, so
    // only the file watcher can ask for a re-read.
    const platform = quietPlatform(dir, { leaseDirs: [`${dir}/leases`] });
    try {
      let reads = 0;
      await platform.start((event) => {
        if (event.type === "snapshot") reads++;
      });
      for (let seen = -1; seen !== reads;) { // Until the start's own follow-ups are over.
        seen = reads;
        await sleep(300);
      }
      const before = reads;
      for (let i = 0; i < 20; i++) {
        await Deno.writeTextFile(`${dir}/dnsmasq.log`, `query ${i}\n`, { append: true });
        await Deno.writeTextFile(`${dir}/leases/notes.txt`, `${i}\n`);
      }
      await sleep(300);
      assert.equal(reads, before, "files that are no source changed nothing");
      await Deno.writeTextFile(`${dir}/resolv.tmp`, "nameserver 198.51.100.54\n");
      await Deno.rename(`${dir}/resolv.tmp`, `${dir}/resolv.conf`);
      const end = Date.now() + 5000;
      while (reads === before && Date.now() < end) await sleep(20);
      assert.ok(reads > before, "the replaced resolv.conf was read again");
      const leaseBefore = reads;
      await Deno.writeTextFile(`${dir}/leases/eth9.leases`, "");
      while (reads === leaseBefore && Date.now() < end + 5000) await sleep(20);
      assert.ok(reads > leaseBefore, "a new lease file was read");
    } finally {
      await platform.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** This process's children (pid and command), as ps lists them. */
async function children(): Promise<string[]> {
  const out = await new Deno.Command("ps", {
    args: ["--ppid", String(Deno.pid), "-o", "pid=,args="],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").map((l) => l.trim()).filter((l) =>
    l !== "" && !/\bps --ppid\b/.test(l)
  );
}

Deno.test({
  name: "closing while start() reads the host leaves no tool running, wherever the read is",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mif-close-" });
    try {
      await Deno.writeTextFile(`${dir}/resolv.conf`, "nameserver 198.51.100.53\n");
      for (const after of [0, 5, 20, 60, 150, 400]) {
        const platform = quietPlatform(dir);
        const starting = platform.start(() => {}).then(() => "started", (e) => e.name);
        await sleep(after);
        await platform.close();
        const outcome = await starting;
        assert.ok(["started", "Interrupted"].includes(outcome), `${after} ms: ${outcome}`);
        assert.deepEqual(await children(), [], `closed after ${after} ms (${outcome})`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
