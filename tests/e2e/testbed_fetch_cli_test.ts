/**
 * `mif fetch` on the racing test bed, run as a user would: the CLI in the
 * host namespace over the Linux platform, srv's HTTPS server behind both
 * routers, the default path A's IPv6 silently dropped, the test bed's CA
 * given with --cacert. Skipped with the reason outside root or Linux or
 * without openssl; with CI=true a missing prerequisite fails instead.
 */

import assert from "node:assert/strict";
import { testbedTest, testbedUnavailable } from "../testbed/prerequisites.ts";
import {
  HTTPS_CERT_NAMES,
  HTTPS_EXPIRED_PORT,
  RACE_ANSWERS,
  RACE_NAME,
  RACE_OTHER_NAMES,
  type TestBed,
  withTestBed,
} from "../testbed/testbed.ts";
import { mifArgs } from "../testbed/mif_process.ts";
import { makeCertificates, opensslUnavailable } from "../fixtures/tls_certs.ts";

const unavailable = await testbedUnavailable() ??
  (await Deno.stat("/dev/net/tun").then(
    () => undefined,
    () => "the delay lines need /dev/net/tun",
  )) ??
  await opensslUnavailable();

/** Runs `mif fetch <args>` in the host namespace. */
async function mifFetch(bed: TestBed, ...args: string[]) {
  const out = await new Deno.Command("ip", {
    args: mifArgs(bed, "fetch", ...args, "--cacert", `${bed.dir}/ca.pem`),
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

testbedTest(
  "mif fetch through the race on the test bed: the body, the timeline, TLS failures by exit code",
  unavailable,
  async (t) => {
    await using certs = await makeCertificates(HTTPS_CERT_NAMES);
    await withTestBed({ race: true }, async (bed) => {
      await Deno.writeTextFile(`${bed.dir}/ca.pem`, certs.ca);
      await bed.startHttps(certs);
      await bed.breakIpv6("a", true);

      await t.step("the body on stdout, the race and the TLS version on stderr", async () => {
        // Staggered, so that A's IPv6 is tried (and loses) before B's IPv4 may start; in
        // parallel B's attempt can win before A's AAAA answer even arrives.
        const { code, stdout, stderr } = await mifFetch(
          bed,
          `https://${RACE_NAME}/`,
          "--stagger-interfaces",
        );
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^\d+\.\d+\.\d+\.\d+ \d+\n$/, "the server saw an IPv4 source");
        assert.match(stderr, new RegExp(RACE_ANSWERS.a[1].replaceAll(":", ":")), "IPv6 was tried");
        assert.match(stderr, /TLSv1\.3/);
        assert.match(stderr, /→ 200/);
      });

      await t.step("--json reports the hop and the body's length", async () => {
        const { code, stdout, stderr } = await mifFetch(bed, `https://${RACE_NAME}/`, "--json");
        assert.equal(code, 0, stderr);
        const report = JSON.parse(stdout);
        assert.equal(report.ok, true);
        assert.equal(report.status, 200);
        assert.equal(report.hops.length, 1);
        assert.ok(report.body.bytes > 0);
      });

      await t.step("an expired certificate exits 4 and says so", async () => {
        const url = `https://${RACE_NAME}:${HTTPS_EXPIRED_PORT}/`;
        const { code, stderr } = await mifFetch(bed, url);
        assert.equal(code, 4, stderr);
        assert.match(stderr, /Expired/);
      });

      await t.step("a name the certificate does not carry exits 4", async () => {
        const { code, stderr } = await mifFetch(bed, `https://${RACE_OTHER_NAMES.wrong}/`);
        assert.equal(code, 4, stderr);
        assert.match(stderr, /not valid for name/);
      });
    });
  },
);
