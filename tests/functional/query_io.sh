#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap query does not disturb a running capture more than it must (issue 13):
#  - bounded read-ahead: with an index, a one-flow query makes the kernel read from disk
#    (its read_bytes, from getrusage ru_inblock) no more than the candidate units it
#    reads (-v), the index, and a page per region; its reads (strace pread64) are at most
#    1 MiB and never go past a region by more than a page;
#  - no page-cache flood: after a scan of the whole file, almost none of it is left in
#    the page cache (fincore), the pages it read were dropped behind it; the index's
#    pages stay, so a second query of the file reads from disk only its candidate units;
#  - --max-mbps: a scan of S bytes at --max-mbps M takes at least S*8/M us, and gives the
#    same packets as an unthrottled one.
# The capture file's pages are evicted first (fsync + POSIX_FADV_DONTNEED, checked with
# fincore), so the reads really go to the disk.
. "$(dirname "$0")/lib.sh"
require_cmd tcpdump python3 fincore strace /usr/bin/time
HERE=$(cd "$(dirname "$0")" && pwd)

python3 "$HERE/query_gen.py" "$T" 1 150000 17
F=$T/gen-0.pcap
SIZE=$(stat -c %s "$F")
[ "$SIZE" -gt 16000000 ] || fail "generated file is only $SIZE bytes"
"$LINECAP" index -q "$F" || fail "linecap index failed"
IDX=$(stat -c %s "$F.idx")

# evict FILE...: flush and drop their pages; fail if any stays resident
evict() {
	python3 - "$@" <<'PY'
import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
	local f r
	for f in "$@"; do
		r=$(fincore -b -n -o RES "$f" | tr -d ' ')
		[ "$r" = 0 ] || fail "cannot evict $f from the page cache ($r bytes stay resident)"
	done
}
resident() { fincore -b -n -o RES "$1" | tr -d ' '; }

# ---- bounded read-ahead: a one-flow query ----
# a client's side (the generator's server ports are below 9100): one flow
read -r host port < <(tcpdump -nn -r "$F" 'ip and tcp' 2>/dev/null |
	awk '{ split($3, a, "."); if (a[5] + 0 > 9100) { print a[1]"."a[2]"."a[3]"."a[4], a[5]; exit } }')
[ -n "$port" ] || fail "no TCP flow found in the generated file"
EXPR="host $host and port $port"
# The binaries and libraries of the measured command, loaded once unmeasured: after a
# drop_caches their page-ins would count in the read bytes measured below.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 /usr/bin/time -o /dev/null -f '%I' strace -qq -o /dev/null "$LINECAP" --version >/dev/null 2>&1 ||
	fail "linecap --version failed"
evict "$F" "$F.idx"
# shellcheck disable=SC2086 # the expression is words
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 /usr/bin/time -o "$T/time" -f '%I' strace -f -qq -e trace=pread64 -P "$F" -P "$F.idx" \
	-o "$T/strace" "$LINECAP" query -v -r "$F" -w "$T/flow.pcap" $EXPR 2>"$T/q.err" ||
	fail "query '$EXPR' failed: $(cat "$T/q.err")"
read -r vis tot logical < <(sed -n 's/.*, \([0-9]*\) of \([0-9]*\) units, read \([0-9]*\) of.*/\1 \2 \3/p' "$T/q.err")
[ -n "$logical" ] || fail "no -v summary: $(cat "$T/q.err")"
[ "$vis" -gt 0 ] && [ "$vis" -lt $((tot / 4)) ] || fail "the query visited $vis of $tot units: not a narrowed query"
n=$(tcpdump -nn -r "$T/flow.pcap" 2>/dev/null | wc -l)
[ "$n" -gt 0 ] || fail "'$EXPR' matched nothing"
phys=$(($(tail -n 1 "$T/time") * 512))
bound=$((logical + IDX + vis * 8192 + 262144))
[ "$phys" -le "$bound" ] ||
	fail "one-flow query: the kernel read $phys bytes for $logical bytes of units and a $IDX-byte index (bound $bound): read-ahead is not bounded"
ok "one-flow query: $vis of $tot units, $logical bytes of them; the kernel read $phys bytes (index $IDX, bound $bound)"
# Its own reads: at most 1 MiB each, and in total the units plus a page per unit.
read -r calls total biggest < <(awk '$0 ~ "pread64\\(" && $0 ~ /= [0-9]+$/ {
	n++; s += $NF; if ($NF > m) m = $NF } END { printf "%d %d %d\n", n, s, m }' "$T/strace")
[ "$calls" -gt 0 ] || fail "no pread64 in the strace of the query: $(head -c 300 "$T/strace")"
[ "$biggest" -le 1048576 ] || fail "a read of $biggest bytes: more than the 1 MiB bound"
[ "$total" -le $((logical + IDX + vis * 4096 + 65536)) ] ||
	fail "the query's reads total $total bytes for $logical bytes of units and a $IDX-byte index"
ok "its reads: $calls pread64, $total bytes, the largest $biggest bytes"

# ---- no page-cache flood: a full scan ----
evict "$F" "$F.idx"
"$LINECAP" query -v -r "$F" -w "$T/all.pcap" 2>"$T/q.err" || fail "scan failed: $(cat "$T/q.err")"
grep -q "read $SIZE of $SIZE bytes\|read $((SIZE - 24)) of $SIZE bytes" "$T/q.err" ||
	fail "the scan did not read the whole file: $(cat "$T/q.err")"
res=$(resident "$F")
[ "$res" -le 1048576 ] || fail "after the scan $res bytes of the $SIZE-byte capture stay in the page cache"
ok "a scan of $SIZE bytes leaves $res bytes of the capture in the page cache"
evict "$F"
ires=$(resident "$F.idx")
[ "$ires" -ge $((IDX / 4096 * 4096)) ] ||
	fail "after the first query only $ires bytes of the $IDX-byte index stay in the page cache"
# shellcheck disable=SC2086
/usr/bin/time -o "$T/time2" -f '%I' "$LINECAP" query -r "$F" -w "$T/flow2.pcap" $EXPR 2>/dev/null ||
	fail "query failed"
phys2=$(($(tail -n 1 "$T/time2") * 512))
[ "$phys2" -le $((logical + vis * 8192 + 262144)) ] ||
	fail "the second one-flow query read $phys2 bytes from disk for $logical bytes of units: the index was read again"
res=$(resident "$F")
# what stays: the partial pages at the ends of each region, and the file's head
[ "$res" -le $((vis * 8192 + 262144)) ] ||
	fail "after the one-flow query $res bytes of the capture stay in the page cache"
ok "the index ($ires bytes) stays cached: a second one-flow query read $phys2 bytes from disk; $res bytes of the capture stay in the page cache"

# ---- --max-mbps ----
cmp -s "$T/flow.pcap" "$T/flow2.pcap" || fail "the same query twice gave different outputs"
MBPS=$(awk -v s="$SIZE" 'BEGIN { printf "%d", s * 8 / 2.5e6 }') # 2.5 s for the file
start=$(date +%s.%N)
"$LINECAP" query -r "$F" --max-mbps "$MBPS" -w "$T/slow.pcap" 2>"$T/q.err" ||
	fail "--max-mbps query failed: $(cat "$T/q.err")"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
want=$(awk -v s="$SIZE" -v m="$MBPS" 'BEGIN { printf "%.2f", s * 8 / (m * 1e6) }')
awk -v t="$took" -v w="$want" 'BEGIN { exit !(t >= 0.95 * w && t <= w + 20) }' ||
	fail "--max-mbps $MBPS: $SIZE bytes took $took s, expected about $want s"
cmp -s "$T/slow.pcap" "$T/all.pcap" || fail "--max-mbps changed the output"
ok "--max-mbps $MBPS: $SIZE bytes in $took s (at least $want s), same output as unthrottled"
passed_line
