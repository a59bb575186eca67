/** IP literals: parsing, canonical text, loopback and link-local (ip/ip.ts). */

import assert from "node:assert/strict";
import { canonicalIp, isLinkLocal, isLoopback, parseIp } from "../../ip/ip.ts";

Deno.test("IPv6 literals are written canonically (RFC 5952)", () => {
  const cases: [string, string][] = [
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"],
    ["2001:db8::0:1", "2001:db8::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["0::1", "::1"],
    ["fe80::1%eth0", "fe80::1%eth0"],
    ["::ffff:198.51.100.7", "::ffff:198.51.100.7"],
    ["::FFFF:c633:6407", "::ffff:198.51.100.7"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
  ];
  for (const [input, canonical] of cases) assert.equal(canonicalIp(input), canonical, input);
});

Deno.test("malformed IP literals are refused", () => {
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "01.2.3.4",
      "1.2.3.-4",
      " 1.2.3.4",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "12345::",
      "::g",
      "fe80::1%",
      "fe80::1%a b",
      "1:2:3:4:5:6:7::8:9",
      "example.com",
    ]
  ) {
    assert.equal(parseIp(bad), undefined, JSON.stringify(bad));
  }
});

Deno.test("loopback covers 127.0.0.0/8 and ::1 only", () => {
  assert(isLoopback(parseIp("127.0.1.2")!));
  assert(isLoopback(parseIp("::1")!));
  assert(!isLoopback(parseIp("198.51.100.1")!));
  assert(!isLoopback(parseIp("::2")!));
  assert(!isLoopback(parseIp("::")!));
});

Deno.test("link-local covers fe80::/10 and 169.254.0.0/16", () => {
  assert(isLinkLocal(parseIp("fe80::1")!));
  assert(isLinkLocal(parseIp("febf::1")!));
  assert(isLinkLocal(parseIp("169.254.7.1")!));
  assert(!isLinkLocal(parseIp("fec0::1")!));
  assert(!isLinkLocal(parseIp("169.253.7.1")!));
});
