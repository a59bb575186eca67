/**
 * mif's fetch() end to end on a manual platform with real sockets: two
 * IPv4 PDs on loopback sources (wired, Wi-Fi), each with its own DNS
 * server, and an HTTPS server (HTTP/2 and HTTP/1.1) whose certificate a
 * throwaway CA signed (tests/fixtures/tls_certs.ts).
 */

import assert from "node:assert/strict";
import { fetch, type FetchHop, MifFetchError } from "../../mod.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { address, element, nic, openManual, pd, until } from "../fixtures/helpers.ts";
import { makeCertificates, opensslUnavailable } from "../fixtures/tls_certs.ts";
import type { Snapshot } from "../../protocol/model.ts";

const NAME = "www.test.example";
const OTHER = "other.test.example";
const WRONG = "wrong.test.example";
const SERVER = "127.0.0.22";

const LINKS = [
  { id: "eth0", type: "wired", source: "127.0.0.2", dns: "127.0.0.12" },
  { id: "wlan0", type: "wifi", source: "127.0.0.3", dns: "127.0.0.13" },
] as const;

function snapshot(servers: readonly TestDnsServer[]): Snapshot {
  return {
    interfaces: LINKS.map((l, i) =>
      nic(l.id, [
        pd(`${l.id}/ipv4`, [address(l.source, 8)], [
          element("dhcpv4", { "dns-servers": [servers[i].server] }),
        ]),
      ], { interfaceType: l.type })
    ),
  };
}

/** What the server does, by path. */
function handler(request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response {
  const url = new URL(request.url);
  if (url.pathname === "/redirect") {
    return new Response(null, { status: 302, headers: { location: url.searchParams.get("to")! } });
  }
  if (url.pathname === "/echo") {
    return new Response(request.body, {
      headers: {
        "x-method": request.method,
        "x-asked": request.headers.get("x-ask") ?? "",
        // Deno.serve leaves Host out of an HTTP/2 request (it has :authority instead).
        "x-http": request.headers.has("host") ? "1.1" : "2",
      },
    });
  }
  if (url.pathname.startsWith("/bytes/")) {
    let left = Number(url.pathname.slice(7));
    const chunk = new Uint8Array(65536).fill(120);
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (left <= 0) return controller.close();
          controller.enqueue(chunk.subarray(0, Math.min(left, chunk.length)));
          left -= chunk.length;
        },
      }),
    );
  }
  return new Response(`hello ${info.remoteAddr.hostname} ${url.host}`);
}

const unavailable = await opensslUnavailable();

async function bed() {
  const certs = await makeCertificates([NAME, OTHER]);
  const server = Deno.serve(
    { hostname: SERVER, port: 0, cert: certs.cert, key: certs.key, onListen() {} },
    handler,
  );
  const names = { [NAME]: { a: [SERVER] }, [OTHER]: { a: [SERVER] }, [WRONG]: { a: [SERVER] } };
  const dns = [
    await TestDnsServer.start({ address: LINKS[0].dns, names }),
    await TestDnsServer.start({ address: LINKS[1].dns, names }),
  ];
  const { mif, platform } = await openManual(snapshot(dns), {
    workerPermissions: "net",
    hostsFile: null,
    dnsTimeout: 500,
  });
  const base = `https://${NAME}:${server.addr.port}`;
  return {
    mif,
    platform,
    dns,
    base,
    port: server.addr.port,
    caCerts: [certs.ca],
    async [Symbol.asyncDispose]() {
      await mif.close();
      for (const d of dns) await d[Symbol.asyncDispose]();
      await server.shutdown();
      await certs[Symbol.asyncDispose]();
    },
  };
}

Deno.test({
  name: "fetch over mif: status, body, hops, keep-alive, redirects, bodies, abort, TLS failures",
  ignore: unavailable !== undefined && Deno.env.get("CI") !== "true",
  async fn(t) {
    await using b = await bed();
    const { mif, caCerts, base } = b;

    await t.step(
      "a GET answers through a PD's own source, with the server's TLS version",
      async () => {
        const hops: FetchHop[] = [];
        const response = await fetch(`${base}/`, { mif, caCerts, onHop: (h) => hops.push(h) });
        assert.equal(response.status, 200);
        const text = await response.text();
        assert.match(text, /^hello 127\.0\.0\.[23] www\.test\.example:\d+$/);
        assert.equal(hops.length, 1);
        assert.equal(hops[0].reused, false);
        assert.ok(hops[0].race && hops[0].race.attempts.length >= 1);
        assert.equal(
          text.split(" ")[1],
          hops[0].localAddress?.address,
          "the server saw the source",
        );
        assert.equal(hops[0].remoteAddress?.address, SERVER);
      },
    );

    await t.step("a second fetch to the origin reuses the kept-alive route", async () => {
      const hops: FetchHop[] = [];
      const response = await fetch(`${base}/`, { mif, caCerts, onHop: (h) => hops.push(h) });
      await response.text();
      assert.equal(hops[0].reused, true);
      assert.equal(hops[0].race, undefined);
      assert.equal(hops[0].tls?.version, "TLSv1.3");
    });

    await t.step("pd pins the PD that carries the request", async () => {
      const hops: FetchHop[] = [];
      const response = await fetch(`${base}/`, {
        mif,
        caCerts,
        pd: "wlan0/ipv4",
        onHop: (h) => hops.push(h),
      });
      assert.match(await response.text(), /^hello 127\.0\.0\.3 /);
      assert.equal(hops[0].pdId, "wlan0/ipv4");
    });

    await t.step("a redirect to another host races again and marks the response", async () => {
      const hops: FetchHop[] = [];
      const to = `https://${OTHER}:${b.port}/`;
      const response = await fetch(`${base}/redirect?to=${encodeURIComponent(to)}`, {
        mif,
        caCerts,
        onHop: (h) => hops.push(h),
      });
      assert.equal(response.status, 200);
      assert.equal(response.redirected, true);
      assert.equal(response.url, to);
      assert.match(await response.text(), /other\.test\.example/);
      assert.deepEqual(hops.map((h) => [h.status, h.reused]), [[302, true], [200, false]]);
    });

    await t.step("redirect: manual returns the redirect itself", async () => {
      const response = await fetch(`${base}/redirect?to=/`, { mif, caCerts, redirect: "manual" });
      assert.equal(response.status, 302);
      assert.equal(response.headers.get("location"), "/");
      await response.body?.cancel();
    });

    await t.step(
      "a POST body reaches the server over HTTP/2, and over HTTP/1.1 when asked",
      async () => {
        for (const http2 of [true, false]) {
          const response = await fetch(`${base}/echo`, {
            mif,
            caCerts,
            http2,
            method: "POST",
            headers: { "content-type": "text/plain", "x-ask": "headers too" },
            body: "ping",
          });
          assert.equal(response.headers.get("x-method"), "POST");
          assert.equal(response.headers.get("x-asked"), "headers too");
          assert.equal(response.headers.get("x-http"), http2 ? "2" : "1.1");
          assert.equal(await response.text(), "ping");
        }
      },
    );

    await t.step("a large body streams in full", async () => {
      const response = await fetch(`${base}/bytes/${8 << 20}`, { mif, caCerts });
      let total = 0;
      for await (const chunk of response.body!) total += chunk.length;
      assert.equal(total, 8 << 20);
    });

    await t.step("aborting mid-body errors the body with the signal's reason", async () => {
      const controller = new AbortController();
      const response = await fetch(`${base}/bytes/${64 << 20}`, {
        mif,
        caCerts,
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await assert.rejects(async () => {
        while (!(await reader.read()).done);
      });
    });

    await t.step("a certificate for other names fails as tls, naming the host", async () => {
      const error = await fetch(`https://${WRONG}:${b.port}/`, { mif, caCerts }).then(
        () => assert.fail("fetched"),
        (e) => e,
      );
      assert.ok(error instanceof MifFetchError, String(error));
      assert.equal(error.reason, "tls");
      assert.match(error.message, /wrong\.test\.example/);
    });

    await t.step("without the CA the certificate is not trusted", async () => {
      const error = await fetch(`${base}/`, { mif, idleTimeout: 1000 }).catch((e) => e);
      assert.ok(error instanceof MifFetchError);
      assert.equal(error.reason, "tls");
      assert.match(error.message, /UnknownIssuer/);
    });

    await t.step("a name no PD knows fails as name", async () => {
      const error = await fetch(`https://nowhere.test.example:${b.port}/`, { mif, caCerts })
        .catch((e) => e);
      assert.ok(error instanceof MifFetchError);
      assert.equal(error.reason, "name");
    });

    await t.step("concurrent fetches to a new origin share one race", async () => {
      const hops: FetchHop[] = [];
      const url = `https://${OTHER}:${b.port}/`;
      const responses = await Promise.all(
        [1, 2, 3].map(() => fetch(url, { mif, caCerts, http2: false, onHop: (h) => hops.push(h) })),
      );
      for (const r of responses) await r.text();
      assert.equal(hops.filter((h) => h.race !== undefined).length, 1);
    });

    await t.step("a withdrawn PD's route is closed and the next fetch races again", async () => {
      const hops: FetchHop[] = [];
      const onHop = (h: FetchHop) => hops.push(h);
      await (await fetch(`${base}/`, { mif, caCerts, onHop })).text();
      const used = hops[0].pdId;
      const keep = LINKS.find((l) => `${l.id}/ipv4` !== used)!;
      b.platform.snapshot({
        interfaces: snapshot(b.dns).interfaces.filter((n) => n.interfaceId === keep.id),
      });
      await until(() => mif.status().interfaces.length === 1);
      await (await fetch(`${base}/`, { mif, caCerts, onHop })).text();
      assert.equal(hops[1].pdId, `${keep.id}/ipv4`);
      assert.equal(hops[1].reused, false);
    });

    await t.step("plain http: tunnels too, and its hops carry no TLS", async () => {
      const plain = Deno.serve(
        { hostname: SERVER, port: 0, onListen() {} },
        () => new Response("plain"),
      );
      try {
        const hops: FetchHop[] = [];
        const onHop = (h: FetchHop) => hops.push(h);
        const url = `http://${NAME}:${plain.addr.port}/`;
        for (let i = 0; i < 2; i++) {
          assert.equal(await (await fetch(url, { mif, onHop })).text(), "plain");
        }
        assert.deepEqual(hops.map((h) => [h.status, h.reused, h.tls]), [
          [200, false, undefined],
          [200, true, undefined],
        ]);
      } finally {
        await plain.shutdown();
      }
    });

    await t.step("a URL that is not http or https is a TypeError", async () => {
      await assert.rejects(fetch("ftp://a.example/", { mif }), TypeError);
    });
  },
});
