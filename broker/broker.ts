/**
 * The main-thread broker: owns the state model (interfaces → PDs →
 * configuration elements and addresses), fans announcements out to
 * subscribers by their subscriptions (§3.3.7.1–16), and multiplexes
 * PD-scoped requests (§3.3.7.17–24) to one worker per PD.
 *
 * Everything a subscriber posts is handled synchronously inside post(): its
 * immediate answers are queued before post() returns.
 *
 * @module
 */

import { type Change, diffSnapshots } from "./diff.ts";
import { IntentBook, type IntentMessage } from "./intents.ts";
import { MessageQueue } from "./message_queue.ts";
import type { MifStatus, PdStatus, SubscriberStatus } from "./status.ts";
import { type Subscriber, SubscriberHandle } from "./subscriber.ts";
import { PdWorkerClient, type WorkerSettings } from "./worker_client.ts";
import { snapshotProblem } from "../platform/snapshot.ts";
import type {
  InterfaceInfo,
  PdInfo,
  PlatformEvent,
  Snapshot,
  SourceNote,
} from "../platform/types.ts";
import type {
  ApiMessage,
  ErrorMessage,
  ErrorReason,
  Lifetime,
  PdRequest,
  SubscriberMessage,
} from "../protocol/types.ts";
import { validateSubscriberMessage } from "../protocol/validate.ts";

interface Session {
  readonly id: number;
  readonly name: string | undefined;
  readonly queue: MessageQueue<ApiMessage>;
  interfaces: boolean;
  readonly pdsOn: Set<string>;
  readonly elementsOf: Set<string>;
  readonly addressesOf: Set<string>;
  readonly translations: Map<string, { pdId: string; requestId: number }>;
  readonly connecting: Map<string, { pdId: string; requestId: number }>;
  readonly intents: IntentBook;
}

/** Options for a {@linkcode Broker}. */
export interface BrokerOptions {
  /** PD worker settings. */
  readonly worker: WorkerSettings;
  /** The platform's name, for status. */
  readonly platform: string;
  /** The platform's description, for status. */
  readonly description: string;
}

/**
 * Seconds left until an absolute time, rounded up (so 0 only once it has
 * passed), or "infinite".
 *
 * @param until Epoch ms, or null for never.
 * @param now Epoch ms.
 */
export function remaining(until: number | null, now: number): Lifetime {
  return until === null ? "infinite" : Math.max(0, Math.ceil((until - now) / 1000));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function peekType(raw: unknown): string | null {
  try {
    const type = (raw as { type?: unknown } | null)?.type;
    return typeof type === "string" ? type.slice(0, 64) : null;
  } catch {
    return null; // A throwing getter or proxy trap: the message has no readable type.
  }
}

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
        if (this.#nics.has(event.interfaceId)) {
          this.#fanOut((s) => s.interfaces, { type: event.type, interfaceId: event.interfaceId });
        }
        return;
      default: {
        const never: never = event;
        throw new TypeError(`Cannot apply platform event: ${JSON.stringify(never)}`);
      }
    }
  }

  /** Opens a subscriber handle. */
  subscribe(name?: string): Subscriber {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot subscribe: the MIF API is closed");
    const session: Session = {
      id: this.#nextSession++,
      name,
      queue: new MessageQueue<ApiMessage>(),
      interfaces: false,
      pdsOn: new Set(),
      elementsOf: new Set(),
      addressesOf: new Set(),
      translations: new Map(),
      connecting: new Map(),
      intents: new IntentBook(),
    };
    this.#sessions.set(session.id, session);
    return new SubscriberHandle(session.id, name, session.queue, {
      post: (message) => this.#post(session, message),
      readableConnections: () => [],
      close: () => this.#release(session),
    });
  }

  /** The whole state, for `mif status`. */
  status(): MifStatus {
    const now = Date.now();
    const interfaces = this.#snapshot.interfaces.map((nic) => {
      const { pds: _, ...rest } = nic;
      return { ...rest, pds: nic.pds.map((pd) => this.#pdStatus(pd, now)) };
    });
    const subscribers: SubscriberStatus[] = [...this.#sessions.values()].map((s) => ({
      subscriberId: s.id,
      ...(s.name === undefined ? {} : { name: s.name }),
      interfaces: s.interfaces,
      provisioningDomainsOn: [...s.pdsOn],
      configurationElementsOf: [...s.elementsOf],
      addressesOf: [...s.addressesOf],
      translations: s.translations.size,
      connecting: s.connecting.size,
      queued: s.queue.size,
      intents: s.intents.list(),
    }));
    return {
      platform: this.#options.platform,
      description: this.#options.description,
      at: new Date(now).toISOString(),
      workerPermissions: this.#options.worker.permissions,
      interfaces,
      subscribers,
      notes: [...this.#notes],
    };
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
      addresses: pd.addresses.map((a) => ({
        address: a.address,
        prefixLength: a.prefixLength,
        validLifetime: remaining(a.validUntil, now),
        preferredLifetime: remaining(a.preferredUntil, now),
      })),
      elements: pd.elements.map((e) => ({ ...e })),
      dnsServers: pd.elements.flatMap((e) => {
        const servers = e.data["dns-servers"];
        return Array.isArray(servers)
          ? servers.filter((x): x is string => typeof x === "string").map((address) => ({
            address,
            element: e.element,
          }))
          : [];
      }),
      worker: this.#workers.get(pd.pdId)?.status ??
        { state: "stopped", inFlight: 0, starts: 0, crashes: 0 },
    };
  }

  // -------------------------------------------------------------------------
  // Subscriber → API

  #post(session: Session, raw: unknown): void {
    let clone: unknown;
    try {
      clone = structuredClone(raw);
    } catch (error) {
      return this.#send(session, {
        type: "error",
        reason: "invalid-message",
        messageType: peekType(raw),
        detail: `Cannot accept message: it cannot be cloned (${
          error instanceof Error ? error.message : String(error)
        })`,
      });
    }
    const v = validateSubscriberMessage(clone);
    if (!v.ok) {
      const { ok: _, ...rest } = v;
      return this.#send(session, { type: "error", reason: "invalid-message", ...rest });
    }
    const message = v.message;
    try {
      this.#handle(session, message);
    } catch (error) {
      const ids = message as { translationId?: string; connectionId?: string };
      const reason = error instanceof Refusal ? error.reason : "internal-error";
      this.#send(
        session,
        {
          type: "error",
          reason,
          messageType: message.type,
          detail: error instanceof Refusal
            ? error.message
            : `Cannot handle ${message.type}: ${
              error instanceof Error ? error.message : String(error)
            }`,
          ...(ids.translationId === undefined ? {} : { translationId: ids.translationId }),
          ...(ids.connectionId === undefined ? {} : { connectionId: ids.connectionId }),
        } satisfies ErrorMessage,
      );
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
    const pd = this.#pds.get(pdId);
    if (!pd) {
      throw new Refusal("unknown-pd", `Cannot ${action}: unknown provisioning domain "${pdId}"`);
    }
    return pd;
  }

  #handle(session: Session, message: SubscriberMessage): void {
    switch (message.type) {
      case "announce-interfaces":
        for (const nic of this.#snapshot.interfaces) {
          this.#send(session, this.#interfaceAnnouncement(nic));
        }
        session.interfaces = true;
        return;
      case "stop-announcing-interfaces":
        session.interfaces = false;
        return;
      case "announce-provisioning-domains": {
        const nic = this.#nic(message.interfaceId, "announce provisioning domains");
        for (const pd of nic.pds) {
          this.#send(session, {
            type: "provisioning-domain-announcement",
            interfaceId: nic.interfaceId,
            pdId: pd.pdId,
            family: pd.family,
          });
        }
        session.pdsOn.add(nic.interfaceId);
        return;
      }
      case "stop-announcing-provisioning-domains":
        this.#nic(message.interfaceId, "stop announcing provisioning domains");
        session.pdsOn.delete(message.interfaceId);
        return;
      case "announce-configuration-elements": {
        const { pd } = this.#pd(message.pdId, "announce configuration elements");
        for (const e of pd.elements) {
          this.#send(session, {
            type: "configuration-element-announcement",
            pdId: pd.pdId,
            element: e.element,
          });
        }
        session.elementsOf.add(pd.pdId);
        return;
      }
      case "stop-announcing-configuration-elements":
        this.#pd(message.pdId, "stop announcing configuration elements");
        session.elementsOf.delete(message.pdId);
        return;
      case "announce-addresses": {
        const { pd } = this.#pd(message.pdId, "announce addresses");
        const now = Date.now();
        for (const a of pd.addresses) this.#send(session, addressAnnouncement(pd, a, now));
        session.addressesOf.add(pd.pdId);
        return;
      }
      case "stop-announcing-addresses":
        this.#pd(message.pdId, "stop announcing addresses");
        session.addressesOf.delete(message.pdId);
        return;
      case "get-configuration-data":
        this.#pd(message.pdId, "get configuration data");
        this.#dispatch(session, message, () => {});
        return;
      case "translate-name": {
        this.#pd(message.pdId, "translate name");
        const id = message.translationId;
        if (session.translations.has(id)) {
          throw new Refusal(
            "duplicate-id",
            `Cannot translate name: translationId "${id}" is in use`,
          );
        }
        this.#dispatch(session, message, (reply) => {
          if (reply.type === "name-translation-done") session.translations.delete(id);
        }, (requestId) => session.translations.set(id, { pdId: message.pdId, requestId }));
        return;
      }
      case "stop-translating-name": {
        const t = session.translations.get(message.translationId);
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
      case "connect-to-address":
      case "connect-to-address-from-address": {
        this.#pd(message.pdId, "connect");
        const id = message.connectionId;
        if (session.connecting.has(id)) {
          throw new Refusal("duplicate-id", `Cannot connect: connectionId "${id}" is in use`);
        }
        this.#dispatch(
          session,
          message,
          () => session.connecting.delete(id),
          (requestId) => session.connecting.set(id, { pdId: message.pdId, requestId }),
        );
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
   * Sends a PD request to its worker. `track` runs before the request is
   * sent (a worker that fails to start answers synchronously); `settle` runs
   * on every answer before it is queued.
   */
  #dispatch(
    session: Session,
    request: PdRequest,
    settle: (reply: ApiMessage) => void,
    track: (requestId: number) => void = () => {},
  ): void {
    const { interfaceId, pd } = this.#pd(request.pdId, "send request");
    let worker = this.#workers.get(pd.pdId);
    if (!worker) {
      worker = new PdWorkerClient({ interfaceId, pd }, this.#options.worker);
      this.#workers.set(pd.pdId, worker);
    }
    let tracked = false;
    let early: ApiMessage[] = [];
    const requestId = worker.send({
      request,
      deliver: (reply) => {
        if (!tracked) {
          early.push(reply);
          return;
        }
        settle(reply);
        if (this.#sessions.has(session.id)) this.#send(session, reply);
      },
    });
    track(requestId);
    tracked = true;
    const replies = early;
    early = [];
    for (const reply of replies) {
      settle(reply);
      this.#send(session, reply);
    }
  }

  #release(session: Session): void {
    if (!this.#sessions.delete(session.id)) return;
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
    session.queue.push(deepFreeze(message));
  }

  #fanOut(wants: (s: Session) => boolean, message: ApiMessage): void {
    deepFreeze(message);
    for (const session of this.#sessions.values()) {
      if (wants(session)) session.queue.push(message);
    }
  }

  #interfaceAnnouncement(nic: InterfaceInfo): ApiMessage {
    return {
      type: "interface-announcement",
      interfaceId: nic.interfaceId,
      displayName: nic.displayName,
      interfaceType: nic.interfaceType,
    };
  }

  // -------------------------------------------------------------------------
  // Platform → API

  #applySnapshot(next: Snapshot): void {
    const problem = snapshotProblem(next);
    if (problem) {
      this.#notes = [...this.#notes.filter((n) => n.source !== "platform"), {
        source: "platform",
        reason: `Cannot accept snapshot: ${problem}`,
      }];
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
    for (const change of changes) this.#announce(change, now);
  }

  #announce(change: Change, now: number): void {
    switch (change.kind) {
      case "address-removed":
        return this.#fanOut((s) => s.addressesOf.has(change.pd.pdId), {
          type: "no-address-announcement",
          pdId: change.pd.pdId,
          address: change.address,
        });
      case "element-removed":
        return this.#fanOut((s) => s.elementsOf.has(change.pd.pdId), {
          type: "no-configuration-element-announcement",
          pdId: change.pd.pdId,
          element: change.element.element,
        });
      case "pd-removed": {
        const { interfaceId, pd } = change;
        this.#fanOut((s) => s.pdsOn.has(interfaceId), {
          type: "no-provisioning-domain-announcement",
          interfaceId,
          pdId: pd.pdId,
        });
        for (const s of this.#sessions.values()) {
          s.elementsOf.delete(pd.pdId);
          s.addressesOf.delete(pd.pdId);
        }
        const worker = this.#workers.get(pd.pdId);
        this.#workers.delete(pd.pdId);
        worker?.retire(
          "pd-gone",
          `Cannot complete request: provisioning domain "${pd.pdId}" is gone`,
        );
        return;
      }
      case "interface-removed":
        this.#fanOut((s) => s.interfaces, {
          type: "no-interface-announcement",
          interfaceId: change.nic.interfaceId,
        });
        for (const s of this.#sessions.values()) s.pdsOn.delete(change.nic.interfaceId);
        return;
      case "interface-added":
      case "interface-changed":
        return this.#fanOut((s) => s.interfaces, this.#interfaceAnnouncement(change.nic));
      case "pd-added":
        return this.#fanOut((s) => s.pdsOn.has(change.interfaceId), {
          type: "provisioning-domain-announcement",
          interfaceId: change.interfaceId,
          pdId: change.pd.pdId,
          family: change.pd.family,
        });
      case "pd-changed": {
        const entry = this.#pds.get(change.pd.pdId);
        if (entry) this.#workers.get(change.pd.pdId)?.configure(entry);
        return;
      }
      case "element-added":
      case "element-changed":
        return this.#fanOut((s) => s.elementsOf.has(change.pd.pdId), {
          type: "configuration-element-announcement",
          pdId: change.pd.pdId,
          element: change.element.element,
        });
      case "address-added":
      case "address-changed":
        return this.#fanOut(
          (s) => s.addressesOf.has(change.pd.pdId),
          addressAnnouncement(change.pd, change.address, now),
        );
      default: {
        const never: never = change;
        throw new TypeError(`Cannot announce change: ${JSON.stringify(never)}`);
      }
    }
  }
}

function addressAnnouncement(pd: PdInfo, a: PdInfo["addresses"][number], now: number): ApiMessage {
  return {
    type: "address-announcement",
    pdId: pd.pdId,
    address: a.address,
    prefixLength: a.prefixLength,
    validLifetime: remaining(a.validUntil, now),
    preferredLifetime: remaining(a.preferredUntil, now),
  };
}
