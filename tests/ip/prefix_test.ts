/** Prefixes and common-prefix lengths (ip/prefix.ts). */

import assert from "node:assert/strict";
import { parseIp } from "../../ip/ip.ts";
import { commonPrefixLength, maskLength, networkOf, prefixMatch } from "../../ip/prefix.ts";

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
