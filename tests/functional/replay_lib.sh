# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the replay tests after lib.sh: a capture on one end of a memif
# link, a replay on the other.
#   memif_capture SOCK_DEVARGS OUT COUNT DURATION [capture args...]
#       starts `linecap capture` as memif server in the background (pid in
#       CAP_PID, stderr in $T/cap.err) and waits until its port is up
#   memif_capture_wait: waits for it, fails on a non-zero exit
# Two lcores each, crossed (capture 0,1 / replay 1,0), so the two busy
# loops (capture worker, replay tx) never share a CPU on a 2-core machine.

CPUS=($(python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0))[:2])))'))
[ "${#CPUS[@]}" -ge 2 ] || fail "needs 2 CPUs, this process may use ${#CPUS[@]}"
CAP_LCORES="${CPUS[0]},${CPUS[1]}"
REPLAY_LCORES="${CPUS[1]},${CPUS[0]}"

memif_capture() {
	local dev=$1 out=$2 count=$3 dur=$4
	shift 4
	CAP_CMD="$(qcmd "$LINECAP" capture -i "net_memif0,role=server,$dev" -w "$out" -c "$count" --duration "$dur" -q --lcores "$CAP_LCORES" --eal "$EAL" "$@")"
	timeout -k 5 $((${dur%.*} + 30)) "$LINECAP" capture -i "net_memif0,role=server,$dev" -w "$out" \
		-c "$count" --duration "$dur" -q --lcores "$CAP_LCORES" --eal "$EAL" "$@" 2>"$T/cap.err" &
	CAP_PID=$!
	BG_PIDS+=("$CAP_PID")
	wait_for "$T/cap.err" '^plan:' "$CAP_PID" "capture ($CAP_CMD)"
}

memif_capture_wait() {
	local rc=0
	wait "$CAP_PID" || rc=$?
	[ "$rc" -eq 0 ] || { show "$T/cap.err"; fail "capture exit $rc: $CAP_CMD"; }
}
