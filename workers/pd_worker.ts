/**
 * Entry point of a provisioning domain's Web Worker. The broker starts one per
 * PD on the PD's first request and talks to it over a MessageChannel.
 *
 * @module
 */

import { servePdWorker, type WorkerScope } from "./serve.ts";

servePdWorker(self as unknown as WorkerScope);
