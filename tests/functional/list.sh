#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `linecap list` shows DPDK ports with their driver and the kernel interfaces.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

lc 60 list --eal '--no-huge -m 256 --vdev net_null0'
expect_rc 0
echo "  stdout:"
show "$LC_OUT" 40
# the vdev, on a line that also names its driver
grep -Ew 'net_null0' "$LC_OUT" | grep -Ew 'net_null' >/dev/null ||
	fail "'linecap list' does not show net_null0 with driver net_null on one line"
ok "net_null0 listed with driver net_null"
# the loopback among the kernel interfaces
grep -Eq '(^|[^[:alnum:]_-])lo([^[:alnum:]_.-]|$)' "$LC_OUT" ||
	fail "'linecap list' does not list the kernel interface lo"
ok "kernel interface lo listed"

# without --vdev there is no net_null0 port
lc 60 list --eal '--no-huge -m 256'
expect_rc 0
if grep -q 'net_null0' "$LC_OUT"; then
	show "$LC_OUT" 40
	fail "'linecap list' without --vdev shows net_null0"
fi
ok "no vdev, no net_null0"

passed_line
