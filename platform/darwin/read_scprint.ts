/**
 * Reads the text `SCPrint` makes of a CFDictionary, as `ipconfig getsummary`
 * prints it (apple-oss-distributions/bootp ipconfig.tproj/client.c
 * S_get_summary() L487). Its multi-line strings (RTADV ›
 * RouterAdvertisement, DHCP › Packet, DHCPv6 › Packet) print raw, breaking
 * the indentation (IPConfiguration.bproj/rtadv.c rtadv_provide_summary()
 * L1780-1806, DHCPv6Client.c DHCPv6ClientProvideSummary() L957-1024).
 *
 * @module
 */

/** An SCPrint value: a string, an array or a dictionary. */
export type ScValue = string | readonly ScValue[] | { readonly [key: string]: ScValue };

/** An SCPrint dictionary. */
export type ScDictionary = { readonly [key: string]: ScValue };

type Container =
  | { kind: "dict"; value: Record<string, ScValue>; indent: number }
  | { kind: "array"; value: ScValue[]; indent: number };

const SC_KEY = /^\s*([A-Za-z0-9_.-]+) :(?: (.*))?$/;

function put(c: Container, key: string, value: ScValue): void {
  if (c.kind === "dict") c.value[key] = value;
  else c.value.push(value);
}

/** A string value being read, with the setter that stores its final text. */
interface Pending {
  text: string;
  readonly set: (text: string) => void;
}

function open(top: Container, key: string, value: string, at: number): Container | Pending {
  if (value === "<dictionary> {" || value === "<array> {") {
    const child: Container = value === "<array> {"
      ? { kind: "array", value: [], indent: at }
      : { kind: "dict", value: {}, indent: at };
    put(top, key, child.value);
    return child;
  }
  put(top, key, value);
  const index = top.kind === "array" ? top.value.length - 1 : key;
  const set = (text: string) => {
    if (top.kind === "array") top.value[index as number] = text;
    else top.value[index] = text;
  };
  return { text: value, set };
}

const indent = (line: string) => line.length - line.trimStart().length;

/**
 * Reads an SCPrint dictionary. SCPrint indents two blanks per level and
 * closes a container with `}` at the indent of the line that opened it;
 * every other line continues the last string value (multi-line strings
 * print raw, so an embedded DHCPv6 packet's own `}` is not a closing brace).
 * A multi-line string loses its trailing blanks and newlines.
 *
 * @example A dictionary with an array and a multi-line string
 * ```ts
 * import { parseScPrint } from "./read_scprint.ts";
 * import assert from "node:assert/strict";
 * const tree = parseScPrint([
 *   "<dictionary> {",
 *   "  Addresses : <array> {",
 *   "    0 : 198.51.100.7",
 *   "  }",
 *   "  Packet : op = BOOTREPLY",
 *   "htype = 1",
 *   "",
 *   "  State : BOUND",
 *   "}",
 * ].join("\n"), "ipconfig getsummary");
 * assert.deepEqual(tree, {
 *   Addresses: ["198.51.100.7"],
 *   Packet: "op = BOOTREPLY\nhtype = 1",
 *   State: "BOUND",
 * });
 * assert.throws(() => parseScPrint("State : BOUND", "ipconfig getsummary"), SyntaxError);
 * ```
 * @param text The output.
 * @param command The command named in errors.
 * @returns The root dictionary.
 * @throws {SyntaxError} When the text is not an SCPrint dictionary: no `<dictionary> {` first, a stray line, or an unclosed container.
 */
export function parseScPrint(text: string, command: string): ScDictionary {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0 || lines[first].trim() !== "<dictionary> {") {
    throw new SyntaxError(`Cannot parse ${command} output: no "<dictionary> {", line ${first + 1}`);
  }
  const root: Container = { kind: "dict", value: {}, indent: indent(lines[first]) };
  const stack: Container[] = [root];
  let last: Pending | undefined;
  for (let i = first + 1; i < lines.length && stack.length > 0; i++) {
    const top = stack.at(-1)!;
    const closes = lines[i].trim() === "}" && indent(lines[i]) === top.indent;
    const m = SC_KEY.exec(lines[i]);
    const key = m && (last === undefined || indent(lines[i]) === top.indent + 2) ? m : undefined;
    if (closes || key) {
      last?.set(last.text.replace(/\s+$/, ""));
      last = undefined;
    }
    if (closes) stack.pop();
    else if (key) {
      const opened = open(top, key[1], (key[2] ?? "").trim(), indent(lines[i]));
      if ("kind" in opened) stack.push(opened);
      else last = opened;
    } else if (last) last.text += `\n${lines[i]}`;
    else if (lines[i].trim() !== "") {
      throw new SyntaxError(`Cannot parse ${command} output: stray line ${i + 1}`);
    }
  }
  if (stack.length > 0) {
    throw new SyntaxError(
      `Cannot parse ${command} output: unclosed dictionary, line ${lines.length}`,
    );
  }
  return root.value;
}
