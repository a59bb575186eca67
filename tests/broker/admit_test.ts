import assert from "node:assert/strict";
import { admit } from "../../broker/admit.ts";

Deno.test("admit copies a flat message, so later changes to what was posted do not reach the broker", () => {
  const posted: Record<string, unknown> = {
    type: "translate-name",
    translationId: "t",
    pdId: "eth0/ipv4",
    name: "www.example",
  };
  const admitted = admit(posted);
  posted.name = "changed.example";
  assert.deepEqual(admitted, {
    message: { type: "translate-name", translationId: "t", pdId: "eth0/ipv4", name: "www.example" },
  });
});

Deno.test("admit reads a getter once, and what it read is what is validated and kept", () => {
  let reads = 0;
  const names = ["www.example", "bad name\u0000"];
  const posted = {
    type: "translate-name",
    translationId: "t",
    pdId: "eth0/ipv4",
    get name() {
      return names[reads++];
    },
  };
  const admitted = admit(posted);
  assert.equal(reads, 1);
  assert.equal(
    "message" in admitted && admitted.message.type === "translate-name" && admitted.message.name,
    "www.example",
  );
});

Deno.test("admit refuses what cannot be cloned (a proxy, a function, a symbol) as structuredClone does", () => {
  const values: unknown[] = [
    new Proxy({ type: "announce-interfaces" }, {}),
    { type: "announce-interfaces", extra: () => {} },
    { type: "announce-interfaces", extra: Symbol("s") },
  ];
  for (const value of values) {
    const admitted = admit(value);
    assert("refusal" in admitted);
    assert.equal(admitted.refusal.messageType, "announce-interfaces");
    assert.match(
      admitted.refusal.detail,
      /^Cannot accept message: it cannot be cloned \(DataCloneError/,
    );
  }
});

Deno.test("admit keeps an own __proto__ key as a field, and refuses it as structuredClone's copy would be", () => {
  const admitted = admit(JSON.parse('{"type":"announce-interfaces","__proto__":{}}'));
  assert("refusal" in admitted);
  assert.equal(
    admitted.refusal.detail,
    'Cannot accept announce-interfaces: field "__proto__" is not part of announce-interfaces',
  );
});

Deno.test("admit copies nested values (the tls options of a connect) through structuredClone", () => {
  const tls = { serverName: "www.example", alpnProtocols: ["h2"] };
  const admitted = admit({
    type: "connect-to-address",
    connectionId: "c",
    pdId: "eth0/ipv4",
    address: "198.51.100.7",
    port: 443,
    tls,
  });
  tls.alpnProtocols.push("http/1.1");
  assert("message" in admitted && admitted.message.type === "connect-to-address");
  assert.deepEqual(admitted.message.tls, { serverName: "www.example", alpnProtocols: ["h2"] });
});
