import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="@types/dns-packet"
import dnsPacket from "dns-packet";
import { buildQuery, checkReply, type DnsReply } from "../workers/dns/dns_message.ts";
import { readReply } from "../workers/dns/dns_answer.ts";

const QUESTION = { type: "A" as const, name: "www.example", class: "IN" as const };

function reply(packet: dnsPacket.Packet & { rcode?: number }): Uint8Array {
  const { rcode = 0, ...rest } = packet;
  return dnsPacket.encode({
    type: "response",
    id: 0x1234,
    questions: [QUESTION],
    ...rest,
    flags: (rest.flags ?? dnsPacket.RECURSION_DESIRED) | rcode,
  });
}

function accepted(bytes: Uint8Array): DnsReply {
  const check = checkReply(buildQuery("www.example", "A", 0x1234), bytes);
  assert.ok(check.ok, check.ok ? "" : check.problem);
  return check.reply;
}

Deno.test("a query is a standard query with RD, one IN question and the given ID", () => {
  const query = dnsPacket.decode(Buffer.from(buildQuery("www.example", "AAAA", 4660)));
  assert.equal(query.id, 4660);
  assert.equal(query.flag_qr, false);
  assert.equal(query.flag_rd, true);
  assert.deepEqual(query.questions, [{ name: "www.example", type: "AAAA", class: "IN" }]);
  assert.throws(() => buildQuery("www.example", "A", 65536), RangeError);
});

Deno.test("a reply with the same ID and question is accepted, the question's case aside", () => {
  accepted(reply({}));
  accepted(reply({ questions: [{ ...QUESTION, name: "WWW.Example" }] }));
});

Deno.test("replies that are not the reply are refused with why", () => {
  const query = buildQuery("www.example", "A", 0x1234);
  const cases: [Uint8Array, RegExp][] = [
    [reply({ id: 0x1235 }), /ID is 4661, not 4660/],
    [reply({ type: "query" }), /not a response/],
    [reply({ questions: [{ ...QUESTION, name: "www.example.org" }] }), /question/],
    [reply({ questions: [{ ...QUESTION, type: "AAAA" }] }), /question/],
    [reply({ questions: [{ ...QUESTION, class: "CH" }] }), /question/],
    [reply({ questions: [] }), /question/],
    [reply({ questions: [QUESTION, QUESTION] }), /question/],
    [reply({}).subarray(0, 11), /malformed/],
    [
      reply({ answers: [{ type: "A", name: "www.example", data: "198.51.100.1" }] }).subarray(
        0,
        40,
      ),
      /malformed/,
    ],
    [new Uint8Array([...reply({}), 0]), /malformed/],
  ];
  for (const [bytes, problem] of cases) {
    const check = checkReply(query, bytes);
    assert.ok(!check.ok);
    assert.match(check.problem, problem);
  }
});

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
