/**
 * What a PD worker does with each request, independent of the Worker plumbing
 * so it can be tested directly. It only knows its own PD: the configuration
 * the broker hands it.
 *
 * @module
 */

import type { ApiMessage, PdRequest } from "../protocol/types.ts";
import type { FromWorker, PdConfig, ServiceMessage } from "./protocol.ts";

/** Serves one provisioning domain's requests. */
export class PdService {
  #config: PdConfig | undefined;
  #send: (message: FromWorker) => void;

  /** @param send Posts a message to the broker. */
  constructor(send: (message: FromWorker) => void) {
    this.#send = send;
  }

  /** Handles one message from the broker. */
  receive(message: ServiceMessage): void {
    switch (message.type) {
      case "configure":
        this.#config = message.config;
        return;
      case "request":
        return this.#request(message.requestId, message.request);
      case "cancel":
        // Every request is answered at once for now, so nothing is pending.
        return;
      default: {
        const never: never = message;
        throw new TypeError(`Cannot handle broker message: ${JSON.stringify(never)}`);
      }
    }
  }

  #reply(requestId: number, message: ApiMessage): void {
    this.#send({ type: "reply", requestId, message });
  }

  #request(requestId: number, request: PdRequest): void {
    const config = this.#config;
    if (!config || config.pd.pdId !== request.pdId) {
      this.#send({
        type: "fault",
        requestId,
        detail: `Cannot serve ${request.type}: this worker serves ${
          config ? `"${config.pd.pdId}"` : "no PD yet"
        }, not "${request.pdId}"`,
      });
      return;
    }
    switch (request.type) {
      case "get-configuration-data": {
        const { pdId, element, item } = request;
        const found = config.pd.elements.find((e) => e.element === element);
        if (!found) {
          return this.#reply(requestId, {
            type: "no-configuration-data",
            pdId,
            element,
            item,
            reason: "no-element",
          });
        }
        if (!Object.hasOwn(found.data, item)) {
          return this.#reply(requestId, {
            type: "no-configuration-data",
            pdId,
            element,
            item,
            reason: "no-item",
          });
        }
        return this.#reply(requestId, {
          type: "configuration-data",
          pdId,
          element,
          item,
          value: found.data[item],
        });
      }
      case "translate-name":
        return this.#reply(requestId, {
          type: "name-translation-done",
          translationId: request.translationId,
          pdId: request.pdId,
          reason: "unsupported",
          detail: "Cannot translate name: this PD worker has no resolver yet",
        });
      case "connect-to-address":
      case "connect-to-address-from-address":
        return this.#reply(requestId, {
          type: "not-connected",
          connectionId: request.connectionId,
          pdId: request.pdId,
          reason: "unsupported",
          detail: "Cannot connect: this PD worker has no socket bindings yet",
        });
      default: {
        const never: never = request;
        throw new TypeError(`Cannot serve request: ${JSON.stringify(never)}`);
      }
    }
  }
}
