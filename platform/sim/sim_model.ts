/**
 * The simulated host's state and how each timeline event changes it. The
 * same code checks a scenario (played once at parse time) and runs it, so a
 * scenario that parses cannot fail while running.
 *
 * @module
 */

import type { PlatformEvent } from "../types.ts";
import type { AddressInfo, Snapshot } from "../../protocol/model.ts";
import { expiresAt } from "../../protocol/lifetime.ts";
import type {
  ScenarioAddress,
  ScenarioElement,
  ScenarioEvent,
  ScenarioInterface,
  ScenarioPd,
} from "./scenario.ts";

interface ModelPd {
  readonly pdId: string;
  readonly family: ScenarioPd["family"];
  addresses: AddressInfo[];
  elements: ScenarioElement[];
}

interface ModelNic {
  readonly info: ScenarioInterface;
  readonly index: number;
  operState: "up" | "down";
  pds: ModelPd[];
}

function toAddress(a: ScenarioAddress, now: number): AddressInfo {
  return {
    address: a.address,
    prefixLength: a.prefixLength,
    validUntil: expiresAt(a.validLifetime, now),
    preferredUntil: expiresAt(a.preferredLifetime, now),
  };
}

/**
 * The simulated host at one moment.
 *
 * @example Take a Wi-Fi link down
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * import { SimModel } from "./sim_model.ts";
 * import assert from "node:assert/strict";
 * const { interfaces } = parseScenario(JSON.stringify({
 *   name: "wifi",
 *   interfaces: [{ interfaceId: "wlan0", interfaceType: "wifi", pds: [] }],
 * }));
 * const model = new SimModel(interfaces, Date.now(), "interfaces");
 * const events = model.apply({ at: 0, event: "link-down", interfaceId: "wlan0" }, Date.now(), "timeline[0]");
 * assert.deepEqual(events[0], { type: "interface-going-away", interfaceId: "wlan0" });
 * assert.equal(model.snapshot().interfaces[0].operState, "down");
 * ```
 */
export class SimModel {
  #nics: ModelNic[] = [];
  #known = new Map<string, { interfaceId: string; pd: ScenarioPd }>();
  #nextIndex = 1;

  /**
   * @param interfaces The scenario's initial interfaces.
   * @param now The time the scenario starts (epoch ms, or 0 when checking).
   * @param path Where the interfaces are, for errors.
   */
  constructor(interfaces: readonly ScenarioInterface[], now: number, path: string) {
    interfaces.forEach((n, i) => this.#addNic(n, now, `${path}[${i}]`));
  }

  /** The state as a platform snapshot. */
  snapshot(): Snapshot {
    return {
      interfaces: this.#nics.map((n) => ({
        interfaceId: n.info.interfaceId,
        displayName: n.info.displayName,
        interfaceType: n.info.interfaceType,
        operState: n.operState,
        index: n.index,
        ...(n.info.mtu === undefined ? {} : { mtu: n.info.mtu }),
        ...(n.info.mac === undefined ? {} : { mac: n.info.mac }),
        pds: n.pds.map((pd) => ({
          pdId: pd.pdId,
          family: pd.family,
          addresses: [...pd.addresses],
          elements: pd.elements.map((e) => ({ ...e, source: "scenario" })),
        })),
      })),
    };
  }

  /** When the next address expires (epoch ms), or null. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const n of this.#nics) {
      for (const pd of n.pds) {
        for (const a of pd.addresses) {
          if (a.validUntil !== null && (next === null || a.validUntil < next)) next = a.validUntil;
        }
      }
    }
    return next;
  }

  /**
   * Removes every address whose valid lifetime has run out by now.
   *
   * @returns Whether any was removed.
   */
  expire(now: number): boolean {
    let changed = false;
    for (const n of this.#nics) {
      for (const pd of n.pds) {
        const kept = pd.addresses.filter((a) => a.validUntil === null || a.validUntil > now);
        changed ||= kept.length !== pd.addresses.length;
        pd.addresses = kept;
      }
    }
    return changed;
  }

  /**
   * Applies one timeline event.
   *
   * @returns The platform events to report, advisories first.
   * @throws {TypeError} When the event names something that does not exist (path says where).
   */
  apply(e: ScenarioEvent, now: number, path: string): PlatformEvent[] {
    const snapshot = (): PlatformEvent => ({ type: "snapshot", snapshot: this.snapshot() });
    switch (e.event) {
      case "link-down": {
        const n = this.#nic(e.interfaceId, `${path}.interfaceId`);
        n.operState = "down";
        n.pds = [];
        return [{ type: "interface-going-away", interfaceId: e.interfaceId }, snapshot()];
      }
      case "link-up":
        this.#nic(e.interfaceId, `${path}.interfaceId`).operState = "up";
        return [{ type: "interface-going-up", interfaceId: e.interfaceId }, snapshot()];
      case "interface-going-away":
        this.#nic(e.interfaceId, `${path}.interfaceId`);
        return [{ type: "interface-going-away", interfaceId: e.interfaceId }];
      case "interface-remove": {
        const n = this.#nic(e.interfaceId, `${path}.interfaceId`);
        this.#nics = this.#nics.filter((x) => x !== n);
        return [{ type: "interface-going-away", interfaceId: e.interfaceId }, snapshot()];
      }
      case "interface-add":
        this.#addNic(e.interface, now, `${path}.interface`);
        return [snapshot()];
      case "pd-add":
        this.#addPd(this.#nic(e.interfaceId, `${path}.interfaceId`), e.pd, now, `${path}.pd`);
        return [snapshot()];
      case "pd-restore": {
        const known = this.#known.get(e.pdId);
        if (!known) {
          throw new TypeError(
            `${path}.pdId: no provisioning domain "${e.pdId}" was defined before`,
          );
        }
        this.#addPd(this.#nic(known.interfaceId, `${path}.pdId`), known.pd, now, `${path}.pdId`);
        return [snapshot()];
      }
      case "pd-remove": {
        const [n, pd] = this.#pd(e.pdId, `${path}.pdId`);
        n.pds = n.pds.filter((x) => x !== pd);
        return [snapshot()];
      }
      default:
        return this.#applyOnPd(e, now, path);
    }
  }

  #applyOnPd(e: ScenarioEvent, now: number, path: string): PlatformEvent[] {
    switch (e.event) {
      case "address-add": {
        const [, pd] = this.#pd(e.pdId, `${path}.pdId`);
        this.#addAddress(pd, e.address, now, `${path}.address`);
        break;
      }
      case "address-remove": {
        const [, pd] = this.#pd(e.pdId, `${path}.pdId`);
        if (!pd.addresses.some((a) => a.address === e.address)) {
          throw new TypeError(
            `${path}.address: "${e.address}" is not an address of "${pd.pdId}" at that time`,
          );
        }
        pd.addresses = pd.addresses.filter((a) => a.address !== e.address);
        break;
      }
      case "element-set": {
        const [, pd] = this.#pd(e.pdId, `${path}.pdId`);
        pd.elements = [...pd.elements.filter((x) => x.element !== e.element.element), e.element];
        break;
      }
      case "element-remove": {
        const [, pd] = this.#pd(e.pdId, `${path}.pdId`);
        if (!pd.elements.some((x) => x.element === e.element)) {
          throw new TypeError(
            `${path}.element: "${pd.pdId}" has no "${e.element}" element at that time`,
          );
        }
        pd.elements = pd.elements.filter((x) => x.element !== e.element);
        break;
      }
      default:
        throw new TypeError(`${path}.event: "${e.event}" is not a PD event`);
    }
    return [{ type: "snapshot", snapshot: this.snapshot() }];
  }

  #nic(interfaceId: string, path: string): ModelNic {
    const n = this.#nics.find((x) => x.info.interfaceId === interfaceId);
    if (!n) throw new TypeError(`${path}: no interface "${interfaceId}" at that time`);
    return n;
  }

  #pd(pdId: string, path: string): [ModelNic, ModelPd] {
    for (const n of this.#nics) {
      const pd = n.pds.find((x) => x.pdId === pdId);
      if (pd) return [n, pd];
    }
    throw new TypeError(`${path}: no provisioning domain "${pdId}" at that time`);
  }

  #addNic(info: ScenarioInterface, now: number, path: string): void {
    if (this.#nics.some((x) => x.info.interfaceId === info.interfaceId)) {
      throw new TypeError(`${path}.interfaceId: interface "${info.interfaceId}" already exists`);
    }
    if (info.operState === "down" && info.pds.length > 0) {
      throw new TypeError(`${path}.pds: an interface that is down has no provisioning domains`);
    }
    const n: ModelNic = {
      info: { ...info, pds: [] },
      index: this.#nextIndex++,
      operState: info.operState,
      pds: [],
    };
    this.#nics.push(n);
    info.pds.forEach((pd, i) => this.#addPd(n, pd, now, `${path}.pds[${i}]`));
  }

  #addPd(n: ModelNic, def: ScenarioPd, now: number, path: string): void {
    if (n.operState === "down") {
      throw new TypeError(`${path}: interface "${n.info.interfaceId}" is down at that time`);
    }
    for (const other of this.#nics) {
      if (other.pds.some((x) => x.pdId === def.pdId)) {
        throw new TypeError(`${path}: provisioning domain "${def.pdId}" already exists`);
      }
    }
    const known = this.#known.get(def.pdId);
    if (known && known.interfaceId !== n.info.interfaceId) {
      throw new TypeError(
        `${path}: provisioning domain "${def.pdId}" belonged to interface "${known.interfaceId}"`,
      );
    }
    const elements = new Set<string>();
    def.elements.forEach((e, i) => {
      if (elements.has(e.element)) {
        throw new TypeError(`${path}.elements[${i}].element: duplicate "${e.element}"`);
      }
      elements.add(e.element);
    });
    const pd: ModelPd = {
      pdId: def.pdId,
      family: def.family,
      addresses: [],
      elements: [...def.elements],
    };
    def.addresses.forEach((a, i) => this.#addAddress(pd, a, now, `${path}.addresses[${i}]`));
    n.pds.push(pd);
    this.#known.set(def.pdId, { interfaceId: n.info.interfaceId, pd: def });
  }

  #addAddress(pd: ModelPd, a: ScenarioAddress, now: number, path: string): void {
    const family = a.address.includes(":") ? "ipv6" : "ipv4";
    if (family !== pd.family) {
      throw new TypeError(`${path}.address: "${a.address}" is not an ${pd.family} address`);
    }
    if (pd.addresses.some((x) => x.address === a.address)) {
      throw new TypeError(`${path}.address: "${a.address}" is already an address of "${pd.pdId}"`);
    }
    pd.addresses.push(toAddress(a, now));
  }
}
