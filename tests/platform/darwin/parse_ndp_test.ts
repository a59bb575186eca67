import assert from "node:assert/strict";
import { parseNdpPrefixes, parseNdpRouters } from "../../../platform/darwin/parse_ndp.ts";
import { readCapture } from "./capture.ts";

Deno.test("ndp -r on a macOS 26.5.2 runner lists the static utun placeholder routers", async () => {
  const routers = parseNdpRouters(await readCapture("ndp_r_utun_only_partial_1.txt"));
  assert.deepEqual(routers.map((r) => r.address), [
    "fe80::%utun0",
    "fe80::%utun1",
    "fe80::%utun2",
    "fe80::%utun3",
  ]);
  assert.deepEqual(routers[3], {
    address: "fe80::%utun3",
    interface: "utun3",
    flags: "IST",
    managed: false,
    otherConfig: false,
    installed: true,
    static: true,
    preference: "medium",
    expire: "never",
  });
});

Deno.test("ndp -r reads RA-learned routers, empty flags and sec2str expiries (hand-written)", async () => {
  const routers = parseNdpRouters(await readCapture("handwritten_ndp_r_two_routers.txt"));
  assert.equal(routers.length, 3);
  assert.deepEqual(
    routers.map((r) => [r.address, r.flags, r.otherConfig, r.installed, r.preference, r.expire]),
    [
      ["fe80::1%en0", "IOT", true, true, "high", 29 * 60 + 52],
      ["fe80::2%en0", "", false, false, "medium", 3600 + 57 * 60 + 4],
      ["fe80::%utun0", "IST", false, true, "medium", "never"],
    ],
  );
});

Deno.test("ndp -p on a macOS 26.5.2 runner shows utun link-local prefixes without advertiser", async () => {
  const prefixes = parseNdpPrefixes(await readCapture("ndp_p_utun_only_partial_1.txt"));
  // The two entries differ only by their interface.
  assert.deepEqual(
    prefixes,
    ["utun1", "utun3"].map((name) => ({
      prefix: "fe80::/64",
      interface: name,
      flags: "AILSO",
      autonomous: true,
      onLink: true,
      validLifetime: "infinity",
      preferredLifetime: "infinity",
      expire: "never",
      ref: 0,
      advertisers: [],
    })),
  );
});

Deno.test("ndp -p maps each prefix to its advertising routers (hand-written)", async () => {
  const prefixes = parseNdpPrefixes(await readCapture("handwritten_ndp_p_two_routers.txt"));
  assert.deepEqual(prefixes.map((p) => p.prefix), [
    "2001:db8:1::/64",
    "2001:db8:2::/64",
    "fe80::/64",
  ]);
  assert.deepEqual(prefixes[0].advertisers, [
    { address: "fe80::1%en0", state: "reachable" },
    { address: "fe80::2%en0", state: "no neighbor state" },
  ]);
  assert.equal(prefixes[0].validLifetime, 2592000);
  assert.equal(prefixes[0].preferredLifetime, 604800);
  assert.equal(prefixes[0].expire, 29 * 86400 + 23 * 3600 + 59 * 60 + 50);
  assert.equal(prefixes[0].ref, 2);
  assert.equal(prefixes[1].autonomous, false);
  assert.equal(prefixes[1].expire, "expired");
  assert.deepEqual(prefixes[1].advertisers, [{ address: "fe80::2%en0", state: "unreachable" }]);
});

Deno.test("ndp parsers refuse host names and malformed lines", () => {
  assert.throws(
    () => parseNdpRouters("router.example if=en0, flags=, pref=medium, expire=5s\n"),
    /Cannot parse ndp -r output: .*run ndp -n.*line 1/,
  );
  assert.throws(
    () => parseNdpRouters("fe80::1%en0 if=en0, flags=, pref=odd, expire=5s"),
    SyntaxError,
  );
  assert.throws(() => parseNdpPrefixes("2001:db8::/64 if=en0\nflags=A oops\n"), /line 2/);
  assert.throws(() => parseNdpPrefixes("2001:db8::/64 if=en0"), /without flags/);
});

Deno.test("ndp parsers tolerate tabs, trailing blanks and empty output", () => {
  assert.deepEqual(parseNdpRouters(""), []);
  assert.deepEqual(parseNdpPrefixes("\n"), []);
  const [r] = parseNdpRouters("fe80::1%en0 if=en0, flags=M, pref=low, expire=0s  \t\n");
  assert.equal(r.managed, true);
  assert.equal(r.expire, 0);
});

Deno.test("ndp -p ignores unknown lines and attributes routers only after 'advertised by'", () => {
  const [p] = parseNdpPrefixes([
    "ndp: a warning on stderr: 1:2",
    "2001:db8:1::/64 if=en0",
    "flags=ALO vltime=2592000, pltime=604800, expire=1s, ref=0",
    "    fe80::9%en0 (reachable)",
    "  advertised by",
    "    fe80::1%en0 (reachable)",
    "  a future field: 7",
    "    fe80::2%en0 (reachable)",
  ].join("\n"));
  assert.deepEqual(p.advertisers, [{ address: "fe80::1%en0", state: "reachable" }]);
  assert.throws(
    () =>
      parseNdpPrefixes(
        "2001:db8::/64 if=en0\nflags= vltime=0, pltime=0, expired, ref=0\n  advertised by\n    gw.example (reachable)",
      ),
    /run ndp -n.*line 4/,
  );
});
