#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the --compress tests after lib.sh.
#   same_records A B        the two pcap files hold the same records: stamps (ns),
#                           lengths and bytes, in order (file headers may differ)
#   decode ZST OUT          zstdcat ZST > OUT, after zstd -t checked every frame
#   frame_starts ZST        offsets of the zstd frames (magic numbers at frame
#                           boundaries, walked with the frame sizes zstd reports)
#   direct_ok DIR           O_DIRECT works in DIR (then the writer must use it)
require_cmd zstd zstdcat python3

same_records() {
	python3 - "$1" "$2" <<'PY'
import struct, sys

def records(path):
    d = open(path, "rb").read()
    if len(d) < 24:
        sys.exit(f"{path}: {len(d)} bytes, no pcap header")
    m = struct.unpack("<I", d[:4])[0]
    if m not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit(f"{path}: magic {m:#x}: not a little-endian pcap")
    ns, off, out = m == 0xa1b23c4d, 24, []
    while off < len(d):
        if off + 16 > len(d):
            sys.exit(f"{path}: torn record header at {off}")
        s, f, c, l = struct.unpack("<IIII", d[off:off + 16])
        if off + 16 + c > len(d):
            sys.exit(f"{path}: torn record at {off}")
        out.append((s * 10**9 + (f if ns else f * 1000), c, l, d[off + 16:off + 16 + c]))
        off += 16 + c
    return out

a, b = records(sys.argv[1]), records(sys.argv[2])
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        sys.exit(f"record {i} differs: {sys.argv[1]} (ts {x[0]}, caplen {x[1]}, len {x[2]}) vs "
                 f"{sys.argv[2]} (ts {y[0]}, caplen {y[1]}, len {y[2]})")
if len(a) != len(b):
    sys.exit(f"{sys.argv[1]} has {len(a)} records, {sys.argv[2]} {len(b)}")
print(f"{len(a)} records identical (stamps, lengths, bytes)")
PY
}

decode() {
	zstd -q -t "$1" 2>"$T/zstd-t.err" || { show "$T/zstd-t.err"; fail "zstd -t $1: a frame does not check"; }
	zstdcat "$1" >"$2" || fail "zstdcat $1 failed"
}

# Walk the frames with their headers: the content size and checksum flags, then the
# blocks (3-byte headers) until the last one. Prints each frame's offset.
frame_starts() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off = 0
while off < len(d):
    if d[off:off + 4] != b"\x28\xb5\x2f\xfd":
        sys.exit(f"no zstd magic at {off}")
    print(off)
    fhd = d[off + 4]
    dict_id = [0, 1, 2, 4][fhd & 3]
    single = (fhd >> 5) & 1
    fcs = [1 if single else 0, 2, 4, 8][fhd >> 6]
    p = off + 5 + (0 if single else 1) + dict_id + fcs
    while True:
        bh = int.from_bytes(d[p:p + 3], "little")
        last, btype, bsize = bh & 1, (bh >> 1) & 3, bh >> 3
        p += 3 + (1 if btype == 1 else bsize)
        if last:
            break
    off = p + (4 if fhd & 4 else 0)
PY
}

direct_ok() {
	dd if=/dev/zero of="$1/.direct-probe" bs=4096 count=1 oflag=direct status=none 2>/dev/null
	local rc=$?
	rm -f "$1/.direct-probe"
	return $rc
}
