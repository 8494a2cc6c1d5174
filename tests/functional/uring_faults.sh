#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# io_uring edge cases (issue 12, defect 4), captures from net_pcap to a
# file opened with O_DIRECT (writes through io_uring):
#   1. a signal storm: SIGSTOP/SIGCONT every few milliseconds interrupts
#      the writer's wait for completions (EINTR), which is not "nothing
#      finished";
#   2. (linecap-fault) every 3rd io_uring submit fails after the write was
#      queued: the write goes with the next submit, never twice;
#   3. (linecap-fault) every 2nd wait for a completion returns EINTR.
# Each: exit 0, the invariant exact, no write error, and the file holds
# every packet of the input, byte for byte, in order (pcapcheck same).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
[ -n "${LINECAP_FAULT:-}" ] && [ -x "$LINECAP_FAULT" ] || fail "LINECAP_FAULT (tests/linecap-fault) is not built"

IN=$T/in.pcap
check "$PCAPCHECK" gen-flows "$IN" 500 200000 77
N=$("$PCAPCHECK" count "$IN")

judge() { # NAME DIR
	local name=$1 dir=$2 e
	[ "$LC_RC" -eq 0 ] || { show "$LC_ERR" 30; fail "$name: exit $LC_RC: $LC_CMD"; }
	grep -q 'O_DIRECT' "$LC_ERR" || { show "$LC_ERR" 30; fail "$name: the file was not written with O_DIRECT (io_uring)"; }
	check_invariant "$dir/s.json"
	e=$(json_get "$dir/s.json" '.totals.dropped_write_error')
	[ "$e" -eq 0 ] || fail "$name: $e packets lost to write errors"
	[ "$(json_get "$dir/s.json" '.totals.written')" -eq "$N" ] || fail "$name: written is not $N"
	check "$PCAPCHECK" same "$IN" "$dir/out.pcap"
}

# 1. Signal storm on the release binary.
dir=$T/storm
mkdir "$dir"
LC_CMD=$(qcmd "$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" -w "$dir/out.pcap" -c "$N" --duration 120)
"$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" -w "$dir/out.pcap" -c "$N" --duration 120 \
	--stats-json "$dir/s.json" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
pid=$!
BG_PIDS+=("$pid")
stops=0
end=$((SECONDS + 150))
while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
	kill -STOP "$pid" 2>/dev/null || break
	sleep 0.001
	kill -CONT "$pid" 2>/dev/null || break
	stops=$((stops + 1))
	sleep 0.003
done
kill -CONT "$pid" 2>/dev/null || true
LC_RC=0
wait "$pid" || LC_RC=$?
BG_PIDS=()
judge "signal storm" "$dir"
ok "signal storm ($stops SIGSTOP/SIGCONT): all $N packets written, no write error"

run_fault() { # NAME VAR=VALUE
	local name=$1 dir=$T/${2%%=*}
	mkdir "$dir"
	LC_CMD="$2 $(qcmd "$LINECAP_FAULT" capture -i "net_pcap0,rx_pcap=$IN" -w "$dir/out.pcap" -c "$N")"
	LC_RC=0
	env "$2" timeout -k 5 120 "$LINECAP_FAULT" capture -i "net_pcap0,rx_pcap=$IN" -w "$dir/out.pcap" \
		-c "$N" --duration 100 --stats-json "$dir/s.json" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" ||
		LC_RC=$?
	judge "$name" "$dir"
	ok "$name: all $N packets written once, no write error"
}
run_fault "every 3rd submit fails after queueing" LINECAP_FAULT_URING_SUBMIT=3
run_fault "every 2nd wait is interrupted" LINECAP_FAULT_URING_EINTR=2
