/**
 * The broker's record of one subscriber: its inbox, subscriptions, requests
 * in flight and intents.
 *
 * @module
 */

import { IntentBook } from "./intents.ts";
import { Inbox } from "./inbox.ts";
import type { SubscriberStatus } from "./status.ts";
import type { ApiMessage } from "../protocol/types.ts";
import { sanitizeApiMessage } from "../protocol/text.ts";
import type { ConnectionHandle } from "./connection.ts";

/** A request in flight, by the subscriber's id for it. */
export interface LiveRequest {
  /** The PD it went to. */
  readonly pdId: string;
  /** The worker client's id for it. */
  readonly requestId: number;
}

/** One subscriber, as the broker sees it. */
export interface Session {
  /** Unique within the broker. */
  readonly id: number;
  /** The name given to subscribe(). */
  readonly name: string | undefined;
  /** Its inbox (bounded, see inbox.ts). */
  readonly queue: Inbox;
  /** announce-interfaces flag (§3.3.7.1). */
  interfaces: boolean;
  /** Interfaces whose PDs it follows (§3.3.7.5). */
  readonly pdsOn: Set<string>;
  /** PDs whose configuration elements it follows (§3.3.7.9). */
  readonly elementsOf: Set<string>;
  /** PDs whose addresses it follows (§3.3.7.13). */
  readonly addressesOf: Set<string>;
  /** Translations in progress, by translationId. */
  readonly translations: Map<string, LiveRequest>;
  /**
   * Ids of translations that ended recently, oldest first: a stop for one of
   * them crossed its name-translation-done and needs no answer.
   */
  readonly finished: Set<string>;
  /** Connection attempts in progress, by connectionId. */
  readonly connecting: Map<string, LiveRequest>;
  /**
   * Its connections by token (§3.3.7.23): open ones, and ended ones the
   * subscriber has not taken yet, so that it still learns how they ended.
   */
  readonly connections: Map<string, ConnectionHandle>;
  /** Tokens of connections the subscriber has not taken with connection(token). */
  readonly untaken: Set<string>;
  /** Its application intents (§3.3.7.25). */
  readonly intents: IntentBook;
}

/** What a session's inbox does when it overflows (see inbox.ts). */
export interface OverflowHandling {
  /** Unread messages that fill the inbox. */
  readonly limit: number;
  /** The current state of the session's subscriptions, as announcements. */
  readonly resync: (session: Session) => ApiMessage[];
  /** Releases a session whose answers alone filled its inbox. */
  readonly full: (session: Session) => void;
}

/**
 * Creates an empty session.
 *
 * @param id Its id.
 * @param name Its name, if any.
 * @param overflow Its inbox's limit and overflow handling.
 */
export function createSession(
  id: number,
  name: string | undefined,
  overflow: OverflowHandling,
): Session {
  const connections = new Map<string, ConnectionHandle>();
  const readable = () => {
    for (const c of connections.values()) if (c.readableNow) return true;
    return false;
  };
  const session: Session = {
    id,
    name,
    // CHECK MESSAGE (§3.3.6.2) also reports readable connections.
    queue: new Inbox({
      limit: overflow.limit,
      extraReady: readable,
      resync: () => overflow.resync(session),
      full: () => overflow.full(session),
    }),
    connections,
    untaken: new Set(),
    interfaces: false,
    pdsOn: new Set(),
    elementsOf: new Set(),
    addressesOf: new Set(),
    translations: new Map(),
    finished: new Set(),
    connecting: new Map(),
    intents: new IntentBook(),
  };
  return session;
}

/** How many ended translation ids a session remembers. */
const FINISHED_MEMORY = 1024;

/**
 * Records that a translation ended, forgetting the oldest beyond a bound.
 *
 * @param s The session.
 * @param translationId The translation's id.
 */
export function rememberFinished(s: Session, translationId: string): void {
  s.finished.delete(translationId);
  s.finished.add(translationId);
  if (s.finished.size > FINISHED_MEMORY) s.finished.delete(s.finished.values().next().value!);
}

/**
 * Describes a session for status.
 *
 * @param s The session.
 */
export function sessionStatus(s: Session): SubscriberStatus {
  return {
    subscriberId: s.id,
    ...(s.name === undefined ? {} : { name: s.name }),
    interfaces: s.interfaces,
    provisioningDomainsOn: [...s.pdsOn],
    configurationElementsOf: [...s.elementsOf],
    addressesOf: [...s.addressesOf],
    translations: s.translations.size,
    connecting: s.connecting.size,
    connections: s.connections.size,
    queued: s.queue.size,
    intents: s.intents.list(),
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Queues a message for every session that wants it: the one way out of the
 * broker. Its free text is cleaned first (protocol/text.ts), so no name, DNS
 * datum or error text can make it invalid; then it is frozen: all
 * recipients share it, and none may change it for the others.
 *
 * @param sessions The sessions.
 * @param wants Whether a session receives it.
 * @param message The message.
 */
export function fanOut(
  sessions: Iterable<Session>,
  wants: (s: Session) => boolean,
  message: ApiMessage,
): void {
  const clean = deepFreeze(sanitizeApiMessage(message));
  for (const session of sessions) if (wants(session)) session.queue.push(clean);
}
