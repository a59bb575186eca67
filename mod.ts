/**
 * mif: the IETF MIF API (draft-ietf-mif-api-extension-02) for Deno.
 *
 * A host has several links, and each link can carry several provisioning
 * domains (PDs), each with its own addresses, DNS servers and policies. The
 * MIF API announces interfaces, PDs, configuration elements and addresses as
 * they come and go, answers per-PD configuration queries, and serves
 * PD-scoped requests from one Web Worker per PD.
 *
 * Talk to it the draft's way (§3.3.6): post messages, check for and get
 * answers; or iterate a subscriber's messages. Each PD's worker resolves
 * names through that PD's own DNS servers, from that PD's addresses, and
 * opens TCP connections from them; a `connected` message's token gives a
 * {@linkcode Connection} with Web Streams. On top of the messages,
 * {@linkcode connect} races every PD for a named service (Happy Eyeballs
 * across PDs, §3.3.2) and returns the winning connection with a timeline
 * of every attempt.
 *
 * @example List interfaces and their PDs on the simulated laptop
 * ```ts
 * import { NO_MESSAGE, openMif } from "@mif/mif";
 * import assert from "node:assert/strict";
 *
 * await using mif = await openMif({ platform: "sim" });
 * await using sub = mif.subscribe({ name: "example" });
 * sub.post({ type: "announce-interfaces" });
 * const seen: string[] = [];
 * for (let m = sub.get(); m !== NO_MESSAGE; m = sub.get()) {
 *   if (m.type === "interface-announcement") {
 *     sub.post({ type: "announce-provisioning-domains", interfaceId: m.interfaceId });
 *     seen.push(m.interfaceId);
 *   } else {
 *     seen.push(m.type === "provisioning-domain-announcement" ? m.pdId : m.type);
 *   }
 * }
 * // Interfaces first, then their PDs.
 * assert.deepEqual(seen, [
 *   "wlan0", "rmnet0", "tun0",
 *   "wlan0/ipv4", "wlan0/ipv6/fe80::1", "rmnet0/ipv6/fe80::2", "tun0/ipv4",
 * ]);
 * ```
 *
 * @module
 */

export { Mif, type MifOptions, openMif, type SubscribeOptions } from "./broker/mif.ts";
export {
  type CheckOptions,
  type CheckResult,
  type MessagesOptions,
  NO_MESSAGE,
  type Subscriber,
} from "./broker/subscriber.ts";
export type * from "./broker/status.ts";
export {
  type Connection,
  ConnectionError,
  type ConnectionFailure,
  type SocketAddress,
} from "./broker/connection.ts";
export { CONNECTION_FAILURES } from "./wire/connection_wire.ts";
export type { IntentMessage } from "./broker/intents.ts";
export { connect, type ConnectResult } from "./connect/happy_eyeballs.ts";
export type { ConnectOptions, PathSelector } from "./connect/connect_options.ts";
export { fetch } from "./fetch/fetch.ts";
export type {
  FetchHop,
  FetchOptions,
  FetchPathOptions,
  MifRequestInit,
} from "./fetch/fetch_options.ts";
export {
  FETCH_FAILURE_REASONS,
  type FetchFailureReason,
  MifFetchError,
} from "./fetch/fetch_error.ts";
export type { TlsHello } from "./fetch/tls_hello.ts";
export {
  checkConnectivity,
  type ConnectivityOptions,
  type PdConnectivity,
} from "./fetch/connectivity_check.ts";
export { DEFAULT_CHECK_URL } from "./fetch/check_url.ts";
export { CONNECTIVITY_STATES, type ConnectivityState } from "./connect/validation.ts";
export { CONNECT_FAILED_REASONS, type ConnectFailedReason } from "./connect/failure.ts";
export {
  type AttemptOutcome,
  type AttemptRecord,
  ConnectFailedError,
  RESOLUTION_SKIPS,
  type ResolutionOutcome,
  type ResolutionRecord,
} from "./connect/timeline.ts";
export {
  LEAK_MODES,
  type LeakMode,
  type NameRoute,
  type PdDomains,
  routeName,
} from "./connect/split_dns.ts";
export {
  type ElementData,
  ROUTING_DOMAIN_ITEMS,
  type RoutingDomainItem,
  routingDomains,
} from "./protocol/routing_domains.ts";
export type * from "./protocol/types.ts";
export {
  CONFIG_ITEM_NAME,
  CONNECT_FAILURES,
  ELEMENT_TYPES,
  ERROR_REASONS,
  INTERFACE_TYPES,
  NO_CONFIGURATION_DATA_REASONS,
  TRANSLATION_FAILURES,
} from "./protocol/types.ts";
export {
  API_MESSAGE_TYPES,
  configValueProblem,
  isApiMessage,
  isSubscriberMessage,
  SUBSCRIBER_MESSAGE_TYPES,
  tlsProblem,
  validateApiMessage,
  validateSubscriberMessage,
  type Validation,
} from "./protocol/validate.ts";
export { canonicalIp, FAMILIES, formatIp, type IpAddress, isLoopback, parseIp } from "./ip/ip.ts";
export type * from "./protocol/model.ts";
export type * from "./platform/types.ts";
export { defaultPlatformName, type PlatformOptions } from "./platform/select.ts";
export { PLATFORM_NAMES } from "./platform/types.ts";
export { BUNDLED_SCENARIO, loadScenario, SimPlatform } from "./platform/sim/sim_platform.ts";
export type * from "./platform/sim/scenario.ts";
export { LinuxPlatform, type LinuxPlatformOptions } from "./platform/linux/linux_platform.ts";
export { DEFAULT_SOURCE_PATHS, type SourcePaths } from "./platform/linux/config_sources.ts";
export {
  DarwinPlatform,
  type DarwinPlatformOptions,
  ROUTE_MONITOR_COMMAND,
} from "./platform/darwin/darwin_platform.ts";
export { captureFileName, recordTools, replayTools } from "./platform/captured_tools.ts";
export { runTool, type RunToolOptions, type ToolRunner } from "./platform/run_tool.ts";
export { parseScenario } from "./platform/sim/scenario.ts";
