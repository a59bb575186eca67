/**
 * The sockaddr values line of a `route -n monitor` message
 * (network_cmds-741.100.2 route.tproj/route.c): pmsg_addrs() (L1890-1912)
 * prints `sockaddrs: <DST,GATEWAY,...>` then one line with ` <value>` per
 * sockaddr in bit order (an empty value prints nothing, so two blanks in a
 * row). routename() (L437-540) prints "default" for an empty sockaddr or
 * 0.0.0.0, addresses numerically with -n, AF_LINK as link_ntoa()
 * (`en5:40.a5.ef.41.9f.fb`, `ipsec0`, or nothing) before
 * network_cmds-705.100.5 and `index: N <link_ntoa>` since (L524-528), and
 * other families raw as `(family) hex hex ...`.
 *
 * @module
 */

/** The sockaddr names of route.c addrnames[], as keys of a RouteMessage's addresses. */
const ADDRESS_KEYS: Record<string, string> = {
  DST: "destination",
  GATEWAY: "gateway",
  NETMASK: "netmask",
  GENMASK: "genmask",
  IFP: "ifp",
  IFA: "ifa",
  AUTHOR: "author",
  BRD: "brd",
};

/** One sockaddr value per name, from the tokens of the values line. */
function splitValues(names: readonly string[], line: string, n: number): string[] {
  const tokens = line.replace(/\t/g, " ").replace(/^ /, "").split(" ");
  const values: string[] = [];
  let t = 0;
  for (let k = 0; k < names.length; k++) {
    const left = names.length - k - 1;
    const token = tokens[t];
    let end = t + 1;
    if (token === "index:") end = t + 3; // `index: N <link_ntoa>` (network_cmds-705 on)
    else if (token !== undefined && /^\(\d+\)$/.test(token)) {
      // `(family) hex hex ...`: as many hex words as leave one token per later value.
      while (
        end < tokens.length && tokens.length - end > left && /^[0-9a-f]{1,4}$/.test(tokens[end])
      ) end++;
    }
    values.push(tokens.slice(t, end).join(" ")); // "" past the end: trailing blanks stripped
    t = Math.min(end, tokens.length);
  }
  if (tokens.slice(t).some((x) => x !== "")) {
    throw new SyntaxError(
      `Cannot parse route monitor output: more values than sockaddrs <${names}>, line ${n}`,
    );
  }
  return values;
}

/**
 * Reads the values line that follows `sockaddrs: <names>`.
 *
 * @example A new address: netmask, interface, address, broadcast
 * ```ts
 * import { readSockaddrs } from "./route_sockaddrs.ts";
 * import assert from "node:assert/strict";
 * const names = ["NETMASK", "IFP", "IFA", "BRD"];
 * assert.deepEqual(readSockaddrs(names, " 255.255.255.0 index: 4 en0:a4.83.e7.1.2.3 198.51.100.7", 9), {
 *   netmask: "255.255.255.0", ifp: "index: 4 en0:a4.83.e7.1.2.3", ifa: "198.51.100.7", brd: "",
 * });
 * assert.throws(() => readSockaddrs(["DST"], " default default", 9), /more values than sockaddrs <DST>, line 9/);
 * ```
 * @param names The names between `<` and `>`, in order ("DST", "GATEWAY", ...).
 * @param line The values line.
 * @param lineNumber Its line number, for errors.
 * @returns The values by key: destination, gateway, netmask, genmask, ifp, ifa, author, brd (else the name in lower case).
 * @throws {SyntaxError} When the line has more values than names.
 */
export function readSockaddrs(
  names: readonly string[],
  line: string,
  lineNumber: number,
): Record<string, string> {
  const values = splitValues(names, line.replace(/^\s*(?= )/, ""), lineNumber);
  return Object.fromEntries(
    names.map((name, i) => [ADDRESS_KEYS[name] ?? name.toLowerCase(), values[i]]),
  );
}

/**
 * The interface a link sockaddr names: `index: N <link_ntoa>` (network_cmds-705
 * on) or a bare link_ntoa (`en0:a4.83.e7.1.2.3`, `ipsec0`).
 *
 * @example Both forms
 * ```ts
 * import { linkOf } from "./route_sockaddrs.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(linkOf("index: 4 en0:a4.83.e7.1.2.3"), { index: 4, name: "en0" });
 * assert.deepEqual(linkOf("index: 13"), { index: 13 });
 * assert.deepEqual(linkOf("ipsec0"), { name: "ipsec0" });
 * assert.deepEqual(linkOf("198.51.100.1"), {});
 * ```
 * @param value A sockaddr value as printed.
 * @returns Its index and name, each when printed.
 */
export function linkOf(value: string): { index?: number; name?: string } {
  const m = /^index: (\d+)(?: (.*))?$/.exec(value);
  const ntoa = m ? m[2] ?? "" : value;
  const name = /^([A-Za-z][A-Za-z0-9]*)(?::|$)/.exec(ntoa)?.[1];
  return { ...(m ? { index: Number(m[1]) } : {}), ...(name ? { name } : {}) };
}
