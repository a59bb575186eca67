/**
 * The loopback SOCKS5 proxy fetch() hands Deno's HTTP client: only a
 * client with the route's secret, asking for the route's origin, gets a
 * tunnel; the first tunnel is the raced connection, later ones are opened.
 */

import assert from "node:assert/strict";
import type { Connection, ConnectionError } from "../../mod.ts";
import { TunnelProxy } from "../../fetch/tunnel_proxy.ts";

/** A Connection whose peer is the test: what the proxy writes comes out of `sent`. */
function fakeConnection(name: string) {
  const toPeer = new TransformStream<Uint8Array, Uint8Array>();
  const fromPeer = new TransformStream<Uint8Array, Uint8Array>();
  let resolveClosed!: (e: ConnectionError | undefined) => void;
  const connection: Connection = {
    token: name,
    pdId: "eth0/ipv4",
    localAddress: { address: "127.0.0.2", port: 40000 },
    remoteAddress: { address: "127.0.0.22", port: 443 },
    readable: fromPeer.readable,
    writable: toPeer.writable,
    closed: new Promise((r) => resolveClosed = r),
    close: () => {
      resolveClosed(undefined);
      return Promise.resolve();
    },
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
  return { connection, sent: toPeer.readable, reply: fromPeer.writable.getWriter() };
}

async function readN(conn: Deno.Conn, n: number): Promise<number[]> {
  const out = new Uint8Array(n);
  for (let at = 0; at < n;) {
    const got = await conn.read(out.subarray(at));
    if (got === null) break;
    at += got;
  }
  return [...out];
}

/** Greets with username/password auth and asks for host:port; returns the reply code. */
async function socks(port: number, password: string, host: string, target: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new Uint8Array([5, 1, 2]));
  assert.deepEqual(await readN(conn, 2), [5, 2]);
  const user = new TextEncoder().encode("mif");
  const pass = new TextEncoder().encode(password);
  await conn.write(new Uint8Array([1, user.length, ...user, pass.length, ...pass]));
  const [, auth] = await readN(conn, 2);
  if (auth !== 0) {
    conn.close();
    return { code: -1, conn: undefined };
  }
  const name = new TextEncoder().encode(host);
  await conn.write(new Uint8Array([5, 1, 0, 3, name.length, ...name, target >> 8, target & 255]));
  const reply = await readN(conn, 10);
  return { code: reply[1], conn };
}

Deno.test("the tunnel proxy serves only its secret and its origin, the raced connection first", async () => {
  const first = fakeConnection("first");
  const second = fakeConnection("second");
  let opened = 0;
  await using proxy = new TunnelProxy({
    host: "www.test.example",
    port: 443,
    first: first.connection,
    open: () => (opened++, Promise.resolve(second.connection)),
    onFailure: () => {},
    onChange: () => {},
  });
  const port = Number(new URL(proxy.proxy.url).port);
  const secret = proxy.proxy.basicAuth.password;

  assert.equal((await socks(port, "guess", "www.test.example", 443)).code, -1, "wrong secret");
  const elsewhere = await socks(port, secret, "evil.example", 443);
  assert.equal(elsewhere.code, 2, "another host is not allowed");
  elsewhere.conn?.close();
  assert.equal(opened, 0);

  const ok = await socks(port, secret, "WWW.test.example", 443);
  assert.equal(ok.code, 0);
  await ok.conn!.write(new TextEncoder().encode("hello"));
  const { value } = await first.sent.getReader().read();
  assert.equal(
    new TextDecoder().decode(value),
    "hello",
    "the first tunnel is the raced connection",
  );
  assert.equal(opened, 0);

  const again = await socks(port, secret, "www.test.example", 443);
  assert.equal(again.code, 0);
  assert.equal(opened, 1, "a second tunnel opens a new connection");
  ok.conn!.close();
  again.conn!.close();
});

Deno.test("a client that says nothing is cut off after the handshake time; the raced connection waits", async () => {
  const first = fakeConnection("first");
  const failures: string[] = [];
  await using proxy = new TunnelProxy({
    host: "www.test.example",
    port: 443,
    first: first.connection,
    open: () => Promise.reject(new Error("not expected")),
    onFailure: (_error, when) => failures.push(when),
    onChange: () => {},
    handshakeMs: 100,
  });
  const port = Number(new URL(proxy.proxy.url).port);
  const silent = await Deno.connect({ hostname: "127.0.0.1", port });
  const start = performance.now();
  assert.equal(await silent.read(new Uint8Array(8)), null, "the proxy closed the silent client");
  assert.ok(performance.now() - start >= 90);
  silent.close();
  assert.deepEqual(failures, [], "a client's silence is no failure of the route");
  assert.equal(proxy.open, 0);
});
