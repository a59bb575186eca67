/**
 * busybox udhcpc in the client test bed: `busybox udhcpc -i cl0 -s SCRIPT
 * -f -t 5 -T 1 -O search -O mtu` in the foreground, in the host side's
 * namespaces. Its script sources mif's hook
 * (platform/linux/udhcpc_hook.sh) with MIF_UDHCPC_DIR in the bed's temp dir
 * (mif reads it with `--lease-dir`), then applies the lease with iproute2:
 * the address with the lease's lifetimes and the default route on bound
 * and renew, a flush on deconfig. udhcpc takes no DHCPv6 data here; the
 * kernel does SLAAC from the router's RAs.
 *
 * @module
 */

import { bindResolvConf, type ClientDriver, exists, type HostSide } from "./driver.ts";

const HOOK = new URL("../../../platform/linux/udhcpc_hook.sh", import.meta.url).pathname;

/** The directory udhcpc's hook records leases in (mif's --lease-dir). */
export function udhcpcRecordDir(host: Pick<HostSide, "dir">): string {
  return `${host.dir}/udhcpc`;
}

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The udhcpc script: mif's hook, then the lease applied with iproute2. */
function script(recordDir: string): string {
  return `#!/bin/sh
MIF_UDHCPC_DIR=${quote(recordDir)}
. ${quote(HOOK)}
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ;;
  bound|renew)
    ip -4 addr replace "$ip/$subnet" dev "$interface" valid_lft "$lease" preferred_lft "$lease"
    for r in $router; do
      ip -4 route replace default via "$r" dev "$interface"
      break
    done
    ;;
esac
exit 0
`;
}

/** busybox udhcpc as the bed runs it. */
export const udhcpc: ClientDriver = {
  async prepare(host) {
    await Deno.mkdir(udhcpcRecordDir(host));
    await Deno.writeTextFile(`${host.dir}/udhcpc-script`, script(udhcpcRecordDir(host)), {
      mode: 0o755,
    });
    await bindResolvConf(host);
  },

  async start(host) {
    await host.exec(["ip", "link", "set", host.ifname, "up"]);
    host.spawn(
      "client",
      host.inHost([
        "busybox",
        "udhcpc",
        "-i",
        host.ifname,
        "-s",
        `${host.dir}/udhcpc-script`,
        "-f",
        "-t",
        "5",
        "-T",
        "1",
        "-O",
        "search",
        "-O",
        "mtu",
      ]),
    );
  },

  dhcpv4Ready(host) {
    return exists(`${udhcpcRecordDir(host)}/${host.ifname}.dhcpv4.env`);
  },

  renew(host) {
    const pid = host.pid("client");
    if (pid === undefined) {
      return Promise.reject(new Error("Cannot renew the udhcpc lease: udhcpc is not running"));
    }
    // nsenter execs udhcpc: the child's PID is udhcpc's. SIGUSR1: renew now.
    Deno.kill(pid, "SIGUSR1");
    return Promise.resolve();
  },

  mifOptions(host) {
    return ["--lease-dir", udhcpcRecordDir(host)];
  },
};
