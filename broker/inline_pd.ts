/**
 * Requests a PD answers without the network, served on the broker's thread
 * by the same PdService a worker runs: a translate-name on a PD without DNS
 * servers, for a name that no search candidate sends to mDNS, can only be
 * answered from the host table (or as an IP literal), so no worker is
 * started for it (a worker costs tens of milliseconds and ~12 MiB).
 *
 * @module
 */

import type { PdRequest } from "../protocol/types.ts";
import {
  type FromWorker,
  isFinalReply,
  type PdConfig,
  replyProblem,
  type ServiceMessage,
} from "../wire/pd_wire.ts";
import type { PdService } from "../workers/pd_service.ts";
import { dnsServers, searchDomains } from "../workers/pd_view.ts";
import { searchCandidates } from "../workers/dns/search_list.ts";
import { isLocalName } from "../workers/dns/mdns_link.ts";
import { type BrokerAnswerReason, failureFor } from "./failures.ts";
import { describeError } from "../protocol/text.ts";
import type { Ticket } from "./worker_client.ts";

/**
 * Whether a request needs no network on this PD: a translation on a PD
 * without DNS servers whose search candidates are no `.local` names.
 *
 * @example No DNS servers: offline, unless mDNS would be asked
 * ```ts
 * import assert from "node:assert/strict";
 * import { answersOffline } from "./inline_pd.ts";
 * const config = (servers: string[]) => ({
 *   interfaceId: "eth0",
 *   pd: { pdId: "eth0/ipv6", family: "ipv6" as const, addresses: [],
 *     elements: [{ element: "ra" as const, data: { "dns-servers": servers } }] },
 *   settings: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 1, connectTimeout: 1000 },
 * });
 * const translate = (name: string) =>
 *   ({ type: "translate-name" as const, pdId: "eth0/ipv6", name, translationId: "t" });
 * assert.equal(answersOffline(translate("www.example"), config([])), true);
 * assert.equal(answersOffline(translate("printer.local"), config([])), false);
 * assert.equal(answersOffline(translate("www.example"), config(["2001:db8::53"])), false);
 * ```
 * @param request The request.
 * @param config The PD's configuration.
 * @returns True when the PD's service would not touch the network for it.
 */
export function answersOffline(request: PdRequest, config: PdConfig): boolean {
  if (request.type !== "translate-name" || dnsServers(config.pd).length > 0) return false;
  const candidates = searchCandidates(request.name, {
    domains: searchDomains(config.pd),
    ndots: config.settings.ndots ?? 1,
    mdnsSingleLabel: config.settings.mdnsSingleLabel,
  });
  return !candidates.some(isLocalName);
}

interface Pending {
  readonly ticket: Ticket;
  cancelled: boolean;
}

/**
 * One PD's service on the broker's thread, for the requests
 * {@linkcode answersOffline} accepts; answers are checked as a worker's are.
 *
 * @example A host-table-only translation, no worker
 * ```ts
 * import assert from "node:assert/strict";
 * import { InlinePd } from "./inline_pd.ts";
 * import type { ApiMessage } from "../protocol/types.ts";
 * const inline = new InlinePd({
 *   interfaceId: "eth0",
 *   pd: { pdId: "eth0/ipv4", family: "ipv4", addresses: [], elements: [] },
 *   settings: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 1, connectTimeout: 1000 },
 * });
 * const answers: ApiMessage[] = [];
 * await new Promise<void>((done) =>
 *   inline.send(1, {
 *     request: { type: "translate-name", pdId: "eth0/ipv4", name: "www.example", translationId: "t" },
 *     deliver: (m) => {
 *       answers.push(m);
 *       if (m.type === "name-translation-done") done();
 *     },
 *   })
 * );
 * assert.equal(answers[0].type === "name-translation-done" && answers[0].reason, "no-dns-servers");
 * ```
 */
export class InlinePd {
  #service: PdService | undefined;
  /** What was handed to the service while its module loaded, in order. */
  #queued: ServiceMessage[] | undefined = [];
  readonly #pending = new Map<number, Pending>();

  /** @param config The PD's configuration. */
  constructor(config: PdConfig) {
    this.configure(config);
    // The service's module (sockets, DNS wire format) loads on first use:
    // `mif status` and `mif watch` never ask a PD and do not pay its imports.
    import("../workers/pd_service.ts").then(({ PdService }) => {
      const service = new PdService((message) => this.#receive(message));
      this.#service = service;
      const queued = this.#queued ?? [];
      this.#queued = undefined;
      for (const message of queued) service.receive(message);
    }, (error: unknown) => {
      this.#queued = undefined;
      this.retire("worker-crashed", `Cannot load the PD service: ${describeError(error)}`);
    });
  }

  /** Hands a message to the service, or queues it while the service loads. */
  #hand(message: ServiceMessage): void {
    if (this.#service) this.#service.receive(message);
    else this.#queued?.push(message);
  }

  /** Requests awaiting their final answer. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Hands the service its PD's new configuration. */
  configure(config: PdConfig): void {
    this.#hand({ type: "configure", config });
  }

  /** Serves a request; its answers go to the ticket. */
  send(requestId: number, ticket: Ticket): void {
    this.#pending.set(requestId, { ticket, cancelled: false });
    this.#hand({ type: "request", requestId, request: ticket.request });
  }

  /**
   * Answers a request as cancelled now and stops it.
   *
   * @returns Whether the request was one of these.
   */
  cancel(requestId: number, detail: string): boolean {
    const pending = this.#pending.get(requestId);
    if (!pending) return false;
    if (pending.cancelled) return true;
    pending.cancelled = true;
    pending.ticket.deliver(failureFor(pending.ticket.request, "cancelled", detail));
    this.#hand({ type: "cancel", requestId });
    return true;
  }

  /** Stops every request, answering each with reason (none when reason is undefined). */
  retire(reason: BrokerAnswerReason | undefined, detail: string): void {
    for (const [requestId, pending] of [...this.#pending]) {
      if (reason !== undefined && !pending.cancelled) {
        pending.ticket.deliver(failureFor(pending.ticket.request, reason, detail));
      }
      pending.cancelled = true;
      this.#hand({ type: "cancel", requestId });
    }
    this.#pending.clear();
  }

  #receive(message: FromWorker): void {
    if (message.type === "pong" || message.requestId === undefined) return;
    const pending = this.#pending.get(message.requestId);
    if (!pending) return; // Retired: nobody waits for it.
    const problem = message.type === "fault"
      ? message.detail
      : replyProblem(pending.ticket.request, message.message);
    if (problem !== undefined) {
      this.#pending.delete(message.requestId);
      if (!pending.cancelled) {
        // The service broke its protocol: the in-process counterpart of a crashed worker.
        pending.ticket.deliver(failureFor(pending.ticket.request, "worker-crashed", problem));
      }
      return;
    }
    if (message.type !== "reply") return;
    if (isFinalReply(message.message)) this.#pending.delete(message.requestId);
    if (!pending.cancelled) pending.ticket.deliver(message.message);
  }
}
