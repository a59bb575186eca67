/**
 * TLS on connections end to end, on a manual platform with real sockets:
 * IPv4 PDs on loopback addresses, each with its own DNS server, and TLS
 * servers whose certificates openssl makes at test time (a CA trusted
 * through caCerts, a server certificate for the name and its address, an
 * expired twin, one from a CA nobody trusts). Skipped with the reason when
 * openssl is missing, failing instead when CI=true.
 */

import assert from "node:assert/strict";
import {
  type ApiMessage,
  connect,
  type Connected,
  ConnectFailedError,
  type Mif,
  type NotConnected,
  type Snapshot,
  type Subscriber,
} from "../../mod.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { address, element, next, nic, openManual, pd, until } from "../fixtures/helpers.ts";
import { TcpPeer } from "../fixtures/tcp_peer.ts";
import { makeCertificates, opensslUnavailable } from "../fixtures/tls_certs.ts";

const NAME = "tls.mif.example";
/** The server with the right certificate (for NAME and this address). */
const GOOD = "127.0.0.41";
/** The same certificate, expired. */
const EXPIRED = "127.0.0.42";
/** A certificate from a CA nobody trusts, for another name: what a captive portal shows. */
const PORTAL = "127.0.0.43";
/** Accepts TCP and never answers a ClientHello. */
const SILENT = "127.0.0.44";

const LINKS = [
  { id: "eth0", type: "wired", source: "127.0.0.2", dns: "127.0.0.12" },
  { id: "wlan0", type: "wifi", source: "127.0.0.3", dns: "127.0.0.13" },
] as const;

const unavailable = await opensslUnavailable();

/** A test that needs openssl: skipped with the reason without it, failing when CI=true. */
function tlsTest(name: string, fn: () => Promise<void>): void {
  if (unavailable && Deno.env.get("CI") === "true") {
    Deno.test(name, () => {
      throw new Error(`Cannot run the TLS tests in CI: ${unavailable}`);
    });
    return;
  }
  Deno.test({
    name: unavailable ? `${name} (skipped: ${unavailable})` : name,
    ignore: unavailable !== undefined,
    fn,
  });
}

/** A TLS server that echoes, answers "bye" to the client's end, and offers ALPN h2 and http/1.1. */
class TlsEcho implements AsyncDisposable {
  readonly listener: Deno.TlsListener;
  /** The client address of every handshake that completed. */
  readonly clients: string[] = [];
  readonly #loop: Promise<void>;
  readonly #conns = new Set<Deno.TlsConn>();

  constructor(hostname: string, port: number, cert: string, key: string) {
    const listener = Deno.listenTls({
      hostname,
      port,
      cert,
      key,
      alpnProtocols: ["h2", "http/1.1"],
    });
    this.listener = listener;
    this.#loop = (async () => {
      for await (const conn of listener) this.#serve(conn);
    })().catch(() => {});
  }

  get port(): number {
    return this.listener.addr.port;
  }

  async #serve(conn: Deno.TlsConn): Promise<void> {
    this.#conns.add(conn);
    try {
      await conn.handshake();
      this.clients.push(conn.remoteAddr.hostname);
      const buffer = new Uint8Array(64 * 1024);
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        let written = 0;
        while (written < n) written += await conn.write(buffer.subarray(written, n));
      }
      await conn.write(new TextEncoder().encode("bye"));
    } catch {
      // The client refused the certificate, or went away.
    } finally {
      this.#conns.delete(conn);
      try {
        conn.close();
      } catch { /* closed already */ }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.listener.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* closed already */ }
    }
    await this.#loop;
  }
}

/** The links, each PD naming its DNS server. */
function snapshot(servers: ReadonlyMap<string, TestDnsServer>): Snapshot {
  return {
    interfaces: LINKS.map((l) =>
      nic(l.id, [
        pd(`${l.id}/ipv4`, [address(l.source, 8)], [
          element("dhcpv4", { "dns-servers": [servers.get(l.id)!.server] }),
        ]),
      ], { interfaceType: l.type })
    ),
  };
}

/**
 * The bed: TLS servers on GOOD, EXPIRED and PORTAL sharing one port, a
 * silent TCP listener, and per link a DNS server answering NAME with
 * `answers[link]`.
 */
async function bed(answers: Record<string, string> = {}) {
  const certs = await makeCertificates([NAME, GOOD, EXPIRED]);
  const portalCerts = await makeCertificates(["portal.example"]);
  const good = new TlsEcho(GOOD, 0, certs.cert, certs.key);
  const port = good.port;
  const expired = new TlsEcho(EXPIRED, port, certs.expiredCert, certs.key);
  const portal = new TlsEcho(PORTAL, port, portalCerts.cert, portalCerts.key);
  const silent = new TcpPeer(SILENT, port);
  const dns = new Map<string, TestDnsServer>();
  for (const l of LINKS) {
    const a = answers[l.id];
    dns.set(
      l.id,
      await TestDnsServer.start({
        address: l.dns,
        names: { [NAME]: a ? { a: [a] } : { rcode: "NXDOMAIN" } },
      }),
    );
  }
  const { mif } = await openManual(snapshot(dns), {
    workerPermissions: "net",
    hostsFile: null,
    dnsTimeout: 500,
  });
  return {
    mif,
    certs,
    port,
    good,
    silent,
    async [Symbol.asyncDispose]() {
      await mif.close();
      for (const d of dns.values()) await d[Symbol.asyncDispose]();
      await silent[Symbol.asyncDispose]();
      for (const s of [good, expired, portal]) await s[Symbol.asyncDispose]();
      await certs[Symbol.asyncDispose]();
      await portalCerts[Symbol.asyncDispose]();
    },
  };
}

function openConnections(mif: Mif): number {
  return mif.status().interfaces.flatMap((n) => n.pds).reduce(
    (sum, p) => sum + (p.worker?.connections ?? 0),
    0,
  );
}

/** Posts a connect-to-address through eth0 and waits for its answer. */
async function connectMessage(
  sub: Subscriber,
  destination: string,
  port: number,
  tls: unknown,
  extra: Record<string, unknown> = {},
): Promise<ApiMessage> {
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv4",
    address: destination,
    port,
    connectionId: `c-${destination}`,
    tls,
    ...extra,
  } as never);
  return await next(sub, 10_000);
}

function assertNotConnectedTls(m: ApiMessage, code: RegExp): asserts m is NotConnected {
  assert.equal(m.type, "not-connected", JSON.stringify(m));
  assert.equal((m as NotConnected).reason, "tls", JSON.stringify(m));
  assert.match((m as NotConnected).detail ?? "", code);
}

/** The promise's value, or a failure naming `what` after `ms` (a hang fails instead of stalling). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

tlsTest(
  "connect({ tls }) verifies the server by name and carries the version, ALPN protocol and certificate",
  async () => {
    await using b = await bed({ eth0: GOOD });
    const result = await connect(NAME, b.port, {
      mif: b.mif,
      require: ["eth0"],
      tls: { caCerts: [b.certs.ca], alpnProtocols: ["h2", "http/1.1"] },
    });
    const tls = result.connection.tls;
    assert.ok(tls, "the connection has TLS details");
    assert.equal(tls.version, "TLSv1.3");
    assert.equal(tls.alpnProtocol, "h2");
    assert.equal(tls.subject, NAME);
    assert.match(tls.subjectAltName, /DNS:tls\.mif\.example/);
    const validTo = Date.parse(tls.validTo);
    assert.ok(validTo > Date.now() && validTo < Date.now() + 3 * 86_400_000, tls.validTo);
    assert.equal(result.winner.pdId, "eth0/ipv4");
    await until(() => b.good.clients.length === 1);
    assert.deepEqual(b.good.clients, ["127.0.0.2"], "the handshake came from eth0's source");
    await result.connection.close();
  },
);

tlsTest(
  "a TLS connection's streams carry the plaintext both ways, and writable.close() still lets the answer in",
  async () => {
    await using b = await bed({ eth0: GOOD });
    const { connection } = await connect(NAME, b.port, {
      mif: b.mif,
      require: ["eth0"],
      tls: { caCerts: [b.certs.ca] },
    });
    assert.equal(connection.tls?.alpnProtocol, null, "no ALPN offered, none chosen");
    // 6 MiB, read only after the writes have stalled: past the 4 MiB read window the worker pauses
    // the TLS socket, and reading resumes it.
    const sent = new Uint8Array(6 * 1024 * 1024);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 7 + (i >> 11)) & 0xff;
    const writer = connection.writable.getWriter();
    const writing = (async () => {
      for (let at = 0; at < sent.length; at += 100_000) {
        await writer.write(sent.subarray(at, at + 100_000));
      }
      await writer.close(); // close_notify and FIN; the server answers "bye" and closes.
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reading = (async () => {
      const parts: Uint8Array[] = [];
      for await (const chunk of connection.readable) parts.push(chunk);
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      return all;
    })();
    const [received] = await within(Promise.all([reading, writing]), 20_000, "the echo");
    assert.equal(received.length, sent.length + 3);
    assert.deepEqual(received.subarray(0, sent.length), sent, "the echo is the plaintext sent");
    assert.equal(new TextDecoder().decode(received.subarray(sent.length)), "bye");
    assert.equal(await connection.closed, undefined);
  },
);

tlsTest(
  "connect-to-address with tls and no serverName verifies the destination address and sends ALPN",
  async () => {
    await using b = await bed();
    await using sub = b.mif.subscribe();
    const m = await connectMessage(sub, GOOD, b.port, {
      caCerts: [b.certs.ca],
      alpnProtocols: ["http/1.1"],
    });
    assert.equal(m.type, "connected", JSON.stringify(m));
    const connected = m as Connected;
    assert.equal(connected.tls?.version, "TLSv1.3");
    assert.equal(connected.tls?.alpnProtocol, "http/1.1");
    assert.match(connected.tls?.subjectAltName ?? "", /IP Address:127\.0\.0\.41/);
    const connection = sub.connection(connected.token);
    assert.deepEqual(connection.tls, connected.tls);
    const writer = connection.writable.getWriter();
    await writer.write(new TextEncoder().encode("ping"));
    await writer.close();
    assert.equal(await within(readText(connection.readable), 10_000, "the echo"), "pingbye");
  },
);

tlsTest(
  "a certificate for another name is not-connected reason tls naming ERR_TLS_CERT_ALTNAME_INVALID",
  async () => {
    await using b = await bed();
    await using sub = b.mif.subscribe();
    const m = await connectMessage(sub, GOOD, b.port, {
      caCerts: [b.certs.ca],
      serverName: "wrong.mif.example",
    });
    assertNotConnectedTls(m, /ERR_TLS_CERT_ALTNAME_INVALID/);
    assert.match(m.detail!, /over TLS as wrong\.mif\.example/);
    assert.equal(openConnections(b.mif), 0);
    // Without caCerts the same server is untrusted: the system's roots do not hold the test CA.
    const untrusted = await connectMessage(sub, GOOD, b.port, true, {
      connectionId: "c-untrusted",
    });
    assertNotConnectedTls(untrusted, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  },
);

tlsTest("an expired certificate is not-connected reason tls naming CERT_HAS_EXPIRED", async () => {
  await using b = await bed();
  await using sub = b.mif.subscribe();
  const m = await connectMessage(sub, EXPIRED, b.port, { caCerts: [b.certs.ca] });
  assertNotConnectedTls(m, /CERT_HAS_EXPIRED/);
});

tlsTest(
  "connect() through one PD with an untrusted CA rejects with ConnectFailedError reason tls",
  async () => {
    await using b = await bed({ eth0: GOOD });
    const error = await connect(NAME, b.port, { mif: b.mif, require: ["eth0"], tls: true })
      .catch((e) => e);
    assert.ok(error instanceof ConnectFailedError, String(error));
    assert.equal(error.reason, "tls");
    assert.match(
      error.message,
      /every attempt failed: 1 tls; through eth0\/ipv4: .*over TLS as tls\.mif\.example: UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    );
    assert.deepEqual(error.attempts.map((a) => a.outcome), ["tls"]);
    await until(() => openConnections(b.mif) === 0);
  },
);

tlsTest(
  "a race where one PD's server shows the wrong certificate goes on: the PD with the right one wins",
  async () => {
    // eth0 is preferred and reaches a portal with a certificate nobody trusts; wlan0 reaches the real server.
    await using b = await bed({ eth0: PORTAL, wlan0: GOOD });
    const result = await connect(NAME, b.port, {
      mif: b.mif,
      prefer: ["eth0"],
      attemptDelay: 2000, // wlan0 starts because eth0 failed, not because its turn came
      tls: { caCerts: [b.certs.ca] },
    });
    assert.equal(result.winner.pdId, "wlan0/ipv4");
    assert.deepEqual(
      result.attempts.map((a) => [a.pdId, a.address, a.outcome]),
      [["eth0/ipv4", PORTAL, "tls"], ["wlan0/ipv4", GOOD, "connected"]],
    );
    assert.match(result.attempts[0].detail ?? "", /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.ok(result.attempts[1].start < 1500, "the next attempt started when the first failed");
    assert.equal(result.connection.tls?.subject, NAME);
    assert.equal(openConnections(b.mif), 1, "only the winner is open");
    await result.connection.close();
  },
);

tlsTest(
  "stop-connecting during the TLS handshake answers cancelled and closes the socket",
  async () => {
    await using b = await bed();
    await using sub = b.mif.subscribe();
    sub.post({
      type: "connect-to-address",
      pdId: "eth0/ipv4",
      address: SILENT,
      port: b.port,
      connectionId: "c1",
      tls: { caCerts: [b.certs.ca] },
    });
    const accepted = await b.silent.accept(); // TCP is up; the ClientHello waits for an answer.
    const hello = new Uint8Array(4096);
    assert.ok((await accepted.conn.read(hello) ?? 0) > 0, "the client sent its ClientHello");
    sub.post({ type: "stop-connecting", connectionId: "c1" });
    const m = await next(sub);
    assert.equal(m.type, "not-connected");
    assert.equal((m as NotConnected).reason, "cancelled");
    assert.equal(
      await within(accepted.conn.read(hello), 2000, "the socket's end"),
      null,
      "the worker closed the socket at once",
    );
    accepted.conn.close();
    assert.equal(openConnections(b.mif), 0);
  },
);

tlsTest(
  "a TLS handshake that never finishes ends within the attempt's timeout, reason tls",
  async () => {
    await using b = await bed();
    await using sub = b.mif.subscribe();
    const started = Date.now();
    const m = await connectMessage(sub, SILENT, b.port, { caCerts: [b.certs.ca] }, {
      timeout: 400,
    });
    assertNotConnectedTls(m, /did not finish in time/);
    assert.ok(Date.now() - started < 3000, `ended after ${Date.now() - started} ms`);
    const accepted = await b.silent.accept();
    const buffer = new Uint8Array(4096);
    while (await accepted.conn.read(buffer) !== null) { /* the ClientHello, then the end */ }
    accepted.conn.close();
    assert.equal(openConnections(b.mif), 0);
  },
);

tlsTest("a tls field that is not TLS options is refused as invalid-message", async () => {
  await using b = await bed();
  await using sub = b.mif.subscribe();
  const m = await connectMessage(sub, GOOD, b.port, { caCerts: ["not a certificate"] });
  assert.equal(m.type, "error");
  assert.match((m as { detail: string }).detail, /field "tls" caCerts must hold PEM text/);
  await assert.rejects(
    () => connect(NAME, b.port, { mif: b.mif, tls: { serverName: "198.51.100.1" } }),
    TypeError,
  );
});
