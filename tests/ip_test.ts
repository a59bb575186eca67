import assert from "node:assert/strict";
import { canonicalIp, isLinkLocal, isLoopback, parseIp } from "../ip/ip.ts";
import {
  compareDestinations,
  destinationKeys,
  noSourceReason,
  policyOf,
  rankSources,
  scopeOf,
  selectSources,
} from "../ip/addrselect.ts";
import { commonPrefixLength, maskLength, networkOf, prefixMatch } from "../ip/prefix.ts";
import { needsZone, withoutZone, zoned } from "../ip/zone.ts";
import { parseServer, serverText } from "../ip/server_address.ts";

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

Deno.test("prefixMatch and maskLength", () => {
  assert.equal(prefixMatch("198.51.100.7", "198.51.100.0/24"), 24);
  assert.equal(prefixMatch("198.51.101.7", "198.51.100.0/24"), -1);
  assert.equal(prefixMatch("2001:db8::1", "0.0.0.0/0"), -1, "families differ");
  assert.equal(prefixMatch("2001:db8::1", "::/0"), 0);
  assert.equal(maskLength("255.255.240.0"), 20);
  assert.equal(maskLength("255.255.255.255"), 32);
  assert.equal(maskLength("0.255.0.0"), undefined);
});

Deno.test("one common-prefix routine: bit by bit, up to a limit", () => {
  const bytes = (text: string) => parseIp(text)!.bytes;
  assert.equal(commonPrefixLength(bytes("2001:db8::1"), bytes("2001:db8::1")), 128);
  assert.equal(commonPrefixLength(bytes("2001:db8::1"), bytes("2001:db8::1"), 64), 64);
  assert.equal(commonPrefixLength(bytes("198.51.100.7"), bytes("198.51.100.128")), 24);
  assert.equal(commonPrefixLength(bytes("128.0.0.0"), bytes("0.0.0.0")), 0);
  assert.equal(prefixMatch("198.51.100.7", "198.51.100.7"), 32, "no length: the whole address");
  assert.equal(maskLength("0.0.0.0"), 0);
  assert.equal(maskLength("255.255.255.254"), 31);
  assert.equal(maskLength("255.255.255.253"), undefined);
  assert.equal(maskLength("ffff::"), undefined, "IPv4 only");
  assert.equal(networkOf("198.51.100.77", 26), "198.51.100.64/26");
  assert.equal(networkOf("2001:db8:1:2::1", 0), "::/0");
});

Deno.test("zones: link-local IPv6 addresses get the interface, comparisons leave zones out", () => {
  assert.equal(zoned("fe80::1", "eth0"), "fe80::1%eth0");
  assert.equal(zoned("fe80::1%eth1", "eth0"), "fe80::1%eth1");
  assert.equal(zoned("169.254.0.1", "eth0"), "169.254.0.1");
  assert.equal(zoned("not an address", "eth0"), "not an address");
  assert(needsZone(parseIp("fe80::1")!));
  assert(!needsZone(parseIp("2001:db8::1")!));
  assert.equal(withoutZone("fe80::1%2"), "fe80::1");
  assert.equal(withoutZone("fe80::1%eth0"), withoutZone("FE80:0::1%2"));
});

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
    assert.deepEqual(parseServer(text, "wlan0"), { text, host, port, family }, text);
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

const held = (address: string, prefixLength: number, more: Record<string, unknown> = {}) => ({
  address,
  prefixLength,
  validUntil: null,
  preferredUntil: null,
  ...more,
});

Deno.test("RFC 6724 §5: sources of the family, not deprecated, by rules 1, 2, 7 and 8", () => {
  const addresses = [
    held("198.51.100.7", 24),
    held("fe80::7", 64),
    held("2001:db8:1::7", 64),
    held("2001:db8:2::7", 64),
    held("2001:db8:2::8", 64, { temporary: true }),
    held("2001:db8:2::9", 64, { preferredUntil: 5 }),
  ];
  assert.deepEqual(selectSources("2001:db8:2::80", addresses, 10), [
    "2001:db8:2::8", // rule 7: temporary first
    "2001:db8:2::7", // rule 8: the destination's prefix
    "2001:db8:1::7",
    "fe80::7", // rule 2: a scope below the destination's goes last
  ]);
  assert.deepEqual(selectSources("2001:db8:2::7", addresses, 10)[0], "2001:db8:2::7", "rule 1");
  assert.deepEqual(selectSources("fe80::80", addresses, 10)[0], "fe80::7", "rule 2");
  assert.deepEqual(selectSources("2001:db8:2::80", addresses, 0)[0], "2001:db8:2::8");
  assert.deepEqual(rankSources(parseIp("203.0.113.1")!, addresses, 10).map((s) => s.address), [
    "198.51.100.7",
  ]);
  assert.throws(() => selectSources("www.example", addresses, 10), TypeError);
  assert.equal(noSourceReason("2001:db8::1", [held("198.51.100.7", 24)]), "no-address-of-family");
  assert.equal(
    noSourceReason("2001:db8::1", [held("2001:db8::7", 64, { validUntil: 1 })]),
    "all-deprecated-or-expired",
  );
});

Deno.test("RFC 6724 §2.1 and §3.1: policy table and scopes", () => {
  const policy = (text: string) => policyOf(parseIp(text)!);
  assert.deepEqual(policy("::1"), { precedence: 50, label: 0 });
  assert.deepEqual(policy("2002:c633:6401::1"), { precedence: 30, label: 2 });
  assert.deepEqual(policy("2001:0:1::1"), { precedence: 5, label: 5 });
  assert.deepEqual(policy("fd00::1"), { precedence: 3, label: 13 });
  assert.deepEqual(policy("::198.51.100.1"), { precedence: 1, label: 3 });
  assert.deepEqual(policy("fec0::1"), { precedence: 1, label: 11 });
  assert.deepEqual(policy("3ffe::1"), { precedence: 1, label: 12 });
  assert.deepEqual(policy("198.51.100.1"), { precedence: 35, label: 4 });
  const scope = (text: string) => scopeOf(parseIp(text)!);
  assert.deepEqual(
    ["ff02::1", "ff05::1", "ff0e::1", "fe80::1", "fec0::1", "::1", "169.254.0.1", "10.0.0.1"].map(
      scope,
    ),
    [2, 5, 14, 2, 5, 2, 2, 14],
  );
});

Deno.test("RFC 6724 §6: destinations by rules 2, 5, 6, 8, the caller's rule, then 9", () => {
  const keys = (destination: string, source: string, prefixLength: number) => {
    const d = parseIp(destination)!;
    return destinationKeys(d, rankSources(d, [held(source, prefixLength)], 0)[0]);
  };
  const v4 = keys("198.51.100.80", "198.51.100.7", 24);
  const v6 = keys("2001:db8:a::80", "2001:db8:a::7", 64);
  const v6far = keys("2001:db8:b::80", "2001:db8:a::7", 64);
  const linkLocal = keys("fe80::80", "fe80::7", 64);
  const ula = keys("fd00::80", "2001:db8:a::7", 64);
  assert.deepEqual(v4, {
    scopeMatch: true,
    labelMatch: true,
    precedence: 35,
    scope: 14,
    prefix: 0,
  });
  assert(compareDestinations(v6, v4) < 0, "rule 6: IPv6 before IPv4");
  assert(compareDestinations(ula, v4) > 0, "rule 5: a label unlike the source's goes last");
  assert(compareDestinations(linkLocal, v6) < 0, "rule 8: the smaller scope first");
  assert(compareDestinations(v6, v6far) < 0, "rule 9: the longer common prefix first");
  assert(compareDestinations(v6far, v6, () => -1) < 0, "the caller's rule goes before rule 9");
  assert(compareDestinations(v4, v6, () => -1) > 0, "...and after rule 6");
  assert.equal(compareDestinations(v4, v4), 0);
});
