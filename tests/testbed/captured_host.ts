/**
 * The test bed's host namespace as captured in tests/testdata/testbed (real
 * captures of `ip -j`, rdisc6 and the DHCP clients' leases), read into the
 * HostState the Linux platform builds its snapshot from: what the snapshot
 * builders' tests start from.
 *
 * @module
 */

import type { HostState } from "../../platform/linux/host_state.ts";
import { interfaceTypeOf } from "../../platform/linux/interface_type.ts";
import { parseAddresses } from "../../platform/linux/parse_addresses.ts";
import { parseDhclientEnv } from "../../platform/linux/parse_dhclient_env.ts";
import { parseDhclientLeases } from "../../platform/linux/parse_dhclient.ts";
import { parseLinks } from "../../platform/linux/parse_links.ts";
import { parseRdisc6 } from "../../platform/linux/parse_rdisc6.ts";
import { parseResolvConf } from "../../platform/linux/parse_resolv_conf.ts";
import { parseRoutes } from "../../platform/linux/parse_routes.ts";

/** When the captures are taken to have been read (their `now`), epoch ms. */
export const CAPTURED_AT: number = Date.UTC(2026, 10, 24, 4, 10);

const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../testdata/testbed/${name}`, import.meta.url));

/**
 * The captured host's state, read at {@linkcode CAPTURED_AT}, with one
 * nameserver (198.18.1.1) in resolv.conf.
 *
 * @example Its links and the time it was read
 * ```ts
 * import { CAPTURED_AT, capturedHostState } from "./captured_host.ts";
 * import assert from "node:assert/strict";
 * const state = capturedHostState({ adverts: new Map() });
 * assert.equal(state.now, CAPTURED_AT);
 * assert.ok(state.links.some((l) => l.name === "neta"));
 * assert.equal(state.adverts.size, 0);
 * ```
 * @param overrides Fields to replace.
 * @returns The state, new objects on each call.
 */
export function capturedHostState(overrides: Partial<HostState> = {}): HostState {
  const links = parseLinks(data("ip_link.json"));
  const received = (name: string) =>
    parseRdisc6(data(name)).map((a) => ({ ...a, receivedAt: CAPTURED_AT }));
  const adverts = new Map([
    ["neta", received("rdisc6_neta.txt")],
    ["netc", received("rdisc6_netc.txt")],
  ]);
  const leases = parseDhclientLeases(data("dhclient_neta4.leases"), "neta4.leases");
  const netb = parseDhclientEnv(data("netb.dhcpv4.env"), "netb.dhcpv4.env");
  const neta6 = parseDhclientEnv(data("neta.dhcpv6.env"), "neta.dhcpv6.env");
  return {
    now: CAPTURED_AT,
    links,
    addresses: parseAddresses(data("ip_addr.json")),
    routes: [
      ...parseRoutes(data("ip_route4.json"), "ipv4"),
      ...parseRoutes(data("ip_route6.json"), "ipv6"),
    ],
    types: new Map(links.map((l) => [l.name, interfaceTypeOf(l, { wireless: false })])),
    adverts,
    sources: {
      dhcp4: [...leases.dhcp4, ...netb.dhcp4],
      dhcp6: neta6.dhcp6,
      resolvers: [parseResolvConf("nameserver 198.18.1.1\nsearch s.mif.example\n", "resolv.conf")],
    },
    notes: [],
    ...overrides,
  };
}
