#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/container-rootfs.sh ROOTFS STAGE [PMD...] — the runtime image's whole file
# system, assembled in the build stage of Dockerfile.dpdk (Debian 12, run as root).
#
# STAGE is the tree of `meson install --destdir STAGE` for a build with --prefix=/usr.
# Copies into ROOTFS (which must not exist yet):
#   - STAGE/usr/bin/linecap and STAGE/usr/share/linecap (the pmd-config profiles);
#   - each PMD plugin named (bus_pci, net_ixgbe, ...) from the EAL's plugin directory,
#     under the same path, so the EAL loads exactly these at start-up. A name ending in
#     '?' is optional: it is left out, with a warning, when its shared objects cannot
#     all be found (e.g. net_mlx5?);
#   - every shared object that `ldd` lists for the binary, for each plugin and for the
#     plugins of plugins (the hwloc PCI plugin, the ibverbs mlx5 provider), with their
#     symlink chains, and the data files those load (libxdp's BPF objects, ibverbs'
#     driver table);
#   - the Debian copyright file of every package a file came from;
#   - /etc/passwd and /etc/group with numeric entries (0 root, 65532 linecap),
#     /etc/ld.so.cache, empty /tmp, /run/dpdk and /out;
#   - /etc/protocols and /etc/services (Debian's netbase, which must be installed):
#     libpcap resolves the names of a filter ('proto gre', 'port domain') through them,
#     and without /etc/protocols turns a protocol name into protocol 0.
# Then checks that the dynamic loader of ROOTFS resolves every ELF file in ROOTFS
# without a "not found", and prints the list of PMDs and the total size.
# Nothing else (no shell, no package manager) goes into ROOTFS.
# Exit status: 0 done, 1 failure (a line on stderr starting "container-rootfs: ").
set -euo pipefail

die() { printf 'container-rootfs: %s\n' "$*" >&2; exit 1; }
warn() { printf 'container-rootfs: warning: %s\n' "$*" >&2; }

case ${1:-} in -h | --help) sed -n '4,27s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
(($# >= 2)) || die "usage: container-rootfs.sh ROOTFS STAGE [PMD...]"
root=$1 stage=$2
shift 2
bin=$stage/usr/bin/linecap
[[ ! -e $root ]] || die "$root already exists"
[[ -x $bin ]] || die "$bin is not an executable (STAGE must be a meson install --destdir tree)"
[[ -d $stage/usr/share/linecap/pmd-config ]] || die "$stage/usr/share/linecap/pmd-config missing"

arch=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
libdir=/usr/lib/$arch
pmd_dir=$(pkg-config --variable=pmddir libdpdk 2>/dev/null || true)
if [[ -z $pmd_dir ]]; then
	pmd_dir=$(sed -n 's/^#define RTE_EAL_PMD_PATH "\(.*\)"$/\1/p' \
		/usr/include/"$arch"/dpdk/rte_build_config.h /usr/include/dpdk/rte_build_config.h 2>/dev/null | head -n1 || true)
fi
[[ -n $pmd_dir && -d $pmd_dir ]] || die "cannot find DPDK's plugin directory (is libdpdk-dev installed?)"

mkdir -p "$root"/{etc,tmp,run/dpdk,out,var,usr/bin,usr/lib64,"$libdir","${pmd_dir#/}",usr/share/linecap}
chmod 1777 "$root/tmp"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s ../run "$root/var/run"

declare -A copied=()
# copy PATH: copy PATH into ROOTFS under its canonical directory, with the symlink chain
# that ends at the real file.
copy() {
	local p=$1 d t
	d=$(realpath -e "$(dirname "$p")") || die "no such directory: $(dirname "$p")"
	p=$d/$(basename "$p")
	[[ -n ${copied[$p]:-} ]] && return 0
	[[ -e $p ]] || die "no such file: $p"
	copied[$p]=1
	mkdir -p "$root$d"
	cp -a "$p" "$root$p"
	if [[ -L $p ]]; then
		t=$(readlink "$p")
		[[ $t == /* ]] || t=$d/$t
		copy "$t"
	fi
}

# deps FILE: the shared objects FILE needs, one path a line; fails on "not found".
deps() {
	local out
	out=$(ldd "$1" 2>&1) || { [[ $out == *"not a dynamic executable"* ]] && return 0; die "ldd $1: $out"; }
	if grep -q 'not found' <<<"$out"; then
		printf '%s\n' "$out" | grep 'not found' >&2
		return 1
	fi
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
}

# with_deps FILE...: copy the files and everything ldd lists for them.
with_deps() {
	local f d list
	for f in "$@"; do
		list=$(deps "$f") || die "ldd finds missing shared objects for $f (above)"
		copy "$f"
		for d in $list; do copy "$d"; done
	done
}

# --- the engine ----------------------------------------------------------------------
install -m 0755 "$bin" "$root/usr/bin/linecap"
with_deps "$bin"
cp -a "$stage/usr/share/linecap/pmd-config" "$root/usr/share/linecap/"

# --- PMD plugins: every name the EAL could load (.so, .so.ABI, .so.ABI.0) -------------
pmds=()
for name in "$@"; do
	optional=0
	[[ $name == *'?' ]] && optional=1 name=${name%'?'}
	files=("$pmd_dir"/librte_"$name".so*)
	[[ -e ${files[0]} ]] || {
		((optional)) && { warn "PMD $name not in $pmd_dir: left out"; continue; }
		die "PMD $name: no $pmd_dir/librte_$name.so*"
	}
	real=$(realpath "$pmd_dir/librte_$name.so")
	if ! deps "$real" >/dev/null 2>&1; then
		((optional)) && { warn "PMD $name does not link (ldd: $(deps "$real" 2>&1 | tr '\n' ' ')): left out"; continue; }
		deps "$real" >/dev/null || die "PMD $name: missing shared objects (above)"
	fi
	for f in "${files[@]}"; do with_deps "$f"; done
	# the name the other PMDs' NEEDED entries resolve through (libdir/librte_X.so.ABI)
	for f in "$libdir"/librte_"$name".so.[0-9]*; do [[ -e $f ]] && copy "$f"; done
	pmds+=("$name")
done

# --- plugins of plugins and their data -----------------------------------------------
# hwloc finds the NIC's NUMA node through its PCI plugin (linecap --lcores auto).
if [[ -e $libdir/hwloc/hwloc_pci.so ]]; then
	with_deps "$libdir/hwloc/hwloc_pci.so"
else
	warn "hwloc PCI plugin missing (apt-get install libhwloc-plugins): --lcores auto cannot see the NIC's NUMA node"
fi
if [[ " ${pmds[*]} " == *" net_mlx5 "* ]]; then
	# libibverbs loads its providers itself, by the table in /etc/libibverbs.d.
	copy /etc/libibverbs.d/mlx5.driver
	prov=$(ls "$libdir"/libibverbs/libmlx5-rdmav*.so 2>/dev/null | head -n1)
	[[ -n $prov ]] || die "net_mlx5: the ibverbs mlx5 provider is missing (apt-get install ibverbs-providers)"
	with_deps "$prov"
fi
if [[ " ${pmds[*]} " == *" net_af_xdp "* ]]; then
	# libxdp loads these BPF programs when net_af_xdp attaches to an interface.
	for f in xdp-dispatcher.o xsk_def_xdp_prog.o xsk_def_xdp_prog_5.3.o; do
		if [[ -e $libdir/bpf/$f ]]; then copy "$libdir/bpf/$f"; else warn "libxdp's $f missing"; fi
	done
fi

# --- users, loader cache, licences ---------------------------------------------------
cat >"$root/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/nonexistent
	linecap:x:65532:65532:linecap:/nonexistent:/nonexistent
EOF
cat >"$root/etc/group" <<-'EOF'
	root:x:0:
	linecap:x:65532:
EOF
# Filter names: glibc reads these itself (nss "files" is in libc, and with no
# /etc/nsswitch.conf "files" is the default for both databases).
for f in /etc/protocols /etc/services; do
	[[ -s $f ]] || die "$f is missing (apt-get install netbase): filter names would not resolve"
	copy "$f"
done
printf '%s\n' "$libdir" "$pmd_dir" >"$root/etc/ld.so.conf"
ldconfig -r "$root" 2>/dev/null || warn "ldconfig -r failed: the loader will search its default directories"

# Debian's copyright file for every package a copied file belongs to. dpkg knows some
# files by their pre-merged-/usr name (/lib/... for /usr/lib/...): ask for both.
mapfile -t owners < <(for p in "${!copied[@]}"; do [[ -L $p ]] || printf '%s\n%s\n' "$p" "${p#/usr}"; done |
	xargs dpkg -S 2>/dev/null | awk -F': /' '{ n = split($1, a, ", "); for (i = 1; i <= n; i++) { sub(/:.*/, "", a[i]); print a[i] } }' |
	sort -u || true)
declare -A first=() # checksum -> the first copy: identical files become symlinks to it
for pkg in "${owners[@]}"; do
	c=/usr/share/doc/$pkg/copyright
	[[ -e $c ]] || continue
	mkdir -p "$root/usr/share/doc/$pkg"
	sum=$(md5sum <"$c" | cut -d' ' -f1)
	if [[ -n ${first[$sum]:-} ]]; then
		ln -s "../${first[$sum]}/copyright" "$root$c"
	else
		cp -L "$c" "$root$c"
		first[$sum]=$pkg
	fi
done

# --- check: the image's own loader resolves every ELF file -----------------------------
ldso=$(realpath "$root/usr/lib64/ld-linux-x86-64.so.2" 2>/dev/null || true)
[[ -x $ldso ]] || die "the dynamic loader did not make it into $root"
bad=0
while IFS= read -r -d '' f; do
	head -c4 "$f" | grep -q 'ELF' || continue
	[[ $f == *.o ]] && continue # BPF objects
	out=$(chroot "$root" /usr/lib64/ld-linux-x86-64.so.2 --list "${f#"$root"}" 2>&1) || true
	if grep -q 'not found' <<<"$out"; then
		printf 'container-rootfs: %s: %s\n' "${f#"$root"}" "$(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')" >&2
		bad=1
	fi
done < <(find "$root" -type f -print0)
((bad == 0)) || die "shared objects missing in $root (above)"
[[ ! -e $root/bin/sh && ! -e $root/usr/bin/sh ]] || die "a shell got into $root"

echo "container-rootfs: PMDs: ${pmds[*]}"
echo "container-rootfs: $(find "$root" -type f | wc -l) files, $(du -sh --apparent-size "$root" | cut -f1) in $root"
