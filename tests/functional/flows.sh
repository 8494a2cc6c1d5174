#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --queues N with -w OUT-%q.pcap: N files, one per writer; every flow (both
# directions, VLAN/QinQ tags skipped) lands in exactly one file, in its
# original order, and together the files hold exactly the input's packets.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

IN=$T/in.pcap
NFLOWS=200
N=20000
check "$PCAPCHECK" gen-flows "$IN" "$NFLOWS" "$N" 4242

run_queues() {
	local q=$1 dir=$T/q$1 files=() i j f c
	mkdir "$dir"
	lc 120 capture -i "net_pcap0,rx_pcap=$IN" -w "$dir/OUT-%q.pcap" --queues "$q" -c "$N" \
		--duration 60 -q --stats-json "$dir/stats.json" --eal "$EAL"
	expect_rc 0

	# exactly files OUT-0.pcap .. OUT-(q-1).pcap, nothing else
	for ((i = 0; i < q; i++)); do
		f=$dir/OUT-$i.pcap
		[ -f "$f" ] || fail "--queues $q: $f was not written; directory has: $(ls "$dir" | tr '\n' ' ')"
		files+=("$f")
	done
	local extra
	extra=$(cd "$dir" && ls | grep -Ev '^(OUT-[0-9]+\.pcap|stats\.json)$' || true)
	[ -z "$extra" ] || fail "--queues $q: unexpected files: $extra"
	[ ! -e "$dir/OUT-$q.pcap" ] || fail "--queues $q: more than $q output files"

	check "$PCAPCHECK" flows --flow-order "$IN" "${files[@]}"
	check "$PCAPCHECK" monotonic --nano "${files[@]}"
	check_invariant "$dir/stats.json"
	[ "$(json_get "$dir/stats.json" '.totals.written')" -eq "$N" ] ||
		fail "--queues $q: totals.written is not $N"
	[ "$(json_get "$dir/stats.json" '.writers | length')" -eq "$q" ] ||
		fail "--queues $q: stats JSON does not list $q writers"

	# each file holds what its writer says it wrote, and no file is empty
	# (200 random flows over $q writers: an empty one means no spreading)
	for ((i = 0; i < q; i++)); do
		c=$("$PCAPCHECK" count "${files[$i]}")
		[ "$c" -gt 0 ] || fail "--queues $q: ${files[$i]} is empty: flows are not spread"
		j=$(json_get "$dir/stats.json" \
			"[.writers[] | select(.file | endswith(\"OUT-$i.pcap\"))] | if length == 1 then .[0].written else error(\"no single writer for OUT-$i.pcap\") end")
		[ "$c" -eq "$j" ] ||
			fail "--queues $q: ${files[$i]} has $c packets, its writer reports written $j"
	done
	ok "--queues $q: $q files, flows kept whole and in order, counts agree with the stats JSON"
}

run_queues 2
run_queues 3

# several writers need %q in the file name (docs/CLI.md): a fixed name is a usage error
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$T/fixed.pcap" --queues 2 -c "$N" --duration 20 -q \
	--eal "$EAL"
expect_rc 2
ok "--queues 2 without %q in -w: exit 2"

passed_line
