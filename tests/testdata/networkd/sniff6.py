#!/usr/bin/env python3
"""Logs the DHCPv6 messages and Router Advertisements seen on one interface (run in its
namespace): message type, options, the client's Option Request Option, DNS servers and
domain lists. Usage: sniff6.py IFNAME"""
import ipaddress
import socket
import struct
import sys
import time

MSG = {1: "SOLICIT", 2: "ADVERTISE", 3: "REQUEST", 4: "CONFIRM", 5: "RENEW", 6: "REBIND",
       7: "REPLY", 8: "RELEASE", 9: "DECLINE", 10: "RECONFIGURE", 11: "INFORMATION-REQUEST"}


def names(data):
    out, i = [], 0
    while i < len(data):
        labels = []
        while i < len(data) and data[i] != 0:
            n = data[i]
            labels.append(data[i + 1:i + 1 + n].decode("ascii", "replace"))
            i += 1 + n
        i += 1
        out.append(".".join(labels))
    return out


def options(data):
    i = 0
    while i + 4 <= len(data):
        code, length = struct.unpack("!HH", data[i:i + 4])
        yield code, data[i + 4:i + 4 + length]
        i += 4 + length


def describe6(code, value):
    if code == 6:
        return "ORO=" + ",".join(str(c) for c, in struct.iter_unpack("!H", value))
    if code == 23:
        return "DNS=" + ",".join(str(ipaddress.IPv6Address(value[j:j + 16]))
                                 for j in range(0, len(value), 16))
    if code == 24:
        return "DOMAINS=" + ",".join(names(value))
    if code == 32:
        return "IRT=%d" % struct.unpack("!I", value)[0]
    if code == 3:
        iaid, t1, t2 = struct.unpack("!III", value[:12])
        inner = [describe6(c, v) for c, v in options(value[12:])]
        return "IA_NA(iaid=%#x,T1=%d,T2=%d,%s)" % (iaid, t1, t2, ";".join(inner))
    if code == 5:
        addr = ipaddress.IPv6Address(value[:16])
        pref, valid = struct.unpack("!II", value[16:24])
        return "IAADDR(%s,pref=%d,valid=%d)" % (addr, pref, valid)
    if code == 13:
        return "STATUS(%d,%s)" % (struct.unpack("!H", value[:2])[0], value[2:].decode(errors="replace"))
    return str(code)


def describe_ra(icmp):
    flags = icmp[5]
    lifetime = struct.unpack("!H", icmp[6:8])[0]
    out = ["RA M=%d O=%d lifetime=%d" % (flags >> 7, (flags >> 6) & 1, lifetime)]
    i = 16
    while i + 2 <= len(icmp) and icmp[i + 1]:
        t, n = icmp[i], icmp[i + 1] * 8
        opt = icmp[i:i + n]
        if t == 3:
            plen, pflags = opt[2], opt[3]
            valid, pref = struct.unpack("!II", opt[4:12])
            out.append("PIO %s/%d L=%d A=%d valid=%d pref=%d" % (
                ipaddress.IPv6Address(opt[16:32]), plen, pflags >> 7, (pflags >> 6) & 1, valid, pref))
        elif t == 5:
            out.append("MTU=%d" % struct.unpack("!I", opt[4:8])[0])
        elif t == 25:
            life = struct.unpack("!I", opt[4:8])[0]
            out.append("RDNSS(%d) %s" % (life, ",".join(
                str(ipaddress.IPv6Address(opt[j:j + 16])) for j in range(8, n, 16))))
        elif t == 31:
            life = struct.unpack("!I", opt[4:8])[0]
            out.append("DNSSL(%d) %s" % (life, ",".join(d for d in names(opt[8:n]) if d)))
        else:
            out.append("opt%d" % t)
        i += n
    return " ".join(out)


def main():
    # ETH_P_ALL: protocol-specific packet sockets do not see outgoing frames.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((sys.argv[1], 0))
    while True:
        frame = s.recv(65535)
        if frame[12:14] != b"\x86\xdd":
            continue
        ip6 = frame[14:]
        nxt = ip6[6]
        src = ipaddress.IPv6Address(ip6[8:24])
        dst = ipaddress.IPv6Address(ip6[24:40])
        payload = ip6[40:]
        stamp = time.strftime("%H:%M:%S")
        if nxt == 58 and payload[0] == 134:
            print("%s %s > %s %s" % (stamp, src, dst, describe_ra(payload)), flush=True)
        elif nxt == 17:
            sport, dport = struct.unpack("!HH", payload[:4])
            if {sport, dport} & {546, 547}:
                dhcp = payload[8:]
                kind = MSG.get(dhcp[0], str(dhcp[0]))
                opts = [describe6(c, v) for c, v in options(dhcp[4:])]
                print("%s %s > %s DHCPv6 %s %s" % (stamp, src, dst, kind, " ".join(opts)), flush=True)


if __name__ == "__main__":
    main()
