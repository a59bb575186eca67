/**
 * Chooses and opens a platform. The choice by operating system is made here
 * and nowhere else.
 *
 * @module
 */

import { type Platform, PLATFORM_NAMES, type PlatformName } from "./types.ts";

/** Options for {@linkcode openPlatform}. */
export interface PlatformOptions {
  /** Scenario file for the sim platform (default: the bundled laptop). */
  readonly scenario?: string | URL;
  /** Linux: the resolver configuration file (default /etc/resolv.conf). */
  readonly resolvConf?: string;
  /**
   * Linux: more directories holding dhclient lease files and mif dhclient
   * hook records, besides /var/lib/dhcp, /var/lib/dhclient and /run/mif/dhclient.
   */
  readonly leaseDirs?: readonly string[];
  /**
   * macOS: a directory of captured tool outputs to read instead of running
   * the tools (captured_tools.ts); nothing is followed live. Works on any OS.
   */
  readonly replay?: string;
  /** macOS: a directory to save each tool's output into, for replay elsewhere. */
  readonly record?: string;
  /** Aborts opening. */
  readonly signal?: AbortSignal;
}

type Opener = (options: PlatformOptions) => Promise<Platform>;

/** Each platform's module is loaded only when it is opened: a process loads one of them. */
const OPENERS: Readonly<Record<PlatformName, Opener>> = {
  sim: async (options) => {
    const { loadScenario, SimPlatform } = await import("./sim/sim_platform.ts");
    return new SimPlatform(await loadScenario(options.scenario, { signal: options.signal }));
  },
  linux: async (options) => {
    const { LinuxPlatform } = await import("./linux/linux_platform.ts");
    const { DEFAULT_SOURCE_PATHS } = await import("./linux/config_sources.ts");
    return new LinuxPlatform({
      paths: {
        ...(options.resolvConf !== undefined ? { resolvConf: options.resolvConf } : {}),
        ...(options.leaseDirs !== undefined
          ? { leaseDirs: [...DEFAULT_SOURCE_PATHS.leaseDirs, ...options.leaseDirs] }
          : {}),
      },
    });
  },
  darwin: async (options) => {
    if (options.replay === undefined && Deno.build.os !== "darwin") {
      throw new Deno.errors.NotSupported(
        `Cannot open platform "darwin": this is ${Deno.build.os}, not macOS (--replay DIR reads a Mac's captured outputs anywhere)`,
      );
    }
    const { DarwinPlatform } = await import("./darwin/darwin_platform.ts");
    const { recordTools, replayTools } = await import("./captured_tools.ts");
    const { runTool } = await import("./run_tool.ts");
    if (options.replay !== undefined) {
      return new DarwinPlatform({
        run: replayTools(options.replay),
        monitorCommand: null,
        notifyCommand: null,
        description: `a Mac's captured outputs in ${options.replay}`,
      });
    }
    if (options.record === undefined) return new DarwinPlatform();
    const run = recordTools(runTool, options.record);
    // The recording names its macOS version (sw_vers); the platform itself does not need it,
    // and a failure is in the recording too.
    await run(["sw_vers"], { signal: options.signal }).catch(() => {});
    return new DarwinPlatform({ run });
  },
};

/**
 * The platform for this operating system ("linux" on Linux, "darwin" on
 * macOS), or "sim" where mif has no real platform yet.
 *
 * @example Which platform openMif() uses here
 * ```ts
 * import { defaultPlatformName, PLATFORM_NAMES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const name = defaultPlatformName(); // "linux" on Linux, "darwin" on macOS, else "sim"
 * assert.ok(PLATFORM_NAMES.includes(name));
 * if (Deno.build.os === "linux" || Deno.build.os === "darwin") assert.equal(name, Deno.build.os);
 * ```
 *
 * @returns A platform name.
 */
export function defaultPlatformName(): PlatformName {
  const os = Deno.build.os as string;
  return os === "linux" || os === "darwin" ? os : "sim";
}

/**
 * Which of a platform's options belong to another platform: a `scenario`
 * (sim only), `resolvConf`/`leaseDirs` (linux only) or `replay`/`record`
 * (darwin only). The one statement of that rule; openPlatform() and the CLI
 * phrase it their own way.
 *
 * @example A scenario on linux
 * ```ts
 * import { misplacedOption } from "./select.ts";
 * import assert from "node:assert/strict";
 * assert.equal(misplacedOption("linux", { scenario: "s.json" }), "scenario");
 * assert.equal(misplacedOption("sim", { resolvConf: "/tmp/r" }), "linux-paths");
 * assert.equal(misplacedOption("linux", { replay: "captures/" }), "darwin-captures");
 * assert.equal(misplacedOption("sim", { scenario: "s.json" }), undefined);
 * ```
 * @param name The platform.
 * @param options Its options.
 * @returns The misplaced option, or undefined.
 */
export function misplacedOption(
  name: PlatformName,
  options: PlatformOptions,
): "scenario" | "linux-paths" | "darwin-captures" | undefined {
  if (name !== "sim" && options.scenario !== undefined) return "scenario";
  if (name !== "linux" && (options.resolvConf !== undefined || options.leaseDirs !== undefined)) {
    return "linux-paths";
  }
  if (name !== "darwin" && (options.replay !== undefined || options.record !== undefined)) {
    return "darwin-captures";
  }
  return undefined;
}

/**
 * Opens a platform by name.
 *
 * @param name The platform.
 * @param options Platform options.
 * @returns The platform, not yet started.
 * @throws {TypeError} For an unknown name, an option of another platform,
 *   or both replay and record.
 * @throws {Deno.errors.NotSupported} For darwin on another OS without `replay`.
 */
export function openPlatform(name: PlatformName, options: PlatformOptions = {}): Promise<Platform> {
  if (!(PLATFORM_NAMES as readonly string[]).includes(name)) {
    throw new TypeError(
      `Cannot open platform "${name}": expected one of ${PLATFORM_NAMES.join(", ")}`,
    );
  }
  switch (misplacedOption(name, options)) {
    case "scenario":
      throw new TypeError(
        `Cannot open platform "${name}": a scenario only applies to the sim platform`,
      );
    case "linux-paths":
      throw new TypeError(
        `Cannot open platform "${name}": resolvConf and leaseDirs only apply to the linux platform`,
      );
    case "darwin-captures":
      throw new TypeError(
        `Cannot open platform "${name}": replay and record only apply to the darwin platform`,
      );
  }
  if (options.replay !== undefined && options.record !== undefined) {
    throw new TypeError(`Cannot open platform "${name}": replay and record exclude each other`);
  }
  return OPENERS[name](options);
}

/** The signals that ask a long-running command to stop on this OS. */
export const TERMINATION_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];
