/**
 * Names the way users type them, on the test bed's names scenario
 * (`TestBed.create({ names: true })`, tests/testbed/testbed.ts; issue 18):
 * two uplinks, A with the domain isp1.test (DHCPv4 options 15 and 119, RA
 * DNSSL, DHCPv6) and B with isp2.test, each DNS serving its own printer; a
 * VPN-like TUN link whose DNS server and domain corp.test are in the
 * resolver configuration; an mDNS responder on B's link answering
 * lamp.local. mif runs in the bed's host namespace, as the other test bed
 * tests run it, and every DNS server's query log is the witness of which
 * network was asked: each PD qualifies a short name with its own search
 * list, a name under a PD's domain goes to that PD's DNS only (split DNS),
 * `.local` goes to mDNS on each PD's link and never to a DNS server, and
 * `--leak fallback` asks the other networks when the name's own PDs fail.
 * Skipped with the reason outside root or Linux; with CI=true a missing
 * prerequisite fails instead.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ApiMessage, NameTranslation } from "../../mod.ts";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  type DnsQueryRecord,
  MDNS_ANSWER,
  MDNS_NAME,
  MOVED_NAME,
  NAMES_DOMAINS,
  PEER_PORT,
  PRINTER_ANSWERS,
  PRINTER_NAMES,
  type TestBed,
  VPN,
  VPN_ANSWER,
  VPN_NAME,
  waitFor,
  withTestBed,
} from "../testbed/testbed.ts";
import { mifArgs, mifStatus } from "../testbed/mif_process.ts";

const unavailable = await testbedUnavailable();

/** Network A's PDs: its DHCPv4 PD and the PD of its router's RA. */
const A_PDS = ["neta/ipv4", "neta/ipv6/fe80::a"];
/** Network B's PD (IPv4 only), the link of the mDNS responder. */
const B_PDS = ["netb/ipv4"];
/** The VPN link's PD. */
const VPN_PDS = [`${VPN.link}/ipv4`];

/** What a mif command printed and how it exited. */
interface MifRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs mif in the host namespace with the test bed's sources. */
async function mif(bed: TestBed, ...args: string[]): Promise<MifRun> {
  const out = await new Deno.Command("ip", {
    args: mifArgs(bed, ...args),
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr).trim(),
  };
}

/** `mif resolve NAME --json …`: its exit code, messages and a text for assertion messages. */
async function resolve(
  bed: TestBed,
  name: string,
  ...args: string[]
): Promise<{ code: number; messages: ApiMessage[]; text: string }> {
  const run = await mif(bed, "resolve", name, ...args, "--json");
  const messages = run.stdout.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  return {
    code: run.code,
    messages,
    text: `${run.stdout}\nstderr: ${run.stderr}`,
  };
}

/** The name-translation answers among messages. */
function answers(messages: readonly ApiMessage[]): NameTranslation[] {
  return messages.filter((m): m is NameTranslation => m.type === "name-translation");
}

/** The PDs that answered, each once, sorted. */
function answeringPds(messages: readonly ApiMessage[]): string[] {
  return [...new Set(answers(messages).map((m) => m.pdId))].sort();
}

/** How many queries each DNS server of the bed has logged so far. */
async function logMarks(bed: TestBed): Promise<Record<string, number>> {
  const logs = await bed.allDnsQueries();
  return Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, v.length]));
}

/**
 * The queries each DNS server logged since the marks, after the logs
 * have settled (dnsmasq may write a line a moment after answering).
 */
async function queriesSince(
  bed: TestBed,
  marks: Record<string, number>,
): Promise<Record<string, DnsQueryRecord[]>> {
  let last = "";
  let logs: Record<string, DnsQueryRecord[]> = {};
  await waitFor("the DNS query logs to settle", async () => {
    await new Promise((r) => setTimeout(r, 300));
    logs = await bed.allDnsQueries();
    const now = JSON.stringify(logs);
    const settled = now === last;
    last = now;
    return settled;
  });
  return Object.fromEntries(
    Object.entries(logs).map(([k, v]) => [k, v.slice(marks[k] ?? 0)]),
  );
}

/** The servers (router names) that logged a query for a name, sorted. */
function askedFor(logs: Record<string, DnsQueryRecord[]>, name: string): string[] {
  return Object.entries(logs)
    .filter(([, queries]) => queries.some((q) => q.name.toLowerCase() === name))
    .map(([server]) => server)
    .sort();
}

/** An element's search domains in a PD of `mif status --json`. */
type StatusPd = {
  pdId: string;
  elements: { element: string; data: Record<string, unknown> }[];
} & Record<string, unknown>;

/** Every PD of `mif status --json`. */
async function statusPds(bed: TestBed): Promise<StatusPd[]> {
  const status = await mifStatus(bed);
  return (status.interfaces as { pds: StatusPd[] }[]).flatMap((nic) => nic.pds);
}

/** The `--json` object of `mif connect`. */
interface ConnectReport {
  connected: boolean;
  reason: string | null;
  error: string | null;
  winner: { pdId: string; address: string } | null;
  attempts: { pdId: string; address: string; outcome: string }[];
  resolutions: { pdId: string; answers: { address: string }[]; outcome: string }[];
}

async function connect(
  bed: TestBed,
  name: string,
  ...args: string[]
): Promise<{ code: number; report: ConnectReport; text: string }> {
  const run = await mif(bed, "connect", name, String(PEER_PORT), ...args, "--json");
  const text = `${run.stdout}\nstderr: ${run.stderr}`;
  let report: ConnectReport;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`Cannot read mif connect --json (exit ${run.code}):\n${text}`);
  }
  return { code: run.code, report, text };
}

testbedTest(
  "names on the test bed: per-PD search lists, split DNS without leaks, .local by mDNS",
  unavailable,
  async (t) => {
    await withTestBed({ names: true }, async (bed) => {
      await t.step(
        "each uplink's domain reaches its own PDs: isp1.test from A's DHCPv4, RA and DHCPv6, " +
          "isp2.test from B's DHCPv4, corp.test on the VPN link",
        async () => {
          const pds = await statusPds(bed);
          const domains = (pdId: string, element: string) => {
            const pd = pds.find((p) => p.pdId === pdId);
            assert.ok(pd, `${pdId} is in mif status: ${pds.map((p) => p.pdId)}`);
            const e = pd.elements.find((x) => x.element === element);
            assert.ok(e, `${pdId} has a ${element} element: ${JSON.stringify(pd.elements)}`);
            return e.data["search-domains"];
          };
          assert.deepEqual(domains("neta/ipv4", "dhcpv4"), [NAMES_DOMAINS.a]);
          assert.equal(
            pds.find((p) => p.pdId === "neta/ipv4")!.elements.find((e) => e.element === "dhcpv4")!
              .data["domain-name"],
            NAMES_DOMAINS.a,
            "DHCPv4 option 15",
          );
          assert.deepEqual(domains("neta/ipv6/fe80::a", "ra"), [NAMES_DOMAINS.a], "RA DNSSL");
          assert.deepEqual(domains("neta/ipv6/fe80::a", "dhcpv6"), [NAMES_DOMAINS.a]);
          assert.deepEqual(domains("netb/ipv4", "dhcpv4"), [NAMES_DOMAINS.b]);
          assert.deepEqual(domains(VPN_PDS[0], "static"), [NAMES_DOMAINS.vpn]);
          const vpnDns = pds.find((p) => p.pdId === VPN_PDS[0])!.elements
            .find((e) => e.element === "static")!.data["dns-servers"];
          assert.deepEqual(vpnDns, [VPN.dnsServer], "the VPN's server is routed through vpn0");
        },
      );

      await t.step(
        "mif status shows each PD's routing domains: isp1.test on A's PDs, isp2.test on B's, " +
          "corp.test on the VPN's",
        async () => {
          const pds = await statusPds(bed);
          const routing = (pdId: string) => pds.find((p) => p.pdId === pdId)?.routingDomains;
          for (const pdId of A_PDS) assert.deepEqual(routing(pdId), [NAMES_DOMAINS.a], pdId);
          assert.deepEqual(routing(B_PDS[0]), [NAMES_DOMAINS.b]);
          assert.deepEqual(routing(VPN_PDS[0]), [NAMES_DOMAINS.vpn]);
          const text = await mif(bed, "status");
          assert.equal(text.code, 0, text.stderr);
          for (const domain of Object.values(NAMES_DOMAINS)) {
            assert.match(text.stdout, new RegExp(`routing domains: ${domain}`), text.stdout);
          }
        },
      );

      await t.step(
        "mif resolve printer: each PD tries its own search list first — A's PDs find " +
          "printer.isp1.test, B's printer.isp2.test, and the answers name the qualified name",
        async () => {
          const marks = await logMarks(bed);
          const { code, messages, text } = await resolve(bed, "printer", "--family", "both");
          assert.equal(code, 0, `exit 0:\n${text}`);
          const isp1 = answers(messages).filter((m) => m.name === PRINTER_NAMES.a);
          const isp2 = answers(messages).filter((m) => m.name === PRINTER_NAMES.b);
          assert.deepEqual(
            [...new Set(isp1.map((m) => m.pdId))].sort(),
            A_PDS,
            `printer.isp1.test through A's PDs only:\n${text}`,
          );
          assert.deepEqual(
            [...new Set(isp1.map((m) => m.address))].sort(),
            [...PRINTER_ANSWERS.a].sort(),
            `A's printer addresses:\n${text}`,
          );
          assert.deepEqual(
            [...new Set(isp2.map((m) => m.pdId))],
            B_PDS,
            `printer.isp2.test through B's PD only:\n${text}`,
          );
          assert.deepEqual([...new Set(isp2.map((m) => m.address))], [...PRINTER_ANSWERS.b]);
          assert.equal(
            answers(messages).length,
            isp1.length + isp2.length,
            `no other answers (C's, S's and the VPN's DNS do not know printer):\n${text}`,
          );
          const logs = await queriesSince(bed, marks);
          assert.deepEqual(askedFor(logs, PRINTER_NAMES.a), ["a"], "only A's DNS saw isp1.test");
          assert.deepEqual(askedFor(logs, PRINTER_NAMES.b), ["b"], "only B's DNS saw isp2.test");
          assert.deepEqual(
            askedFor(logs, `printer.${NAMES_DOMAINS.vpn}`),
            ["v"],
            "the VPN link qualified it with corp.test, at the VPN's DNS only",
          );

          const plain = await mif(bed, "resolve", "printer", "--pd", "neta/ipv4");
          assert.equal(plain.code, 0, plain.stderr);
          assert.match(
            plain.stdout,
            new RegExp(`neta/ipv4 .*${PRINTER_NAMES.a.replaceAll(".", "\\.")}`),
            `the text output shows the qualified name:\n${plain.stdout}`,
          );
        },
      );

      await t.step(
        "mif connect printer.isp1.test: connects through A, and only A's DNS is asked — " +
          "B's query log has no printer.isp1.test",
        async () => {
          const marks = await logMarks(bed);
          const { code, report, text } = await connect(bed, PRINTER_NAMES.a);
          assert.equal(code, 0, `connected:\n${text}`);
          assert.ok(report.winner && A_PDS.includes(report.winner.pdId), `won by A:\n${text}`);
          assert.ok(
            (PRINTER_ANSWERS.a as readonly string[]).includes(report.winner!.address),
            text,
          );
          for (const r of report.resolutions) {
            if (!A_PDS.includes(r.pdId)) {
              assert.deepEqual(r.answers, [], `${r.pdId} was not asked:\n${text}`);
            }
          }
          assert.ok(
            report.attempts.every((a) => A_PDS.includes(a.pdId)),
            `attempts through A only:\n${text}`,
          );
          const logs = await queriesSince(bed, marks);
          assert.deepEqual(
            askedFor(logs, PRINTER_NAMES.a),
            ["a"],
            `A's DNS was asked and no other: ${JSON.stringify(logs)}`,
          );
          assert.ok(
            !logs.b.some((q) => q.name.includes(NAMES_DOMAINS.a)),
            `B's DNS saw nothing under isp1.test: ${JSON.stringify(logs.b)}`,
          );
        },
      );

      await t.step(
        "mif resolve printer.isp1.test (no --pd): split DNS asks A's PDs only",
        async () => {
          const marks = await logMarks(bed);
          const { code, messages, text } = await resolve(bed, PRINTER_NAMES.a, "--family", "both");
          assert.equal(code, 0, text);
          assert.deepEqual(answeringPds(messages), A_PDS, text);
          const logs = await queriesSince(bed, marks);
          assert.deepEqual(askedFor(logs, PRINTER_NAMES.a), ["a"], JSON.stringify(logs));
          assert.ok(
            Object.values(logs).flat().every((q) => !q.name.startsWith(`${PRINTER_NAMES.a}.`)),
            `no PD qualified it with its own domain: ${JSON.stringify(logs)}`,
          );
        },
      );

      await t.step(
        "intranet.corp.test routes only to the VPN link: vpn0's PD answers through the " +
          "tunnel, connects there, and only the VPN's DNS is asked",
        async () => {
          const marks = await logMarks(bed);
          const { code, messages, text } = await resolve(bed, VPN_NAME);
          assert.equal(code, 0, text);
          assert.deepEqual(answeringPds(messages), VPN_PDS, text);
          assert.deepEqual(answers(messages).map((m) => m.address), [VPN_ANSWER], text);
          assert.equal(answers(messages)[0].server, VPN.dnsServer, text);
          const connected = await connect(bed, VPN_NAME);
          assert.equal(connected.code, 0, connected.text);
          assert.equal(connected.report.winner?.pdId, VPN_PDS[0], connected.text);
          assert.equal(connected.report.winner?.address, VPN_ANSWER, connected.text);
          const logs = await queriesSince(bed, marks);
          assert.deepEqual(askedFor(logs, VPN_NAME), ["v"], JSON.stringify(logs));
          assert.ok(
            logs.v.filter((q) => q.name === VPN_NAME).every((q) => q.from === VPN.address),
            `from the host's tunnel address: ${JSON.stringify(logs.v)}`,
          );
          assert.ok(
            Object.values(logs).flat().every((q) =>
              !q.name.includes(NAMES_DOMAINS.vpn) ||
              logs.v.includes(q)
            ),
            `nothing under corp.test reached another DNS: ${JSON.stringify(logs)}`,
          );
        },
      );

      await t.step(
        "lamp.local is resolved by mDNS on B's link only (the responder's), " +
          "and no DNS server in the bed is asked for it",
        async () => {
          const marks = await logMarks(bed);
          const { code, messages, text } = await resolve(bed, MDNS_NAME);
          assert.equal(code, 0, text);
          assert.deepEqual(answeringPds(messages), B_PDS, text);
          for (const m of answers(messages)) {
            assert.equal(m.address, MDNS_ANSWER, text);
            assert.equal(m.name, MDNS_NAME, text);
          }
          const logs = await queriesSince(bed, marks);
          assert.deepEqual(askedFor(logs, MDNS_NAME), [], JSON.stringify(logs));
          assert.ok(
            Object.values(await bed.allDnsQueries()).flat().every((q) =>
              !q.name.toLowerCase().endsWith(".local")
            ),
            "no DNS log of the bed has any .local name",
          );
        },
      );

      await t.step(
        "--leak fallback asks the other networks too: moved.isp1.test, which A refuses, is " +
          "answered by B; without it B is never asked",
        async () => {
          let marks = await logMarks(bed);
          const split = await resolve(bed, MOVED_NAME);
          assert.equal(split.code, 3, `not translated without leaking:\n${split.text}`);
          assert.deepEqual(answers(split.messages), [], split.text);
          let logs = await queriesSince(bed, marks);
          assert.deepEqual(askedFor(logs, MOVED_NAME), ["a"], JSON.stringify(logs));

          marks = await logMarks(bed);
          const leaked = await resolve(bed, MOVED_NAME, "--leak", "fallback");
          assert.equal(leaked.code, 0, leaked.text);
          assert.deepEqual(answeringPds(leaked.messages), B_PDS, leaked.text);
          assert.deepEqual(
            answers(leaked.messages).map((m) => m.address),
            [...PRINTER_ANSWERS.b],
            leaked.text,
          );
          logs = await queriesSince(bed, marks);
          const asked = askedFor(logs, MOVED_NAME);
          assert.ok(asked.includes("a") && asked.includes("b"), JSON.stringify(logs));

          marks = await logMarks(bed);
          const viaConnect = await connect(bed, MOVED_NAME, "--leak", "fallback");
          assert.equal(viaConnect.code, 0, viaConnect.text);
          assert.equal(viaConnect.report.winner?.pdId, B_PDS[0], viaConnect.text);
          logs = await queriesSince(bed, marks);
          assert.ok(askedFor(logs, MOVED_NAME).includes("b"), JSON.stringify(logs));
        },
      );
    });
  },
);
