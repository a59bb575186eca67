/**
 * A PD without DNS servers gets no worker for what only its host table can
 * answer (broker/inline_pd.ts): the same answers, served on the broker's thread.
 */

import assert from "node:assert/strict";
import { brief, next, openManual, twoLinks, workerOf } from "../fixtures/helpers.ts";
import type { ApiMessage, Subscriber } from "../../mod.ts";

const HOSTS = new URL("../testdata/hosts", import.meta.url).pathname;

async function translate(sub: Subscriber, pdId: string, name: string): Promise<ApiMessage[]> {
  sub.post({ type: "translate-name", pdId, name, translationId: name });
  const out: ApiMessage[] = [];
  for (let m = await next(sub);; m = await next(sub)) {
    out.push(m);
    if (m.type === "name-translation-done") return out;
  }
}

Deno.test("a PD without DNS servers answers from its host table without starting a worker", async () => {
  const { mif } = await openManual(twoLinks(), { hostsFile: HOSTS, workerSpare: false });
  await using _ = mif;
  await using sub = mif.subscribe();
  const found = await translate(sub, "wlan0/ipv4", "printer.example");
  assert.deepEqual(brief(found), [
    "name-translation wlan0/ipv4 198.51.100.2 printer.example",
    "name-translation-done wlan0/ipv4 printer.example",
  ]);
  const missing = await translate(sub, "wlan0/ipv4", "www.example");
  const done = missing.at(-1)!;
  assert(done.type === "name-translation-done");
  assert.equal(done.reason, "no-dns-servers");
  assert.match(done.detail ?? "", /the PD has no DNS servers/);
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 0);
  assert.equal(workerOf(mif, "wlan0/ipv4").state, "stopped");
});

Deno.test("a .local name on a PD without DNS servers still goes to its worker (mDNS on its link)", async () => {
  const { mif } = await openManual(twoLinks(), { hostsFile: null, workerSpare: false });
  await using _ = mif;
  await using sub = mif.subscribe();
  sub.post({
    type: "translate-name",
    pdId: "wlan0/ipv4",
    name: "printer.local",
    translationId: "p",
  });
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 1);
  sub.post({ type: "stop-translating-name", translationId: "p" });
});

Deno.test("once a PD has DNS servers its translations go to its worker", async () => {
  const snapshot = twoLinks();
  const { mif, platform } = await openManual(snapshot, { hostsFile: null, workerSpare: false });
  await using _ = mif;
  await using sub = mif.subscribe();
  await translate(sub, "wlan0/ipv4", "www.example");
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 0);
  const wlan = snapshot.interfaces[1];
  platform.emit({
    type: "snapshot",
    snapshot: {
      interfaces: [snapshot.interfaces[0], {
        ...wlan,
        pds: [{
          ...wlan.pds[0],
          elements: [{ element: "dhcpv4", data: { "dns-servers": ["127.0.0.53"] } }],
        }],
      }],
    },
  });
  sub.post({
    type: "translate-name",
    pdId: "wlan0/ipv4",
    name: "198.51.100.9",
    translationId: "l",
  });
  assert.equal(workerOf(mif, "wlan0/ipv4").starts, 1);
  assert.deepEqual(brief([await next(sub), await next(sub)]), [
    "name-translation wlan0/ipv4 198.51.100.9 l",
    "name-translation-done wlan0/ipv4 l",
  ]);
});
