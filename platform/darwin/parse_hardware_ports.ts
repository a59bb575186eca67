/**
 * Parser for `networksetup -listallhardwareports`: which BSD device each
 * hardware port ("Wi-Fi", "Ethernet", "Thunderbolt Bridge", "iPhone USB",
 * "USB 10/100/1000 LAN", ...) is, and its Ethernet address. Pure: text in,
 * data out.
 *
 * @module
 */

/** One hardware port as networksetup lists it. */
export interface HardwarePort {
  /** The port's name ("Wi-Fi", "iPhone USB", "Ethernet Adapter (en4)", ...). */
  readonly port: string;
  /** The BSD interface name ("en0", "bridge0"). */
  readonly device: string;
  /** The Ethernet address as printed, or null when networksetup prints "N/A". */
  readonly mac: string | null;
}

const FIELD = /^(Hardware Port|Device|Ethernet Address):[ \t]*(.*)$/;

/**
 * Parses `networksetup -listallhardwareports`. Each port is a block of
 * `Hardware Port:`, `Device:` and `Ethernet Address:` lines; the output ends
 * with a "VLAN Configurations" section whose lines are not read (VLANs are
 * not hardware ports). Other unknown lines are ignored; blank lines, tabs and
 * trailing blanks are tolerated.
 *
 * @example Parse two ports
 * ```ts
 * import { parseHardwarePorts } from "./parse_hardware_ports.ts";
 * import assert from "node:assert/strict";
 * const text = "\nHardware Port: Wi-Fi\nDevice: en0\nEthernet Address: 8c:85:90:90:6d:26\n\n" +
 *   "Hardware Port: Bluetooth PAN\nDevice: en3\nEthernet Address: N/A\n\n" +
 *   "VLAN Configurations\n===================\n";
 * assert.deepEqual(parseHardwarePorts(text), [
 *   { port: "Wi-Fi", device: "en0", mac: "8c:85:90:90:6d:26" },
 *   { port: "Bluetooth PAN", device: "en3", mac: null },
 * ]);
 * ```
 * @param text The command's output.
 * @returns The ports in the order listed.
 * @throws {SyntaxError} When a `Device:` or `Ethernet Address:` line comes
 * before any `Hardware Port:` line, a field repeats within a port, or a port
 * has no `Device:` line.
 */
export function parseHardwarePorts(text: string): HardwarePort[] {
  const fail = (what: string, line: number) =>
    new SyntaxError(
      `Cannot parse networksetup -listallhardwareports output: ${what}, line ${line}`,
    );
  const ports: HardwarePort[] = [];
  let current: { port: string; device?: string; mac?: string | null; line: number } | undefined;
  const finish = () => {
    if (!current) return;
    if (current.device === undefined) {
      throw fail(`port "${current.port}" has no Device`, current.line);
    }
    ports.push({ port: current.port, device: current.device, mac: current.mac ?? null });
    current = undefined;
  };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "VLAN Configurations") break;
    const match = FIELD.exec(line);
    if (!match) continue;
    const [, key, value] = match;
    if (key === "Hardware Port") {
      finish();
      current = { port: value, line: i + 1 };
    } else if (!current) {
      throw fail(`${key} outside a port`, i + 1);
    } else if (key === "Device") {
      if (current.device !== undefined) throw fail("second Device in a port", i + 1);
      current.device = value;
    } else {
      if (current.mac !== undefined) throw fail("second Ethernet Address in a port", i + 1);
      current.mac = value === "N/A" || value === "" ? null : value;
    }
  }
  finish();
  return ports;
}
