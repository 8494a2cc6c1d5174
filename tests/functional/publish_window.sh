#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The moment a rotated file is published (core/rotate.c: cut to its exact length,
# renamed from .linecap-PID-W-SEQ.part to its final name, closed). linecap-fault
# (tests/tools/fault_hooks.c) stops there, with the file cut but not yet renamed:
#   1. kill -9 (LINECAP_FAULT_PUBLISH_KILL=1): the next run that rotates into the
#      directory recovers the file as linecap-recovered-PID-0-0.pcap with exactly the
#      packets of the first file of an undisturbed run, byte for byte;
#   2. held up for 6 s (LINECAP_FAULT_PUBLISH_PAUSE_MS): another capture that starts
#      in the same directory meanwhile (its recovery looks at every .part file) must
#      leave the live file alone, although it is older than recovery's 2 s quiet time
#      -- the file keeps its lock until it has its name; the held-up capture then
#      ends normally with every packet in its files (closing before the rename, as
#      rotate.c once did, let the other run recover the live file and made this
#      capture fail its rename).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip tcpdump
[ -x "${LINECAP_FAULT:-}" ] || fail "LINECAP_FAULT (tests/linecap-fault) is not built"
NS=lcpw$$
lo_netns "$NS" # the other runs capture on its lo (libpcap path: no EAL, quick to start)
IN=$T/in.pcap
check "$PCAPCHECK" gen-flows "$IN" 50 20000 9
N=$("$PCAPCHECK" count "$IN")

# files DIR: the published files of -w DIR/cap.pcap, in rotation order
files() { find "$1" -maxdepth 1 -name 'cap.pcap*' -printf '%p\n' | sort -V; }
# other_run DIR: a second capture (libpcap, lo of $NS, 1 s) rotating into DIR: its
# start recovers DIR's .part files whose owner is gone
other_run() {
	LC_CMD="ip netns exec $NS $(qcmd "$LINECAP" capture -i lo -w "$1/other.pcap" -C 1 --duration 1 -q)"
	LC_RC=0
	ip netns exec "$NS" timeout -k 5 30 "$LINECAP" capture -i lo -w "$1/other.pcap" -C 1 \
		--duration 1 -q >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
	expect_rc 0
}

# 0. An undisturbed run: its first file is the reference.
D0=$T/ref && mkdir "$D0"
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$D0/cap.pcap" -C 1 -c "$N" -q --eal "$EAL"
expect_rc 0
mapfile -t ref < <(files "$D0")
[ "${#ref[@]}" -ge 3 ] || fail "the reference run made only ${#ref[@]} files: -C 1 does not rotate enough"
n0=$("$PCAPCHECK" count "${ref[0]}")
tcpdump -r "$IN" -c "$n0" -w "$T/first.pcap" 2>/dev/null || fail "cannot cut the first $n0 packets of $IN"

# 1. kill -9 with the first file cut but not renamed.
D1=$T/kill && mkdir "$D1"
LC_CMD=$(qcmd "$LINECAP_FAULT" capture -i "net_pcap0,rx_pcap=$IN" -w "$D1/cap.pcap" -C 1 -c "$N")
LC_RC=0
LINECAP_FAULT_PUBLISH_KILL=1 timeout -k 5 60 "$LINECAP_FAULT" capture -i "net_pcap0,rx_pcap=$IN" \
	-w "$D1/cap.pcap" -C 1 -c "$N" -q --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
[ "$LC_RC" -eq 137 ] || { show "$LC_ERR"; fail "the fault binary was not killed at its first publication (exit $LC_RC)"; }
[ -z "$(files "$D1")" ] || fail "a file was published before the kill: $(files "$D1" | tr '\n' ' ')"
part=$(find "$D1" -name '.linecap-*-0-0.part' -printf '%p\n')
[ -n "$part" ] && [ -s "$part" ] || fail "the first file .linecap-PID-0-0.part is not there after the kill: $(ls -a "$D1" | tr '\n' ' ')"
pid=${part##*/.linecap-}
pid=${pid%%-*}
sleep 0.3 # recovery leaves a file alone for 100 ms after its last change (the PID is gone)
other_run "$D1"
grep -q "recovered $D1/linecap-recovered-$pid-0-0.pcap " "$LC_ERR" || { show "$LC_ERR"; fail "the next run did not recover the killed run's first file"; }
check "$PCAPCHECK" valid "$D1/linecap-recovered-$pid-0-0.pcap" --count "$n0"
check "$PCAPCHECK" same "$T/first.pcap" "$D1/linecap-recovered-$pid-0-0.pcap"
[ -z "$(find "$D1" -name ".linecap-$pid-*.part")" ] || fail "the killed run's .part files are still there"
ok "kill -9 between cut and rename: the next run recovers the first file whole ($n0 packets, those of an undisturbed run)"

# 2. Held up between cut and rename while another run recovers in the directory. The
# input is one and a half files: the writer needs no new file while the rotation thread
# is held up (else it would wait for one and drop packets).
IN2=$T/in2.pcap
N2=$((n0 * 3 / 2))
tcpdump -r "$IN" -c "$N2" -w "$IN2" 2>/dev/null || fail "cannot cut $N2 packets of $IN"
D2=$T/pause && mkdir "$D2"
LC_CMD=$(qcmd "$LINECAP_FAULT" capture -i "net_pcap0,rx_pcap=$IN2" -w "$D2/cap.pcap" -C 1 -c "$N2")
LINECAP_FAULT_PUBLISH_PAUSE_MS=6000 timeout -k 5 60 "$LINECAP_FAULT" capture -i "net_pcap0,rx_pcap=$IN2" \
	-w "$D2/cap.pcap" -C 1 -c "$N2" -q --stats-json "$T/pause.json" --eal "$EAL" >"$T/pause.out" 2>"$T/pause.err" &
pid=$!
BG_PIDS+=("$pid")
wait_for "$T/pause.err" '^fault: publication of .* paused$' "$pid" "the held-up publication"
sleep 2.3 # older than recovery's quiet time (2 s) for a file whose PID lives
kill -0 "$pid" 2>/dev/null || fail "the held-up capture ended during its pause"
other_run "$D2"
! grep -q 'recovered\|as it is' "$LC_ERR" || { show "$LC_ERR"; fail "the other run's recovery touched the live file"; }
rc=0
wait "$pid" || rc=$?
BG_PIDS=()
[ "$rc" -eq 0 ] || { show "$T/pause.err" 20; fail "the held-up capture exited $rc"; }
check_invariant "$T/pause.json"
[ "$(json_get "$T/pause.json" .totals.written)" -eq "$N2" ] || fail "the held-up capture did not write all $N2 packets"
mapfile -t got < <(files "$D2")
[ "${#got[@]}" -eq 2 ] || fail "the held-up capture published ${#got[@]} files, not 2"
check "$PCAPCHECK" same "$IN2" "${got[@]}"
[ -z "$(find "$D2" -name 'linecap-recovered-*' -o -name '.linecap-*.part')" ] ||
	fail "files left: $(ls -a "$D2" | tr '\n' ' ')"
ok "held up 6 s between cut and rename: another run's recovery left the live file alone; all $N2 packets in its 2 files"
passed_line
