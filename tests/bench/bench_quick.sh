#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The bench works: `bench/run --quick` (capture part, bench/ndr, bench/micro) runs to
# the end into a temporary docs file and chart, and every section has its rows.
# The numbers are not judged (they belong to docs/benchmarks.md, not to a test); what
# fails the test is a part that did not run, a missing row or chart, or a trial whose
# sequence-number count disagreed with the capture's own counters.
# Inputs: BUILD_DIR (meson build dir), SRC_DIR.
set -euo pipefail
fail() { echo "FAIL: bench_quick: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
{ [ -n "${BUILD_DIR:-}" ] && [ -n "${SRC_DIR:-}" ]; } || fail "BUILD_DIR and SRC_DIR must be set (run through meson test)"
for b in linecap bench/seqpkt bench/micro_ring bench/micro_tstamp bench/linecap-glibc-malloc; do
	[ -x "$BUILD_DIR/$b" ] || fail "$BUILD_DIR/$b is not built"
done

W=$(mktemp -d /var/tmp/linecap-bench-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
DOC=$W/benchmarks.md
CHART=$W/ndr.png
rc=0
# One frame size (IMIX: variable-length records) and no dumpcap row in the capture part
# (dumpcap still runs in bench/ndr) keep the test near a minute on a quiet machine.
"$SRC_DIR/bench/run" --quick --skip-peer --sizes imix --dir "$W/work" --linecap "$BUILD_DIR/linecap" \
	--doc "$DOC" --chart "$CHART" >"$W/run.out" 2>"$W/run.err" || rc=$?
if [ $rc -ne 0 ]; then
	tail -n 30 "$W/run.err" | sed 's/^/    | /' >&2
	fail "bench/run --quick exited $rc"
fi
ok "bench/run --quick ran ($(grep -o 'all parts: [0-9]*s' "$W/run.err" | tail -1))"
# the run's own log, for the time each part took
grep -E '^\[(bench|ndr|micro) ' "$W/run.err" | sed 's/^/    | /'


section() { # NAME -> lines between the markers
	awk -v b="<!-- bench:$1:begin -->" -v e="<!-- bench:$1:end -->" '$0 == e { p = 0 } p { print } $0 == b { p = 1 }' "$DOC"
}
for s in capture ndr micro; do
	[ -n "$(section "$s")" ] || fail "section '$s' is missing or empty in the docs file"
done
ok "docs file has the capture, ndr and micro sections"

# capture: at least one linecap row with a number
CAP=$(section capture)
grep -Eq '^\| linecap \| [^|]+ \| [0-9]+ B \| [0-9.]+ \|' <<<"$CAP" ||
	fail "capture section has no linecap row with a rate: $(grep '^| linecap' <<<"$CAP" | head -3)"

# ndr: a row per tool and quick size; linecap and tcpdump rows carry an evaluated result
NDR=$(section ndr)
size=imix
for tool in 'dpdk-testpmd rxonly, no file (control, net_memif)' 'linecap (DPDK, net_memif)' 'dpdk-dumpcap + testpmd (net_memif)' 'tcpdump (veth)' 'linecap --source pcap (veth)'; do
	grep -qF "| $tool | $size |" <<<"$NDR" || fail "ndr table has no row for $tool, size $size"
done
for tool in 'dpdk-testpmd rxonly, no file (control, net_memif)' 'linecap (DPDK, net_memif)' 'tcpdump (veth)'; do
	row=$(grep -F "| $tool | $size |" <<<"$NDR")
	grep -Eq "^\| [^|]+ \| $size \| (< |≥ )?[0-9]+\.[0-9]+" <<<"$row" ||
		fail "ndr row for $tool $size has no measured result: $row"
done
ok "ndr table: $(grep -c '^| .* | imix |' <<<"$NDR") rows"
CSV="$W/work/ndr-latest/trials.csv"
[ -s "$CSV" ] || fail "no trials.csv"
[ "$(wc -l <"$CSV")" -gt 1 ] || fail "no trial in trials.csv"
# the verdict column, found by its name in the header
vcol=$(head -1 "$CSV" | tr ',' '\n' | grep -nx verdict | cut -d: -f1)
[ -n "$vcol" ] || fail "trials.csv has no verdict column: $(head -1 "$CSV")"
bad=$(awk -F, -v c="$vcol" 'NR > 1 && $c == "inconsistent"' "$CSV")
[ -z "$bad" ] || fail "sequence count disagrees with the capture's counters: $(head -n 3 <<<"$bad")"
# every failing trial says where its loss went, and the NIC-like generator never retried
nowhere=$(awk -F, -v c="$vcol" 'NR > 1 && ($c == "loss" || $c == "partial") && $17 > 0 && $7 + $13 + $14 + $15 + $16 + ($4 - $5 - $7) == 0' "$CSV")
[ -z "$nowhere" ] || fail "a failing trial with no place for its loss: $(head -n 3 <<<"$nowhere")"
for j in "$W"/work/ndr-latest/t*-gen.json; do
	[ "$(jq -r .totals.tx_retries "$j")" = 0 ] || fail "the generator retried in $j (expected --no-retry)"
done
ok "$(($(wc -l <"$CSV") - 1)) trials, none inconsistent, every loss placed"
[ "$(head -c 8 "$CHART" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$CHART is not a PNG"
ok "chart is a PNG ($(stat -c %s "$CHART") bytes)"

# micro: figures for timestamping and the ring; callgrind a number or the sanitizer note
MIC=$(section micro)
grep -Eq '^\| timestamping, TSC \(as rx does\) \| [0-9.]+ ns/packet' <<<"$MIC" || fail "micro: no timestamping figure"
grep -Eq '^\| ring hand-off, same lcore \| [0-9.]+ cycles/packet' <<<"$MIC" || fail "micro: no ring figure"
grep -Eq '^\| whole path, instructions per captured packet \| ([0-9]+ \||- \| not measured: this build is instrumented)' <<<"$MIC" ||
	fail "micro: no callgrind figure: $(grep '^| whole path' <<<"$MIC")"
grep -q '^\*\*Allocator:\*\*' <<<"$MIC" || fail "micro: no allocator line"
ok "micro section has its rows"
