/**
 * The MIF messages of draft-ietf-mif-api-extension-02 §3.3.7 as a
 * discriminated union on `type`. The `type` names are the kebab-case of the
 * draft's titles and are the public contract, also used by `mif watch --json`.
 *
 * @module
 */

import type { Family } from "../ip/ip.ts";

export type { Family };

/**
 * A configuration element type (§3.3.7.10: "Config Element RA, Config Element
 * DHCPv6, Config Element DHCPv4 ...TBD..."); "static" covers configuration
 * that no protocol delivered.
 */
export type ElementType = typeof ELEMENT_TYPES[number];

/**
 * Every configuration element type, in the order the draft lists them.
 *
 * @example The four element types
 * ```ts
 * import { ELEMENT_TYPES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert.deepEqual(ELEMENT_TYPES, ["ra", "dhcpv4", "dhcpv6", "static"]);
 * ```
 */
export const ELEMENT_TYPES = ["ra", "dhcpv4", "dhcpv6", "static"] as const;

/**
 * The syntax of a configuration item's name: kebab-case, lower-case letters
 * and digits ("dns-servers", "mtu").
 *
 * @example Check an item name
 * ```ts
 * import { CONFIG_ITEM_NAME } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(CONFIG_ITEM_NAME.test("dns-servers"));
 * assert(!CONFIG_ITEM_NAME.test("DNS_Servers"));
 * ```
 */
export const CONFIG_ITEM_NAME: RegExp = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * What kind of link an interface can be.
 *
 * @example Cellular is an interface type
 * ```ts
 * import { INTERFACE_TYPES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(INTERFACE_TYPES.includes("cellular"));
 * ```
 */
export const INTERFACE_TYPES = [
  "wired",
  "wifi",
  "cellular",
  "vpn",
  "loopback",
  "bridge",
  "virtual",
  "other",
] as const;
/** What kind of link an interface is: one of {@linkcode INTERFACE_TYPES}. */
export type InterfaceType = typeof INTERFACE_TYPES[number];

/**
 * A lifetime in whole seconds remaining at the moment the message was made,
 * or the string "infinite" (JSON has no Infinity; RFC 4861 writes it as all
 * ones, which is easy to mistake for a number).
 */
export type Lifetime = number | "infinite";

/** A JSON value: what a configuration item holds. */
export type ConfigValue =
  | string
  | number
  | boolean
  | null
  | readonly ConfigValue[]
  | { readonly [key: string]: ConfigValue };

/**
 * Configuration information identifiers (§3.3.7.17: "DNS Server List
 * ...TBD..."). Platforms may report more items than these; any kebab-case
 * name is accepted.
 */
export type ConfigItem =
  | "dns-servers"
  | "search-domains"
  | "routers"
  | "mtu"
  | (string & Record<never, never>);

/** Where an application intent applies: everywhere, one interface or one PD. */
export interface IntentScope {
  /** Restricts the intent to one interface. */
  readonly interfaceId?: string;
  /** Restricts the intent to one provisioning domain. */
  readonly pdId?: string;
}

// ---------------------------------------------------------------------------
// Subscriber → API

/** §3.3.7.1: announce every interface now and whenever one appears or goes. */
export interface AnnounceInterfaces {
  /** The message type. */
  readonly type: "announce-interfaces";
}
/** §3.3.7.2: stop interface announcements. */
export interface StopAnnouncingInterfaces {
  /** The message type. */
  readonly type: "stop-announcing-interfaces";
}
/** §3.3.7.5: announce the PDs of one interface, now and as they change. */
export interface AnnounceProvisioningDomains {
  /** The message type. */
  readonly type: "announce-provisioning-domains";
  /** The interface. */
  readonly interfaceId: string;
}
/** §3.3.7.6: stop PD announcements for one interface. */
export interface StopAnnouncingProvisioningDomains {
  /** The message type. */
  readonly type: "stop-announcing-provisioning-domains";
  /** The interface. */
  readonly interfaceId: string;
}
/** §3.3.7.9: announce the configuration elements of one PD. */
export interface AnnounceConfigurationElements {
  /** The message type. */
  readonly type: "announce-configuration-elements";
  /** The provisioning domain. */
  readonly pdId: string;
}
/** §3.3.7.12: stop configuration element announcements for one PD. */
export interface StopAnnouncingConfigurationElements {
  /** The message type. */
  readonly type: "stop-announcing-configuration-elements";
  /** The provisioning domain. */
  readonly pdId: string;
}
/** §3.3.7.13: announce the addresses of one PD. */
export interface AnnounceAddresses {
  /** The message type. */
  readonly type: "announce-addresses";
  /** The provisioning domain. */
  readonly pdId: string;
}
/** §3.3.7.15: stop address announcements for one PD. */
export interface StopAnnouncingAddresses {
  /** The message type. */
  readonly type: "stop-announcing-addresses";
  /** The provisioning domain. */
  readonly pdId: string;
}
/** §3.3.7.17: ask for one item of one configuration element of one PD. */
export interface GetConfigurationData {
  /** The message type. */
  readonly type: "get-configuration-data";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The configuration element type. */
  readonly element: ElementType;
  /** The configuration information identifier. */
  readonly item: ConfigItem;
}
/** §3.3.7.18: resolve a name through one PD only. */
export interface TranslateName {
  /** The message type. */
  readonly type: "translate-name";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The name, a UTF-8 string. */
  readonly name: string;
  /** Unique among this subscriber's outstanding translations. */
  readonly translationId: string;
  /** Only ask for addresses of this family (default: both). */
  readonly family?: Family;
}
/** §3.3.7.19: cancel a translation. */
export interface StopTranslatingName {
  /** The message type. */
  readonly type: "stop-translating-name";
  /** The subscriber's id for the translation. */
  readonly translationId: string;
}
/**
 * Not in the draft: TLS on a connection attempt (§3.3.7.21–22). The worker
 * connects, then runs the TLS handshake on that socket with full
 * certificate verification; a failure is `not-connected` reason "tls",
 * never a plain connection.
 *
 * @example TLS for www.example, trusting one extra CA
 * ```ts
 * import { type TlsOptions, validateSubscriberMessage } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const tls: TlsOptions = { serverName: "www.example", alpnProtocols: ["h2", "http/1.1"] };
 * const v = validateSubscriberMessage({
 *   type: "connect-to-address", pdId: "eth0/ipv4", address: "198.51.100.80", port: 443,
 *   connectionId: "c1", tls,
 * });
 * assert.equal(v.ok, true);
 * ```
 */
export interface TlsOptions {
  /**
   * Trusted CA certificates, PEM text (at most 16, each under 64 KiB); they
   * replace the system's root store for this attempt. Default: the system's.
   */
  readonly caCerts?: readonly string[];
  /** ALPN protocols to offer, best first ("h2", "http/1.1"); default none. */
  readonly alpnProtocols?: readonly string[];
  /**
   * The DNS name sent as SNI and checked against the certificate. Without
   * it no SNI is sent and the certificate must name the destination IP.
   */
  readonly serverName?: string;
}

/**
 * Not in the draft: what a TLS handshake negotiated and whom it verified,
 * carried by `connected` and by {@linkcode Connection.tls}.
 *
 * @example Read a connection's TLS details
 * ```ts
 * import type { TlsInfo } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const tls: TlsInfo = {
 *   version: "TLSv1.3", alpnProtocol: "h2", subject: "www.example",
 *   subjectAltName: "DNS:www.example", validTo: "2027-01-01T00:00:00.000Z",
 * };
 * assert.equal(tls.alpnProtocol, "h2");
 * ```
 */
export interface TlsInfo {
  /** The negotiated protocol version: "TLSv1.3", "TLSv1.2". */
  readonly version: string;
  /** The ALPN protocol the server chose, or null for none. */
  readonly alpnProtocol: string | null;
  /** The peer certificate's subject common name ("" when it has none). */
  readonly subject: string;
  /** Its subjectAltName as node:tls spells it ("DNS:www.example, IP Address:198.51.100.80"; "" for none). */
  readonly subjectAltName: string;
  /** When it expires, ISO 8601 ("" when it cannot be read). */
  readonly validTo: string;
}

/** §3.3.7.21: open a TCP connection from a source address of one PD. */
export interface ConnectToAddress {
  /** The message type. */
  readonly type: "connect-to-address";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The destination IP address. */
  readonly address: string;
  /** TCP port, 1 to 65535. */
  readonly port: number;
  /** Unique among this subscriber's outstanding connections. */
  readonly connectionId: string;
  /** Milliseconds for the whole attempt, every source included (default: the Mif's). */
  readonly timeout?: number;
  /** Not in the draft: run TLS on the connection (true: the defaults), the handshake inside `timeout`. */
  readonly tls?: boolean | TlsOptions;
}
/** §3.3.7.22: open a TCP connection from a given source address of one PD. */
export interface ConnectToAddressFromAddress {
  /** The message type. */
  readonly type: "connect-to-address-from-address";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The local (source) IP address. */
  readonly source: string;
  /** The destination IP address. */
  readonly address: string;
  /** TCP port, 1 to 65535. */
  readonly port: number;
  /** Unique among this subscriber's outstanding connections. */
  readonly connectionId: string;
  /** Milliseconds for the attempt (default: the Mif's). */
  readonly timeout?: number;
  /** Not in the draft: run TLS on the connection (true: the defaults), the handshake inside `timeout`. */
  readonly tls?: boolean | TlsOptions;
}
/**
 * Not in the draft: abandons a connection attempt (the counterpart of
 * §3.3.7.19 for §3.3.7.21–22). It is answered with not-connected reason
 * "cancelled"; a connection that was already made is closed.
 */
export interface StopConnecting {
  /** The message type. */
  readonly type: "stop-connecting";
  /** The subscriber's id for the connection attempt. */
  readonly connectionId: string;
}
/** §3.3.7.25.1: the application wants to connect (optionally: here). */
export interface WantsToConnect extends IntentScope {
  /** The message type. */
  readonly type: "wants-to-connect";
}
/** §3.3.7.25.2: the application needs no connection at the moment. */
export interface ConnectionIdle extends IntentScope {
  /** The message type. */
  readonly type: "connection-idle";
}
/** §3.3.7.25.3: the application tolerates its connections breaking. */
export interface ConnectionCanBeBroken extends IntentScope {
  /** The message type. */
  readonly type: "connection-can-be-broken";
}

/** The messages that start or stop announcements (§3.3.7.1–8). */
export type SubscriptionMessage =
  | AnnounceInterfaces
  | StopAnnouncingInterfaces
  | AnnounceProvisioningDomains
  | StopAnnouncingProvisioningDomains
  | AnnounceConfigurationElements
  | StopAnnouncingConfigurationElements
  | AnnounceAddresses
  | StopAnnouncingAddresses;

/** Every message a subscriber may post. */
export type SubscriberMessage =
  | SubscriptionMessage
  | GetConfigurationData
  | TranslateName
  | StopTranslatingName
  | ConnectToAddress
  | ConnectToAddressFromAddress
  | StopConnecting
  | WantsToConnect
  | ConnectionIdle
  | ConnectionCanBeBroken;

/** The subscriber messages a PD worker answers. */
export type PdRequest =
  | GetConfigurationData
  | TranslateName
  | ConnectToAddress
  | ConnectToAddressFromAddress;

// ---------------------------------------------------------------------------
// API → subscriber

/** §3.3.7.3: an interface exists. */
export interface InterfaceAnnouncement {
  /** The message type. */
  readonly type: "interface-announcement";
  /** The interface. */
  readonly interfaceId: string;
  /** What a person calls the interface. */
  readonly displayName: string;
  /** What kind of link it is. */
  readonly interfaceType: InterfaceType;
  /**
   * Not in the draft: whether traffic on the link costs (NetworkManager's
   * metered state); absent when the platform does not know.
   */
  readonly metered?: boolean;
}
/** §3.3.7.4: a previously announced interface is gone. */
export interface NoInterfaceAnnouncement {
  /** The message type. */
  readonly type: "no-interface-announcement";
  /** The interface. */
  readonly interfaceId: string;
}
/** §3.3.7.7: a PD is configured on an interface. */
export interface ProvisioningDomainAnnouncement {
  /** The message type. */
  readonly type: "provisioning-domain-announcement";
  /** The interface. */
  readonly interfaceId: string;
  /** The provisioning domain. */
  readonly pdId: string;
  /** The address family. */
  readonly family: Family;
}
/** §3.3.7.8: a previously announced PD expired or became invalid. */
export interface NoProvisioningDomainAnnouncement {
  /** The message type. */
  readonly type: "no-provisioning-domain-announcement";
  /** The interface. */
  readonly interfaceId: string;
  /** The provisioning domain. */
  readonly pdId: string;
}
/** §3.3.7.10: a configuration element of a PD completed (or changed). */
export interface ConfigurationElementAnnouncement {
  /** The message type. */
  readonly type: "configuration-element-announcement";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The configuration element type. */
  readonly element: ElementType;
}
/** §3.3.7.11: a previously announced configuration element is invalid. */
export interface NoConfigurationElementAnnouncement {
  /** The message type. */
  readonly type: "no-configuration-element-announcement";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The configuration element type. */
  readonly element: ElementType;
}
/** §3.3.7.14: an address of a PD, with its remaining lifetimes. */
export interface AddressAnnouncement {
  /** The message type. */
  readonly type: "address-announcement";
  /** The provisioning domain. */
  readonly pdId: string;
  /** An IP address (canonical in messages from the API). */
  readonly address: string;
  /** The on-link prefix length. */
  readonly prefixLength: number;
  /** Seconds until the address becomes invalid. */
  readonly validLifetime: Lifetime;
  /** Seconds until the address becomes deprecated (0: deprecated). */
  readonly preferredLifetime: Lifetime;
}
/** §3.3.7.16: a previously announced address is no longer valid. */
export interface NoAddressAnnouncement {
  /** The message type. */
  readonly type: "no-address-announcement";
  /** The provisioning domain. */
  readonly pdId: string;
  /** An IP address (canonical in messages from the API). */
  readonly address: string;
}
/** §3.3.7.17: the answer to get-configuration-data. */
export interface ConfigurationData {
  /** The message type. */
  readonly type: "configuration-data";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The configuration element type. */
  readonly element: ElementType;
  /** The configuration information identifier. */
  readonly item: ConfigItem;
  /** The item's data. */
  readonly value: ConfigValue;
}
/**
 * Why there is no configuration data.
 *
 * @example A missing item is a reason
 * ```ts
 * import { NO_CONFIGURATION_DATA_REASONS } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(NO_CONFIGURATION_DATA_REASONS.includes("no-item"));
 * ```
 */
export const NO_CONFIGURATION_DATA_REASONS = [
  "no-element",
  "no-item",
  "pd-gone",
  "worker-crashed",
] as const;
/** Why there is no configuration data: one of {@linkcode NO_CONFIGURATION_DATA_REASONS}. */
export type NoConfigurationDataReason = typeof NO_CONFIGURATION_DATA_REASONS[number];
/** §3.3.7.17: get-configuration-data found nothing. */
export interface NoConfigurationData {
  /** The message type. */
  readonly type: "no-configuration-data";
  /** The provisioning domain. */
  readonly pdId: string;
  /** The configuration element type. */
  readonly element: ElementType;
  /** The configuration information identifier. */
  readonly item: ConfigItem;
  /** Why there is no data. */
  readonly reason: NoConfigurationDataReason;
  /** Not in the draft: what happened, when the PD or its worker failed ("Cannot ..."). */
  readonly detail?: string;
}
/** §3.3.7.20: one address found by a translation. */
export interface NameTranslation {
  /** The message type. */
  readonly type: "name-translation";
  /** The subscriber's id for the translation. */
  readonly translationId: string;
  /** The provisioning domain. */
  readonly pdId: string;
  /** An IP address (canonical in messages from the API). */
  readonly address: string;
  /** Seconds the answer may be cached; absent for the local host table and literals. */
  readonly ttl?: number;
  /**
   * The DNS server that answered ("198.51.100.1", or "127.0.0.1:5353" off
   * port 53), "hosts" for the local host table, or "literal" when the name
   * was an IP address, "mdns" for an mDNS answer on the PD's link.
   */
  readonly server?: string;
  /**
   * The qualified name this address answers (not in the draft): the
   * candidate of the PD's search list that was found, "printer.isp1.test"
   * for "printer"; ASCII, without a trailing dot. Absent for IP literals.
   */
  readonly name?: string;
}
/**
 * Why a translation ended without success.
 *
 * @example NXDOMAIN is a failure
 * ```ts
 * import { TRANSLATION_FAILURES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(TRANSLATION_FAILURES.includes("nxdomain"));
 * ```
 */
export const TRANSLATION_FAILURES = [
  "nxdomain",
  "timeout",
  "no-dns-servers",
  "servfail",
  "unreachable",
  "invalid-name",
  "cancelled",
  "pd-gone",
  "worker-crashed",
  "unsupported",
] as const;
/** Why a translation ended without success: one of {@linkcode TRANSLATION_FAILURES}. */
export type TranslationFailure = typeof TRANSLATION_FAILURES[number];
/**
 * Not in the draft: closes every translation. No reason means it succeeded
 * (every answer has been sent, possibly none).
 */
export interface NameTranslationDone {
  /** The message type. */
  readonly type: "name-translation-done";
  /** The subscriber's id for the translation. */
  readonly translationId: string;
  /** The provisioning domain. */
  readonly pdId: string;
  /** Why it failed. */
  readonly reason?: TranslationFailure;
  /** Human-readable detail for a failure, or a note on a source that was skipped. */
  readonly detail?: string;
}
/** §3.3.7.23: a connection is open; `token` names it in the communications API. */
export interface Connected {
  /** The message type. */
  readonly type: "connected";
  /** The subscriber's id for the connection. */
  readonly connectionId: string;
  /** The provisioning domain. */
  readonly pdId: string;
  /** Names the connection in the communications API. */
  readonly token: string;
  /** The local (source) IP address. */
  readonly source: string;
  /** The local TCP port. */
  readonly sourcePort: number;
  /** The destination IP address. */
  readonly address: string;
  /** TCP port, 1 to 65535. */
  readonly port: number;
  /** Not in the draft: present when the request asked for TLS; what it negotiated. */
  readonly tls?: TlsInfo;
}
/**
 * Why a connection attempt failed: the peer refused it (RST to the SYN) or
 * reset it during the handshake, no answer came in time, the path or source
 * could not be used, the TLS handshake or the certificate check failed
 * ("tls"; the detail names node's error code), or the request could not be
 * served.
 *
 * @example A reset is a failure
 * ```ts
 * import { CONNECT_FAILURES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(CONNECT_FAILURES.includes("reset"));
 * ```
 */
export const CONNECT_FAILURES = [
  "refused",
  "reset",
  "timeout",
  "unreachable",
  "no-source-address",
  "source-not-in-pd",
  "tls",
  "pd-gone",
  "cancelled",
  "worker-crashed",
  "unsupported",
] as const;
/**
 * Why a connection attempt failed: one of {@linkcode CONNECT_FAILURES}, the
 * reason of a `not-connected` message (§3.3.7.24); the connection never
 * opened. Not {@linkcode ConnectionFailure}, why a connection that did open
 * ended badly later (a {@linkcode ConnectionError}'s reason), nor
 * {@linkcode ConnectFailedReason}, why a whole connect() race failed. When a
 * PD's worker cannot answer, the broker answers itself with one of these
 * ("pd-gone", "worker-crashed", "cancelled").
 */
export type ConnectFailure = typeof CONNECT_FAILURES[number];
/** §3.3.7.24: a connection attempt failed. */
export interface NotConnected {
  /** The message type. */
  readonly type: "not-connected";
  /** The subscriber's id for the connection. */
  readonly connectionId: string;
  /** The provisioning domain. */
  readonly pdId: string;
  /** Why it failed. */
  readonly reason: ConnectFailure;
  /** Human-readable detail. */
  readonly detail?: string;
}
/** §3.3.7.25.4: an interface is about to lose its PDs. */
export interface InterfaceGoingAway {
  /** The message type. */
  readonly type: "interface-going-away";
  /** The interface. */
  readonly interfaceId: string;
}
/** §3.3.7.25.5: an interface is up but not yet provisioned. */
export interface InterfaceGoingUp {
  /** The message type. */
  readonly type: "interface-going-up";
  /** The interface. */
  readonly interfaceId: string;
}
/**
 * Why an `error` message was sent: a posted message was refused (the first
 * six), the broker failed handling it, or the subscriber's queue overflowed
 * (see the README's reliability section).
 *
 * @example Queue overflow is a reason
 * ```ts
 * import { ERROR_REASONS } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(ERROR_REASONS.includes("queue-overflow"));
 * ```
 */
export const ERROR_REASONS = [
  "invalid-message",
  "unknown-interface",
  "unknown-pd",
  "unknown-translation",
  "unknown-connection",
  "duplicate-id",
  "internal-error",
  "queue-overflow",
] as const;
/** Why an `error` message was sent: one of {@linkcode ERROR_REASONS}. */
export type ErrorReason = typeof ERROR_REASONS[number];
/**
 * Not in the draft: answers a message that could not be accepted, or tells
 * the subscriber that its queue overflowed (reason "queue-overflow").
 */
export interface ErrorMessage {
  /** The message type. */
  readonly type: "error";
  /** Why the message was refused, or "queue-overflow". */
  readonly reason: ErrorReason;
  /**
   * The offending message's `type` (control characters escaped, at most 64
   * characters), or null when it had none or the error answers no message.
   */
  readonly messageType: string | null;
  /** "Cannot <action>: <state>". */
  readonly detail: string;
  /** Echoed from the offending message when it carried one. */
  readonly translationId?: string;
  /** Echoed from the offending message when it carried one. */
  readonly connectionId?: string;
}

/** Every message the API sends to a subscriber. */
export type ApiMessage =
  | InterfaceAnnouncement
  | NoInterfaceAnnouncement
  | ProvisioningDomainAnnouncement
  | NoProvisioningDomainAnnouncement
  | ConfigurationElementAnnouncement
  | NoConfigurationElementAnnouncement
  | AddressAnnouncement
  | NoAddressAnnouncement
  | ConfigurationData
  | NoConfigurationData
  | NameTranslation
  | NameTranslationDone
  | Connected
  | NotConnected
  | InterfaceGoingAway
  | InterfaceGoingUp
  | ErrorMessage;

/** Any MIF message, in either direction. */
export type MifMessage = SubscriberMessage | ApiMessage;
