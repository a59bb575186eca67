/**
 * What a redirect does to a request, as the Fetch standard's "HTTP-redirect
 * fetch" says (https://fetch.spec.whatwg.org/#http-redirect-fetch): 303
 * turns anything but HEAD into GET, 301 and 302 turn POST into GET, both
 * without a body; 307 and 308 keep method and body. A redirect to another
 * origin drops Authorization. At most 20 redirects.
 *
 * @module
 */

/** Statuses that redirect. */
export const REDIRECT_STATUSES: readonly number[] = [301, 302, 303, 307, 308];

/** The Fetch standard's limit on redirects per fetch. */
export const MAX_REDIRECTS = 20;

/** The parts of a request a redirect may change. */
export interface HopRequest {
  /** The URL. */
  readonly url: URL;
  /** The method. */
  readonly method: string;
  /** The header fields. */
  readonly headers: Headers;
  /** The body's bytes, or null. */
  readonly body: Uint8Array<ArrayBuffer> | null;
}

/** Header fields that describe a body: dropped with it. */
const BODY_HEADERS = [
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
  "content-length",
];

/**
 * The next request after a redirect response, or why it cannot follow.
 *
 * @example A 303 after a POST becomes a GET without a body
 * ```ts
 * import { nextHop } from "./redirect.ts";
 * import assert from "node:assert/strict";
 * const post = {
 *   url: new URL("https://a.example/form"),
 *   method: "POST",
 *   headers: new Headers({ "content-type": "text/plain", authorization: "Bearer x" }),
 *   body: new TextEncoder().encode("hi"),
 * };
 * const next = nextHop(post, 303, "https://b.example/done");
 * assert.ok(typeof next !== "string");
 * assert.equal(next.method, "GET");
 * assert.equal(next.body, null);
 * assert.equal(next.headers.get("content-type"), null);
 * assert.equal(next.headers.get("authorization"), null, "another origin");
 * assert.equal(next.url.href, "https://b.example/done");
 * ```
 * @param request The request that was redirected.
 * @param status Its response's status.
 * @param location Its Location field.
 * @returns The next request, or a reason it cannot follow.
 */
export function nextHop(
  request: HopRequest,
  status: number,
  location: string,
): HopRequest | string {
  let url: URL;
  try {
    url = new URL(location, request.url);
  } catch {
    return `the Location "${location.slice(0, 200)}" is not a URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `a redirect to ${url.protocol} cannot be followed`;
  }
  const headers = new Headers(request.headers);
  let { method, body } = request;
  const toGet = (status === 303 && method !== "HEAD") ||
    ((status === 301 || status === 302) && method === "POST");
  if (toGet) {
    method = "GET";
    body = null;
    for (const name of BODY_HEADERS) headers.delete(name);
  }
  if (url.origin !== request.url.origin) headers.delete("authorization");
  return { url, method, headers, body };
}
