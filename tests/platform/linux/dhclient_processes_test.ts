/** Finding dhclient's lease files (platform/linux/dhclient_processes.ts). */

import assert from "node:assert/strict";
import {
  dhclientLeaseFile,
  dhclientLeaseFiles,
} from "../../../platform/linux/dhclient_processes.ts";

Deno.test("dhclientLeaseFile finds -lf and dhclient's defaults", () => {
  assert.equal(dhclientLeaseFile(["dhclient", "-lf", "/x/y.leases", "eth0"]), "/x/y.leases");
  assert.equal(dhclientLeaseFile(["/usr/sbin/dhclient", "eth0"]), "/var/lib/dhcp/dhclient.leases");
  assert.equal(dhclientLeaseFile(["dhclient", "-6", "eth0"]), "/var/lib/dhcp/dhclient6.leases");
  assert.equal(dhclientLeaseFile(["dhcpcd", "eth0"]), undefined);
});

Deno.test("dhclientLeaseFiles keeps only dhclients of this network namespace", () => {
  const ps = Deno.readTextFileSync(
    new URL("../../testdata/dhclient_processes/ps_two_namespaces.txt", import.meta.url),
  );
  assert.deepEqual(dhclientLeaseFiles(ps, 900), [
    "/tmp/bed/neta4.leases",
    "/var/lib/dhcp/dhclient6.leases",
  ]);
  assert.throws(() => dhclientLeaseFiles(ps, 901), /process 901 is not listed/);
});
