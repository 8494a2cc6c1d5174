#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The install steps on a fresh machine (root; a few minutes): a Debian 12 root that has
# nothing but what debootstrap --variant=minbase gives (the same base tarball the
# container suite builds its images from, scripts/container-base.sh), and in it, by chroot:
#   1. scripts/setup --no-hugepages   every package linecap needs to build and test;
#   2. scripts/build build            the -Werror build;
#   3. meson test: the tools selftest and the functional `filter` test (the corpus mix
#      through net_pcap, every row of filter_table.sh == tcpdump -r, names refused
#      without their databases; --no-huge, so no hugepages are needed).
# A package that setup forgets fails here: without netbase, tcpdump and linecap both keep
# 0 packets of 'vlan and proto gre', and the filter test says the row tests nothing.
# The source tree is copied in (git's tracked and untracked files, no build directories),
# the corpus is bind-mounted read-only; everything runs in a private mount namespace, so
# no mount outlives the test. apt reads the host's /var/cache/apt/archives through an
# overlay (the host's .debs are reused, nothing is written back), so the time is mostly
# dpkg's. Prints the time of each step.
# Environment: SRCDIR (the source tree), CORPUS_DIR (the tcpdump test corpus),
# LINECAP_BASE_TAR (as scripts/container-base.sh), LINECAP_KEEP_ROOT=1 (keep the root
# for a look after a failure; its path is printed).
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CORPUS_DIR=${CORPUS_DIR:-/work/shared/corpus/tcpdump-tests}
tar_path=${LINECAP_BASE_TAR:-/var/cache/linecap/debian-bookworm-slim.tar}

fail() { echo "FAIL: fresh-root: $*" >&2; exit 1; }
note() { echo "  $*"; }

((EUID == 0)) || fail "needs root (chroot, mounts)"
for c in tar unshare chroot mount; do
	command -v "$c" >/dev/null || fail "$c is not installed"
done
[[ -r $CORPUS_DIR/various_gre.pcap ]] || fail "the tcpdump corpus is not at CORPUS_DIR=$CORPUS_DIR"

t_all=$SECONDS
"$SRCDIR/scripts/container-base.sh" --tarball-only || fail "could not make the base tarball"
R=$(mktemp -d /var/tmp/linecap-fresh.XXXXXX)
cleanup() {
	if [[ ${LINECAP_KEEP_ROOT:-0} == 1 ]]; then
		echo "fresh-root: kept $R"
	else
		rm -rf "$R"
	fi
}
trap cleanup EXIT
mkdir "$R/root"
tar --numeric-owner -xf "$tar_path" -C "$R/root" || fail "cannot unpack $tar_path"
# the base really is fresh: no netbase, no build tools
for f in etc/protocols etc/services usr/bin/meson usr/bin/tcpdump; do
	[[ ! -e $R/root/$f ]] || fail "the base root already has /$f: it proves nothing"
done

# the source: tracked and untracked files as git lists them (build directories are ignored)
mkdir -p "$R/root/work/linecap" "$R/root/work/shared/corpus/tcpdump-tests" "$R/apt-up" "$R/apt-work"
if git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$SRCDIR" ls-files -z --cached --others --exclude-standard |
		(cd "$SRCDIR" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$R/root/work/linecap" ||
		fail "cannot copy the source tree"
else
	tar -C "$SRCDIR" --exclude='./build*' -cf - . | tar -xf - -C "$R/root/work/linecap" ||
		fail "cannot copy the source tree"
fi
[[ -x $R/root/work/linecap/scripts/setup ]] || fail "scripts/setup did not make it into the root"
cp -L /etc/resolv.conf "$R/root/etc/resolv.conf"
# no service starts inside the chroot; dpkg skips its fsyncs (as Debian's own container
# images do: docker-apt-speedup), which roughly halves the time of the package installs
printf '#!/bin/sh\nexit 101\n' >"$R/root/usr/sbin/policy-rc.d"
chmod 0755 "$R/root/usr/sbin/policy-rc.d"
echo force-unsafe-io >"$R/root/etc/dpkg/dpkg.cfg.d/linecap-fresh-root-speedup"

# the script run inside: each step timed; the last line says which step failed
cat >"$R/root/work/run.sh" <<-'EOF'
	#!/bin/bash
	set -uo pipefail
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/root
	cd /work/linecap
	step() {
		local name=$1 t=$SECONDS rc=0
		shift
		echo "=== $name: $*"
		"$@" || rc=$?
		echo "=== $name: exit $rc after $((SECONDS - t)) s"
		[ "$rc" -eq 0 ] || { echo "fresh-root: step '$name' failed"; exit 1; }
	}
	step setup scripts/setup --no-hugepages
	step build scripts/build build
	step test meson test -C build --print-errorlogs pcapcheck-selftest filter
	echo "fresh-root: all steps passed"
EOF
chmod 0755 "$R/root/work/run.sh"

# Everything below runs in a private mount namespace: its mounts end with it.
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --propagation private -- bash -euc '
	R=$1 corpus=$2
	# the root is a mount point, as in a container (unshare inside needs that)
	mount --bind "$R/root" "$R/root"
	mount -t proc proc "$R/root/proc"
	mount -t sysfs -o ro sysfs "$R/root/sys"
	mount --rbind /dev "$R/root/dev"
	mount -t tmpfs tmpfs "$R/root/tmp"
	mount -t tmpfs tmpfs "$R/root/run"
	mount --bind -o ro "$corpus" "$R/root/work/shared/corpus/tcpdump-tests"
	mount -o remount,ro,bind "$R/root/work/shared/corpus/tcpdump-tests"
	if [ -d /var/cache/apt/archives ]; then
		mount -t overlay lc-apt -o "lowerdir=/var/cache/apt/archives,upperdir=$R/apt-up,workdir=$R/apt-work" \
			"$R/root/var/cache/apt/archives"
	fi
	exec chroot "$R/root" /work/run.sh
' _ "$R" "$CORPUS_DIR" 2>&1 | tee "$R/run.log" | grep -E '^(=== |ok |FAIL|fresh-root:|setup:|Ok:|Fail:|[0-9]+/[0-9]+ )' || true
grep -q '^fresh-root: all steps passed$' "$R/run.log" || {
	echo "--- last lines of the run:"
	tail -n 60 "$R/run.log"
	fail "$(grep '^fresh-root: step' "$R/run.log" || echo 'the chroot run did not finish')"
}
if ! grep -q '^=== setup: exit 0' "$R/run.log" || ! grep -q '^=== test: exit 0' "$R/run.log"; then
	fail "a step did not report exit 0"
fi
echo "measured: fresh root $((SECONDS - t_all)) s in all ($(grep -E '^=== [a-z]+: exit' "$R/run.log" |
	sed -E 's/^=== ([a-z]+): exit 0 after ([0-9]+) s/\1 \2 s/' | paste -sd, | sed 's/,/, /g'))"
echo "ok: on a fresh bookworm minbase root, scripts/setup + scripts/build + the filter test pass"
