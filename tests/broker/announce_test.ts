import assert from "node:assert/strict";
import {
  address,
  brief,
  drain,
  element,
  nic,
  openManual,
  pd,
  twoLinks,
} from "../fixtures/helpers.ts";
import type { Subscriber } from "../../mod.ts";

function subscribeAll(sub: Subscriber, interfaces: string[], pds: string[]): void {
  sub.post({ type: "announce-interfaces" });
  for (const interfaceId of interfaces) {
    sub.post({ type: "announce-provisioning-domains", interfaceId });
  }
  for (const pdId of pds) {
    sub.post({ type: "announce-configuration-elements", pdId });
    sub.post({ type: "announce-addresses", pdId });
  }
}

Deno.test("announce-interfaces lists current interfaces, then announces new ones", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  assert.deepEqual(drain(sub), [
    {
      type: "interface-announcement",
      interfaceId: "eth0",
      displayName: "ETH0",
      interfaceType: "wired",
    },
    {
      type: "interface-announcement",
      interfaceId: "wlan0",
      displayName: "WLAN0",
      interfaceType: "wifi",
    },
  ]);
  const snapshot = twoLinks();
  platform.snapshot({
    interfaces: [...snapshot.interfaces, nic("usb0", [], { interfaceType: "cellular" })],
  });
  assert.deepEqual(brief(drain(sub)), ["interface-announcement usb0"]);
});

Deno.test("stop-announcing-interfaces stops interface announcements", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  drain(sub);
  sub.post({ type: "stop-announcing-interfaces" });
  platform.snapshot({ interfaces: [...twoLinks().interfaces, nic("usb0")] });
  platform.snapshot({ interfaces: [] });
  platform.emit({ type: "interface-going-up", interfaceId: "eth0" });
  assert.deepEqual(drain(sub), []);
});

Deno.test("an interface that goes away withdraws addresses and elements, then each PD, then the interface", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  subscribeAll(sub, ["eth0", "wlan0"], ["eth0/ipv4", "eth0/ipv6", "wlan0/ipv4"]);
  drain(sub);
  platform.snapshot({ interfaces: [twoLinks().interfaces[1]] });
  assert.deepEqual(brief(drain(sub)), [
    "no-address-announcement eth0/ipv4 127.0.0.2",
    "no-configuration-element-announcement eth0/ipv4 dhcpv4",
    "no-provisioning-domain-announcement eth0/ipv4",
    "no-address-announcement eth0/ipv6 ::1",
    "no-configuration-element-announcement eth0/ipv6 ra",
    "no-configuration-element-announcement eth0/ipv6 dhcpv6",
    "no-provisioning-domain-announcement eth0/ipv6",
    "no-interface-announcement eth0",
  ]);
});

Deno.test("PD subscriptions on an interface end when it goes away", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  subscribeAll(sub, ["eth0"], ["eth0/ipv4"]);
  drain(sub);
  platform.snapshot({ interfaces: [twoLinks().interfaces[1]] });
  drain(sub);
  const s = mif.status().subscribers[0];
  assert.deepEqual([s.provisioningDomainsOn, s.configurationElementsOf, s.addressesOf], [
    [],
    [],
    [],
  ]);
  // The interface comes back with its PDs: only the interface is announced.
  platform.snapshot(twoLinks());
  assert.deepEqual(brief(drain(sub)), ["interface-announcement eth0"]);
  sub.post({ type: "announce-provisioning-domains", interfaceId: "eth0" });
  assert.deepEqual(brief(drain(sub)), [
    "provisioning-domain-announcement eth0/ipv4",
    "provisioning-domain-announcement eth0/ipv6",
  ]);
});

Deno.test("a PD that expires withdraws what remains of it, and its subscriptions end", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  subscribeAll(sub, ["eth0"], ["eth0/ipv6"]);
  drain(sub);
  const [eth0, wlan0] = twoLinks().interfaces;
  platform.snapshot({ interfaces: [{ ...eth0, pds: [eth0.pds[0]] }, wlan0] });
  assert.deepEqual(brief(drain(sub)), [
    "no-address-announcement eth0/ipv6 ::1",
    "no-configuration-element-announcement eth0/ipv6 ra",
    "no-configuration-element-announcement eth0/ipv6 dhcpv6",
    "no-provisioning-domain-announcement eth0/ipv6",
  ]);
  platform.snapshot(twoLinks());
  assert.deepEqual(brief(drain(sub)), ["provisioning-domain-announcement eth0/ipv6"]);
});

Deno.test("subscribers only hear about what they subscribed to", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const addressesOnly = mif.subscribe();
  addressesOnly.post({ type: "announce-addresses", pdId: "eth0/ipv4" });
  const elementsOnly = mif.subscribe();
  elementsOnly.post({ type: "announce-configuration-elements", pdId: "wlan0/ipv4" });
  const nothing = mif.subscribe();
  assert.deepEqual(brief(drain(addressesOnly)), ["address-announcement eth0/ipv4 127.0.0.2"]);
  assert.deepEqual(brief(drain(elementsOnly)), [
    "configuration-element-announcement wlan0/ipv4 dhcpv4",
  ]);
  platform.snapshot({ interfaces: [] });
  assert.deepEqual(brief(drain(addressesOnly)), ["no-address-announcement eth0/ipv4 127.0.0.2"]);
  assert.deepEqual(brief(drain(elementsOnly)), [
    "no-configuration-element-announcement wlan0/ipv4 dhcpv4",
  ]);
  assert.deepEqual(drain(nothing), []);
});

Deno.test("stop-announcing-addresses, -configuration-elements and -provisioning-domains stop only that one subscription", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  subscribeAll(sub, ["eth0", "wlan0"], ["eth0/ipv4", "wlan0/ipv4"]);
  drain(sub);
  sub.post({ type: "stop-announcing-addresses", pdId: "eth0/ipv4" });
  sub.post({ type: "stop-announcing-configuration-elements", pdId: "wlan0/ipv4" });
  sub.post({ type: "stop-announcing-provisioning-domains", interfaceId: "eth0" });
  platform.snapshot({ interfaces: [] });
  assert.deepEqual(brief(drain(sub)), [
    "no-configuration-element-announcement eth0/ipv4 dhcpv4",
    "no-interface-announcement eth0",
    "no-address-announcement wlan0/ipv4 127.0.0.3",
    "no-provisioning-domain-announcement wlan0/ipv4",
    "no-interface-announcement wlan0",
  ]);
});

Deno.test("new addresses, changed configuration and refreshed lifetimes are announced; countdown jitter is not", async () => {
  const now = Date.now();
  const initial = {
    interfaces: [
      nic("eth0", [
        pd("eth0/ipv6", [address("::1", 128, now + 60_000)], [element("ra", { mtu: 1500 })]),
      ]),
    ],
  };
  const { mif, platform } = await openManual(initial);
  await using _ = mif;
  const sub = mif.subscribe();
  subscribeAll(sub, [], ["eth0/ipv6"]);
  const [first] = drain(sub).filter((m) => m.type === "address-announcement");
  assert.deepEqual(first, {
    type: "address-announcement",
    pdId: "eth0/ipv6",
    address: "::1",
    prefixLength: 128,
    validLifetime: 60,
    preferredLifetime: 60,
  });
  const at = (until: number, mtu = 1500) => ({
    interfaces: [
      nic("eth0", [pd("eth0/ipv6", [address("::1", 128, until)], [element("ra", { mtu })])]),
    ],
  });
  platform.snapshot(at(now + 60_900)); // within a second: how `ip` rounds, not a refresh
  assert.deepEqual(drain(sub), []);
  platform.snapshot(at(now + 3_600_000));
  assert.deepEqual(brief(drain(sub)), ["address-announcement eth0/ipv6 ::1"]);
  platform.snapshot(at(now + 3_600_000, 1280));
  assert.deepEqual(brief(drain(sub)), ["configuration-element-announcement eth0/ipv6 ra"]);
});

Deno.test("announce and stop requests naming an unknown interface or PD answer error", async () => {
  const { mif } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  for (
    const type of ["announce-provisioning-domains", "stop-announcing-provisioning-domains"] as const
  ) {
    sub.post({ type, interfaceId: "nope0" });
  }
  for (
    const type of [
      "announce-configuration-elements",
      "stop-announcing-configuration-elements",
      "announce-addresses",
      "stop-announcing-addresses",
    ] as const
  ) sub.post({ type, pdId: "nope0/ipv4" });
  const errors = drain(sub);
  assert.equal(errors.length, 6);
  for (const e of errors) {
    assert(e.type === "error");
    assert.match(
      e.detail,
      /^Cannot .*: unknown (interface "nope0"|provisioning domain "nope0\/ipv4")$/,
    );
    assert(e.reason === "unknown-interface" || e.reason === "unknown-pd");
  }
  assert.deepEqual(errors.map((e) => e.type === "error" && e.messageType), [
    "announce-provisioning-domains",
    "stop-announcing-provisioning-domains",
    "announce-configuration-elements",
    "stop-announcing-configuration-elements",
    "announce-addresses",
    "stop-announcing-addresses",
  ]);
});

Deno.test("interface-going-away and interface-going-up reach interface subscribers, for known interfaces", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const interested = mif.subscribe();
  interested.post({ type: "announce-interfaces" });
  drain(interested);
  const other = mif.subscribe();
  other.post({ type: "announce-addresses", pdId: "eth0/ipv4" });
  drain(other);
  platform.emit({ type: "interface-going-away", interfaceId: "eth0" });
  platform.emit({ type: "interface-going-up", interfaceId: "wlan0" });
  platform.emit({ type: "interface-going-up", interfaceId: "ghost0" });
  assert.deepEqual(brief(drain(interested)), [
    "interface-going-away eth0",
    "interface-going-up wlan0",
  ]);
  assert.deepEqual(drain(other), []);
});

Deno.test("a platform snapshot that breaks the model's invariants is refused and shown in status", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-interfaces" });
  drain(sub);
  platform.snapshot({ interfaces: [nic("a", [pd("x/ipv4")]), nic("b", [pd("x/ipv4")])] });
  assert.deepEqual(drain(sub), []);
  const status = mif.status();
  assert.deepEqual(status.interfaces.map((i) => i.interfaceId), ["eth0", "wlan0"]);
  assert.match(
    status.notes[0].reason,
    /^Cannot accept snapshot: interfaces\[1\]\.pds\[0\]\.pdId: duplicate "x\/ipv4"$/,
  );
});

Deno.test("many subscribers each keep their own subscriptions", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const subs = Array.from({ length: 200 }, () => mif.subscribe());
  subs.forEach((sub, i) => {
    if (i % 2 === 0) sub.post({ type: "announce-interfaces" });
    else sub.post({ type: "announce-addresses", pdId: "wlan0/ipv4" });
  });
  subs.forEach(drain);
  platform.snapshot({ interfaces: [twoLinks().interfaces[0]] });
  subs.forEach((sub, i) => {
    assert.deepEqual(
      brief(drain(sub)),
      i % 2 === 0
        ? ["no-interface-announcement wlan0"]
        : ["no-address-announcement wlan0/ipv4 127.0.0.3"],
    );
  });
  await subs[0].close();
  assert.equal(mif.status().subscribers.length, 199);
});

Deno.test("a snapshot that the protocol could not announce is refused, naming the field", async () => {
  const { mif, platform } = await openManual();
  await using _ = mif;
  const bad: [Parameters<typeof nic>, RegExp][] = [
    [
      ["eth9", [], { displayName: "" }],
      /^interfaces\[0\]: as interface-announcement: field "displayName" must not be empty$/,
    ],
    [
      ["eth9", [], { interfaceType: "modem" as "wired" }],
      /^interfaces\[0\]: as interface-announcement: field "interfaceType" must be one of/,
    ],
    [
      ["eth9", [pd("x/ipv4", [], [element("dhcp" as "dhcpv4")])]],
      /^interfaces\[0\]\.pds\[0\]\.elements\[0\]: as configuration-element-announcement: field "element"/,
    ],
    [
      ["eth9", [pd("x/ipv4", [], [element("dhcpv4", { "DNS Servers": [] })])]],
      /^interfaces\[0\]\.pds\[0\]\.elements\[0\]\.data\.DNS Servers: as configuration-data: field "item"/,
    ],
    [
      ["eth9", [{ ...pd("x/ipv4", [address("::1")]), family: "ipv4" as const }]],
      /^interfaces\[0\]\.pds\[0\]\.addresses\[0\]\.address: "::1" is not an ipv4 address$/,
    ],
    [["eth9", [pd("x/ipv4", [address("127.000.0.1")])]], /is not a canonical IP address$/],
  ];
  for (const [args, problem] of bad) {
    platform.snapshot({ interfaces: [nic(...args)] });
    const notes = mif.status().notes;
    assert.equal(notes.length, 1);
    assert.match(notes[0].reason.replace(/^Cannot accept snapshot: /, ""), problem);
  }
  assert.deepEqual(mif.status().interfaces.map((n) => n.interfaceId), ["eth0", "wlan0"]);
});

Deno.test("lifetimes beyond 32 bits are announced as the largest 32-bit lifetime", async () => {
  const far = Date.now() + 1e13;
  const { mif } = await openManual({
    interfaces: [nic("eth0", [pd("eth0/ipv6", [address("::1", 128, far)])])],
  });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-addresses", pdId: "eth0/ipv6" });
  const [m] = drain(sub);
  assert(m.type === "address-announcement");
  assert.equal(m.validLifetime, 0xffffffff);
});

Deno.test("a PD whose family changes is withdrawn and announced again", async () => {
  const { mif, platform } = await openManual({
    interfaces: [nic("eth0", [pd("eth0/a", [address("127.0.0.2")])])],
  });
  await using _ = mif;
  const sub = mif.subscribe();
  sub.post({ type: "announce-provisioning-domains", interfaceId: "eth0" });
  drain(sub);
  platform.snapshot({ interfaces: [nic("eth0", [pd("eth0/a", [address("::1")])])] });
  assert.deepEqual(drain(sub), [
    { type: "no-provisioning-domain-announcement", interfaceId: "eth0", pdId: "eth0/a" },
    {
      type: "provisioning-domain-announcement",
      interfaceId: "eth0",
      pdId: "eth0/a",
      family: "ipv6",
    },
  ]);
});
