/**
 * Command-line parsing for `mif`: pure, so usage errors are testable.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { PLATFORM_NAMES } from "../platform/select.ts";
import type { PlatformName } from "../platform/types.ts";

/** The commands. */
export const COMMANDS = ["status", "watch"] as const;

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

Options:
  --platform sim|linux|darwin   where link data comes from (default: this
                                OS's platform where mif has one, else sim)
  --scenario FILE               scenario for the sim platform (implies
                                --platform sim; default: the bundled laptop)
  --resolv-conf FILE            linux: read name servers from FILE instead of
                                /etc/resolv.conf
  --lease-dir DIR               linux: also read dhclient lease files and mif
                                dhclient hook records in DIR (repeatable)
  --json                        status: one JSON object; watch: one JSON
                                message per line, with the protocol's fields
  -h, --help                    this text

Exit status: 0 success, 1 failure, 2 usage error.`;

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
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0], { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help", json: false };
  if (positionals.length === 0) throw new UsageError("missing command (status or watch)");
  const [command, ...rest] = positionals;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}" (expected ${COMMANDS.join(" or ")})`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
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
  };
}
