/** RFC 6724 source and destination address selection (ip/addrselect.ts). */

import assert from "node:assert/strict";
import { parseIp } from "../../ip/ip.ts";
import {
  compareDestinations,
  destinationKeys,
  noSourceReason,
  policyOf,
  rankSources,
  scopeOf,
  selectSources,
} from "../../ip/addrselect.ts";

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
