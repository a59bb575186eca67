#!/usr/bin/env python3
"""Listens on rtnetlink groups RTNLGRP_ND_USEROPT (20) and RTNLGRP_IPV6_PREFIX (18) and prints
each RTM_NEWNDUSEROPT / RTM_NEWPREFIX message: raw hex, then decoded. iproute2 cannot show
RTM_NEWNDUSEROPT (it never joins that group), so this is the only way to see them.
Usage: nlmon.py  (run inside the namespace)."""
import socket, struct, time

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
RTM_NEWPREFIX = 52
RTM_NEWNDUSEROPT = 68
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
s.bind((0, 0))
for group in (18, 20):
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)


def ifname(index):
    try:
        return socket.if_indextoname(index)
    except OSError:
        return f"if{index}"


def a6(b):
    return socket.inet_ntop(socket.AF_INET6, b)


def names(b):
    out, label, i = [], [], 0
    while i < len(b):
        n = b[i]
        i += 1
        if n == 0:
            if label:
                out.append(".".join(label))
                label = []
            continue
        label.append(b[i:i + n].decode("ascii", "replace"))
        i += n
    return out


def option(o):
    t, ln = o[0], o[1] * 8
    if t == 25:  # RDNSS
        life = struct.unpack("!I", o[4:8])[0]
        addrs = [a6(o[i:i + 16]) for i in range(8, ln, 16)]
        return f"RDNSS lifetime {life} servers {' '.join(addrs)}"
    if t == 31:  # DNSSL
        life = struct.unpack("!I", o[4:8])[0]
        return f"DNSSL lifetime {life} domains {' '.join(names(o[8:ln]))}"
    return f"option type {t} len {ln} data {o[2:ln].hex()}"


while True:
    data = s.recv(65535)
    off = 0
    while off + 16 <= len(data):
        nlen, ntype, nflags, seq, pid = struct.unpack("=IHHII", data[off:off + 16])
        body = data[off + 16:off + nlen]
        stamp = time.strftime("%H:%M:%S", time.localtime()) + f".{int(time.time() * 1000) % 1000:03d}"
        if ntype == RTM_NEWNDUSEROPT:
            family, _, optlen, index, icmp_type, icmp_code = struct.unpack("=BBHiBB", body[:10])
            opts = body[16:16 + optlen]
            attrs = body[16 + ((optlen + 3) & ~3):]
            src = ""
            while len(attrs) >= 4:
                alen, atype = struct.unpack("=HH", attrs[:4])
                if atype == 1:  # NDUSEROPT_SRCADDR
                    src = a6(attrs[4:20])
                attrs = attrs[(alen + 3) & ~3:]
            decoded, i = [], 0
            while i + 2 <= len(opts) and opts[i + 1]:
                decoded.append(option(opts[i:i + opts[i + 1] * 8]))
                i += opts[i + 1] * 8
            print(f"{stamp} RTM_NEWNDUSEROPT family {family} ifindex {index} ({ifname(index)}) "
                  f"icmp_type {icmp_type} icmp_code {icmp_code} opts_len {optlen} srcaddr {src}: "
                  + "; ".join(decoded), flush=True)
            print(f"  raw {data[off:off + nlen].hex()}", flush=True)
        elif ntype == RTM_NEWPREFIX:
            family, _, _, index, ptype, plen, pflags, _ = struct.unpack("=BBHiBBBB", body[:12])
            attrs, prefix, cache = body[12:], "", ""
            while len(attrs) >= 4:
                alen, atype = struct.unpack("=HH", attrs[:4])
                if atype == 1:
                    prefix = a6(attrs[4:20])
                elif atype == 2:
                    pref, valid = struct.unpack("=II", attrs[4:12])
                    cache = f"preferred {pref} valid {valid}"
                attrs = attrs[(alen + 3) & ~3:]
            print(f"{stamp} RTM_NEWPREFIX ifindex {index} ({ifname(index)}) {prefix}/{plen} "
                  f"type {ptype} prefix_flags 0x{pflags:02x} {cache}", flush=True)
        off += (nlen + 3) & ~3
