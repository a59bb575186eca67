import assert from "node:assert/strict";
import { formatLifetime, formatMessage, renderStatus } from "../../cli/format.ts";
import { openManual, twoLinks } from "../fixtures/helpers.ts";

Deno.test("lifetimes print as their two largest units", () => {
  assert.equal(formatLifetime("infinite"), "infinite");
  assert.equal(formatLifetime(0), "0s");
  assert.equal(formatLifetime(59), "59s");
  assert.equal(formatLifetime(86400), "1d");
  assert.equal(formatLifetime(90061), "1d1h");
  assert.equal(formatLifetime(3661), "1h1m");
});

Deno.test("status shows each subscriber's recorded intents with their scope", async () => {
  const { mif } = await openManual(twoLinks());
  await using _ = mif;
  mif.subscribe({ name: "browser" }).post({ type: "wants-to-connect", pdId: "eth0/ipv6" });
  mif.subscribe().post({ type: "connection-can-be-broken" });
  const text = renderStatus(mif.status());
  assert.match(
    text,
    /^Application intents:\n {2}browser: wants-to-connect on eth0\/ipv6 since \S+\n {2}subscriber 2: connection-can-be-broken since \S+$/m,
  );
  assert.match(text, /^eth0 {2}ETH0 · wired · up$/m);
  assert.match(text, /^│ {2}├─ DNS servers: 127\.0\.0\.53 \(dhcpv4\)$/m);
});

Deno.test("watch lines name the message type first", () => {
  assert.equal(
    formatMessage({
      type: "error",
      reason: "unknown-pd",
      messageType: "announce-addresses",
      detail: "Cannot x: y",
    }),
    "error  unknown-pd (announce-addresses): Cannot x: y",
  );
});
