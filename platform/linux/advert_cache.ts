/**
 * Router Advertisement data from rdisc6, per link. The kernel keeps RA
 * routes and addresses but not RDNSS, DNSSL or which router advertised which
 * prefix, so the platform solicits (rdisc6 sends a Router Solicitation and
 * prints every answer) whenever what RAs set up on a link changes: its
 * routers (default routes, and neighbours flagged as routers, which is how a
 * stub router shows), its RA prefixes, the prefixes of its SLAAC addresses —
 * and so also when the link comes up.
 *
 * @module
 */

import type { SourceNote } from "../../protocol/model.ts";
import { skipReason } from "./skip_reason.ts";
import type { ReceivedAdvert } from "./host_state.ts";
import { parseRdisc6, type RouterAdvert } from "./parse_rdisc6.ts";
import { sameData } from "../../protocol/json_value.ts";
import { answersComplete, completeAdverts, explainsRaParts } from "./advert_answers.ts";
import { runRdisc6 } from "./run_rdisc6.ts";

/** How long rdisc6 waits for answers, in ms. */
export const SOLICIT_WAIT_MS = 1000;
/** How long it waits when asked again about what the first answers left unexplained. */
export const RETRY_WAIT_MS = 3500;

/**
 * An advertisement stamped with when it was received; a repeat of what the
 * router said before keeps the earlier stamp, so that `received-at` changes,
 * and the ra element is announced again, only when the router's message did.
 *
 * @example A repeat keeps its stamp
 * ```ts
 * import { received } from "./advert_cache.ts";
 * import assert from "node:assert/strict";
 * const ra = { router: "fe80::1", managed: false, otherConfig: false, preference: "medium",
 *   routerLifetime: 600, prefixes: [], dnsServers: [], searchDomains: [], routes: [] };
 * const first = received(ra, undefined, 1000);
 * assert.equal(received({ ...ra }, first, 5000).receivedAt, 1000);
 * assert.equal(received({ ...ra, routerLifetime: 0 }, first, 5000).receivedAt, 5000);
 * ```
 * @param ra What rdisc6 printed.
 * @param before The router's last advertisement, if any.
 * @param now Epoch ms.
 * @returns The advertisement with its stamp.
 */
export function received(
  ra: RouterAdvert,
  before: ReceivedAdvert | undefined,
  now: number,
): ReceivedAdvert {
  if (before) {
    const { receivedAt, ...same } = before;
    if (sameData(same, ra)) return { ...ra, receivedAt };
  }
  return { ...ra, receivedAt: now };
}

/** The latest advertisements per link, and what failed. */
export class AdvertCache {
  readonly #adverts = new Map<string, readonly ReceivedAdvert[]>();
  readonly #asked = new Map<string, string>();
  /** The latest solicitation started per link. */
  readonly #runs = new Map<string, number>();
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
   * The links whose RA parts (see raLinkKeys) changed since they were last
   * solicited; links without RA state any more are forgotten.
   *
   * @param keys RA parts by link.
   * @returns Link names.
   */
  stale(keys: ReadonlyMap<string, readonly string[]>): string[] {
    for (const link of [...this.#asked.keys()]) {
      if (!keys.has(link)) {
        this.#asked.delete(link);
        this.#adverts.delete(link);
        this.#notes.delete(link);
      }
    }
    return [...keys].filter(([link, parts]) => this.#asked.get(link) !== parts.join("\n"))
      .map(([link]) => link);
  }

  /**
   * Solicits on links and stores the answers. rdisc6 is stopped as soon as
   * the answers explain what the kernel shows (answersComplete: every
   * default router and link-local router neighbour answered, every RA
   * prefix is in an answer), else it waits its full time. A link whose
   * answers leave something unexplained — a default router that did not
   * answer, an RA prefix no answer carries — is asked once more, waiting
   * longer: a router delays a solicited RA by up to 3 s after its last one
   * (RFC 4861 §6.2.6), and rdisc6 first waits only 1 s; that second run
   * stops once its answers and the first run's explain it all. A router
   * that still did not answer keeps its last advertisement while the kernel
   * shows its default route or one of its prefixes. When runs for one link
   * overlap, only the latest one counts.
   *
   * @param keys RA parts by link (only the links to solicit).
   * @param signal Stops rdisc6.
   */
  async solicit(keys: ReadonlyMap<string, readonly string[]>, signal?: AbortSignal) {
    await Promise.all([...keys].map(async ([link, parts]) => {
      const run = (this.#runs.get(link) ?? 0) + 1;
      this.#runs.set(link, run);
      this.#asked.set(link, parts.join("\n"));
      let earlier: RouterAdvert[] = [];
      for (const wait of [SOLICIT_WAIT_MS, RETRY_WAIT_MS]) {
        const argv = ["rdisc6", "-n", "-m", "-r", "1", "-w", String(wait), link];
        try {
          const out = await runRdisc6(argv, { signal, enough: enoughFor(parts, earlier) });
          if (this.#runs.get(link) !== run) return; // A later run for this link counts.
          // Stopped, rdisc6 may have been cut in the middle of a block.
          const adverts = out.stopped ? completeAdverts(out.text) : parseRdisc6(out.text);
          if (this.#store(link, parts, adverts)) return;
          earlier = adverts;
        } catch (error) {
          if (signal?.aborted) throw error;
          this.#notes.set(link, { source: argv.join(" "), reason: skipReason(error) });
          return;
        }
      }
    }));
  }

  /**
   * Stores a link's answers, keeping the routers not heard that the kernel
   * still shows.
   *
   * @returns Whether the answers explain every default router and RA prefix.
   */
  #store(link: string, parts: readonly string[], adverts: readonly RouterAdvert[]): boolean {
    const now = Date.now();
    const before = new Map((this.#adverts.get(link) ?? []).map((a) => [a.router, a]));
    const heard = adverts.map((a) => received(a, before.get(a.router), now));
    const shown = new Set(parts);
    const unheard = [...before.values()].filter((a) =>
      !heard.some((h) => h.router === a.router) &&
      (shown.has(`default ${a.router}`) || a.prefixes.some((x) => shown.has(`prefix ${x.prefix}`)))
    );
    this.#adverts.set(link, [...heard, ...unheard]);
    this.#notes.delete(link);
    return explainsRaParts(parts, heard);
  }
}

/**
 * When rdisc6's output so far is enough: it holds an answer, and its
 * complete answers, with the earlier run's, explain the link's parts. An
 * answer that does not read (SyntaxError) is no reason to stop: the full
 * output is parsed at the end.
 */
function enoughFor(
  parts: readonly string[],
  earlier: readonly RouterAdvert[],
): (text: string) => boolean {
  return (text) => {
    try {
      const heard = completeAdverts(text);
      return heard.length > 0 && answersComplete(parts, [...earlier, ...heard]);
    } catch {
      return false;
    }
  };
}
