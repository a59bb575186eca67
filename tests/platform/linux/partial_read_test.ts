import assert from "node:assert/strict";
import { quietPlatform } from "./quiet_platform.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Real lines of `ip -o monitor label link address route` (see kernel_change_test.ts).
const ADDR = String
  .raw`[ADDR]3: d0    inet6 2001:db8:5::100/64 scope global nodad \       valid_lft forever preferred_lft forever`;
const ROUTE = String
  .raw`[ROUTE]local 2001:db8:5::100 dev d0 table local proto kernel metric 0 pref medium`;
const LINK = String
  .raw`[LINK]3: d0@d0p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1300 qdisc noqueue state UP group default \    link/ether 06:7c:32:97:83:ea brd ff:ff:ff:ff:ff:ff`;

/**
 * A monitor that prints each group of lines at once (one write), or line by
 * line 1 ms apart (`spaced`), a group every `gap` ms after a quiet start,
 * then stays silent.
 */
function monitorPrinting(groups: readonly string[][], gap: number, spaced: boolean): string[] {
  const script = `const groups = ${JSON.stringify(groups)};
const write = (text) => Deno.stdout.write(new TextEncoder().encode(text));
await new Promise((r) => setTimeout(r, 1500));
for (const g of groups) {
  if (${spaced}) {
    for (const l of g) {
      await write(l + "\\n");
      await new Promise((r) => setTimeout(r, 1));
    }
  } else await write(g.map((l) => l + "\\n").join(""));
  await new Promise((r) => setTimeout(r, ${gap}));
}
await new Promise(() => {});`;
  return [Deno.execPath(), "eval", script];
}

async function readsAfterEvents(groups: string[][], spaced = false): Promise<string[][]> {
  const dir = await Deno.makeTempDir({ prefix: "mif-partial-" });
  await Deno.writeTextFile(`${dir}/resolv.conf`, "nameserver 198.51.100.53\n");
  // What each monitor line led to: the scopes of the reads that started until the next line.
  const afterEvent: string[][] = [];
  const platform = quietPlatform(dir, {
    monitorCommand: monitorPrinting(groups, 500, spaced),
    onStep: (step, scope) => {
      if (step === "event") afterEvent.push([]);
      else if (step === "read") afterEvent.at(-1)?.push(scope!);
    },
  });
  try {
    await platform.start(() => {});
    const end = Date.now() + 1500 + groups.length * 500 + 5000;
    while (afterEvent.length < groups.length && Date.now() < end) await sleep(50);
    // The rest of a spaced group, and any trailing read.
    await sleep(500);
  } finally {
    await platform.close();
    await Deno.remove(dir, { recursive: true });
  }
  return afterEvent;
}

Deno.test({
  name:
    "an address or route line reads the kernel's tables at once; a link or unknown line reads all",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const reads = await readsAfterEvents([[ADDR, ROUTE], [ROUTE], [LINK], [
      "2: eth0 inet 198.51.100.7/24",
    ]]);
    assert.equal(reads.length, 4, JSON.stringify(reads));
    // The first read after each line has that line's scope (a trailing read may follow).
    assert.deepEqual(reads.map((r) => r[0]), ["tables", "tables", "full", "full"]);
  },
});

Deno.test({
  name: "a burst of monitor lines is read together: one read per chunk at most, far fewer per line",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const burst = Array.from({ length: 20 }, (_, i) => (i % 2 ? ROUTE : ADDR));
    // One write: one chunk, one read.
    const chunk = await readsAfterEvents([burst]);
    assert.deepEqual(chunk, [["tables"]]);
    // 20 writes 1 ms apart: the first is read at once, the rest gathered while reads run.
    const spaced = await readsAfterEvents([burst], true);
    const reads = spaced.flat();
    assert.ok(reads.length >= 1 && reads.length <= burst.length / 2, JSON.stringify(spaced));
    assert.ok(reads.every((s) => s === "tables"), JSON.stringify(spaced));
    assert.equal(spaced[0][0], "tables", "the first line is read at once");
  },
});
