/**
 * What the real-network test bed needs, and installing it: Linux, root, and
 * iproute2, dnsmasq, dhclient, rdisc6, sysctl and openssl (test certificates)
 * from Debian's packages (installed with apt-get when missing). The DHCP client test bed
 * (client_bed.ts) needs each client's programs too
 * ({@linkcode CLIENT_PROGRAMS}, {@linkcode clientUnavailable}). With
 * CI=true a missing prerequisite fails the run instead of skipping it.
 */

import type { ClientName } from "./clients/driver.ts";

/** Programs the test bed runs, and the Debian package of each. */
export const PROGRAMS: Readonly<Record<string, string>> = {
  ip: "iproute2",
  dnsmasq: "dnsmasq-base",
  dhclient: "isc-dhcp-client",
  rdisc6: "ndisc6",
  sysctl: "procps",
  openssl: "openssl",
};

const PATH_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function installed(program: string): boolean {
  if (program.startsWith("/")) {
    try {
      return Deno.statSync(program).isFile;
    } catch {
      return false;
    }
  }
  return PATH_DIRS.some((dir) => {
    try {
      return Deno.statSync(`${dir}/${program}`).isFile;
    } catch {
      return false;
    }
  });
}

async function apt(args: string[]): Promise<void> {
  const out = await new Deno.Command("apt-get", {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(`Cannot run apt-get ${args.join(" ")}: exit code ${out.code} (${err})`);
  }
}

/**
 * Checks the test bed's prerequisites, installing missing packages as root.
 *
 * @returns undefined when the test bed can run, else why not.
 */
export async function testbedUnavailable(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "the test bed needs Linux network namespaces";
  if (Deno.uid() !== 0) return "the test bed needs root for network namespaces";
  const missing = Object.keys(PROGRAMS).filter((p) => !installed(p));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((p) => PROGRAMS[p]))];
  try {
    await apt(["update", "-qq"]);
    await apt(["install", "-y", "-qq", "--no-install-recommends", ...packages]);
  } catch (error) {
    return `missing ${missing.join(", ")}, and installing ${packages.join(" ")} failed: ${
      (error as Error).message
    }`;
  }
  const still = Object.keys(PROGRAMS).filter((p) => !installed(p));
  return still.length ? `missing ${still.join(", ")} after installing` : undefined;
}

/** What every client scenario runs besides the test bed's programs: nsenter and unshare. */
const CLIENT_BED_PROGRAMS: Readonly<Record<string, string>> = {
  nsenter: "util-linux",
  unshare: "util-linux",
};

/**
 * The programs each DHCP client scenario of the client test bed runs (a
 * name on PATH, or an absolute path), and the Debian package of each.
 * systemd-networkd's scenario also needs systemd-resolved, which is never
 * installed (its postinst replaces /etc/resolv.conf): the bed downloads
 * the package of the installed systemd's version and extracts it
 * (apt-get download, dpkg-deb -x).
 */
export const CLIENT_PROGRAMS: Readonly<Record<ClientName, Readonly<Record<string, string>>>> = {
  networkmanager: {
    NetworkManager: "network-manager",
    nmcli: "network-manager",
    "dbus-daemon": "dbus",
    udevadm: "udev",
    "/lib/systemd/systemd-udevd": "udev",
  },
  networkd: {
    "/lib/systemd/systemd-networkd": "systemd",
    networkctl: "systemd",
    "dbus-daemon": "dbus",
    udevadm: "udev",
    "/lib/systemd/systemd-udevd": "udev",
    "apt-get": "apt",
    "dpkg-deb": "dpkg",
  },
  dhcpcd: { dhcpcd: "dhcpcd-base" },
  udhcpc: { busybox: "busybox" },
};

async function output(argv: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { ok: out.success, text: new TextDecoder().decode(out.stdout).trim() };
  } catch {
    return { ok: false, text: "" };
  }
}

/** Whether apt can download systemd-resolved of the installed systemd's version; else why not. */
async function resolvedUnavailable(): Promise<string | undefined> {
  const systemd = await output(["dpkg-query", "-W", "-f=${Version}", "systemd"]);
  if (!systemd.ok || !systemd.text) return "cannot tell the installed systemd's version";
  const known = async () =>
    (await output(["apt-cache", "show", `systemd-resolved=${systemd.text}`])).ok;
  if (await known()) return undefined;
  try {
    await apt(["update", "-qq"]);
  } catch (error) {
    return `systemd-resolved ${systemd.text} is not in apt's lists, and ${
      (error as Error).message
    }`;
  }
  return await known() ? undefined : `apt cannot download systemd-resolved ${systemd.text} ` +
    "(the installed systemd's version), which the bed extracts and runs";
}

/**
 * Checks what a DHCP client scenario of the client test bed needs (the
 * test bed's prerequisites and {@linkcode CLIENT_PROGRAMS}), installing
 * missing packages as root.
 *
 * @param client The client.
 * @returns undefined when the scenario can run, else why not.
 */
export async function clientUnavailable(client: ClientName): Promise<string | undefined> {
  const base = await testbedUnavailable();
  if (base) return base;
  const programs: Record<string, string> = { ...CLIENT_BED_PROGRAMS, ...CLIENT_PROGRAMS[client] };
  const named = (list: string[]) => list.map((p) => `${p} (${programs[p]})`).join(", ");
  const missing = Object.keys(programs).filter((p) => !installed(p));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((p) => programs[p]))];
    try {
      await apt(["update", "-qq"]);
      await apt(["install", "-y", "-qq", "--no-install-recommends", ...packages]);
    } catch (error) {
      return `${client} needs ${named(missing)}, and installing ${packages.join(" ")} failed: ${
        (error as Error).message
      }`;
    }
    const still = Object.keys(programs).filter((p) => !installed(p));
    if (still.length) return `${client} needs ${named(still)}: missing after installing`;
  }
  if (client === "networkd") {
    const reason = await resolvedUnavailable();
    if (reason) return `networkd needs systemd-resolved: ${reason}`;
  }
  return undefined;
}

/**
 * Registers a test that needs the test bed: skipped with the reason in its
 * name when the test bed cannot run, or failing instead when CI=true.
 *
 * @param name The test's name.
 * @param unavailable The reason from {@linkcode testbedUnavailable}.
 * @param fn The test.
 */
export function testbedTest(
  name: string,
  unavailable: string | undefined,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  const ci = Deno.env.get("CI") === "true";
  if (unavailable && ci) {
    Deno.test(name, () => {
      throw new Error(`Cannot run the test bed in CI: ${unavailable}`);
    });
    return;
  }
  Deno.test({
    name: unavailable ? `${name} (skipped: ${unavailable})` : name,
    ignore: unavailable !== undefined,
    fn,
  });
}
