import assert from "node:assert/strict";
import {
  CAPTURE_MARKER,
  captureFileName,
  recordTools,
  replayTools,
} from "../../platform/captured_tools.ts";
import { readMac } from "../../platform/darwin/read_mac.ts";
import { buildDarwinSnapshot } from "../../platform/darwin/build_snapshot.ts";
import { readCapture } from "./darwin/capture.ts";
import { fakeRunner } from "./darwin/fake_runner.ts";
import { withTempDir } from "../fixtures/helpers.ts";

const withDir = (use: (dir: string) => Promise<void>) => withTempDir("mif-captures-", use);

Deno.test("a Mac recorded through recordTools replays to the same snapshot, and its files name their command", async () => {
  await withDir(async (dir) => {
    const fake = fakeRunner({
      "ifconfig -a -v -L": await readCapture(
        "set7_ifconfig_a_mojave_ethernet_wifi_both_active_1.txt",
      ),
      "networksetup -listallhardwareports": await readCapture(
        "set7_networksetup_listallhardwareports_mojave_ethernet_wifi_1.txt",
      ),
    });
    const recorded = await readMac({ run: recordTools(fake.run, `${dir}/mac`) });
    const replayed = await readMac({ run: replayTools(`${dir}/mac`) });
    const now = Date.UTC(2026, 11, 1);
    const strip = (s: ReturnType<typeof buildDarwinSnapshot>) => s.interfaces;
    assert.deepEqual(
      strip(buildDarwinSnapshot({ ...replayed, now })),
      strip(buildDarwinSnapshot({ ...recorded, now })),
    );
    const files = [];
    for await (const e of Deno.readDir(`${dir}/mac`)) files.push(e.name);
    assert.ok(files.includes("ifconfig_-a_-v_-L.txt"));
    assert.ok(files.includes("networksetup_-listallhardwareports.txt"));
    assert.equal(files.length, fake.asked.length, "one file per command asked, failed or not");
    const text = await Deno.readTextFile(`${dir}/mac/ifconfig_-a_-v_-L.txt`);
    assert.match(text, /^# ifconfig -a -v -L\n# recorded by mif at \d{4}-\d\d-\d\dT.*Z\n/);
    assert.ok(text.includes(`\n${CAPTURE_MARKER}`));
    // A command that failed saved its failure, so it fails again, the same way, on replay.
    assert.ok(fake.asked.includes("scutil --dns"));
    await assert.rejects(
      replayTools(`${dir}/mac`)(["scutil", "--dns"]),
      new Error("Cannot run scutil --dns: no capture of it"),
    );
  });
});

Deno.test("replayTools: an unreadable capture is an error naming the command; an aborted signal rejects with its reason", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/${captureFileName(["scutil", "--nwi"])}`);
    await assert.rejects(
      replayTools(dir)(["scutil", "--nwi"]),
      (e: Error) =>
        !(e instanceof Deno.errors.NotFound) &&
        /^Cannot run scutil --nwi: unreadable capture/.test(e.message),
    );
    const abort = new AbortController();
    abort.abort(new Error("stop"));
    await assert.rejects(replayTools(dir)(["scutil", "--nwi"], { signal: abort.signal }), /stop/);
  });
});

Deno.test("recordTools: a directory it cannot write is an error naming the command, after the tool ran", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    const fake = fakeRunner({ "scutil --nwi": "Network information\n" });
    await assert.rejects(
      recordTools(fake.run, `${dir}/file/sub`)(["scutil", "--nwi"]),
      /^Error: Cannot record scutil --nwi: /,
    );
    assert.deepEqual(fake.asked, ["scutil --nwi"]);
  });
});

Deno.test("captureFileName keeps one file per command line: unsafe characters become +, an empty line is a TypeError", () => {
  assert.equal(captureFileName(["route", "-n", "get", "default"]), "route_-n_get_default.txt");
  assert.equal(
    captureFileName(["ipconfig", "getpacket", "../x y"]),
    "ipconfig_getpacket_..+x+y.txt",
  );
  assert.throws(() => captureFileName([]), TypeError);
});

Deno.test("recordTools: a command that fails after it once answered replays as failed, not as its old output", async () => {
  await withDir(async (dir) => {
    let ok = true;
    const run = recordTools(
      () => ok ? Promise.resolve("old\n") : Promise.reject(new Error("Cannot run ipconfig: gone")),
      dir,
    );
    assert.equal(await run(["ipconfig", "getpacket", "en0"]), "old\n");
    ok = false;
    await assert.rejects(run(["ipconfig", "getpacket", "en0"]), /gone/);
    await assert.rejects(
      replayTools(dir)(["ipconfig", "getpacket", "en0"]),
      new Error("Cannot run ipconfig: gone"),
    );
    // An aborted run is no failure of the tool: what was recorded stays.
    ok = true;
    await run(["scutil", "--nwi"]);
    const abort = new AbortController();
    abort.abort(new Error("stop"));
    const aborting = recordTools((_, o) => Promise.reject(o!.signal!.reason), dir);
    await assert.rejects(aborting(["scutil", "--nwi"], { signal: abort.signal }), /stop/);
    assert.equal(await replayTools(dir)(["scutil", "--nwi"]), "old\n");
  });
});
