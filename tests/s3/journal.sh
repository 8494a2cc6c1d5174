#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The upload journal DIR/.linecap-uploaded stays bounded in a long run and valid through
# kill -9 (engine/upload/upload_state.c; Ceph radosgw on 127.0.0.1, tests/lib/s3-server):
#   1. many small rotations (-C 1, about 150 files) with --keep-local 2M: every file is
#      uploaded, and the journal, read every 20 ms through the run, never holds more
#      than 71 lines. The bound: the uploader compacts the journal once it holds more
#      than 2 x KEPT + 64 lines, KEPT = the lines its last rewrite kept (the uploaded
#      files still local: here at most 3, what --keep-local 2M keeps of files of 1 MB
#      and the one just uploaded), so it holds at most 2 x 3 + 65 = 71 lines. Without
#      compaction it holds one line per file uploaded;
#   2. the bucket versioned, a run killed with -9 in the middle of its uploads, after the
#      journal was compacted, then a restart: every local file is in the store,
#      byte-identical (nothing lost), and every object has exactly one version (nothing
#      uploaded twice: the compacted journal still listed every uploaded local file).
# The store is read with boto3 (tests/s3/s3cli.py), independently of linecap.
# shellcheck source=../functional/lib.sh
source "$(dirname "$0")/../functional/lib.sh"
# shellcheck source=s3lib.sh
source "$(dirname "$0")/s3lib.sh"

BOUND=71
s3cli versioning-on || fail "boto3: cannot turn on the bucket's versioning"

# 1. about 150 files of 1 MB, --keep-local 2M: the journal stays within the bound
D=$T/j && mkdir "$D"
J=$D/.linecap-uploaded
mapfile -t UP < <(upload_args nodeJ jr)
timeout -k 5 300 "$LINECAP" capture -i net_null0 -w "$D/cap.pcap" -C 1 -c 1900000 "${UP[@]}" \
	--keep-local 2M --upload-drain 240 --stats-json "$T/j.json" --eal "$EAL" -q \
	>"$LC_OUT" 2>"$LC_ERR" &
pid=$!
BG_PIDS+=("$pid")
while kill -0 "$pid" 2>/dev/null; do
	[ ! -e "$J" ] || wc -l <"$J"
	sleep 0.02
done >"$T/lines"
rc=0
wait "$pid" || rc=$?
BG_PIDS=()
[ "$rc" = 0 ] || { show "$LC_ERR"; fail "capture --upload --keep-local 2M: exit status $rc"; }
check_invariant "$T/j.json"
files=$(json_get "$T/j.json" '.writers[0].files')
[ "$files" -ge 100 ] || fail "only $files files for 1900000 packets with -C 1"
jq -e '.upload | .files_uploaded == $n and .files_lost_unuploaded == 0 and .backlog_files == 0' \
	--argjson n "$files" "$T/j.json" >/dev/null ||
	{ jq .upload "$T/j.json"; fail "not every one of the $files files uploaded (JSON)"; }
reads=$(wc -l <"$T/lines")
[ "$reads" -ge 20 ] || fail "the journal was read only $reads times during the run"
peak=$(sort -n "$T/lines" | tail -1)
[ "$peak" -le "$BOUND" ] || fail "the journal held $peak lines for $files files (bound $BOUND)"
[ "$(wc -l <"$J")" -le "$BOUND" ] || { show "$J"; fail "the journal ends with more than $BOUND lines"; }
for f in "$D"/cap.pcap*; do # every uploaded file still local is listed, as it is
	grep -qx "$(stat -c %s "$f") [0-9]* $(basename "$f")" "$J" ||
		{ show "$J"; fail "the journal does not list $(basename "$f")"; }
done
[ "$(s3_keys jr/nodeJ/ | wc -l)" -eq "$files" ] || fail "not $files objects under jr/nodeJ/"
ok "-C 1 --keep-local 2M: $files files uploaded; the journal, read $reads times, held at most $peak lines (bound $BOUND)"

# 2. kill -9 after a compaction, mid-upload; then a restart
D2=$T/k && mkdir "$D2"
J=$D2/.linecap-uploaded
W="$D2/cap-%s.pcap" # -G 1: the restart's names differ from the killed run's
mapfile -t UP < <(upload_args nodeK jr)
timeout -k 5 300 "$LINECAP" capture -i net_null0 -w "$W" -G 1 -C 1 -c 2500000 "${UP[@]}" \
	--keep-local 2M --upload-drain 240 --eal "$EAL" -q >"$LC_OUT" 2>"$LC_ERR" &
pid=$!
BG_PIDS+=("$pid")
peak=0 low=0
for _ in $(seq 6000); do # up to 2 min: a compaction (the count falls), then 10 uploads
	n=$(wc -l 2>/dev/null <"$J" || echo 0)
	if [ "$low" = 0 ] && [ "$n" -lt "$peak" ]; then
		low=$((n + 1))
	elif [ "$low" = 0 ]; then
		peak=$n
	elif [ "$n" -ge $((low + 10)) ] || [ "$n" -lt "$low" ]; then
		break
	fi
	kill -0 "$pid" 2>/dev/null || { show "$LC_ERR"; fail "the run ended before the kill (peak $peak lines)"; }
	sleep 0.02
done
[ "$low" != 0 ] || fail "no compaction seen: the journal grew to $peak lines"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
BG_PIDS=()
left=$(find "$D2" -maxdepth 1 -name 'cap-*' ! -name '*.part' | wc -l)
sleep 2.1 # a .part of the killed run is recovered by the next run (core/recover.c)
past_names "$D2"
lc 300 capture -i net_null0 -w "$W" -G 1 -C 1 -c 1000 "${UP[@]}" --upload-drain 240 \
	--stats-json "$T/k.json" --eal "$EAL" -q
expect_rc 0
[ "$(json_get "$T/k.json" '.upload.backlog_files')" = 0 ] || fail "files still waiting after the restart"
[ "$(json_get "$T/k.json" '.upload.files_lost_unuploaded')" = 0 ] || fail "files lost after the restart"
s3_mirror "$D2" jr/nodeK/ >/dev/null
s3cli versions jr/nodeK/ >"$T/versions" || fail "boto3: listing the versions failed"
keys=$(wc -l <"$T/versions")
awk '$1 != 1' "$T/versions" >"$T/twice"
[ ! -s "$T/twice" ] || { show "$T/twice"; fail "objects uploaded more than once (versions, key)"; }
[ "$keys" -ge "$(find "$D2" -maxdepth 1 -name 'cap-*' ! -name '*.part' | wc -l)" ] ||
	fail "$keys objects for more local files"
ok "kill -9 after a compaction ($peak lines, then $((low - 1))), $left files left: after the restart every local file is in the store, byte-identical, and each of the $keys objects has one version"

passed_line
