/**
 * Files the command line names, read before anything is asked: a file that
 * is not there is a usage error, never a failure halfway through.
 *
 * @module
 */

import { UsageError } from "./args.ts";

/**
 * Reads a file named on the command line; a missing file or a directory is
 * a usage error naming `what`.
 *
 * @example A file that is not there
 * ```ts
 * import { readInput } from "./inputs.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   readInput("--cacert /no/such.pem", () => Deno.readTextFile("/no/such.pem")),
 *   /--cacert \/no\/such\.pem: no such file/,
 * );
 * ```
 */
export async function readInput<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`${what}: no such file`);
    if (error instanceof Deno.errors.IsADirectory) throw new UsageError(`${what}: not a file`);
    throw error;
  }
}

/**
 * Reads --cacert's files (PEM); a file without a certificate is a usage error.
 *
 * @example No files, no certificates
 * ```ts
 * import { readCaCerts } from "./inputs.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await readCaCerts([]), []);
 * ```
 */
export async function readCaCerts(files: readonly string[]): Promise<string[]> {
  const caCerts: string[] = [];
  for (const file of files) {
    const pem = await readInput(`--cacert ${file}`, () => Deno.readTextFile(file));
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new UsageError(`--cacert ${file}: no PEM certificate in it`);
    }
    caCerts.push(pem);
  }
  return caCerts;
}
