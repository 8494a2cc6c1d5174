#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Rate accuracy: replay --pps 100000 and --pps 1000000 of 64-byte frames
# through net_memif for 3 s each; the receiving linecap's own timestamps must
# give the requested rate within 2 %. Pacing is on the TSC, so CPU time stolen
# by other processes delays packets but the schedule catches up: the long-run
# rate holds even on a busy machine. (A correctness test of pacing, not a
# speed test: speed is bench/replay.)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=replay_lib.sh
source "$(dirname "$0")/replay_lib.sh"

# 20000 minimal Ethernet/IPv4 frames, each numbered (the receiver keeps 64 B each)
IN=$T/in64.pcap
python3 - "$IN" 20000 <<'PY' || fail "cannot generate $IN"
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        pkt = bytes.fromhex("020000000002020000000001" "0800") + struct.pack(">I", i) + bytes(46)
        f.write(struct.pack("<IIII", 1, i * 1000, len(pkt), len(pkt)) + pkt)
PY
# A sanitizer build costs 2-3x per packet, which 1 Mpps on a shared 2-core machine does
# not absorb: there the 1 Mpps case is held to 10 %; the 2 % bound is checked in the
# optimised (-Werror) build of the same run, and at 100 kpps in both.
SANITIZED=0
[[ $(ldd "$LINECAP" 2>/dev/null) =~ lib(asan|ubsan) ]] && SANITIZED=1
OUTDIR=$(mktemp -d /dev/shm/linecap-rate.XXXXXX)
trap 'cleanup; rm -rf "$OUTDIR"' EXIT

# rate_case PPS LOOPS: 20000 x LOOPS packets at PPS (>= 3 s)
rate_case() {
	local pps=$1 loops=$2 tol=${3:-2} n out got dev
	n=$((20000 * loops))
	out=$OUTDIR/out-$pps.pcap
	dev="socket=$T/rate-$pps.sock,rsize=14"
	memif_capture "$dev" "$out" "$n" 40 --stats-json "$T/cap-$pps.json"
	lc 60 replay -i "net_memif0,role=client,$dev" -r "$IN" --loop "$loops" --pps "$pps" --preload \
		-q --lcores "$REPLAY_LCORES" --eal "$EAL" --stats-json "$T/rep-$pps.json"
	expect_rc 0
	memif_capture_wait
	check_invariant "$T/cap-$pps.json"
	[ "$(json_get "$T/cap-$pps.json" .totals.written)" -eq "$n" ] ||
		fail "$pps pps: receiver wrote $(json_get "$T/cap-$pps.json" .totals.written) of $n packets"
	got=$("$PCAPCHECK" rate "$out" 2>"$T/rate.err") || { show "$T/rate.err"; fail "pcapcheck rate $out"; }
	echo "  requested $pps pps, receiver measured $got pps over $(cat "$T/rate.err" | sed 's/.*over //')"
	python3 -c "import sys; g, w, t = map(float, sys.argv[1:]); sys.exit(0 if abs(g - w) <= t / 100 * w else 1)" "$got" "$pps" "$tol" ||
		fail "--pps $pps: the receiver measured $got pps, more than $tol % off (replay said: $(grep -E '^(Rated|Requested)' "$LC_ERR" | tr '\n' ' '))"
	ok "--pps $pps: receiver measured $got pps (within $tol %)"
	rm -f "$out"
}

rate_case 100000 15
if ((SANITIZED)); then
	rate_case 1000000 150 10
else
	rate_case 1000000 150
fi
passed_line
