/** The UDP and TCP exchanges against the test server, on loopback. */

import assert from "node:assert/strict";
import { buildQuery } from "../../../dns/dns_message.ts";
import type { ExchangePath } from "../../../workers/dns/exchange_types.ts";
import { tcpExchange } from "../../../workers/dns/tcp_exchange.ts";
import { udpExchange } from "../../../workers/dns/udp_exchange.ts";
import { TestDnsServer } from "../../fixtures/dns_server.ts";

/**
 * Deno 2.9 runs tests without the ops and resources sanitizers unless asked;
 * these tests exist to show that no socket or timer outlives a translation.
 */
function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

const never = () => new AbortController().signal;

function path(dns: TestDnsServer, source = "127.0.0.2", timeout = 1000): ExchangePath {
  return { host: dns.address, port: dns.port, family: "ipv4", source, timeout };
}

test("UDP: six forged replies are dropped, then the real reply is accepted", async () => {
  await using dns = await TestDnsServer.start({
    names: { "bank.example": { a: ["198.51.100.50"], spoof: true } },
  });
  const outcome = await udpExchange(path(dns), buildQuery("bank.example", "A", 0x4242), never());
  assert.equal(outcome.kind, "reply");
  assert.ok(outcome.kind === "reply");
  assert.equal(outcome.dropped, 6);
  assert.equal(outcome.reply.id, 0x4242);
  assert.deepEqual(outcome.reply.answers?.map((a) => a.type === "A" && a.data), ["198.51.100.50"]);
  assert.deepEqual(dns.queries.map((q) => [q.address, q.id]), [["127.0.0.2", 0x4242]]);
});

test("UDP: no reply within the timeout is a timeout", async () => {
  await using dns = await TestDnsServer.start({ names: { "quiet.example": { silent: true } } });
  const outcome = await udpExchange(
    path(dns, "127.0.0.2", 100),
    buildQuery("quiet.example", "A", 1),
    never(),
  );
  assert.deepEqual(outcome, { kind: "timeout", dropped: 0 });
});

test("UDP: binding an address the host does not have fails with EADDRNOTAVAIL", async () => {
  await using dns = await TestDnsServer.start();
  const outcome = await udpExchange(
    path(dns, "198.51.100.7"),
    buildQuery("www.example", "A", 1),
    never(),
  );
  assert.equal(outcome.kind, "failed");
  assert.ok(outcome.kind === "failed");
  assert.equal((outcome.error as { code?: string }).code, "EADDRNOTAVAIL");
});

test("TCP: the full answer comes over a connection from the source address", async () => {
  await using dns = await TestDnsServer.start({
    names: { "big.example": { a: ["198.51.100.10", "198.51.100.11"], truncate: true } },
  });
  const outcome = await tcpExchange(
    path(dns, "127.0.0.5"),
    buildQuery("big.example", "A", 77),
    never(),
  );
  assert.ok(outcome.kind === "reply");
  assert.equal(outcome.reply.flag_tc, false);
  assert.equal(outcome.reply.answers?.length, 2);
  assert.deepEqual(dns.queries.map((q) => [q.transport, q.address, q.id]), [[
    "tcp",
    "127.0.0.5",
    77,
  ]]);
});

test("TCP: a closed port is a failure, a silent server a timeout, an abort a cancel", async () => {
  await using dns = await TestDnsServer.start({ names: { "quiet.example": { silent: true } } });
  const closed: ExchangePath = { ...path(dns), port: 1 };
  const refused = await tcpExchange(closed, buildQuery("quiet.example", "A", 1), never());
  assert.ok(refused.kind === "failed");
  assert.equal((refused.error as { code?: string }).code, "ECONNREFUSED");
  const quiet = await tcpExchange(
    path(dns, "127.0.0.2", 100),
    buildQuery("quiet.example", "A", 1),
    never(),
  );
  assert.deepEqual(quiet, { kind: "timeout", dropped: 0 });
  const controller = new AbortController();
  const running = tcpExchange(path(dns), buildQuery("quiet.example", "A", 2), controller.signal);
  await dns.waitForQueries(2);
  controller.abort();
  assert.deepEqual(await running, { kind: "cancelled" });
});
