#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Many-flow traffic for bench/query: one pcap (ns) of NPKTS Ethernet/IPv4 TCP or UDP
packets over NFLOWS flows (every flow at least once, the rest at random, shuffled; half
of each flow's packets go server -> client). Frame sizes with FCS: 64, or imix (64, 570,
1518 B, 7:4:1 as bench/seqpkt), so each record holds SIZE - 4 bytes.

Flow i: client 10.A.B.C (unique per flow), server 172.16.x.y (one of 4096), client
port 1024..65023, server port 80/443/53/22/8080 or 9000..9999; 3 in 4 flows TCP.

usage: flowgen.py OUT.pcap NPKTS NFLOWS 64|imix FLOWS.txt [SEED]
Writes OUT.pcap and FLOWS.txt ("CLIENT_IP CLIENT_PORT" per flow); prints one line:
"packets P flows F record_bytes B" (B = bytes of the records, file header excluded).
"""
import random
import struct
import sys

IMIX = [64, 570, 64, 64, 570, 64, 1518, 64, 570, 64, 570, 64]
SERVICES = [80, 443, 53, 22, 8080]


def flow(i, rng):
    client = bytes([10, 1 + (i >> 16), (i >> 8) & 0xFF, i & 0xFF])
    s = rng.randrange(4096)
    server = bytes([172, 16, s >> 8, s & 0xFF])
    cport = 1024 + rng.randrange(64000)
    sport = rng.choice(SERVICES) if rng.random() < 0.8 else 9000 + rng.randrange(1000)
    proto = 6 if rng.random() < 0.75 else 17
    return client, server, cport, sport, proto


def frame(fl, n, size, reverse):
    client, server, cport, sport, proto = fl
    src, dst, sp, dp = (server, client, sport, cport) if reverse else (client, server, cport, sport)
    caplen = size - 4
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sp, dp, n, 0, 0x50, 0x18, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", sp, dp, caplen - 34, 0)
    ip_len = caplen - 14
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, n & 0xFFFF, 0x4000, 64, proto, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    pkt = eth + ip + l4
    return pkt + bytes(caplen - len(pkt))


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    out, npkts, nflows, size, flows_txt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        sys.argv[4], sys.argv[5]
    rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    if nflows > npkts or nflows > 250 * 65536:
        sys.exit("flowgen: NFLOWS must be <= NPKTS and < 16M")
    if size != "imix" and not (size.isdigit() and 64 <= int(size) <= 1518):
        sys.exit("flowgen: size must be 64..1518 or imix")
    flows = [flow(i, rng) for i in range(nflows)]
    order = list(range(nflows)) + [rng.randrange(nflows) for _ in range(npkts - nflows)]
    rng.shuffle(order)
    total = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for n, i in enumerate(order):
            sz = IMIX[n % len(IMIX)] if size == "imix" else int(size)
            pkt = frame(flows[i], n, sz, rng.random() < 0.5)
            f.write(struct.pack("<IIII", 1796083200 + n // 1000000, (n % 1000000) * 1000,
                                len(pkt), len(pkt)))
            f.write(pkt)
            total += 16 + len(pkt)
    with open(flows_txt, "w") as f:
        for client, _, cport, _, _ in flows:
            f.write("%d.%d.%d.%d %d\n" % (*client, cport))
    print("packets %d flows %d record_bytes %d" % (npkts, nflows, total))


if __name__ == "__main__":
    main()
