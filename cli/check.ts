/**
 * `mif check`: the library's checkConnectivity() from the command line. It
 * probes every PD at once (or those --pd names) with an HTTP request
 * through that PD alone and prints one line per PD: full, captive-portal
 * (with where the portal sends the user), limited or none; with --json one
 * report. Exit 0 when at least one PD has full connectivity, else 1.
 *
 * @module
 */

import {
  checkConnectivity,
  type ConnectivityOptions,
  type PdConnectivity,
} from "../fetch/connectivity_check.ts";
import { DEFAULT_CHECK_URL } from "../fetch/check_url.ts";
import { type Invocation, UsageError } from "./args.ts";
import { type CheckReport, checkReport, failedCheckReport, formatResults } from "./check_report.ts";
import { exitStatus } from "./exit.ts";
import { readCaCerts } from "./inputs.ts";
import { print } from "./run.ts";
import { withMif } from "./with_mif.ts";

/** The environment variable naming the probe when --url does not. */
const CHECK_URL_VARIABLE = "MIF_CHECK_URL";

/**
 * The probe: --url, else $MIF_CHECK_URL when mif may read it (no prompt:
 * --allow-env=MIF_CHECK_URL), else the library's DEFAULT_CHECK_URL.
 */
function probeUrl(invocation: Invocation): string {
  if (invocation.url !== undefined) return invocation.url;
  const permission = { name: "env", variable: CHECK_URL_VARIABLE } as const;
  if (Deno.permissions.querySync(permission).state !== "granted") return DEFAULT_CHECK_URL;
  const url = Deno.env.get(CHECK_URL_VARIABLE);
  if (!url) return DEFAULT_CHECK_URL;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== "http:" && parsed?.protocol !== "https:") {
    throw new UsageError(
      `$${CHECK_URL_VARIABLE} must be an absolute http: or https: URL, got "${url}"`,
    );
  }
  return parsed.href;
}

/** Checks every PD, or each --pd (once each, in the order given). */
async function probe(invocation: Invocation, options: ConnectivityOptions) {
  const pds = invocation.pds;
  let found: PdConnectivity[];
  try {
    found = pds === undefined
      ? await checkConnectivity(options)
      : (await Promise.all([...new Set(pds)].map((pd) => checkConnectivity({ ...options, pd }))))
        .flat();
  } catch (error) {
    // checkConnectivity()'s own check of its options: a PD gone since checkPaths, the URL.
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  return checkReport(options.url!, found);
}

/** Prints the report (--json), or one line per PD and the error on stderr; the exit status. */
async function show(invocation: Invocation, report: CheckReport): Promise<number> {
  if (invocation.json) await print(JSON.stringify(report, null, 2));
  else if (report.results.length > 0) await print(formatResults(report.results).join("\n"));
  if (report.error !== null) console.error(`mif: ${report.error}`);
  return exitStatus(report.reason);
}

/**
 * Runs `mif check`.
 *
 * @example A --cacert file that is not there is a usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInvocation, UsageError } from "./args.ts";
 * import { checkCommand } from "./check.ts";
 * const line = ["check", "--platform", "sim", "--cacert", "/no/such/ca.pem"];
 * await assert.rejects(checkCommand(parseInvocation(line)), UsageError);
 * ```
 * @param invocation The command line (command "check").
 * @returns 0 when at least one PD has full connectivity; 1 when none has,
 *   there is no PD to check, it was interrupted, or the platform could not be opened.
 * @throws {UsageError} For a --pd naming no PD, a --cacert file that is not there, a bad $MIF_CHECK_URL.
 */
export async function checkCommand(invocation: Invocation): Promise<number> {
  const url = probeUrl(invocation);
  const interrupted = failedCheckReport(
    url,
    "interrupted",
    "Cannot check connectivity: interrupted",
  );
  return await withMif(invocation, {
    prepare: () => readCaCerts(invocation.caCertFiles ?? []),
    run: (mif, caCerts, signal) =>
      probe(invocation, {
        mif,
        url,
        caCerts,
        signal,
        fresh: invocation.fresh ?? false,
        ...(invocation.timeout === undefined ? {} : { timeout: invocation.timeout }),
      }),
    interrupted,
    platformFailed: (detail) => failedCheckReport(url, "platform-failed", detail),
    show: (report) => show(invocation, report),
  });
}
