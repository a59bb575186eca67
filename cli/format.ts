/**
 * Human-readable text for `mif status` and `mif watch`: pure functions over
 * the public types.
 *
 * @module
 */

import type { AddressStatus, MifStatus, PdStatus } from "../broker/status.ts";
import type { ApiMessage, ConfigValue, Lifetime } from "../protocol/types.ts";
import { toDnsName } from "../dns/dns_name.ts";
import { isSelfAssigned } from "../ip/ip.ts";

/**
 * Formats a lifetime: "infinite", or the two largest units ("1d2h", "5m3s").
 *
 * @example Format a day
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLifetime } from "./format.ts";
 * assert.equal(formatLifetime(86400), "1d");
 * assert.equal(formatLifetime(90061), "1d1h");
 * ```
 * @param lifetime Seconds or "infinite".
 * @returns Short text.
 */
export function formatLifetime(lifetime: Lifetime): string {
  if (lifetime === "infinite") return "infinite";
  if (lifetime === 0) return "0s";
  const units: [string, number][] = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
  const parts: string[] = [];
  let rest = lifetime;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith("0")).join("");
}

function formatValue(value: ConfigValue): string {
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(formatValue).join(", ");
  if (value === "") return '""';
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function tree(lines: string[], items: string[][], indent: string): void {
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    lines.push(`${indent}${last ? "└─ " : "├─ "}${item[0]}`);
    for (const sub of item.slice(1)) lines.push(`${indent}${last ? "   " : "│  "}${sub}`);
  });
}

function addressLine(a: AddressStatus): string {
  const deprecated = a.preferredLifetime === 0 ? " (deprecated)" : "";
  return `${a.address}/${a.prefixLength}  valid ${formatLifetime(a.validLifetime)}, preferred ${
    formatLifetime(a.preferredLifetime)
  }${deprecated}`;
}

function pdItems(pd: PdStatus): string[] {
  const lines: string[] = [];
  const items: string[][] = [];
  for (const a of pd.addresses) items.push([`address ${addressLine(a)}`]);
  for (const e of pd.elements) {
    const data: string[] = [];
    tree(data, Object.entries(e.data).map(([k, v]) => [`${k}: ${formatValue(v)}`]), "");
    items.push([`${e.element}${e.source ? ` (from ${e.source})` : ""}`, ...data]);
  }
  items.push([
    `DNS servers: ${
      pd.dnsServers.length === 0
        ? "none"
        : pd.dnsServers.map((d) => `${d.address} (${d.element})`).join(", ")
    }`,
  ]);
  // Split DNS: names under these go to this PD (and others with the same domain) only.
  if (pd.routingDomains?.length) items.push([`routing domains: ${pd.routingDomains.join(", ")}`]);
  const w = pd.worker;
  items.push([
    w.starts === 0
      ? "worker: not started (it starts on the PD's first request)"
      : `worker: ${w.state}, ${w.inFlight} in flight, ${w.connections} connection${
        w.connections === 1 ? "" : "s"
      }, ${w.starts} started, ${w.crashes} crashed${w.lastCrash ? ` (last: ${w.lastCrash})` : ""}`,
  ]);
  tree(lines, items, "");
  return lines;
}

/**
 * Renders `mif status` as a tree: each interface (its display name only
 * when it differs from the id), its PDs with addresses, configuration
 * elements (empty items say "none"), DNS servers and worker; then
 * application intents when any were recorded, and skipped sources.
 *
 * @example Render an empty host
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderStatus } from "./format.ts";
 * assert.equal(
 *   renderStatus({
 *     platform: "sim", description: "empty", at: "2026-01-01T00:00:00.000Z",
 *     workerPermissions: "net", spareWorker: false, interfaces: [], subscribers: [],
 *     notes: [],
 *   }),
 *   "mif status — platform sim (empty) at 2026-01-01T00:00:00.000Z\n\nno interfaces",
 * );
 * ```
 * @param status From Mif.status().
 * @returns Lines of text, joined.
 */
export function renderStatus(status: MifStatus): string {
  const lines = [
    `mif status — platform ${status.platform} (${status.description}) at ${status.at}`,
  ];
  if (status.interfaces.length === 0) lines.push("", "no interfaces");
  for (const nic of status.interfaces) {
    // The display name only when it says more than the id.
    const facts = [
      ...(nic.displayName === nic.interfaceId ? [] : [nic.displayName]),
      nic.interfaceType,
      nic.operState,
    ];
    if (nic.mtu !== undefined) facts.push(`mtu ${nic.mtu}`);
    if (nic.mac !== undefined) facts.push(nic.mac);
    if (nic.metered !== undefined) facts.push(nic.metered ? "metered" : "not metered");
    lines.push("", `${nic.interfaceId}  ${facts.join(" · ")}`);
    if (nic.pds.length === 0) lines.push("└─ no provisioning domains");
    if (nic.unattributed?.length) {
      // A self-assigned address has no router to wait for: it says so itself.
      const routed = nic.unattributed.some((a) => !isSelfAssigned(a.address, a.prefixLength));
      lines.push(
        `   addresses in no provisioning domain${
          routed ? " (their router is not known, or gone)" : ""
        }:`,
      );
      for (const a of nic.unattributed) {
        const why = isSelfAssigned(a.address, a.prefixLength) ? "  self-assigned (RFC 3927)" : "";
        lines.push(`     ${addressLine(a)}${why}`);
      }
    }
    tree(
      lines,
      nic.pds.map((
        pd,
      ) => [`PD ${pd.pdId} (${pd.family === "ipv4" ? "IPv4" : "IPv6"})`, ...pdItems(pd)]),
      "",
    );
  }
  const intents = status.subscribers.flatMap((s) =>
    s.intents.map((i) => {
      const scope = [i.interfaceId, i.pdId].filter((x) => x !== undefined).join(" ");
      return `${s.name ?? `subscriber ${s.subscriberId}`}: ${i.intent}${
        scope ? ` on ${scope}` : ""
      } since ${i.since}`;
    })
  );
  // Intents are recorded per process: shown only when a subscriber of this one recorded any.
  if (intents.length > 0) lines.push("", "Application intents:", ...intents.map((i) => `  ${i}`));
  if (status.notes.length > 0) {
    lines.push("", "Skipped sources:");
    for (const n of status.notes) lines.push(`  ${n.source}: ${n.reason}`);
  }
  return lines.join("\n");
}

/**
 * One line for a message in `mif watch`.
 *
 * @example Describe an address announcement
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMessage } from "./format.ts";
 * assert.equal(
 *   formatMessage({ type: "no-address-announcement", pdId: "wlan0/ipv4", address: "127.0.1.2" }),
 *   "no-address-announcement  wlan0/ipv4 127.0.1.2",
 * );
 * ```
 * @param m The message.
 * @returns Text without a newline.
 */
export function formatMessage(m: ApiMessage): string {
  const detail = (() => {
    switch (m.type) {
      case "interface-announcement":
        return `${m.interfaceId} "${m.displayName}" (${m.interfaceType})`;
      case "no-interface-announcement":
      case "interface-going-away":
      case "interface-going-up":
        return m.interfaceId;
      case "provisioning-domain-announcement":
        return `${m.pdId} on ${m.interfaceId} (${m.family})`;
      case "no-provisioning-domain-announcement":
        return `${m.pdId} on ${m.interfaceId}`;
      case "configuration-element-announcement":
      case "no-configuration-element-announcement":
        return `${m.pdId} ${m.element}`;
      case "address-announcement":
        return `${m.pdId} ${m.address}/${m.prefixLength} valid ${
          formatLifetime(m.validLifetime)
        } preferred ${formatLifetime(m.preferredLifetime)}`;
      case "no-address-announcement":
        return `${m.pdId} ${m.address}`;
      case "configuration-data":
        return `${m.pdId} ${m.element} ${m.item}: ${formatValue(m.value)}`;
      case "no-configuration-data":
        return `${m.pdId} ${m.element} ${m.item}: ${m.reason}`;
      case "name-translation":
        return `${m.translationId} ${m.pdId} ${m.address}${
          m.ttl === undefined ? "" : ` ttl ${m.ttl}`
        }${m.server ? ` from ${m.server}` : ""}`;
      case "name-translation-done":
        return `${m.translationId} ${m.pdId} ${m.reason ?? "ok"}${m.detail ? `: ${m.detail}` : ""}`;
      case "connected":
        return `${m.connectionId} ${m.pdId} ${m.source} → ${m.address} port ${m.port}`;
      case "not-connected":
        return `${m.connectionId} ${m.pdId} ${m.reason}${m.detail ? `: ${m.detail}` : ""}`;
      case "error":
        return `${m.reason} (${m.messageType ?? "no type"}): ${m.detail}`;
      default: {
        const never: never = m;
        return JSON.stringify(never);
      }
    }
  })();
  return `${m.type}  ${detail}`;
}

/** "printer → printer.isp1.test  " when the answer is for another name than asked, else "". */
function qualified(name: string | undefined, asked: string | undefined): string {
  if (name === undefined) return "";
  const ascii = asked === undefined ? undefined : toDnsName(asked);
  if (ascii?.ok && ascii.name === name.toLowerCase()) return "";
  return `${asked ?? ""} → ${name}  `.trimStart();
}

/**
 * One line of `mif resolve`: an answer (with its record type, A or AAAA)
 * or the end of one PD's translation, with the milliseconds since the
 * translations started.
 *
 * @example Format an answer and an end
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResolution } from "./format.ts";
 * assert.equal(
 *   formatResolution({
 *     type: "name-translation", translationId: "eth0/ipv4", pdId: "eth0/ipv4",
 *     address: "198.51.100.80", ttl: 300, server: "198.51.100.1",
 *   }, 12.34),
 *   "+12.3 ms  eth0/ipv4  A     198.51.100.80  ttl 300  from 198.51.100.1",
 * );
 * assert.equal(
 *   formatResolution({
 *     type: "name-translation", translationId: "eth0/ipv6", pdId: "eth0/ipv6", address: "2001:db8::80",
 *   }, 13),
 *   "+13.0 ms  eth0/ipv6  AAAA  2001:db8::80",
 * );
 * assert.equal(
 *   formatResolution({
 *     type: "name-translation-done", translationId: "eth0/ipv4", pdId: "eth0/ipv4", reason: "nxdomain",
 *   }, 20),
 *   "+20.0 ms  eth0/ipv4  done: nxdomain",
 * );
 * ```
 * @example An answer for a name qualified by the PD's search list
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResolution } from "./format.ts";
 * assert.equal(
 *   formatResolution({
 *     type: "name-translation", translationId: "eth0/ipv4", pdId: "eth0/ipv4",
 *     address: "198.51.100.20", ttl: 60, server: "198.51.100.1", name: "printer.isp1.test",
 *   }, 5, "printer"),
 *   "+5.0 ms  eth0/ipv4  A     printer → printer.isp1.test  198.51.100.20  ttl 60  from 198.51.100.1",
 * );
 * ```
 * @param m A message answering a translation.
 * @param elapsed Milliseconds since the start.
 * @param asked The name asked for: an answer for another (qualified) name shows both.
 * @returns Text without a newline.
 */
export function formatResolution(m: ApiMessage, elapsed: number, asked?: string): string {
  const at = `+${elapsed.toFixed(1)} ms`;
  switch (m.type) {
    case "name-translation":
      return `${at}  ${m.pdId}  ${m.address.includes(":") ? "AAAA" : "A   "}  ${
        qualified(m.name, asked)
      }${m.address}${m.ttl === undefined ? "" : `  ttl ${m.ttl}`}${
        m.server ? `  from ${m.server}` : ""
      }`;
    case "name-translation-done":
      return `${at}  ${m.pdId}  done${m.reason ? `: ${m.reason}` : ""}${
        m.detail ? ` (${m.detail})` : ""
      }`;
    default:
      return `${at}  ${formatMessage(m)}`;
  }
}
