/** parseInvocation: the command line as mif reads it (cli/args.ts). */

import assert from "node:assert/strict";
import { parseInvocation, UsageError } from "../../cli/args.ts";

Deno.test("parseInvocation: --scenario implies the sim platform; --resolv-conf and --lease-dir linux; --replay and --record darwin", () => {
  assert.deepEqual(parseInvocation(["status", "--scenario", "a.json"]), {
    command: "status",
    json: false,
    platform: "sim",
    scenario: "a.json",
  });
  assert.deepEqual(
    parseInvocation(["watch", "--lease-dir", "/a", "--lease-dir", "/b", "--resolv-conf", "r"]),
    { command: "watch", json: false, platform: "linux", resolvConf: "r", leaseDirs: ["/a", "/b"] },
  );
  assert.deepEqual(parseInvocation(["status", "--replay", "captures/"]), {
    command: "status",
    json: false,
    platform: "darwin",
    replay: "captures/",
  }, "--replay implies darwin");
  assert.deepEqual(parseInvocation(["watch", "--record", "out/"]), {
    command: "watch",
    json: false,
    platform: "darwin",
    record: "out/",
  }, "--record implies darwin");
  assert.throws(() => parseInvocation(["status", "--json=yes"]), UsageError);
  assert.deepEqual(parseInvocation(["--platform", "sim", "resolve", "www.example"]), {
    command: "resolve",
    json: false,
    platform: "sim",
    name: "www.example",
  }, "options may come before the command");
});

Deno.test("parseInvocation: --pd, --prefer, --avoid and --prohibit keep every value, repeated or comma-separated; --from is canonical", () => {
  assert.deepEqual(
    parseInvocation([
      "connect",
      "www.mif.example",
      "443",
      "--avoid",
      "cellular,vpn",
      "--avoid",
      "wlan0",
      "--prefer=eth0",
      "--prohibit",
      "tun0/ipv4",
      "--from",
      "2001:db8:0::7",
      "--pd",
      "eth0/ipv6",
      "--pd",
      "wlan0/ipv6",
    ]),
    {
      command: "connect",
      json: false,
      pds: ["eth0/ipv6", "wlan0/ipv6"],
      host: "www.mif.example",
      port: 443,
      from: "2001:db8::7",
      prefer: ["eth0"],
      avoid: ["cellular", "vpn", "wlan0"],
      prohibit: ["tun0/ipv4"],
    },
  );
  assert.equal(
    parseInvocation(["connect", "x.example", "80", "--stagger-interfaces"]).parallelInterfaces,
    false,
  );
  assert.equal(parseInvocation(["connect", "x.example", "80"]).parallelInterfaces, undefined);
  assert.equal(parseInvocation(["resolve", "x.example", "--family", "both"]).family, "both");
});
