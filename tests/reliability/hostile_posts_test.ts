/**
 * Reliability: 100,000 generated posts, seeded, of every subscriber message
 * type with fields wrong, missing, oversized, holding control characters or
 * prototype keys, values that cannot be cloned, unknown and duplicate ids,
 * and a share of valid PD requests the real PD workers serve. Every answer
 * must validate, post() must never throw, no worker may crash, and every
 * accepted PD request must get exactly one final answer.
 */

import assert from "node:assert/strict";
import { address, element, nic, openManual, pd } from "../fixtures/helpers.ts";
import { TestDnsServer } from "../fixtures/dns_server.ts";
import { TcpPeer } from "../fixtures/tcp_peer.ts";
import { seededRandom } from "../fixtures/seeded_random.ts";
import {
  type ApiMessage,
  NO_MESSAGE,
  type Snapshot,
  type Subscriber,
  SUBSCRIBER_MESSAGE_TYPES,
  validateApiMessage,
  validateSubscriberMessage,
} from "../../mod.ts";

const POSTS = 100_000;
const SEED = 0x5eed_1201;

const PDS = ["eth0/ipv4", "wlan0/ipv4"];
const INTERFACES = ["eth0", "wlan0"];

function snapshot(dns: string): Snapshot {
  return {
    interfaces: [
      nic("eth0", [
        pd("eth0/ipv4", [address("127.0.0.2", 8)], [element("dhcpv4", { "dns-servers": [dns] })]),
      ]),
      nic("wlan0", [
        pd("wlan0/ipv4", [address("127.0.0.3", 8)], [
          element("dhcpv4", { "dns-servers": [dns], mtu: 1500 }),
        ]),
      ]),
    ],
  };
}

/** Values no field wants, and values that cannot be cloned at all. */
function hostileValue(next: () => number): unknown {
  const pick = Math.floor(next() * 16);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return 42.5;
    case 2:
      return -1;
    case 3:
      return { nested: { deeper: [1, 2, 3] } };
    case 4:
      return ["a", "b"];
    case 5:
      return "x".repeat(5000);
    case 6:
      return "ctl\u0000\u001b[2J\u007f\u009b";
    case 7:
      return () => "a function cannot be cloned";
    case 8:
      return Symbol("no");
    case 9:
      return new WeakMap();
    case 10:
      return 10n;
    case 11:
      return new Date(0);
    case 12:
      return "";
    case 13:
      return NaN;
    case 14:
      return "127.0.0.1";
    default:
      return true;
  }
}

/** A valid message of a type, naming known or unknown PDs and interfaces. */
function validMessage(type: string, next: () => number, id: string): Record<string, unknown> {
  const pdId = next() < 0.9 ? PDS[Math.floor(next() * 2)] : `ghost${Math.floor(next() * 9)}/ipv4`;
  const interfaceId = next() < 0.9 ? INTERFACES[Math.floor(next() * 2)] : "ghost0";
  switch (type) {
    case "announce-provisioning-domains":
    case "stop-announcing-provisioning-domains":
      return { type, interfaceId };
    case "announce-configuration-elements":
    case "stop-announcing-configuration-elements":
    case "announce-addresses":
    case "stop-announcing-addresses":
      return { type, pdId };
    case "get-configuration-data":
      return {
        type,
        pdId,
        element: next() < 0.7 ? "dhcpv4" : "ra",
        item: next() < 0.5 ? "dns-servers" : "mtu",
      };
    case "translate-name":
      return {
        type,
        pdId,
        name: next() < 0.8 ? `n${Math.floor(next() * 1e6)}.example` : "a\u007f..b",
        translationId: id,
      };
    case "stop-translating-name":
      return { type, translationId: id };
    case "connect-to-address":
      return { type, pdId, address: "127.0.0.1", port: 1, connectionId: id, timeout: 2000 };
    case "connect-to-address-from-address":
      return {
        type,
        pdId,
        source: next() < 0.5 ? "127.0.0.2" : "::1",
        address: "127.0.0.1",
        port: 1,
        connectionId: id,
      };
    case "stop-connecting":
      return { type, connectionId: id };
    case "wants-to-connect":
    case "connection-idle":
    case "connection-can-be-broken":
      return next() < 0.5 ? { type, pdId } : { type, interfaceId };
    default:
      return { type };
  }
}

/** Breaks a valid message one way or another. */
function mutate(message: Record<string, unknown>, next: () => number): unknown {
  const keys = Object.keys(message).filter((k) => k !== "type");
  const key = keys[Math.floor(next() * keys.length)];
  const copy: Record<string, unknown> = { ...message };
  switch (Math.floor(next() * 12)) {
    case 0:
      if (key) delete copy[key];
      return copy;
    case 1:
      if (key) copy[key] = hostileValue(next);
      return copy;
    case 2:
      copy[`extra${Math.floor(next() * 3)}`] = hostileValue(next);
      return copy;
    case 3:
      return JSON.parse(`{"__proto__": {"polluted": true}, "type": ${JSON.stringify(copy.type)}}`);
    case 4:
      copy["constructor"] = "x";
      copy["toString"] = 1;
      return copy;
    case 5:
      copy.type = ["", "x".repeat(300), "announce-\u007f", "\u001b[31m", "interface-announcement"][
        Math.floor(next() * 5)
      ];
      return copy;
    case 6:
      return Object.defineProperty(copy, key ?? "type", {
        enumerable: true,
        get() {
          throw new Error("a getter that throws \u0000");
        },
      });
    case 7:
      return new Proxy(copy, {
        ownKeys() {
          throw new TypeError("a trap that throws");
        },
      });
    case 8:
      return [null, undefined, 7, "announce-interfaces", [copy], new Uint8Array(3)][
        Math.floor(next() * 6)
      ];
    case 9:
      copy[`f${"\u0000".repeat(3)}${"y".repeat(Math.floor(next() * 3000))}`] = 1;
      return copy;
    case 10: {
      const cyclic: Record<string, unknown> = { ...copy };
      cyclic.self = cyclic;
      return cyclic;
    }
    default:
      if (key) copy[key] = `${String(copy[key])}\u0000`;
      return copy;
  }
}

interface Tally {
  /** Accepted requests by subscriber and id (an id may be used again once its request ended). */
  accepted: Map<string, number>;
  finals: Map<string, number>;
  configAccepted: number;
  configFinals: number;
  answers: number;
}

function finalKey(sub: Subscriber, m: ApiMessage): string | undefined {
  switch (m.type) {
    case "name-translation-done":
      return `${sub.id}:t:${m.translationId}`;
    case "connected":
    case "not-connected":
      return `${sub.id}:c:${m.connectionId}`;
    default:
      return undefined;
  }
}

/** Takes every queued answer: validates it, counts finals, closes connections. */
function take(sub: Subscriber, tally: Tally, problems: string[]): ApiMessage[] {
  const out: ApiMessage[] = [];
  for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) {
    tally.answers++;
    const v = validateApiMessage(m);
    if (!v.ok && problems.length < 10) problems.push(`${JSON.stringify(m)}: ${v.detail}`);
    const key = finalKey(sub, m);
    if (key) tally.finals.set(key, (tally.finals.get(key) ?? 0) + 1);
    if (m.type === "configuration-data" || m.type === "no-configuration-data") tally.configFinals++;
    if (m.type === "connected") sub.connection(m.token).close();
    out.push(m);
  }
  return out;
}

Deno.test("100,000 hostile posts: every answer validates, nothing throws or crashes, every accepted request ends once", async () => {
  await using dns = await TestDnsServer.start({ address: "127.0.0.21" });
  await using peer = new TcpPeer("127.0.0.1");
  const { mif } = await openManual(snapshot(dns.server), {
    workerPermissions: "net",
    hostsFile: null,
    dnsTimeout: 500,
    dnsAttempts: 1,
  });
  await using _ = mif;
  const next = seededRandom(SEED);
  const subs = Array.from({ length: 4 }, (_, i) => mif.subscribe({ name: `hostile ${i}` }));
  const tally: Tally = {
    accepted: new Map(),
    finals: new Map(),
    configAccepted: 0,
    configFinals: 0,
    answers: 0,
  };
  const problems: string[] = [];
  const live: string[] = [];
  let thrown = 0, serial = 0;
  for (let i = 0; i < POSTS; i++) {
    const sub = subs[i % subs.length];
    const type = SUBSCRIBER_MESSAGE_TYPES[Math.floor(next() * SUBSCRIBER_MESSAGE_TYPES.length)];
    // Mostly fresh ids; sometimes one still live, to draw duplicate-id.
    const id = live.length > 0 && next() < 0.05
      ? live[Math.floor(next() * live.length)]
      : `${sub.id}-${serial++}`;
    const valid = validMessage(type, next, id);
    const pdRequest = type === "translate-name" || type.startsWith("connect-to-address") ||
      type === "get-configuration-data";
    // PD requests are kept to a few thousand valid ones: the workers really serve them.
    const posted = next() < (pdRequest ? 0.08 : 0.3) ? valid : mutate(valid, next);
    if (posted === valid && type === "connect-to-address" && next() < 0.2) valid.port = peer.port;
    try {
      sub.post(posted as never);
    } catch (error) {
      thrown++;
      if (problems.length < 10) problems.push(`post threw ${String(error)}`);
    }
    const now = take(sub, tally, problems);
    // A broken message may still be a valid one (an optional field dropped).
    const v = validateSubscriberMessage(posted);
    if (v.ok && !now.some((m) => m.type === "error")) {
      const m = v.message;
      if (m.type === "get-configuration-data") tally.configAccepted++;
      else if (m.type === "translate-name" || m.type.startsWith("connect-to-address")) {
        const requestId = "translationId" in m ? m.translationId : (m as { connectionId: string })
          .connectionId;
        const key = `${sub.id}:${m.type === "translate-name" ? "t" : "c"}:${requestId}`;
        tally.accepted.set(key, (tally.accepted.get(key) ?? 0) + 1);
        live.push(requestId);
      }
    }
    if (i % 2000 === 1999) {
      await new Promise((r) => setTimeout(r, 5)); // let the workers answer
      for (const s of subs) take(s, tally, problems);
      live.splice(0, Math.max(0, live.length - 200));
    }
  }
  const deadline = Date.now() + 30_000;
  const pending = () => [...tally.accepted].filter(([k, n]) => (tally.finals.get(k) ?? 0) < n);
  while (
    (pending().length > 0 || tally.configFinals < tally.configAccepted) && Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 20));
    for (const s of subs) take(s, tally, problems);
  }
  assert.deepEqual(problems, []);
  assert.equal(thrown, 0);
  const unanswered = pending();
  assert.deepEqual(unanswered.slice(0, 5), [], `${unanswered.length} accepted requests unanswered`);
  const twice = [...tally.finals].filter(([k, n]) => n > (tally.accepted.get(k) ?? 0));
  assert.deepEqual(twice.slice(0, 5), [], "a request got two final answers");
  assert.equal(tally.configFinals, tally.configAccepted);
  const accepted = [...tally.accepted.values()].reduce((a, b) => a + b, 0);
  assert(accepted > 1000, `only ${accepted} PD requests were accepted`);
  for (const nic of mif.status().interfaces) {
    for (const p of nic.pds) assert.equal(p.worker.crashes, 0, `${p.pdId}: ${p.worker.lastCrash}`);
  }
  for (const s of subs) await s.close();
});
