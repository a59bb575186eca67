import assert from "node:assert/strict";

// `deno compile` downloads its runtime (denort) from dl.deno.land, which no
// machine here can reach, and denort is not published on npm. Where it can
// be reached, run with MIF_TEST_COMPILE=1 to build and run the binary.
const enabled = Deno.env.get("MIF_TEST_COMPILE") === "1";

Deno.test({
  name: "deno task compile builds one binary that runs mif status " +
    "(skipped unless MIF_TEST_COMPILE=1: deno compile must download denort from dl.deno.land)",
  ignore: !enabled,
  async fn() {
    const root = new URL("../../", import.meta.url).pathname;
    const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
    const task: string = config.tasks.compile;
    const dir = await Deno.makeTempDir({ prefix: "mif-compile-" });
    try {
      const args = task.split(" ").slice(1).map((a) => a === "mif" ? `${dir}/mif` : a);
      const build = await new Deno.Command(Deno.execPath(), { args, cwd: root }).output();
      assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
      const run = await new Deno.Command(`${dir}/mif`, {
        args: ["status", "--json", "--platform", "sim"],
      }).output();
      assert.equal(run.code, 0);
      assert.equal(JSON.parse(new TextDecoder().decode(run.stdout)).platform, "sim");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
