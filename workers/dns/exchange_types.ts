/**
 * What the UDP and TCP exchanges share: where a query goes from, and how an
 * exchange ended.
 *
 * @module
 */

import type { Family } from "../../protocol/types.ts";
import type { DnsReply } from "../../dns/dns_message.ts";

/** One server, reached from one source address. */
export interface ExchangePath {
  /** The server's IP literal, with a %zone when it is link-local. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** The family of host and source. */
  readonly family: Family;
  /** The PD address the socket is bound to (port 0: the kernel picks one). */
  readonly source: string;
  /** Milliseconds to wait for the reply. */
  readonly timeout: number;
}

/** How one exchange ended. Nothing is thrown for network conditions. */
export type ExchangeOutcome =
  /** A reply that passed every check; `dropped` counts the messages that did not. */
  | { readonly kind: "reply"; readonly reply: DnsReply; readonly dropped: number }
  /** No acceptable reply within the timeout. */
  | { readonly kind: "timeout"; readonly dropped: number }
  /** The socket could not be bound, could not send, or the connection failed. */
  | { readonly kind: "failed"; readonly error: Error; readonly dropped: number }
  /** The signal aborted. */
  | { readonly kind: "cancelled" };
