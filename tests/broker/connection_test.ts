import assert from "node:assert/strict";
import {
  address,
  brief,
  drain,
  element,
  next,
  nic,
  openManual,
  pd,
  until,
  workerOf,
} from "../fixtures/helpers.ts";
import { FullListener, TcpPeer } from "../fixtures/tcp_peer.ts";
import {
  type ApiMessage,
  type Connected,
  ConnectionError,
  type MifOptions,
  type Snapshot,
  type Subscriber,
} from "../../mod.ts";

const TEST_WORKER = new URL("../fixtures/test_worker.ts", import.meta.url);

/**
 * eth0 with an IPv4 PD on 127.0.0.2 and 127.0.0.3; wlan0 with one on
 * 127.0.0.4. Both have a DNS server, so that their translations reach
 * their workers (a PD without one is served without a worker).
 */
function loopbackLinks(extra: ReturnType<typeof address>[] = []): Snapshot {
  const dns = [element("dhcpv4", { "dns-servers": ["127.0.0.53"] })];
  const eth0 = [address("127.0.0.2", 8), address("127.0.0.3", 8), ...extra];
  return {
    interfaces: [
      nic("eth0", [pd("eth0/ipv4", eth0, dns)]),
      nic("wlan0", [pd("wlan0/ipv4", [address("127.0.0.4", 8)], dns)]),
    ],
  };
}

async function open(snapshot = loopbackLinks(), options: MifOptions = {}) {
  return await openManual(snapshot, { workerPermissions: "net", hostsFile: null, ...options });
}

async function connect(
  sub: Subscriber,
  pdId: string,
  port: number,
  extra: Record<string, unknown> = {},
): Promise<ApiMessage> {
  sub.post({
    type: "connect-to-address",
    pdId,
    address: "127.0.0.1",
    port,
    connectionId: `c-${pdId}-${port}`,
    ...extra,
  });
  return await next(sub, 10_000);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

async function readSome(conn: Deno.TcpConn, bytes: number): Promise<string> {
  const buffer = new Uint8Array(bytes);
  let got = 0;
  while (got < bytes) {
    const n = await conn.read(buffer.subarray(got));
    if (n === null) break;
    got += n;
  }
  return new TextDecoder().decode(buffer.subarray(0, got));
}

Deno.test("connect-to-address connects from the PD's source address and the token's Connection carries bytes both ways", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "wlan0/ipv4", peer.port);
  assert.equal(m.type, "connected", JSON.stringify(m));
  const connected = m as Connected;
  assert.equal(connected.source, "127.0.0.4");
  assert.equal(connected.address, "127.0.0.1");
  const { remote, conn: server } = await peer.accept();
  assert.equal(remote.hostname, "127.0.0.4", "the peer sees the PD's address");
  assert.equal(remote.port, connected.sourcePort);

  const connection = sub.connection(connected.token);
  assert.equal(connection.pdId, "wlan0/ipv4");
  assert.deepEqual(connection.localAddress, { address: "127.0.0.4", port: connected.sourcePort });
  assert.deepEqual(connection.remoteAddress, { address: "127.0.0.1", port: peer.port });
  const writer = connection.writable.getWriter();
  await writer.write(new TextEncoder().encode("hello"));
  assert.equal(await readSome(server, 5), "hello");
  await server.write(new TextEncoder().encode("world"));
  await writer.close(); // FIN to the peer; reading stays possible.
  assert.equal(await readSome(server, 100), "", "the peer sees the end");
  server.close();
  assert.equal(await readAll(connection.readable), "world");
  assert.equal(await connection.closed, undefined);
  assert.throws(() => sub.connection(connected.token), Deno.errors.NotFound);
  assert.equal(mif.status().subscribers[0].connections, 0);
});

Deno.test("connect-to-address-from-address uses the given source, and refuses one outside the PD with source-not-in-pd", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const post = (source: string, connectionId: string) =>
    sub.post({
      type: "connect-to-address-from-address",
      pdId: "eth0/ipv4",
      source,
      address: "127.0.0.1",
      port: peer.port,
      connectionId,
    });
  post("127.0.0.3", "mine");
  const ok = await next(sub) as Connected;
  assert.equal(ok.type, "connected");
  assert.equal(ok.source, "127.0.0.3");
  assert.equal((await peer.accept()).remote.hostname, "127.0.0.3");
  post("127.0.0.4", "theirs"); // wlan0/ipv4's address.
  const refused = await next(sub);
  assert.equal(refused.type, "not-connected");
  assert.equal(refused.type === "not-connected" && refused.reason, "source-not-in-pd");
  await sub.connection(ok.token).close();
});

Deno.test("connect-to-address-from-address with a source and destination of different families is refused with an error", async () => {
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "connect-to-address-from-address",
    pdId: "eth0/ipv4",
    source: "127.0.0.2",
    address: "::1",
    port: 80,
    connectionId: "mixed",
  });
  const [m] = drain(sub);
  assert.equal(m.type, "error");
  assert.equal(m.type === "error" && m.reason, "invalid-message");
  assert.equal(m.type === "error" && m.connectionId, "mixed");
});

Deno.test("connect-to-address to a port nobody listens on answers not-connected refused", async () => {
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  const m = await connect(sub, "eth0/ipv4", port);
  assert.equal(m.type, "not-connected");
  assert.equal(m.type === "not-connected" && m.reason, "refused");
});

Deno.test("connect-to-address without a source of the destination's family answers no-source-address", async () => {
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv4",
    address: "::1",
    port: 80,
    connectionId: "v6",
  });
  const m = await next(sub);
  assert.equal(m.type, "not-connected");
  assert.equal(m.type === "not-connected" && m.reason, "no-source-address");
  assert.match(m.type === "not-connected" && m.detail || "", /no address of ::1's family/);
});

Deno.test("connect-to-address skips a deprecated source address (preferred lifetime 0)", async () => {
  await using peer = new TcpPeer();
  const now = Date.now();
  const snapshot: Snapshot = {
    interfaces: [nic("eth0", [
      pd("eth0/ipv4", [
        address("127.0.0.2", 8, now + 60_000, now - 1), // deprecated
        address("127.0.0.3", 8),
      ]),
    ])],
  };
  const { mif } = await open(snapshot);
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  assert.equal(m.source, "127.0.0.3");
  assert.equal((await peer.accept()).remote.hostname, "127.0.0.3");
  await sub.connection(m.token).close();
});

Deno.test("a connection attempt that gets no answer ends not-connected timeout after the request's timeout", async () => {
  await using full = await FullListener.open();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", full.port, { timeout: 300 });
  assert.equal(m.type, "not-connected");
  assert.equal(m.type === "not-connected" && m.reason, "timeout");
});

Deno.test("stop-connecting answers not-connected cancelled at once and abandons the attempt", async () => {
  await using full = await FullListener.open();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv4",
    address: "127.0.0.1",
    port: full.port,
    connectionId: "hangs",
  });
  sub.post({ type: "stop-connecting", connectionId: "hangs" });
  assert.deepEqual(brief(drain(sub)), ["not-connected eth0/ipv4 cancelled hangs"]);
  await until(() => workerOf(mif, "eth0/ipv4").inFlight === 0); // The worker let go of the attempt.
  assert.equal((await sub.check({ timeout: 100 })).ready, false, "nothing more arrives");
  sub.post({ type: "stop-connecting", connectionId: "hangs" });
  const [again] = drain(sub);
  assert.equal(again.type === "error" && again.reason, "unknown-connection");
});

Deno.test("a connection that completes after its stop-connecting is closed and never reaches the subscriber", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open(loopbackLinks(), { workerUrl: TEST_WORKER });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv4",
    address: "127.0.0.1",
    port: peer.port,
    connectionId: "ignores-cancel",
  });
  sub.post({ type: "stop-connecting", connectionId: "ignores-cancel" });
  assert.deepEqual(brief(drain(sub)), ["not-connected eth0/ipv4 cancelled ignores-cancel"]);
  const { conn } = await peer.accept();
  assert.equal(await readSome(conn, 1), "", "the peer sees the late connection closed");
  conn.close();
  assert.equal((await sub.check({ timeout: 100 })).ready, false);
  assert.equal(workerOf(mif, "eth0/ipv4").connections, 0);
  assert.equal(mif.status().subscribers[0].connections, 0);
});

Deno.test("check() reports a connection readable while bytes wait, and not once they are read", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  const connection = sub.connection(m.token);
  assert.deepEqual(await sub.check({ timeout: 0 }), {
    ready: false,
    messages: 0,
    connections: [],
    closed: false,
  });
  await conn.write(new TextEncoder().encode("ping"));
  const ready = await sub.check({ timeout: 5000 });
  assert.deepEqual(ready.connections, [m.token]);
  const reader = connection.readable.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "ping");
  assert.deepEqual((await sub.check({ timeout: 0 })).connections, []);
  reader.releaseLock();
  conn.close();
  await connection.close();
});

/** Byte i of a patterned stream: 251 is prime, so no batch or read size lines up with it. */
function pattern(from: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (from + i) % 251);
}

/** Where `chunk`, starting at stream offset `at`, first differs from the pattern, or -1. */
function mismatch(chunk: Uint8Array, at: number): number {
  return chunk.findIndex((b, i) => b !== (at + i) % 251);
}

Deno.test("bytes keep their order both ways across batches: tiny and large writes mixed, reads of every size", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  const connection = sub.connection(m.token);
  // Upstream: 3000 writes of 1-97 bytes, then writes of 3 MiB + 5 (several batches each).
  const sizes = [...Array.from({ length: 3000 }, (_, i) => 1 + (i * 37) % 97), 3 * 1024 * 1024 + 5];
  sizes.push(sizes.at(-1)!, sizes.at(-1)!);
  const upTotal = sizes.reduce((a, b) => a + b, 0);
  const writing = (async () => {
    const writer = connection.writable.getWriter();
    let at = 0;
    for (const size of sizes) {
      await writer.write(pattern(at, size));
      at += size;
    }
    await writer.close();
  })();
  // Downstream: the peer writes 9 MiB in pieces of 1 byte to 300 KiB while it also reads.
  const downTotal = 9 * 1024 * 1024;
  const sending = (async () => {
    for (let at = 0, i = 0; at < downTotal; i++) {
      const piece = pattern(
        at,
        Math.min(downTotal - at, i % 7 === 0 ? 1 : (i * 7919) % (300 * 1024)),
      );
      for (let n = 0; n < piece.length;) n += await conn.write(piece.subarray(n));
      at += piece.length;
    }
    await conn.closeWrite();
  })();
  let upAt = 0;
  const receiving = (async () => {
    const buffer = new Uint8Array(100_000);
    for (let n; (n = await conn.read(buffer)) !== null; upAt += n) {
      const bad = mismatch(buffer.subarray(0, n), upAt);
      assert.equal(bad, -1, `upstream byte ${upAt + bad} is out of order`);
    }
  })();
  let downAt = 0;
  for await (const chunk of connection.readable) {
    const bad = mismatch(chunk, downAt);
    assert.equal(bad, -1, `downstream byte ${downAt + bad} is out of order`);
    downAt += chunk.byteLength;
  }
  await Promise.all([writing, sending, receiving]);
  conn.close();
  assert.equal(downAt, downTotal);
  assert.equal(upAt, upTotal);
});

Deno.test("a slow reader holds the peer back: the worker buffers at most a window, and every byte still arrives", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  const total = 64 * 1024 * 1024;
  let sent = 0;
  const sending = (async () => {
    const block = new Uint8Array(256 * 1024).fill(7);
    while (sent < total) {
      sent += await conn.write(block.subarray(0, Math.min(block.length, total - sent)));
    }
    conn.close();
  })();
  await new Promise((r) => setTimeout(r, 700)); // Nobody reads meanwhile.
  const stalled = sent;
  // Kernel socket buffers on both ends plus the 4 MiB window: several MiB, far below 64.
  assert.ok(stalled < 24 * 1024 * 1024, `the peer wrote ${stalled} bytes while nobody read`);
  let received = 0;
  for await (const chunk of sub.connection(m.token).readable) {
    received += chunk.byteLength;
    assert.ok(chunk.every((b) => b === 7));
  }
  await sending;
  assert.equal(received, total);
});

Deno.test("a peer that does not read holds the writer back: writes wait once a window is in flight", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  const connection = sub.connection(m.token);
  const writer = connection.writable.getWriter();
  const block = new Uint8Array(128 * 1024);
  let accepted = 0;
  const writing = (async () => {
    for (let i = 0; i < 512; i++) { // 64 MiB, if nothing held it back
      await writer.write(block);
      accepted += block.length;
    }
  })();
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(
    accepted < 24 * 1024 * 1024,
    `${accepted} bytes were accepted by a peer that reads nothing`,
  );
  await connection.close();
  await assert.rejects(writing, Deno.errors.BadResource);
  conn.close();
});

Deno.test("a connection errors with reason pd-gone when its PD is withdrawn, and its socket is closed", async () => {
  await using peer = new TcpPeer();
  const { mif, platform } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  const connection = sub.connection(m.token);
  const reading = connection.readable.getReader().read();
  platform.snapshot({ interfaces: [loopbackLinks().interfaces[1]] }); // eth0 is gone
  await assert.rejects(
    reading,
    (e: unknown) => e instanceof ConnectionError && e.reason === "pd-gone",
  );
  const error = await connection.closed;
  assert.equal(error?.reason, "pd-gone");
  assert.equal(await readSome(conn, 1), "", "the peer sees the socket closed");
  conn.close();
});

Deno.test("a PD worker with an open connection outlives its idle timeout", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open(loopbackLinks(), { workerIdleTimeout: 20 });
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(workerOf(mif, "eth0/ipv4").state, "running");
  assert.equal(workerOf(mif, "eth0/ipv4").connections, 1);
  await conn.write(new TextEncoder().encode("still here"));
  const reader = sub.connection(m.token).readable.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "still here");
  reader.releaseLock();
  await sub.connection(m.token).close();
  conn.close();
  await until(() => workerOf(mif, "eth0/ipv4").state === "stopped"); // Idle again once closed.
});

Deno.test("closing the subscriber closes its connections", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  const connection = sub.connection(m.token);
  await sub.close();
  assert.equal(await connection.closed, undefined);
  assert.equal(await readSome(conn, 1), "");
  conn.close();
});

Deno.test("a PD worker crash fails its open connections with worker-crashed", async () => {
  await using peer = new TcpPeer();
  const { mif } = await open(loopbackLinks(), { workerUrl: TEST_WORKER });
  await using _ = mif;
  const sub = mif.subscribe();
  const m = await connect(sub, "eth0/ipv4", peer.port) as Connected;
  const { conn } = await peer.accept();
  const connection = sub.connection(m.token);
  sub.post({
    type: "translate-name",
    pdId: "eth0/ipv4",
    name: "crash.example",
    translationId: "t",
  });
  assert.equal((await connection.closed)?.reason, "worker-crashed");
  await assert.rejects(
    connection.readable.getReader().read(),
    (e: unknown) => e instanceof ConnectionError && e.reason === "worker-crashed",
  );
  assert.equal(await readSome(conn, 1), "");
  conn.close();
});

Deno.test("connection(token) refuses a token that is not a string or not open", async () => {
  const { mif } = await open();
  await using _ = mif;
  const sub = mif.subscribe();
  assert.throws(() => sub.connection(42 as unknown as string), TypeError);
  assert.throws(() => sub.connection("nope"), Deno.errors.NotFound);
});

Deno.test("a PD with no default router (a stub router's) answers unreachable at once for a destination outside its prefixes", async () => {
  const stub = pd("eth0/ipv6/fe80::d2", [address("::1", 128)], [
    element("ra", {
      routers: ["fe80::d2"],
      "default-router": false,
      "router-lifetime": 0,
      prefixes: [{ prefix: "::1/128", "on-link": true }],
    }),
  ]);
  const { mif } = await open({ interfaces: [nic("eth0", [stub])] });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv6/fe80::d2",
    address: "2001:db8:10::80",
    port: 80,
    connectionId: "off-link",
  });
  const m = await next(sub);
  assert(m.type === "not-connected" && m.reason === "unreachable", JSON.stringify(m));
  assert.match(
    m.detail ?? "",
    /has no default router, and 2001:db8:10::80 is in none of its prefixes and routes \(::1\/128\)/,
  );
  await using peer = new TcpPeer("::1");
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv6/fe80::d2",
    address: "::1",
    port: peer.port,
    connectionId: "on-link",
  });
  const on = await next(sub);
  assert.equal(on.type, "connected", JSON.stringify(on));
  if (on.type === "connected") await sub.connection(on.token).close();
});
