/**
 * A provisioning domain being assembled by the snapshot builder: elements
 * are filled in by several steps (leases, advertisements, resolver
 * attribution) before the PD is frozen into a PdInfo.
 *
 * @module
 */

import type { ConfigValue, ElementType, Family } from "../protocol/types.ts";
import type { AddressInfo, ElementInfo, PdInfo } from "../protocol/model.ts";

/** Element order in a finished PD. */
const ORDER: readonly ElementType[] = ["ra", "dhcpv6", "dhcpv4", "static"];

/** A PD under construction. */
export class PdDraft {
  /** The PD id. */
  readonly pdId: string;
  /** Its family. */
  readonly family: Family;
  /** The advertising router of an RA PD. */
  readonly router?: string;
  /** Its addresses. */
  readonly addresses: AddressInfo[] = [];
  readonly #elements = new Map<
    ElementType,
    { data: Record<string, ConfigValue>; sources: string[] }
  >();

  /**
   * Starts a PD.
   *
   * @param pdId Its id.
   * @param family Its family.
   * @param router The advertising router, for an RA PD.
   */
  constructor(pdId: string, family: Family, router?: string) {
    this.pdId = pdId;
    this.family = family;
    if (router !== undefined) this.router = router;
  }

  /** Sets an element, replacing one of the same type. */
  set(element: ElementInfo): void {
    this.#elements.set(element.element, {
      data: { ...element.data },
      sources: element.source === undefined ? [] : [element.source],
    });
  }

  /** Whether it has an element of this type. */
  has(element: ElementType): boolean {
    return this.#elements.has(element);
  }

  /** Whether any element lists this DNS server. */
  hasDnsServer(server: string): boolean {
    return [...this.#elements.values()].some((e) => {
      const list = e.data["dns-servers"];
      return Array.isArray(list) && list.includes(server);
    });
  }

  /**
   * Adds resolver configuration to the "static" element (creating it), for
   * servers no protocol delivered to this PD.
   */
  addStaticDns(server: string, searchDomains: readonly string[], source: string): void {
    let e = this.#elements.get("static");
    if (!e) {
      e = { data: {}, sources: [] };
      this.#elements.set("static", e);
    }
    const servers = (e.data["dns-servers"] ?? []) as string[];
    const domains = (e.data["search-domains"] ?? []) as string[];
    e.data["dns-servers"] = servers.includes(server) ? servers : [...servers, server];
    e.data["search-domains"] = [...domains, ...searchDomains.filter((d) => !domains.includes(d))];
    if (!e.sources.includes(source)) e.sources.push(source);
  }

  /** The finished PD. */
  done(): PdInfo {
    const elements = ORDER.flatMap((type) => {
      const e = this.#elements.get(type);
      if (!e) return [];
      return [{
        element: type,
        data: e.data,
        ...(e.sources.length ? { source: e.sources.join(", ") } : {}),
      }];
    });
    return { pdId: this.pdId, family: this.family, elements, addresses: [...this.addresses] };
  }
}
