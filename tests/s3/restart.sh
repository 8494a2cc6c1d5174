#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# After a restart, finished files that were not uploaded are found and uploaded, and
# nothing is uploaded twice (tests/lib/s3-server: Ceph radosgw on 127.0.0.1):
#   1. files of a capture without --upload are uploaded by the next capture with it;
#   2. a third run uploads only its own files (the journal lists the others);
#   3. kill -9 during the uploads, then a restart: every finished file is in the store
#      exactly once, byte-identical, under its own name (no other object appears); a
#      multipart upload left open under the node's prefix (made with boto3, as a run
#      killed mid-multipart leaves it) is aborted at the restart, another node's is not.
# The store is read with boto3 (tests/s3/s3cli.py), independently of linecap.
# shellcheck source=../functional/lib.sh
source "$(dirname "$0")/../functional/lib.sh"
# shellcheck source=s3lib.sh
source "$(dirname "$0")/s3lib.sh"

D=$T/r && mkdir "$D"
W="$D/cap-%s.pcap" # -G 1: every run's names differ (strftime %s)
mapfile -t UP < <(upload_args nodeR rs)

# objects under rs/nodeR/ == the local files matching cap-*, byte for byte
same_sets() {
	local f
	s3_keys rs/nodeR/ | sort >"$T/keys"
	find "$D" -maxdepth 1 -type f -name 'cap-*' ! -name '*.part' -printf 'rs/nodeR/%f\n' | sort >"$T/local"
	diff "$T/local" "$T/keys" >"$T/diff" || { show "$T/diff" 40; fail "$1: objects differ from the local files"; }
	for f in "$D"/cap-*; do
		s3_same "$f" "rs/nodeR/$(basename "$f")"
	done
}

# 1. no --upload, then --upload: the first run's files are found
lc 120 capture -i net_null0 -w "$W" -G 1 -C 3 -c 150000 --stats-json "$T/r1.json" --eal "$EAL" -q
expect_rc 0
f1=$(json_get "$T/r1.json" '.writers[0].files')
past_names "$D"
lc 120 capture -i net_null0 -w "$W" -G 1 -C 3 -c 1000 "${UP[@]}" --stats-json "$T/r2.json" \
	--eal "$EAL" -q
expect_rc 0
check_invariant "$T/r2.json"
f2=$(json_get "$T/r2.json" '.writers[0].files')
up=$(json_get "$T/r2.json" '.upload.files_uploaded')
[ "$up" -eq $((f1 + f2)) ] || fail "second run uploaded $up files, expected its $f2 + the first run's $f1"
same_sets "restart scan"
ok "a restart uploads the $f1 finished files an earlier run left, and its own $f2"

# 2. nothing twice
past_names "$D"
lc 120 capture -i net_null0 -w "$W" -G 1 -C 3 -c 1000 "${UP[@]}" --stats-json "$T/r3.json" \
	--eal "$EAL" -q
expect_rc 0
f3=$(json_get "$T/r3.json" '.writers[0].files')
up=$(json_get "$T/r3.json" '.upload.files_uploaded')
[ "$up" -eq "$f3" ] || fail "third run uploaded $up files, expected only its own $f3"
same_sets "third run"
ok "a third run uploads only its own $f3 file(s): the journal lists the rest"

# 3. kill -9 while uploading, then restart
past_names "$D"
lines=$(wc -l <"$D/.linecap-uploaded")
timeout -k 5 120 "$LINECAP" capture -i net_null0 -w "$W" -G 1 -C 3 -c 250000 "${UP[@]}" \
	--s3-part-size 5 --eal "$EAL" -q >"$LC_OUT" 2>"$LC_ERR" &
pid=$!
BG_PIDS+=("$pid")
for _ in $(seq 600); do
	[ "$(wc -l <"$D/.linecap-uploaded")" -gt "$lines" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
BG_PIDS=()
sleep 2.1 # a .part of the killed run is recovered by the next run (core/recover.c)
past_names "$D"
s3cli mpu-start rs/nodeR/cap-killed.pcap >/dev/null || fail "boto3: cannot open a multipart upload"
s3cli mpu-start rs/nodeOther/cap-busy.pcap >/dev/null || fail "boto3: cannot open a multipart upload"
lc 120 capture -i net_null0 -w "$W" -G 1 -C 3 -c 1000 "${UP[@]}" --stats-json "$T/r5.json" \
	--eal "$EAL" -q
expect_rc 0
[ "$(json_get "$T/r5.json" '.upload.backlog_files')" = 0 ] || fail "files still waiting after the restart"
same_sets "kill -9 and restart"
ok "kill -9 during the uploads, then a restart: every finished file in the store once, byte-identical"
s3cli mpu-list rs/nodeR/ >"$T/mpu" || fail "boto3: listing multipart uploads failed"
[ ! -s "$T/mpu" ] || { show "$T/mpu"; fail "the restart left open multipart uploads under rs/nodeR/"; }
grep -q 'aborted [1-9][0-9]* stale multipart upload(s) under rs/nodeR/' "$LC_ERR" ||
	{ show "$LC_ERR"; fail "no line about the aborted multipart upload"; }
s3cli mpu-list rs/nodeOther/ >"$T/mpu" || fail "boto3: listing multipart uploads failed"
[ "$(wc -l <"$T/mpu")" = 1 ] || { show "$T/mpu"; fail "another node's open multipart upload was touched"; }
ok "the restart aborted the open multipart upload under rs/nodeR/ (one line), not another node's"

passed_line
