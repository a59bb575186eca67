/** parseServiceOrder (platform/darwin/parse_service_order.ts) on real captures. */

import assert from "node:assert/strict";
import { parseServiceOrder } from "../../../platform/darwin/parse_service_order.ts";
import { readCapture } from "./capture.ts";

Deno.test("parseServiceOrder reads a disabled service as order null between numbered ones", async () => {
  const services = parseServiceOrder(
    await readCapture("networksetup_listnetworkserviceorder_iphone_usb_vpn_disabled_1.txt"),
  );
  assert.equal(services.length, 7);
  assert.deepEqual(services[3], {
    order: 4,
    name: "iPhone USB",
    enabled: true,
    port: "iPhone USB",
    device: "en6",
  });
  assert.deepEqual(services[5], {
    order: null,
    name: "Old Ethernet",
    enabled: false,
    port: "Ethernet",
    device: "en9",
  });
  // networksetup keeps counting across the disabled service: (*) then (7).
  assert.deepEqual(services[6], {
    order: 7,
    name: "Happ",
    enabled: true,
    port: "su.ffg.happ",
    device: "",
  });
  assert.deepEqual(services[4].device, "");
});

Deno.test("parseServiceOrder keeps two services of one port name apart (macOS 15.7.1)", async () => {
  const services = parseServiceOrder(
    await readCapture("networksetup_listnetworkserviceorder_multi_usb_lan_1.txt"),
  );
  assert.deepEqual(services.map((s) => s.order), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(services[1], {
    order: 2,
    name: "USB 10/100/1000 LAN",
    enabled: true,
    port: "USB 10/100/1000 LAN",
    device: "en5",
  });
  assert.deepEqual(services[3], {
    order: 4,
    name: "USB 10/100/1000 LAN 2",
    enabled: true,
    port: "USB 10/100/1000 LAN",
    device: "en11",
  });
  assert.equal(services[5].device, "en0");
});

Deno.test("parseServiceOrder reads WireGuard services with an empty device (no header line)", async () => {
  const services = parseServiceOrder(
    await readCapture("networksetup_listnetworkserviceorder_wireguard_services_1.txt"),
  );
  assert.equal(services.length, 9);
  assert.deepEqual(services.slice(0, 3).map((s) => [s.name, s.device]), [
    ["USB 10/100/1000 LAN 2", "en7"],
    ["Ethernet", "en0"],
    ["Wi-Fi", "en1"],
  ]);
  const vpns = services.filter((s) => s.port === "com.wireguard.macos");
  assert.deepEqual(vpns.map((s) => s.name), ["kernal", "WS BT", "ca-001-stg", "ca-001-stg-2"]);
  assert(vpns.every((s) => s.device === "" && s.enabled));
});

Deno.test("parseServiceOrder lists services of unplugged hardware with their devices", async () => {
  const services = parseServiceOrder(
    await readCapture("networksetup_listnetworkserviceorder_laptop_vpn_services_1.txt"),
  );
  assert.equal(services.length, 8);
  assert.deepEqual(services[0], {
    order: 1,
    name: "Wi-Fi",
    enabled: true,
    port: "Wi-Fi",
    device: "en0",
  });
  assert.deepEqual(services[5], {
    order: 6,
    name: "iPhone USB",
    enabled: true,
    port: "iPhone USB",
    device: "en10",
  });
  assert.deepEqual(services[6].port, "com.ubnt.wifiman");
});

Deno.test("parseServiceOrder refuses a service without its port line and a stray port line", () => {
  assert.throws(
    () => parseServiceOrder("(1) Wi-Fi\n\n(2) Ethernet\n(Hardware Port: Ethernet, Device: en0)\n"),
    (e: unknown) =>
      e instanceof SyntaxError && /"Wi-Fi" has no Hardware Port line, line 1/.test(e.message),
  );
  assert.throws(
    () => parseServiceOrder("(Hardware Port: Wi-Fi, Device: en0)\n"),
    (e: unknown) => e instanceof SyntaxError && /without a service, line 1/.test(e.message),
  );
  assert.throws(() => parseServiceOrder("(1) Wi-Fi\n"), SyntaxError);
});
