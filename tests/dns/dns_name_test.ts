import assert from "node:assert/strict";
import { nameKey, sameName, toDnsName } from "../../dns/dns_name.ts";

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
