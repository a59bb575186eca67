/**
 * fetch() over mif: the web's fetch() (Request and Response, streaming
 * bodies, HTTP/1.1 and HTTP/2, redirects, AbortSignal) whose connections
 * are raced across provisioning domains by connect(): the host name is
 * translated through each PD's own resolvers and the connection leaves
 * from that PD's own source. Deno's own HTTP and TLS stack does the rest,
 * through a loopback CONNECT tunnel (fetch/tunnel_proxy.ts), so the
 * certificate is checked against the URL's host as usual.
 *
 * @module
 */

import { type Mif, openMif } from "../broker/mif.ts";
import { fetchFailure, MifFetchError } from "./fetch_error.ts";
import {
  type CheckedFetchOptions,
  checkFetchOptions,
  type FetchHop,
  type MifRequestInit,
  splitInit,
} from "./fetch_options.ts";
import { type HopRequest, MAX_REDIRECTS, nextHop, REDIRECT_STATUSES } from "./redirect.ts";
import { routeFor, type RouteLookup } from "./route_pool.ts";

/** A request's parts that stay the same across its redirects. */
interface Fetching {
  readonly mif: Mif;
  readonly options: CheckedFetchOptions;
  readonly signal: AbortSignal;
}

/** Sends one hop over a route; retries once on a fresh race if a kept route died under it. */
async function sendHop(fetching: Fetching, hop: HopRequest): Promise<Response> {
  const { mif, options, signal } = fetching;
  const start = performance.now();
  let lookup: RouteLookup | undefined;
  const report = (status?: number) =>
    options.onHop?.(
      {
        url: hop.url.href,
        method: hop.method,
        ...(status === undefined ? {} : { status }),
        ...(lookup
          ? {
            pdId: lookup.route.pdId,
            localAddress: lookup.route.localAddress,
            remoteAddress: lookup.route.remoteAddress,
            ...(lookup.race ? { race: lookup.race } : {}),
            ...(lookup.route.tls ? { tls: lookup.route.tls } : {}),
          }
          : {}),
        reused: lookup !== undefined && lookup.race === undefined,
        ms: performance.now() - start,
      } satisfies FetchHop,
    );
  for (let attempt = 0;; attempt++) {
    try {
      lookup = await routeFor(mif, hop.url, options, signal);
      const sent = globalThis.fetch(hop.url, {
        method: hop.method,
        headers: hop.headers,
        body: hop.body,
        client: lookup.route.client,
        redirect: "manual",
        signal,
      });
      lookup.route.use(sent);
      const response = await sent;
      report(response.status);
      return response;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const stale = lookup !== undefined && lookup.race === undefined && !lookup.route.alive;
      if (stale && attempt === 0) continue;
      report();
      throw fetchFailure(hop.url.href, error);
    }
  }
}

/** Whether the response ends the redirect chain; throws for redirect: "error". */
function isFinal(response: Response, mode: RequestRedirect, url: URL): boolean {
  if (!REDIRECT_STATUSES.includes(response.status) || !response.headers.has("location")) {
    return true;
  }
  if (mode === "error") {
    throw new MifFetchError("redirect", `Cannot fetch ${url.href}: redirect is "error"`);
  }
  return mode === "manual";
}

/** Follows redirects from the first hop; returns the final response. */
async function follow(fetching: Fetching, first: HopRequest, mode: RequestRedirect) {
  let hop = first;
  for (let redirects = 0;; redirects++) {
    const response = await sendHop(fetching, hop);
    if (isFinal(response, mode, hop.url)) return { response, redirected: redirects > 0 };
    await response.body?.cancel();
    if (redirects === MAX_REDIRECTS) {
      throw new MifFetchError("redirect", `Cannot fetch ${first.url.href}: over 20 redirects`);
    }
    const next = nextHop(hop, response.status, response.headers.get("location")!);
    if (typeof next === "string") {
      throw new MifFetchError("redirect", `Cannot fetch ${hop.url.href}: ${next}`);
    }
    hop = next;
  }
}

/** The response, marked redirected, whose end (or cancel) calls `done`. */
function finish(response: Response, redirected: boolean, done?: () => void): Response {
  let out = response;
  if (done) {
    if (response.body === null) done();
    else {
      const reader = response.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const { done: end, value } = await reader.read();
            if (end) {
              controller.close();
              done();
            } else controller.enqueue(value);
          } catch (error) {
            controller.error(error);
            done();
          }
        },
        cancel: (reason) => reader.cancel(reason).finally(done),
      }, { highWaterMark: 0 });
      out = new Response(body, response);
      Object.defineProperty(out, "url", { value: response.url });
    }
  }
  if (redirected) Object.defineProperty(out, "redirected", { value: true });
  return out;
}

/**
 * Fetches a resource like the web's fetch(), over the best of all
 * provisioning domains (or the ones the options allow): each origin's
 * connection is raced across PDs by connect(), kept alive per origin and
 * PD for reuse while `mif` stays open, and redirects to another origin race
 * again. Request bodies are read whole first, so a 307 or 308 can send them
 * again.
 *
 * @example Fetch over any PD but cellular
 * ```ts ignore
 * import { fetch, openMif } from "@mif/mif";
 * await using mif = await openMif();
 * const response = await fetch("https://www.example/", { mif, avoid: ["cellular"] });
 * console.log(response.status, await response.text());
 * ```
 * @param input The URL or Request.
 * @param init RequestInit, plus the path, TLS and keep-alive options.
 * @returns The response, its body streaming.
 * @throws {MifFetchError} A TypeError saying which layer failed: name, connect, TLS, HTTP, redirect.
 * @throws {TypeError} For a URL that is not http: or https:, or bad options.
 */
export async function fetch(
  input: string | URL | Request,
  init?: MifRequestInit,
): Promise<Response> {
  const { request: requestInit, options } = splitInit(init);
  const checked = checkFetchOptions(options);
  const request = new Request(input, requestInit);
  const url = new URL(request.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot fetch ${url.href}: only http: and https: URLs go over mif`);
  }
  const signal = request.signal;
  signal.throwIfAborted();
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
  const mif = options.mif ?? await openMif({ signal });
  const done = options.mif ? undefined : () => void mif.close();
  const { headers, method, redirect } = request;
  const fetching: Fetching = { mif, options: checked, signal };
  try {
    const { response, redirected } = await follow(
      fetching,
      { url, method, headers, body },
      redirect,
    );
    return finish(response, redirected, done);
  } catch (error) {
    done?.();
    throw error;
  }
}
