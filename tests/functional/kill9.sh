#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# kill -9 during writes, at a random moment, KILL9_TRIALS times (default 30):
#  - with -C rotation: every completed (renamed) file reads back valid; the active
#    .linecap-PID-*.part file is either empty (opened ahead) or `linecap repair` makes
#    it valid;
#  - without rotation (every 5th trial): the output file itself is repaired to valid;
#  - the next run that rotates into the same directory finds the leftovers of a killed
#    run, repairs them and publishes them as linecap-recovered-*.pcap.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

TRIALS=${KILL9_TRIALS:-30}
repaired=0 partial=0 completed=0
for ((i = 1; i <= TRIALS; i++)); do
	d=$T/t$i
	mkdir "$d"
	if ((i % 5 == 0)); then
		args=(-w "$d/plain.pcap" -c 2000000)
	else
		args=(-w "$d/cap.pcap" -C 2 -W 4)
	fi
	"$LINECAP" capture -i net_null0,size=64 "${args[@]}" -q --eal "$EAL" >/dev/null 2>"$d/err" &
	pid=$!
	BG_PIDS+=("$pid")
	# wait until it writes, then a random 0..800 ms more
	for ((k = 0; k < 200; k++)); do
		[ -n "$(find "$d" -type f -size +0 2>/dev/null | head -1)" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	sleep "0.$((RANDOM % 800 + 100))"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	shopt -s nullglob
	for f in "$d"/cap.pcap*; do
		"$PCAPCHECK" valid "$f" >/dev/null || fail "trial $i: completed file $f is not valid"
		completed=$((completed + 1))
	done
	for f in "$d"/.linecap-*.part "$d"/plain.pcap; do
		[ -s "$f" ] || continue
		partial=$((partial + 1))
		out=$("$LINECAP" repair "$f" 2>&1) || fail "trial $i: linecap repair $f failed: $out"
		"$PCAPCHECK" valid "$f" >/dev/null || fail "trial $i: $f still invalid after repair ($out)"
		case $out in *"nothing to repair"*) ;; *) repaired=$((repaired + 1)) ;; esac
	done
	shopt -u nullglob
	rm -rf "$d"
done
echo "  $TRIALS trials: $completed completed files valid, $partial active files valid after repair ($repaired needed a cut)"
((completed > 0)) || fail "no completed file in $TRIALS trials: the test did not exercise rotation"
((partial > 0)) || fail "no active file at the kill in $TRIALS trials"
ok "kill -9 x$TRIALS: completed files valid, active files repaired"

# Leftovers are handled on the next start.
d=$T/next
mkdir "$d"
"$LINECAP" capture -i net_null0,size=64 -w "$d/cap.pcap" -C 2 -q --eal "$EAL" >/dev/null 2>&1 &
pid=$!
BG_PIDS+=("$pid")
for ((k = 0; k < 200; k++)); do
	[ -n "$(find "$d" -name '.linecap-*.part' -size +1k 2>/dev/null | head -1)" ] && break
	sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
left=$(find "$d" -name ".linecap-$pid-*.part" -size +0 | wc -l)
[ "$left" -gt 0 ] || fail "the killed run left no unfinished file to recover"
lc 60 capture -i net_null0,size=64 -w "$d/cap.pcap" -C 2 -c 1000 -q --eal "$EAL"
expect_rc 0
grep -q "recovered .*linecap-recovered-$pid-" "$LC_ERR" || { show "$LC_ERR"; fail "the next run did not say it recovered the killed run's file"; }
[ -z "$(find "$d" -name ".linecap-$pid-*.part")" ] || fail "the killed run's .part files are still there"
for f in "$d"/linecap-recovered-"$pid"-*; do
	check "$PCAPCHECK" valid "$f"
done
ok "the next run repaired and published $left leftover file(s) of the killed run"
