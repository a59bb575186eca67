/**
 * Runs every TypeScript block of the README meant to run (not marked
 * `ts ignore`) the way a newcomer would: saved in a temp directory outside
 * this repository (so no deno.json of ours applies), importing mif by file
 * URL instead of "@mif/mif", with exactly the flags the README gives.
 */

import assert from "node:assert/strict";

const README = new URL("../../README.md", import.meta.url);
const MOD = new URL("../../mod.ts", import.meta.url).href;
/** The command line the README gives for its library example. */
const FLAGS = ["run", "--unstable-worker-options", "--allow-net", "--allow-read"];

/** The runnable ```ts blocks, with the line each starts on. */
function runnableBlocks(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const end = lines.indexOf("```", i + 1);
    out.push({ line: i + 1, code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return out;
}

Deno.test("the README says which flags its library example needs, and they are the ones tested here", async () => {
  const text = await Deno.readTextFile(README);
  assert.match(text, /`deno run --unstable-worker-options --allow-net --allow-read example\.ts`/);
});

for (const { line, code } of runnableBlocks(await Deno.readTextFile(README))) {
  Deno.test(`README block at line ${line} runs as written from outside the repository`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "mif-readme-" });
    try {
      const file = `${dir}/example.ts`;
      await Deno.writeTextFile(file, code.replaceAll('"@mif/mif"', `"${MOD}"`));
      const out = await new Deno.Command(Deno.execPath(), {
        args: [...FLAGS, file],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.doesNotMatch(new TextDecoder().decode(out.stdout), /worker-crashed/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("with too few permissions for its workers, a request is answered with why and what to run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mif-readme-" });
  try {
    const file = `${dir}/few.ts`;
    await Deno.writeTextFile(
      file,
      `import { openMif } from "${MOD}";
await using mif = await openMif({ platform: "sim", workerPermissions: "net" });
const sub = mif.subscribe();
sub.post({ type: "translate-name", pdId: "wlan0/ipv4", name: "198.51.100.7", translationId: "t" });
await sub.check({ timeout: 5000 });
console.log(JSON.stringify(sub.get()));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--unstable-worker-options", "--allow-net", file],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const answer = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(answer.type, "name-translation-done");
    assert.equal(answer.reason, "worker-crashed");
    assert.match(
      answer.detail,
      /^Cannot start PD worker: .*run it with --allow-net --allow-read\)$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
