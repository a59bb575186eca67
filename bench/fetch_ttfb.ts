/**
 * The fetch benchmark, on the racing test bed (root, Linux, openssl): srv's
 * HTTPS server (tests/testbed/https_server.ts) with a throwaway CA, the
 * default path A (neta) dropping IPv6 to the server silently, path B
 * (netb, IPv4) healthy, no added delay. Measured in one run through
 * tests/fixtures/fetch_client.ts in the host namespace:
 *
 * - time to first byte of https://race.mif.example/: mif fetch() cold (a
 *   new Mif per request, opened before the clock starts: its PD workers
 *   start and it races), new origin (a new Mif that fetched from
 *   other.mif.example, the same server's addresses, first: its workers run
 *   and the race's history knows the addresses; a new race, connection
 *   and TLS handshake), warm (one Mif whose kept-alive route is reused),
 *   and Deno's fetch() through the system resolver (A's DNS) with a new
 *   client per request and with one kept-alive client, capped at 5 s;
 * - throughput of a 64 MiB download (/bytes/N, first byte to last) with
 *   mif fetch() and with Deno's fetch(), both on a working IPv4 path.
 *
 * Not a Deno.bench file: each sample needs real links and a process in a
 * namespace. Run it with `deno task bench:fetch [rounds] [download rounds]`,
 * e.g. `deno task bench:fetch 9 3`.
 *
 * @module
 */

import { testbedUnavailable } from "../tests/testbed/prerequisites.ts";
import {
  HTTPS_CERT_NAMES,
  RACE_NAME,
  RACE_OTHER_NAMES,
  TestBed,
} from "../tests/testbed/testbed.ts";
import { clientResult, hostClientArgv } from "../tests/testbed/mif_process.ts";
import { makeCertificates, opensslUnavailable } from "../tests/fixtures/tls_certs.ts";
import type { BenchInput } from "../tests/fixtures/fetch_client.ts";

const ROUNDS = Number(Deno.args[0] ?? 9);
const BYTES_ROUNDS = Number(Deno.args[1] ?? 3);
const CAP_MS = 5000;
const BYTES = 64 * 2 ** 20;
const CLIENT = new URL("../tests/fixtures/fetch_client.ts", import.meta.url).pathname;

const unavailable = await testbedUnavailable() ?? await opensslUnavailable();
if (unavailable) {
  console.error(`Cannot run the fetch benchmark: ${unavailable}`);
  Deno.exit(1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const resolvConf = await Deno.readFile("/etc/resolv.conf");
let samples: Record<string, number[]>;
{
  await using certs = await makeCertificates(HTTPS_CERT_NAMES);
  await using bed = await TestBed.create({ race: true });
  const ca = `${bed.dir}/ca.pem`;
  await Deno.writeTextFile(ca, certs.ca);
  await bed.startHttps(certs);
  await bed.breakIpv6("a", true);
  const input: BenchInput = {
    rounds: ROUNDS,
    url: `https://${RACE_NAME}/`,
    otherUrl: `https://${RACE_OTHER_NAMES.other}/`,
    bytesUrl: `https://${RACE_NAME}/bytes/${BYTES}`,
    bytesRounds: BYTES_ROUNDS,
    capMs: CAP_MS,
  };
  const argv = hostClientArgv(bed, CLIENT, [
    bed.resolvConf,
    bed.stateDir,
    bed.defaultPathResolvConf,
    ca,
    "bench",
    JSON.stringify(input),
  ], { privateMount: true });
  samples = (await clientResult(argv, '"bench"')).samples as typeof samples;
}
if ((await Deno.readFile("/etc/resolv.conf")).join() !== resolvConf.join()) {
  throw new Error("Cannot trust the run: /etc/resolv.conf changed");
}

const ms = (x: number) => x >= CAP_MS ? `≥ ${CAP_MS}` : x.toFixed(1);
const spread = (xs: number[]) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
console.log(
  `Deno ${Deno.version.deno}; ${ROUNDS} rounds, ${BYTES_ROUNDS} downloads; path A's IPv6 silently ` +
    "dropped, path B healthy, no added delay.",
);
console.log("| time to first byte of https://race.mif.example/ | median ms | min–max |");
console.log("|---|---|---|");
const TTFB = [
  ["mif cold", "mif fetch(), cold (a new Mif per request)"],
  ["mif new origin", "mif fetch(), new origin (a new Mif that raced to other.mif.example)"],
  ["mif warm", `mif fetch(), warm (kept-alive route; ${samples["mif warm reused"][0]} reused)`],
  ["Deno fetch, new client", "Deno fetch(), system resolver, new client"],
  ["Deno fetch, kept-alive client", "Deno fetch(), system resolver, kept-alive client"],
];
for (const [key, label] of TTFB) {
  console.log(`| ${label} | ${ms(median(samples[key]))} | ${spread(samples[key])} |`);
}
console.log("");
console.log("| 64 MiB download, first byte to last | median MiB/s | min–max |");
console.log("|---|---|---|");
for (const [key, label] of [["mif MiB/s", "mif fetch()"], ["Deno fetch MiB/s", "Deno fetch()"]]) {
  const xs = samples[key];
  console.log(
    `| ${label} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${
      Math.max(...xs).toFixed(1)
    } |`,
  );
}
