#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A full disk that recovers (docs/CLI.md, --on-disk-full and "Exit status"):
# a rotating capture (-C 1 --max-disk 7M) into a 16 MiB tmpfs of which a
# filler takes 15 MiB; 1.5 s in, the filler goes, and retention keeps the
# capture's files within budget from then on, so the disk never fills again.
# The run ends in no error state: exit 0 (status 5 only when a file could not
# be completed), yet the loss stays visible: write errors counted in the
# JSON and the summary, and the summary's writer line names the past error
# as recovered. The invariant holds exactly, every remaining file reads back
# valid, and written = the packets in the remaining files + the deleted ones.
if [ -z "${LC_DISKFULL_NS:-}" ]; then
	LC_DISKFULL_NS=1 exec unshare -m "$0" "$@"
fi
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd unshare mount umount jq

S=$T/small
mkdir -p "$S"
mount -t tmpfs -o size=16m none "$S" || fail "cannot mount a tmpfs in a private mount namespace"
trap 'umount "$S" 2>/dev/null || true; cleanup' EXIT
REC=80 # pcap record of a 64-byte net_null packet: 16-byte header + 64

head -c 15m /dev/zero >"$S/filler" || fail "cannot fill the test tmpfs"
J=$T/rec.json
(sleep 1.5; rm -f "$S/filler") &
BG_PIDS+=("$!")
lc 60 capture -i net_null0,size=64 -w "$S/cap.pcap" -C 1 --max-disk 7M --duration 4 -q \
	--stats-json "$J" --eal "$EAL"
[ ! -e "$S/filler" ] || fail "the filler was not removed during the capture"
expect_rc 0
check_invariant "$J"
check_summary "$J"
W=$(json_get "$J" '.totals.written')
E=$(json_get "$J" '.totals.dropped_write_error')
FD=$(json_get "$J" '.retention.files_deleted')
BD=$(json_get "$J" '.retention.bytes_deleted')
[ "$E" -gt 0 ] || fail "no write error counted while the disk was full"
[ "$FD" -gt 0 ] || fail "retention deleted no file: writing did not go on after the disk freed up"
grep -Eq '^  writer 0 -> .*, last error: No space left on device \(recovered\)$' "$LC_ERR" ||
	{ show "$LC_ERR"; fail "the writer line does not name the past ENOSPC as recovered"; }
! grep -q '^linecap: cannot complete' "$LC_ERR" || { show "$LC_ERR"; fail "a recovered run reported a file it could not complete"; }
[ $(((BD - 24 * FD) % REC)) -eq 0 ] || fail "bytes_deleted $BD is not $FD pcap headers + whole $REC-byte records"
kept=0
for f in "$S"/cap.pcap*; do
	check "$PCAPCHECK" valid "$f" --nano
	kept=$((kept + $("$PCAPCHECK" count "$f")))
done
[ "$W" -eq $((kept + (BD - 24 * FD) / REC)) ] ||
	fail "written $W != $kept packets in the remaining files + $(((BD - 24 * FD) / REC)) deleted"
ok "disk full, then freed: exit 0, $W written ($kept kept, $FD files deleted), $E write errors counted, files valid"
passed_line
