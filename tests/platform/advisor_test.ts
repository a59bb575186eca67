import assert from "node:assert/strict";
import { Advisor } from "../../platform/advisor.ts";
import type { PlatformEvent } from "../../platform/types.ts";
import type { PdInfo, Snapshot } from "../../protocol/model.ts";
import { until } from "../fixtures/helpers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** eth0, up, with one IPv6 PD whose only address stops being preferred at `preferredUntil`. */
function slaac(preferredUntil: number): Snapshot {
  const pd: PdInfo = {
    pdId: "eth0/ipv6/fe80::1",
    family: "ipv6",
    addresses: [{
      address: "2001:db8:1::7",
      prefixLength: 64,
      validUntil: preferredUntil + 600_000,
      preferredUntil,
    }],
    elements: [],
  };
  return {
    interfaces: [{
      interfaceId: "eth0",
      displayName: "eth0",
      interfaceType: "wired",
      operState: "up",
      pds: [pd],
    }],
  };
}

Deno.test("a deadline passing with nothing read sends going-away once", async () => {
  const sent: PlatformEvent[] = [];
  using advisor = new Advisor((event) => sent.push(event));
  advisor.advise(slaac(Date.now() + 40));
  assert.deepEqual(sent, [], "the first snapshot sends nothing");
  await until(() => sent.length > 0);
  // The deadline's own re-evaluation finds nothing new, and no deadline is left.
  await sleep(100);
  assert.deepEqual(sent, [{ type: "interface-going-away", interfaceId: "eth0" }]);
});

Deno.test("a deadline re-evaluates the last snapshot, not the one that armed it first", async () => {
  const sent: PlatformEvent[] = [];
  using advisor = new Advisor((event) => sent.push(event));
  advisor.advise(slaac(Date.now() + 40));
  // The router refreshed the prefix: its new deadline is an hour away.
  advisor.advise(slaac(Date.now() + 3_600_000));
  await sleep(120);
  assert.deepEqual(sent, []);
  advisor.advise(slaac(Date.now() - 1));
  assert.deepEqual(sent, [{ type: "interface-going-away", interfaceId: "eth0" }]);
});

Deno.test("a closed advisor sends nothing, neither at its deadline nor when advised", async () => {
  const sent: PlatformEvent[] = [];
  const advisor = new Advisor((event) => sent.push(event));
  advisor.advise(slaac(Date.now() + 30));
  advisor.close();
  await sleep(100);
  advisor.advise(slaac(Date.now() - 1));
  assert.deepEqual(sent, []);
});

Deno.test("an advisor needs a listener", () => {
  assert.throws(
    () => new Advisor(undefined as unknown as () => void),
    (e: unknown) => e instanceof TypeError && /^Cannot create advisor: /.test(e.message),
  );
});

Deno.test("with onDeadline, a passing deadline asks for a read instead of judging the old snapshot; what is read then decides", async () => {
  const sent: PlatformEvent[] = [];
  let asked = 0;
  using advisor = new Advisor((event) => sent.push(event), { onDeadline: () => asked++ });
  advisor.advise(slaac(Date.now() + 40));
  await until(() => asked === 1);
  assert.deepEqual(sent, [], "the stale snapshot is not judged");
  // The read found the address preferred for longer (its RA came again): nothing to say.
  advisor.advise(slaac(Date.now() + 3_600_000));
  assert.deepEqual(sent, []);
  // Had it found the address deprecated, going-away would be sent.
  advisor.advise(slaac(Date.now() - 1));
  assert.deepEqual(sent, [{ type: "interface-going-away", interfaceId: "eth0" }]);
});
