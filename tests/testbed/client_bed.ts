/**
 * The DHCP client test bed: a real DHCP client (NetworkManager,
 * systemd-networkd with systemd-resolved, dhcpcd or busybox udhcpc) on a
 * veth link to a dnsmasq router, so tests can check that mif reports
 * exactly what the client was given.
 *
 *   mifbed<pid>-<id>-clhost: cl0 02:6d:69:66:00:01 ── veth ── mifbed<pid>-<id>-clrouter: r0 02:6d:69:66:00:fe
 *       holder: `unshare --mount --uts --propagation private sleep infinity`
 *       the client, its services (D-Bus, udevd, resolved) and mif all run
 *       in the holder's network, mount and UTS namespaces (nsenter):
 *       tmpfs on /run, host name mifbed-host, the client's private files
 *   router r0: fe80::a, 198.51.100.1/24, 198.51.100.2/24, 2001:db8:a::1/64; dnsmasq:
 *       DHCPv4 198.51.100.100-150 lease 2m, dns-server 198.51.100.1 ({@linkcode ClientBed.setRouterDns}),
 *       domain-search <client>.mif.example, mtu 1400; RA every 10 s, router
 *       lifetime 600, RDNSS 2001:db8:a::1, DNSSL a6.mif.example; DHCPv6
 *       stateless (O flag, SLAAC) or stateful (M flag, 2001:db8:a::100-1ff, 2m)
 *
 * The clients' recipes are in tests/testbed/clients/ (ported from
 * tests/testdata/networkmanager and tests/testdata/networkd). Namespace
 * names start with the test bed's prefix, so the next test bed removes
 * what a killed run left. Disposing stops every process of the host side
 * by PID, then the holder and dnsmasq, deletes the namespaces and the
 * temp dir, also after a failure; nothing outside changes (/etc/resolv.conf
 * above all: see {@linkcode withClientBed}).
 *
 * @module
 */

import { runTool as run } from "../../platform/run_tool.ts";
import { dnsmasqArgv, killAndDelete, PREFIX, removeLeftovers, withBed } from "./testbed.ts";
import {
  type ClientDriver,
  type ClientName,
  type Dhcpv6Mode,
  type HostSide,
  mountNamespace,
  startHolder,
} from "./clients/driver.ts";
import { networkManager } from "./clients/networkmanager.ts";
import { networkd } from "./clients/networkd.ts";
import { dhcpcd } from "./clients/dhcpcd.ts";
import { udhcpc } from "./clients/udhcpc.ts";

export type { ClientName, Dhcpv6Mode } from "./clients/driver.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

const DRIVERS: Readonly<Record<ClientName, ClientDriver>> = {
  networkmanager: networkManager,
  networkd,
  dhcpcd,
  udhcpc,
};

/** The client's link in the host namespace. */
export const LINK = "cl0";
/** The router's addresses on the link. */
export const ROUTER = {
  linkLocal: "fe80::a",
  ipv4: "198.51.100.1",
  ipv4Second: "198.51.100.2",
  ipv6: "2001:db8:a::1",
} as const;
/** The IPv6 provisioning domain of the link: the router's. */
export const IPV6_PD = `${LINK}/ipv6/${ROUTER.linkLocal}`;
/** The IPv4 provisioning domain of the link. */
export const IPV4_PD = `${LINK}/ipv4`;
/** What the router's RA (RDNSS, DNSSL) and DHCPv6 carry. */
export const ROUTER_V6 = { dnsServer: "2001:db8:a::1", searchDomain: "a6.mif.example" } as const;

/** How {@linkcode ClientBed.create} builds the bed. */
export interface ClientBedOptions {
  /** The DHCP client to run. */
  readonly client: ClientName;
  /** The router's DHCPv6: stateless (default) or stateful. */
  readonly dhcpv6?: Dhcpv6Mode;
}

const HOST_MAC = "02:6d:69:66:00:01";
const ROUTER_MAC = "02:6d:69:66:00:fe";

/** The temp dirs' prefix: `mif-clientbed-<pid>-…`, so a killed run's dir can be found. */
const TEMP_PREFIX = "mif-clientbed-";

/**
 * Removes the temp dirs of client beds whose process is gone (killed
 * before it could dispose; removeLeftovers removes their namespaces).
 */
async function removeLeftoverDirs(): Promise<void> {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  for await (const e of Deno.readDir(tmp)) {
    const m = new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(e.name);
    if (e.isDirectory && m && Number(m[1]) !== Deno.pid && !(await alive(Number(m[1])))) {
      await Deno.remove(`${tmp}/${e.name}`, { recursive: true }).catch(() => {});
    }
  }
}

/** A tracked process of the bed. */
interface Daemon {
  readonly child: Deno.ChildProcess;
  readonly logged: Promise<unknown>;
}

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; returns once the process is gone (or a zombie). */
async function stopPid(pid: number, graceMs = 5_000): Promise<void> {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    try {
      Deno.kill(pid, signal);
    } catch {
      return;
    }
    const end = Date.now() + (signal === "SIGTERM" ? graceMs : 2_000);
    while (Date.now() < end) {
      if (!(await alive(pid))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Waits for a promise, or `ms` at most. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((r) => timer = setTimeout(r, ms))]);
  clearTimeout(timer);
}

/** The PIDs of every process in a mount namespace. */
function pidsInMountNamespace(mnt: string): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(e.name) && mountNamespace(Number(e.name)) === mnt) pids.push(Number(e.name));
  }
  return pids;
}

/** A running DHCP client test bed. */
export class ClientBed implements AsyncDisposable {
  /** The client under test. */
  readonly client: ClientName;
  /** The router's DHCPv6 mode. */
  readonly dhcpv6: Dhcpv6Mode;
  /** The namespaces: the router's and the host's (where the holder runs). */
  readonly ns: Readonly<{ router: string; host: string }>;
  /** The temp dir: logs, the router's leases, the client's private files. */
  readonly dir: string;
  /** The search domain the router's DHCPv4 gives: `<client>.mif.example`. */
  readonly searchDomain: string;
  /**
   * How long each phase of {@linkcode ClientBed.create} took, in ms, in
   * order: router, holder, services, client start, DHCPv4, IPv6 address
   * (DAD done), DHCPv6 data (where the client exposes it).
   */
  readonly timings: Record<string, number> = {};
  /** The mount namespaces of the host side (the holder's, nested ones), for leftover checks. */
  readonly mountNamespaces: string[] = [];
  #holderPid = 0;
  #dnsServer: string = ROUTER.ipv4;
  #dnsmasqRuns = 0;
  #lastPhase = performance.now();
  readonly #driver: ClientDriver;
  readonly #daemons = new Map<string, Daemon>();
  /** The log pipes of every process started, closed once it and its children are gone. */
  readonly #pipes: Promise<unknown>[] = [];
  #dnsmasq: Daemon | undefined;
  readonly #namespaces: string[] = [];
  #disposed = false;

  private constructor(dir: string, options: ClientBedOptions) {
    const id = `${PREFIX}${Deno.pid}-${Math.random().toString(36).slice(2, 6)}`;
    this.ns = { router: `${id}-clrouter`, host: `${id}-clhost` };
    this.dir = dir;
    this.client = options.client;
    this.dhcpv6 = options.dhcpv6 ?? "stateless";
    this.searchDomain = `${options.client}.mif.example`;
    this.#driver = DRIVERS[options.client];
  }

  /**
   * Builds the bed, starts the client and waits until it is configured:
   * its DHCPv4 lease (on the link and where mif reads it), its IPv6
   * address (SLAAC, or the IA_NA address with stateful DHCPv6) with DAD
   * done, and its DHCPv6 data where the client exposes it.
   *
   * @example dhcpcd against a stateless DHCPv6 router
   * ```ts ignore
   * await using bed = await ClientBed.create({ client: "dhcpcd" });
   * const status = await bed.mifStatus();
   * ```
   * @param options The client and the router's DHCPv6 mode.
   * @returns The running bed; dispose it.
   */
  static async create(options: ClientBedOptions): Promise<ClientBed> {
    if (!(options.client in DRIVERS)) {
      throw new Error(`Cannot create a client bed: no client "${options.client}"`);
    }
    await removeLeftovers();
    await removeLeftoverDirs();
    const bed = new ClientBed(
      await Deno.makeTempDir({ prefix: `${TEMP_PREFIX}${Deno.pid}-` }),
      options,
    );
    try {
      await bed.#build();
    } catch (error) {
      await bed[Symbol.asyncDispose]();
      throw error;
    }
    return bed;
  }

  /** The holder's PID. */
  get holderPid(): number {
    return this.#holderPid;
  }

  /**
   * The argv prefix that runs a command in the holder's network, mount and
   * UTS namespaces.
   *
   * @example `ip addr` as the client sees it
   * ```ts ignore
   * const [program, ...args] = bed.inHost(["ip", "addr"]);
   * await new Deno.Command(program, { args }).output();
   * ```
   * @param argv The command.
   * @returns `nsenter --target <holder> --mount --uts --net -- argv...`.
   */
  inHost(argv: readonly string[]): string[] {
    return [
      "nsenter",
      "--target",
      String(this.#holderPid),
      "--mount",
      "--uts",
      "--net",
      "--",
      ...argv,
    ];
  }

  /**
   * Runs a command in the host side.
   *
   * @param argv The command.
   * @returns Its stdout.
   * @throws {Error} When it fails, with the first line of its stderr.
   */
  exec(argv: readonly string[]): Promise<string> {
    return run(this.inHost(argv));
  }

  /**
   * The command line of mif in the host side, reading this repository's
   * sources: `deno run --unstable-worker-options --allow-all --config
   * deno.json cli.ts <args> --platform linux` plus what the client needs
   * (udhcpc: `--lease-dir` with its hook's records; networkd: PATH with
   * the extracted resolvectl).
   *
   * @param args mif's command and options, e.g. "status", "--json".
   * @returns The command line, program first.
   */
  mifArgv(...args: string[]): string[] {
    const host = this.#host();
    return this.inHost([
      ...(this.#driver.mifPrefix?.(host) ?? []),
      Deno.execPath(),
      "run",
      "--unstable-worker-options",
      "--allow-all",
      "--config",
      CONFIG,
      CLI,
      ...args,
      "--platform",
      "linux",
      ...(this.#driver.mifOptions?.(host) ?? []),
    ]);
  }

  /** Runs `mif status --json` in the host side and returns the parsed status. */
  async mifStatus(): Promise<Record<string, unknown>> {
    const [program, ...args] = this.mifArgv("status", "--json");
    const out = await new Deno.Command(program, {
      args,
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`Cannot run mif status: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
    return JSON.parse(new TextDecoder().decode(out.stdout));
  }

  /** The DNS server the router's DHCPv4 gives now. */
  get routerDns(): string {
    return this.#dnsServer;
  }

  /**
   * Restarts the router's dnsmasq giving another DHCPv4 dns-server (its
   * lease file stays, so it ACKs the client's renewal). The client sees it
   * at its next renewal: see {@linkcode ClientBed.renew}.
   *
   * @param server An address of the router: 198.51.100.1 or 198.51.100.2.
   */
  async setRouterDns(server: string): Promise<void> {
    await this.#stopDnsmasq();
    this.#dnsServer = server;
    await this.#startDnsmasq();
  }

  /**
   * Makes the client renew its DHCPv4 lease now (NetworkManager: see
   * clients/networkmanager.ts; networkd: `networkctl renew`; dhcpcd:
   * `dhcpcd -n`; udhcpc: SIGUSR1). Returns once the client was told; the
   * new lease follows.
   */
  renew(): Promise<void> {
    return this.#driver.renew(this.#host());
  }

  /** This bed's namespaces that still exist (none once it is disposed). */
  async leftoverNamespaces(): Promise<string[]> {
    const names = (await run(["ip", "netns", "list"])).split("\n").map((l) => l.split(" ")[0]);
    return Object.values(this.ns).filter((ns) => names.includes(ns));
  }

  /** Processes still in the host side's mount namespaces (none once it is disposed). */
  leftoverProcesses(): number[] {
    return this.mountNamespaces.flatMap(pidsInMountNamespace);
  }

  /** The host side as the driver sees it. */
  #host(): HostSide {
    return {
      client: this.client,
      dhcpv6: this.dhcpv6,
      dir: this.dir,
      ifname: LINK,
      hostname: "mifbed-host",
      holderPid: this.#holderPid,
      inHost: (argv) => this.inHost(argv),
      exec: (argv) => this.exec(argv),
      spawn: (name, argv, env) => this.#spawn(name, argv, env),
      pid: (name) => this.#daemons.get(name)?.child.pid,
      stop: (name) => this.#stop(name),
      waitFor: (what, check, timeout) => this.#waitFor(what, check, timeout),
      phase: (name) => this.#phase(name),
      mountNamespaces: this.mountNamespaces,
    };
  }

  #phase(name: string): void {
    const now = performance.now();
    this.timings[name] = Math.round(now - this.#lastPhase);
    this.#lastPhase = now;
  }

  #spawn(name: string, argv: readonly string[], env?: Record<string, string>): Deno.ChildProcess {
    if (this.#daemons.has(name)) throw new Error(`Cannot start ${name}: it is already running`);
    const daemon = this.#start(name, argv, env);
    this.#daemons.set(name, daemon);
    return daemon.child;
  }

  /** Starts a process, appending its stdout and stderr to <dir>/<name>.log. */
  #start(name: string, argv: readonly string[], env?: Record<string, string>): Daemon {
    const [program, ...args] = argv;
    const child = new Deno.Command(program, {
      args,
      env: { DENO_NO_UPDATE_CHECK: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const log = `${this.dir}/${name}.log`;
    const append = async (stream: ReadableStream<Uint8Array>) => {
      const file = await Deno.open(log, { write: true, create: true, append: true });
      await stream.pipeTo(file.writable).catch(() => {});
    };
    const logged = Promise.all([append(child.stdout), append(child.stderr)]);
    this.#pipes.push(logged);
    return { child, logged };
  }

  async #stop(name: string): Promise<void> {
    const daemon = this.#daemons.get(name);
    if (!daemon) return;
    this.#daemons.delete(name);
    await stopPid(daemon.child.pid);
    await daemon.child.status;
    await this.#drain(daemon);
  }

  /** Waits for a daemon's log pipes to close (they stay open while a child it forked lives). */
  async #drain(daemon: Daemon): Promise<void> {
    await within(daemon.logged, 2_000);
  }

  async #waitFor(
    what: string,
    check: () => boolean | Promise<boolean>,
    timeout = 30_000,
  ): Promise<void> {
    const end = Date.now() + timeout;
    while (!(await check())) {
      if (Date.now() > end) {
        const log = await Deno.readTextFile(`${this.dir}/client.log`).catch(() => "");
        const tail = log.trim().split("\n").slice(-15).join("\n");
        throw new Error(
          `Cannot set up the ${this.client} client bed: timed out after ${
            timeout / 1000
          } s waiting for ${what}${tail ? `; the client's log ends:\n${tail}` : ""}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async #startDnsmasq(): Promise<void> {
    this.#dnsmasqRuns++;
    const log = `${this.dir}/dnsmasq-${this.#dnsmasqRuns}.log`;
    const v6range = this.dhcpv6 === "stateful"
      ? "--dhcp-range=2001:db8:a::100,2001:db8:a::1ff,64,2m"
      : "--dhcp-range=2001:db8:a::,ra-stateless,64,10m";
    this.#dnsmasq = this.#start(
      `dnsmasq-${this.#dnsmasqRuns}-stdio`,
      dnsmasqArgv(this.ns.router, {
        pid: `${this.dir}/dnsmasq.pid`,
        leases: `${this.dir}/dnsmasq.leases`,
        log,
      }, [
        "--log-dhcp",
        // No ICMP check of an address before offering it: it delays the first OFFER by 3 s.
        "--no-ping",
        "--interface=r0",
        "--enable-ra",
        "--ra-param=r0,10,600",
        "--dhcp-range=198.51.100.100,198.51.100.150,255.255.255.0,2m",
        v6range,
        `--dhcp-option=option:dns-server,${this.#dnsServer}`,
        `--dhcp-option=option:domain-search,${this.searchDomain}`,
        "--dhcp-option=option:mtu,1400",
        `--dhcp-option=option6:dns-server,[${ROUTER_V6.dnsServer}]`,
        `--dhcp-option=option6:domain-search,${ROUTER_V6.searchDomain}`,
      ]),
    );
    await this.#waitFor("dnsmasq on r0", async () => {
      const text = await Deno.readTextFile(log).catch(() => "");
      return text.includes("DHCP, IP range 198.51.100.100");
    }, 10_000);
  }

  async #stopDnsmasq(): Promise<void> {
    const daemon = this.#dnsmasq;
    if (!daemon) return;
    this.#dnsmasq = undefined;
    await stopPid(daemon.child.pid);
    await daemon.child.status;
    await this.#drain(daemon);
  }

  async #build(): Promise<void> {
    const { router, host } = this.ns;
    for (const ns of [router, host]) {
      await run(["ip", "netns", "add", ns]);
      this.#namespaces.push(ns);
      await run(["ip", "-n", ns, "link", "set", "lo", "up"]);
    }
    await run([
      "ip",
      "netns",
      "exec",
      router,
      "sysctl",
      "-qw",
      "net.ipv6.conf.all.accept_dad=0",
      "net.ipv6.conf.default.accept_dad=0",
      // A router forwards: otherwise its Neighbor Advertisements clear the Router flag.
      "net.ipv6.conf.all.forwarding=1",
      "net.ipv4.ip_forward=1",
    ]);
    await run([
      "ip",
      "link",
      "add",
      LINK,
      "netns",
      host,
      "address",
      HOST_MAC,
      "type",
      "veth",
      "peer",
      "name",
      "r0",
      "netns",
      router,
      "address",
      ROUTER_MAC,
    ]);
    const ipr = (...args: string[]) => run(["ip", "-n", router, ...args]);
    await ipr("link", "set", "r0", "addrgenmode", "none");
    await ipr("addr", "add", `${ROUTER.linkLocal}/64`, "dev", "r0", "nodad");
    await ipr("addr", "add", `${ROUTER.ipv4}/24`, "dev", "r0");
    await ipr("addr", "add", `${ROUTER.ipv4Second}/24`, "dev", "r0");
    await ipr("addr", "add", `${ROUTER.ipv6}/64`, "dev", "r0", "nodad");
    await ipr("link", "set", "r0", "up");
    await this.#startDnsmasq();
    this.#phase("router");

    // The holder: ip netns exec and unshare exec, so the child is sleep.
    const side = this.#host();
    this.#holderPid = await startHolder(
      side,
      "holder",
      [
        ...["ip", "netns", "exec", host],
        ...["unshare", "--mount", "--uts", "--propagation", "private", "sleep", "infinity"],
      ],
      mountNamespace("self"),
    );
    const hostSide = this.#host();
    await this.exec(["hostname", hostSide.hostname]);
    await this.exec(["mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "mifbed-run", "/run"]);
    await this.exec(["mkdir", "-p", "-m", "1777", "/run/lock"]);
    await this.exec(["ln", "-s", "/dev/shm", "/run/shm"]);
    this.#phase("holder");
    await this.#driver.prepare(hostSide);
    this.#phase("services");

    await this.#driver.start(hostSide);
    this.#phase("client start");
    await this.#waitFor("the DHCPv4 lease", async () => {
      const text = await this.exec(["ip", "-4", "addr", "show", "dev", LINK]);
      return /inet 198\.51\.100\.(1[0-4]\d|150)\/24 /.test(text) &&
        await this.#driver.dhcpv4Ready(hostSide);
    });
    this.#phase("dhcpv4");
    const address = this.dhcpv6 === "stateful"
      ? / inet6 2001:db8:a::1[0-9a-f]{2}\/128 /
      : / inet6 2001:db8:a:[0-9a-f:]+\/64 /;
    await this.#waitFor(
      this.dhcpv6 === "stateful" ? "the IA_NA address, DAD done" : "the SLAAC address, DAD done",
      async () => {
        const text = await this.exec(["ip", "-6", "addr", "show", "dev", LINK]);
        return text.split("\n").some((l) => address.test(l)) && !text.includes("tentative");
      },
    );
    this.#phase("ipv6 address");
    if (this.#driver.dhcpv6Ready) {
      await this.#waitFor("the DHCPv6 data", () => this.#driver.dhcpv6Ready!(hostSide));
      this.#phase("dhcpv6");
    }
  }

  /**
   * Stops every process of the host side (the client's graceful stop
   * first, then the bed's processes in reverse start order, then any other
   * process in the host side's mount namespaces, by PID), the holder and
   * dnsmasq, deletes the namespaces and the temp dir. Safe to call twice.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<void>) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    if (this.#holderPid && this.#driver.shutdown) {
      await attempt(() => this.#driver.shutdown!(this.#host()));
    }
    for (const name of [...this.#daemons.keys()].reverse()) {
      if (name !== "holder") await attempt(() => this.#stop(name));
    }
    // Whatever else runs there (nm-dispatcher, bus-activated helpers, dhcpcd's
    // daemon and its privilege-separated helpers, a left-over mif), by PID.
    for (const mnt of this.mountNamespaces) {
      for (const pid of pidsInMountNamespace(mnt)) {
        if (pid !== this.#holderPid) await attempt(() => stopPid(pid));
      }
    }
    await attempt(() => this.#stop("holder"));
    await attempt(() => this.#stopDnsmasq());
    for (const ns of this.#namespaces.splice(0).reverse()) {
      await attempt(() => killAndDelete(ns));
    }
    await within(Promise.all(this.#pipes), 5_000);
    await attempt(() => Deno.remove(this.dir, { recursive: true }));
    if (errors.length) {
      throw new AggregateError(errors, `Cannot dispose of the ${this.client} client bed`);
    }
  }
}

/**
 * Runs `body` on a new client bed, then disposes of it, also when `body`
 * throws, and asserts that nothing is left: no namespace, no process in
 * its mount namespaces, no temp dir, and /etc/resolv.conf byte-identical to
 * what it was before.
 *
 * @example NetworkManager (sketch)
 * ```ts ignore
 * await withClientBed({ client: "networkmanager" }, async (bed) => {
 *   console.log(await bed.mifStatus());
 * });
 * ```
 * @param options The bed's options.
 * @param body The test.
 */
export function withClientBed(
  options: ClientBedOptions,
  body: (bed: ClientBed) => Promise<void>,
): Promise<void> {
  return withBed(() => ClientBed.create(options), body);
}
