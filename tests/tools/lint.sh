#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lint.sh cppcheck|clang-tidy   (env: SRCDIR = source root, BUILDDIR = build root)
# A missing tool is a failure, never a skip.
set -euo pipefail

: "${SRCDIR:?SRCDIR must be the source root}"
: "${BUILDDIR:?BUILDDIR must be the build root}"
what=${1:?usage: lint.sh cppcheck|clang-tidy}

need() {
	command -v "$1" >/dev/null 2>&1 || {
		echo "FAIL: $1 is not installed (DEBIAN_FRONTEND=noninteractive apt-get install -y $2)" >&2
		exit 1
	}
}

cd "$SRCDIR"
[ -d engine ] || { echo "FAIL: no engine/ directory in $SRCDIR" >&2; exit 1; }

case $what in
cppcheck)
	need cppcheck cppcheck
	cppcheck --version
	cppcheck -q --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
		--suppress=missingIncludeSystem -I engine/include engine/
	echo "cppcheck: engine/ clean"
	;;
clang-tidy)
	need clang-tidy clang-tidy
	need jq jq
	db=$BUILDDIR/compile_commands.json
	[ -f "$db" ] || { echo "FAIL: $db does not exist (meson setup writes it)" >&2; exit 1; }
	clang-tidy --version | grep -i version
	# engine/**/*.c, each checked with the flags meson compiles it with
	mapfile -t all < <(find engine -name '*.c' | LC_ALL=C sort)
	[ "${#all[@]}" -gt 0 ] || { echo "FAIL: no .c file under engine/" >&2; exit 1; }
	mapfile -t built < <(jq -r '.[] | if (.file | startswith("/")) then .file else .directory + "/" + .file end' \
		"$db" | xargs -r realpath -m | LC_ALL=C sort -u)
	files=()
	for f in "${all[@]}"; do
		abs=$(realpath -m "$f")
		if printf '%s\n' "${built[@]}" | grep -Fxq "$abs"; then
			files+=("$abs")
		else
			echo "note: $f is not compiled by the build (not in compile_commands.json): not checked"
		fi
	done
	[ "${#files[@]}" -gt 0 ] || { echo "FAIL: no engine/ source is in $db" >&2; exit 1; }
	echo "clang-tidy: ${#files[@]} files"
	checks='-*,bugprone-*,clang-analyzer-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling'
	# gcc-only flags in the database are not clang-tidy's business
	printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P 2 clang-tidy -p "$BUILDDIR" --quiet \
		"-checks=$checks" '--warnings-as-errors=*' \
		--extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-unused-command-line-argument
	echo "clang-tidy: ${#files[@]} files clean"
	;;
*)
	echo "usage: lint.sh cppcheck|clang-tidy" >&2
	exit 2
	;;
esac
