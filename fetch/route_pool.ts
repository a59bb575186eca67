/**
 * fetch()'s kept-alive routes, per Mif: one per origin and set of path
 * options, raced once and reused until idle, failed or the Mif closes.
 * Concurrent fetches to one origin share one race.
 *
 * @module
 */

import type { Mif } from "../broker/mif.ts";
import { connect } from "../connect/happy_eyeballs.ts";
import type { ConnectResult } from "../connect/race_driver.ts";
import type { CheckedFetchOptions } from "./fetch_options.ts";
import { Route } from "./route.ts";

/** Routes by key, each possibly still racing. */
type Routes = Map<string, Promise<Route>>;

const POOLS = new WeakMap<Mif, Routes>();

function routesOf(mif: Mif): Routes {
  let routes = POOLS.get(mif);
  if (routes) return routes;
  const made: Routes = new Map();
  POOLS.set(mif, made);
  mif.closing.addEventListener("abort", () => {
    for (const route of made.values()) route.then((r) => r.close(), () => {});
    made.clear();
  }, { once: true });
  return routes = made;
}

/** What {@linkcode routeFor} found: the route, and the race if it ran one. */
export interface RouteLookup {
  /** The route. */
  readonly route: Route;
  /** The race that made it, when this lookup raced. */
  readonly race?: Omit<ConnectResult, "connection">;
}

/** The URL's host as connect() takes it: IPv6 literals without brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** The URL's port, the scheme's default if none. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/**
 * A live route for the URL's origin under these options: the kept one, or a
 * new race's.
 *
 * @param mif The MIF API.
 * @param url The request's URL.
 * @param options fetch()'s checked options.
 * @param signal Aborts the race.
 * @returns The route, with the race when one ran.
 * @throws {ConnectFailedError} When the race fails.
 */
export async function routeFor(
  mif: Mif,
  url: URL,
  options: CheckedFetchOptions,
  signal: AbortSignal | undefined,
): Promise<RouteLookup> {
  const routes = routesOf(mif);
  const key = `${url.origin} ${options.key}`;
  const kept = routes.get(key);
  if (kept) {
    const route = await kept.catch(() => undefined);
    if (route?.alive) return { route };
    if (routes.get(key) === kept) routes.delete(key);
  }
  let race: ConnectResult | undefined;
  const made = (async () => {
    race = await connect(hostOf(url), portOf(url), {
      ...options.path,
      mif,
      signal,
      timeout: options.connectTimeout,
    });
    const route: Route = new Route(mif, hostOf(url), portOf(url), race, options, () => {
      if (routes.get(key) === made) routes.delete(key);
    });
    return route;
  })();
  routes.set(key, made);
  try {
    const route = await made;
    const { connection: _, ...timeline } = race!;
    return { route, race: timeline };
  } catch (error) {
    if (routes.get(key) === made) routes.delete(key);
    throw error;
  }
}
