/**
 * The help texts of `mif`: `mif help`, `mif help <command>` (and
 * `mif <command> --help`), and `mif --version`.
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import { INTERFACE_TYPES } from "../protocol/types.ts";
import { CONNECT_REPORT_REASONS, EXIT } from "./exit.ts";

/** mif's version, from deno.json. */
export const VERSION: string = config.version;

/** Words filled into lines of at most 50 characters, the later ones indented by 26 spaces. */
function wrap(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 50) {
      lines[lines.length - 1] += ` ${word}`;
    } else lines.push(word);
  }
  return lines.join(`\n${" ".repeat(26)}`);
}

/** The commands, in the order the help lists them. */
export const COMMANDS = ["status", "watch", "resolve", "connect"] as const;

/** A command. */
export type Command = typeof COMMANDS[number];

const PLATFORM_OPTIONS = `Platform options (every command):
  --platform sim|linux|darwin   where link data comes from (default: this
                                OS's platform where mif has one, else sim)
  --scenario FILE               scenario for the sim platform (implies
                                --platform sim; default: the bundled laptop)
  --resolv-conf FILE            linux: read name servers from FILE instead of
                                /etc/resolv.conf (it must exist)
  --lease-dir DIR               linux: also read dhclient lease files and mif
                                dhclient hook records in DIR (an existing
                                directory; repeatable)`;

const EXIT_TEXT = `Exit status:
  ${EXIT.ok}  done (connected; an address found)
  ${EXIT.failed}  failed: not connected (every attempt failed, timed out, no usable PD),
     interrupted, or the platform could not be read; one line on stderr
  ${EXIT.usage}  usage error: an unknown command or option, an invalid name or port,
     a PD, interface or interface type this host does not have, a missing
     file; one line on stderr
  ${EXIT.notTranslated}  the name was not translated: no PD found an address for it
     (resolve, connect); one line on stderr says why`;

/** The text of `mif help`. */
const USAGE = `Usage: mif <command> [options]
       mif help [command]    mif <command> --help    mif --version

The IETF MIF API (draft-ietf-mif-api-extension-02): interfaces, provisioning
domains (PDs), their configuration and addresses, as the host has them.

Commands:
  status              interfaces → PDs → configuration, addresses, DNS
                      servers and PD workers
  watch               print every change as it happens (Ctrl-C stops)
  resolve NAME        translate NAME through every PD at once
  connect HOST PORT   race every PD to HOST's TCP PORT (Happy Eyeballs
                      across PDs) and show the race

${PLATFORM_OPTIONS}

  --json              machine-readable output (see mif help <command>)
  -h, --help          help; with a command, that command's help
  --version           mif's version

${EXIT_TEXT}`;

const HELP: Record<Command, string> = {
  status: `Usage: mif status [--json] [platform options]

Interfaces → PDs → configuration elements, addresses with their lifetimes,
DNS servers and each PD's worker (started on a PD's first request); addresses
no PD can claim yet (their router unknown or gone); configuration sources
that were skipped. (Application intents are recorded per process, so a
program sees its own in Mif.status(); mif status has none to show.)

  --json    one JSON object: Mif.status()

Examples:
  mif status
  mif status --platform sim
  mif status --resolv-conf /run/systemd/resolve/resolv.conf --json

${PLATFORM_OPTIONS}`,
  watch: `Usage: mif watch [--json] [platform options]

Subscribes to everything and prints each message as it arrives: interfaces,
the PDs on every interface, the configuration elements and addresses of every
PD, following new ones. Ctrl-C (or the reader going away) stops it, exit 0.

  --json    one protocol message per line

Examples:
  mif watch
  mif watch --json | grep address
  mif watch --platform sim      (the bundled laptop: its Wi-Fi drops 5 s in)
  mif watch --scenario my-laptop.json

${PLATFORM_OPTIONS}`,
  resolve: `Usage: mif resolve NAME [--pd ID] [--family ipv4|ipv6|both] [--json]

Translates NAME through every PD at once, each with its own host table and
DNS servers only, queried from its own addresses, and prints every answer as
it arrives, with its record type, then how each PD's translation ended:
  +3.1 ms  eth0/ipv4  A     198.51.100.80  ttl 300  from 198.51.100.1
  +4.0 ms  eth0/ipv4  done
  +2001.3 ms  wlan0/ipv6  done: timeout
By default each PD is asked for its own family only (an IPv4 PD for A
records, an IPv6 PD for AAAA), as connect does. When no PD found an address,
one line on stderr says why, and the exit status is ${EXIT.notTranslated}:
  mif: Cannot resolve www.example: no PD could translate the name: 1 nxdomain, 1 timeout
On a terminal, a progress line on stderr shows the PDs still pending.

  --pd ID                 only through this PD (repeatable, or comma-separated)
  --family ipv4|ipv6      ask every PD for A (ipv4) or AAAA (ipv6) records only
  --family both           ask every PD for both
  --json                  one protocol message per line (no progress line)

Examples:
  mif resolve www.example.com
  mif resolve www.example.com --pd wlan0/ipv4,eth0/ipv4
  mif resolve www.example.com --family both --json
  mif resolve www.example --platform sim      (the bundled laptop's names)

${PLATFORM_OPTIONS}

${EXIT_TEXT}`,
  connect: `Usage: mif connect HOST PORT [--pd ID] [--from ADDR] [--prefer PATH]
                   [--avoid PATH] [--prohibit PATH] [--parallel-interfaces] [--json]

Connects to HOST (a name or an IP literal) on TCP PORT over the best of all
PDs: every PD translates HOST at once and their attempts race; the first
connection wins and is closed again. Prints the winning path, then the race
as a timeline: each PD's translation and each attempt on a common time axis.
On a terminal, a progress line on stderr shows what is still pending.

  --pd ID                 only through this PD (repeatable, or comma-separated)
  --from ADDR             only from this source address (one of a PD's)
  --prefer PATH           try these PDs first
  --avoid PATH            try these PDs only after all others
  --prohibit PATH         never use these PDs
                          PATH: a PD id, an interface id, an interface type
                          ${
    wrap(
      `(${
        INTERFACE_TYPES.join(", ")
      }) or metered; repeatable, or comma-separated: --prohibit vpn,cellular`,
    )
  }
  --parallel-interfaces   start the first attempt on each interface at once
  --json                  one object: connected, reason, error, winner,
                          attempts, resolutions; reason and error are null
                          when connected, winner null when not. reason:
                          ${wrap(CONNECT_REPORT_REASONS.join(", "))}

Examples:
  mif connect www.example.com 443
  mif connect www.example.com 443 --avoid cellular --prohibit vpn
  mif connect 2001:db8::80 80 --from 2001:db8::7 --json
  mif connect www.example 80 --platform sim --prefer wifi

${PLATFORM_OPTIONS}

${EXIT_TEXT}`,
};

/**
 * The help of one command, or of mif.
 *
 * @example The first line of resolve's help
 * ```ts
 * import assert from "node:assert/strict";
 * import { helpText } from "./help.ts";
 * assert.equal(
 *   helpText("resolve").split("\n")[0],
 *   "Usage: mif resolve NAME [--pd ID] [--family ipv4|ipv6|both] [--json]",
 * );
 * assert.match(helpText(), /^Usage: mif <command> \[options\]/);
 * ```
 * @param command A command, or undefined for mif's help.
 * @returns The text, without a final newline.
 */
export function helpText(command?: Command): string {
  return command === undefined ? USAGE : HELP[command];
}
