/** DNS server strings (ip/server_address.ts). */

import assert from "node:assert/strict";
import { formatIp } from "../../ip/ip.ts";
import { parseServer, serverText } from "../../ip/server_address.ts";

Deno.test("server strings: IPv4, IPv6, ports, brackets and zones", () => {
  const cases: [string, string, number, string][] = [
    ["198.51.100.1", "198.51.100.1", 53, "ipv4"],
    ["198.51.100.1:5353", "198.51.100.1", 5353, "ipv4"],
    ["2001:db8::1", "2001:db8::1", 53, "ipv6"],
    ["2001:DB8:0::1", "2001:db8::1", 53, "ipv6"],
    ["[2001:db8::1]:5353", "2001:db8::1", 5353, "ipv6"],
    ["[2001:db8::1]", "2001:db8::1", 53, "ipv6"],
    ["[fe80::1%eth1]:53", "fe80::1%eth1", 53, "ipv6"],
    ["fe80::1", "fe80::1%wlan0", 53, "ipv6"],
    ["[fe80::1]:54", "fe80::1%wlan0", 54, "ipv6"],
  ];
  for (const [text, host, port, family] of cases) {
    const server = parseServer(text, "wlan0");
    assert.deepEqual(
      { ...server, ip: undefined },
      { text, host, port, family, ip: undefined },
      text,
    );
    assert.equal(formatIp(server!.ip), host, `${text}: ip is host, parsed`);
  }
});

Deno.test("unparseable server strings are refused", () => {
  for (
    const text of [
      "",
      "dns.example",
      "198.51.100.1:0",
      "198.51.100.1:65536",
      "198.51.100.1:053",
      "198.51.100.1:",
      "[198.51.100.1]:53",
      "[2001:db8::1]:",
      "2001:db8::1:5353:1:2:3:4:5",
      "198.51.100.1#dns.example",
      "198.51.100.1%eth0",
    ]
  ) {
    assert.equal(parseServer(text, "eth0"), undefined, text);
  }
  assert.equal(serverText("2001:db8::1", 53), "[2001:db8::1]:53");
});
