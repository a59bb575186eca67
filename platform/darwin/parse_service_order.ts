/**
 * Parser for `networksetup -listnetworkserviceorder`: the network services in
 * the user's preference order, each with its hardware port and device. VPN
 * services of Network Extension apps have a bundle id as their port and an
 * empty device. Pure: text in, data out.
 *
 * @module
 */

/** One network service as networksetup lists it. */
export interface NetworkService {
  /** Its position ("(3)" → 3), or null for a disabled service ("(*)"). */
  readonly order: number | null;
  /** The service's name ("Wi-Fi", "USB 10/100/1000 LAN 2", a VPN's name). */
  readonly name: string;
  /** false for a disabled service. */
  readonly enabled: boolean;
  /** The hardware port ("Wi-Fi", "iPhone USB", "com.wireguard.macos"). */
  readonly port: string;
  /** The BSD interface name, or "" when the service has none (VPN apps). */
  readonly device: string;
}

const SERVICE = /^\((\d+|\*)\)[ \t]*(.*)$/;
const PORT = /^\(Hardware Port: (.*), Device: ?(.*)\)$/;

/**
 * Parses `networksetup -listnetworkserviceorder`. Each service is a line
 * `(N) name` (`(*) name` when disabled) followed by a line
 * `(Hardware Port: port, Device: dev)`. The leading "An asterisk (*) denotes
 * ..." line and other unknown lines are ignored; blank lines and trailing
 * blanks are tolerated.
 *
 * @example Parse an enabled and a disabled service
 * ```ts
 * import { parseServiceOrder } from "./parse_service_order.ts";
 * import assert from "node:assert/strict";
 * const text = "An asterisk (*) denotes that a network service is disabled.\n" +
 *   "(1) Wi-Fi\n(Hardware Port: Wi-Fi, Device: en0)\n\n" +
 *   "(*) My VPN\n(Hardware Port: com.wireguard.macos, Device: )\n";
 * assert.deepEqual(parseServiceOrder(text), [
 *   { order: 1, name: "Wi-Fi", enabled: true, port: "Wi-Fi", device: "en0" },
 *   { order: null, name: "My VPN", enabled: false, port: "com.wireguard.macos", device: "" },
 * ]);
 * ```
 * @param text The command's output.
 * @returns The services in preference order.
 * @throws {SyntaxError} When a service line has no port line after it, or a
 * port line has no service line before it.
 */
export function parseServiceOrder(text: string): NetworkService[] {
  const fail = (what: string, line: number) =>
    new SyntaxError(
      `Cannot parse networksetup -listnetworkserviceorder output: ${what}, line ${line}`,
    );
  const services: NetworkService[] = [];
  let pending: { order: number | null; name: string; line: number } | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const port = PORT.exec(line);
    if (port) {
      if (!pending) throw fail("Hardware Port line without a service", i + 1);
      const { order, name } = pending;
      services.push({
        order,
        name,
        enabled: order !== null,
        port: port[1],
        device: port[2].trim(),
      });
      pending = undefined;
      continue;
    }
    const service = SERVICE.exec(line);
    if (!service) continue;
    if (pending) throw fail(`service "${pending.name}" has no Hardware Port line`, pending.line);
    pending = {
      order: service[1] === "*" ? null : Number(service[1]),
      name: service[2],
      line: i + 1,
    };
  }
  if (pending) throw fail(`service "${pending.name}" has no Hardware Port line`, pending.line);
  return services;
}
