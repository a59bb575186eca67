import assert from "node:assert/strict";
import { readCapture } from "./capture.ts";
import { type FakeRunner, fakeRunner } from "./fake_runner.ts";
import { DarwinPlatform } from "../../../platform/darwin/darwin_platform.ts";
import { type Mif, openMif } from "../../../mod.ts";
import { drain, until, withTempDir } from "../../fixtures/helpers.ts";
import type { ApiMessage } from "../../../mod.ts";

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

/** Set7's Mac replayed, and how to take en0's address away (the capture without its line). */
async function set7Mac() {
  const ifconfig = await readCapture(IFCONFIG);
  const outputs: Record<string, string> = {
    "ifconfig -a -v -L": ifconfig,
    "networksetup -listallhardwareports": await readCapture(PORTS),
  };
  return {
    fake: fakeRunner(outputs),
    dropEn0Address: () => {
      outputs["ifconfig -a -v -L"] = ifconfig.replace(/^\tinet 10\.71\.127\.11 .*\n/m, "");
    },
  };
}

/**
 * A monitor that prints the hand-written `route -n monitor` sequence once
 * `${dir}/go` exists, then waits: the test decides when the Mac changes.
 */
async function monitorPrintingOnGo(dir: string): Promise<string[]> {
  const [deno, eval_, print] = await monitorPrinting(dir);
  const go = JSON.stringify(`${dir}/go`);
  const wait = `for (;;) { try { await Deno.stat(${go}); break; } catch { ` +
    `await new Promise((r) => setTimeout(r, 10)); } }`;
  return [deno, eval_, `${wait} ${print}`];
}

Deno.test("the darwin platform replays a Mojave Mac (set7): mif status shows its Ethernet and Wi-Fi, and the tools it lacks are skipped sources", async () => {
  const fake = fakeRunner({
    "ifconfig -a -v -L": await readCapture(IFCONFIG),
    "networksetup -listallhardwareports": await readCapture(PORTS),
  });
  await using mif = await openMif({
    platform: new DarwinPlatform({
      run: fake.run,
      monitorCommand: ["sleep", "3600"],
      notifyCommand: null,
    }),
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

/** What a test on set7's Mac, followed through a monitor, is given. */
interface FollowedMac {
  readonly mif: Mif;
  readonly fake: FakeRunner;
  /** The same Mac after its Ethernet address went away (the capture without that line). */
  readonly dropEn0Address: () => void;
  /** The temp dir the monitor reads from. */
  readonly dir: string;
}

/**
 * Runs `test` on set7's Mac through mif, followed by the monitor `monitor`
 * writes in a temp dir (as the route monitor, or with `notify` as configd's
 * change notice; the other one is off).
 */
async function followSet7Mac(
  monitor: (dir: string) => Promise<string[]>,
  debounce: number,
  test: (mac: FollowedMac) => Promise<void>,
  { notify = false } = {},
): Promise<void> {
  await withTempDir("mif-darwin-", async (dir) => {
    const { fake, dropEn0Address } = await set7Mac();
    const command = await monitor(dir);
    const platform = new DarwinPlatform({
      run: fake.run,
      monitorCommand: notify ? null : command,
      notifyCommand: notify ? command : null,
      debounce,
    });
    await using mif = await openMif({ platform });
    await test({ mif, fake, dropEn0Address, dir });
  });
}

Deno.test("a route -n monitor sequence makes the darwin platform read the Mac again, and what changed reaches mif", async () => {
  await followSet7Mac(monitorPrinting, 300, async ({ mif, fake, dropEn0Address }) => {
    const pdsOf = (id: string) =>
      mif.status().interfaces.find((i) => i.interfaceId === id)?.pds.map((p) => p.pdId);
    assert.deepEqual(pdsOf("en0"), ["en0/ipv4"]);
    dropEn0Address();
    await until(() => pdsOf("en0")?.length === 0, 10_000);
    assert.deepEqual(pdsOf("en1"), ["en1/ipv4"]);
    assert.ok(fake.asked.filter((c) => c === "ifconfig -a -v -L").length >= 2);
  });
});

Deno.test("after a re-read, an interface that is up with no PD is announced going up to its subscribers", async () => {
  await followSet7Mac(monitorPrintingOnGo, 20, async ({ mif, dropEn0Address, dir }) => {
    const sub = mif.subscribe();
    sub.post({ type: "announce-interfaces" });
    const messages: ApiMessage[] = drain(sub);
    assert.ok(!messages.some((m) => m.type === "interface-going-up"), "nothing at start");
    // en0 keeps its carrier (status: active) and loses its only address: DHCP runs again.
    dropEn0Address();
    await Deno.writeTextFile(`${dir}/go`, "");
    const goingUp = (m: ApiMessage) => m.type === "interface-going-up" && m.interfaceId === "en0";
    await until(() => {
      messages.push(...drain(sub));
      return messages.some(goingUp);
    }, 10_000);
    const up = messages.filter((m) => m.type === "interface-going-up");
    assert.deepEqual(up, [{ type: "interface-going-up", interfaceId: "en0" }]);
  });
});

/** configd's notice as `notifyutil -w` prints it, once `${dir}/go` exists; then it waits. */
function notifyOnGo(dir: string): Promise<string[]> {
  const go = JSON.stringify(`${dir}/go`);
  return Promise.resolve([
    Deno.execPath(),
    "eval",
    `for (;;) { try { await Deno.stat(${go}); break; } catch { ` +
    `await new Promise((r) => setTimeout(r, 10)); } } ` +
    `console.log("com.apple.system.config.network_change"); ` +
    `await new Promise((r) => setTimeout(r, 3_600_000));`,
  ]);
}

Deno.test("configd's network_change notice alone makes the darwin platform read the Mac again", async () => {
  await followSet7Mac(notifyOnGo, 20, async ({ mif, fake, dropEn0Address, dir }) => {
    const pdsOf = (id: string) =>
      mif.status().interfaces.find((i) => i.interfaceId === id)?.pds.map((p) => p.pdId);
    assert.deepEqual(pdsOf("en0"), ["en0/ipv4"]);
    dropEn0Address();
    await Deno.writeTextFile(`${dir}/go`, "");
    await until(() => pdsOf("en0")?.length === 0, 10_000);
    assert.equal(fake.asked.filter((c) => c === "ifconfig -a -v -L").length, 2);
  }, { notify: true });
});

/** configd's date of `ms` in this process's zone, as getsummary prints it (MM/DD/YYYY hh:mm:ss). */
function scdDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getMonth() + 1)}/${two(d.getDate())}/${d.getFullYear()} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * The macOS 26.6.2 getsummary capture with its lease started at `start`
 * (the test moves its two dates; the lease is a day, rebinding at 21 h).
 */
async function summaryStartedAt(start: number): Promise<string> {
  const text = await readCapture("ipconfig_getsummary_wifi_dhcp_packet_macos26_1.txt");
  return text
    .replace(/LeaseStartTime : .*/, `LeaseStartTime : ${scdDate(start)}`)
    .replace(/LeaseExpirationTime : .*/, `LeaseExpirationTime : ${scdDate(start + 86_400_000)}`);
}

for (const renewed of [true, false]) {
  Deno.test(
    `a lease's rebinding time passing reads the Mac again: ${
      renewed ? "a renewed lease is not going away" : "a lease not renewed is going away"
    }`,
    async () => {
      // No ifconfig of that Mac was published: this line is written here for the lease's address.
      const ifconfig = "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n" +
        "\tinet 192.168.1.135 netmask 0xffffff00 broadcast 192.168.1.255\n";
      const rebinding = 0x12750 * 1000;
      // Rebinding comes 1.5 to 2.5 s from now (configd's dates have whole seconds).
      const start = Math.floor((Date.now() - rebinding + 2500) / 1000) * 1000;
      const outputs: Record<string, string> = {
        "ifconfig -a -v -L": ifconfig,
        "ipconfig getsummary en0": await summaryStartedAt(start),
      };
      const fake = fakeRunner(outputs);
      await using mif = await openMif({
        platform: new DarwinPlatform({ run: fake.run, monitorCommand: null, notifyCommand: null }),
      });
      const sub = mif.subscribe();
      sub.post({ type: "announce-interfaces" });
      const messages: ApiMessage[] = drain(sub);
      if (renewed) outputs["ipconfig getsummary en0"] = await summaryStartedAt(Date.now());
      const summaries = () => fake.asked.filter((c) => c === "ipconfig getsummary en0").length;
      await until(() => summaries() === 2, 10_000);
      await until(() => mif.status().interfaces[0].pds.length === 1);
      // Let the read's snapshot and advisories reach the subscriber.
      await new Promise((r) => setTimeout(r, 200));
      messages.push(...drain(sub));
      const away = messages.filter((m) => m.type === "interface-going-away");
      assert.deepEqual(away, renewed ? [] : [{ type: "interface-going-away", interfaceId: "en0" }]);
    },
  );
}

/** A route monitor that prints `capture` once `${dir}/go` exists, then waits. */
function routeMonitorOnGo(capture: string) {
  return async (dir: string): Promise<string[]> => {
    const path = `${dir}/route_monitor.txt`;
    await Deno.writeTextFile(path, await readCapture(capture));
    const go = JSON.stringify(`${dir}/go`);
    return [
      Deno.execPath(),
      "eval",
      `for (;;) { try { await Deno.stat(${go}); break; } catch { ` +
      `await new Promise((r) => setTimeout(r, 10)); } } ` +
      `await Deno.stdout.write(await Deno.readFile(${JSON.stringify(path)})); ` +
      `await new Promise((r) => setTimeout(r, 3_600_000));`,
    ];
  };
}

Deno.test("an address message reads the Mac again but for networksetup; a link message reads everything", async () => {
  // A VPN's address added on ipsec0 (a real capture from another Mac).
  const monitor = routeMonitorOnGo("route_monitor_vpn_ipsec0_newaddr_partial_1.txt");
  await followSet7Mac(monitor, 20, async ({ fake, dir }) => {
    const count = (line: string) => fake.asked.filter((c) => c === line).length;
    await Deno.writeTextFile(`${dir}/go`, "");
    await until(() => count("ifconfig -a -v -L") === 2, 10_000);
    await until(() => count("ipconfig getpacket en1") === 2);
    // An RA heard again or DNS configd rewrote comes with no message: all of it is read again.
    assert.deepEqual(
      ["scutil --dns", "scutil --nwi", "netstat -rn", "ndp -n -r", "ndp -n -p"].map(count),
      [2, 2, 2, 2, 2],
    );
    assert.deepEqual(
      ["networksetup -listallhardwareports", "networksetup -listnetworkserviceorder"].map(count),
      [1, 1],
    );
  });
  // The hand-written down/up sequence has RTM_IFINFO: networksetup is read again too.
  await followSet7Mac(monitorPrintingOnGo, 20, async ({ fake, dir }) => {
    await Deno.writeTextFile(`${dir}/go`, "");
    await until(
      () => fake.asked.filter((c) => c === "networksetup -listallhardwareports").length === 2,
      10_000,
    );
  });
});

Deno.test("a change configd announces while start() reads the Mac is read right after start", async () => {
  await withTempDir("mif-darwin-", async (dir) => {
    const { fake, dropEn0Address } = await set7Mac();
    let first = true;
    // The first ifconfig waits until the notice has been printed: the Mac changes mid-read.
    const run: typeof fake.run = async (argv, options) => {
      if (argv[0] === "ifconfig" && first) {
        first = false;
        const output = await fake.run(argv, options);
        await Deno.writeTextFile(`${dir}/go`, "");
        await until(() => {
          try {
            return Deno.statSync(`${dir}/printed`).isFile;
          } catch {
            return false;
          }
        }, 10_000);
        dropEn0Address();
        return output;
      }
      return fake.run(argv, options);
    };
    const [deno, eval_, script] = await notifyOnGo(dir);
    const printed = JSON.stringify(`${dir}/printed`);
    const notify = [
      deno,
      eval_,
      script.replace(
        "await new Promise((r) => setTimeout(r, 3_600_000));",
        `await Deno.writeTextFile(${printed}, ""); await new Promise((r) => setTimeout(r, 3_600_000));`,
      ),
    ];
    await using mif = await openMif({
      platform: new DarwinPlatform({
        run,
        monitorCommand: null,
        notifyCommand: notify,
        debounce: 20,
      }),
    });
    const pdsOf = (id: string) =>
      mif.status().interfaces.find((i) => i.interfaceId === id)?.pds.map((p) => p.pdId);
    assert.deepEqual(pdsOf("en0"), ["en0/ipv4"], "what the first read saw");
    await until(() => pdsOf("en0")?.length === 0, 10_000);
  });
});

Deno.test("an RA heard again unchanged keeps its received-at, and its ra element is not announced again", async () => {
  // The macOS 15 getra capture with its date moved to now, then to a minute later; the ifconfig
  // lines are written here (no ifconfig of that Mac was published).
  const capture = await readCapture("ipconfig_getra_ipv6mostly_rdnss_pref64_1.txt");
  const heardAt = (ms: number) =>
    capture.replace(/^RA Received \S+ \S+/, `RA Received ${scdDate(ms)}`);
  const ifconfig = "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n" +
    "\tinet6 fe80::1c8e:5a4f:b3c2:11d0%en0 prefixlen 64 secured scopeid 0x4\n" +
    "\tinet6 2001:db8:97::5 prefixlen 64 autoconf secured\n";
  const first = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const outputs: Record<string, string> = {
    "ifconfig -a -v -L": ifconfig,
    "ipconfig getra en0": heardAt(first),
  };
  const fake = fakeRunner(outputs);
  await withTempDir("mif-darwin-", async (dir) => {
    await using mif = await openMif({
      platform: new DarwinPlatform({
        run: fake.run,
        monitorCommand: null,
        notifyCommand: await notifyOnGo(dir),
        debounce: 20,
      }),
    });
    const pdId = "en0/ipv6/fe80::cee1:9400:c55a:d430";
    const stamp = () =>
      mif.status().interfaces[0].pds.find((p) => p.pdId === pdId)?.elements
        .find((e) => e.element === "ra")?.data["received-at"];
    assert.equal(stamp(), new Date(first).toISOString());
    const sub = mif.subscribe();
    sub.post({ type: "announce-configuration-elements", pdId });
    drain(sub);
    outputs["ipconfig getra en0"] = heardAt(first + 60_000);
    await Deno.writeTextFile(`${dir}/go`, "");
    await until(() => fake.asked.filter((c) => c === "ipconfig getra en0").length === 2, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(stamp(), new Date(first).toISOString());
    assert.deepEqual(drain(sub).filter((m) => m.type === "configuration-element-announcement"), []);
  });
});
