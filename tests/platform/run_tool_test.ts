import assert from "node:assert/strict";
import { runTool } from "../../platform/run_tool.ts";

Deno.test("runTool: a silent exit code with nothing on stderr is an empty answer; with stderr, or not listed, it fails quoting stderr", async () => {
  assert.equal(await runTool(["false"], { silentCodes: [1] }), "");
  await assert.rejects(runTool(["false"]), /^Error: Cannot run false: exit code 1$/);
  await assert.rejects(
    runTool(["cat", "/no/such/mif/file"], { silentCodes: [1] }),
    /^Error: Cannot run cat \/no\/such\/mif\/file: exit code 1 \(.*No such file/,
  );
  await assert.rejects(runTool(["no-such-mif-tool"]), Deno.errors.NotFound);
});
