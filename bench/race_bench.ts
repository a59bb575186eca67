/**
 * The racing logic's own cost, on the simulated platform (loopback, no
 * delay): ordering and scheduling candidates (connect/race.ts on a
 * hand-moved clock, no I/O), and a whole connect() against the same MIF
 * messages posted by hand (translate-name, then connect-to-address on the
 * first answer) and a bare Deno.connect. The difference between connect()
 * and the hand-made sequence is what racing adds.
 *
 *   npx --yes deno@2 task bench
 */

import {
  type ApiMessage,
  connect,
  type Connected,
  NO_MESSAGE,
  openMif,
  type Subscriber,
} from "../mod.ts";
import { Race, type RacePd } from "../connect/race.ts";
import { PathHistory } from "../connect/path_history.ts";
import { FakeClock } from "../tests/fixtures/fake_clock.ts";
import { TestDnsServer } from "../tests/fixtures/dns_server.ts";
import { TcpPeer } from "../tests/fixtures/tcp_peer.ts";
import { oneLinkScenario } from "../tests/fixtures/helpers.ts";

const forever = (address: string, prefixLength: number) => ({
  address,
  prefixLength,
  validUntil: null,
  preferredUntil: null,
});

/** Eight PDs on four interfaces, each answering five addresses. */
const PDS: RacePd[] = Array.from({ length: 8 }, (_, i) => ({
  pdId: `if${i >> 1}/${i % 2 ? "ipv4" : "ipv6"}`,
  interfaceId: `if${i >> 1}`,
  family: i % 2 ? "ipv4" : "ipv6",
  addresses: [i % 2 ? forever(`198.51.100.${i}`, 24) : forever(`2001:db8:${i}::7`, 64)],
  tier: 1,
}));

Deno.bench("race: order and start 40 candidates of 8 PDs (no I/O)", { group: "race" }, () => {
  const clock = new FakeClock();
  let last = -1;
  const race = new Race(PDS, {
    port: 443,
    attemptDelay: 250,
    history: new PathHistory(),
    clock,
    epochNow: () => 0,
  }, {
    start: (id) => last = id,
    cancel: () => {},
    settled: () => {},
  });
  for (const pd of PDS) {
    for (let k = 0; k < 5; k++) {
      race.answer(pd.pdId, pd.family === "ipv4" ? `203.0.113.${k}` : `2001:db8:ff::${k}`);
    }
  }
  clock.advance(40 * 250);
  if (last !== 39) throw new Error(`Cannot bench: ${last + 1} attempts started`);
  race.connected(39, "198.51.100.1");
});

const NAME = "bench.mif.example";
const peer = new TcpPeer("127.0.0.22");
const dns = await TestDnsServer.start({
  address: "127.0.0.12",
  names: { [NAME]: { a: ["127.0.0.22"] } },
});
const scenario = await Deno.makeTempFile({ suffix: ".json" });
await Deno.writeTextFile(
  scenario,
  JSON.stringify(oneLinkScenario({
    addresses: [{ address: "127.0.0.2", prefixLength: 8, validLifetime: "infinite" }],
    elements: [{ element: "dhcpv4", data: { "dns-servers": [dns.server] } }],
  })),
);
const mif = await openMif({ platform: "sim", scenario, hostsFile: null });
await Deno.remove(scenario);
const sub: Subscriber = mif.subscribe({ name: "by hand" });
let n = 0;

/** Takes the peer's side of each connection, so its queue stays empty. */
(async () => {
  for (;;) (await peer.accept()).conn.close();
})();

async function next(): Promise<ApiMessage> {
  for (;;) {
    const m = sub.get();
    if (m !== NO_MESSAGE) return m;
    await sub.check({ timeout: 5000 });
  }
}

Deno.bench("connect() through the race (sim, one PD, loopback)", { group: "connect" }, async () => {
  const { connection } = await connect(NAME, peer.port, { mif });
  await connection.close();
});

Deno.bench("the same MIF messages by hand, no race", { group: "connect" }, async () => {
  const id = `${n++}`;
  sub.post({ type: "translate-name", pdId: "eth0/ipv4", name: NAME, translationId: id });
  let address: string | undefined;
  for (let m = await next(); m.type !== "name-translation-done"; m = await next()) {
    if (m.type === "name-translation") address = m.address;
  }
  sub.post({
    type: "connect-to-address",
    pdId: "eth0/ipv4",
    address: address!,
    port: peer.port,
    connectionId: id,
  });
  const m = await next();
  if (m.type !== "connected") throw new Error(`Cannot bench: ${JSON.stringify(m)}`);
  await sub.connection((m as Connected).token).close();
});

Deno.bench(
  "Deno.connect to the address, no DNS",
  { group: "connect", baseline: true },
  async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.22", port: peer.port });
    conn.close();
  },
);

globalThis.addEventListener("unload", () => {
  mif.close();
  dns.close();
  peer[Symbol.asyncDispose]();
});
