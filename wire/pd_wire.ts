/**
 * The messages between the broker and a PD worker, carried over the
 * MessageChannel the broker hands each worker, with their runtime guards.
 * Requests and replies are the MIF messages of §3.3.7 themselves, wrapped
 * with a request id for correlation.
 *
 * @module
 */

import type { PdInfo } from "../protocol/model.ts";
import type { ApiMessage, PdRequest } from "../protocol/types.ts";
import { validateApiMessage, validateSubscriberMessage } from "../protocol/validate.ts";
import { cleanText, sanitizeApiMessage, TEXT_LIMITS } from "../protocol/text.ts";

/** How a PD worker resolves names and connects; the same for every PD of a Mif. */
export interface PdSettings {
  /** The local host table (hosts(5) format), or null for none. */
  readonly hostsFile: string | null;
  /** Milliseconds to wait for one DNS server's answer to one query. */
  readonly dnsTimeout: number;
  /** How many times each DNS server is tried for one query. */
  readonly dnsAttempts: number;
  /** Milliseconds a connection attempt may take unless the request says. */
  readonly connectTimeout: number;
  /** Names with fewer dots try the PD's search domains first (resolv.conf ndots; default 1). */
  readonly ndots?: number;
  /** Whether single-label names also try `name.local` by mDNS, last (default false). */
  readonly mdnsSingleLabel?: boolean;
}

/** What a PD worker knows of its PD. */
export interface PdConfig {
  /** The interface the PD is on. */
  readonly interfaceId: string;
  /** The PD, its configuration elements and addresses. */
  readonly pd: PdInfo;
  /** Resolver and connection settings. */
  readonly settings: PdSettings;
}

/** Broker → PD service: configuration, requests and cancellations. */
export type ServiceMessage =
  | { readonly type: "configure"; readonly config: PdConfig }
  | { readonly type: "request"; readonly requestId: number; readonly request: PdRequest }
  | { readonly type: "cancel"; readonly requestId: number };

/** Broker → worker: a service message, or a liveness check the worker answers itself. */
export type ToWorker = ServiceMessage | { readonly type: "ping" };

/** Posts a message to the broker, transferring what `transfer` lists. */
export type Send = (message: FromWorker, transfer?: Transferable[]) => void;

/** Worker → broker. */
export type FromWorker =
  | { readonly type: "reply"; readonly requestId: number; readonly message: ApiMessage }
  | { readonly type: "fault"; readonly detail: string; readonly requestId?: number }
  | { readonly type: "pong" };

/** Each PD request and the reply types that may answer it: the one list of PD requests. */
const ALLOWED: Record<PdRequest["type"], readonly ApiMessage["type"][]> = {
  "get-configuration-data": ["configuration-data", "no-configuration-data"],
  "translate-name": ["name-translation", "name-translation-done"],
  "connect-to-address": ["connected", "not-connected"],
  "connect-to-address-from-address": ["connected", "not-connected"],
};

const PD_REQUESTS = new Set<string>(Object.keys(ALLOWED));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function settingsValid(s: Record<string, unknown>): boolean {
  const ms = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
  return (s.hostsFile === null || typeof s.hostsFile === "string") && ms(s.dnsTimeout) &&
    ms(s.dnsAttempts) && ms(s.connectTimeout) &&
    (s.ndots === undefined || (Number.isSafeInteger(s.ndots) && (s.ndots as number) >= 0)) &&
    (s.mdnsSingleLabel === undefined || typeof s.mdnsSingleLabel === "boolean");
}

function isRequestId(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0;
}

/**
 * Tells whether a reply ends its request (every reply but name-translation).
 *
 * @param message A reply.
 * @returns true for the last reply of a request.
 */
export function isFinalReply(message: ApiMessage): boolean {
  return message.type !== "name-translation";
}

/**
 * Guards what a worker receives.
 *
 * @param data The event data.
 * @returns The message, or what is wrong with it.
 */
export function parseToWorker(data: unknown): ToWorker | string {
  if (!isRecord(data)) return "Cannot accept broker message: not an object";
  switch (data.type) {
    case "configure": {
      const config = data.config;
      if (
        !isRecord(config) || typeof config.interfaceId !== "string" || !isRecord(config.pd) ||
        typeof config.pd.pdId !== "string" || !Array.isArray(config.pd.elements) ||
        !Array.isArray(config.pd.addresses) || !isRecord(config.settings) ||
        !settingsValid(config.settings)
      ) return "Cannot accept configure: config is malformed";
      return { type: "configure", config: config as unknown as PdConfig };
    }
    case "request": {
      if (!isRequestId(data.requestId)) return "Cannot accept request: bad requestId";
      const v = validateSubscriberMessage(data.request);
      if (!v.ok) return v.detail;
      if (!PD_REQUESTS.has(v.message.type)) {
        return `Cannot accept request: ${v.message.type} is not a PD request`;
      }
      return { type: "request", requestId: data.requestId, request: v.message as PdRequest };
    }
    case "cancel":
      return isRequestId(data.requestId)
        ? { type: "cancel", requestId: data.requestId }
        : "Cannot accept cancel: bad requestId";
    case "ping":
      return { type: "ping" };
    default:
      return "Cannot accept broker message: unknown type";
  }
}

/**
 * Guards what the broker receives from a worker.
 *
 * @param data The event data.
 * @returns The message, or what is wrong with it.
 */
export function parseFromWorker(data: unknown): FromWorker | string {
  if (!isRecord(data)) return "Cannot accept worker message: not an object";
  if (data.type === "pong") return { type: "pong" };
  if (data.type === "fault") {
    if (typeof data.detail !== "string") return "Cannot accept fault: detail is not a string";
    const detail = cleanText(data.detail, TEXT_LIMITS.detail);
    return isRequestId(data.requestId)
      ? { type: "fault", detail, requestId: data.requestId }
      : { type: "fault", detail };
  }
  if (data.type !== "reply") return "Cannot accept worker message: unknown type";
  if (!isRequestId(data.requestId)) return "Cannot accept reply: bad requestId";
  // Text from outside (a name, DNS data, an OS error) is cleaned, never a
  // protocol violation: only structure can make a worker's reply invalid.
  const reply = isRecord(data.message) && typeof data.message.type === "string"
    ? sanitizeApiMessage(data.message as unknown as ApiMessage)
    : data.message;
  const v = validateApiMessage(reply);
  if (!v.ok) return v.detail;
  return { type: "reply", requestId: data.requestId, message: v.message };
}

/**
 * Checks that a reply answers its request: an allowed type carrying the
 * request's PD and ids.
 *
 * @param request The request.
 * @param reply The worker's reply.
 * @returns What is wrong, or undefined.
 */
export function replyProblem(request: PdRequest, reply: ApiMessage): string | undefined {
  if (!ALLOWED[request.type].includes(reply.type)) {
    return `${reply.type} does not answer ${request.type}`;
  }
  const r = reply as unknown as Record<string, unknown>;
  const q = request as unknown as Record<string, unknown>;
  for (const key of ["pdId", "translationId", "connectionId", "element", "item"]) {
    if (key in q && key in r && q[key] !== r[key]) return `${reply.type} carries the wrong ${key}`;
  }
  return undefined;
}
