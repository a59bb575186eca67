/** What a DNS reply means: answers, RCODEs and CNAME chains (workers/dns/dns_answer.ts). */

import assert from "node:assert/strict";
import { MAX_CHAIN, readReply } from "../../../workers/dns/dns_answer.ts";
import { accepted, reply } from "../../fixtures/dns_replies.ts";

Deno.test("answers: records of the asked type owned by the name, canonical, with their TTL", () => {
  const meaning = readReply(
    accepted(reply({
      answers: [
        { type: "A", name: "www.example", ttl: 60, data: "198.51.100.1" },
        { type: "A", name: "other.example", ttl: 60, data: "198.51.100.2" },
        { type: "AAAA", name: "www.example", ttl: 60, data: "2001:db8::1" },
        { type: "A", name: "WWW.EXAMPLE", ttl: 0x80000000, data: "198.51.100.3" },
        { type: "A", name: "www.example", ttl: 60, class: "CH", data: "198.51.100.4" },
      ],
    })),
    "www.example",
    "A",
  );
  assert.deepEqual(meaning, {
    kind: "addresses",
    addresses: [{ address: "198.51.100.1", ttl: 60 }, { address: "198.51.100.3", ttl: 0 }],
  });
});

Deno.test("RCODEs: NXDOMAIN, NODATA and server failures", () => {
  assert.deepEqual(readReply(accepted(reply({ rcode: 3 })), "www.example", "A"), {
    kind: "nxdomain",
  });
  assert.deepEqual(readReply(accepted(reply({})), "www.example", "A"), { kind: "nodata" });
  for (const [rcode, name] of [[1, "FORMERR"], [2, "SERVFAIL"], [4, "NOTIMP"], [5, "REFUSED"]]) {
    assert.deepEqual(readReply(accepted(reply({ rcode: rcode as number })), "www.example", "A"), {
      kind: "failure",
      rcode: name,
    });
  }
});

Deno.test("CNAMEs: a chain is followed in the answer, a dangling one is to be asked, a loop is bad", () => {
  const chain = accepted(reply({
    answers: [
      { type: "CNAME", name: "www.example", ttl: 100, data: "a.example" },
      { type: "CNAME", name: "a.example", ttl: 50, data: "b.example" },
    ],
  }));
  assert.deepEqual(readReply(chain, "www.example", "A"), {
    kind: "cname",
    target: "b.example",
    ttl: 50,
  });
  const loop = accepted(reply({
    answers: [
      { type: "CNAME", name: "www.example", ttl: 100, data: "a.example" },
      { type: "CNAME", name: "a.example", ttl: 50, data: "WWW.example" },
    ],
  }));
  assert.equal(readReply(loop, "www.example", "A").kind, "bad-chain");
});

Deno.test("a CNAME chain inside one answer ends at 16 links, and a target that is no DNS name is bad", () => {
  const chain = (links: number) =>
    Array.from({ length: links }, (_, i) => ({
      type: "CNAME" as const,
      name: i === 0 ? "www.example" : `c${i}.example`,
      ttl: 60,
      data: `c${i + 1}.example`,
    }));
  const a = (name: string) => ({ type: "A" as const, name, ttl: 60, data: "198.51.100.80" });
  const ok = readReply(
    accepted(reply({ answers: [...chain(MAX_CHAIN), a(`c${MAX_CHAIN}.example`)] })),
    "www.example",
    "A",
  );
  assert.equal(ok.kind, "addresses");
  const long = readReply(
    accepted(reply({ answers: [...chain(MAX_CHAIN + 1), a(`c${MAX_CHAIN + 1}.example`)] })),
    "www.example",
    "A",
  );
  assert.deepEqual(long, { kind: "bad-chain", problem: "CNAME chain of over 16 in one answer" });
  const bad = readReply(
    accepted(reply({
      answers: [
        { type: "CNAME", name: "www.example", ttl: 60, data: "a\u007fb.example" },
        a("a\u007fb.example"),
      ],
    })),
    "www.example",
    "A",
  );
  assert.deepEqual(bad, {
    kind: "bad-chain",
    problem: 'CNAME target "a\u007fb.example" contains a control character',
  });
});
