import assert from "node:assert/strict";
import {
  API_MESSAGE_TYPES,
  SUBSCRIBER_MESSAGE_TYPES,
  validateApiMessage,
  validateSubscriberMessage,
} from "../../protocol/validate.ts";
import { sanitizeApiMessage } from "../../protocol/text.ts";
import type { Connected } from "../../protocol/types.ts";

// One valid example of every message, in the order.
const SUBSCRIBER_SAMPLES: Record<string, Record<string, unknown>> = {
  "announce-interfaces": {},
  "stop-announcing-interfaces": {},
  "announce-provisioning-domains": { interfaceId: "wlan0" },
  "stop-announcing-provisioning-domains": { interfaceId: "wlan0" },
  "announce-configuration-elements": { pdId: "wlan0/ipv4" },
  "stop-announcing-configuration-elements": { pdId: "wlan0/ipv4" },
  "announce-addresses": { pdId: "wlan0/ipv4" },
  "stop-announcing-addresses": { pdId: "wlan0/ipv4" },
  "get-configuration-data": { pdId: "wlan0/ipv4", element: "dhcpv4", item: "dns-servers" },
  "translate-name": {
    pdId: "wlan0/ipv4",
    name: "example.com",
    translationId: "t1",
    family: "ipv6",
  },
  "stop-translating-name": { translationId: "t1" },
  "connect-to-address": { pdId: "p", address: "2001:db8::1", port: 443, connectionId: "c1" },
  "connect-to-address-from-address": {
    pdId: "p",
    source: "198.51.100.7",
    address: "203.0.113.9",
    port: 80,
    connectionId: "c2",
  },
  "stop-connecting": { connectionId: "c1" },
  "wants-to-connect": { pdId: "wlan0/ipv4" },
  "connection-idle": {},
  "connection-can-be-broken": { interfaceId: "rmnet0" },
};

const API_SAMPLES: Record<string, Record<string, unknown>> = {
  "interface-announcement": { interfaceId: "wlan0", displayName: "Wi-Fi", interfaceType: "wifi" },
  "no-interface-announcement": { interfaceId: "wlan0" },
  "provisioning-domain-announcement": { interfaceId: "wlan0", pdId: "wlan0/ipv4", family: "ipv4" },
  "no-provisioning-domain-announcement": { interfaceId: "wlan0", pdId: "wlan0/ipv4" },
  "configuration-element-announcement": { pdId: "wlan0/ipv4", element: "dhcpv4" },
  "no-configuration-element-announcement": { pdId: "wlan0/ipv4", element: "ra" },
  "address-announcement": {
    pdId: "p",
    address: "::1",
    prefixLength: 128,
    validLifetime: 3600,
    preferredLifetime: "infinite",
  },
  "no-address-announcement": { pdId: "p", address: "127.0.0.1" },
  "configuration-data": { pdId: "p", element: "ra", item: "dns-servers", value: ["::1"] },
  "no-configuration-data": { pdId: "p", element: "ra", item: "mtu", reason: "no-item" },
  "name-translation": { translationId: "t", pdId: "p", address: "::1", ttl: 300, server: "::1" },
  "name-translation-done": { translationId: "t", pdId: "p", reason: "nxdomain", detail: "x" },
  "connected": {
    connectionId: "c",
    pdId: "p",
    token: "k",
    source: "::1",
    sourcePort: 40000,
    address: "::1",
    port: 1,
  },
  "not-connected": { connectionId: "c", pdId: "p", reason: "refused" },
  "interface-going-away": { interfaceId: "wlan0" },
  "interface-going-up": { interfaceId: "wlan0" },
  "error": { reason: "unknown-pd", messageType: "announce-addresses", detail: "Cannot x: y" },
};

Deno.test("the protocol lists exactly the issue's message types", () => {
  assert.deepEqual([...SUBSCRIBER_MESSAGE_TYPES], Object.keys(SUBSCRIBER_SAMPLES));
  assert.deepEqual([...API_MESSAGE_TYPES], Object.keys(API_SAMPLES));
});

Deno.test("every message type accepts its valid example and returns a copy", () => {
  for (
    const [samples, validate] of [
      [SUBSCRIBER_SAMPLES, validateSubscriberMessage],
      [API_SAMPLES, validateApiMessage],
    ] as const
  ) {
    for (const [type, fields] of Object.entries(samples)) {
      const input = { type, ...fields };
      const v = validate(input);
      assert(v.ok, `${type}: ${v.ok ? "" : v.detail}`);
      assert.deepEqual(v.message, input);
      assert(v.message !== input, `${type} must be copied`);
    }
  }
});

Deno.test("every field of every message type is checked: missing, mistyped, and unknown fields are refused", () => {
  for (
    const [samples, validate] of [
      [SUBSCRIBER_SAMPLES, validateSubscriberMessage],
      [API_SAMPLES, validateApiMessage],
    ] as const
  ) {
    for (const [type, fields] of Object.entries(samples)) {
      for (const key of Object.keys(fields)) {
        for (const bad of [{}, [], true, -1, 1.5, "", "x".repeat(5000)]) {
          if (key === "value" && typeof bad !== "string" && typeof bad !== "number") continue;
          if (key === "value" || ((key === "detail" || key === "name") && bad === "")) continue;
          const v = validate({ type, ...fields, [key]: bad });
          assert(!v.ok, `${type}.${key} = ${JSON.stringify(bad).slice(0, 20)} must be refused`);
          assert.match(v.detail, new RegExp(`^Cannot accept ${type}: field "${key}"`));
          assert.deepEqual(v.messageType, type);
        }
      }
      const extra = validate({ type, ...fields, surprise: 1 });
      assert(!extra.ok);
      assert.deepEqual(
        extra.detail,
        `Cannot accept ${type}: field "surprise" is not part of ${type}`,
      );
    }
  }
});

Deno.test("a message without one of its required fields is refused, naming the field", () => {
  const optional = new Set(["family", "ttl", "server", "detail", "translationId", "connectionId"]);
  for (const [type, fields] of Object.entries(SUBSCRIBER_SAMPLES)) {
    for (const key of Object.keys(fields)) {
      if (optional.has(key) || type.endsWith("connect") || type.startsWith("connection-")) continue;
      const { [key]: _, ...rest } = fields;
      const v = validateSubscriberMessage({ type, ...rest });
      assert(!v.ok, `${type} without ${key}`);
      assert.deepEqual(v.detail, `Cannot accept ${type}: field "${key}" is missing`);
    }
  }
});

Deno.test("values out of range are refused", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["connect-to-address", { ...SUBSCRIBER_SAMPLES["connect-to-address"], port: 0 }],
    ["connect-to-address", { ...SUBSCRIBER_SAMPLES["connect-to-address"], port: 65536 }],
    ["connect-to-address", { ...SUBSCRIBER_SAMPLES["connect-to-address"], address: "256.1.1.1" }],
    ["connect-to-address", { ...SUBSCRIBER_SAMPLES["connect-to-address"], address: "example.com" }],
    ["connect-to-address-from-address", {
      ...SUBSCRIBER_SAMPLES["connect-to-address-from-address"],
      source: "1::2::3",
    }],
    ["get-configuration-data", { pdId: "p", element: "dhcp", item: "dns-servers" }],
    ["get-configuration-data", { pdId: "p", element: "ra", item: "DNS Servers" }],
    ["translate-name", { pdId: "p", name: "a", translationId: "t", family: "ipx" }],
    ["announce-addresses", { pdId: "line\nbreak" }],
    ["announce-addresses", { pdId: "x".repeat(257) }],
  ];
  for (const [type, fields] of cases) {
    assert(!validateSubscriberMessage({ type, ...fields }).ok, `${type} ${JSON.stringify(fields)}`);
  }
  const lifetimes = [-1, 1.5, "forever", null, 2 ** 32];
  for (const validLifetime of lifetimes) {
    assert(
      !validateApiMessage({
        type: "address-announcement",
        ...API_SAMPLES["address-announcement"],
        validLifetime,
      }).ok,
    );
  }
  assert(
    !validateApiMessage({
      type: "address-announcement",
      ...API_SAMPLES["address-announcement"],
      prefixLength: 129,
    }).ok,
  );
  assert(
    !validateApiMessage({
      type: "configuration-data",
      ...API_SAMPLES["configuration-data"],
      value: NaN,
    }).ok,
  );
  assert(
    !validateApiMessage({
      type: "configuration-data",
      ...API_SAMPLES["configuration-data"],
      value: new Date(),
    }).ok,
  );
});

Deno.test("things that are not messages are refused without throwing", () => {
  const hostile = {
    get type(): string {
      throw new Error("boom");
    },
  };
  const proxy = new Proxy({}, {
    ownKeys() {
      throw new Error("trap");
    },
    get() {
      return "announce-interfaces";
    },
  });
  for (
    const input of [
      null,
      undefined,
      1,
      "announce-interfaces",
      [],
      [{ type: "announce-interfaces" }],
      {},
      { type: 7 },
      hostile,
      proxy,
    ]
  ) {
    const v = validateSubscriberMessage(input);
    assert(!v.ok);
    assert.match(v.detail, /^Cannot accept /);
  }
  const unknown = validateSubscriberMessage({ type: "interface-announcement", interfaceId: "x" });
  assert(!unknown.ok);
  assert.deepEqual(
    unknown.detail,
    'Cannot accept message: "interface-announcement" is not a subscriber → API message type',
  );
});

Deno.test("a refused message keeps its translationId and connectionId for correlation", () => {
  const v = validateSubscriberMessage({
    type: "connect-to-address",
    pdId: "p",
    address: "x",
    port: 1,
    connectionId: "c9",
  });
  assert(!v.ok);
  assert.deepEqual(v.connectionId, "c9");
  const t = validateSubscriberMessage({
    type: "translate-name",
    pdId: 1,
    name: "a",
    translationId: "t9",
  });
  assert(!t.ok);
  assert.deepEqual(t.translationId, "t9");
});

Deno.test("lifetimes are whole seconds or the string infinite", () => {
  const base = { type: "address-announcement", ...API_SAMPLES["address-announcement"] };
  assert(validateApiMessage({ ...base, validLifetime: "infinite", preferredLifetime: 0 }).ok);
  assert(validateApiMessage({ ...base, validLifetime: 0xffffffff }).ok);
});

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const TLS_INFO = {
  version: "TLSv1.3",
  alpnProtocol: "h2",
  subject: "www.example",
  subjectAltName: "DNS:www.example, IP Address:198.51.100.80",
  validTo: "2027-01-01T00:00:00.000Z",
};

Deno.test("connect requests accept tls as true, false or TLS options, and copy the options", () => {
  for (const type of ["connect-to-address", "connect-to-address-from-address"] as const) {
    for (
      const tls of [
        true,
        false,
        {},
        { caCerts: [PEM], alpnProtocols: ["h2", "http/1.1"], serverName: "Bücher.example." },
      ]
    ) {
      const input = { type, ...SUBSCRIBER_SAMPLES[type], tls };
      const v = validateSubscriberMessage(input);
      assert(v.ok, `${type} tls ${JSON.stringify(tls)}: ${v.ok ? "" : v.detail}`);
      assert.deepEqual(v.message, input);
      if (typeof tls === "object") {
        assert.notEqual((v.message as { tls: unknown }).tls, tls, "the options are copied");
      }
    }
  }
});

Deno.test("connect requests refuse tls options that are not TLS options, naming what is wrong", () => {
  const big = "x".repeat(64 * 1024 + 1);
  const cases: [unknown, RegExp][] = [
    ["yes", /must be true, false or an object/],
    [[], /must be true, false or an object/],
    [{ ca: [PEM] }, /has field "ca"/],
    [{ caCerts: PEM }, /caCerts must be an array/],
    [{ caCerts: Array(17).fill(PEM) }, /at most 16/],
    [{ caCerts: [1] }, /caCerts must hold strings/],
    [{ caCerts: [PEM + big] }, /at most 65536 characters/],
    [{ caCerts: ["not pem"] }, /PEM text/],
    [{ alpnProtocols: "h2" }, /alpnProtocols must be an array/],
    [{ alpnProtocols: [""] }, /1 to 255 printable ASCII/],
    [{ alpnProtocols: ["h 2"] }, /1 to 255 printable ASCII/],
    [{ alpnProtocols: Array(9).fill("h2") }, /at most 8/],
    [{ serverName: 7 }, /serverName must be a string/],
    [{ serverName: "a..b" }, /serverName has an empty label/],
    [{ serverName: "bad\u0007name" }, /serverName contains a control character/],
    [{ serverName: "198.51.100.1" }, /not an IP address/],
    [{
      serverName: "www.example",
      get alpnProtocols() {
        return () => 1;
      },
    }, /only strings/],
  ];
  for (const [tls, problem] of cases) {
    const v = validateSubscriberMessage({
      type: "connect-to-address",
      ...SUBSCRIBER_SAMPLES["connect-to-address"],
      tls,
    });
    assert(!v.ok, `tls ${String(tls)} must be refused`);
    assert.match(v.detail, /^Cannot accept connect-to-address: field "tls" /);
    assert.match(v.detail, problem);
    assert.equal(v.connectionId, "c1");
  }
});

Deno.test("tls options are checked as copied: a getter cannot answer the check and the copy differently", () => {
  let reads = 0;
  const tls = {
    get serverName() {
      return reads++ === 0 ? "www.example" : "198.51.100.1";
    },
  };
  const v = validateSubscriberMessage({
    type: "connect-to-address",
    ...SUBSCRIBER_SAMPLES["connect-to-address"],
    tls,
  });
  assert(v.ok);
  assert.deepEqual((v.message as { tls: unknown }).tls, { serverName: "www.example" });
  assert.equal(reads, 1);
});

Deno.test("connected carries an optional tls object whose text must be clean", () => {
  const base = { type: "connected", ...API_SAMPLES.connected };
  assert(validateApiMessage({ ...base, tls: TLS_INFO }).ok);
  assert(validateApiMessage({ ...base, tls: { ...TLS_INFO, alpnProtocol: null } }).ok);
  for (
    const tls of [
      true,
      { ...TLS_INFO, extra: "x" },
      { ...TLS_INFO, alpnProtocol: undefined },
      { ...TLS_INFO, subject: "evil\u001b[2J" },
      { ...TLS_INFO, subjectAltName: "x".repeat(2049) },
    ]
  ) {
    const v = validateApiMessage({ ...base, tls });
    assert(!v.ok, JSON.stringify(tls));
    assert.match(v.detail, /^Cannot accept connected: field "tls" /);
  }
});

Deno.test("a worker's connected message with a certificate's control characters is cleaned, not refused", () => {
  const dirty = {
    type: "connected",
    ...API_SAMPLES.connected,
    tls: { ...TLS_INFO, subject: "evil\u001b[2J", subjectAltName: "DNS:" + "a".repeat(3000) },
  } as unknown as Connected;
  const clean = sanitizeApiMessage(dirty);
  assert.notEqual(clean, dirty);
  assert(validateApiMessage(clean).ok);
  assert.equal(clean.tls?.subject, "evil\\u001b[2J");
  assert.equal(clean.tls?.subjectAltName.length, 2048);
  assert.equal(sanitizeApiMessage(clean), clean, "clean text is left as it is");
});

Deno.test("not-connected takes the reason tls", () => {
  const v = validateApiMessage({
    type: "not-connected",
    connectionId: "c",
    pdId: "p",
    reason: "tls",
    detail:
      "Cannot connect to 198.51.100.80 port 443 over TLS as www.example: CERT_HAS_EXPIRED: certificate has expired",
  });
  assert(v.ok);
});
