/**
 * The main-thread broker: owns the state model (interfaces → PDs →
 * configuration elements and addresses), answers what subscribers post, fans
 * announcements out by subscription (§3.3.7.1–16), and multiplexes PD-scoped
 * requests (§3.3.7.17–24) to one worker per PD.
 *
 * Everything a subscriber posts is handled synchronously inside post(): its
 * immediate answers are queued before post() returns.
 *
 * @module
 */

import { admit } from "./admit.ts";
import { describeError } from "../protocol/text.ts";
import {
  addressAnnouncements,
  announce,
  elementAnnouncements,
  interfaceAnnouncement,
  pdAnnouncements,
} from "./announce.ts";
import { diffSnapshots } from "./diff.ts";
import type { IntentMessage } from "./intents.ts";
import {
  createSession,
  fanOut,
  type LiveRequest,
  rememberFinished,
  type Session,
  sessionStatus,
} from "./session.ts";
import type { AddressStatus, MifStatus, PdStatus } from "./status.ts";
import { type Subscriber, SubscriberHandle } from "./subscriber.ts";
import { PdWorkerClient, type WorkerSettings } from "./worker_client.ts";
import { snapshotProblem } from "./snapshot_check.ts";
import type {
  AddressInfo,
  InterfaceInfo,
  PdInfo,
  PlatformEvent,
  Snapshot,
  SourceNote,
} from "../platform/types.ts";
import type {
  ApiMessage,
  Connected,
  ErrorReason,
  PdRequest,
  SubscriberMessage,
} from "../protocol/types.ts";
import { parseIp } from "../protocol/ip.ts";
import { remaining } from "../protocol/lifetime.ts";
import type { PdConfig } from "../workers/protocol.ts";
import { ConnectionHandle } from "./connection.ts";

/** Options for a {@linkcode Broker}. */
export interface BrokerOptions {
  /** PD worker settings. */
  readonly worker: WorkerSettings;
  /** The platform's name, for status. */
  readonly platform: string;
  /** The platform's description, for status. */
  readonly description: string;
}

/** An address with its lifetimes as seconds remaining now. */
function addressStatus(a: AddressInfo, now: number): AddressStatus {
  return {
    address: a.address,
    prefixLength: a.prefixLength,
    validLifetime: remaining(a.validUntil, now),
    preferredLifetime: remaining(a.preferredUntil, now),
  };
}

/** Ended connections a subscriber never took that it may still take. */
const MAX_ENDED_UNTAKEN = 1024;

/** Keeps at most MAX_ENDED_UNTAKEN ended, untaken connections: the oldest go. */
function forgetOldestEnded(session: Session): void {
  const ended = [...session.untaken].filter((t) => session.connections.get(t)?.ended);
  for (const token of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_UNTAKEN))) {
    session.untaken.delete(token);
    session.connections.delete(token);
  }
}

/** A request the broker refuses with an `error` message. */
class Refusal extends Error {
  constructor(readonly reason: ErrorReason, detail: string) {
    super(detail);
  }
}

/** Owns the state model and the subscribers of one Mif instance. */
export class Broker {
  #options: BrokerOptions;
  #snapshot: Snapshot = { interfaces: [] };
  #nics = new Map<string, InterfaceInfo>();
  #pds = new Map<string, { interfaceId: string; pd: PdInfo }>();
  #sessions = new Map<number, Session>();
  #workers = new Map<string, PdWorkerClient>();
  #nextSession = 1;
  #closed = false;
  #notes: SourceNote[] = [];

  /** @param options Worker settings and platform identity. */
  constructor(options: BrokerOptions) {
    this.#options = options;
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
        if (this.#nics.has(event.interfaceId)) {
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
      resync: (s) => this.#state(s),
      full: (s) => this.#release(s),
    });
    this.#sessions.set(session.id, session);
    return new SubscriberHandle(session.id, name, session.queue, {
      post: (message) => this.#post(session, message),
      readableConnections: () =>
        [...session.connections.values()].filter((c) => c.readableNow).map((c) => c.token),
      connection: (token) => this.#take(session, token),
      close: () => this.#release(session),
    });
  }

  /** The whole state, for `mif status`; a copy the caller may keep. */
  status(): MifStatus {
    const now = Date.now();
    return structuredClone({
      platform: this.#options.platform,
      description: this.#options.description,
      at: new Date(now).toISOString(),
      workerPermissions: this.#options.worker.permissions,
      interfaces: this.#snapshot.interfaces.map(({ pds, unattributed, ...nic }) => ({
        ...nic,
        pds: pds.map((pd) => this.#pdStatus(pd, now)),
        ...(unattributed?.length
          ? { unattributed: unattributed.map((a) => addressStatus(a, now)) }
          : {}),
      })),
      subscribers: [...this.#sessions.values()].map(sessionStatus),
      notes: this.#notes,
    });
  }

  /** Closes every subscriber and stops every worker. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of this.#sessions.values()) session.queue.close();
    this.#sessions.clear();
    for (const worker of this.#workers.values()) worker.retire(undefined, "closed");
    this.#workers.clear();
  }

  #pdStatus(pd: PdInfo, now: number): PdStatus {
    return {
      pdId: pd.pdId,
      family: pd.family,
      addresses: pd.addresses.map((a) => addressStatus(a, now)),
      elements: pd.elements,
      dnsServers: pd.elements.flatMap((e) => {
        const servers = e.data["dns-servers"];
        return Array.isArray(servers)
          ? servers.filter((x): x is string => typeof x === "string")
            .map((address) => ({ address, element: e.element }))
          : [];
      }),
      worker: this.#workers.get(pd.pdId)?.status ??
        { state: "stopped", inFlight: 0, connections: 0, starts: 0, crashes: 0 },
    };
  }

  // -------------------------------------------------------------------------
  // Subscriber → API

  #post(session: Session, raw: unknown): void {
    const admitted = admit(raw);
    // Copying the message runs the caller's getters, which may close the
    // subscriber or the whole API: then nothing may be dispatched.
    if (this.#closed || !this.#sessions.has(session.id)) return;
    if ("refusal" in admitted) return this.#send(session, admitted.refusal);
    const message = admitted.message;
    try {
      this.#handle(session, message);
    } catch (error) {
      // Refusals are answers; anything else is a broker bug, still answered.
      const { translationId, connectionId } = message as {
        translationId?: string;
        connectionId?: string;
      };
      this.#send(session, {
        type: "error",
        reason: error instanceof Refusal ? error.reason : "internal-error",
        messageType: message.type,
        detail: error instanceof Refusal
          ? error.message
          : `Cannot handle ${message.type}: ${describeError(error, { name: true })}`,
        ...(translationId === undefined ? {} : { translationId }),
        ...(connectionId === undefined ? {} : { connectionId }),
      });
    }
  }

  #nic(interfaceId: string, action: string): InterfaceInfo {
    const nic = this.#nics.get(interfaceId);
    if (!nic) {
      throw new Refusal(
        "unknown-interface",
        `Cannot ${action}: unknown interface "${interfaceId}"`,
      );
    }
    return nic;
  }

  #pd(pdId: string, action: string): { interfaceId: string; pd: PdInfo } {
    const entry = this.#pds.get(pdId);
    if (!entry) {
      throw new Refusal("unknown-pd", `Cannot ${action}: unknown provisioning domain "${pdId}"`);
    }
    return entry;
  }

  #handle(session: Session, message: SubscriberMessage): void {
    switch (message.type) {
      case "announce-interfaces":
        this.#sendAll(session, this.#snapshot.interfaces.map(interfaceAnnouncement));
        session.interfaces = true;
        return;
      case "stop-announcing-interfaces":
        session.interfaces = false;
        return;
      case "announce-provisioning-domains": {
        const nic = this.#nic(message.interfaceId, "announce provisioning domains");
        this.#sendAll(session, pdAnnouncements(nic));
        session.pdsOn.add(nic.interfaceId);
        return;
      }
      case "stop-announcing-provisioning-domains":
        this.#nic(message.interfaceId, "stop announcing provisioning domains");
        session.pdsOn.delete(message.interfaceId);
        return;
      case "announce-configuration-elements": {
        const { pd } = this.#pd(message.pdId, "announce configuration elements");
        this.#sendAll(session, elementAnnouncements(pd));
        session.elementsOf.add(pd.pdId);
        return;
      }
      case "stop-announcing-configuration-elements":
        this.#pd(message.pdId, "stop announcing configuration elements");
        session.elementsOf.delete(message.pdId);
        return;
      case "announce-addresses": {
        const { pd } = this.#pd(message.pdId, "announce addresses");
        this.#sendAll(session, addressAnnouncements(pd, Date.now()));
        session.addressesOf.add(pd.pdId);
        return;
      }
      case "stop-announcing-addresses":
        this.#pd(message.pdId, "stop announcing addresses");
        session.addressesOf.delete(message.pdId);
        return;
      case "get-configuration-data":
        return this.#dispatch(session, message, "get configuration data");
      case "translate-name":
        session.finished.delete(message.translationId);
        return this.#dispatch(session, message, "translate name", {
          live: session.translations,
          id: message.translationId,
          idName: "translationId",
          ends: (reply) => {
            const done = reply.type === "name-translation-done";
            if (done) rememberFinished(session, message.translationId);
            return done;
          },
        });
      case "stop-translating-name": {
        const t = session.translations.get(message.translationId);
        // A stop that crossed the translation's end needs no answer: the
        // name-translation-done is already queued.
        if (!t && session.finished.has(message.translationId)) return;
        if (!t) {
          throw new Refusal(
            "unknown-translation",
            `Cannot stop translating name: no translation "${message.translationId}" is in progress`,
          );
        }
        this.#workers.get(t.pdId)?.cancel(
          t.requestId,
          "Cannot translate name: stopped by the subscriber",
        );
        return;
      }
      case "connect-to-address-from-address": {
        const [source, destination] = [parseIp(message.source), parseIp(message.address)];
        if (source?.family !== destination?.family) {
          throw new Refusal(
            "invalid-message",
            `Cannot connect: source ${message.source} and destination ${message.address} are of different families`,
          );
        }
      }
      // falls through
      case "connect-to-address":
        return this.#dispatch(session, message, "connect", {
          live: session.connecting,
          id: message.connectionId,
          idName: "connectionId",
          ends: () => true,
        });
      case "stop-connecting": {
        const c = session.connecting.get(message.connectionId);
        if (!c) {
          throw new Refusal(
            "unknown-connection",
            `Cannot stop connecting: no connection attempt "${message.connectionId}" is in progress`,
          );
        }
        this.#workers.get(c.pdId)?.cancel(c.requestId, "Cannot connect: stopped by the subscriber");
        return;
      }
      case "wants-to-connect":
      case "connection-idle":
      case "connection-can-be-broken":
        this.#checkScope(message);
        session.intents.record(message, new Date());
        return;
      default: {
        const never: never = message;
        throw new TypeError(`Cannot handle message: ${JSON.stringify(never)}`);
      }
    }
  }

  #checkScope(message: IntentMessage): void {
    const action = `record ${message.type}`;
    if (message.interfaceId !== undefined) this.#nic(message.interfaceId, action);
    if (message.pdId !== undefined) {
      const { interfaceId } = this.#pd(message.pdId, action);
      if (message.interfaceId !== undefined && interfaceId !== message.interfaceId) {
        throw new Refusal(
          "unknown-pd",
          `Cannot ${action}: provisioning domain "${message.pdId}" is not on interface "${message.interfaceId}"`,
        );
      }
    }
  }

  /**
   * Sends a PD request to its worker, starting the worker if needed. A
   * tracked request (translation, connection attempt) is refused while its
   * id is live, and its id is freed by the answer that ends it.
   */
  #dispatch(
    session: Session,
    request: PdRequest,
    action: string,
    tracked?: {
      live: Map<string, LiveRequest>;
      id: string;
      idName: string;
      ends: (reply: ApiMessage) => boolean;
    },
  ): void {
    const { interfaceId, pd } = this.#pd(request.pdId, action);
    if (tracked?.live.has(tracked.id)) {
      throw new Refusal(
        "duplicate-id",
        `Cannot ${action}: ${tracked.idName} "${tracked.id}" is in use`,
      );
    }
    let worker = this.#workers.get(pd.pdId);
    if (!worker) {
      worker = new PdWorkerClient(this.#pdConfig(interfaceId, pd), this.#options.worker);
      this.#workers.set(pd.pdId, worker);
    }
    const client = worker;
    // A worker that cannot start answers inside send(): hold such answers
    // until the request is tracked, so the id is freed after it is taken.
    let early: ApiMessage[] | undefined = [];
    const deliver = (reply: ApiMessage, port?: MessagePort) => {
      if (tracked?.ends(reply)) tracked.live.delete(tracked.id);
      if (reply.type === "connected" && port) this.#openConnection(session, client, reply, port);
      if (this.#sessions.has(session.id)) this.#send(session, reply);
    };
    const requestId = worker.send({
      request,
      // Only failures come early, never a connection.
      deliver: (reply, port) => early ? early.push(reply) : deliver(reply, port),
    });
    tracked?.live.set(tracked.id, { pdId: pd.pdId, requestId });
    const replies = early;
    early = undefined;
    for (const reply of replies) deliver(reply);
  }

  /** §3.3.7.23: the token names a Connection the subscriber takes with connection(token). */
  #openConnection(
    session: Session,
    worker: PdWorkerClient,
    reply: Connected,
    port: MessagePort,
  ): void {
    const connection = new ConnectionHandle({
      token: reply.token,
      pdId: reply.pdId,
      localAddress: { address: reply.source, port: reply.sourcePort },
      remoteAddress: { address: reply.address, port: reply.port },
      port,
      onReadable: () => session.queue.notify(),
    });
    if (!this.#sessions.has(session.id) || session.connections.has(reply.token)) {
      connection.close();
      return;
    }
    session.connections.set(reply.token, connection);
    session.untaken.add(reply.token);
    // An ended connection the subscriber has not taken stays until it is
    // taken (or the subscriber closes), so that it learns how it ended; the
    // oldest beyond MAX_ENDED_UNTAKEN are forgotten.
    connection.closed.then(() => {
      if (!session.untaken.has(reply.token)) session.connections.delete(reply.token);
      else forgetOldestEnded(session);
    });
    worker.adopt(connection);
  }

  /** connection(token): hands a connection out, ended or not; an ended one is then forgotten. */
  #take(session: Session, token: string): ConnectionHandle | undefined {
    const connection = session.connections.get(token);
    if (!connection) return undefined;
    session.untaken.delete(token);
    if (connection.ended) session.connections.delete(token);
    return connection;
  }

  /** What announce-* would send now for every subscription of a session. */
  #state(session: Session): ApiMessage[] {
    const now = Date.now();
    const pds = (ids: Set<string>) => [...ids].flatMap((id) => this.#pds.get(id)?.pd ?? []);
    return [
      ...(session.interfaces ? this.#snapshot.interfaces.map(interfaceAnnouncement) : []),
      ...[...session.pdsOn].flatMap((id) => {
        const nic = this.#nics.get(id);
        return nic ? pdAnnouncements(nic) : [];
      }),
      ...pds(session.elementsOf).flatMap(elementAnnouncements),
      ...pds(session.addressesOf).flatMap((pd) => addressAnnouncements(pd, now)),
    ];
  }

  #pdConfig(interfaceId: string, pd: PdInfo): PdConfig {
    return { interfaceId, pd, settings: this.#options.worker.pd };
  }

  #release(session: Session): void {
    if (!this.#sessions.delete(session.id)) return;
    for (const connection of session.connections.values()) connection.close();
    session.connections.clear();
    session.untaken.clear();
    for (const t of session.translations.values()) {
      this.#workers.get(t.pdId)?.cancel(
        t.requestId,
        "Cannot translate name: the subscriber closed",
      );
    }
    for (const c of session.connecting.values()) {
      this.#workers.get(c.pdId)?.cancel(c.requestId, "Cannot connect: the subscriber closed");
    }
    session.translations.clear();
    session.connecting.clear();
  }

  #send(session: Session, message: ApiMessage): void {
    fanOut([session], () => true, message);
  }

  #sendAll(session: Session, messages: readonly ApiMessage[]): void {
    for (const m of messages) this.#send(session, m);
  }

  // -------------------------------------------------------------------------
  // Platform → API

  #applySnapshot(given: Snapshot): void {
    let next: Snapshot, problem: string | undefined;
    try {
      // A copy, so the platform cannot change the model behind the broker's back.
      next = structuredClone(given);
      problem = snapshotProblem(next);
    } catch (error) {
      problem = `it is malformed (${describeError(error, { name: true })})`;
      next = this.#snapshot;
    }
    if (problem) {
      const note = { source: "platform", reason: `Cannot accept snapshot: ${problem}` };
      this.#notes = [...this.#notes.filter((n) => n.source !== "platform"), note];
      return;
    }
    const changes = diffSnapshots(this.#snapshot, next);
    this.#snapshot = next;
    this.#notes = [...(next.notes ?? [])];
    this.#nics = new Map(next.interfaces.map((n) => [n.interfaceId, n]));
    this.#pds = new Map(
      next.interfaces.flatMap((n) =>
        n.pds.map((pd) => [pd.pdId, { interfaceId: n.interfaceId, pd }])
      ),
    );
    const now = Date.now();
    const hooks = {
      retire: (pdId: string) => {
        const worker = this.#workers.get(pdId);
        this.#workers.delete(pdId);
        worker?.retire("pd-gone", `Cannot complete request: provisioning domain "${pdId}" is gone`);
      },
      configure: (pdId: string) => {
        const entry = this.#pds.get(pdId);
        if (entry) this.#workers.get(pdId)?.configure(this.#pdConfig(entry.interfaceId, entry.pd));
      },
    };
    for (const change of changes) announce(change, this.#sessions, now, hooks);
  }
}
