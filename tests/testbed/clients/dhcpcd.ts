/**
 * dhcpcd in the client test bed: `dhcpcd -c /bin/true -w -t 30 cl0` in the
 * host side's namespaces, with a dir of the bed bound over /var/lib/dhcpcd
 * (its leases, DUID and secret) and /run/dhcpcd in the host side's tmpfs,
 * so nothing outside the bed changes; its script is /bin/true, so it
 * writes no resolv.conf (it applies addresses and routes itself). It does
 * DHCPv4, SLAAC from the router's RAs itself (`slaac private` in Debian's
 * /etc/dhcpcd.conf) and DHCPv6 as the RA's M/O flags ask. mif reads it with
 * `dhcpcd -U -4 cl0` / `-U -6 cl0`; `dhcpcd -n cl0` renews, `dhcpcd -x cl0`
 * stops it.
 *
 * @module
 */

import { bindResolvConf, type ClientDriver, exists, type HostSide } from "./driver.ts";

function leaseDir(host: HostSide): string {
  return `${host.dir}/dhcpcd-lib`;
}

/** `dhcpcd -U -4|-6 cl0`, or "" when it fails. */
function dump(host: HostSide, family: "-4" | "-6"): Promise<string> {
  return host.exec(["dhcpcd", "-U", family, host.ifname]).catch(() => "");
}

/** dhcpcd as the bed runs it. */
export const dhcpcd: ClientDriver = {
  async prepare(host) {
    await Deno.mkdir(leaseDir(host));
    await host.exec(["mkdir", "-p", "/var/lib/dhcpcd", "/run/dhcpcd"]);
    await host.exec(["mount", "--bind", leaseDir(host), "/var/lib/dhcpcd"]);
    await host.exec(["mount", "-t", "tmpfs", "-o", "mode=0755", "mifbed-dhcpcd", "/run/dhcpcd"]);
    await bindResolvConf(host);
  },

  async start(host) {
    // -w: it forks to the background once it has an address (which may be
    // an IPv6 or an IPv4LL one first: the bed waits for the DHCPv4 lease).
    const child = host.spawn(
      "client",
      host.inHost(["dhcpcd", "-c", "/bin/true", "-w", "-t", "30", host.ifname]),
    );
    const status = await child.status;
    if (!status.success) {
      const log = await Deno.readTextFile(`${host.dir}/client.log`).catch(() => "");
      throw new Error(`Cannot start dhcpcd: exit code ${status.code} (${log.trim()})`);
    }
  },

  async dhcpv4Ready(host) {
    return await exists(`${leaseDir(host)}/${host.ifname}.lease`) &&
      /^ip_address=198\.51\.100\./m.test(await dump(host, "-4"));
  },

  async dhcpv6Ready(host) {
    return await exists(`${leaseDir(host)}/${host.ifname}.lease6`) &&
      /^dhcp6_name_servers=/m.test(await dump(host, "-6"));
  },

  async renew(host) {
    await host.exec(["dhcpcd", "-n", host.ifname]);
  },

  async shutdown(host) {
    // Stops the daemon (and its privilege-separated helpers); the bed kills
    // whatever is left by PID anyway, so a dhcpcd that does not answer in
    // 10 s is no failure.
    const [program, ...args] = host.inHost(["dhcpcd", "-x", host.ifname]);
    await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(10_000),
    }).output().catch(() => {});
  },
};
