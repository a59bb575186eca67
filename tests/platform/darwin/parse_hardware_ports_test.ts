/** parseHardwarePorts (platform/darwin/parse_hardware_ports.ts) on real captures. */

import assert from "node:assert/strict";
import { parseHardwarePorts } from "../../../platform/darwin/parse_hardware_ports.ts";
import { readCapture } from "./capture.ts";

Deno.test("parseHardwarePorts maps an iPhone USB port to its device (2020 capture, no VLAN trailer)", async () => {
  const ports = parseHardwarePorts(
    await readCapture("networksetup_listallhardwareports_iphone_usb_1.txt"),
  );
  assert.equal(ports.length, 6);
  assert.deepEqual(ports[1], { port: "iPhone USB", device: "en5", mac: "3a:89:2c:52:71:a1" });
  assert.deepEqual(ports.map((p) => p.device), ["en0", "en5", "en3", "en1", "en2", "bridge0"]);
  assert.deepEqual(ports[5], {
    port: "Thunderbolt Bridge",
    device: "bridge0",
    mac: "82:f1:30:25:50:01",
  });
});

Deno.test("parseHardwarePorts stops at the VLAN Configurations trailer (laptop capture)", async () => {
  const ports = parseHardwarePorts(
    await readCapture("networksetup_listallhardwareports_laptop_thunderbolt_1.txt"),
  );
  assert.equal(ports.length, 8);
  assert.deepEqual(ports[0], {
    port: "Ethernet Adapter (en4)",
    device: "en4",
    mac: "0e:30:9c:e7:25:0a",
  });
  assert.deepEqual(ports[4], { port: "Wi-Fi", device: "en0", mac: "84:2f:57:44:d6:4f" });
  assert.equal(ports.at(-1)?.port, "Thunderbolt 3");
});

Deno.test("parseHardwarePorts keeps a reporter's cut MACs as printed and ignores a cut trailer", async () => {
  const ports = parseHardwarePorts(
    await readCapture("networksetup_listallhardwareports_usb_ethernet_redacted_1.txt"),
  );
  assert.equal(ports.length, 9);
  assert.deepEqual(ports[2], { port: "AX88179A", device: "en8", mac: "a0:ce:" });
  assert.deepEqual(ports[8], { port: "Thunderbolt Bridge", device: "bridge0", mac: "36:55:" });
});

Deno.test("parseHardwarePorts reads the Catalina set (USB LAN, iPhone USB, trailing blank on a MAC)", async () => {
  const ports = parseHardwarePorts(
    await readCapture("set5_networksetup_listallhardwareports_catalina_usb_lan_iphone_usb_1.txt"),
  );
  assert.equal(ports.length, 9);
  assert.deepEqual(ports[0], {
    port: "USB 10/100/1000 LAN",
    device: "en35",
    mac: "98:00:43:0f:00:03",
  });
  assert.deepEqual(ports[2], { port: "iPhone USB", device: "en37", mac: "d6:00:da:5b:00:05" });
  // The source prints "82:00:1c:a5:00:01 " with a trailing blank.
  assert.deepEqual(ports[7], { port: "Thunderbolt 4", device: "en4", mac: "82:00:1c:a5:00:01" });
});

Deno.test("parseHardwarePorts reads the Sonoma 14.4 and Mojave 10.14.6 sets", async () => {
  const sonoma = parseHardwarePorts(
    await readCapture("set6_networksetup_listallhardwareports_sonoma14_4_1.txt"),
  );
  assert.deepEqual(sonoma.map((p) => p.port), [
    "Ethernet Adapter (en4)",
    "Ethernet Adapter (en5)",
    "Thunderbolt Bridge",
    "Wi-Fi",
    "Thunderbolt 1",
    "Thunderbolt 2",
    "Thunderbolt 3",
  ]);
  const mojave = parseHardwarePorts(
    await readCapture("set7_networksetup_listallhardwareports_mojave_ethernet_wifi_1.txt"),
  );
  assert.deepEqual(mojave.slice(0, 2), [
    { port: "Ethernet", device: "en0", mac: "3c:36:00:60:88:11" },
    { port: "Wi-Fi", device: "en1", mac: "f8:cc:f2:56:77:6b" },
  ]);
  assert.equal(mojave.length, 6);
});

Deno.test("parseHardwarePorts gives null for N/A and refuses a Device outside a port", () => {
  const text = "Hardware Port: Bluetooth PAN\nDevice: en3\nEthernet Address: N/A\n";
  assert.deepEqual(parseHardwarePorts(text), [{ port: "Bluetooth PAN", device: "en3", mac: null }]);
  assert.throws(
    () => parseHardwarePorts("\nDevice: en0\n"),
    (e: unknown) => e instanceof SyntaxError && /Device outside a port, line 2/.test(e.message),
  );
  assert.throws(
    () => parseHardwarePorts("Hardware Port: Wi-Fi\nEthernet Address: N/A\n"),
    (e: unknown) => e instanceof SyntaxError && /"Wi-Fi" has no Device, line 1/.test(e.message),
  );
  assert.deepEqual(parseHardwarePorts(""), []);
});
