#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Many-flow test traffic for linecap query: N pcap files ("writers") sharing one
clock, so a time merge interleaves them. Flows: IPv4 and IPv6 TCP/UDP, some
802.1Q and QinQ tagged, IPv6 with hop-by-hop and fragment headers, ICMP, ARP,
SCTP. Some stamps are equal across files (the merge must be stable).

usage: query_gen.py OUTDIR NFILES NPACKETS [SEED] [--ns]
Files: OUTDIR/gen-<i>.pcap; base time 2026-12-01T00:00:00Z, about 1 ms apart.
"""
import os
import random
import struct
import sys

BASE = 1796083200  # 2026-12-01T00:00:00Z


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0,
                    bytes(src), bytes(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, bytes(src),
                       bytes(dst)) + payload


def l4(proto, sport, dport, n):
    body = bytes((n + i) & 0xFF for i in range(n % 200))
    if proto == 6:
        return struct.pack("!HHIIBBHHH", sport, dport, n, 0, 0x50, 0x02 if n % 7 == 0 else 0x10,
                           8192, 0, 0) + body
    if proto == 132:
        return struct.pack("!HHII", sport, dport, 1, 0) + body
    return struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body


def ether(et, payload, tags=()):
    h = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", et) + payload


def make_flows(rng, nflows):
    flows = []
    for i in range(nflows):
        v6 = rng.random() < 0.3
        proto = rng.choice([6, 6, 6, 17, 17, 132]) if rng.random() < 0.97 else 1
        if v6:
            src = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 10 + [i >> 8 & 0xFF, i & 0xFF])
            dst = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [rng.randrange(1, 16)])
        else:
            src = bytes([10, 1 + (i >> 16) % 4, i >> 8 & 0xFF, i & 0xFF])
            dst = bytes([10, 2, 0, rng.randrange(1, 16)])
        sport = rng.randrange(1024, 65535)
        dport = rng.choice([80, 443, 53, 22, 8080, 9000 + i % 50])
        r = rng.random()
        tags = () if r < 0.8 else (((0x8100, 100 + i % 3),) if r < 0.93 else
                                   ((0x88A8, 200), (0x8100, 300 + i % 2)))
        ext = v6 and rng.random() < 0.1
        flows.append((v6, proto, src, dst, sport, dport, tags, ext))
    return flows


def packet(flow, n, rng):
    v6, proto, src, dst, sport, dport, tags, ext = flow
    if rng.random() < 0.5:
        src, dst, sport, dport = dst, src, dport, sport
    if proto == 1:
        payload = struct.pack("!BBHHH", 8, 0, 0, n & 0xFFFF, 1) + b"x" * (n % 64)
        return ether(0x0800, ipv4(src if not v6 else bytes([10, 9, 9, 9]),
                                  dst if not v6 else bytes([10, 9, 9, 8]), 1, payload), tags)
    seg = l4(proto, sport, dport, n)
    if not v6:
        return ether(0x0800, ipv4(src, dst, proto, seg), tags)
    if ext:
        # hop-by-hop (8 bytes) then a first fragment, then the L4 header
        hbh = struct.pack("!BB6s", 44, 0, b"\x01\x04\0\0\0\0")
        frag = struct.pack("!BBHI", proto, 0, 0x0001, n)
        return ether(0x86DD, ipv6(src, dst, 0, hbh + frag + seg), tags)
    return ether(0x86DD, ipv6(src, dst, proto, seg), tags)


def arp(n):
    spa = bytes([10, 0, 0, 1 + n % 20])
    tpa = bytes([10, 0, 0, 9])
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\x02\0\0\0\0\1", spa,
                       b"\0" * 6, tpa)
    return ether(0x0806, body)


def main():
    out, nfiles, npkts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4].isdigit() else 1
    ns = "--ns" in sys.argv
    rng = random.Random(seed)
    flows = make_flows(rng, max(16, npkts // 8))
    files = [open(os.path.join(out, "gen-%d.pcap" % i), "wb") for i in range(nfiles)]
    magic = 0xA1B23C4D if ns else 0xA1B2C3D4
    for f in files:
        f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 262144, 1))
    t = BASE * 10**9
    last = [0] * nfiles
    for n in range(npkts):
        if rng.random() > 0.05:
            t += rng.randrange(1, 2_000_000)
        if not ns:
            t -= t % 1000
        i = rng.randrange(nfiles)
        pkt = arp(n) if rng.random() < 0.01 else packet(rng.choice(flows), n, rng)
        ts = max(t, last[i])
        last[i] = ts
        files[i].write(struct.pack("<IIII", ts // 10**9,
                                   (ts % 10**9) if ns else (ts % 10**9) // 1000,
                                   len(pkt), len(pkt)))
        files[i].write(pkt)
    for f in files:
        f.close()


if __name__ == "__main__":
    main()
