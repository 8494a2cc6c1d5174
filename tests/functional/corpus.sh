#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# corpus.sh SHARD NSHARDS
#
# Replays every Ethernet (linktype 1) file of the tcpdump test corpus that
# libpcap reads with at least one packet through net_pcap, and checks that
# linecap writes exactly those packets, byte for byte, in order, with
# nanosecond timestamps that never go back. Files are split into NSHARDS
# shards by index (sorted names) so each meson test stays short; two files
# run at a time.
#
# Some corpus files are deliberately malformed: libpcap stops reading them
# early. `pcapcheck count` counts what libpcap reads, which is what net_pcap
# can deliver, and `pcapcheck same` compares against the same prefix.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd tshark

SHARD=${1:?usage: corpus.sh SHARD NSHARDS}
NSHARDS=${2:?usage: corpus.sh SHARD NSHARDS}
[[ $SHARD =~ ^[0-9]+$ && $NSHARDS =~ ^[1-9][0-9]*$ && $SHARD -lt $NSHARDS ]] ||
	fail "bad shard '$SHARD' of '$NSHARDS'"
: "${CORPUS_DIR:?CORPUS_DIR must name the tcpdump test corpus}"
[ -d "$CORPUS_DIR" ] || fail "corpus directory '$CORPUS_DIR' does not exist (shared/corpus/tcpdump-tests beside the repository)"
PARALLEL=${CORPUS_PARALLEL:-2}
PER_FILE_TIMEOUT=60

mapfile -t ALL < <(find "$CORPUS_DIR" -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort)
[ "${#ALL[@]}" -gt 0 ] || fail "corpus directory '$CORPUS_DIR' is empty"

# run_one IDX FILE: writes "PASS name" or "FAIL name: reason" to $T/res-IDX
run_one() {
	local idx=$1 f=$2 name out err n rc=0 line info
	name=$(basename "$f")
	out=$T/out-$idx.pcap
	err=$T/err-$idx
	n=$("$PCAPCHECK" count "$f" 2>/dev/null) || n=0
	info=$("$PCAPCHECK" info "$f" 2>&1 | sed "s|^$f: ||") || true
	timeout -k 5 "$PER_FILE_TIMEOUT" "$LINECAP" capture -i "net_pcap0,rx_pcap=$f" -w "$out" \
		-c "$n" --duration 20 -q --stats-json "$T/stats-$idx.json" --eal "$EAL" \
		>"$T/stdout-$idx" 2>"$err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		case $rc in
		124 | 137) line="timed out after ${PER_FILE_TIMEOUT}s" ;;
		*) line="exit $rc" ;;
		esac
		echo "FAIL $name: linecap $line; stderr: $(grep -v '^$' "$err" | tail -n 3 | tr '\n' '|') [IN: $info]" \
			>"$T/res-$idx"
		return 0
	fi
	# DPDK 22.11's net_pcap hands some records of more than 65,535 bytes over cut short:
	# eth_pcap_rx_jumbo takes the length as a 16-bit number, so it copies caplen mod
	# 65,536 bytes, except when that is less than the first segment's room (2,048 bytes:
	# net_pcap.ini's mbuf_data_room 2,176 less the 128-byte headroom): its first,
	# full-segment copy then wraps the count around and the record arrives whole
	# (ipv6_jumbogram_1.pcap's 65,590 bytes). linecap must write the bytes it got and
	# count such packets as pmd_short. How many, and how long each written record must
	# be, comes from the input file (tshark reads the record lengths), not from linecap:
	# pcapcheck then allows exactly that many prefix-only packets, tshark checks each
	# written length, and linecap's own pmd_short must say the same.
	local short maxcap want_short=0 caps
	maxcap=$(sed -n 's/.* caplen [0-9]*\.\.\([0-9]*\),.*/\1/p' <<<"$info")
	if ! [[ $maxcap =~ ^[0-9]+$ ]]; then
		echo "FAIL $name: no caplen range in pcapcheck info [IN: $info]" >"$T/res-$idx"
		return 0
	fi
	if ((maxcap > 65535)); then
		caps=$(tshark -r "$f" -c "$n" -T fields -e frame.cap_len 2>/dev/null |
			awk '{ c = $1; if (c > 65535 && c % 65536 >= 2048) { c = c % 65536; s++ } print c }
				END { print "short", s + 0 }')
		want_short=$(sed -n 's/^short //p' <<<"$caps")
		if [ "$(tshark -r "$out" -T fields -e frame.cap_len 2>/dev/null)" != "$(sed '$d' <<<"$caps")" ]; then
			echo "FAIL $name: the written record lengths are not the input's as net_pcap cuts them ($want_short cut short) [IN: $info]" >"$T/res-$idx"
			return 0
		fi
	fi
	short=$(jq -r '.totals.pmd_short' "$T/stats-$idx.json" 2>/dev/null) || short=''
	if [ "$short" != "$want_short" ]; then
		echo "FAIL $name: linecap's pmd_short is '$short', the input has $want_short records net_pcap cuts short [IN: $info]" >"$T/res-$idx"
		return 0
	fi
	short=$want_short
	rc=0
	line=$("$PCAPCHECK" same --short-count "$short" "$f" "$out" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name: $line [IN: $info]" >"$T/res-$idx"
		return 0
	fi
	rc=0
	line=$("$PCAPCHECK" monotonic --nano "$out" 2>/dev/null) || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name: $line [IN: $info]" >"$T/res-$idx"
		return 0
	fi
	if [ "$short" != 0 ]; then short=", $short cut short by the PMD (from the input's lengths), as linecap reported"; else short=""; fi
	echo "PASS $name ($n packets$short)" >"$T/res-$idx"
	rm -f "$out" "$T/stats-$idx.json"
}

eligible=0
skipped_linktype=0
skipped_empty=0
unreadable=0
running=0
started=$(date +%s)
for i in "${!ALL[@]}"; do
	[ $((i % NSHARDS)) -eq "$SHARD" ] || continue
	f=$CORPUS_DIR/${ALL[$i]}
	lt=$("$PCAPCHECK" linktype "$f" 2>/dev/null) || { unreadable=$((unreadable + 1)); continue; }
	if [ "$lt" != 1 ]; then
		skipped_linktype=$((skipped_linktype + 1))
		continue
	fi
	n=$("$PCAPCHECK" count "$f" 2>/dev/null) || { unreadable=$((unreadable + 1)); continue; }
	if [ "$n" -lt 1 ]; then
		skipped_empty=$((skipped_empty + 1))
		continue
	fi
	if [[ $f == *,* ]]; then
		# a comma would split the devargs; nothing in the corpus has one
		echo "FAIL ${ALL[$i]}: file name contains ',' and cannot be passed as rx_pcap=" >"$T/res-$i"
		eligible=$((eligible + 1))
		continue
	fi
	eligible=$((eligible + 1))
	run_one "$i" "$f" &
	BG_PIDS+=($!)
	running=$((running + 1))
	if [ "$running" -ge "$PARALLEL" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait || true
BG_PIDS=()

checked=0
failed=0
shopt -s nullglob
for r in "$T"/res-*; do
	checked=$((checked + 1))
	if grep -q '^FAIL' "$r"; then
		failed=$((failed + 1))
		cat "$r"
	fi
done
[ "$checked" -eq "$eligible" ] ||
	fail "only $checked results for $eligible eligible files (a worker died?)"

echo "corpus shard $SHARD/$NSHARDS: $checked files checked, $failed failed," \
	"$((checked - failed)) passed ($skipped_linktype not Ethernet, $skipped_empty empty," \
	"$unreadable unreadable by libpcap: not eligible) in $(($(date +%s) - started))s"
[ "$checked" -gt 0 ] || fail "shard $SHARD/$NSHARDS has no eligible file"
[ "$failed" -eq 0 ] || fail "$failed of $checked corpus files failed (listed above)"
