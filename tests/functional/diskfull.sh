#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A full disk: the output is a 16 MiB tmpfs (mounted in a private mount
# namespace, so nothing outside this test sees it). linecap must count every
# packet it cannot store as a write error, keep the invariant exact, stop with
# exit status 5 and one line naming the file and ENOSPC, and leave a file that
# reads back valid with exactly `written` packets.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd unshare mount

mkdir -p "$T/small"

# small_disk_capture FILE ERR PREP ARGS...: `linecap capture -w $S/FILE ARGS` with stderr
# to ERR, where $S is a 16 MiB tmpfs in a private mount namespace. PREP (shell) runs
# first and may use $S; FILE is then copied to $T/FILE. Exit: linecap's, or 90 (no
# mount), 91 (no output file), 92 (PREP failed).
small_disk_capture() {
	local file=$1 err=$2 prep=$3
	shift 3
	timeout -k 5 60 unshare -m sh -c '
		T=$1 file=$2 err=$3 prep=$4 lc=$5
		S=$T/small
		shift 5
		mount -t tmpfs -o size=16m none "$S" || exit 90
		eval "$prep" || exit 92
		"$lc" capture -w "$S/$file" "$@" 2>"$err"
		rc=$?
		wait
		cp "$S/$file" "$T/$file" || exit 91
		exit $rc' sh "$T" "$file" "$err" "$prep" "$LINECAP" "$@"
}

J=$T/full.json
rc=0
small_disk_capture x.pcap "$T/err" : -i net_null0,size=64 --duration 3 -q \
	--stats-json "$J" --eal "$EAL" || rc=$?
[ "$rc" -ne 90 ] || fail "cannot mount a tmpfs in a private mount namespace"
[ "$rc" -ne 91 ] || fail "linecap left no output file on the full disk"
[ "$rc" -eq 5 ] || { cat "$T/err" >&2; fail "exit $rc on a full disk, expected 5"; }
grep -q "^linecap: cannot complete '.*x.pcap': No space left on device$" "$T/err" || {
	cat "$T/err" >&2
	fail "no one-line ENOSPC error naming the file"
}
check_invariant "$J"
W=$(json_get "$J" '.totals.written')
E=$(json_get "$J" '.totals.dropped_write_error')
[ "$W" -gt 0 ] || fail "nothing written before the disk filled"
[ "$E" -gt 0 ] || fail "the disk filled but no write error was counted"
check "$PCAPCHECK" valid "$T/x.pcap" --count "$W" --nano
ok "disk full (--on-disk-full drop, the default): $W written, $E counted as write errors, file valid"

# --on-disk-full stop: capture ends by itself soon after the disk fills (not at
# --duration 30), exit 5, invariant exact, file valid.
J2=$T/stop.json
rc=0
t0=$(date +%s)
small_disk_capture s.pcap "$T/err2" : -i net_null0,size=64 --duration 30 -q \
	--on-disk-full stop --stats-json "$J2" --eal "$EAL" || rc=$?
t=$(($(date +%s) - t0))
[ "$rc" -eq 5 ] || { cat "$T/err2" >&2; fail "--on-disk-full stop: exit $rc, expected 5"; }
[ "$t" -lt 25 ] || fail "--on-disk-full stop: ran ${t}s, i.e. did not stop when the disk filled"
check_invariant "$J2"
W=$(json_get "$J2" '.totals.written')
check "$PCAPCHECK" valid "$T/s.pcap" --count "$W" --nano
ok "--on-disk-full stop: stopped after ${t}s with exit 5, $W written, file valid"

# drop (the default): writing resumes when space returns. Only ~1 MiB is free at the
# start (a filler takes the rest); 1.5 s in, the filler goes: far more than 1 MiB of
# packets must then reach the file.
J3=$T/resume.json
rc=0
# shellcheck disable=SC2016 # $S is expanded inside small_disk_capture's shell
small_disk_capture r.pcap "$T/err3" 'head -c 15m /dev/zero >"$S/filler" && { (sleep 1.5; rm -f "$S/filler") & }' \
	-i net_null0,size=64 --duration 4 -q --stats-json "$J3" --eal "$EAL" || rc=$?
[ "$rc" -ne 92 ] || fail "cannot fill the test tmpfs"
# The disk fills again after the filler goes, so the end is still exit 5.
[ "$rc" -eq 5 ] || { cat "$T/err3" >&2; fail "resume run: exit $rc, expected 5"; }
check_invariant "$J3"
W=$(json_get "$J3" '.totals.written')
E=$(json_get "$J3" '.totals.dropped_write_error')
[ "$W" -gt 100000 ] || fail "only $W packets written: writing did not resume when 15 MiB came free"
[ "$E" -gt 0 ] || fail "no write errors while the disk was full"
check "$PCAPCHECK" valid "$T/r.pcap" --count "$W" --nano
ok "disk full then space back: resumed ($W written, $E write errors), file valid"
