/**
 * How mif's cost grows with the number of interfaces (issue 19, goal 8):
 * for each N (default 10, 100, 1000; even) a network namespace of its own
 * with N veth links (N/2 pairs, both ends inside: this kernel has no dummy
 * driver), each up with one static IPv4 address (a /30 of 198.18.0.0/15)
 * and one static IPv6 address (a /64 of 2001:db8::/32). The Linux platform
 * makes two PDs of each such link: `<link>/ipv4` and the static IPv6 PD
 * `<link>/ipv6` (static global addresses form it, no router needed), so the
 * host has 2N PDs (plus loopback's two). Not a Deno.bench file: it needs
 * root, namespaces and real processes.
 *
 *   npx --yes deno@2 run --allow-all bench/scale_linux.ts [10,100,1000] [--samples=5] [--profile]
 *
 * Measures, medians of several samples:
 * - status: `mif status --json` wall time in the namespace (process start included);
 * - watch start: `mif watch --json` spawned → every initial address-announcement read;
 * - change add/del: `ip addr add|del` on one link spawned → its (no-)address-announcement
 *   at the watcher;
 * - broker open/status/change: in process, openMif with a Platform whose start()
 *   returns a snapshot of N interfaces / 2N PDs, subscribed to everything as mif
 *   watch is: the time to open and announce it all; one status(); then one
 *   changed snapshot → the subscriber's address-announcement.
 * - --profile: the same changes against a child in the namespace (profile_child.ts) that runs
 *   the library on a LinuxPlatform stamping each step (monitor line, re-read,
 *   kernel read, snapshot built, handed over, announcement): median ms after
 *   `ip addr` is spawned.
 *
 * @module
 */

import { NO_MESSAGE, openMif, type Snapshot } from "../mod.ts";
import type { ApiMessage } from "../protocol/types.ts";
import { Follower } from "../connect/follower.ts";
import { killAndDelete } from "../tests/testbed/testbed.ts";
import { mifNetnsArgv, netnsClientArgv, Watch } from "../tests/testbed/mif_process.ts";
import { runTool as run } from "../platform/run_tool.ts";
import { PROFILE_CHILD, ProfileChild } from "./profile_child.ts";
import { BenchPlatform } from "./fixtures/bench_platform.ts";

const sizes = (Deno.args.find((a) => /^\d+(,\d+)*$/.test(a)) ?? "10,100,1000").split(",")
  .map(Number);
const PROFILE = Deno.args.includes("--profile");
const SAMPLES = Number(Deno.args.find((a) => a.startsWith("--samples="))?.slice(10) ?? 5);

/** The median of some samples. */
function median(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Link i's IPv4 address: the first host of the i-th /30 of 198.18.0.0/15. */
function ipv4Of(i: number, host = 1): string {
  const n = (198 << 24 >>> 0) + (18 << 16) + i * 4 + host;
  return [n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255].join(".");
}

/** Link i's IPv6 prefix (a /64 of 2001:db8::/32), without the length. */
function ipv6PrefixOf(i: number): string {
  return `2001:db8:${(0x1000 + i).toString(16)}::`;
}

/** A scaled host: a namespace, its links, a temp dir with mif's sources. */
interface Bed {
  readonly ns: string;
  readonly n: number;
  readonly dir: string;
  readonly resolvConf: string;
  readonly leaseDir: string;
}

/**
 * Creates the namespace and its N links in batches (`ip -batch`): veth pairs
 * d(2j)–d(2j+1) with both ends in the namespace (this kernel has no dummy
 * driver), so each link is up with its lower layer up.
 */
async function createBed(n: number): Promise<Bed> {
  const ns = `mifscale${Deno.pid}-${n}`;
  const dir = await Deno.makeTempDir({ prefix: "mif-scale-" });
  const bed = { ns, n, dir, resolvConf: `${dir}/resolv.conf`, leaseDir: `${dir}/leases` };
  try {
    await Deno.mkdir(bed.leaseDir);
    await Deno.writeTextFile(bed.resolvConf, `nameserver ${ipv4Of(0, 2)}\n`);
    await run(["ip", "netns", "add", ns]);
    await run(["ip", "-n", ns, "link", "set", "lo", "up"]);
    const lines: string[] = [];
    for (let i = 0; i < n; i += 2) lines.push(`link add d${i} type veth peer name d${i + 1}`);
    for (let i = 0; i < n; i++) {
      lines.push(
        `addr add ${ipv4Of(i)}/30 dev d${i}`,
        `addr add ${ipv6PrefixOf(i)}1/64 dev d${i} nodad`,
        `link set d${i} up`,
      );
    }
    const batch = `${dir}/links.batch`;
    await Deno.writeTextFile(batch, lines.join("\n") + "\n");
    await run(["ip", "-n", ns, "-batch", batch]);
    return bed;
  } catch (error) {
    await removeBed(bed);
    throw error;
  }
}

async function removeBed(bed: Bed): Promise<void> {
  await killAndDelete(bed.ns);
  await Deno.remove(bed.dir, { recursive: true }).catch(() => {});
}

/** Runs `mif status --json` once: its wall time and its PD and address counts. */
async function status(bed: Bed): Promise<{ ms: number; pds: number; addresses: number }> {
  const [program, ...args] = mifNetnsArgv(bed.ns, bed, "status", "--json");
  const t0 = performance.now();
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(`Cannot run mif status: ${new TextDecoder().decode(out.stderr)}`);
  }
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  const pds = (json.interfaces as { pds: { addresses: unknown[] }[] }[]).flatMap((i) => i.pds);
  return { ms, pds: pds.length, addresses: pds.reduce((k, p) => k + p.addresses.length, 0) };
}

const isAddress = (m: ApiMessage) => m.type === "address-announcement";

/** Starts `mif watch --json` and waits for every initial address-announcement. */
async function startWatch(bed: Bed, addresses: number): Promise<{ watch: Watch; ms: number }> {
  const t0 = performance.now();
  const watch = new Watch(mifNetnsArgv(bed.ns, bed, "watch", "--json"));
  try {
    let from = 0;
    for (let seen = 0; seen < addresses; seen++) {
      from = await watch.next(from, isAddress, `address-announcement #${seen + 1}`, 120_000) + 1;
    }
    return { watch, ms: watch.messages[from - 1].at - t0 };
  } catch (error) {
    await watch[Symbol.asyncDispose]();
    throw error;
  }
}

/** `ip addr add|del <address>/64` on link d<link> (nodad when added). */
async function changeAddress(
  bed: Bed,
  verb: "add" | "del",
  address: string,
  link: number,
): Promise<void> {
  const nodad = verb === "add" ? ["nodad"] : [];
  await run(["ip", "-n", bed.ns, "addr", verb, `${address}/64`, "dev", `d${link}`, ...nodad]);
}

/** `ip addr add|del` on the middle link → the (no-)address-announcement, several times. */
async function changes(bed: Bed, watch: Watch): Promise<{ add: number[]; del: number[] }> {
  const link = Math.floor(bed.n / 2);
  const add: number[] = [], del: number[] = [];
  let from = await watch.settle(1000, 60_000);
  for (let k = 0; k < SAMPLES * 2; k++) {
    const address = `${ipv6PrefixOf(link)}${(0x100 + k).toString(16)}`;
    for (const verb of ["add", "del"] as const) {
      const type = verb === "add" ? "address-announcement" : "no-address-announcement";
      const t0 = performance.now();
      await changeAddress(bed, verb, address, link);
      const at = await watch.next(from, (m) => m.type === type && m.address === address, address);
      (verb === "add" ? add : del).push(watch.messages[at].at - t0);
      from = at + 1;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { add, del };
}

/** A host of N veth links as the Linux platform describes it: lo, then d0…d(N-1). */
function syntheticSnapshot(n: number, extra?: { link: number; address: string }): Snapshot {
  const pd = (pdId: string, family: "ipv4" | "ipv6", address: string, prefixLength: number) => ({
    pdId,
    family,
    elements: [{ element: "static" as const, data: { routers: [], mtu: 1500 }, source: "ip addr" }],
    addresses: [{ address, prefixLength, validUntil: null, preferredUntil: null }],
  });
  const links = Array.from({ length: n }, (_, i) => {
    const v6 = pd(`d${i}/ipv6`, "ipv6", `${ipv6PrefixOf(i)}1`, 64);
    if (extra?.link === i) {
      v6.addresses.push({ ...v6.addresses[0], address: extra.address });
    }
    return {
      interfaceId: `d${i}`,
      displayName: `d${i}`,
      interfaceType: "virtual" as const,
      operState: "unknown" as const,
      index: i + 2,
      mtu: 1500,
      mac: `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${
        (i & 255).toString(16).padStart(2, "0")
      }`,
      pds: [pd(`d${i}/ipv4`, "ipv4", ipv4Of(i), 30), v6],
    };
  });
  const lo = {
    interfaceId: "lo",
    displayName: "lo",
    interfaceType: "loopback" as const,
    operState: "unknown" as const,
    index: 1,
    pds: [pd("lo/ipv4", "ipv4", "127.0.0.1", 8), pd("lo/ipv6", "ipv6", "::1", 128)],
  };
  return { interfaces: [lo, ...links], notes: [] };
}

/** Takes every message there is, following them as mif watch does; counts address-announcements. */
function drain(sub: import("../mod.ts").Subscriber, follower: Follower): ApiMessage[] {
  const got: ApiMessage[] = [];
  for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) {
    got.push(m);
    for (const next of follower.next(m)) sub.post(next);
  }
  return got;
}

/** In process: open, subscribe to all; status(); a changed snapshot → its announcement. */
async function brokerCosts(n: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = { open: [], status: [], change: [] };
  const first = syntheticSnapshot(n);
  const link = Math.floor(n / 2);
  for (let sample = 0; sample < SAMPLES; sample++) {
    const platform = new BenchPlatform(first);
    const t0 = performance.now();
    await using mif = await openMif({ platform, workerPermissions: "net" });
    const sub = mif.subscribe({ name: "scale" });
    const follower = new Follower();
    for (const m of follower.start()) sub.post(m);
    let addresses = 0;
    while (addresses < 2 * n + 2) addresses += drain(sub, follower).filter(isAddress).length;
    out.open.push(performance.now() - t0);
    const s0 = performance.now();
    mif.status();
    out.status.push(performance.now() - s0);
    for (let k = 0; k < 4; k++) {
      const address = `${ipv6PrefixOf(link)}${(0x100 + k).toString(16)}`;
      const changed = syntheticSnapshot(n, { link, address });
      const c0 = performance.now();
      platform.listener({ type: "snapshot", snapshot: changed });
      const got = drain(sub, follower);
      const dt = performance.now() - c0;
      if (!got.some((m) => isAddress(m) && m.address === address)) {
        throw new Error(`Cannot measure a change: no announcement of ${address}`);
      }
      out.change.push(dt);
      platform.listener({ type: "snapshot", snapshot: first });
      drain(sub, follower);
    }
  }
  return out;
}

/**
 * --profile: the same changes against a profile child; the median time of
 * each step after `ip addr` is spawned (the first of each step per change).
 */
async function profile(bed: Bed): Promise<Record<string, number>> {
  await using child = new ProfileChild(
    netnsClientArgv(bed.ns, PROFILE_CHILD, [bed.resolvConf, bed.leaseDir]),
  );
  const steps = child.steps;
  const out: Record<string, number[]> = {};
  await child.until(0, (s) => s.step === "ready", 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  const link = Math.floor(bed.n / 2);
  for (let k = 0; k < SAMPLES * 2; k++) {
    const address = `${ipv6PrefixOf(link)}${(0x200 + k).toString(16)}`;
    for (const verb of ["add", "del"] as const) {
      const type = verb === "add" ? "address-announcement" : "no-address-announcement";
      const from = steps.length;
      const t0 = performance.timeOrigin + performance.now();
      await changeAddress(bed, verb, address, link);
      const spawned = performance.timeOrigin + performance.now();
      await child.until(from, (s) => s.step === type && s.address === address, 60_000);
      const seen = new Set<string>();
      (out["ip addr exited"] ??= []).push(spawned - t0);
      for (const s of steps.slice(from)) {
        const key = s.step === "read" ? `read (${s.scope})` : s.step;
        if (seen.has(key)) continue;
        seen.add(key);
        (out[key] ??= []).push(s.at - t0);
        if (s.step === type) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [`profile ${k}`, median(v)]));
}

/** Every measure for one N. */
async function measure(n: number): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  const inProcess = await brokerCosts(n);
  for (const [k, v] of Object.entries(inProcess)) result[`broker ${k}`] = median(v);
  const bed = await createBed(n);
  try {
    const runs = [];
    for (let k = 0; k < SAMPLES; k++) runs.push(await status(bed));
    const { pds, addresses } = runs[0];
    if (pds < 2 * n) throw new Error(`Cannot measure: ${pds} PDs for ${n} links`);
    result["PDs"] = pds;
    result["status --json"] = median(runs.map((r) => r.ms));
    const starts: number[] = [];
    for (let k = 0; k < SAMPLES; k++) {
      const { watch, ms } = await startWatch(bed, addresses);
      starts.push(ms);
      if (k < SAMPLES - 1) {
        await watch[Symbol.asyncDispose]();
        continue;
      }
      try {
        const { add, del } = await changes(bed, watch);
        result["change add"] = median(add);
        result["change del"] = median(del);
      } finally {
        await watch[Symbol.asyncDispose]();
      }
    }
    result["watch start"] = median(starts);
    if (PROFILE) Object.assign(result, await profile(bed));
  } finally {
    await removeBed(bed);
  }
  return result;
}

if (Deno.uid() !== 0) {
  console.error("Cannot run the scale benchmark: it needs root (network namespaces)");
  Deno.exit(1);
}
const rows = new Map<number, Record<string, number>>();
for (const n of sizes) {
  const t0 = performance.now();
  rows.set(n, await measure(n));
  console.error(`N=${n} measured in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const keys = [
  ...new Set(
    [...rows.values()].flatMap((r) => Object.keys(r).filter((k) => k.startsWith("profile "))),
  ),
  "PDs",
  "status --json",
  "watch start",
  "change add",
  "change del",
  "broker open",
  "broker status",
  "broker change",
];
const cell = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(1)).padStart(10);
console.log(
  `${"measure (median ms)".padEnd(22)}${sizes.map((n) => String(n).padStart(10)).join("")}${
    "ratio".padStart(10)
  }`,
);
for (const key of keys) {
  const values = sizes.map((n) => rows.get(n)?.[key]);
  const ratio = values.length > 1 && values[0] ? values.at(-1)! / values[0] : undefined;
  console.log(`${key.padEnd(22)}${values.map(cell).join("")}${cell(ratio)}`);
}
console.log(
  `samples ${SAMPLES}; ratio = N=${sizes.at(-1)} / N=${sizes[0]}; load: ${
    Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
  }`,
);
