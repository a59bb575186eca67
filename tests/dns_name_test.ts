import assert from "node:assert/strict";
import { nameKey, sameName, toDnsName } from "../dns/dns_name.ts";
import { planRoutes } from "../workers/dns/dns_routes.ts";

const address = (
  address: string,
  validUntil: number | null = null,
  preferredUntil = validUntil,
) => ({
  address,
  prefixLength: address.includes(":") ? 64 : 24,
  validUntil,
  preferredUntil,
});

Deno.test("valid names come out in ASCII without the trailing dot", () => {
  const cases: [string, string][] = [
    ["www.example", "www.example"],
    ["WWW.Example.", "www.example"],
    ["_sip._udp.example", "_sip._udp.example"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["BÜCHER。example", "xn--bcher-kva.example"],
    ["localhost", "localhost"],
    ["1.2.3", "1.2.3"],
    [`${"a".repeat(63)}.example`, `${"a".repeat(63)}.example`],
  ];
  for (const [input, ascii] of cases) assert.deepEqual(toDnsName(input), { ok: true, name: ascii });
});

Deno.test("invalid names are refused with what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    [".", /empty/],
    ["a..b", /empty label/],
    [".a", /empty label/],
    [`${"a".repeat(64)}.example`, /label of 64 octets, over 63/],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, /254 octets/],
    ["bad name!", /character other than/],
    ["a/b.example", /character other than/],
    ["%41.example", /character other than/],
    ["-a.example", /hyphen/],
    ["a-.example", /hyphen/],
    ["ctl\u0001.example", /control character/],
    ["nl\n.example", /control character/],
    ["del\u007f.example", /control character/],
    ["xn--zz.example", /IDNA/],
  ];
  for (const [input, problem] of cases) {
    const check = toDnsName(input);
    assert.ok(!check.ok, JSON.stringify(input));
    assert.match(check.problem, problem, JSON.stringify(input));
  }
  assert.throws(() => toDnsName(7 as unknown as string), TypeError);
});

Deno.test("names compare case-insensitively, trailing dot ignored", () => {
  assert.ok(sameName("WWW.example.", "www.EXAMPLE"));
  assert.ok(!sameName("www.example", "www.example.org"));
  assert.equal(nameKey("A.B."), "a.b");
});

Deno.test("routes pair each server with the PD's best source of its family, and say why others are skipped", () => {
  const now = Date.now();
  const plan = planRoutes(
    ["198.51.100.53", "fe80::53", "2001:db8:2::53", "nonsense", "203.0.113.53"],
    "eth0",
    [
      address("198.51.100.7"),
      address("fe80::7"),
      address("2001:db8:1::7"),
      address("2001:db8:2::7"),
    ],
    now,
  );
  assert.deepEqual(plan.routes.map((r) => [r.server.text, r.source]), [
    ["198.51.100.53", "198.51.100.7"],
    ["fe80::53", "fe80::7%eth0"],
    ["2001:db8:2::53", "2001:db8:2::7"],
    ["203.0.113.53", "198.51.100.7"],
  ]);
  assert.deepEqual(plan.skipped, ['"nonsense" (not a server address)']);
  const expired = planRoutes(["198.51.100.53"], "eth0", [address("198.51.100.7", now - 1)], now);
  assert.deepEqual(expired.skipped, [
    "198.51.100.53 (every IPv4 address of the PD is deprecated or expired)",
  ]);
});
