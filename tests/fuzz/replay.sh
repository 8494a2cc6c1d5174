#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# replay.sh EXE SRCDIR TARGET: run a fuzz target (standalone build) over its seeds and
# kept regression inputs. Fails if there are none (the test must be able to fail) or if
# any input crashes the target (sanitizers abort in the ASan build).
set -euo pipefail
exe=$1 dir=$2 target=$3
shopt -s nullglob
inputs=("$dir/seeds/$target"/* "$dir/regress/$target"/*)
[[ $target == pmd_profile ]] && inputs+=("$dir/../../pmd-config"/*.ini)
((${#inputs[@]} > 0)) || { echo "no inputs for $target" >&2; exit 1; }
exec "$exe" "${inputs[@]}"
