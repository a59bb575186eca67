/**
 * A progress line on a terminal's stderr for slow commands: what was
 * asked, what is still pending, redrawn in place (carriage return, clear
 * line) and erased when done. Nothing at all when stderr is no terminal.
 *
 * @module
 */

import type { ApiMessage, SubscriberMessage } from "../protocol/types.ts";

const CLEAR = "\r\x1b[2K";
const encoder = new TextEncoder();

/** Options of {@linkcode ProgressLine}. */
export interface ProgressOptions {
  /** Whether to draw at all (default: stderr is a terminal). */
  readonly enabled?: boolean;
  /** Milliseconds before the first drawing, so quick commands never flash one (default 150). */
  readonly delay?: number;
  /** Milliseconds between redrawings (default 100). */
  readonly interval?: number;
  /** Where the line goes (default stderr). */
  readonly write?: (text: string) => void;
}

function columns(): number {
  try {
    // A pseudo-terminal nobody sized (script(1) without a terminal) has 0 columns.
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/**
 * One line of progress, redrawn from `render` until disposed (only when
 * its text changed).
 *
 * @example Drawn once the delay has passed, erased when disposed
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressLine } from "./progress.ts";
 * const written: string[] = [];
 * {
 *   using progress = new ProgressLine(() => "resolving x.example", {
 *     enabled: true, delay: 0, write: (text) => written.push(text),
 *   });
 *   await new Promise((resolve) => setTimeout(resolve, 20));
 *   progress.draw(); // the same text: not written again
 * }
 * assert.deepEqual(written, ["\r\x1b[2Kresolving x.example", "\r\x1b[2K"]);
 * ```
 */
export class ProgressLine implements Disposable {
  #render: (elapsed: number) => string;
  #write: (text: string) => void;
  #start = performance.now();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #shown: string | undefined;
  #on = false;

  /**
   * Starts drawing (after the delay) when enabled.
   *
   * @param render The line, given the milliseconds since the start.
   * @param options Whether, when and where to draw.
   */
  constructor(render: (elapsed: number) => string, options: ProgressOptions = {}) {
    this.#render = render;
    this.#write = options.write ?? ((text) => Deno.stderr.writeSync(encoder.encode(text)));
    if (!(options.enabled ?? Deno.stderr.isTerminal())) return;
    const interval = options.interval ?? 100;
    this.#timer = setTimeout(() => {
      this.#on = true;
      this.draw();
      this.#timer = setInterval(() => this.draw(), interval);
    }, options.delay ?? 150);
  }

  /** Draws the line now (once the delay has passed). */
  draw(): void {
    if (!this.#on) return;
    const text = this.#render(performance.now() - this.#start);
    const width = Math.max(10, columns() - 1);
    const fitted = [...text].length > width ? `${[...text].slice(0, width - 1).join("")}…` : text;
    if (fitted === this.#shown) return;
    this.#write(CLEAR + fitted);
    this.#shown = fitted;
  }

  /** Erases the line, e.g. before printing to stdout; the next draw brings it back. */
  clear(): void {
    if (this.#shown !== undefined) this.#write(CLEAR);
    this.#shown = undefined;
  }

  /** Stops drawing and erases the line. */
  [Symbol.dispose](): void {
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    this.#on = false;
    this.clear();
  }
}

/**
 * Follows translations and connection attempts from the messages posted
 * and received, and describes what is pending.
 *
 * @example A translation asked and answered
 * ```ts
 * import assert from "node:assert/strict";
 * import { RaceTracker } from "./progress.ts";
 * const t = new RaceTracker("resolving www.example");
 * t.posted({ type: "translate-name", pdId: "eth0/ipv4", name: "www.example", translationId: "1" });
 * t.received({ type: "name-translation-done", pdId: "eth0/ipv4", translationId: "1" });
 * assert.equal(t.describe(0), "resolving www.example (0.0 s): 1 of 1 PDs done");
 * ```
 */
export class RaceTracker {
  #label: string;
  #translations = new Map<string, { pdId: string; done: boolean; answers: number }>();
  #attempts = new Map<string, { what: string; done: boolean }>();

  /** @param label What the command does: "resolving www.example". */
  constructor(label: string) {
    this.#label = label;
  }

  /**
   * Notes a message posted.
   *
   * @param m The message.
   */
  posted(m: SubscriberMessage): void {
    if (m.type === "translate-name") {
      this.#translations.set(m.translationId, { pdId: m.pdId, done: false, answers: 0 });
    } else if (m.type === "connect-to-address" || m.type === "connect-to-address-from-address") {
      this.#attempts.set(m.connectionId, { what: `${m.pdId} → ${m.address}`, done: false });
    } else if (m.type === "stop-translating-name") {
      this.#end(this.#translations, m.translationId);
    } else if (m.type === "stop-connecting") {
      this.#end(this.#attempts, m.connectionId);
    }
  }

  /**
   * Notes a message received.
   *
   * @param m The message.
   */
  received(m: ApiMessage): void {
    if (m.type === "name-translation") {
      const t = this.#translations.get(m.translationId);
      if (t) t.answers++;
    } else if (m.type === "name-translation-done") {
      this.#end(this.#translations, m.translationId);
    } else if (m.type === "connected" || m.type === "not-connected") {
      this.#end(this.#attempts, m.connectionId);
    } else if (m.type === "error") {
      if (m.translationId !== undefined) this.#end(this.#translations, m.translationId);
      if (m.connectionId !== undefined) this.#end(this.#attempts, m.connectionId);
    }
  }

  #end(map: Map<string, { done: boolean }>, id: string): void {
    const entry = map.get(id);
    if (entry) entry.done = true;
  }

  /**
   * The progress line: PDs asked and done, attempts started and running,
   * what is still awaited, and the time so far.
   *
   * @example One PD of two still resolving
   * ```ts
   * import assert from "node:assert/strict";
   * import { RaceTracker } from "./progress.ts";
   * const t = new RaceTracker("resolving www.example");
   * t.posted({ type: "translate-name", pdId: "eth0/ipv4", name: "www.example", translationId: "1" });
   * t.posted({ type: "translate-name", pdId: "wlan0/ipv4", name: "www.example", translationId: "2" });
   * t.received({ type: "name-translation-done", pdId: "eth0/ipv4", translationId: "1" });
   * assert.equal(
   *   t.describe(1234),
   *   "resolving www.example (1.2 s): 1 of 2 PDs done; waiting for wlan0/ipv4",
   * );
   * ```
   * @param elapsed Milliseconds since the start.
   * @returns One line.
   */
  describe(elapsed: number): string {
    const translations = [...this.#translations.values()];
    const attempts = [...this.#attempts.values()];
    const pending = translations.filter((t) => !t.done).map((t) => t.pdId);
    const running = attempts.filter((a) => !a.done).map((a) => a.what);
    const answers = translations.reduce((n, t) => n + t.answers, 0);
    const parts = [
      translations.length === 0
        ? "reading the host's PDs"
        : `${translations.length - pending.length} of ${translations.length} PDs done${
          answers ? `, ${answers} address${answers > 1 ? "es" : ""}` : ""
        }`,
      ...(attempts.length
        ? [
          `${attempts.length} attempt${attempts.length > 1 ? "s" : ""} started${
            running.length ? `, running: ${running.join(", ")}` : ""
          }`,
        ]
        : []),
      ...(pending.length ? [`waiting for ${pending.join(", ")}`] : []),
    ];
    return `${this.#label} (${(elapsed / 1000).toFixed(1)} s): ${parts.join("; ")}`;
  }
}
