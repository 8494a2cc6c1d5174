#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SIGINT and SIGTERM stop an open-ended capture: linecap drains, flushes,
# closes, prints the summary and exits 0 within a few seconds; the stats JSON
# invariant is exact and the file reads back fully valid with `written` packets.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

STOP_WITHIN=5 # seconds from the signal to the exit

# child_of PID: the first process whose parent is PID (from /proc, no procps)
child_of() {
	local p st rest ppid
	for p in /proc/[0-9]*; do
		st=$(cat "$p/stat" 2>/dev/null) || continue
		rest=${st##*) } # after the command name, which may hold spaces
		read -r _ ppid _ <<<"$rest"
		if [ "$ppid" = "$1" ]; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 0
}

run_signal() {
	local sig=$1 out=$T/$1.pcap j=$T/$1.json tpid lpid i rc=0 t0 t1 ms
	LC_CMD="$(qcmd "$LINECAP" capture -i net_null0,size=64 -w "$out" --stats-json "$j" -q --eal "$EAL")"
	# job control on: the background job gets SIGINT's default disposition
	# (a non-interactive shell would start it with SIGINT ignored)
	set -m
	# linecap itself is the job (no timeout wrapper: the signal must reach it at once,
	# and the file grows ~1 GB/s); a hang is caught below and by the EXIT trap.
	"$LINECAP" capture -i net_null0,size=64 -w "$out" --stats-json "$j" -q \
		--eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
	tpid=$!
	lpid=$tpid
	set +m
	BG_PIDS+=("$tpid")

	# capturing = the file has grown past the 24-byte pcap header (<= 20 s)
	for ((i = 0; i < 1000; i++)); do
		[ -f "$out" ] && [ "$(stat -c %s "$out")" -gt 24 ] && break
		if ! kill -0 "$tpid" 2>/dev/null; then
			wait "$tpid" || rc=$?
			echo "stderr:"; show "$LC_ERR" 30
			fail "$sig: linecap exited ($rc) before it was signalled: $LC_CMD"
		fi
		sleep 0.02
	done
	[ "$i" -lt 1000 ] || fail "$sig: nothing written to $out after 20 s: $LC_CMD"
	sleep 0.3 # capturing for real; short: net_null fills ~1 GB/s of disk

	local ign
	ign=$(awk '/^SigIgn:/ { print $2 }' "/proc/$lpid/status")
	if [ "$sig" = INT ] && (((16#$ign & 2) != 0)); then
		fail "test harness: linecap (pid $lpid) was started with SIGINT ignored"
	fi

	t0=$(date +%s%N)
	kill "-$sig" "$lpid"
	while kill -0 "$lpid" 2>/dev/null; do
		t1=$(date +%s%N)
		if (((t1 - t0) / 1000000 > STOP_WITHIN * 1000)); then
			echo "stderr:"; show "$LC_ERR" 30
			fail "$sig: linecap still running ${STOP_WITHIN}s after SIG$sig: $LC_CMD"
		fi
		sleep 0.05
	done
	wait "$tpid" || rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	if [ "$rc" -ne 0 ]; then
		echo "stderr:"; show "$LC_ERR" 30
		fail "$sig: exit status $rc after SIG$sig, expected 0: $LC_CMD"
	fi
	echo "  SIG$sig: exit 0 after ${ms} ms"

	check_summary "$j"
	check_invariant "$j"
	local w
	w=$(json_get "$j" '.totals.written')
	[ "$w" -gt 0 ] || fail "$sig: nothing written"
	# fully valid: exactly `written` whole records, read to EOF without error
	check "$PCAPCHECK" valid "$out" --count "$w" --snaplen 64 --len 64 --nano
	ok "SIG$sig: clean stop in ${ms} ms, $w packets == written, invariant exact"
	rm -f "$out"
}

run_signal INT
run_signal TERM

passed_line
