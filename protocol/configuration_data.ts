/**
 * §3.3.7.17 get-configuration-data over a PD's data. The broker answers it
 * from the PD it announced, so no PD worker is started for it.
 *
 * @module
 */

import type { PdInfo } from "./model.ts";
import type { ConfigurationData, GetConfigurationData, NoConfigurationData } from "./types.ts";

/**
 * One item of one configuration element of a PD (§3.3.7.17–18), or why
 * there is none.
 *
 * @example An item, a missing item and a missing element
 * ```ts
 * import assert from "node:assert/strict";
 * import { configurationData } from "./configuration_data.ts";
 * const pd = { pdId: "eth0/ipv4", family: "ipv4" as const, addresses: [],
 *   elements: [{ element: "dhcpv4" as const, data: { "dns-servers": ["198.51.100.53"] } }] };
 * const ask = (element: "dhcpv4" | "ra", item: "dns-servers" | "mtu") =>
 *   configurationData(pd, { type: "get-configuration-data", pdId: pd.pdId, element, item });
 * assert.deepEqual(ask("dhcpv4", "dns-servers"), { type: "configuration-data", pdId: "eth0/ipv4",
 *   element: "dhcpv4", item: "dns-servers", value: ["198.51.100.53"] });
 * const reason = (m: ReturnType<typeof ask>) => m.type === "no-configuration-data" && m.reason;
 * assert.equal(reason(ask("dhcpv4", "mtu")), "no-item");
 * assert.equal(reason(ask("ra", "mtu")), "no-element");
 * ```
 * @param pd The PD, as the broker announces it.
 * @param request The request (its pdId is the PD's).
 * @returns configuration-data or no-configuration-data.
 */
export function configurationData(
  pd: PdInfo,
  request: GetConfigurationData,
): ConfigurationData | NoConfigurationData {
  const { pdId, element, item } = request;
  const found = pd.elements.find((e) => e.element === element);
  if (!found || !Object.hasOwn(found.data, item)) {
    return {
      type: "no-configuration-data",
      pdId,
      element,
      item,
      reason: found ? "no-item" : "no-element",
    };
  }
  return { type: "configuration-data", pdId, element, item, value: found.data[item] };
}
