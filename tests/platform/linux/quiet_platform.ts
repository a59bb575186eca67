/**
 * A LinuxPlatform for tests that reads the real kernel but no host
 * configuration: resolv.conf from the test's temp dir, no lease files, and
 * monitors that print nothing unless the test gives its own.
 *
 * @module
 */

import {
  LinuxPlatform,
  type LinuxPlatformOptions,
} from "../../../platform/linux/linux_platform.ts";

/**
 * The platform over `dir` (which holds the test's resolv.conf).
 *
 * @param dir The test's temp dir.
 * @param options What the test sets itself (lease dirs, monitor, steps).
 * @returns The platform, not started.
 */
export function quietPlatform(
  dir: string,
  options: LinuxPlatformOptions & { readonly leaseDirs?: readonly string[] } = {},
): LinuxPlatform {
  const { leaseDirs = [], ...rest } = options;
  return new LinuxPlatform({
    paths: {
      resolvConf: `${dir}/resolv.conf`,
      leaseDirs,
      networkdLeases: `${dir}/no-networkd`,
      dhcpcdLeases: `${dir}/no-dhcpcd`,
    },
    monitorCommand: ["sleep", "3600"],
    neighbourCommand: ["sleep", "3600"],
    ...rest,
  });
}
