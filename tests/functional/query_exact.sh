#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap query is exact: for tcpdump expressions and time windows on multi-file
# captures (generated many-flow traffic in 3 pcap + 1 pcapng files; tcpdump corpus
# files shifted in time so that they interleave), its output holds the same packets in
# the same order as the oracle: mergecap of the same files, then tcpdump -w EXPR, then
# the window (query_window.py). Compared as tcpdump -tt -nn -x text at ns precision.
# Each case runs with the indexes, and on the generated set also without them.
# mergecap 4.0 takes the LAST of equal time stamps first; linecap keeps input order
# (stable), so the oracle is given the files in reverse order.
. "$(dirname "$0")/lib.sh"
require_cmd mergecap editcap tcpdump python3
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${CORPUS_DIR:-/work/shared/corpus/tcpdump-tests}
BASE=1796083200 # 2026-12-01T00:00:00Z: the generator's clock

G=$T/gen
mkdir -p "$G"
python3 "$HERE/query_gen.py" "$G" 4 40000 3
editcap -F pcapng "$G/gen-3.pcap" "$G/gen-3.pcapng"
rm "$G/gen-3.pcap"
"$LINECAP" index -q --unit-kib 16 --bloom-bytes 512 "$G"/gen-* ||
	fail "linecap index failed on the generated files"
NOIDX=$T/gen-noidx
mkdir -p "$NOIDX"
ln "$G"/gen-*.pcap* "$NOIDX"/
rm -f "$NOIDX"/*.idx

C=$T/corpus
mkdir -p "$C"
for f in afs vrrp various_gre babel_rfc6126bis OSPFv3_with_AH arp-oobr dcb_ets ssh \
	erspan-type-ii-3 bgp-4byte-asn 802.1ad_QinQ; do
	[ -f "$CORPUS/$f.pcap" ] || fail "corpus file $CORPUS/$f.pcap missing"
	first=$(tcpdump -r "$CORPUS/$f.pcap" -tt -nn -c 1 2>/dev/null | cut -d' ' -f1)
	shift_s=$(python3 -c "print(1600000000 - int(float('$first')))")
	editcap -t "$shift_s" "$CORPUS/$f.pcap" "$C/$f.pcap"
done
"$LINECAP" index -q --unit-kib 4 --bloom-bytes 256 "$C"/*.pcap || fail "linecap index failed on the corpus files"

# name|since|until|expression ('-' = none). Times: epoch seconds or RFC 3339.
GEN_CASES=(
	"all|-|-|"
	"window|$BASE.5|$((BASE + 12)).25|"
	"rfc3339|2026-12-01T00:00:10Z|2026-12-01T00:00:20.5Z|tcp"
	"host|-|-|host 10.1.0.77"
	"host-port|-|-|host 10.1.6.46 and port 51604"
	"host-window|$((BASE + 5))|$((BASE + 30))|host 10.2.0.3"
	"src-dst|-|-|src host 10.2.0.5 and src port 80"
	"udp53|-|-|udp and port 53"
	"ip6|-|-|ip6"
	"ip6-host|-|-|host 2001:db8::a"
	"ip6-tcp80|$((BASE + 2))|-|ip6 and tcp port 80"
	"vlan|-|-|vlan 101"
	"vlan-host|-|-|vlan and host 10.2.0.4"
	"len|-|$((BASE + 20))|len > 200"
	"not-tcp|-|-|not tcp"
	"or|-|-|host 10.1.0.77 or host 10.1.1.3"
	"syn|-|-|tcp[13] & 2 != 0"
	"net|-|-|net 10.1.0.0/24 and port 22"
	"sctp|-|-|sctp"
	"icmp-arp|-|-|icmp or arp"
	"arp-host|-|-|host 10.0.0.9"
	"none|-|-|udp port 9"
)
COR_CASES=(
	"all|-|-|"
	"window|1600000100|1600000300|"
	"ip6|-|-|ip6"
	"host|-|-|host 131.151.1.59"
	"host-port|-|-|host 131.151.32.21 and udp port 7001"
	"arp|-|-|arp"
	"vrrp|-|-|host 224.0.0.18"
	"tcp22|-|-|tcp port 22"
	"ip6-host|-|-|host ff02::5"
	"vlan|-|-|vlan"
	"window-ip|1600000010|1600000200|ip and not udp"
)

nonempty=0
cases=0
# run_case SET_DIR NAME SINCE UNTIL EXPR [more linecap args]
run_case() {
	local dir=$1 name=$2 since=$3 until=$4 expr=$5
	shift 5
	local args=() s_ns=- u_ns=- files out=$T/q.pcap ora=$T/oracle.pcap
	[ "$since" = - ] || args+=(--since "$since")
	[ "$until" = - ] || args+=(--until "$until")
	if ! "$LINECAP" query -r "$dir" "${args[@]}" "$@" -w "$out" $expr 2>"$T/q.err"; then
		cat "$T/q.err" >&2
		fail "$name: linecap query $(qcmd -r "$dir" "${args[@]}" "$@" $expr) failed"
	fi
	[ "$since" = - ] || s_ns=$(ns_of "$since")
	[ "$until" = - ] || u_ns=$(ns_of "$until")
	# shellcheck disable=SC2012 # names are ours
	files=$(ls -r "$dir"/* | grep -v '\.idx$')
	# shellcheck disable=SC2086
	mergecap -F nsecpcap -w - $files | tcpdump -r - -w "$T/o1.pcap" $expr 2>/dev/null
	python3 "$HERE/query_window.py" "$T/o1.pcap" "$ora" "$s_ns" "$u_ns"
	tcpdump -r "$out" -tt -nn -x --time-stamp-precision=nano >"$T/q.txt" 2>/dev/null ||
		fail "$name: tcpdump cannot read the query's output"
	tcpdump -r "$ora" -tt -nn -x --time-stamp-precision=nano >"$T/o.txt" 2>/dev/null
	if ! cmp -s "$T/q.txt" "$T/o.txt"; then
		diff "$T/o.txt" "$T/q.txt" | head -20 >&2
		fail "$name ($dir): query and oracle differ ($(grep -c '^[0-9]' "$T/q.txt") vs $(grep -c '^[0-9]' "$T/o.txt") packets)"
	fi
	local n
	n=$(grep -c '^[0-9]' "$T/q.txt" || true)
	[ "$n" -gt 0 ] && nonempty=$((nonempty + 1))
	cases=$((cases + 1))
	ok "$name ($(basename "$dir")${*:+ $*}): $n packets, same as the oracle"
}

# RFC 3339 or epoch seconds -> ns (the oracle's own conversion, not linecap's)
ns_of() {
	python3 - "$1" <<'PY'
import sys, datetime
s = sys.argv[1]
if "-" in s[1:]:
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    whole = int(d.replace(microsecond=0).timestamp())
    print(whole * 10**9 + d.microsecond * 1000)
else:
    w, _, f = s.partition(".")
    print(int(w) * 10**9 + int((f + "000000000")[:9]))
PY
}

for c in "${GEN_CASES[@]}"; do
	IFS='|' read -r name since until expr <<<"$c"
	run_case "$G" "$name" "$since" "$until" "$expr"
	run_case "$NOIDX" "$name" "$since" "$until" "$expr"
done
for c in "${COR_CASES[@]}"; do
	IFS='|' read -r name since until expr <<<"$c"
	run_case "$C" "$name" "$since" "$until" "$expr"
done
# pcapng output, and a throttled read, give the same packets
run_case "$G" host-pcapng - - "host 10.1.0.77" -F pcapng
run_case "$G" window-throttled "$BASE" "$((BASE + 3))" "" --max-mbps 50
[ "$nonempty" -ge 30 ] || fail "only $nonempty of $cases cases matched any packet: the inputs do not exercise the query"

# The index narrows: a one-flow query visits few units and says so with -v.
"$LINECAP" query -v -r "$G" -w "$T/n.pcap" host 10.1.6.46 and port 51604 2>"$T/n.err" ||
	fail "narrowed query failed"
read -r vis tot < <(sed -n 's/.*, \([0-9]*\) of \([0-9]*\) units.*/\1 \2/p' "$T/n.err")
[ -n "$tot" ] && [ "$tot" -gt 100 ] || fail "-v did not report the units ($(cat "$T/n.err"))"
[ "$vis" -lt $((tot / 4)) ] || fail "host+port query visited $vis of $tot units: the key summary did not narrow"
grep -q "keys narrowed" "$T/n.err" || fail "-v does not say the keys narrowed the query"
ok "host+port query visited $vis of $tot units"
# A time window alone visits only the units that overlap it.
"$LINECAP" query -v -r "$G" --since "$((BASE + 10))" --until "$((BASE + 11))" -w "$T/n.pcap" 2>"$T/n.err"
read -r vis tot < <(sed -n 's/.*, \([0-9]*\) of \([0-9]*\) units.*/\1 \2/p' "$T/n.err")
[ "$vis" -lt $((tot / 10)) ] || fail "a 1 s window of ~40 s visited $vis of $tot units"
ok "1 s window visited $vis of $tot units"
# An expression the index cannot narrow says so in one line.
"$LINECAP" query -r "$G" -w "$T/n.pcap" 'len > 100' 2>"$T/n.err"
grep -q "cannot be narrowed" "$T/n.err" || fail "no note for an expression the index cannot narrow"
ok "$cases cases ($nonempty non-empty) equal to mergecap | tcpdump"
