/**
 * The help texts of `mif`: `mif help`, `mif help <command>` (and
 * `mif <command> --help`), and `mif --version`.
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import { DEFAULT_CHECK_URL } from "../fetch/check_url.ts";
import { INTERFACE_TYPES } from "../protocol/types.ts";
import {
  CHECK_REPORT_REASONS,
  CONNECT_REPORT_REASONS,
  EXIT,
  FETCH_REPORT_REASONS,
} from "./exit.ts";

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
export const COMMANDS = ["status", "watch", "resolve", "connect", "fetch", "check"] as const;

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
                                directory; repeatable)
  --replay DIR                  darwin: read the tools' outputs from the
                                files in DIR instead of running them (any
                                OS; nothing is followed live; status and
                                watch only)
  --record DIR                  darwin: save each tool's output into DIR
                                (made if missing), to replay elsewhere`;

const EXIT_TEXT = `Exit status:
  ${EXIT.ok}  done (connected; an address found; fetched; a PD has full connectivity)
  ${EXIT.failed}  failed: not connected (every attempt failed, timed out, no usable PD),
     no PD has full connectivity (check), interrupted, or the platform could
     not be read; one line on stderr
  ${EXIT.usage}  usage error: an unknown command or option, an invalid name or port,
     a PD, interface or interface type this host does not have, a missing
     file; one line on stderr
  ${EXIT.notTranslated}  the name was not translated: no PD found an address for it
     (resolve, connect, fetch); one line on stderr says why
  ${EXIT.tlsFailed}  fetch: TLS failed (the handshake, or the certificate check)
  ${EXIT.httpFailed}  fetch: HTTP failed (the exchange broke, a redirect could not be
     followed), or with --fail the server answered a status >= 400`;

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
  fetch URL           fetch URL over the best PD: the body on stdout,
                      each hop's race and TLS on stderr
  check               probe every PD's connectivity at once: full,
                      captive-portal, limited or none

${PLATFORM_OPTIONS}

  --json              machine-readable output (see mif help <command>)
  -h, --help          help; with a command, that command's help
  --version           mif's version

${EXIT_TEXT}`;

const HELP: Record<Command, string> = {
  status: `Usage: mif status [--json] [platform options]

Interfaces → PDs → configuration elements, addresses with their lifetimes,
DNS servers and each PD's worker (started on a PD's first request); addresses
no PD can claim (their router unknown or gone, or self-assigned); configuration
sources that were skipped. (Application intents are recorded per process, so a
program sees its own in Mif.status(); mif status has none to show.)

  --json    one JSON object: Mif.status()

Examples:
  mif status
  mif status --platform sim
  mif status --resolv-conf /run/systemd/resolve/resolv.conf --json
  mif status --record mac/          (on a Mac: keep what its tools printed)
  mif status --replay mac/          (anywhere: that Mac, from those files)

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
                   [--leak fallback]

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
  --leak fallback         split DNS: a name under some PDs' search domains is
                          asked of those PDs only; ask the others too once
                          those failed (default never)
  --json                  one protocol message per line (no progress line)

Examples:
  mif resolve www.example.com
  mif resolve www.example.com --pd wlan0/ipv4,eth0/ipv4
  mif resolve www.example.com --family both --json
  mif resolve www.example --platform sim      (the bundled laptop's names)

${PLATFORM_OPTIONS}

${EXIT_TEXT}`,
  connect: `Usage: mif connect HOST PORT [--pd ID] [--from ADDR] [--prefer PATH]
                   [--avoid PATH] [--prohibit PATH] [--stagger-interfaces]
                   [--leak fallback] [--json]

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
      }), metered or validated; repeatable, or comma-separated: --prohibit vpn,cellular`,
    )
  }
  --stagger-interfaces    RFC 8305's attempt delay between interfaces too
                          (default: each interface's first attempt at once)
  --leak fallback         split DNS: a name under some PDs' search domains is
                          asked of those PDs only; ask the others too once
                          those failed (default never; with --pd, fallback)
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
  fetch: `Usage: mif fetch URL [-X METHOD] [-H 'Name: value']... [-d DATA|@FILE] [-o FILE]
                 [-i] [--fail] [--cacert FILE]... [--pd ID] [--require PATH]
                 [--prefer PATH] [--avoid PATH] [--prohibit PATH] [--from ADDR]
                 [--stagger-interfaces] [--leak fallback] [--connect-timeout SECONDS]
                 [--json]

Fetches URL (http: or https:) with mif's fetch(): the connection is raced
across PDs as mif connect races it, redirects are followed (to the same
origin over the same connection), and the body is written to stdout as it
arrives. On stderr, each hop's race as mif connect prints it (when the hop
raced), then one line per hop: method, URL, status, time, PD, addresses,
new or reused connection, TLS version and ALPN:
  GET https://www.example/ → 200 in 35.2 ms through wlan0/ipv4 from
  127.0.0.1:40512 to 127.0.0.1:8443 (new connection; TLSv1.3, ALPN not visible)

  -X, --request METHOD    the method (default GET, or POST with -d)
  -H, --header 'N: V'     a request header (repeatable)
  -d, --data DATA|@FILE   the request body: DATA, or FILE's bytes
  -o, --output FILE       write the body to FILE instead of stdout (mif
                          needs Deno's --allow-write for it)
  -i, --include           the status line and headers before the body
  --fail                  a status >= 400 is a failure (exit ${EXIT.httpFailed}, no body)
  --cacert FILE           trust the CA certificates (PEM) in FILE too
                          (repeatable)
  --pd ID                 only through this PD (repeatable, or comma-separated)
  --require PATH          only through these PDs
  --prefer PATH           try these PDs first
  --avoid PATH            try these PDs only after all others
  --prohibit PATH         never use these PDs
                          PATH: as in mif help connect
  --from ADDR             only from this source address (one of a PD's)
  --stagger-interfaces    RFC 8305's attempt delay between interfaces too
                          (default: each interface's first attempt at once)
  --leak fallback         split DNS as in mif help connect (default never;
                          with --pd, fallback)
  --connect-timeout S     seconds for each connection race (default 30)
  --json                  one object instead of the body: ok, reason, error,
                          url, finalUrl, status, statusText, headers, hops,
                          body {bytes, savedTo}, race (a failed race);
                          reason: ${wrap(FETCH_REPORT_REASONS.join(", "))}

Examples:
  mif fetch https://www.example.com/
  mif fetch https://www.example.com/ -i --avoid cellular
  mif fetch https://api.example/v1 -H 'Accept: application/json' -d @req.json
  mif fetch https://www.example.com/big.iso -o big.iso --prefer wifi --json

${PLATFORM_OPTIONS}

${EXIT_TEXT}`,
  check: `Usage: mif check [--pd ID] [--url URL] [--timeout SECONDS] [--fresh]
                 [--cacert FILE]... [--json]

Probes every PD's connectivity at once with checkConnectivity(): an HTTP
request through that PD alone, which should answer 204 No Content, as
Android's network validation does. One line per PD:
  eth0/ipv4    full            204 in 8.1 ms
  wlan0/ipv4   captive-portal  302 in 12.3 ms → http://portal.example/login
  rmnet0/ipv4  limited         in 3.0 s: the probe took over 3000 ms
  tun0/ipv4    none            in 4.2 ms: Cannot fetch ...: no PD could translate ...
full: the expected answer; captive-portal: a redirect (to the portal shown)
or a 200 with a body; limited: the name translated but the probe failed or
answered otherwise; none: the name did not translate through that PD. Exit
${EXIT.ok} when at least one PD has full connectivity, else ${EXIT.failed}.

  --pd ID                 only this PD (repeatable, or comma-separated)
  --url URL               the probe (default: $MIF_CHECK_URL, read with
                          Deno's --allow-env=MIF_CHECK_URL, else
                          ${DEFAULT_CHECK_URL})
  --timeout SECONDS       seconds each probe may take (default 10)
  --fresh                 probe even where a kept result still holds (each
                          run of mif starts with none kept)
  --cacert FILE           trust the CA certificates (PEM) in FILE too, for
                          an https: probe (repeatable)
  --json                  one object: ok, reason, error, url, results (each
                          pdId, state, ms, kept, status, portalUrl, detail);
                          reason: ${wrap(CHECK_REPORT_REASONS.join(", "))}

Examples:
  mif check
  mif check --pd wlan0/ipv4 --json
  mif check --url http://probe.example/generate_204 --timeout 3

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
