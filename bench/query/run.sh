#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/query/run.sh LINECAP DIR [N]: on the pcap files in DIR (indexed with
# linecap index), time N random one-flow queries (host A and port P, picked from
# the files) and 5 time-window queries with linecap query, against the oracle
# mergecap | tcpdump -r - -w EXPR on the same files; print one line per query and
# the medians. Flows: client side (port > 9100) of the generated traffic. Page cache: warm for both (the numbers compare CPU and bytes read).
set -euo pipefail
L=${1:?usage: run.sh LINECAP DIR [N]}
D=${2:?usage: run.sh LINECAP DIR [N]}
N=${3:-20}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mapfile -t files < <(ls "$D"/*.pcap)
tcpdump -r "${files[0]}" -nn -c 200000 'ip and (tcp or udp)' 2>/dev/null |
	awk '{split($3, a, "."); if (a[5] + 0 > 9100) print a[1]"."a[2]"."a[3]"."a[4], a[5]}' |
	shuf -n "$N" --random-source=<(yes) >"$T/flows"
first=$(tcpdump -r "${files[0]}" -tt -nn -c 1 2>/dev/null | cut -d. -f1)
now() { date +%s.%N; }
printf '%-40s %9s %9s %12s %7s %6s\n' query linecap_s oracle_s bytes_read read% match
run() { # name, linecap args...
	local name=$1 s e lq oq n v
	shift
	s=$(now)
	"$L" query -v -r "$D" -w "$T/q.pcap" "$@" 2>"$T/err"
	e=$(now)
	lq=$(echo "$e - $s" | bc)
	v=$(sed -n 's/.*read \([0-9]*\) of \([0-9]*\) bytes.*/\1 \2/p' "$T/err")
	n=$(tcpdump -r "$T/q.pcap" -nn 2>/dev/null | wc -l)
	echo "$v $n" >"$T/res"
	printf '%-40s %9.3f' "$name" "$lq"
	echo "$lq" >>"$T/lq"
}
oracle() { # expr filter, window filter for tcpdump? (the window uses editcap -A/-B)
	local s e oq
	s=$(now)
	mergecap -F nsecpcap -w - "${files[@]}" | "$@" >/dev/null 2>&1
	e=$(now)
	oq=$(echo "$e - $s" | bc)
	echo "$oq" >>"$T/oq"
	read -r v1 v2 n <"$T/res"
	printf ' %9.3f %12s %6.2f%% %6s\n' "$oq" "$v1" "$(echo "100 * $v1 / $v2" | bc -l)" "$n"
}
while read -r host port; do
	run "host $host and port $port" host "$host" and port "$port"
	oracle tcpdump -r - -w "$T/o.pcap" host "$host" and port "$port"
done <"$T/flows"
for w in 1 2 5 10 30; do
	s=$((first + 17))
	run "window ${w}s" --since "$s" --until "$((s + w))"
	oracle editcap -A "$s" -B "$((s + w))" - "$T/o.pcap"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median linecap $(median "$T/lq") s, oracle $(median "$T/oq") s"
