# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the s3 suite's tests, after tests/functional/lib.sh. Brings up a real
# object store (tests/lib/s3-server: Ceph's radosgw on 127.0.0.1) in $T/ceph and stops it
# at exit, even on failure. An object store that does not come up FAILS the test.
#   s3_get KEY OUT        GET the object with curl's own SigV4 (independent of linecap)
#   s3_head_etag KEY      its ETag
#   s3_keys PREFIX        the keys under PREFIX, one a line (ListObjectsV2)
#   s3_same LOCAL KEY     fail unless the object's bytes equal the local file's
require_cmd curl python3 cmp

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
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

s3_curl() { # curl ARGS... signed with SigV4 by curl itself
	curl -s --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H "x-amz-content-sha256: $EMPTY_SHA" "$@"
}

s3_get() {
	local code
	code=$(s3_curl -o "$2" -w '%{http_code}' "$S3_ENDPOINT/$S3_BUCKET/$1")
	[ "$code" = 200 ] || fail "GET $1: HTTP $code"
}

s3_head_etag() {
	s3_curl -I "$S3_ENDPOINT/$S3_BUCKET/$1" | tr -d '\r"' | awk 'tolower($1) == "etag:" { print $2 }'
}

s3_keys() {
	local token='' out=$T/list.xml pre
	pre=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")
	while :; do
		# SigV4 signs the query as written: names sorted, values encoded
		s3_curl -o "$out" "$S3_ENDPOINT/$S3_BUCKET?${token:+continuation-token=$token&}list-type=2&prefix=$pre" ||
			fail "list $1 failed"
		grep -o '<Key>[^<]*</Key>' "$out" | sed 's/<[^>]*>//g'
		grep -q '<IsTruncated>true</IsTruncated>' "$out" || break
		token=$(grep -o '<NextContinuationToken>[^<]*' "$out" | sed 's/.*>//' |
			python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip(), safe=""))')
	done
}

s3_same() {
	s3_get "$2" "$T/got"
	cmp -s "$1" "$T/got" || fail "object $2 differs from $1 ($(stat -c %s "$T/got") vs $(stat -c %s "$1") bytes)"
}

# upload_args NODE PREFIX: the --upload options for this store
upload_args() {
	printf '%s\n' --upload "s3://$S3_BUCKET/$2" --s3-endpoint "$S3_ENDPOINT" --node "$1"
}

# check_all_uploaded DIR PREFIX NODE: every finished file of DIR (and its FILE.idx) is
# an object under PREFIX/NODE, byte for byte; prints the number of capture files
check_all_uploaded() {
	local dir=$1 pre=$2 node=$3 f n=0
	s3_keys "$pre/$node/" >"$T/keys"
	for f in "$dir"/*; do
		case $f in *.part | */.*) continue ;; esac
		[ -f "$f" ] || continue
		grep -qxF "$pre/$node/$(basename "$f")" "$T/keys" ||
			{ show "$T/keys" 50; fail "$f was not uploaded as $pre/$node/$(basename "$f")"; }
		s3_same "$f" "$pre/$node/$(basename "$f")"
		case $f in *.idx) ;; *) n=$((n + 1)) ;; esac
	done
	echo "$n"
}
