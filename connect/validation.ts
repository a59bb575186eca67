/**
 * What the last connectivity check found on each PD of a Mif (what Android
 * calls VALIDATED, NetworkManager "connectivity"), so the race can prefer
 * or require PDs that reach the Internet: the "validated" path selector.
 * A result holds until its TTL passes or the PD's addresses change.
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";

/**
 * What a connectivity check found on a PD:
 *
 * - `full`: the probe answered as expected (204 No Content);
 * - `captive-portal`: the probe was redirected, or answered 200 with a
 *   body: a login page stands in the way;
 * - `limited`: DNS works but the probe failed (no route upstream, a
 *   firewall, an unexpected answer);
 * - `none`: the probe's name could not be translated or no source can reach it.
 */
export const CONNECTIVITY_STATES = ["full", "captive-portal", "limited", "none"] as const;

/** One of {@linkcode CONNECTIVITY_STATES}. */
export type ConnectivityState = typeof CONNECTIVITY_STATES[number];

/** A check's result as kept for the race. */
interface Kept {
  readonly state: ConnectivityState;
  readonly expiresAt: number;
  readonly fingerprint: string;
}

const STORES = new WeakMap<Mif, Map<string, Kept>>();

/**
 * The fingerprint of a PD's state a result holds for: its addresses.
 *
 * @example Order does not matter
 * ```ts
 * import { pdFingerprint } from "./validation.ts";
 * import assert from "node:assert/strict";
 * assert.equal(pdFingerprint(["198.51.100.7", "2001:db8::7"]), pdFingerprint(["2001:db8::7", "198.51.100.7"]));
 * ```
 */
export function pdFingerprint(addresses: readonly string[]): string {
  return [...addresses].sort().join(" ");
}

/**
 * Keeps a check's result for a PD.
 *
 * @param mif The MIF API it was checked through.
 * @param pdId The PD.
 * @param state What the check found.
 * @param fingerprint The PD's {@linkcode pdFingerprint} when checked.
 * @param ttl Milliseconds it holds.
 */
export function keepValidation(
  mif: Mif,
  pdId: string,
  state: ConnectivityState,
  fingerprint: string,
  ttl: number,
): void {
  let store = STORES.get(mif);
  if (!store) STORES.set(mif, store = new Map());
  store.set(pdId, { state, expiresAt: Date.now() + ttl, fingerprint });
}

/**
 * The kept state of a PD, if it still holds (not expired, same addresses).
 *
 * @example Kept, then the PD's addresses change
 * ```ts
 * import { openMif } from "@mif/mif";
 * import { keepValidation, keptValidation } from "./validation.ts";
 * import assert from "node:assert/strict";
 * await using mif = await openMif({ platform: "sim" });
 * keepValidation(mif, "wlan0/ipv4", "full", "198.51.100.7", 60_000);
 * assert.equal(keptValidation(mif, "wlan0/ipv4", "198.51.100.7"), "full");
 * assert.equal(keptValidation(mif, "wlan0/ipv4", "198.51.100.8"), undefined);
 * ```
 */
export function keptValidation(
  mif: Mif,
  pdId: string,
  fingerprint: string,
): ConnectivityState | undefined {
  const kept = STORES.get(mif)?.get(pdId);
  if (!kept || kept.expiresAt <= Date.now() || kept.fingerprint !== fingerprint) return undefined;
  return kept.state;
}
