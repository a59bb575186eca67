/**
 * Reads a macOS capture from tests/testdata/darwin/. Each file starts with a
 * header saying where the output was published (source, date, macOS
 * version, what the source cut or edited, licence), then a line
 * `---8<--- capture`, then the output byte for byte as the source shows it.
 *
 * @module
 */

import { CAPTURE_MARKER, captureOutput } from "../../../platform/captured_tools.ts";

/** The directory of the captures. */
export const CAPTURES = new URL("../../testdata/darwin/", import.meta.url);

/**
 * The captured output of a fixture file: everything after its marker line.
 *
 * @example A capture's text
 * ```ts ignore
 * import { readCapture } from "./capture.ts";
 * const text = await readCapture("scutil_dns_vpn_split_1.txt");
 * ```
 * @param name The file's name in tests/testdata/darwin/.
 * @returns The output.
 * @throws {SyntaxError} When the file has no marker line.
 */
export async function readCapture(name: string): Promise<string> {
  const text = await Deno.readTextFile(new URL(name, CAPTURES));
  if (!text.includes(`\n${CAPTURE_MARKER}`)) {
    throw new SyntaxError(`Cannot read capture ${name}: no "---8<--- capture" line`);
  }
  return captureOutput(text);
}
