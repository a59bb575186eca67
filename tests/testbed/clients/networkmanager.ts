/**
 * NetworkManager (its internal DHCP client) in the client test bed: the
 * recipe of tests/testdata/networkmanager (/tmp/nm/recipe.sh) in
 * TypeScript. NetworkManager, its own system D-Bus and, briefly, udevd run
 * in the host side's private mount namespace, with bind mounts over
 * /etc/NetworkManager, /var/lib/NetworkManager, /etc/resolv.conf and
 * /etc/hostname; mif reads it with nmcli.
 *
 * @module
 */

import {
  bindResolvConf,
  type ClientDriver,
  type HostSide,
  startUdevd,
  stopUdevd,
} from "./driver.ts";

/** The connection's fixed UUID: it names the internal client's lease file. */
export const NM_CONNECTION_UUID = "6d69666e-6d30-4000-8000-000000000001";

const NM_CONF = `[main]
plugins=keyfile
dns=none
rc-manager=unmanaged
hostname-mode=none
no-auto-default=*
auth-polkit=false

[keyfile]
unmanaged-devices=none

[logging]
level=INFO
domains=ALL:INFO,DHCP4:DEBUG,DHCP6:DEBUG
`;

/** Per bed (holder PID): whether the applied connection names the DHCP hostname explicitly. */
const explicitHostname = new Map<number, boolean>();

/** `nmcli -t -f FIELDS device show cl0`. */
function show(host: HostSide, fields: string): Promise<string> {
  return host.exec(["nmcli", "-t", "-f", fields, "device", "show", host.ifname]).catch(() => "");
}

/** The connection's name: the link's. */
function connection(host: HostSide): string {
  return host.ifname;
}

/** NetworkManager as the bed runs it. */
export const networkManager: ClientDriver = {
  async prepare(host) {
    const d = host.dir;
    await Deno.mkdir(`${d}/etc-nm/system-connections`, { recursive: true, mode: 0o700 });
    await Deno.chmod(`${d}/etc-nm/system-connections`, 0o700);
    await Deno.mkdir(`${d}/etc-nm/conf.d`, { recursive: true });
    await Deno.mkdir(`${d}/var-lib-nm`, { recursive: true });
    await Deno.writeTextFile(`${d}/etc-nm/NetworkManager.conf`, NM_CONF);
    // NetworkManager sends /etc/hostname's name in DHCP (host_name option).
    await Deno.writeTextFile(`${d}/hostname`, `${host.hostname}\n`);
    await host.exec(["mkdir", "-p", "/run/dbus", "/run/NetworkManager", "/run/udev"]);
    for (
      const [from, to] of [
        [`${d}/etc-nm`, "/etc/NetworkManager"],
        [`${d}/var-lib-nm`, "/var/lib/NetworkManager"],
        [`${d}/hostname`, "/etc/hostname"],
      ]
    ) {
      await host.exec(["mount", "--bind", from, to]);
    }
    await bindResolvConf(host);
    host.spawn(
      "dbus",
      host.inHost(["dbus-daemon", "--system", "--nofork", "--nopidfile"]),
    );
    await host.waitFor(
      "the D-Bus socket",
      () => host.exec(["test", "-S", "/run/dbus/system_bus_socket"]).then(() => true, () => false),
      5_000,
    );
    // No rules at all: udevd only records the link in its database, which is all
    // NetworkManager needs; its database stays after it stops.
    await startUdevd(host, []);
    await stopUdevd(host);
  },

  async start(host) {
    await Deno.writeTextFile(
      `${host.dir}/print-config.txt`,
      await host.exec(["NetworkManager", "--print-config"]),
    );
    host.spawn("client", host.inHost(["NetworkManager", "--debug"]));
    await host.waitFor("NetworkManager on D-Bus", async () => {
      const out = await host.exec(["nmcli", "-t", "-f", "RUNNING", "general"]).catch(() => "");
      return out.trim() === "running";
    }, 20_000);
    await host.waitFor(
      `${host.ifname} known to NetworkManager`,
      async () => (await show(host, "GENERAL.STATE")) !== "",
      10_000,
    );
    await host.exec(["nmcli", "device", "set", host.ifname, "managed", "yes"]);
    // Fixed identities (EUI-64 SLAAC address, client id and DUID from the MAC, the
    // UUID). autoconnect no: otherwise `connection add` starts an activation that
    // `connection up` at once replaces, restarting DHCP.
    await host.exec([
      "nmcli",
      "connection",
      "add",
      "type",
      "ethernet",
      "ifname",
      host.ifname,
      "con-name",
      connection(host),
      "ipv4.method",
      "auto",
      "ipv6.method",
      "auto",
      "connection.metered",
      "yes",
      "connection.autoconnect",
      "no",
      "connection.uuid",
      NM_CONNECTION_UUID,
      "ipv6.addr-gen-mode",
      "eui64",
      "ipv4.dhcp-client-id",
      "mac",
      "ipv6.dhcp-duid",
      "ll",
    ]);
    await host.exec(["nmcli", "--wait", "30", "connection", "up", connection(host)]);
  },

  async dhcpv4Ready(host) {
    const out = await show(host, "GENERAL.STATE,DHCP4.OPTION");
    return out.includes("100 (connected)") && out.includes("domain_name_servers = ");
  },

  async dhcpv6Ready(host) {
    const out = await show(host, "DHCP6.OPTION,IP6.DNS");
    return out.includes("dhcp6_name_servers = ") && out.includes("IP6.DNS[1]:2001:db8:a::1");
  },

  async renew(host) {
    // `nmcli device reapply cl0` alone does not touch a running DHCP client
    // (the new DNS server only came at T1, 56 s later), and `nmcli connection
    // up cl0` re-activates the whole connection. A changed DHCP hostname
    // setting on the applied connection restarts the DHCPv4 client at once
    // (one REQUEST/ACK, the address kept): alternate it between the host
    // name itself and "" (the default: the host name), so the name sent
    // never changes. The profile is not modified.
    const explicit = !explicitHostname.get(host.holderPid);
    explicitHostname.set(host.holderPid, explicit);
    await host.exec([
      "nmcli",
      "device",
      "modify",
      host.ifname,
      "ipv4.dhcp-hostname",
      explicit ? host.hostname : "",
    ]);
  },
};
