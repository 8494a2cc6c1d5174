#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `linecap replay --no-retry`: the NIC-like sender of bench/ndr. A packet the port
# refuses is dropped and counted at once, never offered again.
#  1. net_ring0 (its one ring loops tx back to rx, and nobody reads it): the ring
#     takes what fits, --no-retry finishes by itself with read = sent + dropped,
#     dropped > 0 and no retry; without --no-retry the same replay keeps retrying
#     until SIGINT (the old behaviour, still the default).
#  2. net_memif at top speed into `linecap capture`: what the generator says it sent
#     is exactly what the capture received and wrote (the refused packets are the
#     generator's drops, not the receiver's).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=replay_lib.sh
source "$(dirname "$0")/replay_lib.sh"

IN=$T/in.pcap
N=5000
check "$PCAPCHECK" gen-flows "$IN" 16 "$N" 5

# 1. a ring nobody reads
lc 60 replay -i net_ring0 -r "$IN" -K -q --no-retry --pps 1000000 --lcores "$REPLAY_LCORES" \
	--eal "$EAL" --link-wait 2 --linger 0 --stats-json "$T/ring.json"
expect_rc 0
read -r rd snt drp rtr inv < <(jq -r '[.totals.read, .totals.sent, .totals.dropped, .totals.tx_retries, .invariant_ok] | @tsv' "$T/ring.json")
[ "$rd" -eq "$N" ] || fail "--no-retry into net_ring0: read $rd, expected $N"
{ [ "$inv" = true ] && [ "$rd" -eq $((snt + drp)) ]; } || fail "--no-retry into net_ring0: read $rd != sent $snt + dropped $drp"
{ [ "$snt" -gt 0 ] && [ "$drp" -gt 0 ]; } || fail "--no-retry into a full ring: sent $snt, dropped $drp (expected both > 0)"
[ "$rtr" -eq 0 ] || fail "--no-retry into net_ring0: $rtr partial sends retried, expected 0"
grep -q "^$drp packets dropped (read, not sent)\$" "$LC_ERR" || { show "$LC_ERR"; fail "summary does not say $drp dropped"; }
ok "--no-retry into a ring nobody reads: sent $snt, dropped $drp, no retry, finished by itself"

# the default still retries: the same replay does not finish until it is stopped
LC_RC=0
timeout -s INT -k 5 4 "$LINECAP" replay -i net_ring0 -r "$IN" -K -q --pps 1000000 --lcores "$REPLAY_LCORES" \
	--eal "$EAL" --link-wait 2 --linger 0 --stats-json "$T/ring-retry.json" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
[ -s "$T/ring-retry.json" ] || { show "$LC_ERR"; fail "default replay into net_ring0 wrote no stats (exit $LC_RC)"; }
read -r snt2 rtr2 < <(jq -r '[.totals.sent, .totals.tx_retries] | @tsv' "$T/ring-retry.json")
[ "$rtr2" -gt 0 ] || fail "default replay into a full ring retried $rtr2 times (expected > 0)"
[ "$snt2" -eq "$snt" ] || fail "default replay into net_ring0 sent $snt2, --no-retry sent $snt (the same ring)"
ok "default replay retries ($rtr2 partial sends) until SIGINT"

# 2. memif at top speed: the capture gets exactly what the generator sent
M=200000
LOOPS=$((M / N))
memif_capture "socket=$T/m.sock" "$T/cap.pcap" "$M" 6 --stats-json "$T/cap.json"
lc 60 replay -i "net_memif0,role=client,socket=$T/m.sock" -r "$IN" -K -q -t -l "$LOOPS" --no-retry \
	--lcores "$REPLAY_LCORES" --eal "$EAL" --stats-json "$T/gen.json"
expect_rc 0
memif_capture_wait
check_invariant "$T/cap.json"
read -r grd gsnt gdrp grtr < <(jq -r '[.totals.read, .totals.sent, .totals.dropped, .totals.tx_retries] | @tsv' "$T/gen.json")
{ [ "$grd" -eq "$M" ] && [ "$grd" -eq $((gsnt + gdrp)) ]; } || fail "generator: read $grd, sent $gsnt, dropped $gdrp (expected read $M = sent + dropped)"
[ "$grtr" -eq 0 ] || fail "generator retried $grtr times with --no-retry"
crcv=$(json_get "$T/cap.json" .totals.received)
[ "$crcv" -eq "$gsnt" ] || fail "capture received $crcv, the generator sent $gsnt"
check "$PCAPCHECK" valid "$T/cap.pcap" --count "$gsnt"
ok "memif top speed: generator sent $gsnt and dropped $gdrp of $M; the file holds $gsnt"
passed_line
