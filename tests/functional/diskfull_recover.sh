#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A full disk that recovers (docs/CLI.md, --on-disk-full and "Exit status"):
# a rotating capture (-C 1 --max-disk 7M) into a 16 MiB tmpfs of which a
# filler takes 15 MiB. The filler goes only once the capture has counted
# write errors (its live line), so the disk was full while it ran, whatever
# the machine's load; the capture is then stopped (SIGINT) by events, not
# by the clock:
#   run:  once it has written more than the whole tmpfs holds after the
#         filler went (retention keeps its files within budget, so the disk
#         never fills again): writing went on by itself;
#   stop: at once after the filler went: the blocks that failed meanwhile
#         are written at exit, all of them (not only the oldest).
# Each run ends in no error state: exit 0 (status 5 only when a file could
# not be completed), yet the loss stays visible: write errors counted in the
# JSON and the summary, and the summary's writer line names the past error
# as recovered. The invariant holds exactly, every remaining file reads back
# valid, and written = the packets in the remaining files + the deleted ones.
if [ -z "${LC_DISKFULL_NS:-}" ]; then
	LC_DISKFULL_NS=1 exec unshare -m "$0" "$@"
fi
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd unshare mount umount jq pgrep

S=$T/small
mkdir -p "$S"
mount -t tmpfs -o size=16m none "$S" || fail "cannot mount a tmpfs in a private mount namespace"
trap 'umount "$S" 2>/dev/null || true; cleanup' EXIT
REC=80 # pcap record of a 64-byte net_null packet: 16-byte header + 64
# More packets than the tmpfs holds as records: written past this after the filler
# went means retention made room, and the disk did not stay full.
TMPFS_RECS=$((16 * 1024 * 1024 / REC))
# The live line (once a second, no -q): "W packets, ... dropped: I interface, R ring, E write"
LIVE='^([0-9]+) packets, .* dropped: [0-9]+ interface, [0-9]+ ring, ([0-9]+) write$'

# live_last: "W E" of the last live line so far ("0 0" if none)
live_last() {
	local l
	l=$(grep -E "$LIVE" "$LC_ERR" | tail -n 1) || true
	[[ $l =~ $LIVE ]] || { echo "0 0"; return 0; }
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

# wait_live PID WHAT TEST: until live_last's "W E" passes TEST (a shell test on $w, $e), 30 s
wait_live() {
	local pid=$1 what=$2 test=$3 w e _
	for _ in $(seq 300); do
		read -r w e < <(live_last)
		eval "$test" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	show "$LC_ERR" 30
	fail "$what (last live line: $w written, $e write errors): $LC_CMD"
}

# recover_case NAME MODE: one capture into the full tmpfs; MODE run or stop (above)
recover_case() {
	local name=$1 mode=$2 pid lpid w0 W E FD BD kept f
	J=$T/$name.json
	rm -f "$S"/* "$S"/.linecap-* 2>/dev/null || true
	head -c 15m /dev/zero >"$S/filler" || fail "cannot fill the test tmpfs"
	LC_CMD="$(qcmd "$LINECAP" capture -i net_null0,size=64 -w "$S/cap.pcap" -C 1 --max-disk 7M \
		--stats-json "$J" --eal "$EAL")"
	LC_RC=0
	: >"$LC_ERR" # not the last case's live lines: the redirect below happens in the child
	timeout -k 5 60 "$LINECAP" capture -i net_null0,size=64 -w "$S/cap.pcap" -C 1 --max-disk 7M \
		--stats-json "$J" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
	pid=$!
	BG_PIDS+=("$pid")
	# shellcheck disable=SC2016 # $e is wait_live's
	wait_live "$pid" "$name: no write error counted while the disk was full" '[ "$e" -gt 0 ]'
	read -r w0 _ < <(live_last)
	rm -f "$S/filler"
	if [ "$mode" = run ]; then
		wait_live "$pid" "$name: writing did not go on after the disk freed up" \
			"[ \"\$w\" -gt $((w0 + TMPFS_RECS)) ]"
	fi
	lpid=$(pgrep -n -P "$pid") || fail "cannot find linecap's pid (child of $pid)"
	kill -INT "$lpid"
	wait "$pid" || LC_RC=$?
	BG_PIDS=()
	expect_rc 0
	check_invariant "$J"
	check_summary "$J"
	W=$(json_get "$J" '.totals.written')
	E=$(json_get "$J" '.totals.dropped_write_error')
	FD=$(json_get "$J" '.retention.files_deleted')
	BD=$(json_get "$J" '.retention.bytes_deleted')
	[ "$E" -gt 0 ] || fail "$name: no write error counted while the disk was full"
	[ "$mode" = stop ] || [ "$FD" -gt 0 ] ||
		fail "$name: retention deleted no file: writing did not go on after the disk freed up"
	grep -Eq '^  writer 0 -> .*, last error: No space left on device \(recovered\)$' "$LC_ERR" ||
		{ show "$LC_ERR" 30; fail "$name: the writer line does not name the past ENOSPC as recovered"; }
	! grep -q '^linecap: cannot complete' "$LC_ERR" ||
		{ show "$LC_ERR" 30; fail "$name: a recovered run reported a file it could not complete"; }
	[ $(((BD - 24 * FD) % REC)) -eq 0 ] ||
		fail "$name: bytes_deleted $BD is not $FD pcap headers + whole $REC-byte records"
	kept=0
	for f in "$S"/cap.pcap*; do
		check "$PCAPCHECK" valid "$f" --nano
		kept=$((kept + $("$PCAPCHECK" count "$f")))
	done
	[ "$W" -eq $((kept + (BD - 24 * FD) / REC)) ] ||
		fail "$name: written $W != $kept packets in the remaining files + $(((BD - 24 * FD) / REC)) deleted"
	ok "$name: disk full, then freed: exit 0, $W written ($kept kept, $FD files deleted), $E write errors counted, files valid"
}

recover_case run run
recover_case stop stop
passed_line
