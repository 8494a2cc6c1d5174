#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap capture --index: every capture file gets FILE.idx while it is written,
# byte for byte the index `linecap index` builds for the same file (a copy of it);
# `linecap query -v` uses them and gives the packets of the oracle, in its order: mergecap
# of the files | tcpdump EXPR, compared as tcpdump -tt -x text at ns precision, unsorted.
# Ties: linecap query keeps input order for equal stamps (a directory's files by name,
# digit runs as numbers: `ls -v`), then record order; mergecap 4.0 takes the LAST of
# equal stamps first, so the oracle gets the files in reverse (`ls -v -r`).
# With -C, -W (the pair is deleted together: no orphan
# index), -z (the command sees the file, the index is already beside it),
# --queues 2, and kill -9 (the torn index is never fatal). Bad combinations: one
# line, exit 2.
. "$(dirname "$0")/lib.sh"
require_cmd mergecap tcpdump python3
HERE=$(cd "$(dirname "$0")" && pwd)

G=$T/gen
mkdir -p "$G"
python3 "$HERE/query_gen.py" "$G" 1 40000 5
N=$(tcpdump -nn -r "$G/gen-0.pcap" 2>/dev/null | wc -l)
[ "$N" -gt 30000 ] || fail "generator wrote $N packets"

# packets as text, in file order, stamps at ns precision
txt() { tcpdump -tt -nn -x --time-stamp-precision=nano -r "$1" 2>/dev/null; }
# oracle DIR OUT [EXPR...]: mergecap of DIR's capture files (in reverse of linecap query's
# tie order, see above), then tcpdump EXPR, stamps kept at ns
oracle() {
	local dir=$1 out=$2
	shift 2
	# shellcheck disable=SC2046 # names are ours
	mergecap -F nsecpcap -w - $(ls -v -r "$dir"/* | grep -v '\.idx') |
		tcpdump --time-stamp-precision=nano -nn -r - -w "$out" "$@" 2>/dev/null
}

# check_dir DIR NPACKETS: every capture file has its index, equal to a rebuilt one;
# no index without its file; the query uses them all and equals the oracle.
check_dir() {
	local dir=$1 want=$2 f n=0 got
	for f in "$dir"/*; do
		case $f in *.idx | *.idx.part | */zlog) continue ;; esac
		n=$((n + 1))
		[ -f "$f.idx" ] || fail "$f has no index"
		cp "$f" "$T/copy.pcap"
		rm -f "$T/copy.pcap.idx"
		"$LINECAP" index -q "$T/copy.pcap" || fail "linecap index $f failed"
		cmp -s "$f.idx" "$T/copy.pcap.idx" || fail "$f.idx differs from linecap index's"
	done
	for f in "$dir"/*.idx; do
		[ -f "${f%.idx}" ] || fail "orphan index $f"
	done
	ls "$dir"/*.idx.part >/dev/null 2>&1 && fail "unpublished index left in $dir: $(ls "$dir"/*.idx.part)"
	got=$("$LINECAP" query -r "$dir" -w - 2>/dev/null | tcpdump -nn -r - 2>/dev/null | wc -l)
	[ "$got" = "$want" ] || fail "$dir: the query returns $got packets, captured $want"
	for expr in "host 10.1.0.77" "udp and port 53" "ip6" "vlan"; do
		# shellcheck disable=SC2086
		"$LINECAP" query -v -r "$dir" -w "$T/q.pcap" $expr 2>"$T/q.err" ||
			fail "query '$expr' on $dir failed: $(cat "$T/q.err")"
		grep -q "($n indexed" "$T/q.err" || fail "query -v on $dir: not all $n files indexed: $(cat "$T/q.err")"
		# shellcheck disable=SC2086 # the expression is words
		oracle "$dir" "$T/o.pcap" $expr
		txt "$T/q.pcap" >"$T/q.txt"
		txt "$T/o.pcap" >"$T/o.txt"
		if ! cmp -s "$T/q.txt" "$T/o.txt"; then
			diff "$T/o.txt" "$T/q.txt" | head -10 >&2
			fail "query '$expr' on $dir: not the oracle's packets in the oracle's order"
		fi
		[ -s "$T/q.txt" ] || [ "$expr" = vlan ] || fail "query '$expr' matched nothing: the input does not exercise it"
	done
	ok "$dir: $n files, each with its index (= linecap index), query = oracle, same order"
}

# net_pcap replays the generated file once; -c stops at its last packet.
cap_pcap() {
	local out=$1
	shift
	lc 120 capture -q -i "net_pcap0,rx_pcap=$G/gen-0.pcap" -c "$N" -w "$out" --index "$@"
	[ "$LC_RC" = 0 ] || fail "$LC_CMD: exit $LC_RC: $(cat "$LC_ERR")"
}

mkdir -p "$T/one" "$T/rot" "$T/ring" "$T/q2"
cap_pcap "$T/one/cap.pcap"
check_dir "$T/one" "$N"

printf '#!/bin/sh\n[ -f "$1.idx" ] && echo "ok $1" >>%s || echo "no index $1" >>%s\n' \
	"$T/zlog" "$T/zlog" >"$T/z.sh"
chmod +x "$T/z.sh"
cap_pcap "$T/rot/cap.pcap" -C 1 -z "$T/z.sh"
sleep 0.5
check_dir "$T/rot" "$N"
nf=$(find "$T/rot" -name 'cap.pcap*' ! -name '*.idx' | wc -l)
[ "$nf" -ge 5 ] || fail "-C 1 wrote only $nf files"
[ "$(grep -c '^ok ' "$T/zlog")" = "$nf" ] || fail "-z: $(cat "$T/zlog")"
ok "-C 1: $nf files; -z ran on each with its index beside it"

cap_pcap "$T/ring/cap.pcap" -C 1 -W 2
[ "$(find "$T/ring" -name '*.idx' | wc -l)" = 2 ] || fail "-W 2: indexes: $(ls "$T/ring")"
kept=$(for f in "$T"/ring/cap.pcap?; do tcpdump -nn -r "$f" 2>/dev/null; done | wc -l)
check_dir "$T/ring" "$kept"
ok "-W 2: two files, two indexes, none orphaned"

# Two writers (net_null: empty frames; every unit is opaque, the entries still equal).
lc 120 capture -q -i net_null0,size=64 --queues 2 -c 300000 -C 4 -w "$T/q2/cap-%q.pcap" --index
[ "$LC_RC" = 0 ] || fail "$LC_CMD: exit $LC_RC: $(cat "$LC_ERR")"
for f in "$T"/q2/cap-*; do
	case $f in *.idx) continue ;; esac
	[ -f "$f.idx" ] || fail "$f has no index"
	cp "$f" "$T/copy.pcap"
	rm -f "$T/copy.pcap.idx"
	"$LINECAP" index -q "$T/copy.pcap"
	cmp -s "$f.idx" "$T/copy.pcap.idx" || fail "$f.idx differs from linecap index's"
done
ls "$T"/q2/cap-1.pcap* >/dev/null 2>&1 || fail "--queues 2: no file of writer 1"
"$LINECAP" query -v -r "$T/q2" -w "$T/q.pcap" 2>"$T/q.err" || fail "query on q2: $(cat "$T/q.err")"
got=$(tcpdump -nn -r "$T/q.pcap" 2>/dev/null | wc -l)
[ "$got" = 300000 ] || fail "--queues 2: query returned $got of 300000"
oracle "$T/q2" "$T/o.pcap"
cmp -s <(txt "$T/q.pcap") <(txt "$T/o.pcap") ||
	fail "--queues 2: the query's merge is not mergecap's (order or stamps differ)"
ok "--queues 2 -C 4: every file indexed as linecap index does; query returns all 300000, in mergecap's order"

# kill -9 mid-capture: what is left (published files, .part files, torn indexes)
# never breaks a query.
mkdir -p "$T/k9"
"$LINECAP" capture -q -i net_null0,size=64 -C 2 -w "$T/k9/cap.pcap" --index >/dev/null 2>&1 &
pid=$!
sleep 3
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
# A torn index of the last published name, as a crash while writing it would leave.
for f in "$T"/k9/*.idx; do
	[ -f "$f" ] && truncate -s 100 "$f" && break
done
"$LINECAP" query -v -r "$T/k9" -w "$T/q.pcap" 2>"$T/q.err" || fail "query after kill -9 failed: $(cat "$T/q.err")"
grep -qi "warn\|index" "$T/q.err" || fail "no warning about the torn index: $(cat "$T/q.err")"
tcpdump -nn -r "$T/q.pcap" >/dev/null 2>&1 || fail "query output after kill -9 unreadable"
ok "kill -9: query works ($(head -c 200 "$T/q.err" | tr '\n' ' '))"

# Bad combinations: one line, exit 2.
for args in "-w - --index" "-w /dev/null --index"; do
	# shellcheck disable=SC2086
	lc 120 capture -q -i net_null0 -c 10 $args
	[ "$LC_RC" = 2 ] || fail "$LC_CMD: exit $LC_RC, want 2"
	[ "$(wc -l <"$LC_ERR")" = 1 ] || fail "$LC_CMD: not one line: $(cat "$LC_ERR")"
done
ok "--index refuses -w - and a non-regular file, one line each"
passed_line
