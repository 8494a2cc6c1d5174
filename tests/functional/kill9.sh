#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# kill -9 during writes, at a random moment, KILL9_TRIALS times (default 30). The source
# is net_pcap reading N numbered 64-byte frames (frame i carries i), so every packet in
# the output says which one it is. Right before each kill this test reads the capture's
# `written` counter through DPDK telemetry (/linecap/stats; `written` = records on the
# medium) and kills at once:
#  - with -C rotation: every completed (renamed) file reads back valid; the active
#    .linecap-PID-*.part file is either empty (opened ahead) or `linecap repair` makes
#    it valid;
#  - without rotation (every 5th trial): the output file itself is repaired to valid;
#  - counts: the files of a trial (completed, then the repaired .part files) hold frames
#    0, 1, 2, ... k-1 in order, without gap or repeat, with written <= k <= N (N: all
#    the source has, and -c N: nothing beyond it can be received; that the frames are
#    exactly 0..k-1 means none was invented or repeated); every 3rd rotating trial keeps only the newest 4 files with -W 4,
#    and there the files hold a run of consecutive frames ending at k-1 >= written-1).
#    A repair that threw packets away, or a file that lost or repeated some, fails;
#  - the next run that rotates into the same directory finds the leftovers of a killed
#    run, repairs them and publishes them as linecap-recovered-*.pcap.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=kill_lib.sh
source "$(dirname "$0")/kill_lib.sh"
# shellcheck source=lib_recover.sh
source "$(dirname "$0")/lib_recover.sh"
require_cmd python3

TRIALS=${KILL9_TRIALS:-30}
N=2000000 # about 2 s of capture here: most kills land mid-capture
IN=$T/seq.pcap
gen_seq "$IN" "$N"

repaired=0 partial=0 completed=0 counted=0
for ((i = 1; i <= TRIALS; i++)); do
	d=$T/t$i
	mkdir "$d"
	from0=1
	if ((i % 5 == 0)); then
		args=(-w "$d/plain.pcap")
	elif ((i % 3 == 0)); then
		args=(-w "$d/cap.pcap" -C 2 -W 4)
		from0=0
	else
		args=(-w "$d/cap.pcap" -C 2)
	fi
	"$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" "${args[@]}" -c "$N" -q --eal "$EAL" >/dev/null 2>"$d/err" &
	pid=$!
	BG_PIDS+=("$pid")
	watch_and_kill "$pid" "$d/last" || { show "$d/err"; fail "trial $i: no telemetry reading before the kill"; }
	wait "$pid" 2>/dev/null || true
	read -r received written <"$d/last"
	shopt -s nullglob
	files=()
	for f in "$d"/cap.pcap*; do
		"$PCAPCHECK" valid "$f" >/dev/null || fail "trial $i: completed file $f is not valid"
		completed=$((completed + 1))
		files+=("$f")
	done
	for f in "$d"/.linecap-*.part "$d"/plain.pcap; do
		[ -s "$f" ] || continue
		partial=$((partial + 1))
		out=$("$LINECAP" repair "$f" 2>&1) || fail "trial $i: linecap repair $f failed: $out"
		"$PCAPCHECK" valid "$f" >/dev/null || fail "trial $i: $f still invalid after repair ($out)"
		case $out in *"nothing to repair"*) ;; *) repaired=$((repaired + 1)) ;; esac
		files+=("$f")
	done
	shopt -u nullglob
	line=$(seq_check "$written" "$from0" "${files[@]}" 2>&1) ||
		fail "trial $i (${args[*]}): $line (last reading before the kill: received $received, written $written)"
	counted=$((counted + 1))
	((i <= 3)) && echo "  trial $i (${args[*]##*/}): before the kill received $received, written $written; in the files: $line"
	rm -rf "$d"
done
echo "  $TRIALS trials: $completed completed files valid, $partial active files valid after repair ($repaired needed a cut)"
((completed > 0)) || fail "no completed file in $TRIALS trials: the test did not exercise rotation"
((partial > 0)) || fail "no active file at the kill in $TRIALS trials"
ok "kill -9 x$TRIALS: completed files valid, active files repaired"
ok "kill -9 x$counted: the files hold every frame telemetry counted as written before the kill, in order, none lost or repeated, none the source did not send"

# Leftovers are handled on the next start.
d=$T/next
mkdir "$d"
kill_at_part "$d" 1k -i net_null0,size=64 -w "$d/cap.pcap" -C 2
pid=$KILLED_PID
left=$(find "$d" -name ".linecap-$pid-*.part" -size +0 | wc -l)
[ "$left" -gt 0 ] || fail "the killed run left no unfinished file to recover"
lc 60 capture -i net_null0,size=64 -w "$d/cap.pcap" -C 2 -c 1000 -q --eal "$EAL"
expect_rc 0
check_recovered "$d" "$pid" "$LC_ERR"
ok "the next run repaired and published $left leftover file(s) of the killed run"
