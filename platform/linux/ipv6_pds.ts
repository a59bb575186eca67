/**
 * The IPv6 provisioning domains of a link. The draft leaves open how a
 * host tells PDs apart (§3.1); mif answers with implicit PvDs (RFC 7556
 * §3.4): one PD per advertising router, keyed by its link-local address,
 * holding the addresses of the prefixes that router advertised. Global
 * addresses no protocol manages form a separate "static" PD.
 *
 * @module
 */

import type { ElementInfo } from "../types.ts";
import { dhcp6Element, raElement } from "./element_data.ts";
import type { HostState, ReceivedAdvert } from "./host_state.ts";
import { addressInfo, staticData } from "./ipv4_pd.ts";
import type { AddressRecord } from "./parse_addresses.ts";
import type { LinkRecord } from "./parse_links.ts";
import { PdDraft } from "./pd_draft.ts";
import { prefixMatch } from "./prefix.ts";

/** What the kernel knows of a router when rdisc6 has not answered. */
function kernelRa(
  router: string,
  link: LinkRecord,
  state: Pick<HostState, "routes">,
  only: boolean,
) {
  const def = state.routes.find((r) =>
    r.family === "ipv6" && r.destination === "::/0" && r.gateway === router &&
    r.device === link.name
  );
  const data: ElementInfo["data"] = {
    routers: [router],
    ...(def?.preference ? { "router-preference": def.preference } : {}),
    // With one router on the link, the kernel's RA prefix routes are its prefixes.
    ...(only
      ? {
        prefixes: state.routes.filter((r) =>
          r.family === "ipv6" && r.device === link.name && r.protocol === "kernel" &&
          r.expires !== null && r.table === "main"
        ).map((r) => ({ prefix: r.destination })),
      }
      : {}),
  };
  return { element: "ra" as const, data, source: "ip -6 route" };
}

/**
 * The routers with an RA default route (main table), by link: the key of
 * each IPv6 PD, and what rdisc6 is asked about.
 *
 * @example Routers by link
 * ```ts
 * import { raRouters } from "./ipv6_pds.ts";
 * const route = { family: "ipv6" as const, destination: "::/0", gateway: "fe80::1",
 *   device: "eth0", protocol: "ra", table: "main", type: "unicast", expires: 60 };
 * console.log(raRouters([route])); // Map(1) { "eth0" => [ "fe80::1" ] }
 * ```
 * @param routes All routes.
 * @returns Link name → routers, sorted so PD order is stable whatever order the kernel lists routes in.
 */
export function raRouters(routes: HostState["routes"]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of routes) {
    if (
      r.family !== "ipv6" || r.destination !== "::/0" || r.protocol !== "ra" || !r.gateway ||
      !r.device || r.table !== "main"
    ) continue;
    const list = out.get(r.device) ?? [];
    if (!list.includes(r.gateway)) out.set(r.device, [...list, r.gateway].sort());
  }
  return out;
}

/**
 * Builds a link's IPv6 PDs: one per router with an RA default route, then
 * the static PD when there are static global addresses or gateways.
 *
 * @example Two routers on one link
 * ```ts
 * import { ipv6Pds } from "./ipv6_pds.ts";
 * const link = { index: 2, name: "netc", operState: "up", flags: [], linkType: "ether" };
 * const route = (gateway: string) => ({ family: "ipv6" as const, destination: "::/0", gateway,
 *   device: "netc", protocol: "ra", table: "main", type: "unicast", expires: 60 });
 * const pds = ipv6Pds(link, [], {
 *   now: 0, routes: [route("fe80::c1"), route("fe80::c2")], adverts: new Map(),
 *   sources: { dhcp4: [], dhcp6: [], resolvers: [] },
 * });
 * console.log(pds.map((p) => p.pdId)); // ["netc/ipv6/fe80::c1", "netc/ipv6/fe80::c2"]
 * ```
 * @param link The link.
 * @param addresses The link's addresses.
 * @param state Routes, advertisements, leases and the time.
 * @returns The PDs, routers first.
 */
export function ipv6Pds(
  link: LinkRecord,
  addresses: readonly AddressRecord[],
  state: Pick<HostState, "now" | "routes" | "adverts" | "sources">,
): PdDraft[] {
  const routers = raRouters(state.routes).get(link.name) ?? [];
  const adverts = new Map<string, ReceivedAdvert>();
  for (const a of state.adverts.get(link.name) ?? []) adverts.set(a.router, a);
  const pds = routers.map((r) => new PdDraft(`${link.name}/ipv6/${r}`, "ipv6", r));
  for (const pd of pds) {
    const ra = adverts.get(pd.router!);
    pd.set(ra ? raElement(ra) : kernelRa(pd.router!, link, state, routers.length === 1));
  }
  const lease = state.sources.dhcp6.findLast((l) => l.interfaceName === link.name);
  if (lease && pds.length) {
    const asked = pds.filter((p) => {
      const ra = adverts.get(p.router!);
      return ra && (ra.managed || ra.otherConfig);
    });
    const holders = asked.length ? asked : adverts.size ? [] : [pds[0]];
    for (const pd of holders) pd.set(dhcp6Element(lease));
  }
  const global = addresses.filter((a) => a.family === "ipv6" && a.scope !== "link" && !a.tentative);
  const staticAddresses: AddressRecord[] = [];
  for (const a of global) {
    if (!a.dynamic) {
      staticAddresses.push(a);
      continue;
    }
    let owners = pds.filter((p) =>
      adverts.get(p.router!)?.prefixes.some((x) =>
        x.autonomous && prefixMatch(a.address, x.prefix) >= 0
      )
    );
    if (!owners.length && lease?.addresses.some((b) => b.value === a.address)) {
      owners = pds.filter((p) => p.has("dhcpv6"));
    }
    if (!owners.length && pds.length === 1) owners = pds;
    for (const pd of owners) pd.addresses.push(addressInfo(a, state.now));
  }
  const gateways = staticData(link, state.routes, "ipv6");
  if (staticAddresses.length || gateways.routers.length) {
    const pd = new PdDraft(`${link.name}/ipv6`, "ipv6");
    pd.set({ element: "static", data: gateways, source: "ip addr" });
    pd.addresses.push(...staticAddresses.map((a) => addressInfo(a, state.now)));
    pds.push(pd);
  }
  return pds;
}
