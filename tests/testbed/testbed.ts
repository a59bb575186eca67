/**
 * The real-network test bed: network namespaces joined by veth pairs, with
 * dnsmasq routers, dhclient and the kernel's SLAAC in a "host" namespace
 * where mif runs.
 *
 *   host ── neta ── A: dnsmasq: DHCPv4, SLAAC RA with RDNSS, stateless DHCPv6, DNS
 *        ── netb ── B: dnsmasq: DHCPv4, DNS (IPv4 only)
 *        ── netc ── C (bridge) ── C1: dnsmasq: RA 2001:db8:c1::/64, RDNSS, DNS
 *                               └─ C2: dnsmasq: RA 2001:db8:c2::/64, RDNSS, DNS
 *        ── nets ── S: static addresses, dnsmasq DNS only
 *
 * With `TestBed.create({ race: true })` ({@linkcode TestBedOptions}) it
 * also builds the racing topology: a server namespace behind routers A and
 * B, each path through a delay line (tests/testbed/delay_line.ts, a TUN
 * pair with a user-space program between them: this kernel has no netem).
 *
 *   host ── neta ── A ── r0 ⇄ dlin ⇒ delay line ⇒ dlout ⇄ s0 ── sa ── srv
 *        ── netb ── B ── r0 ⇄ dlin ⇒ delay line ⇒ dlout ⇄ s0 ── sb ──┘
 *
 * srv has 198.18.10.80 and 2001:db8:10::80 towards A, 198.18.20.80
 * towards B, and a TCP peer on all three; A's DNS answers
 * {@linkcode RACE_NAME} with the first two, B's with the third
 * ({@linkcode RACE_ANSWERS}). In A and B, policy routing (`ip rule iif r0`
 * and `iif s0` → table 100 → `default dev dlin`) sends every packet
 * forwarded between r0 and s0, both ways and both families, into dlin; the
 * program writes it to dlout after the delay, and the main table routes it
 * on. {@linkcode TestBed.setDelay} changes a delay,
 * {@linkcode TestBed.breakIpv6} silently drops IPv6 to srv via A.
 * A's and B's DNS answer {@linkcode RACE_OTHER_NAMES} the same way, and
 * {@linkcode TestBed.startHttps} starts an HTTPS server in srv
 * (tests/testbed/https_server.ts) at {@linkcode HTTPS_PORT}, and one with
 * an expired certificate at {@linkcode HTTPS_EXPIRED_PORT}.
 *
 * With `check: true` (which implies `race`) it also builds a
 * connectivity-check scenario (tests/testbed/check_server.ts): each
 * network's DNS answers {@linkcode CHECK_NAME} differently
 * ({@linkcode CHECK_ANSWERS}): via A a server in srv answering the probe
 * with 204 (full), via B a captive portal on B's r0 redirecting every
 * request to {@linkcode PORTAL_URL}, via C2 an address where nothing
 * listens at port 80 (limited); C1's and S's DNS do not know the name.
 *
 * With `ipv6: true` it also builds IPv6-only links for provisioning
 * domains per router (the situations of tests/testdata/testbed_ipv6):
 *
 *   host ── netd ── D (bridge) ── D1: default router, RA 2001:db8:d1::/64, RDNSS, DNSSL, DNS
 *        │   (use_tempaddr=2)   └─ D2: stub router (router lifetime 0), RA 2001:db8:d2::/64,
 *        │                            RDNSS, DNSSL, DNS answering {@linkcode STUB_NAME}
 *        ── netn ── N: RA 2001:db8:e0::/64 with forwarding off (its NAs clear the Router flag)
 *        ── netr ── R: RA 2001:db8:e1::/64; {@linkcode TestBed.renumber} deprecates it and
 *        │              adds 2001:db8:e2::/64
 *        ── netm ── M: stateful DHCPv6 (RA with M), dhclient -6 in the host
 *
 * With `names: true` it also builds the names scenario (issue 18): A's
 * DHCPv4 (options 15 and 119), RA (DNSSL) and DHCPv6 hand out the domain
 * isp1.test and its DNS answers printer.isp1.test; B's DHCPv4 hands out
 * isp2.test and its DNS answers printer.isp2.test
 * ({@linkcode NAMES_DOMAINS}, {@linkcode PRINTER_NAMES}) and, under A's
 * domain, {@linkcode MOVED_NAME}; a VPN-like link
 * vpn0, a TUN device whose packets a user-space tunnel
 * (tests/testbed/tun_tunnel.ts) carries to a VPN server namespace v with
 * its own DNS (answering {@linkcode VPN_NAME}) and TCP peer; the resolver
 * configuration mif reads is the one a VPN client that takes it over
 * writes: the VPN's server and its domain corp.test ({@linkcode VPN});
 * and an mDNS responder on B's r0 (tests/fixtures/mdns_responder.ts)
 * answering {@linkcode MDNS_NAME}.
 *
 *   host ── vpn0 (tun) ⇐ tunnel ⇒ tun0 ── v: dnsmasq DNS 198.18.100.53, peer 198.18.100.80
 *
 * Every network's DNS answers www.mif.example with its own address
 * ({@linkcode ANSWERS}) and logs each query with its source address
 * ({@linkcode TestBed.dnsQueries}). Each answer address is on its router's
 * r0, where a TCP peer (tests/testbed/peer_server.ts) listens at
 * {@linkcode PEER_PORT}: it writes the client's address and port as it sees
 * them, then echoes. Only
 * 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15 and 2001:db8::/32 are
 * used; nothing runs in the root namespace; dhclient runs with the test
 * bed's own script, which never touches /etc/resolv.conf. dispose() kills
 * every process in the namespaces, deletes them and the temp dir, also
 * after a failure.
 */

import assert from "node:assert/strict";
import { runTool as run } from "../../platform/run_tool.ts";

/** The prefix of every test bed namespace name: `mifbed<pid>-…`. */
export const PREFIX = "mifbed";
const HOOK = new URL("../../platform/linux/dhclient_hook.sh", import.meta.url).pathname;
const PEER_SERVER = new URL("./peer_server.ts", import.meta.url).pathname;
const DELAY_LINE = new URL("./delay_line.ts", import.meta.url).pathname;
const HTTPS_SERVER = new URL("./https_server.ts", import.meta.url).pathname;
const CHECK_SERVER = new URL("./check_server.ts", import.meta.url).pathname;
const TUN_TUNNEL = new URL("./tun_tunnel.ts", import.meta.url).pathname;
const MDNS_RESPONDER = new URL("../fixtures/mdns_responder.ts", import.meta.url).pathname;
/** The policy routing table that sends forwarded packets into the delay line. */
const DELAY_TABLE = "100";

/** The name every network's DNS answers differently. */
export const TEST_NAME = "www.mif.example";

/** What each network answers for {@linkcode TEST_NAME}. */
export const ANSWERS = {
  a: ["198.51.100.80", "2001:db8:a::80"],
  b: ["203.0.113.80"],
  c1: ["2001:db8:c1::80"],
  c2: ["2001:db8:c2::80"],
  s: ["198.18.1.80"],
} as const;

/** The name the racing topology's server has on netA and netB ({@linkcode RACE_ANSWERS}). */
export const RACE_NAME = "race.mif.example";

/**
 * What routers A and B answer for {@linkcode RACE_NAME}: the server's
 * address behind each (only with `race: true`).
 */
export const RACE_ANSWERS = {
  a: ["198.18.10.80", "2001:db8:10::80"],
  b: ["198.18.20.80"],
} as const;

/**
 * The other names A's and B's DNS answer with {@linkcode RACE_ANSWERS}
 * (with `race: true`): `other` is in the HTTPS server's certificate
 * besides {@linkcode RACE_NAME} (a second origin on the same server),
 * `wrong` is not (a name mismatch). See {@linkcode TestBed.startHttps}.
 */
export const RACE_OTHER_NAMES = {
  other: "other.mif.example",
  wrong: "wrong.mif.example",
} as const;

/** The names the HTTPS server's certificate should have: {@linkcode TestBed.startHttps}. */
export const HTTPS_CERT_NAMES = [RACE_NAME, RACE_OTHER_NAMES.other] as const;

/** The port of srv's HTTPS server (tests/testbed/https_server.ts) with the valid certificate. */
export const HTTPS_PORT = 443;

/** The port of srv's HTTPS server with the expired certificate. */
export const HTTPS_EXPIRED_PORT = 8443;

/** The probe name of the connectivity-check scenario (`check: true`): see {@linkcode CHECK_ANSWERS}. */
export const CHECK_NAME = "probe.mif.example";

/** The probe URL of the connectivity-check scenario (plain HTTP, port 80). */
export const CHECK_URL = `http://${CHECK_NAME}/generate_204`;

/** Where router B's captive portal sends every request (B's DNS answers its name with B's r0). */
export const PORTAL_URL = "http://portal.mif.example/login";

/**
 * What each network's DNS answers for {@linkcode CHECK_NAME} with
 * `check: true`: A srv's addresses, where a server answers the probe
 * with 204 at port 80 (also `/` with the client's address, so
 * `http://race.mif.example/` works through A and B); B its r0, where a
 * captive portal answers every request with 302 to
 * {@linkcode PORTAL_URL}; C2 its peer's address, where nothing listens at
 * port 80. C1's and S's DNS do not know the name.
 */
export const CHECK_ANSWERS = {
  a: RACE_ANSWERS.a,
  b: ["203.0.113.1"],
  c2: ANSWERS.c2,
} as const;

/** A router with a path to the racing topology's server: a key of {@linkcode RACE_ANSWERS}. */
export type RaceRouter = keyof typeof RACE_ANSWERS;

/**
 * The name only the stub router D2's DNS knows (with `ipv6: true`): it
 * answers {@linkcode STUB_ANSWER}; D1's DNS does not know it.
 */
export const STUB_NAME = "stub.mif.example";

/** D2's answer for {@linkcode STUB_NAME}: on D2's r0, with a TCP peer at {@linkcode PEER_PORT}. */
export const STUB_ANSWER = "2001:db8:d2::80";

/**
 * The domains of the names scenario (`names: true`): what A's DHCPv4
 * (options 15 and 119), RA (DNSSL) and DHCPv6 hand out, what B's DHCPv4
 * hands out, and the VPN's domain (in the resolver configuration).
 */
export const NAMES_DOMAINS = { a: "isp1.test", b: "isp2.test", vpn: "corp.test" } as const;

/** The printer each uplink's DNS knows (`names: true`): a single label under its own domain. */
export const PRINTER_NAMES = { a: "printer.isp1.test", b: "printer.isp2.test" } as const;

/**
 * What A's and B's DNS answer for their {@linkcode PRINTER_NAMES}: their
 * {@linkcode ANSWERS}, where each router's TCP peer listens at
 * {@linkcode PEER_PORT}.
 */
export const PRINTER_ANSWERS = { a: ANSWERS.a, b: ANSWERS.b } as const;

/**
 * A name under A's domain that only B's DNS knows (`names: true`), as if
 * the printer had moved: A's DNS refuses it, B's answers
 * {@linkcode PRINTER_ANSWERS}.b. Split DNS never asks B for it unless
 * leaking back is turned on.
 */
export const MOVED_NAME = "moved.isp1.test";

/**
 * The VPN-like link of the names scenario: the host's TUN device, its
 * address and the tunnel's far end, the route through it, and the VPN's
 * DNS server (the only server in the resolver configuration mif reads,
 * with search {@linkcode NAMES_DOMAINS}.vpn).
 */
export const VPN = {
  link: "vpn0",
  address: "198.18.99.2",
  peer: "198.18.99.1",
  route: "198.18.100.0/24",
  dnsServer: "198.18.100.53",
} as const;

/** The name only the VPN's DNS knows (`names: true`); it answers {@linkcode VPN_ANSWER}. */
export const VPN_NAME = "intranet.corp.test";

/** The VPN's answer for {@linkcode VPN_NAME}: in the VPN server's namespace, with a TCP peer at {@linkcode PEER_PORT}. */
export const VPN_ANSWER = "198.18.100.80";

/** The name the mDNS responder on B's r0 answers (`names: true`), with {@linkcode MDNS_ANSWER}. */
export const MDNS_NAME = "lamp.local";

/** The mDNS responder's answer for {@linkcode MDNS_NAME}: B's TCP peer. */
export const MDNS_ANSWER = "203.0.113.80";

/** A router of the IPv6 links (`ipv6: true`); also the name of its dnsmasq and its log. */
export type Ipv6Router = "d1" | "d2" | "n" | "r" | "m";

/** How {@linkcode TestBed.create} builds the test bed. */
export interface TestBedOptions {
  /** Also build the racing topology (server namespace, delay lines); default false. */
  readonly race?: boolean;
  /** The delay lines' initial delays in milliseconds each way (default 0). */
  readonly delayMs?: Readonly<Partial<Record<RaceRouter, number>>>;
  /**
   * Also build the IPv6 links netd, netn, netr and netm (see the module
   * documentation); default false.
   */
  readonly ipv6?: boolean;
  /**
   * Also build the connectivity-check scenario ({@linkcode CHECK_ANSWERS});
   * implies `race`; default false.
   */
  readonly check?: boolean;
  /**
   * Also build the names scenario: the uplinks' domains and printers, the
   * VPN-like link with its DNS and domain, the mDNS responder on B's link
   * (see the module documentation); default false.
   */
  readonly names?: boolean;
}

/**
 * The resolv.conf a process in the host namespace can bind-mount over
 * /etc/resolv.conf (see {@linkcode bindResolvConf}): router A's DNS.
 */
const DEFAULT_PATH_RESOLV_CONF = "# mif test bed: router A\nnameserver 198.51.100.1\n";

/**
 * The argv prefix that runs a program in a namespace with its own private
 * mount namespace: `ip netns exec <ns> unshare --mount --propagation
 * private`. A bind mount the program makes there (e.g.
 * {@linkcode bindResolvConf}) stays with it and its children and goes
 * away when they exit; nothing outside changes. (`ip netns exec` alone
 * already unshares the mount namespace and makes / a slave to remount
 * /sys, so mounts do not leak out even without unshare; unshare makes the
 * isolation explicit and private both ways instead of relying on that.)
 *
 * @example A client of the system resolver in the host namespace
 * ```ts
 * import { privateMountArgv } from "./testbed.ts";
 * console.log(privateMountArgv("mifbed1-host"));
 * // ["ip", "netns", "exec", "mifbed1-host", "unshare", "--mount", "--propagation", "private"]
 * ```
 * @param ns The network namespace.
 * @returns The prefix; append the program and its arguments.
 */
export function privateMountArgv(ns: string): string[] {
  return ["ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private"];
}

/** A process's mount namespace, e.g. "mnt:[4026531832]". */
function mountNamespace(pid: number | "self"): string {
  return Deno.readLinkSync(`/proc/${pid}/ns/mnt`);
}

/**
 * Bind-mounts a file over /etc/resolv.conf for this process and its
 * children, so that the system resolver (getaddrinfo, Deno.connect with a
 * name) uses its name servers. Only in a mount namespace of its own (a
 * program started with {@linkcode privateMountArgv}, whose parent is the
 * process that started it): it refuses when it shares its parent's mount
 * namespace or when a mount here propagates to other namespaces, so
 * /etc/resolv.conf never changes for anyone else. Needs root,
 * --allow-read and --allow-run.
 *
 * @example Resolve through router A's DNS
 * ```ts ignore
 * // Run as: [...privateMountArgv(bed.ns.host), deno, "run", "-A", "client.ts", bed.defaultPathResolvConf]
 * import { bindResolvConf, RACE_NAME } from "./testbed.ts";
 * await bindResolvConf(Deno.args[0]);
 * const conn = await Deno.connect({ hostname: RACE_NAME, port: 8080 });
 * ```
 * @param path The resolv.conf to use.
 * @throws {Error} Outside a mount namespace of its own, or when mount fails.
 */
export async function bindResolvConf(path: string): Promise<void> {
  let state: string | undefined;
  try {
    if (mountNamespace("self") === mountNamespace(Deno.ppid)) {
      state = "this process shares its parent's mount namespace";
    } else if (/ shared:\d+ /.test(await Deno.readTextFile("/proc/self/mountinfo"))) {
      state = "mounts in this mount namespace propagate to others";
    }
  } catch (error) {
    throw new Error(`Cannot bind ${path} over /etc/resolv.conf: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (state) {
    throw new Error(`Cannot bind ${path} over /etc/resolv.conf: ${state}`, {
      cause: new Error("start the program with privateMountArgv()"),
    });
  }
  await run(["mount", "--bind", path, "/etc/resolv.conf"]);
}

/** A network with a router: a key of {@linkcode ANSWERS}. */
export type Router = keyof typeof ANSWERS;

/**
 * The TCP port of the peers: each router listens on its
 * {@linkcode ANSWERS} addresses at this port.
 */
export const PEER_PORT = 8080;

/** One query a network's DNS server received. */
export type DnsQueryRecord = {
  /** The record type, e.g. "A", "AAAA" (dnsmasq's "type=65" for unnamed types). */
  type: string;
  /** The queried name. */
  name: string;
  /** The query's source address as the server saw it. */
  from: string;
};

const QUERY_LINE = /\bquery\[([^\]]+)\] (\S+) from (\S+)\s*$/;

/**
 * Reads the queries from dnsmasq's log (written with --log-queries), in
 * order; every other line is skipped.
 *
 * @example Two queries among other lines
 * ```ts
 * import { parseDnsmasqQueries } from "./testbed.ts";
 * const log = [
 *   "Nov 24 04:35:54 dnsmasq[14434]: started, version 2.90 cachesize 150",
 *   "Nov 24 04:35:56 dnsmasq[14434]: query[A] www.mif.example from 203.0.113.7",
 *   "Nov 24 04:35:56 dnsmasq[14434]: config www.mif.example is 203.0.113.80",
 *   "Nov 24 04:35:56 dnsmasq[14434]: query[AAAA] www.mif.example from 2001:db8:b::7",
 * ].join("\n");
 * console.log(parseDnsmasqQueries(log));
 * // [ { type: "A", name: "www.mif.example", from: "203.0.113.7" },
 * //   { type: "AAAA", name: "www.mif.example", from: "2001:db8:b::7" } ]
 * ```
 * @param text The log.
 * @returns The queries.
 */
export function parseDnsmasqQueries(text: string): DnsQueryRecord[] {
  return text.split("\n").flatMap((line) => {
    const m = QUERY_LINE.exec(line);
    return m ? [{ type: m[1], name: m[2], from: m[3] }] : [];
  });
}

/** Host-only prefixes: the answer addresses must not add prefixes to the routers' RAs. */
function hostPrefix(address: string): string {
  return address.includes(":") ? `${address}/128` : `${address}/32`;
}

/**
 * Reads a child's stdout until a line, then stops reading it.
 *
 * @throws {Error} When the child ends its output first or the time runs out.
 */
async function waitForLine(
  what: string,
  child: Deno.ChildProcess,
  line: string,
  timeout = 15_000,
): Promise<void> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, timeout);
  let seen = "";
  try {
    while (!seen.split("\n").includes(line)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  if (seen.split("\n").includes(line)) return;
  const state = timedOut ? `no "${line}" after ${timeout} ms` : `it exited before "${line}"`;
  const printed = seen.trim() ? ` (it printed: ${seen.trim()})` : "";
  throw new Error(`Cannot start ${what}: ${state}${printed}`);
}

/**
 * Waits until check() returns true.
 *
 * @param what What is awaited, for the error.
 * @param check The condition.
 * @param timeout Milliseconds.
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeout = 15_000,
): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) {
      throw new Error(`Cannot set up the test bed: timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** A delay in milliseconds, checked. */
function checkDelay(router: RaceRouter, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new Error(`Cannot set the delay of router ${router}: ${ms} is not 0 or more ms`);
  }
  return ms;
}

/** Where a test bed dnsmasq keeps its pid, its leases and its query log. */
export interface DnsmasqFiles {
  /** The pid file. */
  readonly pid: string;
  /** The lease file. */
  readonly leases: string;
  /** The log (queries and, with --log-dhcp, DHCP). */
  readonly log: string;
}

/**
 * The command line, program first, of a test bed dnsmasq in a namespace:
 * in the foreground, with no configuration but `args` and its files.
 *
 * @param ns The namespace.
 * @param files Its pid, lease and log files.
 * @param args Its interface, ranges and options.
 * @returns `["ip", "netns", "exec", ns, "dnsmasq", ...]`.
 */
export function dnsmasqArgv(
  ns: string,
  files: DnsmasqFiles,
  args: readonly string[],
): string[] {
  return [
    "ip",
    "netns",
    "exec",
    ns,
    "dnsmasq",
    "--keep-in-foreground",
    "--conf-file=/dev/null",
    "--no-resolv",
    "--no-hosts",
    "--user=root",
    "--group=root",
    "--bind-interfaces",
    `--pid-file=${files.pid}`,
    `--dhcp-leasefile=${files.leases}`,
    `--log-facility=${files.log}`,
    "--log-queries",
    ...args,
  ];
}

/** Removes namespaces left by test beds whose process is gone. */
export async function removeLeftovers(): Promise<void> {
  for (const line of (await run(["ip", "netns", "list"])).split("\n")) {
    const m = new RegExp(`^(${PREFIX}(\\d+)-\\S+)`).exec(line);
    if (m && !alive(Number(m[2]))) await killAndDelete(m[1]);
  }
}

/** Kills every process in a namespace (SIGTERM, then SIGKILL) and deletes it. */
export async function killAndDelete(ns: string): Promise<void> {
  const pids = () =>
    run(["ip", "netns", "pids", ns]).then(
      (t) => t.split("\n").filter(Boolean).map(Number),
      () => [],
    );
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    for (const pid of await pids()) {
      try {
        Deno.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
    const end = Date.now() + 2000;
    while ((await pids()).length > 0 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await run(["ip", "netns", "del", ns]).catch(() => {});
}

/** A running test bed. */
export class TestBed implements AsyncDisposable {
  /**
   * Namespace names by role; srv (the racing topology's server) exists only
   * with `race`, d (netd's bridge), d1, d2, n, r and m only with `ipv6`.
   */
  readonly ns: Readonly<
    Record<"host" | "a" | "b" | "c" | "c1" | "c2" | "s" | "srv" | "d" | "v" | Ipv6Router, string>
  >;
  /** The temp dir: logs, leases, the dhclient script, resolv.conf for mif. */
  readonly dir: string;
  /** Where the dhclient script records what dhclient told it (mif's --lease-dir). */
  readonly stateDir: string;
  /** The resolv.conf mif reads (--resolv-conf): the static network's DNS. */
  readonly resolvConf: string;
  /**
   * A resolv.conf naming router A's DNS (198.51.100.1), for clients of the
   * system resolver in the host namespace: see {@linkcode bindResolvConf}.
   */
  readonly defaultPathResolvConf: string;
  /** Whether the racing topology is built ({@linkcode TestBedOptions.race}). */
  readonly race: boolean;
  /** Whether the IPv6 links are built ({@linkcode TestBedOptions.ipv6}). */
  readonly ipv6: boolean;
  /** Whether the connectivity-check scenario is built ({@linkcode TestBedOptions.check}). */
  readonly check: boolean;
  /** Whether the names scenario is built ({@linkcode TestBedOptions.names}). */
  readonly names: boolean;
  /** The names of the dnsmasq servers started so far (each has a query log). */
  readonly #dnsmasqs = new Set<string>();
  readonly #delays: Record<RaceRouter, number> = { a: 0, b: 0 };
  #ipv6Broken = false;
  readonly #ipv4Broken = new Set<RaceRouter>();
  readonly #namespaces: string[] = [];
  readonly #daemons = new Map<string, Deno.ChildProcess>();

  private constructor(dir: string, options: TestBedOptions) {
    const id = `${PREFIX}${Deno.pid}-${Math.random().toString(36).slice(2, 6)}`;
    this.ns = {
      host: `${id}-host`,
      a: `${id}-a`,
      b: `${id}-b`,
      c: `${id}-c`,
      c1: `${id}-c1`,
      c2: `${id}-c2`,
      s: `${id}-s`,
      srv: `${id}-srv`,
      d: `${id}-d`,
      d1: `${id}-d1`,
      d2: `${id}-d2`,
      n: `${id}-n`,
      r: `${id}-r`,
      m: `${id}-m`,
      v: `${id}-v`,
    };
    this.dir = dir;
    this.stateDir = `${dir}/dhclient-state`;
    this.resolvConf = `${dir}/resolv.conf`;
    this.defaultPathResolvConf = `${dir}/resolv-default-path.conf`;
    this.check = options.check ?? false;
    this.race = (options.race ?? false) || this.check;
    this.ipv6 = options.ipv6 ?? false;
    this.names = options.names ?? false;
    for (const router of ["a", "b"] as const) {
      this.#delays[router] = checkDelay(router, options.delayMs?.[router] ?? 0);
    }
  }

  /**
   * Builds the test bed and waits until the host has its DHCPv4 leases,
   * SLAAC addresses from every router and the stateless DHCPv6 answer;
   * with `race`, also the racing topology with its delay lines ready; with
   * `ipv6`, also SLAAC addresses from D1, D2, N and R, a temporary address
   * on netd and the IA_NA address on netm.
   *
   * @example A test bed with the racing topology, 40 ms each way via B
   * ```ts ignore
   * await using bed = await TestBed.create({ race: true, delayMs: { b: 40 } });
   * ```
   * @param options What to build.
   * @returns The running test bed; dispose it.
   */
  static async create(options: TestBedOptions = {}): Promise<TestBed> {
    for (const router of ["a", "b"] as const) checkDelay(router, options.delayMs?.[router] ?? 0);
    await removeLeftovers();
    const bed = new TestBed(await Deno.makeTempDir({ prefix: "mif-testbed-" }), options);
    try {
      await bed.#build();
    } catch (error) {
      await bed[Symbol.asyncDispose]();
      throw error;
    }
    return bed;
  }

  /** Runs a command in a namespace and returns its output. */
  exec(ns: string, argv: readonly string[]): Promise<string> {
    return run(["ip", "netns", "exec", ns, ...argv]);
  }

  /** Runs `ip` in a namespace. */
  ip(ns: string, ...args: string[]): Promise<string> {
    return run(["ip", "-n", ns, ...args]);
  }

  async #addNs(ns: string, router: boolean): Promise<void> {
    await run(["ip", "netns", "add", ns]);
    this.#namespaces.push(ns);
    await this.ip(ns, "link", "set", "lo", "up");
    const settings = ["all", "default"].map((key) => `net.ipv6.conf.${key}.accept_dad=0`);
    // A router forwards; otherwise its kernel answers Neighbor Solicitations
    // with the Router flag clear, and hosts drop it as a default router
    // (RFC 4861 §7.2.5, Linux rt6_clean_tohost).
    if (router) settings.push("net.ipv6.conf.all.forwarding=1", "net.ipv4.ip_forward=1");
    await this.exec(ns, ["sysctl", "-qw", ...settings]);
  }

  /**
   * A veth pair: `name` in namespace `from` (the host's by default), `peer` in namespace `ns`.
   */
  async #veth(name: string, ns: string, peer: string, from = this.ns.host): Promise<void> {
    await run([
      "ip",
      "link",
      "add",
      name,
      "netns",
      from,
      "type",
      "veth",
      "peer",
      "name",
      peer,
      "netns",
      ns,
    ]);
  }

  /** Addresses a router interface: a fixed link-local address and the given ones. */
  async #router(ns: string, dev: string, linkLocal: string, addresses: string[]): Promise<void> {
    await this.ip(ns, "link", "set", dev, "addrgenmode", "none");
    await this.ip(ns, "addr", "add", `${linkLocal}/64`, "dev", dev, "nodad");
    for (const a of addresses) await this.ip(ns, "addr", "add", a, "dev", dev, "nodad");
    await this.ip(ns, "link", "set", dev, "up");
  }

  /** Starts dnsmasq in a namespace (kept in the foreground, logging to the temp dir). */
  startDnsmasq(name: string, ns: string, args: readonly string[]): void {
    const files = `${this.dir}/${name}`;
    const [, ...dnsmasq] = dnsmasqArgv(
      ns,
      { pid: `${files}.pid`, leases: `${files}.leases`, log: `${files}.log` },
      args,
    );
    const child = new Deno.Command("ip", {
      args: dnsmasq,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    this.#daemons.set(name, child);
    this.#dnsmasqs.add(name);
  }

  /**
   * The queries a router's DNS server has logged so far, oldest first.
   *
   * @example The host's query to netB
   * ```ts ignore
   * const queries = await bed.dnsQueries("b");
   * // [{ type: "A", name: "www.mif.example", from: "203.0.113.101" }]
   * ```
   * @param router The network, or a router of the IPv6 links (`ipv6`).
   * @returns Each query's type, name and source address.
   */
  async dnsQueries(router: Router | Ipv6Router | "v"): Promise<DnsQueryRecord[]> {
    const path = `${this.dir}/${router}.log`;
    try {
      return parseDnsmasqQueries(await Deno.readTextFile(path));
    } catch (error) {
      throw new Error(`Cannot read the DNS queries of ${router}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * The queries every DNS server of the bed has logged so far, by server
   * (its router's name: "a", "b", "c1", …, "v" for the VPN's).
   *
   * @example No DNS server was asked for an mDNS name
   * ```ts ignore
   * const logs = await bed.allDnsQueries();
   * Object.values(logs).flat().some((q) => q.name === "lamp.local"); // false
   * ```
   * @returns Each server's queries, oldest first.
   */
  async allDnsQueries(): Promise<Record<string, DnsQueryRecord[]>> {
    const out: Record<string, DnsQueryRecord[]> = {};
    for (const name of this.#dnsmasqs) {
      out[name] = await this.dnsQueries(name as Router).catch(() => []);
    }
    return out;
  }

  /**
   * Where a router's TCP peer listens: its {@linkcode ANSWERS} at
   * {@linkcode PEER_PORT}.
   *
   * @example netA's peers
   * ```ts ignore
   * bed.peerAddresses("a");
   * // [{ hostname: "198.51.100.80", port: 8080 }, { hostname: "2001:db8:a::80", port: 8080 }]
   * ```
   * @param router The network.
   * @returns The addresses and port.
   */
  peerAddresses(router: Router): { hostname: string; port: number }[] {
    return ANSWERS[router].map((hostname) => ({ hostname, port: PEER_PORT }));
  }

  /** Starts a TCP peer on addresses in a namespace and waits until it listens. */
  async #startPeer(where: string, ns: string, addresses: readonly string[]): Promise<void> {
    await this.#startDeno(`peer-${where}`, `the TCP peer of ${where}`, ns, "listening", [
      "--allow-net",
      PEER_SERVER,
      String(PEER_PORT),
      ...addresses,
    ]);
  }

  /**
   * Runs a Deno program of the test bed in a namespace (`deno run --no-config <args>`) as a
   * daemon, and waits for its ready line.
   */
  async #startDeno(
    name: string,
    what: string,
    ns: string,
    ready: string,
    args: readonly string[],
  ): Promise<void> {
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", ns, Deno.execPath(), "run", "--no-config", ...args],
      cwd: this.dir,
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#daemons.set(name, child);
    await waitForLine(what, child, ready);
  }

  /** Stops a daemon started by the test bed and waits for it to exit. */
  async stopDaemon(name: string): Promise<void> {
    const child = this.#daemons.get(name);
    if (!child) return;
    this.#daemons.delete(name);
    try {
      // ip netns exec replaces itself with the daemon, so the child is the daemon.
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
  }

  /** dhclient with the test bed's script, lease and pid files; daemonizes once bound. */
  async dhclient(args: readonly string[], name: string): Promise<void> {
    await this.exec(this.ns.host, [
      "dhclient",
      "-1",
      "-cf",
      `${this.dir}/dhclient.conf`,
      "-sf",
      `${this.dir}/dhclient-script`,
      "-lf",
      `${this.dir}/${name}.leases`,
      "-pf",
      `${this.dir}/${name}.pid`,
      ...args,
    ]);
  }

  async #build(): Promise<void> {
    const { host, a, b, c, c1, c2, s } = this.ns;
    for (const ns of [host, a, b, c, c1, c2, s]) await this.#addNs(ns, ns !== host && ns !== c);
    await Deno.mkdir(this.stateDir);
    await Deno.writeTextFile(`${this.dir}/dhclient.conf`, DHCLIENT_CONF);
    await Deno.writeTextFile(`${this.dir}/dhclient-script`, dhclientScript(this.stateDir), {
      mode: 0o755,
    });
    await Deno.writeTextFile(
      this.resolvConf,
      this.names
        // A VPN client that takes over the resolver configuration (vpnc-script,
        // OpenVPN's update-resolv-conf) writes its server and its domain.
        ? `# mif test bed: the VPN client's\nnameserver ${VPN.dnsServer}\nsearch ${NAMES_DOMAINS.vpn}\n`
        : "# mif test bed\nnameserver 198.18.1.1\nsearch s.mif.example\n",
    );
    await Deno.writeTextFile(this.defaultPathResolvConf, DEFAULT_PATH_RESOLV_CONF);

    // netA: dual stack.
    await this.#veth("neta", a, "r0");
    await this.#router(a, "r0", "fe80::a", [
      "198.51.100.1/24",
      "2001:db8:a::1/64",
      ...ANSWERS.a.map(hostPrefix),
    ]);
    this.startDnsmasq("a", a, [
      "--interface=r0",
      "--enable-ra",
      "--ra-param=r0,10,600",
      "--dhcp-range=198.51.100.100,198.51.100.150,255.255.255.0,10m",
      "--dhcp-range=2001:db8:a::,ra-stateless,64,10m",
      "--dhcp-option=option:dns-server,198.51.100.1",
      ...this.#domainOptions("a"),
      "--dhcp-option=option:mtu,1400",
      "--dhcp-option=option6:dns-server,[2001:db8:a::1]",
      ...ANSWERS.a.map((x) => `--address=/${TEST_NAME}/${x}`),
      ...this.#raceAddresses("a"),
      ...this.#checkAddresses("a"),
    ]);
    // netB: IPv4 only.
    await this.#veth("netb", b, "r0");
    await this.#router(b, "r0", "fe80::b", ["203.0.113.1/24", ...ANSWERS.b.map(hostPrefix)]);
    this.startDnsmasq("b", b, [
      "--interface=r0",
      "--dhcp-range=203.0.113.100,203.0.113.150,255.255.255.0,10m",
      "--dhcp-option=option:dns-server,203.0.113.1",
      ...this.#domainOptions("b"),
      ...ANSWERS.b.map((x) => `--address=/${TEST_NAME}/${x}`),
      ...this.#raceAddresses("b"),
      ...this.#checkAddresses("b"),
    ]);
    // netC: IPv6 only, two routers on one bridged link.
    await this.ip(c, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
    await this.ip(c, "link", "set", "br0", "up");
    await this.#veth("netc", c, "p0");
    for (const [ns, n] of [[c1, 1], [c2, 2]] as const) {
      await this.#veth(`p${n}`, ns, "r0", c);
      await this.#router(ns, "r0", `fe80::c${n}`, [
        `2001:db8:c${n}::1/64`,
        ...ANSWERS[`c${n}`].map(hostPrefix),
      ]);
    }
    for (const p of ["p0", "p1", "p2"]) {
      await this.ip(c, "link", "set", p, "master", "br0");
      await this.ip(c, "link", "set", p, "up");
    }
    this.startRouterC("c1", 600);
    this.startRouterC("c2", 600);
    // The static link.
    await this.#veth("nets", s, "r0");
    await this.#router(s, "r0", "fe80::5", [
      "198.18.1.1/24",
      "2001:db8:5::1/64",
      ...ANSWERS.s.map(hostPrefix),
    ]);
    this.startDnsmasq("s", s, [
      "--interface=r0",
      "--listen-address=198.18.1.1",
      ...ANSWERS.s.map((x) => `--address=/${TEST_NAME}/${x}`),
    ]);
    await this.ip(host, "addr", "add", "198.18.1.2/24", "dev", "nets");
    await this.ip(host, "addr", "add", "2001:db8:5::2/64", "dev", "nets", "nodad");
    await Promise.all(
      (Object.keys(ANSWERS) as Router[]).map((r) => this.#startPeer(r, this.ns[r], ANSWERS[r])),
    );

    for (const dev of ["neta", "netb", "netc", "nets"]) {
      await this.ip(host, "link", "set", dev, "up");
    }
    await Promise.all([
      this.dhclient(["-4", "neta"], "neta4"),
      this.dhclient(["-4", "netb"], "netb4"),
    ]);
    await waitFor("SLAAC on neta and netc", async () => {
      const text = await this.ip(host, "-6", "addr", "show", "scope", "global");
      return ["2001:db8:a:", "2001:db8:c1:", "2001:db8:c2:"].every((p) => text.includes(p));
    });
    await waitFor("both netC routers", async () => {
      const text = await this.ip(host, "-6", "route", "show", "default");
      return text.includes("fe80::c1") && text.includes("fe80::c2");
    });
    // Stateless DHCPv6 (the RA's O flag): dhclient -S asks once and exits.
    await this.dhclient(["-6", "-S", "neta"], "neta6");
    await waitFor("the DHCPv6 record", () => {
      try {
        return Deno.statSync(`${this.stateDir}/neta.dhcpv6.env`).isFile;
      } catch {
        return false;
      }
    });
    if (this.race) await this.#buildRace();
    if (this.check) await this.#startCheck();
    if (this.ipv6) await this.#buildIpv6();
    if (this.names) await this.#buildNames();
  }

  /**
   * A's and B's domain options: without `names`, A's DHCPv4 search list
   * a.mif.example and its RA's and DHCPv6's a6.mif.example, B's
   * b.mif.example; with `names`, A's domain isp1.test (DHCPv4 options 15
   * and 119; option6:domain-search, which dnsmasq sends as DHCPv6 option
   * 24 and as the RA's DNSSL), B's isp2.test (options 15 and 119), and
   * each DNS answering its printer ({@linkcode PRINTER_NAMES}), B's also
   * {@linkcode MOVED_NAME}.
   */
  #domainOptions(router: "a" | "b"): string[] {
    if (!this.names) {
      return router === "a"
        ? [
          "--dhcp-option=option:domain-search,a.mif.example",
          "--dhcp-option=option6:domain-search,a6.mif.example",
        ]
        : ["--dhcp-option=option:domain-search,b.mif.example"];
    }
    const domain = NAMES_DOMAINS[router];
    return [
      `--dhcp-option=option:domain-name,${domain}`,
      `--dhcp-option=option:domain-search,${domain}`,
      ...(router === "a" ? [`--dhcp-option=option6:domain-search,${domain}`] : []),
      ...PRINTER_ANSWERS[router].map((x) => `--address=/${PRINTER_NAMES[router]}/${x}`),
      ...(router === "b" ? PRINTER_ANSWERS.b.map((x) => `--address=/${MOVED_NAME}/${x}`) : []),
    ];
  }

  /**
   * The names scenario's VPN-like link and mDNS responder: namespace v
   * with a TUN device tun0 (the tunnel's far end, the VPN's DNS server and
   * peer on it), the host's TUN device vpn0 with its address and route,
   * the tunnel between them, v's dnsmasq and peer, and the mDNS responder
   * on B's r0.
   */
  async #buildNames(): Promise<void> {
    const { host, v, b } = this.ns;
    await this.#addNs(v, true);
    await this.ip(v, "tuntap", "add", "dev", "tun0", "mode", "tun");
    await this.ip(v, "addr", "add", `${VPN.peer}/32`, "peer", VPN.address, "dev", "tun0");
    for (const x of [VPN.dnsServer, VPN_ANSWER]) {
      await this.ip(v, "addr", "add", hostPrefix(x), "dev", "tun0");
    }
    await this.ip(v, "link", "set", "tun0", "up");
    await this.ip(host, "tuntap", "add", "dev", VPN.link, "mode", "tun");
    await this.ip(host, "addr", "add", `${VPN.address}/32`, "peer", VPN.peer, "dev", VPN.link);
    await this.ip(host, "link", "set", VPN.link, "up");
    await this.ip(host, "route", "add", VPN.route, "dev", VPN.link);
    const socket = `${this.dir}/vpn-tunnel.sock`;
    const tunnel = ["--allow-ffi", "--allow-read", "--allow-write", "--allow-net", TUN_TUNNEL];
    await this.#startDeno("tunnel-v", "the VPN server's end of the tunnel", v, "ready", [
      ...tunnel,
      "tun0",
      socket,
      "listen",
    ]);
    await this.#startDeno("tunnel-host", "the host's end of the tunnel", host, "ready", [
      ...tunnel,
      VPN.link,
      socket,
      "connect",
    ]);
    this.startDnsmasq("v", v, [
      "--interface=tun0",
      `--listen-address=${VPN.dnsServer}`,
      `--address=/${VPN_NAME}/${VPN_ANSWER}`,
    ]);
    await this.#startPeer("v", v, [VPN_ANSWER]);
    await waitFor(`${VPN.link} up with carrier`, async () => {
      return (await this.ip(host, "link", "show", VPN.link)).includes("LOWER_UP");
    });
    // tests/fixtures/mdns_responder.ts: one-shot (legacy unicast) queries answered by unicast.
    await this.#startDeno("mdns-b", "the mDNS responder of B", b, "listening", [
      "--allow-net",
      MDNS_RESPONDER,
      "203.0.113.1",
      `${MDNS_NAME}=${MDNS_ANSWER}`,
    ]);
  }

  /** dnsmasq's answers for {@linkcode CHECK_NAME} (and B's portal) in a router (`check` only). */
  #checkAddresses(router: Router): string[] {
    if (!this.check) return [];
    const answers: Partial<Record<Router, readonly string[]>> = CHECK_ANSWERS;
    const portal = new URL(PORTAL_URL).hostname;
    return [
      ...(answers[router] ?? []).map((x) => `--address=/${CHECK_NAME}/${x}`),
      ...(router === "b" ? CHECK_ANSWERS.b.map((x) => `--address=/${portal}/${x}`) : []),
    ];
  }

  /** The connectivity-check responders: 204 in srv, the captive portal on B's r0, at port 80. */
  async #startCheck(): Promise<void> {
    await Promise.all([
      this.#startDeno("check-full", "the check server of srv", this.ns.srv, "listening", [
        "--allow-net",
        CHECK_SERVER,
        "80",
        "full",
        ...RACE_ANSWERS.a,
        ...RACE_ANSWERS.b,
      ]),
      this.#startDeno("check-portal", "the captive portal of B", this.ns.b, "listening", [
        "--allow-net",
        CHECK_SERVER,
        "80",
        "portal",
        PORTAL_URL,
        ...CHECK_ANSWERS.b,
      ]),
    ]);
  }

  /**
   * The IPv6 links: netd (D1 and the stub router D2 on a bridge, temporary
   * addresses in the host), netn (N, not forwarding), netr (R, renumbered
   * later) and netm (M, stateful DHCPv6 with dhclient -6 in the host).
   */
  async #buildIpv6(): Promise<void> {
    const { host, d, d1, d2, n, r, m } = this.ns;
    for (const ns of [d, d1, d2, n, r, m]) await this.#addNs(ns, ns !== d && ns !== n);

    // netd: a default router and a stub router on one bridged link.
    await this.ip(d, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
    await this.ip(d, "link", "set", "br0", "up");
    await this.#veth("netd", d, "p0");
    await this.#veth("p1", d1, "r0", d);
    await this.#router(d1, "r0", "fe80::d1", ["2001:db8:d1::1/64"]);
    await this.#veth("p2", d2, "r0", d);
    await this.#router(d2, "r0", "fe80::d2", ["2001:db8:d2::1/64", hostPrefix(STUB_ANSWER)]);
    for (const p of ["p0", "p1", "p2"]) {
      await this.ip(d, "link", "set", p, "master", "br0");
      await this.ip(d, "link", "set", p, "up");
    }
    this.#startD1(false);
    this.startDnsmasq("d2", d2, [
      "--interface=r0",
      "--enable-ra",
      "--ra-param=r0,10,0",
      "--dhcp-range=2001:db8:d2::,ra-only,64,10m",
      "--dhcp-option=option6:dns-server,[2001:db8:d2::1]",
      "--dhcp-option=option6:domain-search,d2.mif.example",
      `--address=/${STUB_NAME}/${STUB_ANSWER}`,
    ]);
    await this.#startPeer("d2", d2, [STUB_ANSWER]);
    // Temporary addresses (RFC 8981) on netd: set before the link comes up.
    await this.exec(host, ["sysctl", "-qw", "net.ipv6.conf.netd.use_tempaddr=2"]);

    // netn: a router that does not forward, so its Neighbor Advertisements
    // clear the Router flag (RFC 4861 §7.2.5): the host drops its default
    // route once it probes it, until the next RA.
    await this.#veth("netn", n, "r0");
    await this.exec(n, ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=0"]);
    await this.exec(n, ["sysctl", "-qw", "net.ipv6.conf.r0.forwarding=0"]);
    await this.#router(n, "r0", "fe80::e0", ["2001:db8:e0::1/64"]);
    this.startRouterN();

    // netr: renumbered by renumber().
    await this.#veth("netr", r, "r0");
    await this.#router(r, "r0", "fe80::e", ["2001:db8:e1::1/64"]);
    this.#startR("first");

    // netm: stateful DHCPv6 (a range: the RA sets M, its prefix has no A flag).
    await this.#veth("netm", m, "r0");
    await this.#router(m, "r0", "fe80::f", ["2001:db8:f::1/64"]);
    this.startDnsmasq("m", m, [
      "--interface=r0",
      "--enable-ra",
      "--ra-param=r0,10,600",
      "--dhcp-range=2001:db8:f::100,2001:db8:f::1ff,64,10m",
      "--dhcp-option=option6:dns-server,[2001:db8:f::1]",
      "--dhcp-option=option6:domain-search,f.mif.example",
    ]);

    for (const dev of ["netd", "netn", "netr", "netm"]) {
      await this.ip(host, "link", "set", dev, "up");
    }
    await waitFor("a link-local address on netm", async () => {
      return (await this.ip(host, "-6", "addr", "show", "dev", "netm")).includes("inet6 fe80::");
    });
    // dhclient -6 with the test bed's script: it applies the IA_NA address.
    await this.dhclient(["-6", "netm"], "netm6");
    await waitFor("SLAAC, temporary and DHCPv6 addresses on netd, netn, netr, netm", async () => {
      const text = await this.ip(host, "-6", "addr", "show", "scope", "global");
      const netd = await this.ip(host, "-6", "addr", "show", "dev", "netd");
      return ["2001:db8:d1:", "2001:db8:d2:", "2001:db8:e0:", "2001:db8:e1:", "2001:db8:f::1"]
        .every((p) => text.includes(p)) && netd.includes(" temporary ");
    });
  }

  /** Starts (or restarts) netd's default router D1; going away: router lifetime 0, prefix deprecated. */
  #startD1(goingAway: boolean): void {
    this.startDnsmasq("d1", this.ns.d1, [
      "--interface=r0",
      "--enable-ra",
      `--ra-param=r0,10,${goingAway ? 0 : 600}`,
      `--dhcp-range=2001:db8:d1::,ra-only,64,${goingAway ? "deprecated" : "10m"}`,
      "--dhcp-option=option6:dns-server,[2001:db8:d1::1]",
      "--dhcp-option=option6:domain-search,d1.mif.example",
    ]);
  }

  /** Starts (or restarts) netr's router R, before or after renumbering. */
  #startR(state: "first" | "renumbered" | "retired"): void {
    const ranges = {
      first: ["--dhcp-range=2001:db8:e1::,ra-only,64,10m"],
      renumbered: [
        "--dhcp-range=2001:db8:e1::,ra-only,64,deprecated",
        "--dhcp-range=2001:db8:e2::,ra-only,64,10m",
      ],
      retired: [
        "--dhcp-range=2001:db8:e1::,ra-only,64,deprecated",
        "--dhcp-range=2001:db8:e2::,ra-only,64,deprecated",
      ],
    }[state];
    this.startDnsmasq("r", this.ns.r, [
      "--interface=r0",
      "--enable-ra",
      `--ra-param=r0,10,${state === "retired" ? 0 : 600}`,
      ...ranges,
      `--dhcp-option=option6:dns-server,[2001:db8:${state === "first" ? "e1" : "e2"}::1]`,
    ]);
  }

  /** Starts (or restarts) netn's router N, the one that does not forward. */
  startRouterN(): void {
    this.startDnsmasq("n", this.ns.n, [
      "--interface=r0",
      "--enable-ra",
      "--ra-param=r0,10,600",
      "--dhcp-range=2001:db8:e0::,ra-only,64,10m",
      "--dhcp-option=option6:dns-server,[2001:db8:e0::1]",
    ]);
  }

  /**
   * Retires netr's router R after {@linkcode TestBed.renumber}: restarts its
   * dnsmasq with router lifetime 0 and both its prefixes deprecated, so every
   * PD of netr is expiring (an interface going away, §3.3.7.25.4).
   *
   * @throws {Error} Without the IPv6 links.
   */
  async retireR(): Promise<void> {
    this.#requireIpv6("retire router R");
    await this.stopDaemon("r");
    this.#startR("retired");
  }

  #requireIpv6(action: string): void {
    if (!this.ipv6) {
      throw new Error(`Cannot ${action}: the test bed has no IPv6 links`, {
        cause: new Error("create it with TestBed.create({ ipv6: true })"),
      });
    }
  }

  /**
   * Renumbers netr as tests/testdata/testbed_ipv6 captured it: stops R's
   * dnsmasq, adds 2001:db8:e2::1/64 to its r0 and starts it again
   * advertising 2001:db8:e1::/64 deprecated (dnsmasq's `deprecated`:
   * preferred lifetime 0, valid lifetime infinite) and 2001:db8:e2::/64
   * new (600 s), with RDNSS 2001:db8:e2::1. Returns once R's new dnsmasq
   * runs; the host's addresses follow its next RA.
   *
   * @example Renumber, then wait for the new prefix
   * ```ts ignore
   * await using bed = await TestBed.create({ ipv6: true });
   * await bed.renumber();
   * ```
   * @throws {Error} Without the IPv6 links, or when `ip` fails.
   */
  async renumber(): Promise<void> {
    this.#requireIpv6("renumber netr");
    await this.stopDaemon("r");
    await this.ip(this.ns.r, "addr", "add", "2001:db8:e2::1/64", "dev", "r0", "nodad");
    this.#startR("renumbered");
  }

  /**
   * Stops the stub router D2 (its dnsmasq): the RA it sent last, like all
   * its RAs, had router lifetime 0, and none follow. The host keeps its
   * 2001:db8:d2: addresses, its prefix and its RDNSS until their lifetimes
   * (600 s) run out; D2's DNS and TCP peer keep running.
   *
   * @throws {Error} Without the IPv6 links.
   */
  async stopStub(): Promise<void> {
    this.#requireIpv6("stop the stub router");
    await this.stopDaemon("d2");
  }

  /**
   * Makes netd's default router D1 go away gracefully: restarts its
   * dnsmasq advertising router lifetime 0 (no longer a default router) and
   * 2001:db8:d1::/64 deprecated (preferred lifetime 0).
   *
   * @throws {Error} Without the IPv6 links.
   */
  async retireD1(): Promise<void> {
    this.#requireIpv6("retire router D1");
    await this.stopDaemon("d1");
    this.#startD1(true);
  }

  /** dnsmasq's answers for {@linkcode RACE_NAME} and RACE_OTHER_NAMES in a router (`race` only). */
  #raceAddresses(router: RaceRouter): string[] {
    if (!this.race) return [];
    const names = [RACE_NAME, RACE_OTHER_NAMES.other, RACE_OTHER_NAMES.wrong];
    return names.flatMap((name) => RACE_ANSWERS[router].map((x) => `--address=/${name}/${x}`));
  }

  /**
   * The racing topology: srv behind A and B, a delay line in each, the
   * host's routes to srv through each router.
   */
  async #buildRace(): Promise<void> {
    const { host, a, b, srv } = this.ns;
    await this.#addNs(srv, false);
    const links = [
      { router: a, peer: "sa", net: "198.18.10", v6: "2001:db8:10::", back: "198.51.100.0/24" },
      { router: b, peer: "sb", net: "198.18.20", v6: undefined, back: "203.0.113.0/24" },
    ];
    for (const { router, peer, net, v6, back } of links) {
      await this.#veth("s0", srv, peer, router);
      await this.ip(router, "addr", "add", `${net}.1/24`, "dev", "s0");
      await this.ip(srv, "addr", "add", `${net}.80/24`, "dev", peer);
      if (v6) {
        await this.ip(router, "addr", "add", `${v6}1/64`, "dev", "s0", "nodad");
        await this.ip(srv, "addr", "add", `${v6}80/64`, "dev", peer, "nodad");
      }
      await this.ip(router, "link", "set", "s0", "up");
      await this.ip(srv, "link", "set", peer, "up");
      await this.ip(srv, "route", "add", back, "via", `${net}.1`);
    }
    await this.ip(srv, "-6", "route", "add", "2001:db8:a::/64", "via", "2001:db8:10::1");
    await this.#startPeer("srv", srv, [...RACE_ANSWERS.a, ...RACE_ANSWERS.b]);

    for (const router of ["a", "b"] as const) {
      const ns = this.ns[router];
      // Packets the delay line writes come in on dlout, but the main table
      // reaches their sources through r0 or s0: strict reverse path
      // filtering (rp_filter=1, which a new namespace inherits from the
      // root namespace) would drop them. The kernel applies the larger of
      // "all" and the device's value, so both are 0. Forwarding (both
      // families, set in #addNs before the devices exist) covers dlin and
      // dlout through "default"; IPv6 must stay enabled on both.
      await this.exec(ns, [
        "sysctl",
        "-qw",
        "net.ipv4.conf.all.rp_filter=0",
        "net.ipv4.conf.default.rp_filter=0",
      ]);
      // Persistent devices: they keep their routes while the program restarts.
      for (const dev of ["dlin", "dlout"]) {
        await this.ip(ns, "tuntap", "add", "dev", dev, "mode", "tun");
        await this.exec(ns, [
          "sysctl",
          "-qw",
          `net.ipv4.conf.${dev}.rp_filter=0`,
          `net.ipv6.conf.${dev}.disable_ipv6=0`,
          `net.ipv6.conf.${dev}.accept_ra=0`,
        ]);
        await this.ip(ns, "link", "set", dev, "up");
      }
      for (const family of ["-4", "-6"]) {
        await this.ip(ns, family, "route", "add", "default", "dev", "dlin", "table", DELAY_TABLE);
        for (const [pref, dev] of [["100", "r0"], ["101", "s0"]]) {
          await this.ip(ns, family, "rule", "add", "pref", pref, "iif", dev, "lookup", DELAY_TABLE);
        }
      }
    }
    await Promise.all([this.#startDelayLine("a"), this.#startDelayLine("b")]);

    await this.ip(host, "route", "add", "198.18.10.0/24", "via", "198.51.100.1", "dev", "neta");
    await this.ip(host, "-6", "route", "add", "2001:db8:10::/64", "via", "fe80::a", "dev", "neta");
    await this.ip(host, "route", "add", "198.18.20.0/24", "via", "203.0.113.1", "dev", "netb");
  }

  /** Starts a router's delay line with its current delay and waits until it is ready. */
  async #startDelayLine(router: RaceRouter): Promise<void> {
    await this.#startDeno(
      `delay-${router}`,
      `the delay line of ${router}`,
      this.ns[router],
      "ready",
      [
        "--allow-ffi",
        DELAY_LINE,
        "dlin",
        "dlout",
        String(this.#delays[router]),
      ],
    );
  }

  #requireRace(action: string): void {
    if (!this.race) {
      throw new Error(`Cannot ${action}: the test bed has no racing topology`, {
        cause: new Error("create it with TestBed.create({ race: true })"),
      });
    }
  }

  /**
   * The delay each way of a router's delay line, in milliseconds.
   *
   * @example The initial delay
   * ```ts ignore
   * await using bed = await TestBed.create({ race: true, delayMs: { b: 40 } });
   * bed.delay("b"); // 40
   * ```
   * @param router A or B.
   * @returns The delay.
   */
  delay(router: RaceRouter): number {
    return this.#delays[router];
  }

  /**
   * Restarts a router's delay line with a new delay each way (so a TCP
   * connect through it takes at least twice that) and waits until it is
   * ready. Packets held by the old one are lost.
   *
   * @example 40 ms each way via B
   * ```ts ignore
   * await bed.setDelay("b", 40);
   * ```
   * @param router A or B.
   * @param ms Milliseconds, 0 or more.
   * @throws {Error} Without the racing topology, or when the delay line does not start.
   */
  async setDelay(router: RaceRouter, ms: number): Promise<void> {
    this.#requireRace(`set the delay of router ${router}`);
    const delayMs = checkDelay(router, ms);
    await this.stopDaemon(`delay-${router}`);
    this.#delays[router] = delayMs;
    await this.#startDelayLine(router);
  }

  /**
   * Makes IPv6 from the host to srv via router A silently dropped (a
   * blackhole route for 2001:db8:10::80 in A: no ICMP error, so a connect
   * hangs) or restores it. IPv4 via A is not affected.
   *
   * @example A broken IPv6 path
   * ```ts ignore
   * await bed.breakIpv6("a", true);
   * // Deno.connect({ hostname: "2001:db8:10::80", port: 8080 }) now hangs.
   * await bed.breakIpv6("a", false);
   * ```
   * @param router A, the only router with IPv6 to srv.
   * @param broken true to drop, false to restore.
   * @throws {Error} Without the racing topology, or when `ip` fails.
   */
  async breakIpv6(router: "a", broken: boolean): Promise<void> {
    this.#requireRace(`${broken ? "break" : "restore"} IPv6 via router ${router}`);
    if (broken === this.#ipv6Broken) return;
    const [server] = RACE_ANSWERS.a.filter((x) => x.includes(":"));
    await this.ip(this.ns[router], "-6", "route", broken ? "add" : "del", "blackhole", server);
    this.#ipv6Broken = broken;
  }

  /**
   * Makes IPv4 from the host to srv via a router silently dropped (a
   * blackhole route for the router's srv address in it) or restores it.
   * With {@linkcode TestBed.breakIpv6} too, path A to srv is dead while
   * A's DNS still answers: every connect through A hangs.
   *
   * @example Path A dead, path B healthy
   * ```ts ignore
   * await bed.breakIpv6("a", true);
   * await bed.breakIpv4("a", true);
   * ```
   * @param router A or B.
   * @param broken true to drop, false to restore.
   * @throws {Error} Without the racing topology, or when `ip` fails.
   */
  async breakIpv4(router: RaceRouter, broken: boolean): Promise<void> {
    this.#requireRace(`${broken ? "break" : "restore"} IPv4 via router ${router}`);
    if (broken === this.#ipv4Broken.has(router)) return;
    const [server] = RACE_ANSWERS[router];
    await this.ip(this.ns[router], "route", broken ? "add" : "del", "blackhole", server);
    if (broken) this.#ipv4Broken.add(router);
    else this.#ipv4Broken.delete(router);
  }

  /**
   * Starts srv's HTTPS servers (tests/testbed/https_server.ts) on all its
   * addresses ({@linkcode RACE_ANSWERS}): the certificate at
   * {@linkcode HTTPS_PORT}, its expired twin at
   * {@linkcode HTTPS_EXPIRED_PORT}. The PEM files are written into the
   * bed's temp dir. Returns once both listen; dispose stops them.
   *
   * @example Certificates from tests/fixtures/tls_certs.ts
   * ```ts ignore
   * await using certs = await makeCertificates(HTTPS_CERT_NAMES);
   * await bed.startHttps(certs);
   * // https://race.mif.example/ and https://other.mif.example/ with certs.ca as the CA
   * ```
   * @param certs The certificate, its key and the expired certificate (PEM).
   * @throws {Error} Without the racing topology, or when a server does not start.
   */
  async startHttps(
    certs: { readonly cert: string; readonly key: string; readonly expiredCert: string },
  ): Promise<void> {
    this.#requireRace("start the HTTPS server");
    const key = `${this.dir}/https-key.pem`;
    await Deno.writeTextFile(key, certs.key, { mode: 0o600 });
    const addresses = [...RACE_ANSWERS.a, ...RACE_ANSWERS.b];
    const servers = [
      ["https", HTTPS_PORT, certs.cert],
      ["https-expired", HTTPS_EXPIRED_PORT, certs.expiredCert],
    ] as const;
    for (const [name, port, pem] of servers) {
      const cert = `${this.dir}/${name}-cert.pem`;
      await Deno.writeTextFile(cert, pem);
      await this.stopDaemon(name);
      await this.#startDeno(name, `the ${name} server`, this.ns.srv, "listening", [
        "--allow-net",
        "--allow-read",
        HTTPS_SERVER,
        String(port),
        cert,
        key,
        ...addresses,
      ]);
    }
  }

  /** Starts (or restarts) netC router n with a router lifetime (0 = "not a default router"). */
  startRouterC(name: "c1" | "c2", routerLifetime: number): void {
    const n = name.slice(1);
    this.startDnsmasq(name, this.ns[name], [
      "--interface=r0",
      "--enable-ra",
      `--ra-param=r0,10,${routerLifetime}`,
      `--dhcp-range=2001:db8:c${n}::,ra-only,64,10m`,
      `--dhcp-option=option6:dns-server,[2001:db8:c${n}::1]`,
      ...ANSWERS[name].map((x) => `--address=/${TEST_NAME}/${x}`),
      ...this.#checkAddresses(name),
    ]);
  }

  /** This bed's namespaces that still exist (none once it is disposed). */
  async leftoverNamespaces(): Promise<string[]> {
    const names = await run(["ip", "netns", "list"]);
    return Object.values(this.ns).filter((ns) => names.includes(ns));
  }

  /** Tears everything down; safe to call twice. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const name of [...this.#daemons.keys()]) await this.stopDaemon(name);
    for (const ns of this.#namespaces.splice(0).reverse()) await killAndDelete(ns);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

const DHCLIENT_CONF = `request subnet-mask, broadcast-address, routers, domain-name-servers,
  domain-name, domain-search, interface-mtu, dhcp-lease-time, dhcp-server-identifier,
  dhcp-renewal-time, dhcp-rebinding-time, dhcp6.name-servers, dhcp6.domain-search;
`;

/**
 * The test bed's dhclient script: applies the lease with iproute2, records
 * it with mif's hook, and touches nothing else (not /etc/resolv.conf).
 * dhclient gives its script no environment but its own variables, so the
 * record directory is written into the script.
 */
function dhclientScript(stateDir: string): string {
  return `#!/bin/sh
MIF_DHCLIENT_DIR='${stateDir}'
. '${HOOK}'
case "$interface" in neta) metric=100 ;; *) metric=200 ;; esac
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" \\
      valid_lft "$new_dhcp_lease_time" preferred_lft "$new_dhcp_lease_time"
    for router in $new_routers; do
      ip -4 route replace default via "$router" dev "$interface" proto dhcp metric "$metric"
      break
    done
    ;;
  EXPIRE|FAIL|RELEASE|STOP)
    if [ -n "$old_ip_address" ]; then
      ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface"
    fi
    ;;
  BOUND6|RENEW6|REBIND6|REBOOT6)
    # Stateful DHCPv6 (IA_NA); stateless (dhclient -6 -S) has no address.
    if [ -n "$new_ip6_address" ]; then
      ip -6 addr replace "$new_ip6_address/\${new_ip6_prefixlen:-128}" dev "$interface" \\
        scope global valid_lft "$new_max_life" preferred_lft "$new_preferred_life"
    fi
    ;;
  EXPIRE6|RELEASE6|STOP6)
    if [ -n "$old_ip6_address" ]; then
      ip -6 addr del "$old_ip6_address/\${old_ip6_prefixlen:-128}" dev "$interface"
    fi
    ;;
esac
exit 0
`;
}

/**
 * Runs `body` on a new test bed, then disposes of it, also when `body`
 * throws, and asserts that nothing is left: no namespace, no temp dir, and
 * /etc/resolv.conf byte-identical to what it was before.
 *
 * @example A test on the racing test bed (sketch)
 * ```ts ignore
 * await withTestBed({ race: true }, async (bed) => {
 *   await bed.breakIpv6("a", true);
 * });
 * ```
 * @param options The test bed's options.
 * @param body The test.
 */
export function withTestBed(
  options: TestBedOptions,
  body: (bed: TestBed) => Promise<void>,
): Promise<void> {
  return withBed(() => TestBed.create(options), body);
}

/** What {@linkcode withBed} checks a test bed left behind. */
export interface CheckedBed extends AsyncDisposable {
  /** Its temp dir, removed on dispose. */
  readonly dir: string;
  /** Its namespaces that still exist. */
  leftoverNamespaces(): Promise<string[]>;
  /** Its processes that still run, where it can tell. */
  leftoverProcesses?(): unknown[];
}

/**
 * Runs `body` on a bed `create` makes, then disposes of it, also when
 * `body` throws, and asserts that nothing is left: no namespace, no process,
 * no temp dir, and /etc/resolv.conf byte-identical to what it was before.
 *
 * @param create Makes the bed.
 * @param body The test.
 */
export async function withBed<B extends CheckedBed>(
  create: () => Promise<B>,
  body: (bed: B) => Promise<void>,
): Promise<void> {
  const resolvConf = await Deno.readFile("/etc/resolv.conf");
  const bed = await create();
  try {
    await body(bed);
  } finally {
    await bed[Symbol.asyncDispose]();
    assert.deepEqual(await bed.leftoverNamespaces(), [], "namespaces removed");
    assert.deepEqual(bed.leftoverProcesses?.() ?? [], [], "no process left");
    assert.equal(await Deno.stat(bed.dir).then(() => true, () => false), false, "temp dir removed");
    assert.deepEqual(
      await Deno.readFile("/etc/resolv.conf"),
      resolvConf,
      "/etc/resolv.conf untouched",
    );
  }
}
