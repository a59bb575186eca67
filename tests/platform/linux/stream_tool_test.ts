/**
 * streamTool (platform/linux/stream_tool.ts) and runRdisc6
 * (platform/linux/run_rdisc6.ts) on real processes: output read as it is
 * printed, the tool stopped once it is enough, failures named.
 */

import assert from "node:assert/strict";
import { streamTool } from "../../../platform/linux/stream_tool.ts";
import { runRdisc6 } from "../../../platform/linux/run_rdisc6.ts";

Deno.test("streamTool stops the tool once its output is enough, and keeps what it printed", async () => {
  const seen: string[] = [];
  const out = await streamTool(["sh", "-c", "echo one; echo two; exec sleep 30"], {
    enough: (text) => {
      seen.push(text);
      return text.includes("two\n");
    },
  });
  assert.equal(out.stopped, true);
  assert.equal(out.text, "one\ntwo\n");
  assert.equal(seen.at(-1), "one\ntwo\n");
});

Deno.test("streamTool lets a tool that is never enough run to its end", async () => {
  const out = await streamTool(["sh", "-c", "echo one; exit 2"], {
    okCodes: [2],
    enough: () => false,
  });
  assert.deepEqual(out, { text: "one\n", stopped: false, code: 2 });
});

Deno.test("streamTool names a failing tool with its standard error", async () => {
  await assert.rejects(
    () => streamTool(["sh", "-c", "echo broken >&2; exit 3"]),
    /^Error: Cannot run sh -c .*: exit code 3 \(broken\)$/,
  );
  await assert.rejects(
    () => streamTool(["mif-no-such-tool-xyz"]),
    (error) => error instanceof Deno.errors.NotFound && /it is not installed/.test(error.message),
  );
});

Deno.test("streamTool rejects with the signal's reason when aborted", async () => {
  const abort = new AbortController();
  const reason = new Deno.errors.Interrupted("closed");
  const running = streamTool(["sh", "-c", "echo one; exec sleep 30"], {
    signal: abort.signal,
    enough: () => {
      abort.abort(reason);
      return false;
    },
  });
  await assert.rejects(() => running, (error) => error === reason);
});

Deno.test("runRdisc6 reads a stdio program's lines as it prints them into a pipe (stdbuf -oL)", async () => {
  // sed writes with stdio and, into a pipe, flushes only when its buffer
  // fills or it exits: its line must come while the script is still running.
  const dir = await Deno.makeTempDir();
  try {
    const done = `${dir}/done`;
    let beforeEnd: boolean | undefined;
    const out = await runRdisc6(
      ["sh", "-c", `(echo ' from fe80::1'; sleep 2; touch '${done}') | sed -n p`],
      {
        enough: (text) => {
          beforeEnd ??= !existsSync(done);
          return text.includes("\n");
        },
      },
    );
    assert.equal(out.text, " from fe80::1\n");
    assert.equal(beforeEnd, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runRdisc6 takes rdisc6's exit code 2 (no router answered) as no failure", async () => {
  const out = await runRdisc6(["sh", "-c", "echo 'Timed out.'; exit 2"]);
  assert.deepEqual(out, { text: "Timed out.\n", stopped: false, code: 2 });
  await assert.rejects(
    () => runRdisc6(["mif-no-such-rdisc6-xyz", "-n", "eth0"]),
    (error) => error instanceof Deno.errors.NotFound && /it is not installed/.test(error.message),
  );
});

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
