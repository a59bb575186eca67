/**
 * The Happy Eyeballs scheduler (connect/race.ts) on a hand-moved clock:
 * when each attempt starts, in which order, and how the race ends.
 */

import assert from "node:assert/strict";
import { FakeClock } from "../fixtures/fake_clock.ts";
import { Race, type RacePd, type RaceResult, type RaceSettings } from "../../connect/race.ts";
import { PathHistory } from "../../connect/path_history.ts";
import type { AttemptRecord } from "../../connect/timeline.ts";

const forever = (address: string, prefixLength: number) => ({
  address,
  prefixLength,
  validUntil: null,
  preferredUntil: null,
});

/** wlan0 dual stack, rmnet0 IPv6 (cellular), eth0 IPv4. */
const PDS: RacePd[] = [
  {
    pdId: "wlan0/ipv6",
    interfaceId: "wlan0",
    family: "ipv6",
    addresses: [forever("2001:db8:1::7", 64)],
    tier: 1,
  },
  {
    pdId: "wlan0/ipv4",
    interfaceId: "wlan0",
    family: "ipv4",
    addresses: [forever("198.51.100.7", 24)],
    tier: 1,
  },
  {
    pdId: "rmnet0/ipv6",
    interfaceId: "rmnet0",
    family: "ipv6",
    addresses: [forever("2001:db8:2::7", 64)],
    tier: 1,
  },
  {
    pdId: "eth0/ipv4",
    interfaceId: "eth0",
    family: "ipv4",
    addresses: [forever("203.0.113.7", 24)],
    tier: 1,
  },
];

function setup(
  pds: RacePd[] = PDS,
  history = new PathHistory(),
  extra: Partial<RaceSettings> = {},
) {
  const clock = new FakeClock();
  const started: { id: number; at: number; pdId: string; address: string }[] = [];
  const cancelled: number[] = [];
  let result: RaceResult | undefined;
  const settings = { port: 443, attemptDelay: 250, history, clock, epochNow: () => 0, ...extra };
  const race = new Race(pds, settings, {
    start: (id: number, a: AttemptRecord) =>
      started.push({ id, at: clock.now(), pdId: a.pdId, address: a.address }),
    cancel: (id: number) => cancelled.push(id),
    settled: (r: RaceResult) => result = r,
  });
  return { clock, race, started, cancelled, result: () => result, history };
}

const order = (started: { pdId: string; at: number }[]) => started.map((s) => `${s.at} ${s.pdId}`);

Deno.test("the first attempt starts the moment an IPv6 answer arrives", () => {
  const { clock, race, started } = setup();
  clock.advance(12);
  race.answer("rmnet0/ipv6", "2001:db8:9::80");
  assert.deepEqual(order(started), ["12 rmnet0/ipv6"]);
});

Deno.test("IPv4 answers wait the 50 ms resolution delay while an IPv6 PD is still resolving", () => {
  const { clock, race, started } = setup();
  clock.advance(10);
  race.answer("eth0/ipv4", "198.18.0.80");
  clock.advance(49);
  assert.deepEqual(started, [], "nothing before 50 ms");
  clock.advance(1);
  assert.deepEqual(order(started), ["60 eth0/ipv4"]);
});

Deno.test("an IPv6 answer inside the resolution delay goes first", () => {
  const { clock, race, started } = setup();
  race.answer("eth0/ipv4", "198.18.0.80");
  clock.advance(20);
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  assert.deepEqual(order(started), ["20 wlan0/ipv6"]);
  clock.advance(250);
  assert.deepEqual(order(started), ["20 wlan0/ipv6", "270 eth0/ipv4"]);
});

Deno.test("IPv4 answers start at once when every IPv6 PD has finished resolving", () => {
  const { race, started } = setup();
  race.resolved("wlan0/ipv6", "nxdomain");
  race.resolved("rmnet0/ipv6", "timeout");
  race.answer("wlan0/ipv4", "198.18.0.80");
  assert.deepEqual(order(started), ["0 wlan0/ipv4"]);
});

Deno.test("attempts start 250 ms apart, alternating families and spreading over interfaces", () => {
  const { clock, race, started } = setup();
  for (const pd of PDS) {
    race.answer(pd.pdId, pd.family === "ipv6" ? "2001:db8:9::80" : "198.18.0.80");
  }
  clock.advance(1000);
  assert.deepEqual(order(started), [
    "0 wlan0/ipv6", // IPv6 first (RFC 6724 rule 6)
    "250 eth0/ipv4", // the other family, on an interface not tried yet
    "500 rmnet0/ipv6", // IPv6 again, the interface not tried yet
    "750 wlan0/ipv4",
  ]);
});

Deno.test("a failed attempt starts the next candidate at once", () => {
  const { clock, race, started } = setup();
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.answer("eth0/ipv4", "198.18.0.80");
  clock.advance(30);
  race.failed(0, "refused");
  assert.deepEqual(order(started), ["0 wlan0/ipv6", "30 eth0/ipv4"]);
});

Deno.test("the first connection wins: running attempts are cancelled and no timer is left", () => {
  const { clock, race, started, cancelled, result, history } = setup();
  for (const pd of PDS) {
    race.answer(pd.pdId, pd.family === "ipv6" ? "2001:db8:9::80" : "198.18.0.80");
  }
  clock.advance(600); // three attempts running
  assert.equal(race.connected(1, "203.0.113.7"), true);
  const r = result();
  assert.ok(r?.ok);
  assert.equal(r.winner.pdId, "eth0/ipv4");
  assert.equal(r.winner.outcome, "connected");
  assert.equal(r.winner.end, 600);
  assert.deepEqual(cancelled.sort(), [0, 2]);
  assert.equal(clock.pending, 0);
  clock.advance(1000);
  assert.equal(started.length, 3, "nothing starts after the race is decided");
  const outcomes = race.attempts.map((a) => a.outcome);
  assert.deepEqual(outcomes, ["cancelled", "connected", "cancelled"]);
  // The attempt that started earlier and never answered is remembered as failed; the later one is not.
  assert.equal(history.destination("wlan0/ipv6", "2001:db8:9::80", clock.now()), "failed");
  assert.equal(history.destination("rmnet0/ipv6", "2001:db8:9::80", clock.now()), "unknown");
  assert.equal(history.destination("eth0/ipv4", "198.18.0.80", clock.now()), "answered");
  assert.equal(race.connected(0, "2001:db8:1::7"), false, "a late connection is refused");
  assert.equal(race.attempts[0].outcome, "closed");
});

Deno.test("each PD's own connect RTT sets the delay after its attempts; a PD without history keeps 250 ms", () => {
  const history = new PathHistory();
  history.connected("wlan0/ipv6", "2001:db8:9::80", 20, 0); // delay max(100, 20 + 4 × 10) = 100
  history.connected("rmnet0/ipv6", "2001:db8:9::80", 400, 0); // 400 + 4 × 200 = 1200
  const { clock, race, started } = setup(PDS, history);
  for (const pd of PDS) {
    race.answer(pd.pdId, pd.family === "ipv6" ? "2001:db8:9::80" : "198.18.0.80");
  }
  clock.advance(2000);
  assert.deepEqual(order(started), [
    "0 wlan0/ipv6", // answered before, lower RTT: first
    "100 eth0/ipv4", // after wlan0's 100 ms
    "350 rmnet0/ipv6", // after eth0's 250 ms (no history)
    "1550 wlan0/ipv4", // after rmnet0's 1200 ms
  ]);
});

Deno.test("an answer that arrives after every candidate was tried joins the race at once", () => {
  const { clock, race, started } = setup();
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  clock.advance(400); // the delay passed with nothing else to try
  race.answer("eth0/ipv4", "198.18.0.80");
  assert.deepEqual(order(started), ["0 wlan0/ipv6", "400 eth0/ipv4"]);
});

Deno.test("the race fails only when every attempt failed and every translation ended", () => {
  const { race, result } = setup(PDS.slice(0, 2));
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.failed(0, "refused");
  race.resolved("wlan0/ipv6");
  assert.equal(result(), undefined, "wlan0/ipv4 is still resolving");
  race.resolved("wlan0/ipv4", "nxdomain");
  assert.deepEqual(result(), {
    ok: false,
    why: "every attempt failed: 1 refused",
    reason: "not-connected",
  });
});

Deno.test("a race with no attempt says what each PD's translation came to", () => {
  const { race, result } = setup(PDS.slice(0, 3));
  race.resolved("wlan0/ipv6", "timeout");
  race.resolved("wlan0/ipv4", "pd-gone");
  race.resolved("rmnet0/ipv6", "timeout");
  assert.deepEqual(result(), {
    ok: false,
    why: "no PD could translate the name: 2 timeout, 1 pd-gone",
    reason: "not-translated",
  });
});

Deno.test("a race whose answers no PD's source can reach says so (no-source), not 'not translated'", () => {
  const { race, result } = setup(PDS.slice(0, 2));
  race.answer("wlan0/ipv6", "198.18.0.80"); // an IPv6-only PD has no source for it
  race.resolved("wlan0/ipv6");
  race.resolved("wlan0/ipv4");
  const r = result();
  assert.ok(r && !r.ok);
  assert.equal(r.reason, "no-source");
  assert.equal(
    r.why,
    "no PD has a source address for the addresses found: 1 no source, 1 no address",
  );
});

Deno.test("preferred PDs go first and avoided ones only after every other candidate", () => {
  const pds = PDS.map((pd) => ({
    ...pd,
    tier: pd.interfaceId === "eth0" ? 0 : pd.interfaceId === "wlan0" ? 2 : 1,
  }));
  const { clock, race, started } = setup(pds);
  for (const pd of pds) {
    race.answer(pd.pdId, pd.family === "ipv6" ? "2001:db8:9::80" : "198.18.0.80");
  }
  clock.advance(1000);
  assert.deepEqual(order(started), [
    "0 eth0/ipv4", // preferred, though IPv6 would go first by RFC 6724
    "250 rmnet0/ipv6",
    "500 wlan0/ipv4", // avoided: last, families still alternating
    "750 wlan0/ipv6",
  ]);
});

Deno.test("an attempt that started late, after another failed, is not remembered as failed when a later one wins", () => {
  const { clock, race, history } = setup(PDS.slice(0, 2));
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.answer("wlan0/ipv4", "198.18.0.80");
  race.answer("wlan0/ipv6", "2001:db8:9::81");
  clock.advance(250); // 0: wlan0/ipv6 ::80 at 0, 1: wlan0/ipv4 at 250
  race.failed(0, "refused"); // 2: wlan0/ipv6 ::81 starts at once, at 250
  clock.advance(10);
  race.connected(2, "2001:db8:1::7");
  assert.equal(history.destination("wlan0/ipv6", "2001:db8:9::80", clock.now()), "failed");
  assert.equal(history.destination("wlan0/ipv4", "198.18.0.80", clock.now()), "unknown");
  assert.equal(race.ipv6Failed, true);
});

Deno.test("failures that say nothing of the path (pd-gone, no-source-address) are not remembered", () => {
  const { race, history } = setup(PDS.slice(0, 2));
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.failed(0, "pd-gone");
  assert.equal(history.destination("wlan0/ipv6", "2001:db8:9::80", 0), "unknown");
  assert.equal(race.ipv6Failed, false);
});

Deno.test("a TLS failure is remembered against its path, starts the next attempt at once, and names the race's reason", () => {
  const { clock, race, started, history, result } = setup(PDS.slice(0, 2));
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.answer("wlan0/ipv4", "198.18.0.80");
  race.resolved("wlan0/ipv6");
  race.resolved("wlan0/ipv4");
  clock.advance(10);
  race.failed(
    0,
    "tls",
    "Cannot connect to 2001:db8:9::80 port 443 over TLS as www.example: CERT_HAS_EXPIRED: certificate has expired",
  );
  assert.deepEqual(order(started), ["0 wlan0/ipv6", "10 wlan0/ipv4"], "the next one at once");
  assert.equal(history.destination("wlan0/ipv6", "2001:db8:9::80", clock.now()), "failed");
  race.failed(1, "refused");
  const r = result();
  assert.ok(r && !r.ok);
  assert.equal(r.reason, "tls");
  assert.match(
    r.why,
    /^every attempt failed: 1 tls, 1 refused; through wlan0\/ipv6: .*CERT_HAS_EXPIRED/,
  );
});

Deno.test("a destination that failed through a PD in an earlier race goes last", () => {
  const history = new PathHistory();
  history.failed("wlan0/ipv6", "2001:db8:9::80", 0);
  const { clock, race, started } = setup(PDS.slice(0, 2), history);
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.answer("wlan0/ipv4", "198.18.0.80");
  clock.advance(50);
  assert.deepEqual(
    order(started),
    ["0 wlan0/ipv4"],
    "IPv4 first: the IPv6 path was silent last time",
  );
});

Deno.test("a PD that goes away mid-race loses its untried candidates; the others go on", () => {
  const { clock, race, started } = setup();
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.answer("eth0/ipv4", "198.18.0.80");
  race.answer("rmnet0/ipv6", "2001:db8:9::80");
  race.pdGone("eth0/ipv4");
  clock.advance(600);
  assert.deepEqual(order(started), ["0 wlan0/ipv6", "250 rmnet0/ipv6"]);
});

Deno.test("an answer the PD has no source for is not tried (RFC 6724 rule 1)", () => {
  const pds = [{ ...PDS[0], addresses: [] }, PDS[1]];
  const { race, started } = setup(pds);
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.resolved("wlan0/ipv6");
  race.answer("wlan0/ipv4", "198.18.0.80");
  assert.deepEqual(order(started), ["0 wlan0/ipv4"]);
});

Deno.test("stop() cancels running attempts and settles without a winner", () => {
  const { race, cancelled, result } = setup();
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  race.stop("timed out");
  assert.deepEqual(cancelled, [0]);
  assert.deepEqual(result(), { ok: false, why: "timed out" });
  assert.equal(race.attempts[0].outcome, "cancelled");
});

Deno.test("a first answer that failed last time waits up to an attempt delay for a better one", () => {
  const history = new PathHistory();
  history.failed("wlan0/ipv6", "2001:db8:9::80", 0);
  const { clock, race, started } = setup(PDS.slice(0, 2), history);
  race.answer("wlan0/ipv6", "2001:db8:9::80");
  clock.advance(30);
  assert.deepEqual(started, []);
  race.answer("wlan0/ipv4", "198.18.0.80");
  assert.deepEqual(order(started), ["30 wlan0/ipv4"]);
});

Deno.test("an avoided PD's answer waits while a better PD resolves: until it ends, or an attempt delay", () => {
  const pds = PDS.slice(0, 2).map((pd) => ({ ...pd, tier: pd.family === "ipv6" ? 2 : 1 }));
  const ended = setup(pds);
  ended.race.answer("wlan0/ipv6", "2001:db8:9::80");
  ended.clock.advance(100);
  assert.deepEqual(ended.started, []);
  ended.race.resolved("wlan0/ipv4", "nxdomain");
  assert.deepEqual(order(ended.started), ["100 wlan0/ipv6"]);

  const slow = setup(pds);
  slow.race.answer("wlan0/ipv6", "2001:db8:9::80");
  slow.clock.advance(1000);
  assert.deepEqual(order(slow.started), ["250 wlan0/ipv6"]);
});

Deno.test("last race's winner answering the same destination starts at once, without the resolution delay", () => {
  const history = new PathHistory();
  history.connected("wlan0/ipv4", "198.18.0.80", 30, 0);
  const { race, started } = setup(PDS, history, { lastWinner: "wlan0/ipv4" });
  race.answer("wlan0/ipv4", "198.18.0.80");
  assert.deepEqual(
    order(started),
    ["0 wlan0/ipv4"],
    "no 50 ms wait for the IPv6 PDs still resolving",
  );
});

Deno.test("with parallelInterfaces the first attempt on each interface starts at once; within an interface the stagger holds", () => {
  const { clock, race, started } = setup(PDS, new PathHistory(), { parallelInterfaces: true });
  for (const pd of PDS) {
    race.answer(pd.pdId, pd.family === "ipv6" ? "2001:db8:9::80" : "198.18.0.80");
  }
  assert.deepEqual(
    order(started),
    ["0 wlan0/ipv6", "0 rmnet0/ipv6", "0 eth0/ipv4"],
    "one per interface",
  );
  clock.advance(250);
  assert.deepEqual(order(started).at(-1), "250 wlan0/ipv4", "wlan0's second waits the delay");
});

Deno.test("with parallelInterfaces an IPv4 answer waits the resolution delay only for IPv6 of its own interface", () => {
  const { race, started } = setup(PDS, new PathHistory(), { parallelInterfaces: true });
  race.resolved("wlan0/ipv6", "nxdomain");
  race.resolved("wlan0/ipv4", "nxdomain");
  race.answer("eth0/ipv4", "198.18.0.80"); // rmnet0's IPv6 is still resolving, on another interface
  assert.deepEqual(order(started), ["0 eth0/ipv4"]);
});

Deno.test("with parallelInterfaces a metered interface keeps the stagger", () => {
  const pds = PDS.map((pd) => pd.interfaceId === "rmnet0" ? { ...pd, metered: true } : pd);
  const { clock, race, started } = setup(pds, new PathHistory(), { parallelInterfaces: true });
  for (const pd of pds) {
    race.answer(pd.pdId, pd.family === "ipv6" ? "2001:db8:9::80" : "198.18.0.80");
  }
  assert.deepEqual(order(started), ["0 wlan0/ipv6", "0 eth0/ipv4"], "not rmnet0 at once");
  clock.advance(500);
  assert.deepEqual(
    order(started).slice(2).sort(),
    ["250 rmnet0/ipv6", "500 wlan0/ipv4"].sort(),
    "rmnet0 only in the stagger, an attempt delay after another",
  );
});
