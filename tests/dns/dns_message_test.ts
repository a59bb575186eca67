import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="npm:@types/dns-packet@5.6.5"
import dnsPacket from "npm:dns-packet@5.6.1";
import { buildQuery, checkReply } from "../../dns/dns_message.ts";
import { accepted, QUESTION, reply } from "../fixtures/dns_replies.ts";

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

/** A reply to www.example A, built octet by octet: header, question, then `records`. */
function raw(records: number[][], ancount = records.length): Uint8Array {
  const query = buildQuery("www.example", "A", 0x1234);
  const header = [0x12, 0x34, 0x81, 0x80, 0, 1, ancount >> 8, ancount & 0xff, 0, 0, 0, 0];
  return new Uint8Array([...header, ...query.subarray(12), ...records.flat()]);
}

/** An A record owned by the question's name (a pointer to offset 12). */
function aRecord(rdlength: number, data: number[]): number[] {
  return [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, rdlength >> 8, rdlength & 0xff, ...data];
}

Deno.test("a record whose RDLENGTH does not hold its data is malformed, however dns-packet reads it", () => {
  accepted(raw([aRecord(4, [198, 51, 100, 80])]));
  for (
    const [rdlength, data] of [[0x400, [203, 0, 113, 66]], [5, [203, 0, 113, 66, 0]], [3, [
      1,
      2,
      3,
    ]]] as const
  ) {
    const check = checkReply(
      buildQuery("www.example", "A", 0x1234),
      raw([aRecord(rdlength, [...data])]),
    );
    assert(!check.ok);
    assert.match(check.problem, /^it is malformed \(record 1/);
  }
});

Deno.test("names that loop or chain compression pointers across the message are malformed, and dropped without decoding them", () => {
  // A CNAME whose target points at itself.
  const self = [0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 0];
  const bytes = raw([self]);
  bytes[bytes.length - 1] = bytes.length - 2; // the pointer's own offset
  const loop = checkReply(buildQuery("www.example", "A", 0x1234), bytes);
  assert(!loop.ok && /malformed/.test(loop.problem), loop.ok ? "" : loop.problem);
  // 4,000 records whose owners each point at the previous owner: 8 M pointer hops to decode.
  const records: number[][] = [];
  let previous = 12;
  let offset = raw([]).length;
  for (let i = 0; i < 4000; i++) {
    records.push([
      0xc0 | (previous >> 8),
      previous & 0xff,
      0,
      1,
      0,
      1,
      0,
      0,
      0,
      60,
      0,
      4,
      198,
      51,
      100,
      80,
    ]);
    previous = offset;
    offset += 16;
  }
  const chain = checkReply(buildQuery("www.example", "A", 0x1234), raw(records));
  assert(!chain.ok);
  assert.match(chain.problem, /^it is malformed \(record 128's owner name is malformed\)/);
});
