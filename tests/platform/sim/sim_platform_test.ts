import assert from "node:assert/strict";
import dgram from "node:dgram";
// @ts-types="npm:@types/dns-packet@5.6.5"
import type dnsPacket from "npm:dns-packet@5.6.1";
import { brief, drain, next, oneLinkScenario, until } from "../../fixtures/helpers.ts";
import {
  askDns,
  BIG,
  GREETING,
  hostPort,
  lowPortsAllowed,
  servedScenario,
} from "../../fixtures/sim_served.ts";
import { openMif, parseScenario, SimPlatform } from "../../../mod.ts";
import { RETRY_INTERVAL } from "../../../platform/sim/sim_listeners.ts";
import type { PlatformEvent } from "../../../platform/types.ts";

const scenario = parseScenario(JSON.stringify(oneLinkScenario(
  { addresses: [{ address: "127.0.0.2", prefixLength: 8 }] },
  [
    { at: 10, event: "link-down", interfaceId: "eth0" },
    { at: 20, event: "link-up", interfaceId: "eth0" },
    { at: 30, event: "pd-restore", pdId: "eth0/ipv4" },
    {
      at: 40,
      event: "address-add",
      pdId: "eth0/ipv4",
      address: { address: "127.0.0.9", validLifetime: 1 },
    },
    {
      at: 50,
      event: "interface-add",
      interface: { interfaceId: "usb0", interfaceType: "cellular" },
    },
  ],
)));

Deno.test("the sim platform plays its timeline: advisories first, then the new state", async () => {
  const platform = new SimPlatform(scenario);
  const events: PlatformEvent[] = [];
  const initial = await platform.start((e) => events.push(e));
  assert.deepEqual(initial.interfaces.map((n) => n.pds.length), [1]);
  await new Promise((r) => setTimeout(r, 120));
  await platform.close();
  assert.deepEqual(
    events.map((e) =>
      e.type === "snapshot"
        ? `snapshot ${
          e.snapshot.interfaces.map((n) => `${n.interfaceId}:${n.operState}:${n.pds.length}`)
        }`
        : `${e.type} ${e.interfaceId}`
    ),
    [
      "interface-going-away eth0",
      "snapshot eth0:down:0",
      "interface-going-up eth0",
      "snapshot eth0:up:0",
      "snapshot eth0:up:1",
      "snapshot eth0:up:1",
      "snapshot eth0:up:1,usb0:up:0",
    ],
  );
});

Deno.test("sim addresses expire when their valid lifetime runs out", async () => {
  const expiring = parseScenario(JSON.stringify(oneLinkScenario({
    addresses: [
      { address: "127.0.0.2", validLifetime: "infinite" },
      { address: "127.0.0.9", validLifetime: 1 },
    ],
  })));
  await using mif = await openMif({ platform: new SimPlatform(expiring) });
  const sub = mif.subscribe();
  sub.post({ type: "announce-addresses", pdId: "eth0/ipv4" });
  assert.deepEqual(brief(drain(sub)), [
    "address-announcement eth0/ipv4 127.0.0.2",
    "address-announcement eth0/ipv4 127.0.0.9",
  ]);
  const expired = await next(sub, 5000);
  assert.deepEqual(brief([expired]), ["no-address-announcement eth0/ipv4 127.0.0.9"]);
});

Deno.test("a closed sim platform stops its timeline", async () => {
  const platform = new SimPlatform(scenario);
  const events: PlatformEvent[] = [];
  await platform.start((e) => events.push(e));
  await platform.close();
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(events, []);
  await assert.rejects(platform.start(() => {}), Deno.errors.BadResource);
});

Deno.test("starting a sim platform twice is refused with InvalidStateError", async () => {
  const platform = new SimPlatform(scenario);
  await platform.start(() => {});
  await assert.rejects(platform.start(() => {}), { name: "InvalidStateError" });
  await platform.close();
});

// --- The scenario's own DNS servers and services ---------------------------------------------

/** Starts a sim platform on a served scenario; it is closed when the returned value is disposed. */
async function served(timeline: unknown[] = []) {
  const s = await servedScenario(timeline);
  const platform = new SimPlatform(parseScenario(JSON.stringify(s.scenario)));
  const events: PlatformEvent[] = [];
  try {
    const initial = await platform.start((e) => events.push(e));
    return { ...s, platform, initial, events, [Symbol.asyncDispose]: () => platform.close() };
  } catch (error) {
    await platform.close();
    throw error;
  }
}

/** The rcode, the TC flag and the answers' data of a DNS reply. */
function summary(reply: dnsPacket.DecodedPacket) {
  return {
    rcode: (reply as { rcode?: string }).rcode,
    tc: reply.flag_tc,
    aa: reply.flag_aa,
    answers: (reply.answers ?? []).map((a) =>
      `${a.type} ${"data" in a ? a.data : ""} ${"ttl" in a ? a.ttl : ""}`
    ),
  };
}

/** Whether a TCP and UDP socket can bind there now. */
async function bindable(host: string, port: number): Promise<boolean> {
  try {
    Deno.listen({ hostname: host, port }).close();
  } catch {
    return false;
  }
  const udp = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  return await new Promise((resolve) => {
    udp.once("error", () => {
      udp.close();
      resolve(false);
    });
    udp.bind({ address: host, port, exclusive: true }, () => udp.close(() => resolve(true)));
  });
}

/** Reads a connection to its end, and closes it (also when reading fails). */
async function readAll(conn: Deno.Conn): Promise<string> {
  try {
    return await new Response(conn.readable).text();
  } finally {
    release(conn);
  }
}

/** Closes a connection unless reading it to its end closed it already. */
function release(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}

Deno.test("the sim DNS servers answer A and AAAA from the scenario's names table", async () => {
  await using s = await served();
  assert.deepEqual(summary(await askDns("udp", s.eth0Dns, "www.example", "A")), {
    rcode: "NOERROR",
    tc: false,
    aa: true,
    answers: ["A 127.0.0.1 60"],
  });
  assert.deepEqual(summary(await askDns("udp", s.wlan0Dns, "WWW.Example.", "AAAA")), {
    rcode: "NOERROR",
    tc: false,
    aa: true,
    answers: ["AAAA ::1 60"],
  });
  assert.deepEqual(
    summary(await askDns("tcp", s.wlan0Dns, "www.example", "A")).answers,
    ["A 127.0.0.1 60"],
  );
});

Deno.test("a sim DNS server answers NXDOMAIN for a name it does not know, or that only other servers know", async () => {
  await using s = await served();
  const rcode = async (server: string, name: string) =>
    summary(await askDns("udp", server, name, "A")).rcode;
  assert.equal(await rcode(s.eth0Dns, "missing.example"), "NXDOMAIN");
  assert.equal(await rcode(s.wlan0Dns, "eth0only.example"), "NXDOMAIN");
  assert.equal(await rcode(s.eth0Dns, "eth0only.example"), "NOERROR");
});

Deno.test("a name without records of the asked type is NODATA: NOERROR and no answers", async () => {
  await using s = await served();
  for (const [name, type] of [["v4only.example", "AAAA"], ["www.example", "MX"]] as const) {
    assert.deepEqual(summary(await askDns("udp", s.eth0Dns, name, type)), {
      rcode: "NOERROR",
      tc: false,
      aa: true,
      answers: [],
    }, `${name} ${type}`);
  }
});

Deno.test("an answer too long for UDP comes truncated (TC, no records), and whole over TCP", async () => {
  await using s = await served();
  const udp = summary(await askDns("udp", s.eth0Dns, "big.example", "A"));
  assert.deepEqual(udp, { rcode: "NOERROR", tc: true, aa: true, answers: [] });
  const tcp = summary(await askDns("tcp", s.eth0Dns, "big.example", "A"));
  assert.equal(tcp.tc, false);
  assert.equal(tcp.answers.length, BIG);
  assert.equal(tcp.answers[BIG - 1], `A 127.0.1.${BIG} 5`);
});

Deno.test("PD workers resolve through their own sim DNS server, falling back to TCP for a truncated answer", async () => {
  const s = await servedScenario();
  const file = await Deno.makeTempFile({ prefix: "mif-served-", suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(s.scenario));
    await using mif = await openMif({
      platform: "sim",
      scenario: file,
      workerPermissions: "net",
      hostsFile: null,
      dnsTimeout: 1000,
    });
    const sub = mif.subscribe();
    const ask = (pdId: string, name: string, translationId: string) =>
      sub.post({ type: "translate-name", pdId, name, translationId });
    ask("eth0/ipv4", "www.example", "eth0 www");
    ask("wlan0/ipv6", "www.example", "wlan0 www");
    ask("eth0/ipv4", "big.example", "eth0 big");
    ask("wlan0/ipv6", "eth0only.example", "wlan0 eth0only");
    ask("wlan0/ipv6", "v4only.example", "wlan0 v4only");
    const open = new Set(["eth0 www", "wlan0 www", "eth0 big", "wlan0 eth0only", "wlan0 v4only"]);
    const answers = new Map<string, string[]>();
    const ends = new Map<string, string>();
    while (open.size > 0) {
      const m = await next(sub, 10_000);
      if (m.type === "name-translation") {
        const id = String(m.translationId);
        answers.set(id, [...answers.get(id) ?? [], `${m.address} from ${m.server}`]);
      } else if (m.type === "name-translation-done") {
        ends.set(String(m.translationId), m.reason ?? "done");
        open.delete(String(m.translationId));
      }
    }
    assert.deepEqual(answers.get("eth0 www")?.sort(), [
      `127.0.0.1 from ${s.eth0Dns}`,
      `::1 from ${s.eth0Dns}`,
    ]);
    assert.deepEqual(answers.get("wlan0 www")?.sort(), [
      `127.0.0.1 from ${s.wlan0Dns}`,
      `::1 from ${s.wlan0Dns}`,
    ]);
    assert.equal(answers.get("eth0 big")?.length, BIG, "all records, over TCP");
    assert.deepEqual(answers.get("wlan0 v4only"), [`127.0.0.1 from ${s.wlan0Dns}`]);
    assert.equal(answers.get("wlan0 eth0only"), undefined);
    assert.deepEqual(Object.fromEntries(ends), {
      "eth0 www": "done",
      "wlan0 www": "done",
      "eth0 big": "done",
      "wlan0 eth0only": "nxdomain",
      "wlan0 v4only": "done",
    });
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("sim services: one writes its reply and ends, one without a reply echoes until the client ends", async () => {
  await using s = await served();
  for (const hostname of ["127.0.0.1", "::1"]) {
    const conn = await Deno.connect({ hostname, port: s.replyPort });
    assert.equal(await readAll(conn), GREETING, hostname);
  }
  const echo = await Deno.connect({ hostname: "127.0.0.1", port: s.echoPort });
  try {
    const writer = echo.writable.getWriter();
    await writer.write(new TextEncoder().encode("ping"));
    writer.releaseLock();
    await echo.closeWrite();
    assert.equal(await readAll(echo), "ping");
  } finally {
    release(echo);
  }
});

Deno.test("closing the sim platform closes its DNS servers, its services and their open connections", async () => {
  const s = await served([{ at: 60_000, event: "link-down", interfaceId: "wlan0" }]);
  const conns: Deno.Conn[] = [];
  try {
    const echo = await Deno.connect({ hostname: "127.0.0.1", port: s.echoPort });
    conns.push(echo);
    const dns = await Deno.connect(hostPort(s.eth0Dns));
    conns.push(dns);
    await s.platform.close();
    assert.equal(await readAll(echo), "", "the open echo connection ends");
    assert.equal(await readAll(dns), "", "the open DNS connection ends");
    const ports: [string, number][] = [
      ["127.0.0.1", hostPort(s.eth0Dns).port],
      ["::1", hostPort(s.wlan0Dns).port],
      ["127.0.0.1", s.replyPort],
      ["::1", s.replyPort],
      ["127.0.0.1", s.echoPort],
    ];
    for (const [host, port] of ports) {
      assert.ok(await bindable(host, port), `${host} port ${port} is free`);
    }
  } finally {
    conns.forEach(release);
    await s.platform.close();
  }
});

Deno.test("disposing a Mif on the sim platform while its timeline still runs leaves nothing listening", async () => {
  const s = await servedScenario([{ at: 60_000, event: "link-down", interfaceId: "wlan0" }]);
  const file = await Deno.makeTempFile({ prefix: "mif-served-", suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(s.scenario));
    {
      await using mif = await openMif({ platform: "sim", scenario: file, hostsFile: null });
      assert.deepEqual(mif.status().notes, []);
      const conn = await Deno.connect({ hostname: "::1", port: s.replyPort });
      assert.equal(await readAll(conn), GREETING);
    }
    await assert.rejects(
      Deno.connect({ hostname: "::1", port: s.replyPort }),
      Deno.errors.ConnectionRefused,
    );
    assert.ok(await bindable("127.0.0.1", hostPort(s.eth0Dns).port));
    assert.ok(await bindable("::1", hostPort(s.wlan0Dns).port));
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("a sim port in use becomes a note in every snapshot and in mif.status(), and the rest still runs", async () => {
  const s = await servedScenario([{ at: 30, event: "link-down", interfaceId: "wlan0" }]);
  const dnsPort = hostPort(s.eth0Dns).port;
  // Another program holds eth0's DNS port (UDP) and the IPv4 reply service's port.
  const udp = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => udp.bind({ address: "127.0.0.1", port: dnsPort }, resolve));
  const taken = Deno.listen({ hostname: "127.0.0.1", port: s.replyPort });
  const file = await Deno.makeTempFile({ prefix: "mif-served-", suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(s.scenario));
    const inUse =
      /^Cannot listen: the port is in use \(another program, or another mif playing this scenario, listens there\)$/;
    const check = (notes: readonly { source: string; reason: string }[] | undefined) => {
      assert.deepEqual(notes?.map((n) => n.source), [
        `sim DNS server ${s.eth0Dns}`,
        `sim service 127.0.0.1:${s.replyPort}`,
      ]);
      for (const note of notes!) assert.match(note.reason, inUse);
    };
    const platform = new SimPlatform(parseScenario(JSON.stringify(s.scenario)));
    const events: PlatformEvent[] = [];
    try {
      check((await platform.start((e) => events.push(e))).notes);
      const wlan0 = await askDns("udp", s.wlan0Dns, "www.example", "AAAA");
      assert.deepEqual(summary(wlan0).answers, ["AAAA ::1 60"], "the other DNS server runs");
      const conn = await Deno.connect({ hostname: "::1", port: s.replyPort });
      assert.equal(await readAll(conn), GREETING, "the other service runs");
      await until(() => events.some((e) => e.type === "snapshot"));
      for (const e of events) if (e.type === "snapshot") check(e.snapshot.notes);
    } finally {
      await platform.close();
    }
    await using mif = await openMif({ platform: "sim", scenario: file, hostsFile: null });
    check(mif.status().notes);
  } finally {
    taken.close();
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await Deno.remove(file);
  }
});

Deno.test("a scenario without a names table runs no DNS server", async () => {
  const s = await servedScenario();
  const { names: _, ...unnamed } = s.scenario;
  await using platform = new SimPlatform(parseScenario(JSON.stringify(unnamed)));
  const initial = await platform.start(() => {});
  assert.equal(initial.notes, undefined);
  assert.ok(await bindable("127.0.0.1", hostPort(s.eth0Dns).port));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.replyPort });
  assert.equal(await readAll(conn), GREETING, "its services still run");
});

Deno.test({
  name: "a sim port below 1024 without privileges is a note that says how to allow it",
  ignore: lowPortsAllowed(),
  async fn() {
    const scenario = parseScenario(JSON.stringify({
      name: "low",
      interfaces: [],
      services: [{ address: "127.0.0.1", port: 81, reply: "x" }],
    }));
    await using platform = new SimPlatform(scenario);
    const { notes } = await platform.start(() => {});
    assert.equal(notes?.[0].source, "sim service 127.0.0.1:81");
    assert.match(notes![0].reason, /ports below 1024 need privileges on Linux/);
  },
});

Deno.test("a sim platform closed while it starts refuses to start and leaves nothing listening", async () => {
  const s = await servedScenario();
  const platform = new SimPlatform(parseScenario(JSON.stringify(s.scenario)));
  try {
    const refused = assert.rejects(platform.start(() => {}), Deno.errors.BadResource);
    await platform.close();
    await refused;
    assert.ok(await bindable("127.0.0.1", s.replyPort));
    assert.ok(await bindable("127.0.0.1", hostPort(s.eth0Dns).port));
  } finally {
    await platform.close();
  }
});

Deno.test("a sim port in use is taken over once it frees up, and a snapshot without its note follows", async () => {
  const s = await servedScenario();
  let taken: Deno.Listener | undefined = Deno.listen({ hostname: "::1", port: s.replyPort });
  const platform = new SimPlatform(parseScenario(JSON.stringify(s.scenario)));
  try {
    const events: PlatformEvent[] = [];
    const initial = await platform.start((e) => events.push(e));
    assert.deepEqual(initial.notes?.map((n) => n.source), [`sim service [::1]:${s.replyPort}`]);
    taken.close();
    taken = undefined;
    await until(() => events.length > 0, 3 * RETRY_INTERVAL);
    assert.deepEqual(events.map((e) => e.type === "snapshot" && e.snapshot.notes), [undefined]);
    const conn = await Deno.connect({ hostname: "::1", port: s.replyPort });
    assert.equal(await readAll(conn), GREETING);
  } finally {
    taken?.close();
    await platform.close();
  }
});
