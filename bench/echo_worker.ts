/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/** A worker that echoes every message on the port it is given: the baseline for the round trip. */
self.onmessage = (event: MessageEvent) => {
  const port = event.ports[0];
  port.onmessage = (e) => port.postMessage(e.data);
};
