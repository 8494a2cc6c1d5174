#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --compress zstd: round trips. The same input (generated many-flow traffic, then
# the tcpdump corpus mix) is captured through net_pcap once without and once with
# compression; both hold exactly the input's packets (pcapcheck same), and the .zst
# file is read back by zstdcat | tcpdump -r -, zstdcat | tshark -r - (tshark 4.0 cannot
# read multi-frame zstd files itself: docs/CLI.md), by linecap query and by linecap replay, each compared record for record (stamps, lengths,
# bytes) with zstdcat's decoding. Also: bad option values, pcapng, -C rotation
# (compressed bytes) with retention, --flush-ms under a trickle, the counters.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=compress_lib.sh
source "$(dirname "$0")/compress_lib.sh"
require_cmd tcpdump tshark
: "${CORPUS_DIR:?CORPUS_DIR must name the tcpdump test corpus}"
[ -d "$CORPUS_DIR" ] || fail "corpus directory '$CORPUS_DIR' does not exist"

# 1. Bad values: one line, exit 2, nothing started.
for v in zstd:99 foo zstd:0 zstd: zstd:3x lz4 zstd:-1; do
	lc 30 capture -i net_null0 -w "$T/x.pcap.zst" --compress "$v" -c 1 --eal "$EAL"
	expect_rc 2
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] && grep -q "^linecap: --compress '$v': expected zstd or zstd:LEVEL with LEVEL 1..19\$" "$LC_ERR" ||
		{ show "$LC_ERR"; fail "--compress $v: not the one-line usage error"; }
done
lc 30 capture -i net_null0 -w - --compress zstd -c 1 --eal "$EAL"
expect_rc 2
[ "$(wc -l <"$LC_ERR")" -eq 1 ] || { show "$LC_ERR"; fail "--compress with -w -: not one line"; }
[ ! -e "$T/x.pcap.zst" ] || fail "a refused run created its output"
ok "bad --compress values (zstd:99, foo, zstd:0, zstd:, zstd:3x, lz4, zstd:-1) and -w -: one line, exit 2"

# capture_pair NAME IN N [ARGS...]: capture IN plainly to $D/NAME.pcap and with
# --compress zstd:3 ARGS to $D/NAME.pcap.zst; both must hold IN's packets; decodes
# the .zst into $D/NAME.dec.pcap and checks the counters against the files.
D=$T/out && mkdir "$D"
capture_pair() {
	local name=$1 in=$2 n=$3 j bin bout
	shift 3
	lc 120 capture -i "net_pcap0,rx_pcap=$in" -w "$D/$name.pcap" -c "$n" --duration 60 -q \
		--stats-json "$T/$name-plain.json" --eal "$EAL"
	expect_rc 0
	check_invariant "$T/$name-plain.json"
	lc 120 capture -i "net_pcap0,rx_pcap=$in" -w "$D/$name.pcap.zst" --compress zstd:3 -c "$n" \
		--duration 60 -q --stats-json "$T/$name.json" --eal "$EAL" "$@"
	expect_rc 0
	j=$T/$name.json
	check_invariant "$j"
	check_summary "$j"
	[ "$(json_get "$j" .totals.written)" -eq "$n" ] || fail "$name: written $(json_get "$j" .totals.written), expected $n"
	decode "$D/$name.pcap.zst" "$D/$name.dec.pcap"
	check "$PCAPCHECK" same "$in" "$D/$name.pcap"
	check "$PCAPCHECK" same "$in" "$D/$name.dec.pcap"
	bin=$(json_get "$j" .compress.bytes_in)
	bout=$(json_get "$j" .compress.bytes_out)
	[ "$bin" -eq "$(stat -c %s "$D/$name.dec.pcap")" ] || fail "$name: bytes_in $bin != decoded size $(stat -c %s "$D/$name.dec.pcap")"
	[ "$bout" -eq "$(stat -c %s "$D/$name.pcap.zst")" ] || fail "$name: bytes_out $bout != file size $(stat -c %s "$D/$name.pcap.zst")"
	[ "$(json_get "$j" .compress.level)" -eq 3 ] || fail "$name: JSON level is not 3"
	[ "$(json_get "$j" .compress.frames)" -eq "$(frame_starts "$D/$name.pcap.zst" | wc -l)" ] ||
		fail "$name: JSON frames $(json_get "$j" .compress.frames) != frames in the file"
	grep -Eq "^$bin bytes compressed to $bout \\(zstd level 3, ratio [0-9.]+, [0-9]+ frames\\)\$" "$LC_ERR" ||
		{ show "$LC_ERR" 30; fail "$name: no compression line in the summary"; }
	if direct_ok "$D"; then
		[ "$(json_get "$j" '.writers[0].o_direct')" = true ] || fail "$name: O_DIRECT works in $D but the writer did not use it"
	fi
	echo "  $name: $n packets, $bin bytes -> $bout bytes of zstd ($(json_get "$j" .compress.frames) frames, ratio $(json_get "$j" .compress.ratio)), O_DIRECT $(json_get "$j" '.writers[0].o_direct')"
}

# read_back NAME N send|check-only: the .zst read by tcpdump (through zstdcat), tshark,
# query, replay --check and (send) a replay through net_pcap.
read_back() {
	local name=$1 n=$2 z=$D/$1.pcap.zst dec=$D/$1.dec.pcap c
	zstdcat "$z" | tcpdump --time-stamp-precision=nano -r - -w "$T/$name.td.pcap" 2>"$T/$name.td-err" ||
		{ show "$T/$name.td-err"; fail "$name: zstdcat | tcpdump -r - failed"; }
	check same_records "$dec" "$T/$name.td.pcap"
	# tshark 4.0 (Debian 12) reads only single-frame zstd files (docs/CLI.md): a pipe.
	zstdcat "$z" | tshark -r - -T fields -e frame.time_epoch -e frame.cap_len -e frame.len >"$T/$name.ts-z" 2>"$T/$name.ts-err" ||
		{ show "$T/$name.ts-err"; fail "$name: zstdcat | tshark -r - failed"; }
	tshark -r "$dec" -T fields -e frame.time_epoch -e frame.cap_len -e frame.len >"$T/$name.ts-d" 2>/dev/null ||
		fail "$name: tshark cannot read the decoded file"
	cmp -s "$T/$name.ts-z" "$T/$name.ts-d" || fail "$name: tshark reads different stamps/lengths from the .zst and its decoding"
	[ "$(wc -l <"$T/$name.ts-z")" -eq "$n" ] || fail "$name: tshark read $(wc -l <"$T/$name.ts-z") packets of $n"
	lc 120 query -r "$z" -w "$T/$name.q.pcap"
	expect_rc 0
	check same_records "$dec" "$T/$name.q.pcap"
	lc 120 query -r "$z" -w "$T/$name.qf.pcap" udp
	expect_rc 0
	lc 120 query -r "$dec" -w "$T/$name.qd.pcap" udp
	expect_rc 0
	cmp -s "$T/$name.qf.pcap" "$T/$name.qd.pcap" || fail "$name: query 'udp' differs between the .zst and its decoding"
	lc 60 replay --check -r "$z"
	expect_rc 0
	grep -q "^$z: $n packets, " "$LC_OUT" || { show "$LC_OUT"; fail "$name: replay --check did not count $n packets"; }
	# net_pcap's tx cuts frames over 16,128 bytes (the corpus has some): sent only when
	# every frame is shorter (the generated traffic).
	if [ "$3" = send ]; then
		lc 180 replay -i "net_pcap1,tx_pcap=$T/$name.rep.pcap" -r "$z" -t -q --eal "$EAL"
		expect_rc 0
		check "$PCAPCHECK" same "$dec" "$T/$name.rep.pcap"
	fi
	lc 30 repair "$z"
	expect_rc 0
	grep -q "^$z: $n packets, nothing to repair\$" "$LC_OUT" || { show "$LC_OUT"; fail "$name: repair of a clean .zst"; }
}

# 2. Generated many-flow traffic.
IN=$T/gen.pcap
N=40000
check "$PCAPCHECK" gen-flows "$IN" 2000 "$N" 77
capture_pair gen "$IN" "$N"
read_back gen "$N" send
ok "generated traffic: compressed and uncompressed captures hold the input; zstdcat|tcpdump, zstdcat|tshark, query (all, 'udp'), replay and repair read the .zst"

# 3. The corpus mix: every Ethernet file libpcap reads, records up to 65,535 bytes
# (net_pcap cuts longer ones: corpus.sh), in one file.
mix=() unreadable=0 other=0
while IFS= read -r f; do
	lt=$("$PCAPCHECK" linktype "$f" 2>/dev/null) || { unreadable=$((unreadable + 1)); continue; }
	[ "$lt" = 1 ] || { other=$((other + 1)); continue; }
	info=$("$PCAPCHECK" info "$f" 2>/dev/null) || { unreadable=$((unreadable + 1)); continue; }
	maxcap=$(sed -n 's/.* caplen [0-9]*\.\.\([0-9]*\),.*/\1/p' <<<"$info")
	[[ $maxcap =~ ^[0-9]+$ ]] && [ "$maxcap" -le 65535 ] || { other=$((other + 1)); continue; }
	mix+=("$f")
done < <(find "$CORPUS_DIR" -maxdepth 1 -type f | LC_ALL=C sort)
[ "${#mix[@]}" -gt 100 ] || fail "only ${#mix[@]} corpus files for the mix"
check "$PCAPCHECK" cat --skip-empty "$T/mix.pcap" "${mix[@]}"
MN=$("$PCAPCHECK" count "$T/mix.pcap")
echo "  corpus mix: ${#mix[@]} files, $MN packets ($unreadable unreadable by libpcap, $other other link types or records over 64 KiB: left out)"
capture_pair mix "$T/mix.pcap" "$MN"
read_back mix "$MN" check-only
ok "corpus mix ($MN packets): the same round trips (replay: --check; net_pcap cannot send its jumbo frames whole)"

# 4. pcapng.
lc 120 capture -i "net_pcap0,rx_pcap=$IN" -w "$D/ng.pcapng.zst" -F pcapng --compress zstd:1 -c "$N" \
	--duration 60 -q --stats-json "$T/ng.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/ng.json"
decode "$D/ng.pcapng.zst" "$D/ng.pcapng"
check "$PCAPCHECK" same "$IN" "$D/ng.pcapng"
c=$(zstdcat "$D/ng.pcapng.zst" | tshark -r - -T fields -e frame.number 2>/dev/null | grep -c '^[0-9]')
[ "$c" -eq "$N" ] || fail "pcapng: zstdcat | tshark -r - read $c packets of $N"
lc 60 query -r "$D/ng.pcapng.zst" -w "$T/ngz.pcap"
expect_rc 0
lc 60 query -r "$D/ng.pcapng" -w "$T/ngd.pcap"
expect_rc 0
cmp -s "$T/ngz.pcap" "$T/ngd.pcap" || fail "pcapng: query output differs between the .zst and its decoding"
ok "pcapng .zst: decodes to the input's packets; zstdcat|tshark and query read it"

# 5. -C counts compressed bytes; every file is complete zstd; retention by those bytes.
R=$T/rot && mkdir "$R"
LIMIT=100000
lc 120 capture -i "net_pcap0,rx_pcap=$IN" -w "$R/cap.pcap.zst" --compress zstd:1 -C 0.1 -c "$N" \
	--duration 60 -q --stats-json "$T/rot.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/rot.json"
files=$(json_get "$T/rot.json" '.writers[0].files')
[ "$files" -ge 3 ] || fail "-C 0.1: only $files files"
list=("$R/cap.pcap.zst")
for ((i = 1; i < files; i++)); do list+=("$R/cap.pcap.zst$i"); done
decs=() total=0
for f in "${list[@]}"; do
	[ -f "$f" ] || { ls "$R"; fail "missing $f"; }
	s=$(stat -c %s "$f")
	[ "$s" -le "$LIMIT" ] || fail "$f: $s compressed bytes, over -C 0.1"
	total=$((total + s))
	decode "$f" "$f.dec"
	decs+=("$f.dec")
done
check "$PCAPCHECK" same "$IN" "${decs[@]}"
[ -z "$(find "$R" -name '.*.part')" ] || fail "-C: temporary files left"
[ "$total" -eq "$(json_get "$T/rot.json" .compress.bytes_out)" ] || fail "-C: files hold $total bytes, JSON bytes_out $(json_get "$T/rot.json" .compress.bytes_out)"
# Retention: a budget of half of what was written, on top of what unpublished files may take.
R2=$T/ret && mkdir "$R2"
BUDGET=$((5 * (LIMIT + 65536) + total / 2))
lc 120 capture -i "net_pcap0,rx_pcap=$IN" -w "$R2/cap.pcap.zst" --compress zstd:1 -C 0.1 -c "$N" \
	--max-disk "$BUDGET" --duration 60 -q --stats-json "$T/ret.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/ret.json"
left=$(find "$R2" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
[ "$left" -le "$BUDGET" ] || fail "--max-disk $BUDGET: $left bytes of files left"
[ "$(json_get "$T/ret.json" .retention.files_deleted)" -gt 0 ] || fail "--max-disk $BUDGET: nothing deleted ($total bytes written)"
for f in "$R2"/*; do zstd -q -t "$f" || fail "retention left a broken $f"; done
ok "-C 0.1 compressed: $files files each <= $LIMIT bytes, complete zstd, together the input; --max-disk counts compressed bytes"

# 6. --flush-ms under a trickle: the packets are readable while capture still runs.
check "$PCAPCHECK" gen-flows "$T/small.pcap" 10 300 5
F=$D/trickle.pcap.zst
timeout -k 5 30 "$LINECAP" capture -i "net_pcap0,rx_pcap=$T/small.pcap" -w "$F" --compress zstd \
	--flush-ms 200 --duration 4 -q --stats-json "$T/tr.json" --eal "$EAL" >"$T/tr.out" 2>"$T/tr.err" &
pid=$!
BG_PIDS+=("$pid")
sleep 2.5
kill -0 "$pid" 2>/dev/null || { show "$T/tr.err"; fail "the trickle capture ended early"; }
zstd -q -t "$F" || fail "--flush-ms: the live .zst does not check"
zstdcat "$F" >"$T/live.pcap"
c=$("$PCAPCHECK" count "$T/live.pcap")
[ "$c" -eq 300 ] || fail "--flush-ms: $c packets readable during the capture, expected 300"
wait "$pid" || { show "$T/tr.err"; fail "the trickle capture failed"; }
BG_PIDS=()
decode "$F" "$D/trickle.pcap"
check "$PCAPCHECK" same "$T/small.pcap" "$D/trickle.pcap"
ok "--flush-ms 200: all 300 packets readable (zstd) while capture runs, and after"

passed_line
