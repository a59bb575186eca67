/**
 * Measures, on the real-network test bed with its IPv6 links (root, Linux),
 * the wall time of `mif status --json` in the host namespace: spawning the
 * process, reading the host, soliciting every router with rdisc6 (a default
 * and a stub router on netd, N, R, M, A, C1 and C2) and printing. Not a
 * Deno.bench file: each sample is a real process on real links. Run it
 * with `deno run --allow-all bench/status_linux.ts [samples] [--gap ms]`
 * (default 20 samples, 3,500 ms apart: dnsmasq answers a solicitation
 * with at most one RA per 3 s, RFC 4861 MIN_DELAY_BETWEEN_RAS, so
 * back-to-back runs would time the routers' rate limit, not mif).
 */

import { testbedUnavailable } from "../tests/testbed/prerequisites.ts";
import { TestBed } from "../tests/testbed/testbed.ts";
import { mifArgs } from "../tests/testbed/mif_process.ts";

const SAMPLES = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 20);
const gapAt = Deno.args.indexOf("--gap");
const GAP_MS = gapAt >= 0 ? Number(Deno.args[gapAt + 1]) : 3500;

/** The nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

const unavailable = await testbedUnavailable();
if (unavailable) {
  console.error(`Cannot run the status benchmark: ${unavailable}`);
  Deno.exit(1);
}

/** The 1-minute load average: timings on a shared 2-core machine mean little without it. */
async function load(): Promise<string> {
  return (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ")[0];
}

await using bed = await TestBed.create({ ipv6: true });
const loadBefore = await load();
const times: number[] = [];
for (let k = 0; k < SAMPLES; k++) {
  await new Promise((r) => setTimeout(r, GAP_MS));
  const t0 = performance.now();
  const out = await new Deno.Command("ip", {
    args: mifArgs(bed, "status", "--json"),
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(`Cannot run mif status: ${new TextDecoder().decode(out.stderr)}`);
  }
  times.push(ms);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `mif status --json on the IPv6 test bed: n=${sorted.length} p50 ${
    percentile(sorted, 0.5).toFixed(1)
  } ms, p90 ${percentile(sorted, 0.9).toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms, max ${
    sorted.at(-1)!.toFixed(1)
  } ms (gap ${GAP_MS} ms; load average ${loadBefore} before, ${await load()} after)`,
);
console.log(`samples (ms): ${times.map((t) => t.toFixed(0)).join(" ")}`);
