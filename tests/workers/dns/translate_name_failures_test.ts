/**
 * translateName when things go wrong, over real loopback sockets: invalid
 * names, NXDOMAIN, server failures, timeouts, rotation, forged replies,
 * unusable servers and sources, CNAME loops and cancellation. The test
 * sanitizers (on) check that no socket or timer outlives a translation.
 */

import assert from "node:assert/strict";
import { translateName, type TranslationEvent } from "../../../workers/dns/translate_name.ts";
import { SPOOFED_ADDRESSES, TestDnsServer } from "../../fixtures/dns_server.ts";
import { pd, test, translate } from "../../fixtures/dns_targets.ts";

/** The one done event, after asserting that it is the only event. */
function onlyDone(events: TranslationEvent[]) {
  assert.equal(events.length, 1, JSON.stringify(events));
  const [done] = events;
  assert.equal(done.type, "done");
  return done as Extract<TranslationEvent, { type: "done" }>;
}

test("invalid names end with invalid-name and no query is sent", async () => {
  await using dns = await TestDnsServer.start();
  const names = [
    "",
    ".",
    `${"a".repeat(64)}.example`,
    `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, // 254 octets
    "a..b",
    "bad name!",
    "tab\there.example",
    "nul\u0000.example",
    "-lead.example",
    "xn--zz.example",
  ];
  for (const name of names) {
    const done = onlyDone(await translate(name, undefined, pd([dns.server])));
    assert.equal(done.reason, "invalid-name", name);
    assert.ok(
      done.detail?.startsWith(`Cannot translate name: ${JSON.stringify(name)} `),
      String(done.detail),
    );
  }
  assert.equal(dns.queries.length, 0);
  // 253 octets, and a trailing dot, are fine.
  const longest = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}.`;
  dns.set(longest, { a: ["198.51.100.253"] });
  const events = await translate(longest, "ipv4", pd([dns.server]));
  assert.equal(events[0].type === "address" && events[0].address, "198.51.100.253");
});

test("NXDOMAIN ends the translation and no other server is asked", async () => {
  await using first = await TestDnsServer.start({ address: "127.0.0.12" });
  await using second = await TestDnsServer.start({
    address: "127.0.0.13",
    names: { "nope.example": { a: ["198.51.100.1"] } },
  });
  const done = onlyDone(
    await translate("nope.example", undefined, pd([first.server, second.server])),
  );
  assert.equal(done.reason, "nxdomain");
  assert.match(done.detail ?? "", /^Cannot translate name: .*NXDOMAIN from 127\.0\.0\.12:/);
  assert.equal(first.queries.length, 2);
  assert.equal(second.queries.length, 0);
});

test("SERVFAIL from one server and REFUSED from the next end in servfail, each asked once", async () => {
  await using first = await TestDnsServer.start({
    address: "127.0.0.12",
    names: { "broken.example": { rcode: "SERVFAIL" } },
  });
  await using second = await TestDnsServer.start({
    address: "127.0.0.13",
    names: { "broken.example": { rcode: "REFUSED" } },
  });
  const done = onlyDone(
    await translate("broken.example", "ipv4", pd([first.server, second.server])),
  );
  assert.equal(done.reason, "servfail");
  assert.match(done.detail ?? "", /SERVFAIL.*REFUSED/);
  assert.equal(first.queries.length, 1);
  assert.equal(second.queries.length, 1);
});

test("a silent server ends in timeout after every attempt", async () => {
  await using dns = await TestDnsServer.start({ names: { "quiet.example": { silent: true } } });
  const done = onlyDone(
    await translate("quiet.example", "ipv4", pd([dns.server], undefined, { timeout: 150 })),
  );
  assert.equal(done.reason, "timeout");
  assert.match(done.detail ?? "", /did not answer 2 queries within 150 ms/);
  assert.equal(dns.queries.length, 2);
});

test("servers are asked in turn: the first silent, the second answers", async () => {
  await using first = await TestDnsServer.start({
    address: "127.0.0.12",
    names: { "www.example": { silent: true } },
  });
  await using second = await TestDnsServer.start({
    address: "127.0.0.13",
    names: { "www.example": { a: ["198.51.100.80"] } },
  });
  const target = pd([first.server, second.server], undefined, { timeout: 400 });
  const events = await translate("www.example", "ipv4", target);
  assert.deepEqual(events, [
    {
      type: "address",
      address: "198.51.100.80",
      ttl: 300,
      server: second.server,
      name: "www.example",
    },
    { type: "done" },
  ]);
  assert.equal(first.queries.length, 1);
  assert.equal(second.queries.length, 1);
});

test("rotation goes round the servers `attempts` times: 1, 2, 1, 2", async () => {
  await using first = await TestDnsServer.start({
    address: "127.0.0.12",
    names: { "quiet.example": { silent: true } },
  });
  await using second = await TestDnsServer.start({
    address: "127.0.0.13",
    names: { "quiet.example": { silent: true } },
  });
  const target = pd([first.server, second.server], undefined, { timeout: 100, attempts: 2 });
  const done = onlyDone(await translate("quiet.example", "ipv4", target));
  assert.equal(done.reason, "timeout");
  assert.equal(first.queries.length, 2);
  assert.equal(second.queries.length, 2);
});

test("forged replies (wrong port, wrong ID, wrong question, QR clear, malformed) are dropped and the real answer accepted", async () => {
  await using dns = await TestDnsServer.start({
    names: { "bank.example": { a: ["198.51.100.50"], aaaa: ["2001:db8::50"], spoof: true } },
  });
  const events = await translate("bank.example", undefined, pd([dns.server]));
  const addresses = events.flatMap((e) => e.type === "address" ? [e.address] : []);
  assert.deepEqual(addresses.sort(), ["198.51.100.50", "2001:db8::50"]);
  assert.ok(addresses.every((a) => !SPOOFED_ADDRESSES.includes(a)));
  assert.deepEqual(events.at(-1), { type: "done" });
  assert.equal(dns.queries.length, 2);
});

test("a CNAME loop ends in servfail, within one answer or across queries", async () => {
  await using dns = await TestDnsServer.start({
    names: {
      "ping.example": { cname: "pong.example" },
      "pong.example": { cname: "ping.example" },
      "one.example": { cname: "two.example", chase: false },
      "two.example": { cname: "one.example", chase: false },
    },
  });
  const inline = onlyDone(await translate("ping.example", "ipv4", pd([dns.server])));
  assert.equal(inline.reason, "servfail");
  assert.match(inline.detail ?? "", /CNAME loop/);
  const requeried = onlyDone(await translate("one.example", "ipv4", pd([dns.server])));
  assert.equal(requeried.reason, "servfail");
  assert.match(requeried.detail ?? "", /CNAME loop/);
});

test("a CNAME chain of more than 8 queries ends in servfail", async () => {
  await using dns = await TestDnsServer.start();
  for (let i = 0; i < 12; i++) {
    dns.set(`c${i}.example`, { cname: `c${i + 1}.example`, chase: false });
  }
  const done = onlyDone(await translate("c0.example", "ipv4", pd([dns.server])));
  assert.equal(done.reason, "servfail");
  assert.match(done.detail ?? "", /longer than 8/);
  assert.equal(dns.queries.length, 9);
});

test("no-dns-servers: none configured, none parseable, none of a family the PD has", async () => {
  const none = onlyDone(await translate("www.example", undefined, pd([])));
  assert.equal(none.reason, "no-dns-servers");
  assert.match(none.detail ?? "", /the PD has no DNS servers/);
  const garbage = onlyDone(await translate("www.example", undefined, pd(["dns.example", "1.2.3"])));
  assert.equal(garbage.reason, "no-dns-servers");
  assert.match(garbage.detail ?? "", /"dns\.example" \(not a server address\)/);
  const v6 = onlyDone(await translate("www.example", undefined, pd(["2001:db8::53"])));
  assert.equal(v6.reason, "no-dns-servers");
  assert.match(v6.detail ?? "", /2001:db8::53 \(the PD has no IPv6 address\)/);
});

test("a PD source address this host does not have makes the server unreachable", async () => {
  await using dns = await TestDnsServer.start({
    names: { "www.example": { a: ["198.51.100.80"] } },
  });
  const done = onlyDone(
    await translate("www.example", undefined, pd([dns.server], ["198.51.100.7"])),
  );
  assert.equal(done.reason, "unreachable");
  assert.match(done.detail ?? "", /unreachable from 198\.51\.100\.7 over udp \(bind EADDRNOTAVAIL/);
  assert.equal(dns.queries.length, 0);
});

test("aborting mid-query emits nothing more and leaves no socket or timer behind", async () => {
  await using dns = await TestDnsServer.start({
    names: { "hold.example": { silent: true } },
  });
  const controller = new AbortController();
  const events: TranslationEvent[] = [];
  const running = translateName(
    "hold.example",
    undefined,
    pd([dns.server], undefined, { timeout: 5000 }),
    (e) => events.push(e),
    controller.signal,
  );
  await dns.waitForQueries(2);
  controller.abort();
  await running;
  assert.deepEqual(events, []);
});

test("aborting after the first answer stops the other type and sends no done", async () => {
  await using dns = await TestDnsServer.start({
    names: {
      "half.example": { a: ["198.51.100.1"], aaaa: ["2001:db8::1"], delay: { AAAA: 5000 } },
    },
  });
  const controller = new AbortController();
  const events: TranslationEvent[] = [];
  await translateName("half.example", undefined, pd([dns.server]), (e) => {
    events.push(e);
    controller.abort();
  }, controller.signal);
  assert.deepEqual(events, [
    {
      type: "address",
      address: "198.51.100.1",
      ttl: 300,
      server: dns.server,
      name: "half.example",
    },
  ]);
});
