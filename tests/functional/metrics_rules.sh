#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The example alert rules (docs/k8s/linecap-alerts.yaml): `promtool check rules` accepts
# them, and `promtool test rules` (metrics_rules.yaml) shows each alert firing on the
# series that should raise it, with its labels and text, and not on healthy ones.
# A rules file whose alert does not fire (or fires on a healthy host) fails here.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd promtool
D=$(cd "$(dirname "$0")" && pwd)
RULES=$D/../../docs/k8s/linecap-alerts.yaml
check promtool check rules "$RULES"
check promtool test rules "$D/metrics_rules.yaml"
ok "alert rules: promtool check rules and 8 promtool unit tests pass"
# the test must be able to fail: a rule file whose ring_full alert never fires
sed 's/rate(linecap_packets_dropped_total\[5m\])) > 0/rate(linecap_packets_dropped_total[5m])) > 1e9/' \
	"$RULES" >"$T/broken.yaml"
sed "s|../../docs/k8s/linecap-alerts.yaml|$T/broken.yaml|" "$D/metrics_rules.yaml" >"$T/broken_test.yaml"
! promtool test rules "$T/broken_test.yaml" >/dev/null 2>&1 ||
	fail "promtool test rules passed with a LinecapPacketsDropped that cannot fire"
ok "a broken rule is caught by the unit tests"
passed_line
