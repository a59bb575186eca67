import assert from "node:assert/strict";
import {
  parseIpconfigPacket,
  parseIpconfigV6Packet,
} from "../../../platform/darwin/parse_ipconfig_packet.ts";
import { readCapture } from "./capture.ts";

/** The `op` to `chaddr` lines of a hand-written getpacket output, in print order, with `changes`. */
function header(changes: Record<string, string> = {}): string[] {
  const fields = {
    op: "BOOTREPLY",
    htype: "1",
    flags: "0",
    hlen: "6",
    hops: "0",
    xid: "0x2",
    secs: "0",
    ciaddr: "0.0.0.0",
    yiaddr: "198.51.100.9",
    siaddr: "0.0.0.0",
    giaddr: "0.0.0.0",
    chaddr: "2:0:5e:0:0:9",
    ...changes,
  };
  return Object.entries(fields).map(([key, value]) => `${key} = ${value}`);
}

Deno.test("getpacket reads a campus DHCP ACK with two DNS servers (hex xid, flags = 0)", async () => {
  // The capture's author added a "        XXX" marker after server_identifier: stripped here.
  const text = (await readCapture("ipconfig_getpacket_wifi_1.txt")).replace(/ +XXX$/m, "");
  const p = parseIpconfigPacket(text)!;
  assert.equal(p.op, "BOOTREPLY");
  assert.equal(p.flags, 0);
  assert.equal(p.xid, 0xd2a82548);
  assert.equal(p.secs, 2);
  assert.equal(p.ciaddr, "0.0.0.0");
  assert.equal(p.yiaddr, "10.33.48.133");
  assert.equal(p.chaddr, "88:e9:fe:75:94:10");
  assert.equal(p.sname, "");
  assert.deepEqual({ ...p.options, all: p.options.all.length }, {
    messageType: "ACK",
    serverIdentifier: "10.33.51.254",
    leaseTime: 86400,
    subnetMask: "255.255.252.0",
    routers: ["10.33.51.254"],
    domainNameServers: ["10.33.10.2", "8.8.8.8"],
    domainSearch: [],
    all: 6,
  });
});

Deno.test("getpacket reads the OS X <= 10.10 format with a decimal xid", async () => {
  // Every line of this capture carries the source's 5-space markdown indent: stripped here.
  const text = (await readCapture("ipconfig_getpacket_wifi_2_oldformat.txt")).replace(
    /^ {5}/gm,
    "",
  );
  const p = parseIpconfigPacket(text)!;
  assert.equal(p.xid, 765413854);
  assert.equal(p.ciaddr, "192.168.1.154");
  assert.equal(p.yiaddr, "192.168.1.154");
  assert.equal(p.chaddr, "34:36:3b:cd:fd:ae");
  assert.equal(p.options.leaseTime, 7200);
  assert.deepEqual(p.options.routers, ["192.168.1.253"]);
  assert.deepEqual(p.options.domainNameServers, ["192.168.1.253"]);
});

Deno.test("getpacket keeps trailing blanks of sname, file and end (none)", async () => {
  const p = parseIpconfigPacket(await readCapture("ipconfig_getpacket_wifi_3.txt"))!;
  assert.equal(p.xid, 0xceb36b13);
  assert.equal(p.yiaddr, "192.168.2.51");
  assert.equal(p.options.serverIdentifier, "192.168.2.1");
  assert.deepEqual(p.options.all.map((o) => o.name), [
    "dhcp_message_type",
    "server_identifier",
    "lease_time",
    "subnet_mask",
    "router",
    "domain_name_server",
  ]);
});

Deno.test("getpacket reads an opaque option's hex dump and undefined tags", () => {
  const p = parseIpconfigPacket([
    ...header({ flags: "8000" }),
    "sname = ",
    "file = ",
    "options:",
    "Options count is 3",
    "vendor_specific (opaque): ",
    "0000  01 02 03                                          ...             ",
    "",
    "undefined tag 250 len 4",
    "domain_search (dns_namelist): {example.com, corp.example}",
    "end (none): ",
  ].join("\n"))!;
  assert.equal(p.flags, 0x8000);
  assert.deepEqual(p.options.all[0], {
    name: "vendor_specific",
    type: "opaque",
    value: "0000  01 02 03                                          ...",
  });
  assert.deepEqual(p.options.all[1], { name: "tag 250", type: "", value: "len 4" });
  assert.deepEqual(p.options.domainSearch, ["example.com", "corp.example"]);
});

Deno.test("getpacket without options prints no options: line", () => {
  const p = parseIpconfigPacket([
    ...header({ op: "BOOTREQUEST", flags: "0x0", yiaddr: "0.0.0.0" }),
    "sname = ",
    "file = ",
  ].join("\n"))!;
  assert.equal(p.op, "BOOTREQUEST");
  assert.deepEqual(p.options, { routers: [], domainNameServers: [], domainSearch: [], all: [] });
});

Deno.test("getpacket: empty output means no DHCP; a bad header is a SyntaxError", () => {
  assert.equal(parseIpconfigPacket(""), undefined);
  assert.equal(parseIpconfigPacket("\n"), undefined);
  assert.throws(
    () => parseIpconfigPacket("op = BOOTREPLY\n"),
    /Cannot parse ipconfig getpacket output: no "chaddr =" line/,
  );
  assert.throws(
    () => parseIpconfigPacket(header({ htype: "x" }).join("\n")),
    /bad htype "x", line 2/,
  );
  assert.throws(
    () => parseIpconfigPacket(header({ yiaddr: "2001:db8::1" }).join("\n")),
    /bad address "2001:db8::1", line 9/,
  );
});

Deno.test("getv6packet reads a stateless reply (FORMAT ONLY capture: MACs randomised by its site)", async () => {
  const p = parseIpconfigV6Packet(
    await readCapture("ipconfig_getv6packet_FORMATONLY_templated_1.txt"),
  )!;
  assert.equal(p.messageType, "REPLY");
  assert.equal(p.messageCode, 7);
  assert.equal(p.transactionId, 0x80940b);
  assert.equal(p.length, 76);
  assert.deepEqual(p.dnsServers, ["2606:4700:4700::1111", "2001:4860:4860::8844"]);
  assert.deepEqual(p.domainList, []);
  assert.deepEqual(p.iaNa, []);
  assert.deepEqual(p.options.map((o) => [o.name, o.code, o.length]), [
    ["CLIENTID", 1, 14],
    ["DNS_SERVERS", 23, 32],
    ["DOMAIN_LIST", 24, 0],
    ["SERVERID", 2, 10],
  ]);
});

Deno.test("getv6packet reads IA_NA addresses and an infinite lifetime printed as -1 (hand-written)", async () => {
  const p = parseIpconfigV6Packet(await readCapture("handwritten_ipconfig_getv6packet_ia_na.txt"))!;
  assert.deepEqual(p.iaNa, [{
    iaid: 1,
    t1: 1800,
    t2: 2880,
    addresses: [{ address: "2001:db8:1::1c0", preferredLifetime: 3600, validLifetime: "infinity" }],
  }]);
  assert.deepEqual(p.dnsServers, ["2001:db8:1::53"]);
  assert.deepEqual(p.domainList, ["example.com"]);
  assert.deepEqual(p.options.map((o) => o.depth), [0, 0, 0, 1, 0, 0]);
});

Deno.test("getv6packet: empty output is undefined; other text is a SyntaxError", () => {
  assert.equal(parseIpconfigV6Packet(""), undefined);
  assert.throws(
    () => parseIpconfigV6Packet("op = BOOTREPLY"),
    /Cannot parse ipconfig getv6packet output: no DHCPv6 header, line 1/,
  );
});
