/**
 * Every capture through the whole darwin read: readMac (with the fake
 * runner) and buildDarwinSnapshot. A capture of a command mif runs must
 * build a sound snapshot; one without a source's artefacts must read
 * without a skipped source. Captures whose sources cut, wrapped, redacted or
 * prefixed lines are skipped sources, as a Mac's own garbled output would
 * be, and never a crash or a wrong snapshot.
 */

import assert from "node:assert/strict";
import { readCapture } from "./capture.ts";
import { fakeRunner } from "./fake_runner.ts";
import { readMac } from "../../../platform/darwin/read_mac.ts";
import { buildDarwinSnapshot } from "../../../platform/darwin/build_snapshot.ts";
import { snapshotProblem } from "../../../broker/snapshot_check.ts";

/** Written here, for the commands that ask about a link: en0 with IPv4, SLAAC and a link-local address. */
const EN0 = "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n" +
  "\tinet6 fe80::1c8e:5a4f:b3c2:11d0%en0 prefixlen 64 secured scopeid 0x4\n" +
  "\tinet 198.51.100.7 netmask 0xffffff00 broadcast 198.51.100.255\n" +
  "\tinet6 2001:db8:97::5 prefixlen 64 autoconf secured\n";

/** The command line each capture is the output of, by its name (without set/handwritten prefix). */
const COMMANDS: [RegExp, string][] = [
  [/^ifconfig/, "ifconfig -a -v -L"],
  [/^scutil_dns/, "scutil --dns"],
  [/^scutil_nwi/, "scutil --nwi"],
  [/^netstat_rn/, "netstat -rn"],
  [/^ndp_p/, "ndp -n -p"],
  [/^ndp_r/, "ndp -n -r"],
  [/^networksetup_listallhardwareports/, "networksetup -listallhardwareports"],
  [/^networksetup_listnetworkserviceorder/, "networksetup -listnetworkserviceorder"],
  [/^ipconfig_getpacket/, "ipconfig getpacket en0"],
  [/^ipconfig_getsummary/, "ipconfig getsummary en0"],
  [/^ipconfig_getra/, "ipconfig getra en0"],
  [/^ipconfig_getv6packet/, "ipconfig getv6packet en0"],
];

/** Captures with their source's artefacts (each file's header says which), as their tests strip them. */
const ARTEFACTS = new Set([
  "ifconfig_grep_inet6_partial_1.txt", // grep'd lines
  "ifconfig_iphone_usb_hotspot_1.txt", // redacted "xxxx" in an address
  "ipconfig_getsummary_wifi_ra_dhcpv6_1.txt", // lines wrapped at 108 characters
  "netstat_rn_inet6_utun_defaults_1.txt", // cut mid-line
  "netstat_rn_inet6_wifi_ethernet_dual_1.txt", // cut mid-line
  "netstat_rn_wifi_ethernet_ipsec_1.txt", // cut mid-line
  "netstat_rn_inet6_vpn_halfdefault_1.txt", // cut mid-line
  "netstat_rn_inet6_two_prefixes_1.txt", // cut mid-line
  "set1_netstat_rn_en0_vmware_bridges_utun_dualstack_1.txt", // Rust comment prefixes
  "scutil_dns_wifi_ipv6_linklocal_ns_1.txt", // starts mid-output
  "scutil_dns_vpn_split_2.txt", // redacted "<dns1>"
  "scutil_nwi_utun_vpn_primary_en0_docprefixed_2.txt", // documentation prefixes
  "scutil_nwi_wifi_ipv4only_commentprefixed_1.txt", // comment prefixes
  "scutil_nwi_wifi_utun_vpn_commentprefixed_1.txt", // comment prefixes
]);

const captures: [string, string][] = [];
for (const entry of Deno.readDirSync(new URL("../../testdata/darwin/", import.meta.url))) {
  const command = COMMANDS.find(([name]) =>
    name.test(entry.name.replace(/^(set\d+_|handwritten_)/, ""))
  )?.[1];
  if (entry.isFile && command) captures.push([entry.name, command]);
}
captures.sort(([a], [b]) => a.localeCompare(b));

Deno.test("every capture of a command mif runs builds a sound snapshot; only those with their source's artefacts are skipped sources", async (t) => {
  assert.ok(captures.length >= 60, `${captures.length} captures`);
  for (const [name, command] of captures) {
    await t.step(name, async () => {
      const outputs = { "ifconfig -a -v -L": EN0, [command]: await readCapture(name) };
      const state = await readMac({ run: fakeRunner(outputs).run });
      assert.equal(snapshotProblem(buildDarwinSnapshot(state)), undefined);
      const skipped = state.notes?.find((n) => n.source === command);
      assert.equal(skipped !== undefined, ARTEFACTS.has(name), skipped?.reason ?? "no note");
    });
  }
});
