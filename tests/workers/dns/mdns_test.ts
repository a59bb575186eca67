/**
 * mDNS for `.local` names: the pure parts (which names, the route, who is on
 * the link), then a real multicast exchange between two network namespaces
 * this test creates (veth, 198.51.100.0/24 and fe80::/64): the responder
 * fixture in one, worker-side translations in the other, whose unicast DNS
 * server must never hear of a `.local` name. Needs root (CI runs as root).
 */

import assert from "node:assert/strict";
import { isLocalName, mdnsRoute, onLink } from "../../../workers/dns/mdns_link.ts";
import { testbedTest } from "../../testbed/prerequisites.ts";
import { FORGED_ADDRESS, FORGED_ADDRESS_V6 } from "../../fixtures/mdns_responder.ts";
import type {
  TranslateClientInput,
  TranslateClientOutput,
} from "../../fixtures/translate_client.ts";
import type { TranslationEvent } from "../../../workers/dns/translate_name.ts";

const a = (address: string, prefixLength: number) => ({
  address,
  prefixLength,
  validUntil: null,
  preferredUntil: null,
});

Deno.test("names under local belong to mDNS, whatever their case or trailing dot", () => {
  assert.ok(isLocalName("lamp.local") && isLocalName("LAMP.Local.") && isLocalName("local"));
  assert.ok(!isLocalName("lamp.localhost") && !isLocalName("local.example"));
});

Deno.test("an IPv6 PD asks ff02::fb on its interface from its best address", () => {
  assert.deepEqual(mdnsRoute("eth0", [a("2001:db8::7", 64), a("fe80::7", 64)], Date.now()), {
    family: "ipv6",
    source: "fe80::7%eth0",
    group: "ff02::fb%eth0",
    multicastInterface: "::%eth0",
  });
  const expired = { ...a("198.51.100.7", 24), validUntil: 1, preferredUntil: 1 };
  assert.equal(mdnsRoute("eth0", [expired], Date.now()), undefined);
});

Deno.test("answers are taken from the PD's prefixes and its link-local scope only", () => {
  const v6 = [a("2001:db8:1::7", 64)];
  assert.ok(onLink("2001:db8:1::9", "eth0", v6));
  assert.ok(!onLink("2001:db8:2::9", "eth0", v6));
  assert.ok(onLink("fe80::9", "eth0", v6) && onLink("fe80::9%3", "eth0", v6));
  assert.ok(!onLink("fe80::9%wlan0", "eth0", v6));
  assert.ok(!onLink("198.51.100.9", "eth0", v6), "no IPv4 prefix");
  assert.ok(!onLink("not an address", "eth0", v6));
});

const NS_A = `mifmdns${Deno.pid}a`;
const NS_B = `mifmdns${Deno.pid}b`;

async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command(args[0], { args: args.slice(1), stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`Cannot run ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Two namespaces joined by veth mdns0 (A: 198.51.100.1, fe80::1) – mdns1 (B: .2, fe80::2). */
async function makeLink(): Promise<void> {
  await run(["ip", "netns", "add", NS_A]);
  await run(["ip", "netns", "add", NS_B]);
  await run([
    "ip",
    "-n",
    NS_A,
    "link",
    "add",
    "mdns0",
    "type",
    "veth",
    "peer",
    "name",
    "mdns1",
    "netns",
    NS_B,
  ]);
  for (const [ns, dev, v4, v6] of [[NS_A, "mdns0", "1", "1"], [NS_B, "mdns1", "2", "2"]]) {
    await run(["ip", "-n", ns, "link", "set", "lo", "up"]);
    await run(["ip", "-n", ns, "link", "set", dev, "addrgenmode", "none"]);
    await run(["ip", "-n", ns, "addr", "add", `198.51.100.${v4}/24`, "dev", dev]);
    await run(["ip", "-n", ns, "addr", "add", `fe80::${v6}/64`, "dev", dev, "nodad"]);
    await run(["ip", "-n", ns, "link", "set", dev, "up"]);
  }
  for (let i = 0; i < 100; i++) {
    const state = await run(["ip", "-n", NS_A, "link", "show", "mdns0"]);
    if (state.includes("LOWER_UP")) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("Cannot set up the mDNS link: mdns0 never came up");
}

async function removeLink(): Promise<void> {
  for (const ns of [NS_A, NS_B]) {
    const pids = await run(["ip", "netns", "pids", ns]).catch(() => "");
    for (const pid of pids.split("\n").filter(Boolean)) {
      try {
        Deno.kill(Number(pid), "SIGKILL");
      } catch { /* already gone */ }
    }
    await run(["ip", "netns", "del", ns]).catch(() => {});
  }
}

/** Starts the responder fixture in namespace B and waits for "listening". */
async function responder(args: string[]): Promise<Deno.ChildProcess> {
  const script = new URL("../../fixtures/mdns_responder.ts", import.meta.url).pathname;
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", NS_B, Deno.execPath(), "run", "-A", script, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("listening")) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`Cannot start the mDNS responder: it printed ${JSON.stringify(text)}`);
    }
    text += value;
  }
  reader.releaseLock();
  return child;
}

async function translateInA(input: TranslateClientInput): Promise<TranslateClientOutput> {
  const script = new URL("../../fixtures/translate_client.ts", import.meta.url).pathname;
  const out = await run([
    "ip",
    "netns",
    "exec",
    NS_A,
    Deno.execPath(),
    "run",
    "-A",
    script,
    JSON.stringify(input),
  ]);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

const addresses = (events: TranslationEvent[]) =>
  events.flatMap((e) => e.type === "address" ? [`${e.address} ${e.server} ${e.name}`] : []).sort();

function unavailable(): string | undefined {
  if (Deno.build.os !== "linux") return "mDNS namespaces need Linux";
  if (Deno.uid() !== 0) return "creating network namespaces needs root";
  return undefined;
}

testbedTest(
  "lamp.local is answered by mDNS on the PD's link only, never asked of its DNS server",
  unavailable(),
  async () => {
    await removeLink();
    const children: Deno.ChildProcess[] = [];
    try {
      await makeLink();
      const table = ["lamp.local=198.51.100.2", "lamp.local=2001:db8::2"];
      children.push(await responder(["--forge", "198.51.100.2", ...table]));
      children.push(await responder(["fe80::2%mdns1", ...table]));
      const v4 = await translateInA({
        dnsAddress: "198.51.100.1",
        dnsNames: { "www.isp1.test": { a: ["198.51.100.80"] } },
        interfaceId: "mdns0",
        addresses: [{ address: "198.51.100.1", prefixLength: 24 }],
        searchDomains: ["isp1.test"],
        mdnsSingleLabel: true,
        timeout: 700,
        names: [
          { name: "lamp.local" },
          { name: "www", family: "ipv4" },
          { name: "ghost.local", family: "ipv4" },
          { name: "lamp", family: "ipv4" },
        ],
      });
      const [lamp, www, ghost, single] = v4.results;
      assert.deepEqual(addresses(lamp), [
        "198.51.100.2 mdns lamp.local",
        "2001:db8::2 mdns lamp.local",
      ], "A and AAAA over IPv4 mDNS; forged answers (another ID or question) dropped");
      assert.deepEqual(lamp.at(-1), { type: "done" });
      assert.match(addresses(www).join(), /^198\.51\.100\.80 198\.51\.100\.1:\d+ www\.isp1\.test$/);
      const ghostDone = ghost.at(-1);
      assert.ok(
        ghostDone?.type === "done" && ghostDone.reason === "timeout",
        JSON.stringify(ghost),
      );
      assert.deepEqual(
        addresses(single),
        ["198.51.100.2 mdns lamp.local"],
        "mdnsSingleLabel: lamp → lamp.local",
      );
      for (const events of v4.results) {
        assert.ok(!JSON.stringify(events).includes(FORGED_ADDRESS), JSON.stringify(events));
      }
      assert.ok(v4.dnsQueries.length > 0, "the unicast server was asked for the other names");
      assert.deepEqual(v4.dnsQueries.filter((q) => /\.local$/i.test(q.name)), [], "RFC 6762 §22");

      const v6 = await translateInA({
        dnsAddress: "127.0.0.53",
        dnsNames: {},
        interfaceId: "mdns0",
        addresses: [{ address: "fe80::1", prefixLength: 64 }],
        timeout: 700,
        names: [{ name: "lamp.local", family: "ipv6" }, { name: "lamp.local", family: "ipv4" }],
      });
      assert.deepEqual(addresses(v6.results[0]), ["2001:db8::2 mdns lamp.local"]);
      assert.deepEqual(addresses(v6.results[1]), ["198.51.100.2 mdns lamp.local"]);
      assert.ok(!JSON.stringify(v6.results).includes(FORGED_ADDRESS_V6));
      assert.deepEqual(v6.dnsQueries, []);
    } finally {
      for (const child of children) {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        await child.status;
      }
      await removeLink();
    }
  },
);
