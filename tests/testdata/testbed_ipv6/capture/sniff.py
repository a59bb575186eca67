#!/usr/bin/env python3
"""Prints the Neighbor Discovery packets (ICMPv6 133-137) seen on one interface, both directions.
Usage: sniff.py IFNAME  (run inside the namespace)."""
import socket, struct, sys, time

ifname = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))  # ETH_P_ALL: outgoing packets reach only ETH_P_ALL taps
s.bind((ifname, 0))
NAMES = {133: "RS", 134: "RA", 135: "NS", 136: "NA", 137: "Redirect"}
t0 = time.time()
while True:
    try:
        data, addr = s.recvfrom(65535)
    except OSError:  # ENETDOWN before the link is up
        time.sleep(0.05)
        continue
    pkttype = addr[2]  # 0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing
    if len(data) < 14 or data[12:14] != b"\x86\xdd":
        continue
    ip = data[14:]
    if len(ip) < 48 or ip[6] != 58:
        continue
    src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
    dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
    icmp = ip[40:]
    t = icmp[0]
    if t not in NAMES:
        continue
    direction = "out" if pkttype == 4 else "in "
    extra = ""
    if t == 136:
        f = icmp[4]
        target = socket.inet_ntop(socket.AF_INET6, icmp[8:24])
        extra = f"target {target} R={f >> 7 & 1} S={f >> 6 & 1} O={f >> 5 & 1}"
    elif t == 135:
        extra = "target " + socket.inet_ntop(socket.AF_INET6, icmp[8:24])
    elif t == 134:
        extra = f"router_lifetime {struct.unpack('!H', icmp[6:8])[0]} flags 0x{icmp[5]:02x}"
    print(f"{time.strftime('%H:%M:%S', time.localtime())}.{int(time.time() * 1000) % 1000:03d} "
          f"{direction} {NAMES[t]} {src} -> {dst} {extra}", flush=True)
