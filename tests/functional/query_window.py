#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The oracle's time window: copy the records of a pcap file (us or ns, either byte
order) whose time stamp t satisfies SINCE <= t < UNTIL (ns since the epoch; '-' = no
bound). usage: query_window.py IN OUT SINCE_NS UNTIL_NS"""
import struct
import sys


def main():
    src, dst, since, until = sys.argv[1:5]
    lo = None if since == "-" else int(since)
    hi = None if until == "-" else int(until)
    d = open(src, "rb").read()
    magic = struct.unpack("<I", d[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack(">I", d[:4])[0]
    nano = magic == 0xA1B23C4D
    out = [d[:24]]
    off = 24
    while off + 16 <= len(d):
        sec, frac, cap, _ = struct.unpack(e + "IIII", d[off:off + 16])
        t = sec * 10**9 + (frac if nano else frac * 1000)
        end = off + 16 + cap
        if (lo is None or t >= lo) and (hi is None or t < hi):
            out.append(d[off:end])
        off = end
    open(dst, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
