/**
 * Request routing: what a subscriber posts is admitted, then answered from
 * the state model (subscriptions, §3.3.7.1–16, and configuration data,
 * §3.3.7.17), recorded (intents, §3.3.7.25) or sent to its PD's worker
 * (§3.3.7.18–24), correlated by the subscriber's translation and
 * connection ids. A refused request is answered with an `error` message;
 * so is a broker bug.
 *
 * @module
 */

import { admit } from "./admit.ts";
import {
  addressAnnouncements,
  elementAnnouncements,
  interfaceAnnouncement,
  pdAnnouncements,
} from "./announce.ts";
import { configurationData } from "../protocol/configuration_data.ts";
import { ConnectionHandle } from "./connection.ts";
import type { IntentMessage } from "./intents.ts";
import { Refusal } from "./refusal.ts";
import { fanOut, type LiveRequest, rememberFinished, type Session } from "./session.ts";
import { holdConnection } from "./session_connections.ts";
import type { BrokerState, PdEntry } from "./state.ts";
import type { PdWorkerClient } from "./worker_client.ts";
import type { WorkerPool } from "./worker_pool.ts";
import type { InterfaceInfo } from "../protocol/model.ts";
import { parseIp } from "../ip/ip.ts";
import { describeError } from "../protocol/text.ts";
import type {
  ApiMessage,
  Connected,
  ConnectToAddress,
  ConnectToAddressFromAddress,
  PdRequest,
  StopConnecting,
  StopTranslatingName,
  SubscriberMessage,
  SubscriptionMessage,
  TranslateName,
} from "../protocol/types.ts";

/** A PD request whose id the subscriber chose: live until the answer that ends it. */
interface Tracked {
  /** The session's live requests of this kind. */
  readonly live: Map<string, LiveRequest>;
  /** The subscriber's id for the request. */
  readonly id: string;
  /** The id's name in messages. */
  readonly idName: string;
  /** Whether an answer ends the request. */
  readonly ends: (reply: ApiMessage) => boolean;
}

/** What the router reads and drives. */
export interface RouterContext {
  /** The state model. */
  readonly state: BrokerState;
  /** The PD workers. */
  readonly workers: WorkerPool;
  /** Whether a session may still be answered: false once it or the API closed. */
  readonly isOpen: (session: Session) => boolean;
}

function send(session: Session, message: ApiMessage): void {
  fanOut([session], () => true, message);
}

function sendAll(session: Session, messages: readonly ApiMessage[]): void {
  for (const m of messages) send(session, m);
}

/**
 * Answers what subscribers post.
 *
 * @example Subscribe to interfaces, and be refused an unknown PD
 * ```ts
 * import { RequestRouter } from "./router.ts";
 * import { BrokerState } from "./state.ts";
 * import { WorkerPool } from "./worker_pool.ts";
 * import { createSession } from "./session.ts";
 * import assert from "node:assert/strict";
 * const state = new BrokerState();
 * state.accept({ interfaces: [{ interfaceId: "eth0", displayName: "eth0",
 *   interfaceType: "wired", operState: "up", pds: [] }] });
 * const workers = new WorkerPool({
 *   pd: { hostsFile: null, dnsTimeout: 1000, dnsAttempts: 2, connectTimeout: 1000 },
 *   url: new URL("../workers/pd_worker.ts", import.meta.url),
 *   permissions: "inherit", idleTimeout: 1000, watchdog: 1000,
 * });
 * const router = new RequestRouter({ state, workers, isOpen: () => true });
 * const session = createSession(1, "app", { limit: 10, resync: () => [], full: () => {} });
 * router.post(session, { type: "announce-interfaces" });
 * assert.equal(session.queue.shift()?.type, "interface-announcement");
 * assert.equal(session.interfaces, true);
 * router.post(session, { type: "announce-addresses", pdId: "eth9/ipv4" });
 * const refusal = session.queue.shift();
 * assert.equal(refusal?.type === "error" && refusal.reason, "unknown-pd");
 * ```
 */
export class RequestRouter {
  #state: BrokerState;
  #workers: WorkerPool;
  #isOpen: (session: Session) => boolean;

  /** @param context The state, the workers, and which sessions are open. */
  constructor(context: RouterContext) {
    this.#state = context.state;
    this.#workers = context.workers;
    this.#isOpen = context.isOpen;
  }

  /**
   * Handles what a subscriber posted; its immediate answers are queued
   * before this returns.
   *
   * @param session The subscriber's session.
   * @param raw What it posted, not yet validated.
   */
  post(session: Session, raw: unknown): void {
    const admitted = admit(raw);
    // Copying the message runs the caller's getters, which may close the
    // subscriber or the whole API: then nothing may be dispatched.
    if (!this.#isOpen(session)) return;
    if ("refusal" in admitted) return send(session, admitted.refusal);
    const message = admitted.message;
    try {
      this.#handle(session, message);
    } catch (error) {
      // Refusals are answers; anything else is a broker bug, still answered.
      const { translationId, connectionId } = message as {
        translationId?: string;
        connectionId?: string;
      };
      send(session, {
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

  #handle(session: Session, message: SubscriberMessage): void {
    switch (message.type) {
      case "announce-interfaces":
      case "stop-announcing-interfaces":
      case "announce-provisioning-domains":
      case "stop-announcing-provisioning-domains":
      case "announce-configuration-elements":
      case "stop-announcing-configuration-elements":
      case "announce-addresses":
      case "stop-announcing-addresses":
        return this.#subscription(session, message);
      case "get-configuration-data":
        return send(
          session,
          configurationData(this.#pd(message.pdId, "get configuration data").pd, message),
        );
      case "translate-name":
        return this.#translate(session, message);
      case "stop-translating-name":
        return this.#stopTranslating(session, message);
      case "connect-to-address-from-address":
      case "connect-to-address":
        return this.#connect(session, message);
      case "stop-connecting":
        return this.#stopConnecting(session, message);
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

  /** announce-* answers with the current state, then follows it; stop-announcing-* stops. */
  #subscription(session: Session, message: SubscriptionMessage): void {
    switch (message.type) {
      case "announce-interfaces":
        sendAll(session, this.#state.interfaces.map(interfaceAnnouncement));
        session.interfaces = true;
        return;
      case "stop-announcing-interfaces":
        session.interfaces = false;
        return;
      case "announce-provisioning-domains": {
        const nic = this.#nic(message.interfaceId, "announce provisioning domains");
        sendAll(session, pdAnnouncements(nic));
        session.pdsOn.add(nic.interfaceId);
        return;
      }
      case "stop-announcing-provisioning-domains":
        this.#nic(message.interfaceId, "stop announcing provisioning domains");
        session.pdsOn.delete(message.interfaceId);
        return;
      case "announce-configuration-elements": {
        const { pd } = this.#pd(message.pdId, "announce configuration elements");
        sendAll(session, elementAnnouncements(pd));
        session.elementsOf.add(pd.pdId);
        return;
      }
      case "stop-announcing-configuration-elements":
        this.#pd(message.pdId, "stop announcing configuration elements");
        session.elementsOf.delete(message.pdId);
        return;
      case "announce-addresses": {
        const { pd } = this.#pd(message.pdId, "announce addresses");
        sendAll(session, addressAnnouncements(pd, Date.now()));
        session.addressesOf.add(pd.pdId);
        return;
      }
      case "stop-announcing-addresses":
        this.#pd(message.pdId, "stop announcing addresses");
        session.addressesOf.delete(message.pdId);
        return;
    }
  }

  #translate(session: Session, message: TranslateName): void {
    session.finished.delete(message.translationId);
    this.#dispatch(session, message, "translate name", {
      live: session.translations,
      id: message.translationId,
      idName: "translationId",
      ends: (reply) => {
        const done = reply.type === "name-translation-done";
        if (done) rememberFinished(session, message.translationId);
        return done;
      },
    });
  }

  #stopTranslating(session: Session, message: StopTranslatingName): void {
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
    this.#workers.cancel(t, "Cannot translate name: stopped by the subscriber");
  }

  #connect(session: Session, message: ConnectToAddress | ConnectToAddressFromAddress): void {
    if (message.type === "connect-to-address-from-address") {
      const [source, destination] = [parseIp(message.source), parseIp(message.address)];
      if (source?.family !== destination?.family) {
        throw new Refusal(
          "invalid-message",
          `Cannot connect: source ${message.source} and destination ${message.address} are of different families`,
        );
      }
    }
    this.#dispatch(session, message, "connect", {
      live: session.connecting,
      id: message.connectionId,
      idName: "connectionId",
      ends: () => true,
    });
  }

  #stopConnecting(session: Session, message: StopConnecting): void {
    const c = session.connecting.get(message.connectionId);
    if (!c) {
      throw new Refusal(
        "unknown-connection",
        `Cannot stop connecting: no connection attempt "${message.connectionId}" is in progress`,
      );
    }
    this.#workers.cancel(c, "Cannot connect: stopped by the subscriber");
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
  #dispatch(session: Session, request: PdRequest, action: string, tracked?: Tracked): void {
    const { interfaceId, pd } = this.#pd(request.pdId, action);
    if (tracked?.live.has(tracked.id)) {
      throw new Refusal(
        "duplicate-id",
        `Cannot ${action}: ${tracked.idName} "${tracked.id}" is in use`,
      );
    }
    const worker = this.#workers.obtain(interfaceId, pd);
    // A worker that cannot start answers inside send(): hold such answers
    // until the request is tracked, so the id is freed after it is taken.
    let early: ApiMessage[] | undefined = [];
    const deliver = (reply: ApiMessage, port?: MessagePort) => {
      if (tracked?.ends(reply)) tracked.live.delete(tracked.id);
      if (reply.type === "connected" && port) this.#openConnection(session, worker, reply, port);
      if (this.#isOpen(session)) send(session, reply);
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
      ...(reply.tls ? { tls: reply.tls } : {}),
      port,
      onReadable: () => session.queue.notify(),
    });
    if (!this.#isOpen(session)) {
      connection.close();
      return;
    }
    if (holdConnection(session, connection)) worker.adopt(connection);
  }

  #nic(interfaceId: string, action: string): InterfaceInfo {
    const nic = this.#state.interface(interfaceId);
    if (!nic) {
      throw new Refusal(
        "unknown-interface",
        `Cannot ${action}: unknown interface "${interfaceId}"`,
      );
    }
    return nic;
  }

  #pd(pdId: string, action: string): PdEntry {
    const entry = this.#state.pd(pdId);
    if (!entry) {
      throw new Refusal("unknown-pd", `Cannot ${action}: unknown provisioning domain "${pdId}"`);
    }
    return entry;
  }
}
