/**
 * Command-line parsing for `mif`: pure, so usage errors are testable.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { PLATFORM_NAMES } from "../platform/select.ts";
import type { PlatformName } from "../platform/types.ts";
import type { Family } from "../protocol/types.ts";

/** The commands, with the names of their positional arguments. */
const ARGUMENTS = { status: [], watch: [], resolve: ["NAME"] } as const;

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
  /** resolve: --pd, if given. */
  readonly pd?: string;
  /** resolve: --family, if given. */
  readonly family?: Family;
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
             lifetimes, DNS servers, PD workers and recorded app intents
  watch      subscribe to everything and print each message as it arrives
             (interfaces, PDs on every interface, configuration elements and
             addresses of every PD, following new ones); Ctrl-C stops
  resolve NAME
             translate NAME through every PD at once (or one, --pd), each
             with its own host table and DNS servers only, queried from its
             own addresses; prints every answer as it arrives, per PD

Options:
  --platform sim|linux|darwin   where link data comes from (default: this
                                OS's platform where mif has one, else sim)
  --scenario FILE               scenario for the sim platform (implies
                                --platform sim; default: the bundled laptop)
  --resolv-conf FILE            linux: read name servers from FILE instead of
                                /etc/resolv.conf
  --lease-dir DIR               linux: also read dhclient lease files and mif
                                dhclient hook records in DIR (repeatable)
  --pd ID                       resolve: only through this PD
  --family ipv4|ipv6            resolve: only A (ipv4) or AAAA (ipv6) answers
  --json                        status: one JSON object; watch, resolve: one
                                JSON message per line, the protocol's fields
  -h, --help                    this text

Exit status: 0 success, 1 failure (resolve: no PD found an address), 2 usage
error.`;

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
  if (command !== "resolve" && (values.pd !== undefined || values.family !== undefined)) {
    throw new UsageError("--pd and --family only apply to resolve");
  }
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
  };
}
