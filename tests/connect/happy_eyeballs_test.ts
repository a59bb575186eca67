/**
 * connect()'s driver (connect/happy_eyeballs.ts) against a scripted
 * subscriber: message orders that real sockets produce only by chance.
 */

import assert from "node:assert/strict";
import { type ApiMessage, connect, ConnectFailedError, type Mif, NO_MESSAGE } from "../../mod.ts";

type Script = (message: Record<string, unknown>, push: (m: ApiMessage) => void) => void;

/** Two IPv4 PDs, eth0 and wlan0, each answering the name with 203.0.113.80 at once. */
function fakeMif(onConnect: Script) {
  const queue: ApiMessage[] = [];
  let wake: (() => void) | undefined;
  const push = (m: ApiMessage) => {
    queue.push(m);
    wake?.();
  };
  const closedTokens: string[] = [];
  const posted: Record<string, unknown>[] = [];
  let closed = false;
  const sub = {
    get closed() {
      return closed;
    },
    post(m: Record<string, unknown>) {
      posted.push(m);
      switch (m.type) {
        case "announce-interfaces":
          for (const id of ["eth0", "wlan0"]) {
            push({
              type: "interface-announcement",
              interfaceId: id,
              displayName: id,
              interfaceType: "wired",
            });
          }
          return;
        case "announce-provisioning-domains":
          return push({
            type: "provisioning-domain-announcement",
            interfaceId: m.interfaceId as string,
            pdId: `${m.interfaceId}/ipv4`,
            family: "ipv4",
          });
        case "announce-addresses":
          return push({
            type: "address-announcement",
            pdId: m.pdId as string,
            address: m.pdId === "eth0/ipv4" ? "198.51.100.2" : "198.18.0.2",
            prefixLength: 24,
            validLifetime: "infinite",
            preferredLifetime: "infinite",
          });
        case "translate-name": {
          const ids = { translationId: m.translationId as string, pdId: m.pdId as string };
          push({ type: "name-translation", ...ids, address: "203.0.113.80" });
          return push({ type: "name-translation-done", ...ids });
        }
        case "connect-to-address":
          return onConnect(m, push);
      }
    },
    get: () => queue.shift() ?? NO_MESSAGE,
    check(options: { signal?: AbortSignal }) {
      if (queue.length > 0) return Promise.resolve({});
      return new Promise((resolve, reject) => {
        wake = () => {
          wake = undefined;
          resolve({});
        };
        options.signal?.addEventListener("abort", () => reject(options.signal!.reason));
      });
    },
    connection: (token: string) => ({
      token,
      closed: new Promise(() => {}),
      close() {
        closedTokens.push(token);
        return Promise.resolve();
      },
    }),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
  return { mif: { subscribe: () => sub } as unknown as Mif, closedTokens, posted };
}

function connected(m: Record<string, unknown>, id: string): ApiMessage {
  return {
    type: "connected",
    connectionId: id,
    pdId: m.pdId as string,
    token: `token-${id}`,
    source: "198.51.100.2",
    sourcePort: 40000,
    address: m.address as string,
    port: m.port as number,
  };
}

Deno.test("a loser whose connected message sits right behind the winner's is closed, not lost", async () => {
  const { mif, closedTokens } = fakeMif((m, push) => {
    // The second attempt's start makes both connect at the same moment.
    if (m.connectionId === "c1") {
      push(connected(m, "c0"));
      push(connected(m, "c1"));
    }
  });
  const result = await connect("x.example", 80, { mif, attemptDelay: 100 });
  assert.equal(result.winner.pdId, "eth0/ipv4");
  assert.deepEqual(result.attempts.map((a) => a.outcome), ["connected", "closed"]);
  assert.deepEqual(closedTokens, ["token-c1"]);
});

Deno.test("an error message naming one attempt fails that attempt only; the race goes on", async () => {
  const { mif } = fakeMif((m, push) => {
    if (m.connectionId === "c0") {
      push({
        type: "error",
        reason: "unknown-pd",
        messageType: "connect-to-address",
        detail: "Cannot connect: no PD eth0/ipv4",
        connectionId: "c0",
      });
    } else {
      push(connected(m, m.connectionId as string));
    }
  });
  const result = await connect("x.example", 80, { mif, attemptDelay: 100 });
  assert.equal(result.winner.pdId, "wlan0/ipv4");
  assert.deepEqual(result.attempts.map((a) => a.outcome), ["pd-gone", "connected"]);
  assert.ok(result.winner.start < 100, "the failure started the next attempt at once");
});

Deno.test("a race that runs out of time rejects with 'timed out' and a TimedOut cause, and cancels its attempts", async () => {
  const { mif, posted } = fakeMif(() => {}); // Attempts never answer.
  const error = await connect("x.example", 80, { mif, attemptDelay: 100, timeout: 300 }).then(
    () => assert.fail("connected"),
    (e) => e,
  );
  assert.ok(error instanceof ConnectFailedError);
  assert.match(error.message, /^Cannot connect to x\.example port 80: timed out$/);
  assert.ok(error.cause instanceof Deno.errors.TimedOut);
  assert.deepEqual(error.attempts.map((a: { outcome?: string }) => a.outcome), [
    "cancelled",
    "cancelled",
  ]);
  const stops = posted.filter((m) => m.type === "stop-connecting").map((m) => m.connectionId);
  assert.deepEqual(stops.sort(), ["c0", "c1"]);
  const timeouts = posted.filter((m) => m.type === "connect-to-address").map((m) => m.timeout);
  assert.ok(
    timeouts.every((t) => (t as number) > 300),
    "each attempt outlives the race's own timer",
  );
});

Deno.test("a hostname over 1024 characters is refused with RangeError before anything is posted", async () => {
  const { mif, posted } = fakeMif(() => {});
  await assert.rejects(connect("a".repeat(1025), 80, { mif }), RangeError);
  assert.deepEqual(posted, []);
});
