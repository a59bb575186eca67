/**
 * The one interface every platform implements: a snapshot of the host's
 * interfaces, provisioning domains, configuration elements and addresses,
 * then change events. Platforms report whole snapshots; the broker diffs them
 * and emits the announcements of §3.3.7, so the ordering rules live in one
 * place for every platform. The snapshot's own types (interfaces, PDs,
 * elements, addresses) are not the platforms' alone: they live in
 * protocol/model.ts.
 *
 * @module
 */

import type { Snapshot } from "../protocol/model.ts";

/**
 * Every platform name mif accepts.
 *
 * @example Validate a name
 * ```ts
 * import { PLATFORM_NAMES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * assert(PLATFORM_NAMES.includes("sim"));
 * ```
 */
export const PLATFORM_NAMES = ["sim", "linux", "darwin"] as const;

/** The platforms mif knows: one of {@linkcode PLATFORM_NAMES}. */
export type PlatformName = typeof PLATFORM_NAMES[number];

/** What a platform reports after start. */
export type PlatformEvent =
  | { readonly type: "snapshot"; readonly snapshot: Snapshot }
  | { readonly type: "interface-going-away"; readonly interfaceId: string }
  | { readonly type: "interface-going-up"; readonly interfaceId: string };

/** A source of link data (the draft's Network Link API, §3.3.5). */
export interface Platform extends AsyncDisposable {
  /** Which platform this is. */
  readonly name: PlatformName;
  /** A one-line description (the scenario, the host). */
  readonly description: string;
  /**
   * Takes the first snapshot and starts reporting changes to listener. The
   * listener is called only after the returned promise settles.
   */
  start(listener: (event: PlatformEvent) => void): Promise<Snapshot>;
  /** Stops reporting and releases every timer, process and file. */
  close(): Promise<void>;
}
