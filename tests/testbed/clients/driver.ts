/**
 * What a DHCP client driver of the client test bed (../client_bed.ts) gets
 * and provides, and the helpers the drivers share (udevd in a private /dev).
 *
 * A driver only ever acts inside the bed's host side: the network, mount
 * and UTS namespaces of its holder process. Every path it writes is in the
 * bed's temp dir or in the holder's private mounts; nothing outside changes.
 *
 * @module
 */

/** The DHCP clients the bed runs. */
export type ClientName = "networkmanager" | "networkd" | "dhcpcd" | "udhcpc";

/** How the router answers DHCPv6: Information-request only (O flag) or IA_NA too (M flag). */
export type Dhcpv6Mode = "stateless" | "stateful";

/** The bed's host side, as a driver sees it. */
export interface HostSide {
  /** The client under test. */
  readonly client: ClientName;
  /** The router's DHCPv6 mode. */
  readonly dhcpv6: Dhcpv6Mode;
  /** The bed's temp dir (removed at dispose). */
  readonly dir: string;
  /** The client's link: "cl0". */
  readonly ifname: string;
  /** The host's name in its private UTS namespace (also its /etc/hostname where bound). */
  readonly hostname: string;
  /** The holder: every command of the host side runs in its network, mount and UTS namespaces. */
  readonly holderPid: number;
  /**
   * The argv prefix that runs a program in the holder's namespaces:
   * `nsenter --target <holder> --mount --uts --net -- argv...` (nsenter
   * execs the program: the child's PID is the program's).
   */
  inHost(argv: readonly string[]): string[];
  /** Runs a command in the host side and returns its stdout; throws with its stderr. */
  exec(argv: readonly string[]): Promise<string>;
  /**
   * Starts a long-running process (argv as given, program first: use
   * {@linkcode HostSide.inHost}), its stdout and stderr appended to
   * `<dir>/<name>.log`. The bed stops it at dispose (SIGTERM, then
   * SIGKILL), in reverse start order.
   */
  spawn(name: string, argv: readonly string[], env?: Record<string, string>): Deno.ChildProcess;
  /** The PID of a process started with spawn, while it is tracked. */
  pid(name: string): number | undefined;
  /** Stops a process started with spawn and waits for it; nothing if not running. */
  stop(name: string): Promise<void>;
  /** Waits until check() is true, polling; throws naming `what` and the client's log tail. */
  waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Records the time since the previous phase under this name. */
  phase(name: string): void;
  /** The mount namespaces of the host side: {@linkcode startHolder} adds the ones it makes. */
  readonly mountNamespaces: string[];
}

/** A DHCP client as the bed runs it. */
export interface ClientDriver {
  /**
   * Private files and mounts in the holder's mount namespace (the bed has
   * already put a tmpfs on /run and set the host name), and the services
   * the client needs (D-Bus, udevd, ...).
   */
  prepare(host: HostSide): Promise<void>;
  /** Starts the client on the link; returns once it runs and was told to configure the link. */
  start(host: HostSide): Promise<void>;
  /** Whether the client exposes its DHCPv4 lease (where mif reads it). */
  dhcpv4Ready(host: HostSide): Promise<boolean>;
  /**
   * Whether the client exposes its DHCPv6 data where mif reads it; absent
   * when the client takes no DHCPv6 data, or exposes none.
   */
  dhcpv6Ready?(host: HostSide): Promise<boolean>;
  /** Makes the client renew its DHCPv4 lease now; returns once it was told to. */
  renew(host: HostSide): Promise<void>;
  /** Argv between nsenter's `--` and deno in mif's command line (e.g. `env PATH=...`). */
  mifPrefix?(host: HostSide): string[];
  /** Options after `--platform linux` in mif's command line (e.g. `--lease-dir`). */
  mifOptions?(host: HostSide): string[];
  /** A graceful stop before the bed stops every process of the host side by PID. */
  shutdown?(host: HostSide): Promise<void>;
}

/** Whether a path exists (as this process sees it). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** A process's mount namespace, e.g. "mnt:[4026531832]", or undefined when it is gone. */
export function mountNamespace(pid: number | "self"): string | undefined {
  try {
    return Deno.readLinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/**
 * Starts `unshare <flags> sleep infinity` (argv prefix given) as a holder of
 * new namespaces and waits until it runs sleep in a mount namespace other
 * than `parentMnt`.
 *
 * @returns Its PID.
 */
export async function startHolder(
  host: Pick<HostSide, "spawn" | "waitFor" | "mountNamespaces">,
  name: string,
  argv: readonly string[],
  parentMnt: string | undefined,
): Promise<number> {
  const child = host.spawn(name, argv);
  await host.waitFor(`the ${name}'s mount namespace`, async () => {
    const comm = await Deno.readTextFile(`/proc/${child.pid}/comm`).catch(() => "");
    const mnt = mountNamespace(child.pid);
    return comm.trim() === "sleep" && mnt !== undefined && mnt !== parentMnt;
  }, 5_000);
  host.mountNamespaces.push(mountNamespace(child.pid)!);
  return child.pid;
}

/**
 * Runs systemd-udevd in a mount namespace nested in the host side's, with
 * a private tmpfs /dev (only null, zero and urandom) and only the given
 * rules: udevd in a network namespace owned by the initial user namespace
 * also receives the machine's untagged uevents (block, input, ...), so it
 * must create no device nodes or symlinks in the real /dev and load no
 * modules. Its database in /run/udev (the host side's tmpfs) is shared.
 * Triggers "add" for the net subsystem, settles, and waits for the link's
 * database entry.
 *
 * @param host The host side.
 * @param rules Rule files to copy from /lib/udev/rules.d (none: no rules at all).
 */
export async function startUdevd(host: HostSide, rules: readonly string[]): Promise<void> {
  const rulesDir = `${host.dir}/udev-rules`;
  const emptyDir = `${host.dir}/udev-empty`;
  await Deno.mkdir(rulesDir, { recursive: true });
  await Deno.mkdir(emptyDir, { recursive: true });
  for (const r of rules) await Deno.copyFile(`/lib/udev/rules.d/${r}`, `${rulesDir}/${r}`);
  const holderMnt = mountNamespace(host.holderPid);
  const pid = await startHolder(
    host,
    "udev-holder",
    host.inHost(["unshare", "--mount", "--propagation", "private", "sleep", "infinity"]),
    holderMnt,
  );
  const inUdev = (argv: string[]) => [
    "nsenter",
    "--target",
    String(pid),
    "--mount",
    "--uts",
    "--net",
    "--",
    ...argv,
  ];
  const run = async (argv: string[]) => {
    const [program, ...args] = inUdev(argv);
    const out = await new Deno.Command(program, { args, stdin: "null", stderr: "piped" }).output();
    if (!out.success) {
      throw new Error(
        `Cannot prepare udevd's mount namespace: ${argv.join(" ")}: exit code ${out.code} (${
          new TextDecoder().decode(out.stderr).trim()
        })`,
      );
    }
  };
  await run(["mount", "-t", "tmpfs", "-o", "mode=0755", "mifbed-dev", "/dev"]);
  for (const [node, minor] of [["null", "3"], ["zero", "5"], ["urandom", "9"]]) {
    await run(["mknod", "-m", "666", `/dev/${node}`, "c", "1", minor]);
  }
  await run(["mount", "--bind", rulesDir, "/lib/udev/rules.d"]);
  await run(["mount", "--bind", emptyDir, "/etc/udev/rules.d"]);
  host.spawn("udevd", inUdev(["/lib/systemd/systemd-udevd"]), {
    SYSTEMD_LOG_TARGET: "console",
  });
  await host.waitFor(
    "udevd's control socket",
    () => host.exec(["test", "-S", "/run/udev/control"]).then(() => true, () => false),
    5_000,
  );
  await host.exec(["udevadm", "trigger", "--subsystem-match=net", "--action=add"]);
  await host.exec(["udevadm", "settle", "-t", "5"]);
  const index = (await host.exec(["cat", `/sys/class/net/${host.ifname}/ifindex`])).trim();
  await host.waitFor(
    `${host.ifname} in the udev database`,
    () => host.exec(["test", "-e", `/run/udev/data/n${index}`]).then(() => true, () => false),
    5_000,
  );
}

/** Stops udevd and the holder of its mount namespace (its database stays). */
export async function stopUdevd(host: HostSide): Promise<void> {
  await host.stop("udevd");
  await host.stop("udev-holder");
}

/**
 * Writes a resolv.conf into the bed's dir and binds it over
 * /etc/resolv.conf in the host side: the client and mif never see the
 * machine's, and nothing the client might write reaches it.
 */
export async function bindResolvConf(host: HostSide): Promise<void> {
  const path = `${host.dir}/resolv.conf`;
  await Deno.writeTextFile(path, `# mif ${host.client} client bed\nnameserver 198.51.100.1\n`);
  await host.exec(["mount", "--bind", path, "/etc/resolv.conf"]);
}
