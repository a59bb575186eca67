/**
 * Runtime validation of MIF messages. Every message that crosses a boundary
 * (subscriber → broker, worker → broker, CLI JSON) goes through here; a
 * message that fails gets a description naming the offending field.
 *
 * @module
 */

import { FAMILIES, parseIp } from "../ip/ip.ts";
import { toDnsName } from "../dns/dns_name.ts";
import {
  cleanText,
  CONTROL_CHARACTERS,
  isCleanText,
  TEXT_LIMITS,
  TLS_INFO_LIMITS,
} from "./text.ts";
import {
  type ApiMessage,
  CONFIG_ITEM_NAME,
  CONNECT_FAILURES,
  ELEMENT_TYPES,
  ERROR_REASONS,
  INTERFACE_TYPES,
  NO_CONFIGURATION_DATA_REASONS,
  type SubscriberMessage,
  TRANSLATION_FAILURES,
} from "./types.ts";

/** The outcome of validating one message. */
export type Validation<T> =
  | { readonly ok: true; readonly message: T }
  | {
    readonly ok: false;
    /**
     * The message's `type` when it had a non-empty string one (control
     * characters escaped, at most 64 characters), else null.
     */
    readonly messageType: string | null;
    /** "Cannot accept <type>: <what is wrong>". */
    readonly detail: string;
    /** The message's translationId, when it carried a string one. */
    readonly translationId?: string;
    /** The message's connectionId, when it carried a string one. */
    readonly connectionId?: string;
  };

type Check = (value: unknown) => string | undefined;
interface Field {
  readonly check: Check;
  readonly optional: boolean;
}
type Spec = Readonly<Record<string, Field>>;

// Control characters have no place in ids, names or details.
const CONTROL = CONTROL_CHARACTERS;
const MAX_VALUE_DEPTH = 8;
const MAX_VALUE_NODES = 10_000;

function text(max: number, allowEmpty = false): Check {
  return (v) => {
    if (typeof v !== "string") return "must be a string";
    if (!allowEmpty && v.length === 0) return "must not be empty";
    if (v.length > max) return `must be at most ${max} characters`;
    if (CONTROL.test(v)) return "must not contain control characters";
    if (!v.isWellFormed()) return "must not contain lone surrogates";
    return undefined;
  };
}

function oneOf(...values: readonly string[]): Check {
  return (v) =>
    typeof v === "string" && values.includes(v)
      ? undefined
      : `must be one of ${values.map((x) => `"${x}"`).join(", ")}`;
}

function integer(min: number, max: number): Check {
  return (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `must be an integer from ${min} to ${max}`;
}

const address: Check = (v) =>
  typeof v === "string" && parseIp(v) ? undefined : "must be an IP address";

const lifetime: Check = (v) =>
  v === "infinite" || integer(0, 0xffffffff)(v) === undefined
    ? undefined
    : 'must be a whole number of seconds or "infinite"';

function jsonProblem(v: unknown, depth: number, budget: { n: number }): string | undefined {
  if (--budget.n < 0) return "is too large";
  if (depth > MAX_VALUE_DEPTH) return "is nested too deeply";
  if (v === null || typeof v === "string" || typeof v === "boolean") return;
  if (typeof v === "number") return Number.isFinite(v) ? undefined : "holds a non-finite number";
  if (Array.isArray(v)) {
    for (const x of v) {
      const p: string | undefined = jsonProblem(x, depth + 1, budget);
      if (p) return p;
    }
    return;
  }
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) {
      const p: string | undefined = jsonProblem(x, depth + 1, budget);
      if (p) return p;
    }
    return;
  }
  return "must be a JSON value";
}

/**
 * Checks that a value is JSON data a configuration item may hold: plain
 * objects, arrays, strings, finite numbers, booleans and null, at most 8
 * levels deep and 10 000 values in all.
 *
 * @example Refuse a value nested too deeply
 * ```ts
 * import { configValueProblem } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert.equal(configValueProblem([[[[[[[[[[1]]]]]]]]]]), "is nested too deeply");
 * ```
 * @param value Anything.
 * @returns What is wrong, or undefined.
 */
export function configValueProblem(value: unknown): string | undefined {
  return jsonProblem(value, 0, { n: MAX_VALUE_NODES });
}

const json: Check = (v) => {
  const problem = configValueProblem(v);
  return problem ? `value ${problem}` : undefined;
};

const id = text(256);
const requestId = text(128);
const element = oneOf(...ELEMENT_TYPES);
const family = oneOf(...FAMILIES);
const item: Check = (v) =>
  typeof v === "string" && v.length <= 64 && CONFIG_ITEM_NAME.test(v)
    ? undefined
    : 'must be a kebab-case name such as "dns-servers"';
const port = integer(1, 65535);
const detail = text(TEXT_LIMITS.detail, true);

/**
 * Bounds on a TLS request: the most CA certificates it may carry, the
 * longest each may be (characters of PEM text), and the most ALPN names.
 *
 * @example At most 16 CA certificates
 * ```ts
 * import { TLS_LIMITS, tlsProblem } from "./validate.ts";
 * import assert from "node:assert/strict";
 * const pem = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n";
 * assert.equal(tlsProblem({ caCerts: Array(TLS_LIMITS.caCerts).fill(pem) }), undefined);
 * assert.match(tlsProblem({ caCerts: Array(TLS_LIMITS.caCerts + 1).fill(pem) })!, /at most 16/);
 * ```
 */
export const TLS_LIMITS = { caCerts: 16, caCertLength: 64 * 1024, alpnProtocols: 8 } as const;

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

function tlsObjectProblem(v: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(v)) {
    if (key !== "caCerts" && key !== "alpnProtocols" && key !== "serverName") {
      return `has field ${quote(key)}, not one of "caCerts", "alpnProtocols", "serverName"`;
    }
  }
  const { caCerts, alpnProtocols, serverName } = v;
  if (caCerts !== undefined) {
    if (!Array.isArray(caCerts) || caCerts.length > TLS_LIMITS.caCerts) {
      return `caCerts must be an array of at most ${TLS_LIMITS.caCerts} PEM certificates`;
    }
    for (const pem of caCerts) {
      if (typeof pem !== "string" || pem.length > TLS_LIMITS.caCertLength) {
        return `caCerts must hold strings of at most ${TLS_LIMITS.caCertLength} characters`;
      }
      if (!pem.includes(PEM_CERTIFICATE)) {
        return `caCerts must hold PEM text ("${PEM_CERTIFICATE}")`;
      }
    }
  }
  if (alpnProtocols !== undefined) {
    if (!Array.isArray(alpnProtocols) || alpnProtocols.length > TLS_LIMITS.alpnProtocols) {
      return `alpnProtocols must be an array of at most ${TLS_LIMITS.alpnProtocols} names`;
    }
    for (const name of alpnProtocols) {
      // RFC 7301 §3.1: 1 to 255 octets; printable ASCII here.
      if (typeof name !== "string" || !/^[\x21-\x7e]{1,255}$/.test(name)) {
        return 'alpnProtocols must hold names of 1 to 255 printable ASCII characters ("h2")';
      }
    }
  }
  if (serverName !== undefined) {
    if (typeof serverName !== "string") return "serverName must be a string";
    const checked = toDnsName(serverName);
    if (!checked.ok) return `serverName ${checked.problem}`;
    if (parseIp(serverName)) return "serverName must be a DNS name, not an IP address";
  }
  return undefined;
}

/**
 * What is wrong with a `tls` field of a connect request or connect()'s
 * options, or undefined: it must be a boolean or an object with at most
 * `caCerts` (PEM strings, at most 16 of 64 KiB), `alpnProtocols` (at most 8
 * names) and `serverName` (a DNS name, not an IP literal).
 *
 * @example A certificate that is no PEM, and a name that is an address
 * ```ts
 * import { tlsProblem } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert.equal(tlsProblem(true), undefined);
 * assert.match(tlsProblem({ caCerts: ["garbage"] })!, /PEM/);
 * assert.match(tlsProblem({ serverName: "198.51.100.1" })!, /not an IP address/);
 * ```
 * @param value The field's value.
 * @returns What is wrong, or undefined.
 */
export function tlsProblem(value: unknown): string | undefined {
  if (typeof value === "boolean") return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "must be true, false or an object of TLS options";
  }
  return tlsObjectProblem(value as Record<string, unknown>);
}

const tlsRequest: Check = (v) => tlsProblem(v);

const tlsInfoText = (v: unknown, max: number) =>
  typeof v === "string" && isCleanText(v, max) ? undefined : "must be clean text";

const tlsInfo: Check = (v) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "must be an object";
  const r = v as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!Object.hasOwn(TLS_INFO_LIMITS, key)) return `has field ${quote(key)}, not part of tls`;
  }
  for (const [key, max] of Object.entries(TLS_INFO_LIMITS)) {
    if (key === "alpnProtocol" && r[key] === null) continue;
    const problem = tlsInfoText(r[key], max);
    if (problem) return `field "${key}" ${problem}`;
  }
  return undefined;
};

function req(check: Check): Field {
  return { check, optional: false };
}
function opt(check: Check): Field {
  return { check, optional: true };
}

const scoped: Spec = { interfaceId: opt(id), pdId: opt(id) };

const SUBSCRIBER_SPECS = {
  "announce-interfaces": {},
  "stop-announcing-interfaces": {},
  "announce-provisioning-domains": { interfaceId: req(id) },
  "stop-announcing-provisioning-domains": { interfaceId: req(id) },
  "announce-configuration-elements": { pdId: req(id) },
  "stop-announcing-configuration-elements": { pdId: req(id) },
  "announce-addresses": { pdId: req(id) },
  "stop-announcing-addresses": { pdId: req(id) },
  "get-configuration-data": {
    pdId: req(id),
    element: req(element),
    item: req(item),
  },
  "translate-name": {
    pdId: req(id),
    // Any string: one that is no DNS name is answered with reason invalid-name.
    name: req((v) =>
      typeof v === "string" && v.length <= 1024
        ? undefined
        : "must be a string of at most 1024 characters"
    ),
    translationId: req(requestId),
    family: opt(family),
  },
  "stop-translating-name": { translationId: req(requestId) },
  "connect-to-address": {
    pdId: req(id),
    address: req(address),
    port: req(port),
    connectionId: req(requestId),
    timeout: opt(integer(1, 0x7fffffff)),
    tls: opt(tlsRequest),
  },
  "connect-to-address-from-address": {
    pdId: req(id),
    source: req(address),
    address: req(address),
    port: req(port),
    connectionId: req(requestId),
    timeout: opt(integer(1, 0x7fffffff)),
    tls: opt(tlsRequest),
  },
  "stop-connecting": { connectionId: req(requestId) },
  "wants-to-connect": scoped,
  "connection-idle": scoped,
  "connection-can-be-broken": scoped,
} as const satisfies Record<SubscriberMessage["type"], Spec>;

const API_SPECS = {
  "interface-announcement": {
    interfaceId: req(id),
    displayName: req(text(256)),
    interfaceType: req(oneOf(...INTERFACE_TYPES)),
    metered: opt((v) => typeof v === "boolean" ? undefined : "must be true or false"),
  },
  "no-interface-announcement": { interfaceId: req(id) },
  "provisioning-domain-announcement": {
    interfaceId: req(id),
    pdId: req(id),
    family: req(family),
  },
  "no-provisioning-domain-announcement": { interfaceId: req(id), pdId: req(id) },
  "configuration-element-announcement": { pdId: req(id), element: req(element) },
  "no-configuration-element-announcement": { pdId: req(id), element: req(element) },
  "address-announcement": {
    pdId: req(id),
    address: req(address),
    prefixLength: req(integer(0, 128)),
    validLifetime: req(lifetime),
    preferredLifetime: req(lifetime),
  },
  "no-address-announcement": { pdId: req(id), address: req(address) },
  "configuration-data": {
    pdId: req(id),
    element: req(element),
    item: req(item),
    value: req(json),
  },
  "no-configuration-data": {
    pdId: req(id),
    element: req(element),
    item: req(item),
    reason: req(oneOf(...NO_CONFIGURATION_DATA_REASONS)),
    detail: opt(detail),
  },
  "name-translation": {
    translationId: req(requestId),
    pdId: req(id),
    address: req(address),
    ttl: opt(integer(0, 0x7fffffff)),
    server: opt(text(TEXT_LIMITS.server)),
    name: opt(text(TEXT_LIMITS.name)),
  },
  "name-translation-done": {
    translationId: req(requestId),
    pdId: req(id),
    reason: opt(oneOf(...TRANSLATION_FAILURES)),
    detail: opt(detail),
  },
  "connected": {
    connectionId: req(requestId),
    pdId: req(id),
    token: req(text(256)),
    source: req(address),
    sourcePort: req(port),
    address: req(address),
    port: req(port),
    tls: opt(tlsInfo),
  },
  "not-connected": {
    connectionId: req(requestId),
    pdId: req(id),
    reason: req(oneOf(...CONNECT_FAILURES)),
    detail: opt(detail),
  },
  "interface-going-away": { interfaceId: req(id) },
  "interface-going-up": { interfaceId: req(id) },
  "error": {
    reason: req(oneOf(...ERROR_REASONS)),
    messageType: req((v) => v === null ? undefined : text(TEXT_LIMITS.messageType)(v)),
    detail: req(detail),
    translationId: opt(requestId),
    connectionId: opt(requestId),
  },
} as const satisfies Record<ApiMessage["type"], Spec>;

/**
 * Every subscriber → API message type, in the draft's order.
 *
 * @example List them
 * ```ts
 * import { SUBSCRIBER_MESSAGE_TYPES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert.equal(SUBSCRIBER_MESSAGE_TYPES.length, 17);
 * ```
 */
export const SUBSCRIBER_MESSAGE_TYPES: readonly SubscriberMessage["type"][] = Object
  .keys(SUBSCRIBER_SPECS) as SubscriberMessage["type"][];

/**
 * Every API → subscriber message type, in the draft's order, then the two
 * additions (name-translation-done after name-translation, error last).
 *
 * @example List them
 * ```ts
 * import { API_MESSAGE_TYPES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert.equal(API_MESSAGE_TYPES.at(-1), "error");
 * ```
 */
export const API_MESSAGE_TYPES: readonly ApiMessage["type"][] = Object.keys(
  API_SPECS,
) as ApiMessage["type"][];

function stringField(record: Record<string, unknown>, key: string) {
  const v = Object.hasOwn(record, key) ? record[key] : undefined;
  return typeof v === "string" && v.length <= 128 && !CONTROL.test(v) ? v : undefined;
}

/** A name from the message (its type, a field name), quoted for a detail. */
function quote(name: string): string {
  return JSON.stringify(cleanText(name, 64));
}

function validate<T>(
  value: unknown,
  specs: Readonly<Record<string, Spec>>,
  direction: string,
): Validation<T> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      messageType: null,
      detail: "Cannot accept message: it must be an object with a string type",
    };
  }
  const record = value as Record<string, unknown>;
  const rawType = Object.hasOwn(record, "type") ? record.type : undefined;
  const type = typeof rawType === "string" && rawType !== "" ? rawType : null;
  const known = type !== null && Object.hasOwn(specs, type);
  // Echoed text is cleaned here, so a refusal is itself a valid message.
  const shownType = type === null ? null : cleanText(type, TEXT_LIMITS.messageType);
  const refuse = (problem: string): Validation<T> => {
    const ids: { translationId?: string; connectionId?: string } = {};
    const translationId = stringField(record, "translationId");
    const connectionId = stringField(record, "connectionId");
    if (translationId) ids.translationId = translationId;
    if (connectionId) ids.connectionId = connectionId;
    return {
      ok: false,
      messageType: shownType,
      detail: cleanText(
        `Cannot accept ${known ? type : "message"}: ${problem}`,
        TEXT_LIMITS.detail,
      ),
      ...ids,
    };
  };
  if (type === null) return refuse('field "type" must be a non-empty string');
  if (!known) return refuse(`${quote(type)} is not a ${direction} message type`);
  const spec = specs[type];
  const out: Record<string, unknown> = { type };
  for (const key of Object.keys(record)) {
    if (key !== "type" && !Object.hasOwn(spec, key)) {
      return refuse(`field ${quote(key)} is not part of ${type}`);
    }
  }
  for (const [key, field] of Object.entries(spec)) {
    const present = Object.hasOwn(record, key) && record[key] !== undefined;
    if (!present) {
      if (field.optional) continue;
      return refuse(`field "${key}" is missing`);
    }
    let value = record[key];
    if (key === "tls" && typeof value === "object" && value !== null) {
      // Checked as copied: a getter cannot answer the check and the copy differently.
      try {
        value = structuredClone(value);
      } catch {
        return refuse('field "tls" must hold only strings and arrays of strings');
      }
    }
    const problem = field.check(value);
    if (problem) return refuse(`field "${key}" ${problem}`);
    out[key] = key === "value" ? structuredClone(value) : value;
  }
  return { ok: true, message: out as T };
}

function thrownName(error: unknown): string {
  try {
    return error instanceof Error ? quote(String(error.name)) : "a non-Error";
  } catch {
    return "an unreadable error"; // Its name is a throwing getter.
  }
}

function guarded<T>(
  value: unknown,
  specs: Readonly<Record<string, Spec>>,
  direction: string,
): Validation<T> {
  try {
    return validate<T>(value, specs, direction);
  } catch (error) {
    return {
      ok: false,
      messageType: null,
      detail: `Cannot accept message: reading it threw ${thrownName(error)}`,
    };
  }
}

/**
 * Validates a message a subscriber posts. On success the message is a fresh
 * object holding only the fields of its type, so later changes to the input
 * cannot reach the broker.
 *
 * @example Refuse a message with a misspelt field
 * ```ts
 * import { validateSubscriberMessage } from "./validate.ts";
 * import assert from "node:assert/strict";
 * const v = validateSubscriberMessage({ type: "announce-addresses", pdID: "x" });
 * assert.equal(
 *   v.ok ? "ok" : v.detail,
 *   'Cannot accept announce-addresses: field "pdID" is not part of announce-addresses',
 * );
 * ```
 * @param value Anything.
 * @returns The validated message, or what is wrong with it.
 */
export function validateSubscriberMessage(
  value: unknown,
): Validation<SubscriberMessage> {
  return guarded(value, SUBSCRIBER_SPECS, "subscriber → API");
}

/**
 * Validates a message sent to a subscriber (used on everything a PD worker
 * answers, and by consumers of `mif watch --json`).
 *
 * @example Check a line of `mif watch --json`
 * ```ts
 * import { validateApiMessage } from "./validate.ts";
 * import assert from "node:assert/strict";
 * const v = validateApiMessage(JSON.parse('{"type":"no-interface-announcement","interfaceId":"wlan0"}'));
 * assert.equal(v.ok, true);
 * ```
 * @param value Anything.
 * @returns The validated message, or what is wrong with it.
 */
export function validateApiMessage(value: unknown): Validation<ApiMessage> {
  return guarded(value, API_SPECS, "API → subscriber");
}

/**
 * Tells whether a value is a valid subscriber → API message.
 *
 * @example Guard input
 * ```ts
 * import { isSubscriberMessage } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isSubscriberMessage({ type: "announce-interfaces" }), true);
 * ```
 * @param value Anything.
 * @returns true when {@linkcode validateSubscriberMessage} accepts it.
 */
export function isSubscriberMessage(value: unknown): value is SubscriberMessage {
  return validateSubscriberMessage(value).ok;
}

/**
 * Tells whether a value is a valid API → subscriber message.
 *
 * @example Guard input
 * ```ts
 * import { isApiMessage } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isApiMessage({ type: "interface-going-up", interfaceId: "wlan0" }), true);
 * ```
 * @param value Anything.
 * @returns true when {@linkcode validateApiMessage} accepts it.
 */
export function isApiMessage(value: unknown): value is ApiMessage {
  return validateApiMessage(value).ok;
}
