#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A replay whose invariant breaks never exits 0, as a capture's (review: replay
# printed "linecap: BUG: read N != sent + dropped M" and exited 0). On both paths:
#   - DPDK: net_null0 (its tx takes everything);
#   - kernel interface: pcap_inject on the lo of a network namespace made here;
# the release binary adds up (read = sent + dropped, invariant_ok true, exit 0), and
# linecap-fault, which loses every 7th packet read without counting it
# (LINECAP_FAULT_REPLAY_UNSENT, tests/tools/fault_hooks.c), must print the BUG line,
# write invariant_ok false and exit 1.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip
[ -n "${LINECAP_FAULT:-}" ] && [ -x "$LINECAP_FAULT" ] || fail "LINECAP_FAULT (tests/linecap-fault) is not built"
NS=lcri$$
lo_netns "$NS"
IN=$T/in.pcap
check "$PCAPCHECK" gen-flows "$IN" 10 700 5
N=$("$PCAPCHECK" count "$IN")

# judge NAME BIN JSON: BIN's run (in LC_RC, LC_ERR) against its JSON
judge() {
	local name=$1 bin=$2 j=$3 read sent dropped inv
	[ -s "$j" ] || { show "$LC_ERR"; fail "$name: no stats JSON (exit $LC_RC)"; }
	read=$(json_get "$j" .totals.read)
	sent=$(json_get "$j" .totals.sent)
	dropped=$(json_get "$j" .totals.dropped)
	inv=$(jq -r .invariant_ok "$j")
	[ "$read" -eq "$N" ] || fail "$name: read $read, the file has $N"
	if [ "$bin" = release ]; then
		[ "$LC_RC" -eq 0 ] || { show "$LC_ERR"; fail "$name: release binary exited $LC_RC"; }
		[ "$inv" = true ] && [ "$read" -eq $((sent + dropped)) ] || fail "$name: read $read != sent $sent + dropped $dropped"
		! grep -q 'BUG' "$LC_ERR" || { show "$LC_ERR"; fail "$name: a BUG line although the counters add up"; }
		ok "$name: read $read = sent $sent + dropped $dropped, exit 0"
	else
		[ "$inv" = false ] && [ "$read" -gt $((sent + dropped)) ] ||
			fail "$name: the fault hook lost nothing (read $read, sent $sent, dropped $dropped): the test proves nothing"
		grep -q "^linecap: BUG: read $read != sent + dropped $((sent + dropped))\$" "$LC_ERR" ||
			{ show "$LC_ERR"; fail "$name: no BUG line for read $read != $((sent + dropped))"; }
		[ "$LC_RC" -eq 1 ] || { show "$LC_ERR"; fail "$name: the invariant broke (BUG line, invariant_ok false) but replay exited $LC_RC, not 1"; }
		ok "$name: $((read - sent - dropped)) packets lost uncounted: BUG line, invariant_ok false, exit 1"
	fi
}

for bin in release fault; do
	exe=$LINECAP
	[ "$bin" = fault ] && exe=$LINECAP_FAULT
	LC_CMD=$(qcmd "$exe" replay -i net_null0 -r "$IN" -t)
	LC_RC=0
	LINECAP_FAULT_REPLAY_UNSENT=7 timeout -k 5 60 "$exe" replay -i net_null0 -r "$IN" -t -q \
		--stats-json "$T/dpdk-$bin.json" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
	judge "net_null0 ($bin)" "$bin" "$T/dpdk-$bin.json"
	LC_CMD="ip netns exec $NS $(qcmd "$exe" replay -i lo -r "$IN" -t)"
	LC_RC=0
	LINECAP_FAULT_REPLAY_UNSENT=7 ip netns exec "$NS" timeout -k 5 60 "$exe" replay -i lo -r "$IN" -t -q \
		--stats-json "$T/lo-$bin.json" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
	judge "lo, libpcap ($bin)" "$bin" "$T/lo-$bin.json"
done
passed_line
