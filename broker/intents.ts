/**
 * Application connectivity intents (§3.3.7.25.1–3), recorded per subscriber.
 *
 * @module
 */

import type { ConnectionCanBeBroken, ConnectionIdle, WantsToConnect } from "../protocol/types.ts";

/** An application intent message. */
export type IntentMessage = WantsToConnect | ConnectionIdle | ConnectionCanBeBroken;

/** One recorded intent. */
export interface IntentRecord {
  /** The intent, as its message type. */
  readonly intent: IntentMessage["type"];
  /** The interface it is scoped to, if any. */
  readonly interfaceId?: string;
  /** The PD it is scoped to, if any. */
  readonly pdId?: string;
  /** When it was recorded (ISO 8601). */
  readonly since: string;
}

/**
 * A subscriber's intents. For each scope (everywhere, an interface, a PD) the
 * latest of wants-to-connect and connection-idle is kept (each replaces the
 * other), and connection-can-be-broken is kept beside it.
 */
export class IntentBook {
  #activity = new Map<string, IntentRecord>();
  #tolerance = new Map<string, IntentRecord>();

  /**
   * Records an intent.
   *
   * @param message The intent message, already validated.
   * @param now The time to record.
   */
  record(message: IntentMessage, now: Date): void {
    const scope = `${message.interfaceId ?? ""}\u0000${message.pdId ?? ""}`;
    const record: IntentRecord = {
      intent: message.type,
      ...(message.interfaceId === undefined ? {} : { interfaceId: message.interfaceId }),
      ...(message.pdId === undefined ? {} : { pdId: message.pdId }),
      since: now.toISOString(),
    };
    const slot = message.type === "connection-can-be-broken" ? this.#tolerance : this.#activity;
    slot.delete(scope);
    slot.set(scope, record);
  }

  /** Every recorded intent, oldest first. */
  list(): IntentRecord[] {
    return [...this.#activity.values(), ...this.#tolerance.values()].sort((a, b) =>
      a.since < b.since ? -1 : a.since > b.since ? 1 : 0
    );
  }
}
