#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Round trip: every Ethernet file of the tcpdump corpus, replayed through
# net_memif into a second linecap that captures the other end, comes back
# byte for byte and in order (pcapcheck same against libpcap's reading of the
# files, 0-byte records excepted: there is no frame to send). Then --loop 3
# --preload. Files linecap refuses (caplen > snaplen, caplen > len) must be
# refused with an offset; replay_malformed.sh covers them.
#
# DPDK 22.11's net_memif garbles some frames that span several memif buffers
# when they are mixed with small ones at the default buffer size (2048): the
# files with frames over 2048 bytes go through a second link with
# bsize=65535 (see docs/CLI.md).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=replay_lib.sh
source "$(dirname "$0")/replay_lib.sh"
: "${CORPUS_DIR:?CORPUS_DIR must name the tcpdump test corpus}"
[ -d "$CORPUS_DIR" ] || fail "corpus directory '$CORPUS_DIR' does not exist"

# One --check over the whole corpus: a line per file on stdout (ok) or stderr
# (refused, with the offset). Ethernet is all replay accepts.
small=() big=()
mapfile -t all < <(find "$CORPUS_DIR" -maxdepth 1 -type f | LC_ALL=C sort)
rargs=()
for f in "${all[@]}"; do rargs+=(-r "$f"); done
rc=0
"$LINECAP" replay --check "${rargs[@]}" >"$T/check.out" 2>"$T/check.err" || rc=$?
[ "$rc" -eq 9 ] || { show "$T/check.err"; fail "replay --check over the corpus: exit $rc, expected 9 (some files are malformed)"; }
while IFS= read -r line; do
	[[ $line =~ ^(.*):\ [0-9]+\ packets,\ max\ caplen\ ([0-9]+),\ ok ]] ||
		fail "unexpected --check line: $line"
	f=${BASH_REMATCH[1]}
	if [ "${BASH_REMATCH[2]}" -le 2048 ]; then small+=("$f"); else big+=("$f"); fi
done <"$T/check.out"
refused=$(wc -l <"$T/check.err")
[ $((refused + ${#small[@]} + ${#big[@]})) -eq "${#all[@]}" ] ||
	fail "--check gave $((refused + ${#small[@]} + ${#big[@]})) lines for ${#all[@]} files"
# every refusal names its offset; Ethernet files are refused only for a bad record
if grep -Ev '^linecap: .*: offset [0-9]+: ' "$T/check.err" | grep -q .; then
	grep -Ev '^linecap: .*: offset [0-9]+: ' "$T/check.err" | head -5
	fail "a refusal without an offset"
fi
eth_refused=$(grep -Evc ': offset [0-9]+: (link type|unknown link type|bad magic)' "$T/check.err" || true)
echo "  $((${#small[@]} + ${#big[@]})) Ethernet files to replay (${#big[@]} with frames over 2048 bytes); $refused refused ($eth_refused for a malformed record, the rest for their link type or magic)"
[ "${#small[@]}" -gt 100 ] || fail "only ${#small[@]} replayable Ethernet files in $CORPUS_DIR"

# round_trip NAME LOOPS MEMIF_ARGS REPLAY_ARGS -- FILES...
round_trip() {
	local name=$1 loops=$2 margs=$3 rargs=() files=() i n
	read -r -a rargs <<<"$4"
	shift 5
	files=("$@")
	local ref=$T/ref-$name.pcap out=$T/out-$name.pcap cat=()
	for ((i = 0; i < loops; i++)); do cat+=("${files[@]}"); done
	check "$PCAPCHECK" cat --skip-empty "$ref" "${cat[@]}"
	n=$("$PCAPCHECK" count "$ref")
	memif_capture "socket=$T/$name.sock$margs" "$out" "$n" 40 --stats-json "$T/cap-$name.json"
	local r=()
	for f in "${files[@]}"; do r+=(-r "$f"); done
	lc 60 replay -i "net_memif0,role=client,socket=$T/$name.sock$margs" "${r[@]}" --loop "$loops" \
		"${rargs[@]}" -q --lcores "$REPLAY_LCORES" --eal "$EAL" --stats-json "$T/rep-$name.json"
	expect_rc 0
	memif_capture_wait
	[ "$(json_get "$T/rep-$name.json" .totals.sent)" -eq "$n" ] ||
		{ show "$LC_ERR"; fail "$name: replay sent $(json_get "$T/rep-$name.json" .totals.sent), expected $n"; }
	[ "$(json_get "$T/rep-$name.json" .invariant_ok)" = true ] || fail "$name: replay invariant broken"
	check_invariant "$T/cap-$name.json"
	check "$PCAPCHECK" same "$ref" "$out"
	ok "$name: $n packets from ${#files[@]} files x $loops came back identical"
	rm -f "$ref" "$out"
}

round_trip small 1 "" "--pps 200000" -- "${small[@]}"
round_trip big 1 ",bsize=65535" "--pps 50000" -- "${big[@]}"
round_trip loop3 3 "" "--pps 300000 --preload" -- "${small[@]:0:100}"
passed_line
