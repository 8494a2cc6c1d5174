#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# capture --upload to a real object store (Ceph radosgw on 127.0.0.1, tests/lib/s3-server):
#   1. a rotating capture (-C 6, --index, parts of 5 MiB): every finished file and its
#      index arrive under PREFIX/NODE, byte-identical (boto3, tests/s3/s3cli.py, lists the
#      prefix, downloads every object and compares it with the local file); files
#      over the part size are multipart (ETag "-N"); the JSON counts them, nothing waits;
#      the invariant is exact;
#   2. --keep-local: uploaded local copies beyond SIZE are deleted, oldest first;
#   3. --max-disk faster than the uploads: uploaded + files_lost_unuploaded = files;
#   4. bad input: a bad URL, missing or wrong credentials, an unknown bucket and an
#      unreachable endpoint are one line and exit 2, before the EAL.
# shellcheck source=../functional/lib.sh
source "$(dirname "$0")/../functional/lib.sh"
# shellcheck source=s3lib.sh
source "$(dirname "$0")/s3lib.sh"
require_cmd fincore

# 1. rotation, index, multipart
D=$T/up && mkdir "$D"
mapfile -t UP < <(upload_args nodeA runs)
lc 180 capture -i net_null0 -w "$D/cap.pcap" -C 6 -c 250000 --index "${UP[@]}" --s3-part-size 5 \
	--stats-json "$T/up.json" --eal "$EAL" -q
expect_rc 0
check_invariant "$T/up.json"
files=$(json_get "$T/up.json" '.writers[0].files')
[ "$files" -ge 3 ] || fail "only $files files for 250000 packets with -C 6"
[ "$(json_get "$T/up.json" '.upload.files_uploaded')" = "$files" ] ||
	fail "JSON: $(json_get "$T/up.json" '.upload.files_uploaded') files uploaded, $files written"
[ "$(json_get "$T/up.json" '.upload.backlog_files')" = 0 ] || fail "JSON: files still waiting"
[ "$(json_get "$T/up.json" '.upload.files_lost_unuploaded')" = 0 ] || fail "JSON: files lost"
[ "$(find "$D" -name '*.idx' | wc -l)" -eq "$files" ] || { ls -la "$D"; fail "not one index per file"; }
# The uploader drops what it read from the page cache (before the check below reads the files).
res=$(find "$D" -name 'cap*.pcap' -exec fincore -b -n -o RES {} + | awk '{ s += $1 } END { print s + 0 }')
[ "$res" -le $((files * 8192)) ] || fail "after the upload $res bytes of the $files capture files stay in the page cache"
n=$(check_all_uploaded "$D" runs nodeA)
[ "$n" -eq "$files" ] || fail "$n capture files in the store, $files written"
etag=$(s3_head_etag runs/nodeA/cap.pcap)
[[ $etag == *-2 ]] || fail "runs/nodeA/cap.pcap ($(stat -c %s "$D/cap.pcap") bytes) is not a 2-part multipart object: ETag '$etag'"
grep -q "^upload: $files files" "$LC_ERR" || { show "$LC_ERR"; fail "no upload line in the summary"; }
[ "$(wc -l <"$D/.linecap-uploaded")" -eq "$files" ] || fail "the journal does not list the $files files"
ok "-C 6 --index: $files files and their indexes uploaded byte-identical, multipart above 5 MiB (ETag $etag), counted in the JSON and the summary; $res bytes of them left in the page cache"

# 2. --keep-local 7M: the newest uploaded copies stay, within 7 MB
D2=$T/keep && mkdir "$D2"
mapfile -t UP < <(upload_args nodeB runs)
lc 180 capture -i net_null0 -w "$D2/cap.pcap" -C 4 -c 250000 "${UP[@]}" --keep-local 7M \
	--stats-json "$T/keep.json" --eal "$EAL" -q
expect_rc 0
check_invariant "$T/keep.json"
files=$(json_get "$T/keep.json" '.writers[0].files')
[ "$(json_get "$T/keep.json" '.upload.files_uploaded')" = "$files" ] || fail "--keep-local: not every file uploaded"
s3_keys runs/nodeB/ >"$T/keys"
[ "$(wc -l <"$T/keys")" -eq "$files" ] || fail "--keep-local: $(wc -l <"$T/keys") objects for $files files"
local_bytes=$(find "$D2" -type f ! -name '.*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
[ "$local_bytes" -le 7000000 ] || { ls -la "$D2"; fail "--keep-local 7M: $local_bytes bytes kept"; }
last=$(find "$D2" -type f ! -name '.*' | sort -V | tail -1)
[ "$last" = "$D2/cap.pcap$((files - 1))" ] || { ls -la "$D2"; fail "--keep-local did not keep the newest file"; }
s3_same "$last" "runs/nodeB/$(basename "$last")"
ok "--keep-local 7M: $files files uploaded, $local_bytes bytes of the newest kept locally"

# 3. --max-disk faster than the uploads: every file is either uploaded or counted lost
D3=$T/ret && mkdir "$D3"
mapfile -t UP < <(upload_args nodeC runs)
lc 180 capture -i net_null0 -w "$D3/cap.pcap" -C 1 -c 400000 --max-disk 8M "${UP[@]}" \
	--stats-json "$T/ret.json" --eal "$EAL" -q
expect_rc 0
check_invariant "$T/ret.json"
files=$(json_get "$T/ret.json" '.writers[0].files')
up=$(json_get "$T/ret.json" '.upload.files_uploaded')
lost=$(json_get "$T/ret.json" '.upload.files_lost_unuploaded')
deleted=$(json_get "$T/ret.json" '.retention.files_deleted')
[ "$(json_get "$T/ret.json" '.upload.backlog_files')" = 0 ] || fail "--max-disk: files still waiting"
[ $((up + lost)) -eq "$files" ] || fail "--max-disk: $up uploaded + $lost lost != $files files"
[ "$lost" -le "$deleted" ] || fail "--max-disk: $lost lost but only $deleted deleted"
s3_keys runs/nodeC/ >"$T/keys"
[ "$(wc -l <"$T/keys")" -eq "$up" ] || fail "--max-disk: $(wc -l <"$T/keys") objects, $up uploaded"
for f in "$D3"/cap.pcap*; do
	grep -qxF "runs/nodeC/$(basename "$f")" "$T/keys" || fail "--max-disk: local $f was never uploaded"
done
ok "--max-disk 8M with -C 1: $files files = $up uploaded + $lost deleted before upload (counted); every local file is uploaded"

# 4. bad input: one line, exit 2, nothing started
bad() { # WHAT REGEX ARGS...
	local what=$1 re=$2
	shift 2
	lc 60 capture -i net_null0 -w "$T/bad.pcap" -C 1 --eal "$EAL" "$@"
	expect_rc 2
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] || { show "$LC_ERR"; fail "$what: not one line"; }
	grep -Eq -e "$re" "$LC_ERR" || { show "$LC_ERR"; fail "$what: message does not match /$re/"; }
	[ ! -e "$T/bad.pcap" ] || fail "$what: an output file was made"
}
bad "bad URL" "expected s3://BUCKET" --upload "http://$S3_BUCKET/x" --s3-endpoint "$S3_ENDPOINT"
bad "no endpoint" "--s3-endpoint" --upload "s3://$S3_BUCKET/x"
AWS_ACCESS_KEY_ID='' bad "missing credentials" "no credentials" --upload "s3://$S3_BUCKET/x" \
	--s3-endpoint "$S3_ENDPOINT"
AWS_SECRET_ACCESS_KEY=wrong$$ bad "wrong secret" "access denied" --upload "s3://$S3_BUCKET/x" \
	--s3-endpoint "$S3_ENDPOINT"
bad "unknown bucket" "no such bucket" --upload "s3://no-such-bucket-$$/x" --s3-endpoint "$S3_ENDPOINT"
bad "unreachable endpoint" "unreachable" --upload "s3://$S3_BUCKET/x" --s3-endpoint http://127.0.0.1:1
bad "--keep-local alone" "need --upload" --keep-local 1M
ok "bad URL, no endpoint, missing/wrong credentials, unknown bucket, unreachable endpoint, --keep-local alone: one line, exit 2, no file"

passed_line
