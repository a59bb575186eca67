/**
 * A session's connections by token (§3.3.7.23): held from the `connected`
 * answer until the subscriber takes them with connection(token); an ended
 * connection it has not taken stays, so that it learns how it ended.
 *
 * @module
 */

import type { ConnectionHandle } from "./connection.ts";
import type { Session } from "./session.ts";

/** Ended connections a subscriber never took that it may still take. */
const MAX_ENDED_UNTAKEN = 1024;

/** Keeps at most MAX_ENDED_UNTAKEN ended, untaken connections: the oldest go. */
function forgetOldestEnded(session: Session): void {
  const ended = [...session.untaken].filter((t) => session.connections.get(t)?.ended);
  for (const token of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_UNTAKEN))) {
    session.untaken.delete(token);
    session.connections.delete(token);
  }
}

/**
 * Holds a new connection for the subscriber to take. A connection whose
 * token the session already holds is closed instead.
 *
 * @example Hold a connection, then take it
 * ```ts
 * import { holdConnection, takeConnection } from "./session_connections.ts";
 * import { ConnectionHandle } from "./connection.ts";
 * import { createSession } from "./session.ts";
 * import assert from "node:assert/strict";
 * const session = createSession(1, "app", { limit: 10, resync: () => [], full: () => {} });
 * const { port1, port2 } = new MessageChannel();
 * const connection = new ConnectionHandle({
 *   token: "t1", pdId: "eth0/ipv4", port: port1, onReadable: () => {},
 *   localAddress: { address: "198.51.100.7", port: 40000 },
 *   remoteAddress: { address: "198.51.100.80", port: 80 },
 * });
 * assert.equal(holdConnection(session, connection), true);
 * assert.equal(takeConnection(session, "t1"), connection);
 * assert.equal(session.untaken.size, 0);
 * await connection.close();
 * port2.close();
 * ```
 * @param session The subscriber's session.
 * @param connection The connection of a `connected` answer.
 * @returns True when it is held; false when it was closed.
 */
export function holdConnection(session: Session, connection: ConnectionHandle): boolean {
  const { token } = connection;
  if (session.connections.has(token)) {
    connection.close();
    return false;
  }
  session.connections.set(token, connection);
  session.untaken.add(token);
  // An ended connection the subscriber has not taken stays until it is
  // taken (or the subscriber closes), so that it learns how it ended; the
  // oldest beyond MAX_ENDED_UNTAKEN are forgotten.
  connection.closed.then(() => {
    if (!session.untaken.has(token)) session.connections.delete(token);
    else forgetOldestEnded(session);
  });
  return true;
}

/**
 * connection(token): hands a connection out, ended or not; an ended one is
 * then forgotten.
 *
 * @example An unknown token
 * ```ts
 * import { takeConnection } from "./session_connections.ts";
 * import { createSession } from "./session.ts";
 * import assert from "node:assert/strict";
 * const session = createSession(1, undefined, { limit: 10, resync: () => [], full: () => {} });
 * assert.equal(takeConnection(session, "t9"), undefined);
 * ```
 * @param session The subscriber's session.
 * @param token The token of the `connected` answer.
 * @returns The connection, or undefined when the session holds none by that token.
 */
export function takeConnection(session: Session, token: string): ConnectionHandle | undefined {
  const connection = session.connections.get(token);
  if (!connection) return undefined;
  session.untaken.delete(token);
  if (connection.ended) session.connections.delete(token);
  return connection;
}

/**
 * Closes every connection of a session that ends, taken or not.
 *
 * @example A session without connections
 * ```ts
 * import { closeConnections } from "./session_connections.ts";
 * import { createSession } from "./session.ts";
 * import assert from "node:assert/strict";
 * const session = createSession(1, undefined, { limit: 10, resync: () => [], full: () => {} });
 * closeConnections(session);
 * assert.equal(session.connections.size, 0);
 * ```
 * @param session The session.
 */
export function closeConnections(session: Session): void {
  for (const connection of session.connections.values()) connection.close();
  session.connections.clear();
  session.untaken.clear();
}
