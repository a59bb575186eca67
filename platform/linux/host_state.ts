/**
 * Everything the Linux platform read at one moment: the raw material the
 * snapshot builder turns into interfaces and provisioning domains.
 *
 * @module
 */

import type { InterfaceType } from "../../protocol/types.ts";
import type { SourceNote } from "../../protocol/model.ts";
import type { SourceData } from "./source_types.ts";
import type { AddressRecord } from "./parse_addresses.ts";
import type { LinkRecord } from "./parse_links.ts";
import type { NeighbourRecord } from "./parse_neighbours.ts";
import type { RouterAdvert } from "./parse_rdisc6.ts";
import type { RouteRecord } from "./parse_routes.ts";

/** A Router Advertisement and when rdisc6 received it. */
export interface ReceivedAdvert extends RouterAdvert {
  /** Epoch ms. */
  readonly receivedAt: number;
}

/** The host's state, read from iproute2, sysfs, rdisc6 and configuration sources. */
export interface HostState {
  /** When it was read, epoch ms. */
  readonly now: number;
  /** `ip -j -d link show`. */
  readonly links: readonly LinkRecord[];
  /** `ip -j addr show`. */
  readonly addresses: readonly AddressRecord[];
  /** `ip -j -4/-6 route show table all`. */
  readonly routes: readonly RouteRecord[];
  /** `ip -j -6 neigh show` (absent in older captures: no neighbours known). */
  readonly neighbours?: readonly NeighbourRecord[];
  /** Interface types by interface name. */
  readonly types: ReadonlyMap<string, InterfaceType>;
  /** The latest advertisement of each router, by interface name. */
  readonly adverts: ReadonlyMap<string, readonly ReceivedAdvert[]>;
  /** DHCP leases and resolver configuration from every source. */
  readonly sources: SourceData;
  /** Sources that could not be read. */
  readonly notes: readonly SourceNote[];
}
