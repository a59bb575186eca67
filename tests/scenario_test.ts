import assert from "node:assert/strict";
import { loadScenario, parseScenario } from "../mod.ts";
import { oneLinkScenario } from "./helpers.ts";
import laptop from "../platform/sim/laptop.json" with { type: "json" };

type Json = Record<string, unknown>;

const minimal = () => oneLinkScenario();

function refusal(mutate: (s: Json & { interfaces: Json[]; timeline: Json[] }) => void): Error {
  const s = minimal() as Json & { interfaces: Json[]; timeline: Json[] };
  mutate(s);
  try {
    parseScenario(JSON.stringify(s));
  } catch (error) {
    return error as Error;
  }
  throw new Error("the scenario was accepted");
}

// deno-lint-ignore no-explicit-any
const pd0 = (s: any) => s.interfaces[0].pds[0];

Deno.test("the bundled scenario is a laptop with dual-stack Wi-Fi, IPv6-only cellular and a VPN", async () => {
  const s = await loadScenario();
  assert.deepEqual(
    s.interfaces.map((n) => [n.interfaceId, n.interfaceType, n.pds.map((p) => p.family)]),
    [["wlan0", "wifi", ["ipv4", "ipv6"]], ["rmnet0", "cellular", ["ipv6"]], ["tun0", "vpn", [
      "ipv4",
    ]]],
  );
  assert.deepEqual(s.timeline.map((e) => e.event), [
    "link-down",
    "link-up",
    "pd-restore",
    "pd-restore",
  ]);
});

Deno.test("scenario errors name the offending field", () => {
  const cases: [
    string,
    (s: Json & { interfaces: Json[]; timeline: Json[] }) => void,
    RegExp,
    ErrorConstructor,
  ][] = [
    ["missing name", (s) => delete s.name, /^name: must be a non-empty string$/, TypeError],
    [
      "misspelt field",
      (s) => (s.interfaces[0].interfaceID = "x"),
      /^interfaces\[0\]\.interfaceID: unknown field/,
      TypeError,
    ],
    [
      "bad type",
      (s) => (s.interfaces[0].interfaceType = "modem"),
      /^interfaces\[0\]\.interfaceType: must be one of/,
      TypeError,
    ],
    [
      "real address",
      (s) => (pd0(s).addresses[0].address = "198.51.100.7"),
      /^interfaces\[0\]\.pds\[0\]\.addresses\[0\]\.address: "198\.51\.100\.7" is not a loopback address/,
      RangeError,
    ],
    [
      "wrong family",
      (s) => (pd0(s).addresses[0].address = "::1"),
      /^interfaces\[0\]\.pds\[0\]\.addresses\[0\]\.address: "::1" is not an ipv4 address$/,
      TypeError,
    ],
    [
      "bad prefix",
      (s) => (pd0(s).addresses[0].prefixLength = 33),
      /^interfaces\[0\]\.pds\[0\]\.addresses\[0\]\.prefixLength: must be from 0 to 32$/,
      RangeError,
    ],
    [
      "preferred beyond valid",
      (s) => (pd0(s).addresses[0].preferredLifetime = 61),
      /^interfaces\[0\]\.pds\[0\]\.addresses\[0\]\.preferredLifetime: must not exceed validLifetime$/,
      RangeError,
    ],
    [
      "bad lifetime",
      (s) => (pd0(s).addresses[0].validLifetime = "forever"),
      /^interfaces\[0\]\.pds\[0\]\.addresses\[0\]\.validLifetime: must be an integer$/,
      TypeError,
    ],
    [
      "real DNS server",
      (s) => (pd0(s).elements[0].data["dns-servers"] = ["127.0.0.1", "203.0.113.53"]),
      /^interfaces\[0\]\.pds\[0\]\.elements\[0\]\.data\.dns-servers\[1\]: "203\.0\.113\.53" is not a loopback address/,
      RangeError,
    ],
    [
      "bad element",
      (s) => (pd0(s).elements[0].element = "dhcp"),
      /^interfaces\[0\]\.pds\[0\]\.elements\[0\]\.element: must be one of/,
      TypeError,
    ],
    [
      "duplicate element",
      (s) => pd0(s).elements.push({ element: "dhcpv4" }),
      /^interfaces\[0\]\.pds\[0\]\.elements\[1\]\.element: duplicate "dhcpv4"$/,
      TypeError,
    ],
    [
      "bad mtu",
      (s) => (pd0(s).elements[0].data.mtu = 10),
      /^interfaces\[0\]\.pds\[0\]\.elements\[0\]\.data\.mtu: must be from 68 to 65535$/,
      RangeError,
    ],
    [
      "duplicate PD",
      (s) => s.interfaces.push({ interfaceId: "eth1", interfaceType: "wired", pds: [pd0(s)] }),
      /^interfaces\[1\]\.pds\[0\]: provisioning domain "eth0\/ipv4" already exists$/,
      TypeError,
    ],
    [
      "PDs on a down link",
      (s) => (s.interfaces[0].operState = "down"),
      /^interfaces\[0\]\.pds: an interface that is down has no provisioning domains$/,
      TypeError,
    ],
    [
      "unknown event",
      (s) => s.timeline.push({ at: 1, event: "explode" }),
      /^timeline\[0\]\.event: must be one of/,
      TypeError,
    ],
    [
      "unknown interface in an event",
      (s) => s.timeline.push({ at: 1, event: "link-down", interfaceId: "eth9" }),
      /^timeline\[0\]\.interfaceId: no interface "eth9" at that time$/,
      TypeError,
    ],
    [
      "restore of an unknown PD",
      (s) => s.timeline.push({ at: 1, event: "pd-restore", pdId: "x" }),
      /^timeline\[0\]\.pdId: no provisioning domain "x" was defined before$/,
      TypeError,
    ],
    [
      "restore of a present PD",
      (s) => s.timeline.push({ at: 1, event: "pd-restore", pdId: "eth0/ipv4" }),
      /^timeline\[0\]\.pdId: provisioning domain "eth0\/ipv4" already exists$/,
      TypeError,
    ],
    [
      "events out of order",
      (s) =>
        s.timeline.push({ at: 5, event: "link-up", interfaceId: "eth0" }, {
          at: 1,
          event: "link-up",
          interfaceId: "eth0",
        }),
      /^timeline\[1\]\.at: events must be in time order$/,
      RangeError,
    ],
    [
      "removing an expired address",
      (s) =>
        s.timeline.push({
          at: 61_000,
          event: "address-remove",
          pdId: "eth0/ipv4",
          address: "127.0.0.2",
        }),
      /^timeline\[0\]\.address: "127\.0\.0\.2" is not an address of "eth0\/ipv4" at that time$/,
      TypeError,
    ],
    [
      "PD added to a link that is down",
      (s) =>
        s.timeline.push({ at: 1, event: "link-down", interfaceId: "eth0" }, {
          at: 2,
          event: "pd-restore",
          pdId: "eth0/ipv4",
        }),
      /^timeline\[1\]\.pdId: interface "eth0" is down at that time$/,
      TypeError,
    ],
    [
      "value nested too deeply",
      (s) => (pd0(s).elements[0].data.blob = [[[[[[[[[[1]]]]]]]]]]),
      /^interfaces\[0\]\.pds\[0\]\.elements\[0\]\.data\.blob: is nested too deeply$/,
      TypeError,
    ],
    [
      "value too large",
      (s) => (pd0(s).elements[0].data.blob = Array(10_001).fill(0)),
      /^interfaces\[0\]\.pds\[0\]\.elements\[0\]\.data\.blob: is too large$/,
      TypeError,
    ],
    [
      "event with a stray field",
      (s) => s.timeline.push({ at: 1, event: "link-down", interfaceId: "eth0", pdId: "x" }),
      /^timeline\[0\]\.pdId: unknown field/,
      TypeError,
    ],
  ];
  for (const [what, mutate, message, kind] of cases) {
    const error = refusal(mutate);
    assert(error instanceof kind, `${what}: ${error.name} ${error.message}`);
    assert.match(error.message, message, what);
  }
});

Deno.test("a scenario that is not JSON is a SyntaxError", () => {
  assert.throws(
    () => parseScenario("{ nope"),
    (e: Error) => e instanceof SyntaxError && /^Cannot parse scenario: /.test(e.message),
  );
});

Deno.test("loading a scenario file names the file in its errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mif-scenario-" });
  try {
    const bad = `${dir}/bad.json`;
    const s = structuredClone(laptop) as unknown as Json & { interfaces: Json[] };
    (s.interfaces[1] as Json).interfaceType = "modem";
    await Deno.writeTextFile(bad, JSON.stringify(s));
    await assert.rejects(loadScenario(bad), (e: Error) =>
      e instanceof TypeError &&
      e.message ===
        `Cannot load scenario ${bad}: interfaces[1].interfaceType: must be one of "wired", "wifi", "cellular", "vpn", "loopback", "bridge", "virtual", "other"`);
    await assert.rejects(
      loadScenario(`${dir}/missing.json`),
      (e: Error) =>
        e instanceof Deno.errors.NotFound &&
        e.message === `Cannot load scenario ${dir}/missing.json: no such file`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
