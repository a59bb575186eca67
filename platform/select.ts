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
  /** Aborts opening. */
  readonly signal?: AbortSignal;
}

type Opener = (options: PlatformOptions) => Promise<Platform>;

/** Each platform's module is loaded only when it is opened: a process loads one of them. */
const OPENERS: Readonly<Partial<Record<PlatformName, Opener>>> = {
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
};

/**
 * The platform for this operating system ("linux" on Linux), or "sim"
 * where mif has no real platform yet.
 *
 * @example Which platform openMif() uses here
 * ```ts
 * import { defaultPlatformName, PLATFORM_NAMES } from "@mif/mif";
 * import assert from "node:assert/strict";
 * const name = defaultPlatformName(); // "linux" on Linux, else "sim" until darwin lands
 * assert.ok(PLATFORM_NAMES.includes(name));
 * if (Deno.build.os === "linux") assert.equal(name, "linux");
 * ```
 *
 * @returns A platform name.
 */
export function defaultPlatformName(): PlatformName {
  const os = Deno.build.os as string;
  return (PLATFORM_NAMES as readonly string[]).includes(os) && OPENERS[os as PlatformName]
    ? os as PlatformName
    : "sim";
}

/**
 * Which of a platform's options belong to another platform: a `scenario`
 * (sim only), or `resolvConf`/`leaseDirs` (linux only). The one statement
 * of that rule; openPlatform() and the CLI phrase it their own way.
 *
 * @example A scenario on linux
 * ```ts
 * import { misplacedOption } from "./select.ts";
 * import assert from "node:assert/strict";
 * assert.equal(misplacedOption("linux", { scenario: "s.json" }), "scenario");
 * assert.equal(misplacedOption("sim", { resolvConf: "/tmp/r" }), "linux-paths");
 * assert.equal(misplacedOption("sim", { scenario: "s.json" }), undefined);
 * ```
 * @param name The platform.
 * @param options Its options.
 * @returns The misplaced option, or undefined.
 */
export function misplacedOption(
  name: PlatformName,
  options: PlatformOptions,
): "scenario" | "linux-paths" | undefined {
  if (name !== "sim" && options.scenario !== undefined) return "scenario";
  if (name !== "linux" && (options.resolvConf !== undefined || options.leaseDirs !== undefined)) {
    return "linux-paths";
  }
  return undefined;
}

/**
 * Opens a platform by name.
 *
 * @param name The platform.
 * @param options Platform options.
 * @returns The platform, not yet started.
 * @throws {TypeError} For an unknown name, or an option of another platform.
 * @throws {Deno.errors.NotSupported} For a platform not implemented yet.
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
  }
  const open = OPENERS[name];
  if (!open) {
    throw new Deno.errors.NotSupported(
      `Cannot open platform "${name}": it is not implemented yet (use --platform sim)`,
    );
  }
  return open(options);
}

/** The signals that ask a long-running command to stop on this OS. */
export const TERMINATION_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];
