import assert from "node:assert/strict";
import { loadScenario, parseScenario } from "../../../mod.ts";
import { oneLinkScenario } from "../../fixtures/helpers.ts";
import { scenarioDnsServers } from "../../../platform/sim/scenario_names.ts";
import laptop from "../../../platform/sim/laptop.json" with { type: "json" };

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
  assert.deepEqual(s.timeline.map((e) => [e.at, e.event]), [
    [5000, "link-down"],
    [5500, "link-up"],
    [6000, "pd-restore"],
    [6500, "pd-restore"],
  ]);
});

Deno.test("the bundled scenario serves www.example from a DNS server per PD, and greetings on ports 80 and 8080", async () => {
  const s = await loadScenario();
  assert.deepEqual(scenarioDnsServers(s.interfaces, s.timeline), [
    "127.0.0.1:5301",
    "[::1]:5302",
    "[::1]:5303",
    "127.0.0.1:5304",
  ]);
  assert.deepEqual(s.names?.["www.example"], { a: ["127.0.0.1"], aaaa: ["::1"], ttl: 60 });
  assert.deepEqual(s.names?.["intranet.corp.example"]?.servers, ["127.0.0.1:5304"]);
  assert.deepEqual(
    s.services?.map((x) => `${x.address} ${x.port} ${JSON.stringify(x.reply)}`),
    [
      `127.0.0.1 80 "hello from the sim\\n"`,
      `::1 80 "hello from the sim\\n"`,
      `127.0.0.1 8080 "hello from the sim\\n"`,
      `::1 8080 "hello from the sim\\n"`,
    ],
  );
});

Deno.test("a names table is read case-insensitively, without trailing dots, with defaults", () => {
  const s = parseScenario(JSON.stringify({
    ...minimal(),
    names: {
      "WWW.Example.": { a: ["127.0.0.1", "127.1.2.3"], aaaa: ["0:0:0:0:0:0:0:1"], ttl: 0 },
      "only.example": { servers: ["127.0.0.53"] },
    },
    services: [{ address: "127.0.0.1", port: 8080 }],
  }));
  assert.deepEqual(s.names, {
    "www.example": { a: ["127.0.0.1", "127.1.2.3"], aaaa: ["::1"], ttl: 0 },
    "only.example": { a: [], aaaa: [], ttl: 300, servers: ["127.0.0.53:53"] },
  });
  assert.deepEqual(s.services, [{ address: "127.0.0.1", port: 8080 }]);
  const later = parseScenario(JSON.stringify({
    ...oneLinkScenario({}, [{
      at: 100,
      event: "element-set",
      pdId: "eth0/ipv4",
      element: { element: "dhcpv4", data: { "dns-servers": ["127.0.0.1:5399"] } },
    }]),
    names: { "late.example": { a: ["127.0.0.1"], servers: ["127.0.0.1:5399"] } },
  }));
  assert.deepEqual(
    later.names?.["late.example"].servers,
    ["127.0.0.1:5399"],
    "a timeline's server",
  );
  const none = parseScenario(JSON.stringify(minimal()));
  assert.equal(none.names, undefined);
  assert.equal(none.services, undefined);
});

Deno.test("names and services errors name the offending field", () => {
  const name = (entry: unknown) => (s: Json) => (s.names = { "www.example": entry });
  const service =
    (entry: Json) => (s: Json) => (s.services = [{ address: "127.0.0.1", port: 8080, ...entry }]);
  const cases: [string, (s: Json) => void, RegExp, ErrorConstructor][] = [
    ["names not an object", (s) => (s.names = []), /^names: must be an object$/, TypeError],
    [
      "not a DNS name",
      (s) => (s.names = { "bad..example": {} }),
      /^names\["bad\.\.example"\]: "bad\.\.example" is not a DNS name: it /,
      TypeError,
    ],
    [
      "the same name twice",
      (s) => (s.names = { "www.example": {}, "WWW.example.": {} }),
      /^names\["WWW\.example\."\]: "www\.example" is already in the table$/,
      TypeError,
    ],
    [
      "entry not an object",
      name("127.0.0.1"),
      /^names\["www\.example"\]: must be an object$/,
      TypeError,
    ],
    [
      "unknown field",
      name({ cname: "x.example" }),
      /^names\["www\.example"\]\.cname: unknown field \(expected one of a, aaaa, ttl, servers\)$/,
      TypeError,
    ],
    [
      "a not a list",
      name({ a: "127.0.0.1" }),
      /^names\["www\.example"\]\.a: must be an array$/,
      TypeError,
    ],
    [
      "a real address",
      name({ a: ["127.0.0.1", "192.0.2.1"] }),
      /^names\["www\.example"\]\.a\[1\]: "192\.0\.2\.1" is not a loopback address/,
      RangeError,
    ],
    [
      "an IPv4 AAAA record",
      name({ aaaa: ["127.0.0.1"] }),
      /^names\["www\.example"\]\.aaaa\[0\]: "127\.0\.0\.1" is not an ipv6 address$/,
      TypeError,
    ],
    [
      "too many records",
      name({ a: Array(65).fill("127.0.0.1") }),
      /^names\["www\.example"\]\.a: must have at most 64 addresses$/,
      RangeError,
    ],
    [
      "a negative TTL",
      name({ ttl: -1 }),
      /^names\["www\.example"\]\.ttl: must be from 0 to 2147483647$/,
      RangeError,
    ],
    [
      "no servers",
      name({ servers: [] }),
      /^names\["www\.example"\]\.servers: must have from 1 to 64 servers$/,
      RangeError,
    ],
    [
      "a server the scenario does not have",
      name({ servers: ["127.0.0.53", "127.0.0.1:5301"] }),
      /^names\["www\.example"\]\.servers\[1\]: "127\.0\.0\.1:5301" is not a DNS server of the scenario \(its dns-servers items are 127\.0\.0\.53:53\)$/,
      TypeError,
    ],
    [
      "too many names",
      (
        s,
      ) => (s.names = Object.fromEntries(
        Array.from({ length: 1001 }, (_, i) => [`n${i}.example`, {}]),
      )),
      /^names: must have at most 1000 names$/,
      RangeError,
    ],
    ["services not a list", (s) => (s.services = {}), /^services: must be an array$/, TypeError],
    [
      "a real service address",
      service({ address: "198.51.100.1" }),
      /^services\[0\]\.address: "198\.51\.100\.1" is not a loopback address/,
      RangeError,
    ],
    [
      "no port",
      service({ port: undefined }),
      /^services\[0\]\.port: must be an integer$/,
      TypeError,
    ],
    ["port 0", service({ port: 0 }), /^services\[0\]\.port: must be from 1 to 65535$/, RangeError],
    [
      "an empty reply",
      service({ reply: "" }),
      /^services\[0\]\.reply: must be a non-empty string$/,
      TypeError,
    ],
    [
      "unknown service field",
      service({ proto: "udp" }),
      /^services\[0\]\.proto: unknown field \(expected one of address, port, reply\)$/,
      TypeError,
    ],
    [
      "two services on one port",
      (s) => (s.services = [{ address: "::1", port: 80 }, { address: "0:0::1", port: 80 }]),
      /^services\[1\]\.port: \[::1\]:80 is already services\[0\]$/,
      TypeError,
    ],
    [
      "a service on a DNS server's port",
      service({ address: "127.0.0.53", port: 53 }),
      /^services\[0\]\.port: 127\.0\.0\.53:53 is a DNS server of the scenario$/,
      TypeError,
    ],
    [
      "too many services",
      (s) => (s.services = Array.from({ length: 65 }, (_, i) => ({ address: "::1", port: i + 1 }))),
      /^services: must have at most 64 services$/,
      RangeError,
    ],
  ];
  for (const [what, mutate, message, kind] of cases) {
    const error = refusal(mutate);
    assert(error instanceof kind, `${what}: ${error.name} ${error.message}`);
    assert.match(error.message, message, what);
  }
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
