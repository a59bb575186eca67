/**
 * `mif resolve NAME`: one translation per PD, all at once (§3.3.7.18),
 * each answer printed as it arrives with its record type; by default each
 * PD is asked for its own family only, as connect() does. When no PD found
 * an address, one line on stderr says why, in connect()'s words.
 *
 * @module
 */

import { openMif } from "../broker/mif.ts";
import type { MifStatus, PdStatus } from "../broker/status.ts";
import { whyNoAttempt } from "../connect/failure.ts";
import { type LeakMode, notAskedDetail, routeName, splitPds } from "../connect/split_dns.ts";
import { routingDomains } from "../protocol/routing_domains.ts";
import type { ResolutionRecord } from "../connect/timeline.ts";
import type { ApiMessage, SubscriberMessage } from "../protocol/types.ts";
import type { Invocation } from "./args.ts";
import { EXIT } from "./exit.ts";
import { formatResolution } from "./format.ts";
import { checkPaths } from "./paths.ts";
import { ProgressLine, RaceTracker } from "./progress.ts";
import { mifOptions, print, untilSignal } from "./run.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Each PD's translation as `mif resolve` saw it, as connect() records its
 * own (so that a failure is explained the same way).
 */
export class TranslationLog {
  #records = new Map<string, Mutable<ResolutionRecord>>();

  /**
   * Starts a record per PD; each translation's id is its PD's id.
   *
   * @example Two PDs, neither found an address
   * ```ts
   * import assert from "node:assert/strict";
   * import { TranslationLog } from "./resolve.ts";
   * const log = new TranslationLog([
   *   { pdId: "eth0/ipv4", interfaceId: "eth0", family: "ipv4" },
   *   { pdId: "wlan0/ipv6", interfaceId: "wlan0", family: "ipv6" },
   * ]);
   * log.note({ type: "name-translation-done", translationId: "eth0/ipv4", pdId: "eth0/ipv4", reason: "nxdomain" }, 3);
   * assert.equal(log.open, 1);
   * log.note({ type: "name-translation-done", translationId: "wlan0/ipv6", pdId: "wlan0/ipv6" }, 4);
   * assert.equal(log.open, 0);
   * assert.equal(log.found, false);
   * assert.deepEqual(log.records.map((r) => r.outcome), ["nxdomain", "success"]);
   * ```
   * @param pds The PDs asked, with their interface and family.
   */
  constructor(pds: readonly Pick<ResolutionRecord, "pdId" | "interfaceId" | "family">[]) {
    for (const { pdId, interfaceId, family } of pds) {
      this.#records.set(pdId, { pdId, interfaceId, family, answers: [] });
    }
  }

  /**
   * Notes a message of a translation.
   *
   * @param m The message.
   * @param at Milliseconds since the translations started.
   * @throws {Error} For an error answering a translation other than its PD being gone.
   */
  note(m: ApiMessage, at: number): void {
    const id = "translationId" in m ? m.translationId : undefined;
    const record = id === undefined ? undefined : this.#records.get(id);
    if (record === undefined) return;
    if (m.type === "name-translation") {
      record.answers = [...record.answers, { address: m.address, at }];
    } else if (m.type === "name-translation-done") {
      [record.end, record.outcome] = [at, m.reason ?? "success"];
    } else if (m.type === "error") {
      if (m.reason !== "unknown-pd") throw new Error(m.detail);
      [record.end, record.outcome] = [at, "pd-gone"];
    }
  }

  /**
   * Adds PDs: asked now (late, split DNS's fallback), or never ("not-asked").
   *
   * @example One PD asked, one left out by split DNS
   * ```ts
   * import assert from "node:assert/strict";
   * import { TranslationLog } from "./resolve.ts";
   * const log = new TranslationLog([{ pdId: "eth0/ipv4", interfaceId: "eth0", family: "ipv4" }]);
   * log.add([{ pdId: "eth1/ipv4", interfaceId: "eth1", family: "ipv4" }], 0, "a.isp1.test is under isp1.test of eth0/ipv4", true);
   * assert.equal(log.open, 1);
   * assert.deepEqual(log.records[1].outcome, "not-asked");
   * ```
   * @param pds The PDs.
   * @param at Milliseconds since the translations started.
   * @param detail Why they are asked late, or not at all.
   * @param skipped Whether they are not asked at all.
   */
  add(
    pds: readonly Pick<ResolutionRecord, "pdId" | "interfaceId" | "family">[],
    at: number,
    detail: string,
    skipped: boolean,
  ): void {
    for (const { pdId, interfaceId, family } of pds) {
      const record: Mutable<ResolutionRecord> = { pdId, interfaceId, family, answers: [], detail };
      if (skipped) [record.end, record.outcome] = [at, "not-asked"];
      else record.start = at;
      this.#records.set(pdId, record);
    }
  }

  /** How many translations have not ended. */
  get open(): number {
    return [...this.#records.values()].filter((r) => r.end === undefined).length;
  }

  /** Whether any PD found an address. */
  get found(): boolean {
    return [...this.#records.values()].some((r) => r.answers.length > 0);
  }

  /** Every PD's translation, in the order they were asked. */
  get records(): ResolutionRecord[] {
    return [...this.#records.values()].map((r) => ({ ...r }));
  }
}

/** The PDs to ask: every PD of the host, or those --pd names. */
function chosenPds(invocation: Invocation, status: MifStatus): HostPd[] {
  const all = status.interfaces.flatMap((nic) =>
    nic.pds.map((pd) => ({ ...pd, interfaceId: nic.interfaceId }))
  );
  return invocation.pds ? all.filter((pd) => invocation.pds!.includes(pd.pdId)) : all;
}

type HostPd = PdStatus & { interfaceId: string };

/**
 * Split DNS (connect/split_dns.ts) as connect() applies it: the PDs a name
 * is routed to are asked first, the others are held back (asked never, or
 * on fallback); every PD is asked for a name under no PD's domain, and the
 * PDs --pd names are asked whatever their domains.
 *
 * @example A name under eth0's domain
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitResolve } from "./resolve.ts";
 * const pd = (pdId: string, domain: string) => ({
 *   pdId, interfaceId: pdId.split("/")[0], family: "ipv4" as const, addresses: [], dnsServers: [],
 *   elements: [{ element: "dhcpv4" as const, data: { "search-domains": [domain] } }],
 *   routingDomains: [domain], worker: { state: "stopped" as const, inFlight: 0, connections: 0, starts: 0, crashes: 0 },
 * });
 * const split = splitResolve("printer.isp1.test", [pd("eth0/ipv4", "isp1.test"), pd("eth1/ipv4", "isp2.test")], false);
 * assert.deepEqual(split.asked.map((p) => p.pdId), ["eth0/ipv4"]);
 * assert.deepEqual(split.held.map((p) => p.pdId), ["eth1/ipv4"]);
 * assert.equal(split.detail, "printer.isp1.test is under isp1.test of eth0/ipv4");
 * ```
 * @param name The name.
 * @param pds The PDs to ask.
 * @param chosen Whether --pd chose them.
 * @returns The PDs asked first, those held back and why.
 */
export function splitResolve(
  name: string,
  pds: readonly HostPd[],
  chosen: boolean,
): { asked: HostPd[]; held: HostPd[]; detail: string } {
  const domains = pds.map((pd) => ({
    pdId: pd.pdId,
    domains: pd.routingDomains ?? routingDomains(pd.elements),
  }));
  const route = routeName(name, domains);
  if (chosen || route.kind === "everywhere") return { asked: [...pds], held: [], detail: "" };
  const { asked, held } = splitPds(route, pds.map((pd) => pd.pdId));
  return {
    asked: pds.filter((pd) => asked.includes(pd.pdId)),
    held: pds.filter((pd) => held.includes(pd.pdId)),
    detail: notAskedDetail(route),
  };
}

/** "+0.0 ms  eth1/ipv4  not asked: …": a PD split DNS left out. */
function notAskedLine(pd: HostPd, elapsed: number, detail: string): string {
  return `+${elapsed.toFixed(1)} ms  ${pd.pdId}  not asked: ${detail}`;
}

/** The translate-name message for a PD: its own family unless --family says otherwise. */
function translateName(invocation: Invocation, pd: PdStatus): SubscriberMessage {
  const family = invocation.family ?? pd.family;
  return {
    type: "translate-name",
    pdId: pd.pdId,
    name: invocation.name!,
    translationId: pd.pdId,
    ...(family === "both" ? {} : { family }),
  };
}

/**
 * Runs `mif resolve`.
 *
 * @example A --pd this host does not have is a usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation, UsageError } from "./args.ts";
 * import { resolve } from "./resolve.ts";
 * await assert.rejects(
 *   resolve(parseInvocation(["resolve", "www.example", "--platform", "sim", "--pd", "eth0/ipv4"])),
 *   UsageError,
 * );
 * ```
 * @param invocation The command line (command "resolve").
 * @returns 0 when some PD found an address, 3 when none did, 1 when interrupted.
 * @throws {UsageError} For a --pd that is no PD of the host.
 */
export function resolve(invocation: Invocation): Promise<number> {
  const name = invocation.name!;
  return untilSignal(async (signal) => {
    await using mif = await openMif({ ...await mifOptions(invocation), signal });
    const status = mif.status();
    checkPaths(invocation, status);
    const pds = chosenPds(invocation, status);
    if (pds.length === 0) {
      throw new Error(`Cannot resolve ${name}: the host has no provisioning domains`);
    }
    await using sub = mif.subscribe({ name: "mif resolve" });
    const tracker = new RaceTracker(`resolving ${name}`);
    using progress = new ProgressLine((elapsed) => tracker.describe(elapsed), {
      enabled: !invocation.json && Deno.stderr.isTerminal(),
    });
    const split = splitResolve(name, pds, invocation.pds !== undefined);
    const log = new TranslationLog(split.asked);
    const start = performance.now();
    const ask = (asked: readonly HostPd[]) => {
      for (const message of asked.map((pd) => translateName(invocation, pd))) {
        sub.post(message);
        tracker.posted(message);
      }
    };
    ask(split.asked);
    let held = await holdBack(invocation, log, split, invocation.leak ?? "never");
    for await (const m of sub.messages({ signal })) {
      const elapsed = performance.now() - start;
      tracker.received(m);
      log.note(m, elapsed);
      progress.clear();
      await print(invocation.json ? JSON.stringify(m) : formatResolution(m, elapsed, name));
      if (log.open === 0 && !log.found && held.length > 0) {
        // Split DNS's fallback: every PD the name is routed to failed; the others are asked now.
        log.add(held, elapsed, `asked after the PDs of its domain failed: ${split.detail}`, false);
        ask(held);
        held = [];
      }
      if (log.open === 0) break;
      progress.draw();
    }
    progress.clear();
    await holdBack(invocation, log, { ...split, held }, "never", performance.now() - start);
    if (log.found) return EXIT.ok;
    progress[Symbol.dispose]();
    console.error(`mif: Cannot resolve ${name}: ${whyNoAttempt(log.records).why}`);
    return EXIT.notTranslated;
  }, { status: EXIT.failed, message: `Cannot resolve ${name}: interrupted` });
}

/**
 * The PDs split DNS holds back: with leak "never" they are logged and
 * shown as not asked, and none is left; with "fallback" they are left to
 * ask once the routed PDs failed.
 */
async function holdBack(
  invocation: Invocation,
  log: TranslationLog,
  split: { held: readonly HostPd[]; detail: string },
  leak: LeakMode,
  elapsed = 0,
): Promise<HostPd[]> {
  if (leak === "fallback") return [...split.held];
  log.add(split.held, elapsed, split.detail, true);
  if (!invocation.json) {
    for (const pd of split.held) await print(notAskedLine(pd, elapsed, split.detail));
  }
  return [];
}
