/** parseScutilNwi (platform/darwin/parse_scutil_nwi.ts) on real `scutil --nwi` captures. */

import assert from "node:assert/strict";
import { parseScutilNwi } from "../../../platform/darwin/parse_scutil_nwi.ts";
import { readCapture } from "./capture.ts";

const REACHABLE = { value: 2, names: ["Reachable"] };
const NOT_REACHABLE = { value: 0, names: ["Not Reachable"] };
const VPN_REACH = { value: 3, names: ["Reachable", "Transient Connection"] };

Deno.test("parseScutilNwi ranks USB Ethernet en8 before Wi-Fi en0, IPv4 only", async () => {
  const nwi = parseScutilNwi(await readCapture("scutil_nwi_ethernet_wifi_ipv4_1.txt"));
  assert.deepEqual(nwi.ipv4, [
    {
      interface: "en8",
      flagsValue: 5,
      flags: ["IPv4", "DNS"],
      address: "10.1.1.1",
      reach: REACHABLE,
    },
    {
      interface: "en0",
      flagsValue: 5,
      flags: ["IPv4", "DNS"],
      address: "192.168.6.55",
      reach: REACHABLE,
    },
  ]);
  assert.deepEqual(nwi.ipv6, []);
  assert.deepEqual(nwi.interfaces, ["en8", "en0"]);
  assert.deepEqual(nwi.reach, { ipv4: REACHABLE, ipv6: NOT_REACHABLE });
});

Deno.test("parseScutilNwi reads a full-tunnel VPN first with its VPN server", async () => {
  const nwi = parseScutilNwi(await readCapture("scutil_nwi_utun_vpn_primary_en0_1.txt"));
  assert.deepEqual(nwi.ipv4.map((entry) => entry.interface), ["utun6", "en0"]);
  assert.deepEqual(nwi.ipv4[0], {
    interface: "utun6",
    flagsValue: 5,
    flags: ["IPv4", "DNS"],
    address: "10.100.0.2",
    vpnServer: "127.0.0.1",
    reach: VPN_REACH,
  });
  assert.equal(nwi.ipv4[1].vpnServer, undefined);
  assert.equal(nwi.ipv4[1].address, "10.0.1.7");
  assert.deepEqual(nwi.ipv6, []);
  assert.deepEqual(nwi.interfaces, ["utun6", "en0"]);
  assert.deepEqual(nwi.reach, { ipv4: VPN_REACH, ipv6: NOT_REACHABLE });
});

Deno.test("parseScutilNwi reads a family REACH with Connection Required (doc-comment capture)", async () => {
  const text = await readCapture("scutil_nwi_utun_vpn_primary_en0_docprefixed_2.txt");
  // Rust doc comment: strip "///" and, on lines that start in column 0, the blank after it.
  const nwi = parseScutilNwi(text.replace(/^\/\/\/(?: (?=\S))?/gm, ""));
  assert.deepEqual(nwi.ipv4.map((entry) => [entry.interface, entry.address]), [
    ["utun3", "10.113.48.185"],
    ["en0", "192.168.102.106"],
  ]);
  assert.equal(nwi.ipv4[0].vpnServer, "127.0.0.1");
  assert.deepEqual(nwi.ipv6, []);
  assert.deepEqual(nwi.reach.ipv6, {
    value: 7,
    names: ["Reachable", "Transient Connection", "Connection Required"],
  });
  assert.deepEqual(nwi.interfaces, ["utun3", "en0"]);
});

Deno.test("parseScutilNwi reads one dual-stack Wi-Fi in both families", async () => {
  const nwi = parseScutilNwi(await readCapture("scutil_nwi_wifi_dualstack_1.txt"));
  const both = {
    interface: "en0",
    flagsValue: 7,
    flags: ["IPv4", "IPv6", "DNS"],
    reach: REACHABLE,
  };
  assert.deepEqual(nwi.ipv4, [{ ...both, address: "192.168.0.106" }]);
  assert.deepEqual(nwi.ipv6, [{ ...both, address: "2602:ae:15a4:8001:424:837a:870:6095" }]);
  assert.deepEqual(nwi.interfaces, ["en0"]);
  assert.deepEqual(nwi.reach, { ipv4: REACHABLE, ipv6: REACHABLE });
});

/** Shell comments: strip "### " (or a bare "###" on empty lines), keeping the columns. */
const uncomment = (text: string) => text.replace(/^###(?: |$)/gm, "");

Deno.test("parseScutilNwi reads 'No IPv6 states found' as no IPv6 interfaces (comment-prefixed capture)", async () => {
  const text = await readCapture("scutil_nwi_wifi_ipv4only_commentprefixed_1.txt");
  const nwi = parseScutilNwi(uncomment(text));
  assert.deepEqual(nwi.ipv4.map((entry) => [entry.interface, entry.address]), [
    ["en0", "192.168.13.10"],
  ]);
  assert.deepEqual(nwi.ipv6, []);
  assert.deepEqual(nwi.reach, { ipv4: REACHABLE, ipv6: NOT_REACHABLE });
  assert.deepEqual(nwi.interfaces, ["en0"]);
});

Deno.test("parseScutilNwi keeps en0 primary for IPv4 under a split VPN that alone carries IPv6", async () => {
  const text = await readCapture("scutil_nwi_wifi_utun_vpn_commentprefixed_1.txt");
  const nwi = parseScutilNwi(uncomment(text));
  assert.deepEqual(nwi.ipv4.map((entry) => [entry.interface, entry.flagsValue, entry.address]), [
    ["en0", 5, "192.168.13.10"],
    ["utun2", 7, "172.31.250.118"],
  ]);
  assert.deepEqual(nwi.ipv6.map((entry) => [entry.interface, entry.address]), [
    ["utun2", "2001:db8::b"],
  ]);
  assert.deepEqual(nwi.interfaces, ["en0", "utun2"]);
});

Deno.test("parseScutilNwi tolerates tabs and trailing blanks", async () => {
  const text = await readCapture("scutil_nwi_wifi_dualstack_1.txt");
  const retabbed = text.replace(/^ {5}/gm, "\t").replace(/\n/g, " \t\n");
  assert.deepEqual(parseScutilNwi(retabbed), parseScutilNwi(text));
});

Deno.test("parseScutilNwi refuses text that is not its output", () => {
  assert.throws(() => parseScutilNwi("hello\n"), /no "Network information" header, line 1/);
  assert.throws(
    () => parseScutilNwi("Network information\n     en0 : flags      : 0x5 (IPv4,DNS)\n"),
    /interface "en0" before a family header, line 2/,
  );
  assert.throws(
    () =>
      parseScutilNwi(
        "Network information\nIPv4 network interface information\n           address    : 10.0.0.1\n",
      ),
    /before an interface, line 3/,
  );
  assert.throws(
    () =>
      parseScutilNwi(
        "Network information\nIPv4 network interface information\n" +
          "     en0 : flags      : 0x5 (IPv4,DNS)\n           address    : 10.0.0.300\n",
      ),
    /address "10.0.0.300" is not an IP address, line 4/,
  );
});

Deno.test("parseScutilNwi skips a long line of spaces without a colon in linear time", () => {
  const text = `Network information\nIPv4 network interface information\n${" ".repeat(100_000)}x\n`;
  assert.deepEqual(parseScutilNwi(text).ipv4, []);
});
