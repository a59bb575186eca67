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
 *
 * `--profile` adds a per-step profile of the same change: a child
 * (profile_child.ts) in the host namespace opens the library on a
 * LinuxPlatform whose `onStep` hook stamps each step (monitor line, re-read
 * start, kernel read, sources, snapshot built, handed to the broker) and the
 * announcement its subscriber gets; times are from just before `ip addr` is
 * spawned.
 */

import { testbedUnavailable } from "../tests/testbed/prerequisites.ts";
import { TestBed } from "../tests/testbed/testbed.ts";
import { hostClientArgv, mifArgs, userMifArgs, Watch } from "../tests/testbed/mif_process.ts";
import { PROFILE_CHILD, ProfileChild } from "./profile_child.ts";

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
  const nodad = (verb: string) => verb === "add" ? ["nodad"] : [];
  const spawned = await changeLatencies(
    watch,
    await watch.settle(1000),
    0x100,
    (verb, address) =>
      bed.ip(bed.ns.host, "addr", verb, `${address}/64`, "dev", "nets", ...nodad(verb)),
  );
  console.log(summary("address added → address-announcement", spawned.added));
  console.log(summary("address removed → no-address-announcement", spawned.removed));
  await fromKernelChange(watch, spawned.next);
}

/**
 * SAMPLES additions, each followed by a removal, of 2001:db8:5::(base + k)/64
 * on nets, made by `change`: the ms from just before each change to its
 * (no-)address-announcement at `watch` (at or after message `from`).
 */
async function changeLatencies(
  watch: Watch,
  from: number,
  base: number,
  change: (verb: "add" | "del", address: string) => Promise<unknown>,
): Promise<{ added: number[]; removed: number[]; next: number }> {
  let i = from;
  const added: number[] = [], removed: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const address = `2001:db8:5::${(base + k).toString(16)}`;
    for (
      const [verb, type, into] of [
        ["add", "address-announcement", added],
        ["del", "no-address-announcement", removed],
      ] as const
    ) {
      const t0 = performance.now();
      await change(verb, address);
      const at = await watch.next(i, (m) => m.type === type && m.address === address, address);
      into.push(watch.messages[at].at - t0);
      i = at + 1;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { added, removed, next: i };
}

/**
 * The same changes made by a running `ip -batch -` (the bench writes one
 * line): from just before the write, so the few ms of spawning ip (tens on
 * a loaded machine) are not counted; what is left is the kernel change
 * reaching the subscriber.
 */
async function fromKernelChange(watch: Watch, from: number): Promise<void> {
  const ip = new Deno.Command("ip", {
    args: ["-n", bed.ns.host, "-batch", "-"],
    stdin: "piped",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const writer = ip.stdin.getWriter();
  const encoder = new TextEncoder();
  let written;
  try {
    written = await changeLatencies(watch, from, 0x800, (verb, address) =>
      writer.write(
        encoder.encode(`addr ${verb} ${address}/64 dev nets${verb === "add" ? " nodad" : ""}\n`),
      ));
  } finally {
    await writer.close();
    await ip.status;
  }
  const label = "by a running ip -batch";
  console.log(summary(`address added ${label} → address-announcement`, written.added));
  console.log(summary(`address removed ${label} → no-address-announcement`, written.removed));
}

if (Deno.args.includes("--profile")) await profile(bed);

/** Runs the profile child and prints, per step, the median ms since `ip addr` was spawned. */
async function profile(bed: TestBed): Promise<void> {
  await using child = new ProfileChild(
    hostClientArgv(bed, PROFILE_CHILD, [bed.resolvConf, bed.stateDir]),
  );
  const steps = child.steps;
  await child.until(0, (s) => s.step === "ready");
  await new Promise((r) => setTimeout(r, 1000));
  const rows = new Map<string, number[]>();
  const add = (name: string, ms: number) => rows.set(name, [...rows.get(name) ?? [], ms]);
  for (let k = 0; k < SAMPLES; k++) {
    const address = `2001:db8:5::${(0x400 + k).toString(16)}`;
    for (const verb of ["add", "del"] as const) {
      const from = steps.length;
      const t0 = performance.timeOrigin + performance.now();
      const nodad = verb === "add" ? ["nodad"] : [];
      await bed.ip(bed.ns.host, "addr", verb, `${address}/64`, "dev", "nets", ...nodad);
      add(`${verb}: ip addr ${verb} exited`, performance.timeOrigin + performance.now() - t0);
      const type = verb === "add" ? "address-announcement" : "no-address-announcement";
      const done = await child.until(from, (s) => s.step === type && s.address === address);
      const seen = steps.slice(from, done + 1);
      for (const name of ["event", "read", "kernel", "sources", "snapshot", "listener"]) {
        const first = seen.find((s) => s.step === name);
        if (first) {
          add(`${verb}: first ${name}${first.scope ? ` (${first.scope})` : ""}`, first.at - t0);
        }
      }
      add(`${verb}: ${type} reaches the subscriber`, steps[done].at - t0);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const [name, ms] of rows) console.log(summary(`profile ${name}`, ms));
}

const status: number[] = [];
for (let k = 0; k < 10; k++) status.push(await timeCommand("ip", mifArgs(bed, "status", "--json")));
console.log(summary(
  `mif status --json in the test bed host (rdisc6 on ${ipv6 ? "6 links" : "2 links"})`,
  status,
));

const root: number[] = [];
for (let k = 0; k < 10; k++) root.push(await timeCommand(Deno.execPath(), userMifArgs("status")));
console.log(summary("mif status on this machine (root namespace, read only)", root));
