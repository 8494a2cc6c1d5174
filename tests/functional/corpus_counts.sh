#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every file of the tcpdump test corpus, read by linecap's own reader
# (engine/reader/, through `linecap index`) and by tcpdump (libpcap):
#   - a file tcpdump -r reads to its end: linecap reads it too, exit 0, with the same
#     number of packets (tcpdump --count);
#   - a file tcpdump stops reading with an error: linecap either reads the same
#     packets before that point (a file that ends inside a record: its complete
#     records, exit 0), or refuses the file with exactly one line
#     "linecap: FILE: offset N: ..." (exit 9) -- never a crash, a hang, or more
#     packets than tcpdump read.
# Every disagreement is listed, then the test fails.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd tcpdump
: "${CORPUS_DIR:?CORPUS_DIR must name the tcpdump test corpus}"
[ -d "$CORPUS_DIR" ] || fail "corpus directory '$CORPUS_DIR' does not exist"

mapfile -t all < <(find "$CORPUS_DIR" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \) | LC_ALL=C sort)
[ "${#all[@]}" -gt 100 ] || fail "only ${#all[@]} capture files in $CORPUS_DIR"
W=$T/idx
mkdir "$W"
agree=0 both_refuse=0 prefix=0 bad=0
started=$(date +%s)
for f in "${all[@]}"; do
	name=${f##*/}
	# tcpdump: "N packets" on stdout (with --count), the error on stderr, exit 1 after one
	trc=0
	tout=$(timeout -k 5 60 tcpdump --count -r "$f" 2>&1) || trc=$?
	tn=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\}$/\1/p' <<<"$tout" | tail -1)
	[ -n "$tn" ] || tn=0
	# linecap: index a link to the file (the index goes beside the link, not into the corpus)
	ln -sf "$f" "$W/$name"
	lrc=0
	lout=$(timeout -k 5 60 "$LINECAP" index "$W/$name" 2>"$T/err") || lrc=$?
	rm -f "$W/$name" "$W/$name.idx"
	ln_=$(sed -n 's/^.*: [0-9]* units, \([0-9]*\) packets.*/\1/p' <<<"$lout")
	nerr=$(wc -l <"$T/err")
	why=''
	if [ "$lrc" -ne 0 ] && [ "$lrc" -ne 9 ]; then
		why="linecap exit $lrc: $(head -c 300 "$T/err")"
	elif [ "$lrc" -eq 9 ] && { [ "$nerr" -ne 1 ] || ! grep -q "^linecap: $W/$name: offset [0-9]*: " "$T/err"; }; then
		why="refused, but not with one line 'linecap: FILE: offset N: ...': $(head -c 300 "$T/err")"
	elif [ "$trc" -eq 0 ] && [ "$lrc" -ne 0 ]; then
		why="tcpdump reads all $tn packets; linecap refuses: $(cat "$T/err")"
	elif [ "$trc" -eq 0 ] && [ "$ln_" != "$tn" ]; then
		why="tcpdump reads $tn packets, linecap $ln_"
	elif [ "$trc" -ne 0 ] && [ "$lrc" -eq 0 ] && [ "$ln_" != "$tn" ]; then
		why="tcpdump stops after $tn packets ($(tail -1 <<<"$tout")); linecap reads $ln_"
	fi
	if [ -n "$why" ]; then
		echo "DISAGREE $name: $why"
		bad=$((bad + 1))
	elif [ "$trc" -eq 0 ]; then
		agree=$((agree + 1))
	elif [ "$lrc" -eq 0 ]; then
		prefix=$((prefix + 1))
	else
		both_refuse=$((both_refuse + 1))
	fi
done
echo "  ${#all[@]} files in $(($(date +%s) - started))s: $agree read whole by both with equal counts," \
	"$prefix cut short (same packets before the point where tcpdump stops), $both_refuse refused by both," \
	"$bad disagreements"
[ "$bad" -eq 0 ] || fail "$bad corpus files read differently by linecap and tcpdump (listed above)"
ok "${#all[@]} corpus files: linecap's reader and tcpdump agree on every packet count"
passed_line
