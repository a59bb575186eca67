/**
 * Command-line parsing for `mif`: pure, so usage errors are testable.
 *
 * @module
 */

import { misplacedOption, type PlatformOptions } from "../platform/select.ts";
import { PLATFORM_NAMES } from "../platform/types.ts";
import { canonicalIp } from "../ip/ip.ts";
import type { PlatformName } from "../platform/types.ts";
import type { Family } from "../protocol/types.ts";
import { toDnsName } from "../dns/dns_name.ts";
import { LEAK_MODES, type LeakMode } from "../connect/split_dns.ts";
import { type Command, COMMANDS } from "./help.ts";
import { didYouMean } from "./suggest.ts";
import { type OptionSpec, tokenize } from "./tokens.ts";

export { type Command, COMMANDS };

/** The positional arguments of each command. */
const ARGUMENTS: Record<Command, readonly string[]> = {
  status: [],
  watch: [],
  resolve: ["NAME"],
  connect: ["HOST", "PORT"],
  fetch: ["URL"],
  check: [],
};

/** The values of resolve's --family. */
const FAMILIES: readonly string[] = ["ipv4", "ipv6", "both"];

/** Every option, and the commands it applies to (absent: every command). */
const OPTIONS: Readonly<Record<string, OptionSpec & { commands?: readonly Command[] }>> = {
  platform: { value: "sim, linux or darwin" },
  scenario: { value: "a scenario FILE" },
  "resolv-conf": { value: "a FILE" },
  "lease-dir": { value: "a DIR", multiple: true },
  // A replayed Mac has no sockets: only what reads the host applies.
  replay: { value: "a DIR", commands: ["status", "watch"] },
  record: { value: "a DIR" },
  json: {},
  pd: { value: "a PD id", multiple: true, commands: ["resolve", "connect", "fetch", "check"] },
  family: { value: "ipv4, ipv6 or both", commands: ["resolve"] },
  from: { value: "an IP address", commands: ["connect", "fetch"] },
  require: { value: "a PATH", multiple: true, commands: ["fetch"] },
  prefer: { value: "a PATH", multiple: true, commands: ["connect", "fetch"] },
  avoid: { value: "a PATH", multiple: true, commands: ["connect", "fetch"] },
  prohibit: { value: "a PATH", multiple: true, commands: ["connect", "fetch"] },
  "stagger-interfaces": { commands: ["connect", "fetch"] },
  leak: { value: "never or fallback", commands: ["resolve", "connect", "fetch"] },
  request: { value: "a METHOD", commands: ["fetch"] },
  header: { value: "'Name: value'", multiple: true, commands: ["fetch"] },
  data: { value: "DATA or @FILE", commands: ["fetch"] },
  output: { value: "a FILE", commands: ["fetch"] },
  include: { commands: ["fetch"] },
  fail: { commands: ["fetch"] },
  cacert: { value: "a PEM FILE", multiple: true, commands: ["fetch", "check"] },
  "connect-timeout": { value: "SECONDS", commands: ["fetch"] },
  url: { value: "a URL", commands: ["check"] },
  timeout: { value: "SECONDS", commands: ["check"] },
  fresh: { commands: ["check"] },
  help: {},
  version: {},
};

/** A parsed command line. */
export interface Invocation {
  /** The command; "help" prints help (of `topic`), "version" the version. */
  readonly command: Command | "help" | "version";
  /** help: the command asked about, if any. */
  readonly topic?: Command;
  /** --platform, if given (or implied by --scenario, --resolv-conf, --lease-dir, --replay, --record). */
  readonly platform?: PlatformName;
  /** --scenario, if given. */
  readonly scenario?: string;
  /** --resolv-conf, if given. */
  readonly resolvConf?: string;
  /** Every --lease-dir given. */
  readonly leaseDirs?: readonly string[];
  /** --replay: the darwin platform reads captured outputs from this directory. */
  readonly replay?: string;
  /** --record: the darwin platform saves each tool's output into this directory. */
  readonly record?: string;
  /** --json. */
  readonly json: boolean;
  /** resolve: the name. */
  readonly name?: string;
  /** resolve, connect: every --pd, comma-separated lists split. */
  readonly pds?: readonly string[];
  /** resolve: --family, if given ("both": A and AAAA from every PD). */
  readonly family?: Family | "both";
  /** connect: the host name or IP literal. */
  readonly host?: string;
  /** connect: the TCP port, 1 to 65535. */
  readonly port?: number;
  /** connect: --from, canonicalised, if given. */
  readonly from?: string;
  /** connect: every --prefer, comma-separated lists split. */
  readonly prefer?: readonly string[];
  /** connect: every --avoid, comma-separated lists split. */
  readonly avoid?: readonly string[];
  /** connect: every --prohibit, comma-separated lists split. */
  readonly prohibit?: readonly string[];
  /** connect, fetch: false when --stagger-interfaces was given. */
  readonly parallelInterfaces?: boolean;
  /** resolve, connect, fetch: --leak, split DNS's fallback to the PDs a name is not routed to. */
  readonly leak?: LeakMode;
  /** fetch: the URL; check: --url, the probe; http: or https:. */
  readonly url?: string;
  /** fetch: -X, else POST with -d, else GET. */
  readonly method?: string;
  /** fetch: every -H, as [name, value]. */
  readonly headers?: readonly (readonly [string, string])[];
  /** fetch: -d, as given ("@FILE": the file's bytes). */
  readonly data?: string;
  /** fetch: -o, the file the body goes to. */
  readonly output?: string;
  /** fetch: -i, the status line and headers before the body. */
  readonly include?: boolean;
  /** fetch: --fail, a status >= 400 is a failure. */
  readonly fail?: boolean;
  /** fetch, check: every --cacert, a PEM file of CA certificates. */
  readonly caCertFiles?: readonly string[];
  /** fetch: every --require, comma-separated lists split. */
  readonly require?: readonly string[];
  /** fetch: --connect-timeout in milliseconds. */
  readonly connectTimeout?: number;
  /** check: --timeout, each probe's, in milliseconds. */
  readonly timeout?: number;
  /** check: --fresh, probe even where a kept result holds. */
  readonly fresh?: boolean;
}

/**
 * A usage error: the CLI prints its message on one line and exits 2. It
 * knows the command and --json when the command line said them.
 *
 * @example A typo in a command
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation, UsageError } from "./args.ts";
 * assert.throws(() => parseInvocation(["stauts"]), (error) => {
 *   assert(error instanceof UsageError);
 *   assert.match(error.message, /^unknown command "stauts"; did you mean "status"\?/);
 *   return true;
 * });
 * ```
 */
export class UsageError extends Error {
  override name = "UsageError";
  /** The command the line was for, when known. */
  command?: Command;
  /** Whether --json was given. */
  json = false;
  /** Whether the message should point to the help (it does not list the valid choices itself). */
  seeHelp = true;
}

/** The error, knowing the command and --json of the line it is about. */
function about(error: UsageError, command: string | undefined, json: boolean): UsageError {
  if ((COMMANDS as readonly string[]).includes(command ?? "")) error.command = command as Command;
  error.json = json;
  return error;
}

/** A usage error that lists the commands. */
function commandError(message: string): UsageError {
  const error = new UsageError(`${message} (commands: ${COMMANDS.join(", ")}, help)`);
  error.seeHelp = false;
  return error;
}

function unknownCommand(word: string): UsageError {
  return commandError(`unknown command "${word}"${didYouMean(word, [...COMMANDS, "help"])}`);
}

/** An option's values: its first, every one, whether given. */
type Values = ReadonlyMap<string, readonly string[] | true>;
const first = (values: Values, name: string) =>
  (values.get(name) as readonly string[] | undefined)?.[0];
const every = (values: Values, name: string) => values.get(name) as readonly string[] | undefined;

/**
 * Parses the arguments after the program name.
 *
 * @example `mif watch --json`, and `mif help connect`
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation } from "./args.ts";
 * assert.deepEqual(parseInvocation(["watch", "--json"]), { command: "watch", json: true });
 * assert.deepEqual(parseInvocation(["help", "connect"]), { command: "help", json: false, topic: "connect" });
 * ```
 * @param args Deno.args.
 * @returns What to do.
 * @throws {UsageError} For anything that is not a valid command line.
 */
export function parseInvocation(args: readonly string[]): Invocation {
  const { values, positionals, problem } = tokenize(expandShort(args), OPTIONS);
  const json = values.has("json");
  const [command, ...rest] = positionals;
  try {
    if (problem !== undefined) throw new UsageError(problem);
    return invocation(values, command, rest);
  } catch (error) {
    if (error instanceof UsageError) throw about(error, command, json);
    throw error;
  }
}

/** fetch's curl-style short options, and the long ones they stand for. */
const SHORT_OPTIONS: Readonly<Record<string, string>> = {
  X: "request",
  H: "header",
  d: "data",
  o: "output",
  i: "include",
};

/** `-X POST` as `--request POST`, `-XPOST` as `--request=POST` (up to a `--`). */
function expandShort(args: readonly string[]): string[] {
  const end = args.indexOf("--");
  return args.map((arg, i) => {
    const long = (end < 0 || i < end) && /^-[A-Za-z]/.test(arg) ? SHORT_OPTIONS[arg[1]] : undefined;
    if (long === undefined || arg.length === 2) return long === undefined ? arg : `--${long}`;
    return OPTIONS[long].value === undefined ? arg : `--${long}=${arg.slice(2)}`;
  });
}

/** `mif help [command]`, `mif [command] --help`, `mif --version`; undefined for other lines. */
function helpOrVersion(values: Values, command: string | undefined, rest: readonly string[]) {
  if (values.has("version")) return { command: "version", json: false } as const;
  if (!values.has("help") && command !== "help") return undefined;
  const topic = values.has("help") && command !== "help" ? command : rest[0];
  if (command === "help" && rest.length > 1) {
    throw new UsageError(`help: unexpected argument "${rest[1]}"`);
  }
  if (topic !== undefined && !(COMMANDS as readonly string[]).includes(topic)) {
    throw unknownCommand(topic);
  }
  return { command: "help", json: false, ...(topic ? { topic: topic as Command } : {}) } as const;
}

/** The command, with its positional arguments counted and its options allowed. */
function checkCommand(values: Values, command: string | undefined, rest: readonly string[]) {
  if (command === undefined) throw commandError("missing command");
  if (!Object.hasOwn(ARGUMENTS, command)) throw unknownCommand(command);
  const cmd = command as Command;
  const expected = ARGUMENTS[cmd];
  if (rest.length < expected.length) {
    throw new UsageError(`${cmd}: missing ${expected[rest.length]}`);
  }
  if (rest.length > expected.length) {
    throw new UsageError(`${cmd}: unexpected argument "${rest[expected.length]}"`);
  }
  for (const [name, spec] of Object.entries(OPTIONS)) {
    if (values.has(name) && spec.commands && !spec.commands.includes(cmd)) {
      throw new UsageError(`--${name} only applies to ${spec.commands.join(" and ")}`);
    }
  }
  return cmd;
}

/** The platform an option implies: sim for a scenario, linux or darwin for their own options. */
function impliedPlatform(options: PlatformOptions): PlatformName | undefined {
  if (options.scenario !== undefined) return "sim";
  if (options.resolvConf !== undefined || options.leaseDirs !== undefined) return "linux";
  if (options.replay !== undefined || options.record !== undefined) return "darwin";
  return undefined;
}

/** --platform and the options of one platform, checked together. */
function platformOptions(
  values: Values,
): Pick<Invocation, "platform" | "scenario" | "resolvConf" | "leaseDirs" | "replay" | "record"> {
  const platform = first(values, "platform");
  if (platform !== undefined && !(PLATFORM_NAMES as readonly string[]).includes(platform)) {
    throw new UsageError(
      `--platform must be one of ${PLATFORM_NAMES.join(", ")}, got "${platform}"${
        didYouMean(platform, PLATFORM_NAMES)
      }`,
    );
  }
  const scenario = first(values, "scenario");
  const resolvConf = first(values, "resolv-conf"), leaseDirs = every(values, "lease-dir");
  const replay = first(values, "replay"), record = first(values, "record");
  const given = { scenario, resolvConf, leaseDirs, replay, record };
  // An option of one platform implies it (the first named, if several; the check below then fails).
  const chosen = (platform as PlatformName | undefined) ?? impliedPlatform(given);
  switch (chosen && misplacedOption(chosen, given)) {
    case "scenario":
      throw new UsageError("--scenario only applies to --platform sim");
    case "linux-paths":
      throw new UsageError("--resolv-conf and --lease-dir only apply to --platform linux");
    case "darwin-captures":
      throw new UsageError("--replay and --record only apply to --platform darwin");
  }
  if (replay !== undefined && record !== undefined) {
    throw new UsageError("--replay and --record exclude each other");
  }
  return {
    ...(chosen === undefined ? {} : { platform: chosen as PlatformName }),
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  };
}

function invocation(values: Values, command: string | undefined, rest: readonly string[]) {
  const help = helpOrVersion(values, command, rest);
  if (help !== undefined) return help;
  const cmd = checkCommand(values, command, rest);
  const family = first(values, "family");
  if (family !== undefined && !FAMILIES.includes(family)) {
    throw new UsageError(
      `--family must be ipv4, ipv6 or both, got "${family}"${didYouMean(family, FAMILIES)}`,
    );
  }
  const pds = paths("pd", every(values, "pd"));
  const leak = first(values, "leak");
  if (leak !== undefined && !(LEAK_MODES as readonly string[]).includes(leak)) {
    throw new UsageError(
      `--leak must be never or fallback, got "${leak}"${didYouMean(leak, LEAK_MODES)}`,
    );
  }
  const result: Invocation = {
    command: cmd,
    json: values.has("json"),
    ...platformOptions(values),
    ...(cmd === "resolve" ? { name: checkName("resolve: NAME", rest[0]) } : {}),
    ...(pds === undefined ? {} : { pds }),
    ...(family === undefined ? {} : { family: family as Invocation["family"] }),
    ...(leak === undefined ? {} : { leak: leak as LeakMode }),
    ...(cmd === "connect" ? connectArguments(rest, values) : {}),
    ...(cmd === "fetch" ? fetchArguments(rest[0], values) : {}),
    ...(cmd === "check" ? checkArguments(values) : {}),
  };
  return result;
}

/** A name to translate: an IP literal, or a name the PD workers would send (toDnsName). */
function checkName(what: string, name: string): string {
  if (name === "") throw new UsageError(`${what} must not be empty`);
  if (canonicalIp(name) !== undefined) return name;
  const check = toDnsName(name);
  if (!check.ok) throw new UsageError(`${what} "${name}" ${check.problem}`);
  return name;
}

/** Every value of a repeatable option, comma-separated lists split. */
function paths(option: string, given: readonly string[] | undefined): string[] | undefined {
  const list = given?.flatMap((v) => v.split(",")).map((v) => v.trim());
  if (list?.includes("")) {
    throw new UsageError(
      option === "pd"
        ? "--pd needs a PD id (or several, comma-separated)"
        : `--${option} needs a PD id, interface id or interface type`,
    );
  }
  return list;
}

/** --from, --require, --prefer, --avoid, --prohibit and --stagger-interfaces (connect, fetch). */
function pathArguments(
  values: Values,
): Pick<Invocation, "from" | "require" | "prefer" | "avoid" | "prohibit" | "parallelInterfaces"> {
  const given = first(values, "from");
  const from = given === undefined ? undefined : canonicalIp(given);
  if (given !== undefined && from === undefined) {
    throw new UsageError(`--from must be an IP address, got "${given}"`);
  }
  const result: Record<string, unknown> = from === undefined ? {} : { from };
  for (const name of ["require", "prefer", "avoid", "prohibit"] as const) {
    const list = paths(name, every(values, name));
    if (list !== undefined) result[name] = list;
  }
  if (values.has("stagger-interfaces")) result.parallelInterfaces = false;
  return result;
}

/** Checks connect's HOST and PORT, and the path options. */
function connectArguments(
  [host, port]: readonly string[],
  values: Values,
): Pick<
  Invocation,
  "host" | "port" | "from" | "prefer" | "avoid" | "prohibit" | "parallelInterfaces"
> {
  checkName("connect: HOST", host);
  const number = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(number >= 1 && number <= 65535)) {
    throw new UsageError(`connect: PORT must be a number from 1 to 65535, got "${port}"`);
  }
  return { host, port: number, ...pathArguments(values) };
}

/**
 * A header as -H gives it, "Name: value" (the value trimmed, possibly
 * empty), checked as the Headers API checks it.
 *
 * @example A header, and one without a colon
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHeader, UsageError } from "./args.ts";
 * assert.deepEqual(parseHeader("Accept:  text/plain "), ["Accept", "text/plain"]);
 * assert.throws(() => parseHeader("Accept text/plain"), UsageError);
 * ```
 * @param line The -H value.
 * @returns The name and value.
 * @throws {UsageError} Without a colon, or for a name or value HTTP does not allow.
 */
export function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(":");
  const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  if (colon < 0 || name === "") {
    throw new UsageError(`-H needs a header as "Name: value", got "${line}"`);
  }
  try {
    new Headers([[name, value]]);
  } catch {
    throw new UsageError(`-H "${line}" is no valid HTTP header`);
  }
  return [name, value];
}

/** An HTTP method: a token (RFC 9110 §9.1). */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** An absolute http: or https: URL with a host name mif can translate; its href. */
function httpUrl(what: string, url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || !["http:", "https:"].includes(parsed.protocol)) {
    throw new UsageError(`${what} must be an absolute http: or https: URL, got "${url}"`);
  }
  checkName(`${what}'s host`, parsed.hostname.replace(/^\[(.*)\]$/, "$1"));
  return parsed.href;
}

/** A number of seconds (--connect-timeout, --timeout) in milliseconds, at least 1. */
function milliseconds(option: string, given: string): number {
  const ms = /^[0-9]+(\.[0-9]+)?$/.test(given) ? Math.round(Number(given) * 1000) : NaN;
  if (!(ms >= 1 && ms <= 0x7fffffff)) {
    throw new UsageError(`--${option} must be a number of seconds, got "${given}"`);
  }
  return ms;
}

/** Checks check's --url, --timeout, --fresh and --cacert. */
function checkArguments(values: Values): Partial<Invocation> {
  const url = first(values, "url"), timeout = first(values, "timeout");
  const caCertFiles = every(values, "cacert");
  return {
    ...(url === undefined ? {} : { url: httpUrl("--url", url) }),
    ...(timeout === undefined ? {} : { timeout: milliseconds("timeout", timeout) }),
    ...(values.has("fresh") ? { fresh: true } : {}),
    ...(caCertFiles === undefined ? {} : { caCertFiles }),
  };
}

/** Checks fetch's URL, -X, -H, -d, -o, -i, --fail, --cacert, --connect-timeout, path options. */
function fetchArguments(url: string, values: Values): Partial<Invocation> {
  const href = httpUrl("fetch: URL", url);
  const data = first(values, "data"), output = first(values, "output");
  const method = first(values, "request") ?? (data === undefined ? "GET" : "POST");
  if (!METHOD.test(method)) throw new UsageError(`-X must be an HTTP method, got "${method}"`);
  const timeout = first(values, "connect-timeout");
  const ms = timeout === undefined ? undefined : milliseconds("connect-timeout", timeout);
  if (output === "") throw new UsageError("-o needs a FILE");
  const headers = every(values, "header")?.map(parseHeader);
  const caCertFiles = every(values, "cacert");
  return {
    url: href,
    method,
    ...(headers === undefined ? {} : { headers }),
    ...(data === undefined ? {} : { data }),
    ...(output === undefined ? {} : { output }),
    ...(values.has("include") ? { include: true } : {}),
    ...(values.has("fail") ? { fail: true } : {}),
    ...(caCertFiles === undefined ? {} : { caCertFiles }),
    ...(ms === undefined ? {} : { connectTimeout: ms }),
    ...pathArguments(values),
  };
}
