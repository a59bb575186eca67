/**
 * The main-thread broker: owns the subscribers of one Mif instance and ties
 * the state model (state.ts), request routing (router.ts) and the PD
 * workers (worker_pool.ts) together. Platform events change the state and
 * are announced by subscription (§3.3.7.1–16, announce.ts); what
 * subscribers post is routed (§3.3.7.17–25); status is computed from all of
 * them in one place (status_view.ts).
 *
 * Everything a subscriber posts is handled synchronously inside post(): its
 * immediate answers are queued before post() returns.
 *
 * @module
 */

import { announce } from "./announce.ts";
import { RequestRouter } from "./router.ts";
import { createSession, fanOut, type Session } from "./session.ts";
import { closeConnections, takeConnection } from "./session_connections.ts";
import { BrokerState } from "./state.ts";
import type { MifStatus } from "./status.ts";
import { statusView } from "./status_view.ts";
import { type Subscriber, SubscriberHandle } from "./subscriber.ts";
import type { WorkerSettings } from "./worker_client.ts";
import { WorkerPool } from "./worker_pool.ts";
import type { PlatformEvent } from "../platform/types.ts";
import type { Snapshot } from "../protocol/model.ts";

/** Options for a {@linkcode Broker}. */
export interface BrokerOptions {
  /** PD worker settings. */
  readonly worker: WorkerSettings;
  /** The platform's name, for status. */
  readonly platform: string;
  /** The platform's description, for status. */
  readonly description: string;
}

/** Owns the state model and the subscribers of one Mif instance. */
export class Broker {
  #options: BrokerOptions;
  #state = new BrokerState();
  #workers: WorkerPool;
  #router: RequestRouter;
  #sessions = new Map<number, Session>();
  #nextSession = 1;
  #closed = false;

  /** @param options Worker settings and platform identity. */
  constructor(options: BrokerOptions) {
    this.#options = options;
    this.#workers = new WorkerPool(options.worker);
    this.#router = new RequestRouter({
      state: this.#state,
      workers: this.#workers,
      isOpen: (session) => !this.#closed && this.#sessions.has(session.id),
    });
  }

  /** Applies a platform event: a new snapshot or an advisory. */
  apply(event: PlatformEvent): void {
    if (this.#closed) return;
    switch (event.type) {
      case "snapshot":
        return this.#applySnapshot(event.snapshot);
      case "interface-going-away":
      case "interface-going-up":
        // §3.3.7.25.4–5, to the subscribers of interface announcements.
        if (this.#state.interface(event.interfaceId)) {
          fanOut(this.#sessions.values(), (s) => s.interfaces, {
            type: event.type,
            interfaceId: event.interfaceId,
          });
        }
        return;
      default: {
        const never: never = event;
        throw new TypeError(`Cannot apply platform event: ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Opens a subscriber handle.
   *
   * @param name Its name, for status.
   * @param queueLimit Unread messages that fill its inbox (see inbox.ts).
   */
  subscribe(name: string | undefined, queueLimit: number): Subscriber {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot subscribe: the MIF API is closed");
    const session = createSession(this.#nextSession++, name, {
      limit: queueLimit,
      resync: (s) => this.#state.announcements(s, Date.now()),
      full: (s) => this.#release(s),
    });
    this.#sessions.set(session.id, session);
    return new SubscriberHandle(session.id, name, session.queue, {
      post: (message) => this.#router.post(session, message),
      readableConnections: () =>
        [...session.connections.values()].filter((c) => c.readableNow).map((c) => c.token),
      connection: (token) => takeConnection(session, token),
      close: () => this.#release(session),
    });
  }

  /** The whole state, for `mif status`; a copy the caller may keep. */
  status(): MifStatus {
    return statusView({
      platform: this.#options.platform,
      description: this.#options.description,
      workerPermissions: this.#options.worker.permissions,
      state: this.#state,
      workers: this.#workers,
      sessions: this.#sessions.values(),
    }, Date.now());
  }

  /** Closes every subscriber and stops every worker. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of this.#sessions.values()) session.queue.close();
    this.#sessions.clear();
    this.#workers.close();
  }

  /** Ends a session: its connections close, its requests are cancelled. */
  #release(session: Session): void {
    if (!this.#sessions.delete(session.id)) return;
    closeConnections(session);
    for (const t of session.translations.values()) {
      this.#workers.cancel(t, "Cannot translate name: the subscriber closed");
    }
    for (const c of session.connecting.values()) {
      this.#workers.cancel(c, "Cannot connect: the subscriber closed");
    }
    session.translations.clear();
    session.connecting.clear();
  }

  #applySnapshot(given: Snapshot): void {
    const changes = this.#state.accept(given);
    if (!changes) return;
    const now = Date.now();
    const hooks = {
      retire: (pdId: string) => this.#workers.retire(pdId),
      configure: (pdId: string) => {
        const entry = this.#state.pd(pdId);
        if (entry) this.#workers.configure(entry.interfaceId, entry.pd);
      },
    };
    for (const change of changes) announce(change, this.#sessions, now, hooks);
  }
}
