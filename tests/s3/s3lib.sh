# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the s3 suite's tests, after tests/functional/lib.sh. Brings up a real
# object store (tests/lib/s3-server: Ceph's radosgw on 127.0.0.1) in $T/ceph and stops it
# at exit, even on failure. An object store that does not come up FAILS the test.
# Every check of what is in the bucket goes through an independent S3 client:
# tests/s3/s3cli.py (python3-boto3 from Debian), never curl or linecap's own code.
#   s3_get KEY OUT        download the object
#   s3_head_etag KEY      its ETag
#   s3_keys PREFIX        the keys under PREFIX, one a line (sorted)
#   s3_same LOCAL KEY     fail unless the object's bytes equal the local file's
#   s3_put FILE KEY       upload FILE as KEY
#   s3_mirror DIR PREFIX [--exact]   every object under PREFIX downloaded and compared
#                         with DIR/NAME (see s3cli.py); fails on any difference
#   past_names DIR        wait until the clock is past every DIR/cap-SECONDS.pcap* name
require_cmd python3 cmp
python3 -c "import boto3" 2>/dev/null ||
	fail "python3-boto3 is missing (scripts/setup --s3 installs it)"
S3CLI=$(dirname "${BASH_SOURCE[0]}")/s3cli.py

[ -n "${S3_SERVER:-}" ] || fail "S3_SERVER is not set (run through meson test)"
S3D=$T/ceph
s3_cleanup() {
	"$S3_SERVER" stop "$S3D" >/dev/null 2>&1 || true
	cleanup
}
trap s3_cleanup EXIT
"$S3_SERVER" start "$S3D" || fail "the Ceph object store did not come up (tests/lib/s3-server)"
# shellcheck disable=SC1091
source "$S3D/env"
s3cli() { python3 "$S3CLI" "$@"; }

s3_get() { s3cli get "$1" "$2" 2>"$T/s3cli.err" || { show "$T/s3cli.err" >&2; fail "GET $1 failed"; }; }

s3_head_etag() { s3cli etag "$1"; }

s3_keys() { s3cli keys "$1" || fail "listing $1 failed"; }

s3_same() {
	s3cli same "$1" "$2" 2>"$T/s3cli.err" ||
		{ show "$T/s3cli.err" >&2; fail "object $2 differs from $1 (or cannot be read)"; }
}

s3_put() { s3cli put "$1" "$2" 2>"$T/s3cli.err" || { show "$T/s3cli.err" >&2; fail "PUT $2 failed"; }; }

s3_mirror() {
	s3cli mirror "$@" >"$T/mirror.out" 2>"$T/mirror.err" ||
		{ show "$T/mirror.err" 40 >&2; fail "the objects under $2 are not the files of $1"; }
	cat "$T/mirror.out"
}

# upload_args NODE PREFIX: the --upload options for this store
upload_args() {
	printf '%s\n' --upload "s3://$S3_BUCKET/$2" --s3-endpoint "$S3_ENDPOINT" --node "$1"
}

# check_all_uploaded DIR PREFIX NODE: the objects under PREFIX/NODE/ are exactly the
# finished files of DIR (captures and FILE.idx), each downloaded and compared byte for
# byte (s3cli.py mirror --exact); prints the number of capture files
check_all_uploaded() {
	local dir=$1 pre=$2 node=$3
	s3_mirror "$dir" "$pre/$node/" --exact >/dev/null
	find "$dir" -maxdepth 1 -type f ! -name '.*' ! -name '*.part' ! -name '*.idx' | wc -l
}

# past_names DIR: until the wall clock is past every DIR/cap-%s.pcap name so far: with
# -C, -G windows advance at each rotation, so the names of a fast run are ahead of the
# clock (core/rotate.c), and a new run would reuse (overwrite) them.
past_names() {
	local last
	last=$(find "$1" -maxdepth 1 -name 'cap-*' -printf '%f\n' | sed -n 's/^cap-\([0-9]*\)\.pcap.*/\1/p' | sort -n | tail -1)
	while [ "$(date +%s)" -le "${last:-0}" ]; do sleep 0.2; done
}
