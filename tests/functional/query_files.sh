#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap query on real capture output and on damaged inputs:
#  - merge: a --queues 2 capture (net_pcap) queried with no expression is the union of
#    both files, time stamps never going back, equal to mergecap's merge;
#  - index loss: a missing, corrupt, torn or foreign index gives one warning and the
#    same packets; after linecap index the index is used again (-v says so);
#  - a live .part file is read up to its last whole record; a file that grew after it
#    was indexed is read through its index and then its tail;
#  - a file deleted while the query runs is skipped with a warning;
#  - -w - streams to tcpdump -r -; bad times and expressions exit 2 with one line.
. "$(dirname "$0")/lib.sh"
require_cmd mergecap editcap tcpdump python3
HERE=$(cd "$(dirname "$0")" && pwd)

# text of a pcap for comparison (time stamps at ns)
txt() { tcpdump -r "$1" -tt -nn -x --time-stamp-precision=nano 2>/dev/null; }
npk() { tcpdump -r "$1" -nn 2>/dev/null | wc -l; }

# ---- merge of a --queues 2 capture ----
python3 "$HERE/query_gen.py" "$T" 1 20000 11
D=$T/cap
mkdir "$D"
lc 120 capture -i "net_pcap0,rx_pcap=$T/gen-0.pcap" -w "$D/out-%q.pcap" --queues 2 -c 20000 \
	--duration 60 -q --eal "$EAL"
expect_rc 0
[ -s "$D/out-0.pcap" ] && [ -s "$D/out-1.pcap" ] || fail "--queues 2 did not write two files"
n0=$(npk "$D/out-0.pcap")
n1=$(npk "$D/out-1.pcap")
[ "$n0" -gt 0 ] && [ "$n1" -gt 0 ] || fail "a writer's file is empty ($n0, $n1): no merge to test"
lc 60 query -r "$D" -w "$T/merged.pcap"
expect_rc 0
n=$(npk "$T/merged.pcap")
[ "$n" -eq $((n0 + n1)) ] || fail "merge holds $n packets, the files $n0 + $n1"
check "$PCAPCHECK" monotonic --nano "$T/merged.pcap"
mergecap -F nsecpcap -w "$T/oracle.pcap" "$D/out-1.pcap" "$D/out-0.pcap"
cmp -s <(txt "$T/merged.pcap") <(txt "$T/oracle.pcap") || fail "merge differs from mergecap's"
ok "--queues 2 capture: $n0 + $n1 packets merged in time order, same as mergecap"

# ---- -w - into tcpdump ----
got=$("$LINECAP" query -r "$D" -w - udp 2>/dev/null | tcpdump -r - -nn 2>/dev/null | wc -l)
want=$(tcpdump -r "$T/merged.pcap" -nn udp 2>/dev/null | wc -l)
[ "$got" -eq "$want" ] && [ "$got" -gt 0 ] || fail "query -w - | tcpdump -r - gave $got packets, expected $want"
ok "-w - | tcpdump -r -: $got packets"

# ---- index loss ----
EXPR=(host 10.2.0.3)
lc 60 index --unit-kib 16 --bloom-bytes 512 "$D/out-0.pcap" "$D/out-1.pcap"
expect_rc 0
grep -q 'out-0.pcap: [0-9]* units' "$LC_OUT" || fail "linecap index printed no summary: $(cat "$LC_OUT")"
query_v() { # -> $T/r.pcap, stderr in $LC_ERR
	lc 60 query -v -r "$D" -w "$T/r.pcap" "${EXPR[@]}"
	expect_rc 0
}
query_v
txt "$T/r.pcap" >"$T/ref.txt"
[ -s "$T/ref.txt" ] || fail "the index-loss query matches nothing"
grep -q "2 files (2 indexed" "$LC_ERR" || fail "both indexes not used: $(cat "$LC_ERR")"
! grep -q "index not used\|no index" "$LC_ERR" || fail "warnings with good indexes: $(cat "$LC_ERR")"
same_as_ref() {
	cmp -s <(txt "$T/r.pcap") "$T/ref.txt" || fail "$1: the result changed"
}
cp "$D/out-1.pcap.idx" "$T/good.idx"
rm "$D/out-0.pcap.idx"
query_v
same_as_ref "index deleted"
grep -q "out-0.pcap: no index" "$LC_ERR" || fail "no note for a missing index: $(cat "$LC_ERR")"
grep -q "1 indexed" "$LC_ERR" || fail "-v does not count one index"
ok "deleted index: same packets, one note"
python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[200]^=0x10; open(sys.argv[1],'wb').write(d)" "$D/out-1.pcap.idx"
query_v
same_as_ref "index corrupted"
grep -q "out-1.pcap: index not used (entries checksum" "$LC_ERR" || fail "no warning for a corrupt index: $(cat "$LC_ERR")"
ok "corrupt index: same packets, one warning"
head -c 1000 "$T/good.idx" >"$D/out-1.pcap.idx"
query_v
same_as_ref "index torn"
grep -q "out-1.pcap: index not used" "$LC_ERR" || fail "no warning for a torn index"
cp "$T/good.idx" "$D/out-0.pcap.idx" # out-1's index next to out-0
query_v
same_as_ref "foreign index"
grep -q "out-0.pcap: index not used (it belongs to another file\|out-0.pcap: index not used (stale" "$LC_ERR" ||
	fail "no warning for a foreign index: $(cat "$LC_ERR")"
ok "torn and foreign indexes: same packets, one warning each"
lc 60 index "$D/out-0.pcap" "$D/out-1.pcap"
expect_rc 0
query_v
same_as_ref "re-indexed"
grep -q "2 files (2 indexed" "$LC_ERR" || fail "after linecap index the indexes are not used: $(cat "$LC_ERR")"
! grep -q "index not used\|no index" "$LC_ERR" || fail "warnings after re-indexing"
[ ! -e "$D/out-0.pcap.idx.part" ] || fail "linecap index left a .part behind"
ok "after linecap index: both indexes used again"

# ---- a live .part file, and a file that grew after indexing ----
L=$T/live
mkdir "$L"
python3 "$HERE/query_gen.py" "$L" 2 6000 12
mv "$L/gen-1.pcap" "$L/gen-1.pcap.part"
full=$(npk "$L/gen-1.pcap.part")
head -c 30 "$D/out-0.pcap" | tail -c 20 >>"$L/gen-1.pcap.part" # half a record header
"$LINECAP" index -q --unit-kib 16 "$L/gen-0.pcap"
# gen-0 grows after indexing: append the records of another file
python3 - "$L/gen-0.pcap" "$T/gen-0.pcap" <<'PY'
import struct, sys
# append only whole records, stamped after the file's last one
d = open(sys.argv[2], "rb").read()[:300024]
out, off = [], 24
while off + 16 <= len(d):
    s, u, c, l = struct.unpack("<IIII", d[off:off + 16])
    if off + 16 + c > len(d):
        break
    out.append(struct.pack("<IIII", s + 100, u, c, l) + d[off + 16:off + 16 + c])
    off += 16 + c
open(sys.argv[1], "ab").write(b"".join(out))
PY
lc 60 query -v -r "$L" -w "$T/live.pcap"
expect_rc 0
grep -q "gen-0.pcap: index used" "$LC_ERR" || fail "the grown file's index was not used: $(cat "$LC_ERR")"
mergecap -F nsecpcap -w - "$L/gen-1.pcap.part" "$L/gen-0.pcap" >"$T/live-oracle.pcap" 2>/dev/null || true
n=$(npk "$T/live.pcap")
want=$(($(npk "$L/gen-0.pcap") + full))
[ "$n" -eq "$want" ] || fail "live/grown files: $n packets, expected $want"
lc 60 query -r "$L" -w "$T/live2.pcap" 'tcp'
expect_rc 0
w2=$(($(tcpdump -r "$L/gen-0.pcap" -nn tcp 2>/dev/null | wc -l) + $(head -c -20 "$L/gen-1.pcap.part" | tcpdump -r - -nn tcp 2>/dev/null | wc -l)))
[ "$(npk "$T/live2.pcap")" -eq "$w2" ] || fail "live/grown files with 'tcp': $(npk "$T/live2.pcap") packets, expected $w2"
ok ".part file read to its last whole record; a grown file read through its index, then its tail"

# ---- a file deleted while the query runs ----
V=$T/vanish
mkdir "$V"
python3 "$HERE/query_gen.py" "$V" 1 20000 13
for i in 1 2; do
	editcap -t $((i * 100)) "$V/gen-0.pcap" "$V/g$i.pcap"
done
"$LINECAP" index -q "$V"/*.pcap
"$LINECAP" query -r "$V" -w "$T/v.pcap" --max-mbps 8 2>"$T/v.err" &
qpid=$!
sleep 0.5
rm "$V/g2.pcap"
rc=0
wait "$qpid" || rc=$?
[ "$rc" -eq 0 ] || fail "query exited $rc when a file vanished: $(cat "$T/v.err")"
grep -q "g2.pcap: skipped" "$T/v.err" || fail "no warning for the vanished file: $(cat "$T/v.err")"
[ "$(npk "$T/v.pcap")" -eq $((2 * $(npk "$V/gen-0.pcap"))) ] || fail "wrong packet count after a file vanished"
ok "a file deleted mid-query: skipped with a warning"

# ---- bad input: one line, exit 2 ----
bad() { # WANT_RC ARGS...
	local want=$1
	shift
	lc 30 "$@"
	expect_rc "$want"
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] || fail "$LC_CMD: stderr is not one line: $(cat "$LC_ERR")"
}
bad 2 query -r "$D" -w "$T/x.pcap" --since yesterday
bad 2 query -r "$D" -w "$T/x.pcap" --until 2026-13-01T00:00:00Z
bad 2 query -r "$D" -w "$T/x.pcap" --since 2000 --until 1000
bad 2 query -r "$D" -w "$T/x.pcap" 'host and and'
bad 2 query -r "$D" -w "$T/x.pcap" --bogus
bad 2 query -w "$T/x.pcap" tcp
bad 9 query -r "$T/does-not-exist" -w "$T/x.pcap"
bad 2 index --bloom-bytes 1000 "$D/out-0.pcap"
echo "not a capture" >"$T/junk.pcap"
bad 9 index "$T/junk.pcap"
[ ! -e "$T/junk.pcap.idx" ] && [ ! -e "$T/junk.pcap.idx.part" ] || fail "index of a junk file left a file behind"
ok "bad times, expressions, options and inputs: one line, exit 2 (9 for unreadable inputs)"

# ---- a file tool: quick, no EAL ----
s=$(date +%s%N)
lc 10 query -r "$D/out-0.pcap" -w "$T/q.pcap" host 10.2.0.3
expect_rc 0
ms=$((($(date +%s%N) - s) / 1000000))
[ "$ms" -lt 1000 ] || fail "a small query took $ms ms"
! grep -qi "EAL" "$LC_ERR" || fail "query started the EAL"
ok "small indexed query in $ms ms, no EAL"
