/**
 * connect()'s view of each PD's routing domains (connect/split_dns.ts),
 * learned through MIF messages only: the PD's configuration elements come
 * from announcements (connect/follower.ts with elements on), their
 * `search-domains` and `dns-zones` from get-configuration-data (§3.3.7.17),
 * one request per element and item, answered by the PD's worker.
 *
 * @module
 */

import { NO_MESSAGE, type Subscriber } from "../broker/subscriber.ts";
import type { ApiMessage, ConfigValue, SubscriberMessage } from "../protocol/types.ts";
import type { Follower } from "./follower.ts";
import type { PdDomains } from "./split_dns.ts";
import { ROUTING_DOMAIN_ITEMS, routingDomains } from "../protocol/routing_domains.ts";

/** The get-configuration-data requests for every element of every PD the follower knows. */
function domainRequests(follower: Follower): SubscriberMessage[] {
  return [...follower.view.pds.values()].flatMap(({ pdId, elements }) =>
    [...elements].flatMap((element) =>
      ROUTING_DOMAIN_ITEMS.map((item): SubscriberMessage => ({
        type: "get-configuration-data",
        pdId,
        element,
        item,
      }))
    )
  );
}

/** Whether a message answers one of the requests. */
function answers(m: ApiMessage): boolean {
  return m.type === "configuration-data" || m.type === "no-configuration-data" ||
    (m.type === "error" && m.messageType === "get-configuration-data");
}

/**
 * Asks every PD the follower knows for its routing domains and waits for
 * every answer; other messages that arrive meanwhile are learned by the
 * follower (what it says to post is posted).
 *
 * @example Every PD of the bundled laptop with its domains
 * ```ts
 * import assert from "node:assert/strict";
 * import { openMif } from "../broker/mif.ts";
 * import { NO_MESSAGE } from "../broker/subscriber.ts";
 * import { Follower } from "./follower.ts";
 * import { learnRoutingDomains } from "./pd_domains.ts";
 * await using mif = await openMif({ platform: "sim", workerPermissions: "net" });
 * await using sub = mif.subscribe();
 * const follower = new Follower();
 * follower.start().forEach((m) => sub.post(m));
 * for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) follower.next(m).forEach((n) => sub.post(n));
 * const domains = await learnRoutingDomains(sub, follower, { timeout: 5000 });
 * assert.deepEqual(domains?.find((d) => d.pdId === "tun0/ipv4")?.domains, ["corp.example"]);
 * follower.stop().forEach((m) => sub.post(m));
 * ```
 * @param sub The subscriber, following the host with `follower`.
 * @param follower A follower with elements on, having learned the host.
 * @param options Milliseconds to wait at most; aborts the wait.
 * @returns Each PD with its domains, in announcement order; undefined when
 *   the time ran out first.
 * @throws The signal's reason when aborted.
 */
export async function learnRoutingDomains(
  sub: Subscriber,
  follower: Follower,
  options: { readonly timeout: number; readonly signal?: AbortSignal },
): Promise<PdDomains[] | undefined> {
  const requests = domainRequests(follower);
  const values = new Map<string, Record<string, ConfigValue>[]>();
  requests.forEach((m) => sub.post(m));
  const deadline = performance.now() + options.timeout;
  let open = requests.length;
  while (open > 0 && !sub.closed) {
    const m = sub.get();
    if (m === NO_MESSAGE) {
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      await sub.check({ timeout: Math.ceil(left), signal: options.signal });
      continue;
    }
    if (answers(m)) open--;
    if (m.type === "configuration-data") {
      values.set(m.pdId, [...values.get(m.pdId) ?? [], { [m.item]: m.value }]);
    }
    follower.next(m).forEach((n) => sub.post(n));
  }
  return [...follower.view.pds.keys()].map((pdId) => ({
    pdId,
    domains: routingDomains((values.get(pdId) ?? []).map((data) => ({ data }))),
  }));
}
