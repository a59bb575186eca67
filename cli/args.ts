/**
 * Command-line parsing for `mif`: pure, so usage errors are testable.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { PLATFORM_NAMES } from "../platform/select.ts";
import { canonicalIp } from "../protocol/ip.ts";
import type { PlatformName } from "../platform/types.ts";
import type { Family } from "../protocol/types.ts";

/** The commands, with the names of their positional arguments. */
const ARGUMENTS = {
  status: [],
  watch: [],
  resolve: ["NAME"],
  connect: ["HOST", "PORT"],
} as const;

/** The commands. */
export const COMMANDS = Object.keys(ARGUMENTS) as (keyof typeof ARGUMENTS)[];

/** A parsed command line. */
export interface Invocation {
  /** The command, or "help". */
  readonly command: (typeof COMMANDS)[number] | "help";
  /** --platform, if given. */
  readonly platform?: PlatformName;
  /** --scenario, if given. */
  readonly scenario?: string;
  /** --resolv-conf, if given. */
  readonly resolvConf?: string;
  /** Every --lease-dir given. */
  readonly leaseDirs?: readonly string[];
  /** --json. */
  readonly json: boolean;
  /** resolve: the name. */
  readonly name?: string;
  /** resolve, connect: --pd, if given. */
  readonly pd?: string;
  /** resolve: --family, if given. */
  readonly family?: Family;
  /** connect: the host name or IP literal. */
  readonly host?: string;
  /** connect: the TCP port, 1 to 65535. */
  readonly port?: number;
  /** connect: --from, canonicalised, if given. */
  readonly from?: string;
  /** connect: every --avoid, comma-separated lists split. */
  readonly avoid?: readonly string[];
  /** connect: every --prohibit, comma-separated lists split. */
  readonly prohibit?: readonly string[];
  /** connect: --parallel-interfaces was given. */
  readonly parallelInterfaces?: boolean;
}

/** A usage error: the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The help text. */
export const USAGE = `Usage: mif <command> [options]

The IETF MIF API (draft-ietf-mif-api-extension-02): interfaces, provisioning
domains (PDs), their configuration and addresses, as the host has them.

Commands:
  status     interfaces → PDs → configuration elements, addresses with
             lifetimes, DNS servers, PD workers and recorded app intents;
             addresses no PD can claim yet (their router unknown or gone)
  watch      subscribe to everything and print each message as it arrives
             (interfaces, PDs on every interface, configuration elements and
             addresses of every PD, following new ones); Ctrl-C stops
  resolve NAME
             translate NAME through every PD at once (or one, --pd), each
             with its own host table and DNS servers only, queried from its
             own addresses; prints every answer as it arrives, per PD
  connect HOST PORT
             connect to HOST (a name or an IP literal) on TCP PORT over the
             best of all PDs: every PD resolves HOST at once and their
             attempts race (Happy Eyeballs across PDs); the first connection
             wins and is closed again. Prints the winning path, then the race
             as a timeline: each PD's name translation, each attempt with
             its source → destination, start and end, a bar on a common time
             axis and its outcome

Options:
  --platform sim|linux|darwin   where link data comes from (default: this
                                OS's platform where mif has one, else sim)
  --scenario FILE               scenario for the sim platform (implies
                                --platform sim; default: the bundled laptop)
  --resolv-conf FILE            linux: read name servers from FILE instead of
                                /etc/resolv.conf
  --lease-dir DIR               linux: also read dhclient lease files and mif
                                dhclient hook records in DIR (repeatable)
  --pd ID                       resolve, connect: only through this PD
  --family ipv4|ipv6            resolve: only A (ipv4) or AAAA (ipv6) answers
  --from ADDR                   connect: only from this source address (and
                                so only through the PD that has it)
  --avoid PATH                  connect: try these PDs only after all others
  --prohibit PATH               connect: never use these PDs
                                (PATH: a PD id, an interface id, an
                                interface type such as cellular, vpn, wifi,
                                or metered; repeatable, or comma-separated:
                                vpn,cellular)
  --parallel-interfaces         connect: start the first attempt on each
                                interface at once, not one attempt delay
                                after the previous one
  --json                        status, connect: one JSON object (connect:
                                connected, winner, attempts, resolutions,
                                error); watch, resolve: one JSON message per
                                line, the protocol's fields
  -h, --help                    this text

Exit status: 0 success, 1 failure (resolve: no PD found an address;
connect: not connected, timed out or interrupted), 2 usage error.`;

/**
 * Parses the arguments after the program name.
 *
 * @example Parse `mif watch --json`
 * ```ts
 * import { parseInvocation } from "./args.ts";
 * console.log(parseInvocation(["watch", "--json"]).command); // "watch"
 * ```
 * @param args Deno.args.
 * @returns What to do.
 * @throws {UsageError} For anything that is not a valid command line.
 */
export function parseInvocation(args: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        platform: { type: "string" },
        scenario: { type: "string" },
        "resolv-conf": { type: "string" },
        "lease-dir": { type: "string", multiple: true },
        json: { type: "boolean", default: false },
        pd: { type: "string" },
        family: { type: "string" },
        from: { type: "string" },
        avoid: { type: "string", multiple: true },
        prohibit: { type: "string", multiple: true },
        "parallel-interfaces": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0], { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help", json: false };
  if (positionals.length === 0) {
    throw new UsageError(`missing command (${COMMANDS.join(", ")})`);
  }
  const [command, ...rest] = positionals;
  if (!Object.hasOwn(ARGUMENTS, command)) {
    throw new UsageError(`unknown command "${command}" (expected ${COMMANDS.join(", ")})`);
  }
  const expected: readonly string[] = ARGUMENTS[command as keyof typeof ARGUMENTS];
  if (rest.length < expected.length) {
    throw new UsageError(`${command}: missing ${expected[rest.length]}`);
  }
  if (rest.length > expected.length) {
    throw new UsageError(`unexpected argument "${rest[expected.length]}"`);
  }
  if (command !== "resolve" && command !== "connect" && values.pd !== undefined) {
    throw new UsageError("--pd only applies to resolve and connect");
  }
  if (command !== "resolve" && values.family !== undefined) {
    throw new UsageError("--family only applies to resolve");
  }
  const connectOnly = values.from !== undefined || values.avoid !== undefined ||
    values.prohibit !== undefined || values["parallel-interfaces"];
  if (command !== "connect" && connectOnly) {
    throw new UsageError(
      "--from, --avoid, --prohibit and --parallel-interfaces only apply to connect",
    );
  }
  const connect = command === "connect" ? connectArguments(rest, values) : {};
  const family = values.family;
  if (family !== undefined && family !== "ipv4" && family !== "ipv6") {
    throw new UsageError(`--family must be ipv4 or ipv6, got "${family}"`);
  }
  const platform = values.platform;
  if (platform !== undefined && !(PLATFORM_NAMES as readonly string[]).includes(platform)) {
    throw new UsageError(
      `--platform must be one of ${PLATFORM_NAMES.join(", ")}, got "${platform}"`,
    );
  }
  if (values.scenario !== undefined && platform !== undefined && platform !== "sim") {
    throw new UsageError("--scenario only applies to --platform sim");
  }
  const linuxOnly = values["resolv-conf"] !== undefined || values["lease-dir"] !== undefined;
  if (linuxOnly && (values.scenario !== undefined || (platform ?? "linux") !== "linux")) {
    throw new UsageError("--resolv-conf and --lease-dir only apply to --platform linux");
  }
  // A scenario only makes sense on the sim platform, so it implies it.
  const chosen = platform ??
    (values.scenario !== undefined ? "sim" : linuxOnly ? "linux" : undefined);
  return {
    command: command as Invocation["command"],
    json: values.json,
    ...(chosen === undefined ? {} : { platform: chosen as PlatformName }),
    ...(values.scenario === undefined ? {} : { scenario: values.scenario }),
    ...(values["resolv-conf"] === undefined ? {} : { resolvConf: values["resolv-conf"] }),
    ...(values["lease-dir"] === undefined ? {} : { leaseDirs: values["lease-dir"] }),
    ...(command === "resolve" ? { name: rest[0] } : {}),
    ...(values.pd === undefined ? {} : { pd: values.pd }),
    ...(family === undefined ? {} : { family }),
    ...connect,
  };
}

/** Checks connect's HOST, PORT, --from, --avoid, --prohibit and --parallel-interfaces. */
function connectArguments(
  [host, port]: readonly string[],
  values: {
    from?: string;
    avoid?: string[];
    prohibit?: string[];
    "parallel-interfaces"?: boolean;
  },
): Pick<Invocation, "host" | "port" | "from" | "avoid" | "prohibit" | "parallelInterfaces"> {
  if (host === "") throw new UsageError("connect: HOST must not be empty");
  const number = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(number >= 1 && number <= 65535)) {
    throw new UsageError(`connect: PORT must be a number from 1 to 65535, got "${port}"`);
  }
  let from: string | undefined;
  if (values.from !== undefined) {
    from = canonicalIp(values.from);
    if (from === undefined) {
      throw new UsageError(`--from must be an IP address, got "${values.from}"`);
    }
  }
  const paths = (option: string, given: readonly string[] | undefined) => {
    const list = given?.flatMap((v) => v.split(",")).map((v) => v.trim());
    if (list?.includes("")) {
      throw new UsageError(`--${option} needs a PD id, interface id or interface type`);
    }
    return list;
  };
  const avoid = paths("avoid", values.avoid);
  const prohibit = paths("prohibit", values.prohibit);
  return {
    host,
    port: number,
    ...(from === undefined ? {} : { from }),
    ...(avoid === undefined ? {} : { avoid }),
    ...(prohibit === undefined ? {} : { prohibit }),
    ...(values["parallel-interfaces"] ? { parallelInterfaces: true } : {}),
  };
}
