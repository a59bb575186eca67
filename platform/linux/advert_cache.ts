/**
 * Router Advertisement data from rdisc6, per link. The kernel keeps RA
 * routes and addresses but not RDNSS, DNSSL or per-router prefixes, so the
 * platform solicits (rdisc6 sends a Router Solicitation and prints every
 * answer) whenever the set of routers on a link changes.
 *
 * @module
 */

import type { SourceNote } from "../types.ts";
import { skipReason } from "./config_sources.ts";
import type { ReceivedAdvert } from "./host_state.ts";
import { parseRdisc6 } from "./parse_rdisc6.ts";
import { runTool } from "./run_tool.ts";

/** How long rdisc6 waits for answers, in ms. */
export const SOLICIT_WAIT_MS = 1000;

/** The latest advertisements per link, and what failed. */
export class AdvertCache {
  readonly #adverts = new Map<string, readonly ReceivedAdvert[]>();
  readonly #asked = new Map<string, string>();
  readonly #notes = new Map<string, SourceNote>();

  /** Advertisements by link. */
  get adverts(): ReadonlyMap<string, readonly ReceivedAdvert[]> {
    return this.#adverts;
  }

  /** Notes for links rdisc6 could not solicit. */
  get notes(): SourceNote[] {
    return [...this.#notes.values()];
  }

  /**
   * The links whose routers changed since they were last solicited.
   *
   * @param routers RA routers by link.
   * @returns Link names.
   */
  stale(routers: ReadonlyMap<string, readonly string[]>): string[] {
    for (const link of [...this.#asked.keys()]) {
      if (!routers.has(link)) {
        this.#asked.delete(link);
        this.#adverts.delete(link);
        this.#notes.delete(link);
      }
    }
    return [...routers].filter(([link, r]) => this.#asked.get(link) !== [...r].sort().join(" "))
      .map(([link]) => link);
  }

  /**
   * Solicits on links and stores the answers.
   *
   * @param routers RA routers by link (only the links to solicit).
   * @param signal Stops rdisc6.
   */
  async solicit(routers: ReadonlyMap<string, readonly string[]>, signal?: AbortSignal) {
    await Promise.all([...routers].map(async ([link, r]) => {
      this.#asked.set(link, [...r].sort().join(" "));
      const argv = ["rdisc6", "-n", "-m", "-r", "1", "-w", String(SOLICIT_WAIT_MS), link];
      try {
        // rdisc6 exits 2 when no router answered.
        const text = await runTool(argv, { signal, okCodes: [2] });
        const now = Date.now();
        this.#adverts.set(link, parseRdisc6(text).map((a) => ({ ...a, receivedAt: now })));
        this.#notes.delete(link);
      } catch (error) {
        if (signal?.aborted) throw error;
        this.#notes.set(link, { source: argv.join(" "), reason: skipReason(error) });
      }
    }));
  }
}
