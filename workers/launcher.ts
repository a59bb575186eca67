/**
 * The worker that starts PD workers. `new Worker()` holds the calling
 * thread while Deno creates the new isolate (40–80 ms on this project's
 * 2-core machine), so the broker asks this worker to do it: the broker's
 * thread keeps answering while PD workers start. Each PD worker gets the
 * broker's port directly (messages never pass through here); only what
 * happens outside the port (an uncaught error, a message that cannot be
 * read, a message on the worker's global scope) is passed on, by id.
 *
 * Protocol (broker/worker_launcher.ts): `spawn` { id, url, name,
 * permissions? } with the port transferred, and `terminate` { id } in;
 * `error` { id, message }, `messageerror` { id }, `outside` { id, data }
 * out.
 *
 * @module
 */

/** The part of a worker's global scope the launcher needs. */
interface LauncherScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as LauncherScope;
const workers = new Map<number, Worker>();

function spawn(id: number, data: Record<string, unknown>, port: MessagePort | undefined): void {
  const post = (message: Record<string, unknown>) => scope.postMessage({ ...message, id });
  try {
    const worker = new Worker(String(data.url), {
      type: "module",
      name: String(data.name),
      ...(data.permissions ? { deno: { permissions: data.permissions as "inherit" } } : {}),
    });
    workers.set(id, worker);
    worker.onerror = (event) => {
      // Without preventDefault an uncaught error in a worker ends this one too.
      event.preventDefault();
      post({ type: "error", message: event.message || "uncaught error" });
    };
    worker.onmessageerror = () => post({ type: "messageerror" });
    worker.onmessage = (event) => post({ type: "outside", data: event.data });
    worker.postMessage(null, port ? [port] : []);
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
}

scope.onmessage = (event: MessageEvent) => {
  const data = event.data as Record<string, unknown> | null;
  const id = typeof data?.id === "number" ? data.id : undefined;
  if (!data || id === undefined) return;
  if (data.type === "spawn") spawn(id, data, event.ports[0]);
  else if (data.type === "terminate") {
    workers.get(id)?.terminate();
    workers.delete(id);
  }
};
