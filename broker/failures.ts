/**
 * The answer a PD request gets when its worker cannot give one.
 *
 * @module
 */

import type { ApiMessage, PdRequest } from "../protocol/types.ts";

/**
 * Why the broker answers a PD request itself, in its worker's place: the PD
 * was withdrawn, the worker crashed, or the request was cancelled. Internal,
 * not a vocabulary of its own: {@linkcode failureFor} turns it into the
 * reason of the request type's failure message, a ConnectFailure
 * (protocol/types.ts) for a connection attempt, a TranslationFailure or a
 * NoConfigurationDataReason otherwise. Not a ConnectionFailure
 * (wire/connection_wire.ts), which ends a connection already open.
 */
export type BrokerAnswerReason = "pd-gone" | "worker-crashed" | "cancelled";

/**
 * Builds the final answer to a request its worker will not give: the draft's
 * failure message for the request type.
 *
 * @param request The request.
 * @param reason Why it failed.
 * @param detail "Cannot <action>: <state>".
 * @returns no-configuration-data, name-translation-done or not-connected.
 */
export function failureFor(
  request: PdRequest,
  reason: BrokerAnswerReason,
  detail: string,
): ApiMessage {
  switch (request.type) {
    case "get-configuration-data":
      return {
        type: "no-configuration-data",
        pdId: request.pdId,
        element: request.element,
        item: request.item,
        reason: reason === "cancelled" ? "pd-gone" : reason,
        detail,
      };
    case "translate-name":
      return {
        type: "name-translation-done",
        translationId: request.translationId,
        pdId: request.pdId,
        reason,
        detail,
      };
    case "connect-to-address":
    case "connect-to-address-from-address":
      return {
        type: "not-connected",
        connectionId: request.connectionId,
        pdId: request.pdId,
        reason,
        detail,
      };
    default: {
      const never: never = request;
      throw new TypeError(`Cannot answer request: ${JSON.stringify(never)}`);
    }
  }
}
