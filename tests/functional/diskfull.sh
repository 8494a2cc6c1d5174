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
J=$T/full.json
rc=0
timeout -k 5 60 unshare -m sh -c '
	mount -t tmpfs -o size=16m none "$1/small" || exit 90
	"$2" capture -i net_null0,size=64 -w "$1/small/x.pcap" --duration 3 -q \
		--stats-json "$1/full.json" --eal "$3" 2>"$1/err"
	rc=$?
	cp "$1/small/x.pcap" "$1/x.pcap" || exit 91
	exit $rc' sh "$T" "$LINECAP" "$EAL" || rc=$?
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
ok "disk full: $W written, $E counted as write errors, file valid"
