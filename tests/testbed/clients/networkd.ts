/**
 * systemd-networkd with systemd-resolved in the client test bed: the recipe
 * of tests/testdata/networkd (recipe.sh) in TypeScript. In the host side's
 * private mount namespace: an overlay on /etc (upper layer in the bed's
 * temp dir: the .network file, a fixed machine-id, a systemd-resolve user,
 * resolv.conf → resolved's stub, as on a Debian host running resolved),
 * udevd (private /dev, the net rules only), a private dbus-daemon,
 * systemd-resolved and systemd-networkd.
 *
 * systemd-resolved is NOT installed (its package's postinst replaces the
 * machine's /etc/resolv.conf): `apt-get download systemd-resolved=<the
 * installed systemd's version>` and `dpkg-deb -x` into the bed's temp dir,
 * and run from there; mif finds its resolvectl through PATH.
 *
 * mif reads networkd's DHCPv4 lease (/run/systemd/netif/leases/<ifindex>)
 * and resolved (resolvectl dns/domain); `networkctl renew cl0` renews.
 *
 * @module
 */

import { type ClientDriver, type HostSide, startUdevd } from "./driver.ts";
import { runTool } from "../../../platform/run_tool.ts";

/** The rules udevd runs with: the network device ones only. */
const UDEV_RULES = [
  "73-special-net-names.rules",
  "75-net-description.rules",
  "80-net-setup-link.rules",
  "99-systemd.rules",
];

function network(ifname: string): string {
  return `[Match]
Name=${ifname}

[Network]
DHCP=yes
IPv6AcceptRA=yes

[DHCPv4]
UseDomains=yes
UseMTU=yes
UseHostname=no

[DHCPv6]
UseDomains=yes

[IPv6AcceptRA]
UseDomains=yes
`;
}

function dbusConfig(resolvedRoot: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <user>messagebus</user>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <!-- no service directories: nothing is bus-activated -->
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>${resolvedRoot}/usr/share/dbus-1/system.d</includedir>
</busconfig>
`;
}

/** Where systemd-resolved is extracted. */
function resolvedRoot(host: Pick<HostSide, "dir">): string {
  return `${host.dir}/resolved-root`;
}

/** The installed systemd's version: systemd-resolved must be the same (libsystemd-shared). */
export async function systemdVersion(): Promise<string> {
  return (await runTool(["dpkg-query", "-W", "-f=${Version}", "systemd"])).trim();
}

/** Downloads systemd-resolved (the installed systemd's version) and extracts it. */
async function extractResolved(host: HostSide): Promise<void> {
  const version = await systemdVersion();
  const dir = `${host.dir}/resolved-deb`;
  await Deno.mkdir(dir);
  const out = await new Deno.Command("apt-get", {
    args: ["download", "-qq", `systemd-resolved=${version}`],
    cwd: dir,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(
      `Cannot download systemd-resolved ${version}: apt-get download exit code ${out.code} (${err})`,
    );
  }
  const debs = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".deb"));
  if (debs.length !== 1) throw new Error(`Cannot find the systemd-resolved package in ${dir}`);
  await runTool(["dpkg-deb", "-x", `${dir}/${debs[0]}`, resolvedRoot(host)]);
}

/** `cat` of a file in the host side, or "" when it cannot be read. */
function read(host: HostSide, path: string): Promise<string> {
  return host.exec(["cat", path]).catch(() => "");
}

async function ifindex(host: HostSide): Promise<string> {
  return (await host.exec(["cat", `/sys/class/net/${host.ifname}/ifindex`])).trim();
}

/** resolved's view of the link: `resolvectl dns cl0` and `resolvectl domain cl0`. */
async function resolved(host: HostSide): Promise<string> {
  const resolvectl = `${resolvedRoot(host)}/usr/bin/resolvectl`;
  const run = (verb: string) => host.exec([resolvectl, verb, host.ifname]).catch(() => "");
  return `${await run("dns")}\n${await run("domain")}`;
}

/** systemd-networkd and systemd-resolved as the bed runs them. */
export const networkd: ClientDriver = {
  async prepare(host) {
    const d = host.dir;
    await extractResolved(host);
    host.phase("download systemd-resolved");
    // /etc as an overlay: a fixed machine-id (stable DUID, IAID), a
    // systemd-resolve user for the extracted resolved, the .network file,
    // resolv.conf -> the stub, the host name.
    const upper = `${d}/etc-upper`;
    await Deno.mkdir(`${upper}/systemd/network`, { recursive: true });
    await Deno.mkdir(`${d}/etc-work`);
    await Deno.writeTextFile(
      `${upper}/systemd/network/10-${host.ifname}.network`,
      network(host.ifname),
    );
    await Deno.writeTextFile(`${upper}/machine-id`, "0123456789abcdef0123456789abcdef\n");
    await Deno.writeTextFile(`${upper}/hostname`, `${host.hostname}\n`);
    for (
      const [file, line] of [
        ["passwd", "systemd-resolve:x:991:991:systemd Resolver:/:/usr/sbin/nologin"],
        ["group", "systemd-resolve:x:991:"],
      ]
    ) {
      let text = await Deno.readTextFile(`/etc/${file}`);
      if (!/^systemd-resolve:/m.test(text)) text += `${line}\n`;
      await Deno.writeTextFile(`${upper}/${file}`, text);
    }
    await Deno.symlink("../run/systemd/resolve/stub-resolv.conf", `${upper}/resolv.conf`);
    await Deno.mkdir(`${d}/dbus`);
    await Deno.writeTextFile(`${d}/dbus/system.conf`, dbusConfig(resolvedRoot(host)));

    await host.exec(["mkdir", "-p", "/run/udev", "/run/dbus", "/run/systemd/netif"]);
    await host.exec(["chown", "-R", "systemd-network:systemd-network", "/run/systemd/netif"]);
    await host.exec([
      "mount",
      "-t",
      "overlay",
      "mifbed-etc",
      "-o",
      `lowerdir=/etc,upperdir=${upper},workdir=${d}/etc-work`,
      "/etc",
    ]);
    await startUdevd(host, UDEV_RULES);
    host.spawn(
      "dbus",
      host.inHost([
        "dbus-daemon",
        `--config-file=${d}/dbus/system.conf`,
        "--nofork",
        "--nopidfile",
      ]),
    );
    await host.waitFor(
      "the D-Bus socket",
      () => host.exec(["test", "-S", "/run/dbus/system_bus_socket"]).then(() => true, () => false),
      5_000,
    );
    host.spawn(
      "resolved",
      host.inHost([`${resolvedRoot(host)}/lib/systemd/systemd-resolved`]),
      { SYSTEMD_LOG_TARGET: "console", SYSTEMD_LOG_LEVEL: "debug" },
    );
    await host.waitFor(
      "systemd-resolved's stub resolv.conf",
      () =>
        host.exec(["test", "-e", "/run/systemd/resolve/stub-resolv.conf"]).then(
          () => true,
          () => false,
        ),
      10_000,
    );
  },

  async start(host) {
    host.spawn(
      "client",
      host.inHost(["/lib/systemd/systemd-networkd"]),
      { SYSTEMD_LOG_TARGET: "console", SYSTEMD_LOG_LEVEL: "debug" },
    );
    await host.waitFor(
      "networkd's state file",
      () => host.exec(["test", "-e", "/run/systemd/netif/state"]).then(() => true, () => false),
      10_000,
    );
  },

  async dhcpv4Ready(host) {
    const lease = await read(host, `/run/systemd/netif/leases/${await ifindex(host)}`);
    return /^ADDRESS=198\.51\.100\./m.test(lease) &&
      (await resolved(host)).includes("198.51.100.1");
  },

  async dhcpv6Ready(host) {
    // networkd keeps no DHCPv6 lease: its DUID in the link's state file says
    // DHCPv6 ran; resolved has the link's IPv6 DNS data (RA, and DHCPv6 when
    // stateful); the link is configured.
    const links = await read(host, `/run/systemd/netif/links/${await ifindex(host)}`);
    const view = await resolved(host);
    return /^DHCP6_CLIENT_DUID=/m.test(links) && /^ADMIN_STATE=configured$/m.test(links) &&
      view.includes("2001:db8:a::1") && view.includes("a6.mif.example");
  },

  async renew(host) {
    await host.exec(["networkctl", "renew", host.ifname]);
  },

  mifPrefix(host) {
    return ["env", `PATH=${resolvedRoot(host)}/usr/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`];
  },
};
