/**
 * What the real-network test bed needs, and installing it: Linux, root, and
 * iproute2, dnsmasq, dhclient, rdisc6 and sysctl from Debian's packages
 * (installed with apt-get when missing). With CI=true a missing
 * prerequisite fails the run instead of skipping it.
 */

/** Programs the test bed runs, and the Debian package of each. */
export const PROGRAMS: Readonly<Record<string, string>> = {
  ip: "iproute2",
  dnsmasq: "dnsmasq-base",
  dhclient: "isc-dhcp-client",
  rdisc6: "ndisc6",
  sysctl: "procps",
};

const PATH_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function installed(program: string): boolean {
  return PATH_DIRS.some((dir) => {
    try {
      return Deno.statSync(`${dir}/${program}`).isFile;
    } catch {
      return false;
    }
  });
}

async function apt(args: string[]): Promise<void> {
  const out = await new Deno.Command("apt-get", {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(`Cannot run apt-get ${args.join(" ")}: exit code ${out.code} (${err})`);
  }
}

/**
 * Checks the test bed's prerequisites, installing missing packages as root.
 *
 * @returns undefined when the test bed can run, else why not.
 */
export async function testbedUnavailable(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "the test bed needs Linux network namespaces";
  if (Deno.uid() !== 0) return "the test bed needs root for network namespaces";
  const missing = Object.keys(PROGRAMS).filter((p) => !installed(p));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((p) => PROGRAMS[p]))];
  try {
    await apt(["update", "-qq"]);
    await apt(["install", "-y", "-qq", "--no-install-recommends", ...packages]);
  } catch (error) {
    return `missing ${missing.join(", ")}, and installing ${packages.join(" ")} failed: ${
      (error as Error).message
    }`;
  }
  const still = Object.keys(PROGRAMS).filter((p) => !installed(p));
  return still.length ? `missing ${still.join(", ")} after installing` : undefined;
}

/**
 * Registers a test that needs the test bed: skipped with the reason in its
 * name when the test bed cannot run, or failing instead when CI=true.
 *
 * @param name The test's name.
 * @param unavailable The reason from {@linkcode testbedUnavailable}.
 * @param fn The test.
 */
export function testbedTest(
  name: string,
  unavailable: string | undefined,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  const ci = Deno.env.get("CI") === "true";
  if (unavailable && ci) {
    Deno.test(name, () => {
      throw new Error(`Cannot run the test bed in CI: ${unavailable}`);
    });
    return;
  }
  Deno.test({
    name: unavailable ? `${name} (skipped: ${unavailable})` : name,
    ignore: unavailable !== undefined,
    fn,
  });
}
