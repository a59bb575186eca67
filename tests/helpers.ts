/** Test helpers: a platform driven by the test, and snapshot builders. */

import type { Platform, PlatformEvent } from "../platform/types.ts";
import type {
  AddressInfo,
  ElementInfo,
  InterfaceInfo,
  PdInfo,
  Snapshot,
} from "../protocol/model.ts";
import {
  type ApiMessage,
  type Mif,
  type MifOptions,
  NO_MESSAGE,
  openMif,
  type Subscriber,
  validateApiMessage,
  type WorkerStatus,
} from "../mod.ts";

/** A platform whose events the test emits by hand. */
export class ManualPlatform implements Platform {
  readonly name = "sim" as const;
  readonly description = "manual test platform";
  #listener: ((event: PlatformEvent) => void) | undefined;
  closed = false;

  constructor(public initial: Snapshot) {}

  start(listener: (event: PlatformEvent) => void): Promise<Snapshot> {
    this.#listener = listener;
    return Promise.resolve(this.initial);
  }

  emit(event: PlatformEvent): void {
    this.#listener!(event);
  }

  snapshot(snapshot: Snapshot): void {
    this.emit({ type: "snapshot", snapshot });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export function address(
  address: string,
  prefixLength = address.includes(":") ? 128 : 24,
  validUntil: number | null = null,
  preferredUntil: number | null = validUntil,
): AddressInfo {
  return { address, prefixLength, validUntil, preferredUntil };
}

export function element(
  element: ElementInfo["element"],
  data: ElementInfo["data"] = {},
): ElementInfo {
  return { element, data };
}

export function pd(
  pdId: string,
  addresses: AddressInfo[] = [],
  elements: ElementInfo[] = [],
): PdInfo {
  const family = addresses[0]?.address.includes(":") || pdId.includes("ipv6") ? "ipv6" : "ipv4";
  return { pdId, family, addresses, elements };
}

export function nic(
  interfaceId: string,
  pds: readonly PdInfo[] = [],
  extra: Partial<InterfaceInfo> = {},
): InterfaceInfo {
  return {
    interfaceId,
    displayName: interfaceId.toUpperCase(),
    interfaceType: "wired",
    operState: "up",
    pds,
    ...extra,
  };
}

/** Two interfaces: eth0 with an IPv4 and an IPv6 PD, wlan0 with one IPv4 PD. */
export function twoLinks(): Snapshot {
  return {
    interfaces: [
      nic("eth0", [
        pd("eth0/ipv4", [address("127.0.0.2")], [
          element("dhcpv4", { "dns-servers": ["127.0.0.53"], mtu: 1500 }),
        ]),
        pd("eth0/ipv6", [address("::1")], [
          element("ra", { "dns-servers": ["::1"] }),
          element("dhcpv6"),
        ]),
      ]),
      nic("wlan0", [pd("wlan0/ipv4", [address("127.0.0.3")], [element("dhcpv4")])], {
        interfaceType: "wifi",
      }),
    ],
  };
}

/** Opens a Mif on a manual platform. */
export async function openManual(
  initial: Snapshot = twoLinks(),
  options: MifOptions = {},
): Promise<{ mif: Mif; platform: ManualPlatform }> {
  const platform = new ManualPlatform(initial);
  const mif = await openMif({ ...options, platform });
  return { mif, platform };
}

/** Takes every message queued now. */
export function drain(sub: Subscriber): ApiMessage[] {
  const out: ApiMessage[] = [];
  for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) out.push(m);
  return out;
}

/** A compact view of messages for sequence assertions. */
export function brief(messages: readonly ApiMessage[]): string[] {
  return messages.map((m) => {
    const r = m as unknown as Record<string, unknown>;
    const parts: string[] = [m.type];
    for (
      const key of [
        "interfaceId",
        "pdId",
        "element",
        "address",
        "item",
        "reason",
        "translationId",
        "connectionId",
      ]
    ) {
      if (typeof r[key] === "string" && !(key === "interfaceId" && "pdId" in r)) {
        parts.push(String(r[key]));
      }
    }
    return parts.join(" ");
  });
}

/** Waits until a subscriber has a message, then returns it (fails after timeout ms). */
export async function next(sub: Subscriber, timeout = 5000): Promise<ApiMessage> {
  const result = await sub.check({ timeout });
  if (!result.ready) throw new Error(`Cannot get message: none arrived within ${timeout} ms`);
  const m = sub.get();
  if (m === NO_MESSAGE) {
    throw new Error("Cannot get message: check() said ready but get() found none");
  }
  return m;
}

/** A scenario (as JSON data) with one wired link, eth0, carrying one IPv4 PD. */
export function oneLinkScenario(
  pd: { addresses?: unknown[]; elements?: unknown[] } = {},
  timeline: unknown[] = [],
): Record<string, unknown> & {
  interfaces: Record<string, unknown>[];
  timeline: Record<string, unknown>[];
} {
  return {
    name: "one link",
    interfaces: [{
      interfaceId: "eth0",
      interfaceType: "wired",
      pds: [{
        pdId: "eth0/ipv4",
        family: "ipv4",
        addresses: pd.addresses ?? [{ address: "127.0.0.2", prefixLength: 8, validLifetime: 60 }],
        elements: pd.elements ?? [{ element: "dhcpv4", data: { "dns-servers": ["127.0.0.53"] } }],
      }],
    }],
    timeline: timeline as Record<string, unknown>[],
  };
}

/** Waits until a condition holds, checking every 5 ms (fails after timeout ms). */
export async function until(condition: () => boolean, timeout = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new Error("Cannot wait: condition never held");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A PD's worker status in mif.status() (fails when there is no such PD). */
export function workerOf(mif: Mif, pdId: string): WorkerStatus {
  for (const nic of mif.status().interfaces) {
    for (const pd of nic.pds) if (pd.pdId === pdId) return pd.worker;
  }
  throw new Error(`Cannot find PD ${pdId}`);
}

/** Asserts that a message validates, naming the message and the problem when it does not. */
export function assertValid(message: ApiMessage): void {
  const v = validateApiMessage(message);
  if (!v.ok) throw new Error(`${JSON.stringify(message)}: ${v.detail}`);
}
