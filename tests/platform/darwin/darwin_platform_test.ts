import assert from "node:assert/strict";
import { readCapture } from "./capture.ts";
import { fakeRunner } from "./fake_runner.ts";
import { DarwinPlatform } from "../../../platform/darwin/darwin_platform.ts";
import { openMif } from "../../../mod.ts";
import { until } from "../../fixtures/helpers.ts";

const IFCONFIG = "set7_ifconfig_a_mojave_ethernet_wifi_both_active_1.txt";
const PORTS = "set7_networksetup_listallhardwareports_mojave_ethernet_wifi_1.txt";

/** A monitor that prints the hand-written `route -n monitor` sequence once, then waits. */
async function monitorPrinting(dir: string): Promise<string[]> {
  const path = `${dir}/route_monitor.txt`;
  await Deno.writeTextFile(path, await readCapture("handwritten_route_monitor_en0_down_up.txt"));
  return [
    Deno.execPath(),
    "eval",
    `await Deno.stdout.write(await Deno.readFile(${
      JSON.stringify(path)
    })); await new Promise((r) => setTimeout(r, 3_600_000));`,
  ];
}

Deno.test("the darwin platform replays a Mojave Mac (set7): mif status shows its Ethernet and Wi-Fi, and the tools it lacks are skipped sources", async () => {
  const fake = fakeRunner({
    "ifconfig -a -v -L": await readCapture(IFCONFIG),
    "networksetup -listallhardwareports": await readCapture(PORTS),
  });
  await using mif = await openMif({
    platform: new DarwinPlatform({ run: fake.run, monitorCommand: ["sleep", "3600"] }),
  });
  const status = mif.status();
  const by = new Map(status.interfaces.map((i) => [i.interfaceId, i]));
  assert.deepEqual(by.get("en0")?.pds.map((p) => p.pdId), ["en0/ipv4"]);
  assert.deepEqual(by.get("en1")?.pds.map((p) => p.pdId), ["en1/ipv4"]);
  assert.equal(by.get("en0")?.interfaceType, "wired");
  assert.equal(by.get("en1")?.interfaceType, "wifi");
  const skipped = status.notes.map((n) => n.source);
  for (
    const source of [
      "scutil --dns",
      "netstat -rn",
      "ndp -n -r",
      "networksetup -listnetworkserviceorder",
    ]
  ) {
    assert.ok(skipped.includes(source), `${source} is not a skipped source: ${skipped.join(", ")}`);
  }
  // ipconfig is asked about the links that have addresses, and only them.
  assert.ok(fake.asked.includes("ipconfig getpacket en0"));
  assert.ok(!fake.asked.some((c) => c.startsWith("ipconfig") && c.endsWith(" awdl0")));
});

Deno.test("a route -n monitor sequence makes the darwin platform read the Mac again, and what changed reaches mif", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mif-darwin-" });
  try {
    const ifconfig = await readCapture(IFCONFIG);
    const outputs: Record<string, string> = {
      "ifconfig -a -v -L": ifconfig,
      "networksetup -listallhardwareports": await readCapture(PORTS),
    };
    const fake = fakeRunner(outputs);
    const platform = new DarwinPlatform({
      run: fake.run,
      monitorCommand: await monitorPrinting(dir),
      debounce: 300,
    });
    await using mif = await openMif({ platform });
    const pdsOf = (id: string) =>
      mif.status().interfaces.find((i) => i.interfaceId === id)?.pds.map((p) => p.pdId);
    assert.deepEqual(pdsOf("en0"), ["en0/ipv4"]);
    // The same Mac after its Ethernet address went away: the capture without that line.
    outputs["ifconfig -a -v -L"] = ifconfig.replace(/^\tinet 10\.71\.127\.11 .*\n/m, "");
    await until(() => pdsOf("en0")?.length === 0, 10_000);
    assert.deepEqual(pdsOf("en1"), ["en1/ipv4"]);
    assert.ok(fake.asked.filter((c) => c === "ifconfig -a -v -L").length >= 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
