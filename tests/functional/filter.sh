#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# BPF filters on the DPDK path: for every expression of filter_table.sh,
# linecap reading the corpus mix through net_pcap must write exactly what
# `tcpdump -r MIX -w OUT EXPR` writes, packet for packet, and count the rest
# as `filtered` in an exact invariant. A bad expression exits 2 with
# libpcap's message, as tcpdump prints it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=filter_table.sh
source "$(dirname "$0")/filter_table.sh"

MIX=$T/mix.pcap
make_mix "$MIX"
N=$("$PCAPCHECK" count "$MIX")
echo "mix: $N packets from ${#MIX_FILES[@]} corpus files"

# run_one I EXPR WANT: one capture; half the rows pass the expression as
# trailing words (split as a shell user's words), half with -f. With a
# filter, -c counts accepted packets (as tcpdump -c): -c WANT stops right
# after the last packet tcpdump keeps.
run_one() {
	local i=$1 expr=$2 want=$3 rc=0
	local args=(capture -i "net_pcap0,rx_pcap=$MIX" -w "$T/out-$i.pcap" -c "$want" -q
		--stats-json "$T/s-$i.json" --eal "$EAL")
	if [ $((i % 2)) -eq 0 ]; then
		# shellcheck disable=SC2206 # split into words on purpose
		args+=($expr)
	else
		args+=(-f "$expr")
	fi
	timeout -k 5 60 "$LINECAP" "${args[@]}" >"$T/stdout-$i" 2>"$T/err-$i" || rc=$?
	echo "$rc" >"$T/rc-$i"
}

declare -A WANT
i=0
for expr in "${FILTERS[@]}"; do
	i=$((i + 1))
	WANT[$i]=$(expect_filtered "$MIX" "$expr" "$T/want-$i.pcap")
	[ "${WANT[$i]}" -gt 0 ] && [ "${WANT[$i]}" -lt "$N" ] ||
		fail "filter '$expr' keeps ${WANT[$i]} of $N packets of the mix: it tests nothing"
done
# four captures at a time (EAL start-up mostly waits), then check each
i=0
for expr in "${FILTERS[@]}"; do
	i=$((i + 1))
	run_one "$i" "$expr" "${WANT[$i]}" &
	BG_PIDS+=($!)
	[ $((i % 4)) -eq 0 ] && wait
done
wait
BG_PIDS=()
i=0
for expr in "${FILTERS[@]}"; do
	i=$((i + 1))
	want=${WANT[$i]}
	LC_ERR=$T/err-$i
	LC_RC=$(cat "$T/rc-$i")
	LC_CMD="linecap ... -c $want -f '$expr'"
	expect_rc 0
	echo "filter '$expr': tcpdump keeps $want"
	check "$PCAPCHECK" same "$T/want-$i.pcap" "$T/out-$i.pcap"
	check_invariant "$T/s-$i.json"
	r=$(json_get "$T/s-$i.json" '.totals.received')
	f=$(json_get "$T/s-$i.json" '.totals.filtered')
	[ "$f" -eq $((r - want)) ] || fail "filter '$expr': filtered $f, expected received $r - $want"
	grep -qx "$f packets filtered out" "$LC_ERR" || fail "no summary line '$f packets filtered out'"
	grep '^filter: ' "$LC_ERR" | sed 's/^/  /' | grep . || fail "no 'filter:' line (JIT or interpreter) at start"
done
LC_ERR=$T/lc.stderr
ok "${#FILTERS[@]} expressions: linecap == tcpdump on $N packets"

# -c with a filter counts accepted packets, as tcpdump -c does; accepted
# packets past the count are freed and counted with the filtered.
lc 60 capture -i "net_pcap0,rx_pcap=$MIX" -w "$T/c.pcap" -c 10 -q --stats-json "$T/c.json" \
	--eal "$EAL" -f 'udp'
expect_rc 0
check "$PCAPCHECK" valid "$T/c.pcap" --count 10
check_invariant "$T/c.json"
tcpdump -r "$MIX" -w "$T/c-want.pcap" -c 10 udp 2>/dev/null
check "$PCAPCHECK" same "$T/c-want.pcap" "$T/c.pcap"
ok "-c 10 with a filter: the first 10 accepted packets, as tcpdump -c 10"

# Bad expressions: exit 2, one line, libpcap's words as tcpdump prints them.
for bad in 'tcp and and' 'port nosuchservice' 'ether[0:3] = 1'; do
	tmsg=$(tcpdump -r "$MIX" -w /dev/null "$bad" 2>&1 | grep '^tcpdump: ' | tail -n 1) || true
	[ -n "$tmsg" ] || fail "tcpdump accepted '$bad'"
	lc 30 capture -i net_null0 -w "$T/bad.pcap" -q --eal "$EAL" -f "$bad"
	expect_rc 2
	[ "$(grep -c '^linecap: ' "$LC_ERR")" -eq 1 ] || { show "$LC_ERR"; fail "bad filter: not one error line"; }
	got=$(grep '^linecap: ' "$LC_ERR")
	[ "$got" = "linecap: ${tmsg#tcpdump: }" ] ||
		fail "bad filter '$bad': got '$got', tcpdump says '$tmsg'"
	ok "bad filter '$bad' -> exit 2: $got"
done
# Names on a machine without Debian's netbase (issue 12): libpcap 1.10 turns `proto gre`
# into protocol 0 when /etc/protocols cannot be read, and a capture would keep nothing,
# silently. linecap must refuse with one line naming the word and the file; with the
# number instead of the name the same capture keeps what tcpdump keeps on a full system.
gre_row='vlan and proto gre'
gre_want=$(expect_filtered "$MIX" "$gre_row" "$T/gre-want.pcap")
td=$(without_netdb tcpdump -r "$MIX" -w "$T/gre-nonet.pcap" "$gre_row" 2>/dev/null &&
	"$PCAPCHECK" count "$T/gre-nonet.pcap") || td='(tcpdump failed)'
echo "  tcpdump -r '$gre_row': without /etc/protocols it keeps $td, with it $gre_want"
for row in "$gre_row|'gre'.*/etc/protocols" 'ip proto \gre or port 22|'"'"'\\gre'"'"'.*/etc/protocols' \
	"port domain|'domain'.*/etc/services"; do
	expr=${row%%|*}
	rc=0
	without_netdb timeout -k 5 60 "$LINECAP" capture -i "net_pcap0,rx_pcap=$MIX" -w "$T/nonet.pcap" \
		--duration 5 -q --eal "$EAL" -f "$expr" >/dev/null 2>"$T/nonet.err" || rc=$?
	check_names_refused "$T/nonet.pcap" "$T/nonet.err" "$rc" "${row#*|}"
	ok "'$expr' without its name database -> exit 2, refused"
done
without_netdb timeout -k 5 60 "$LINECAP" capture -i "net_pcap0,rx_pcap=$MIX" -w "$T/nonet.pcap" \
	-c "$gre_want" -q --eal "$EAL" -f 'vlan and proto 47' >/dev/null 2>"$T/nonet.err" ||
	{ show "$T/nonet.err"; fail "'vlan and proto 47' without /etc/protocols failed"; }
check "$PCAPCHECK" same "$T/gre-want.pcap" "$T/nonet.pcap"
ok "'vlan and proto 47' without /etc/protocols == tcpdump '$gre_row' with it ($gre_want packets)"

lc 30 capture -i net_null0 -w "$T/bad.pcap" -q --eal "$EAL" -f tcp udp
expect_rc 2
grep -q "already given with -f" "$LC_ERR" || fail "-f plus trailing words not refused"
ok "-f and trailing words together -> exit 2"
