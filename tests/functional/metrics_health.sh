#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# /healthz of --metrics on a full disk: the output is a 16 MiB tmpfs (private mount
# namespace), net_null fills it at once, and with --on-disk-full drop every further
# packet is a write error. /healthz must say 200 ok at first and, once writes have
# kept failing for more than 10 s, 503 "writes failing ..."; the counters still add up
# exactly at exit.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd unshare mount curl python3
MC="python3 $(dirname "$0")/metrics_client.py"

mkdir -p "$T/small"
P=$($MC free-port)
J=$T/full.json
timeout -k 5 90 unshare -m sh -c '
	mount -t tmpfs -o size=16m none "$1/small" || exit 90
	lc=$2
	shift 2
	exec "$lc" "$@"' sh "$T" "$LINECAP" capture -i net_null0,size=64 -w "$T/small/x.pcap" \
	--duration 30 -q --on-disk-full drop --stats-json "$J" --metrics "127.0.0.1:$P" \
	--eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
LPID=$!
BG_PIDS+=("$LPID")

# probe once a second; record every answer
first='' bad=''
for i in $(seq 40); do
	sleep 1
	kill -0 "$LPID" 2>/dev/null || break
	h=$(curl -s -m 2 -w ' %{http_code}' "http://127.0.0.1:$P/healthz" | tr '\n' ' ') || continue
	echo "  t=${i}s /healthz: $h"
	case $h in
	"ok  200") [ -n "$first" ] || first=$i ;;
	*"writes failing for "*" 503")
		bad=$i
		break
		;;
	esac
done
[ -n "$first" ] || { show "$LC_ERR"; fail "/healthz never answered 200 ok at the start"; }
[ -n "$bad" ] || { show "$LC_ERR"; fail "/healthz never turned 503 'writes failing' on a full disk"; }
[ $((bad - first)) -ge 10 ] || fail "/healthz turned unhealthy after $((bad - first)) s, before the 10 s threshold"
ok "full disk: /healthz ok at ${first} s, 503 'writes failing' at ${bad} s"
LC_RC=0
wait "$LPID" || LC_RC=$?
[ "$LC_RC" -ne 90 ] || fail "cannot mount a tmpfs in a private mount namespace"
[ "$LC_RC" -eq 0 ] || [ "$LC_RC" -eq 5 ] || { show "$LC_ERR"; fail "exit $LC_RC on a full disk"; }
check_invariant "$J"
[ "$(json_get "$J" .totals.dropped_write_error)" -gt 0 ] || fail "no write errors on a full disk"
ok "full disk with --metrics: exit $LC_RC, invariant exact"
passed_line
