/**
 * Measures, on the real-network test bed (root, Linux), how long a kernel
 * address change takes to reach a watching subscriber, and how long
 * `mif status` takes. Not a Deno.bench file: each sample needs a real
 * change and a real process. Run it with `deno task bench:linux`.
 *
 * Change latency is taken from just before `ip addr add|del` is spawned in
 * the host namespace to the arrival of the (no-)address-announcement line
 * from `mif watch --json` in this process: an upper bound that includes
 * spawning ip (a few ms) and the pipe.
 *
 * `--ipv6` builds the test bed with its IPv6 links too (a default and a stub
 * router on netd, a non-forwarding router, renumbering, stateful DHCPv6), so
 * that `mif status` — the first snapshot — asks every router there.
 */

import { testbedUnavailable } from "../tests/testbed/prerequisites.ts";
import { TestBed } from "../tests/testbed/testbed.ts";
import { mifArgs, Watch } from "../tests/testbed/mif_process.ts";

const ipv6 = Deno.args.includes("--ipv6");
const SAMPLES = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 50);

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
  return `${label}: n=${s.length} p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, min ${
    s[0].toFixed(1)
  } ms, max ${s.at(-1)!.toFixed(1)} ms`;
}

async function timeCommand(program: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(program, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return performance.now() - t0;
}

const unavailable = await testbedUnavailable();
if (unavailable) {
  console.error(`Cannot run the Linux benchmark: ${unavailable}`);
  Deno.exit(1);
}

await using bed = await TestBed.create({ ipv6 });
{
  await using watch = new Watch(bed);
  await watch.next(0, (m) => m.type === "address-announcement" && m.pdId === "nets/ipv6", "start");
  let i = await watch.settle(1000);
  const added: number[] = [], removed: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const address = `2001:db8:5::${(0x100 + k).toString(16)}`;
    for (
      const [verb, type, into] of [
        ["add", "address-announcement", added],
        ["del", "no-address-announcement", removed],
      ] as const
    ) {
      const t0 = performance.now();
      await bed.ip(
        bed.ns.host,
        "addr",
        verb,
        `${address}/64`,
        "dev",
        "nets",
        ...(verb === "add" ? ["nodad"] : []),
      );
      const at = await watch.next(i, (m) => m.type === type && m.address === address, address);
      into.push(watch.messages[at].at - t0);
      i = at + 1;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(summary("address added → address-announcement", added));
  console.log(summary("address removed → no-address-announcement", removed));
}

const status: number[] = [];
for (let k = 0; k < 10; k++) status.push(await timeCommand("ip", mifArgs(bed, "status", "--json")));
console.log(summary(
  `mif status --json in the test bed host (rdisc6 on ${ipv6 ? "6 links" : "2 links"})`,
  status,
));

const root: number[] = [];
const cli = new URL("../cli.ts", import.meta.url).pathname;
for (let k = 0; k < 10; k++) {
  root.push(
    await timeCommand(Deno.execPath(), [
      "run",
      "--unstable-worker-options",
      "--allow-read",
      "--allow-net",
      "--allow-run",
      cli,
      "status",
    ]),
  );
}
console.log(summary("mif status on this machine (root namespace, read only)", root));
