#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Builds Dockerfile.dpdk for real with buildah and checks both images (root; minutes).
#
#   1. base image docker.io/library/debian:bookworm-slim made locally (nothing can be
#      pulled): scripts/container-base.sh, debootstrap cached in /var/cache/linecap;
#   2. buildah build --isolation chroot, storage driver vfs, targets runtime and tools;
#   3. runtime image: size <= LINECAP_IMAGE_MAX_BYTES (40 MB), no shell, no package
#      manager, numeric USER and /etc/passwd entries, every ELF file resolved by the
#      image's own dynamic loader (no "not found"), every PMD plugin present and
#      registered (`linecap list`);
#   4. the engine run from the image (buildah run): net_null without hugepages, net_pcap
#      replaying a corpus capture mounted read-only, net_null on the host's hugepages,
#      named filters ('vlan and proto gre' on various_gre.pcap, 'port domain' on DNS
#      captures) compared with tcpdump -r on the host, and as UID 65532; each pcap is written into a mounted host directory and read back
#      on the host with tcpdump and pcapcheck (the replay: `pcapcheck same`, byte for
#      byte), and the accounting invariant of --stats-json checked;
#   5. tools image: python3, dpdk-devbind.py, dpdk-hugepages.py and our scripts run.
# Prints the measured image size, compressed size and build times. Removes its images and
# containers at exit; the base image and tarball stay for the next run.
# Environment: SRCDIR (the source tree), PCAPCHECK (required), CORPUS_DIR (the tcpdump
# corpus, for afs.pcap), LINECAP_CONTAINER_STORAGE (storage
# root, default /var/lib/linecap/containers), LINECAP_IMAGE_MAX_BYTES (40000000),
# LINECAP_KEEP_IMAGES=1 (keep the built images, tagged localhost/linecap:ci and
# localhost/linecap-tools:ci), LINECAP_REUSE_IMAGES=1 (development only: check kept images
# instead of building).
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# 32 MB: 25 MB until --metrics, whose libmicrohttpd brings Debian's GnuTLS closure
# (gnutls, nettle, hogweed, gmp, p11-kit, libtasn1, libidn2, libunistring: about 4.5 MB;
# the image measured 29.3 MB with it). A smaller image needs an HTTP library without TLS.
# 40 MB since --upload (issue 16): libcurl and its closure (OpenSSL's libcrypto and
# libssl, nghttp2, ssh2, rtmp, psl, Kerberos, LDAP/SASL, brotli: about 9 MB of files).
max_bytes=${LINECAP_IMAGE_MAX_BYTES:-40000000}
store=${LINECAP_CONTAINER_STORAGE:-/var/lib/linecap/containers}
S=(--root "$store" --runroot /run/linecap/containers --storage-driver vfs)
export LINECAP_STORAGE_OPTS="${S[*]}"
tag=localhost/linecap:ci
tools_tag=localhost/linecap-tools:ci
pmd_dir=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0
# a real Ethernet capture of the tcpdump test corpus: 601 packets of 70 to 1514 bytes
corpus_file=${CORPUS_DIR:-/work/shared/corpus/tcpdump-tests}/afs.pcap
# The drivers issue 7 asks for (e1000 covers igb; igc and iavf, for SR-IOV VFs, too).
want_drivers=(af_packet af_xdp e1000 i40e iavf ice igc ixgbe memif mlx5 null pcap ring tap virtio vmxnet3)

passed=0
fail() { echo "FAIL: container-image: $*" >&2; exit 1; }
ok() { echo "ok: $*"; passed=$((passed + 1)); }
note() { echo "  $*"; }

((EUID == 0)) || fail "needs root (container storage, chroot, debootstrap)"
[[ -n ${PCAPCHECK:-} && -x ${PCAPCHECK:-} ]] || fail "PCAPCHECK ('${PCAPCHECK:-}') is not an executable (run through meson test)"
for c in buildah tcpdump mergecap jq chroot; do
	command -v "$c" >/dev/null || fail "$c is not installed (scripts/setup --container)"
done
command -v podman >/dev/null || command -v buildah >/dev/null || fail "podman/buildah missing"

# One run at a time: the images are tagged the same in one storage, and two builds at
# once on 2 cores would only both be slow.
exec {lock}>/run/lock/linecap-container-image.lock
flock -w 3000 "$lock" || fail "another run holds /run/lock/linecap-container-image.lock"
T=$(mktemp -d /var/tmp/linecap-image.XXXXXX)
ctrs=()
cleanup() {
	local c
	for c in "${ctrs[@]}"; do buildah "${S[@]}" rm "$c" >/dev/null 2>&1 || true; done
	if [[ ${LINECAP_KEEP_IMAGES:-0} != 1 ]]; then
		buildah "${S[@]}" rmi "$tag" "$tools_tag" >/dev/null 2>&1 || true
		buildah "${S[@]}" rmi --prune >/dev/null 2>&1 || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT

bb() { buildah "${S[@]}" "$@"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

# --- 1. base image --------------------------------------------------------------------
t0=$(now)
"$SRCDIR/scripts/container-base.sh" || fail "could not make the base image"
note "base image ready in $(secs "$t0" "$(now)") s"

# --- 2. build --------------------------------------------------------------------------
# stamp: each line prefixed with the seconds since the build started
stamp() ( SECONDS=0; while IFS= read -r l; do printf '%4d %s\n' "$SECONDS" "$l"; done )
# steps LOG: how long each Dockerfile step took ("STEP" line to the next one)
steps() {
	awk '/\] STEP [0-9]+\/[0-9]+: / { if (name != "") printf "  %4d s  %s\n", $1 - t, name; t = $1; name = substr($0, index($0, "STEP"), 70) }
		END { if (name != "") printf "  %4d s  %s\n", $1 - t, name }' "$1" | awk '$1 >= 2'
}
build() { # TARGET TAG LOG
	local rc=0
	bb build --isolation chroot --pull=never --layers=false --force-rm \
		-f "$SRCDIR/Dockerfile.dpdk" --target "$1" -t "$2" "$SRCDIR" 2>&1 | stamp >"$3" || rc=$?
	((rc == 0)) || { tail -n 40 "$3" >&2; fail "buildah build --target $1 failed (last lines above)"; }
	steps "$3"
}
if [[ ${LINECAP_REUSE_IMAGES:-0} == 1 ]] && bb inspect --type image "$tag" >/dev/null 2>&1 &&
	bb inspect --type image "$tools_tag" >/dev/null 2>&1; then
	t_runtime=reused t_tools=reused
	note "LINECAP_REUSE_IMAGES=1: checking the kept images, not building"
else
	t0=$(now)
	build runtime "$tag" "$T/build-runtime.log"
	t_runtime=$(secs "$t0" "$(now)")
	grep 'container-rootfs:' "$T/build-runtime.log" | sed 's/^/  /'
	t0=$(now)
	build tools "$tools_tag" "$T/build-tools.log"
	t_tools=$(secs "$t0" "$(now)")
	ok "Dockerfile.dpdk builds with buildah: runtime in $t_runtime s, tools in $t_tools s"
fi

# --- 3. the runtime image ----------------------------------------------------------------
ctr=$(bb from --pull=never "$tag")
ctrs+=("$ctr")
mnt=$(bb mount "$ctr")
if command -v podman >/dev/null; then
	size=$(podman "${S[@]}" image inspect --format '{{.Size}}' "$tag")
else
	size=$(du -sb --apparent-size "$mnt" | cut -f1)
fi
content=$(du -sb --apparent-size "$mnt" | cut -f1)
gz=$(tar --numeric-owner -C "$mnt" -cf - . | gzip -6 | wc -c)
note "runtime image: $size bytes ($(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1e6 }') MB; files $content bytes), gzip-compressed layer about $(awk -v b="$gz" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
[[ $size =~ ^[0-9]+$ ]] || fail "cannot read the image size ('$size')"
((size <= max_bytes)) || fail "runtime image is $size bytes, more than $max_bytes"
ok "runtime image size $size bytes <= $max_bytes"

shells=$(cd "$mnt" && find . \( -name sh -o -name bash -o -name dash -o -name ash -o -name busybox -o -name zsh \) -print)
[[ -z $shells ]] || fail "shell(s) in the runtime image: $shells"
[[ ! -e $mnt/bin/sh && ! -L $mnt/bin/sh && ! -e $mnt/usr/bin/sh ]] || fail "/bin/sh exists in the runtime image"
pms=$(cd "$mnt" && find . \( -name apt -o -name apt-get -o -name dpkg -o -name rpm -o -name dnf -o -name microdnf -o -name apk -o -name pip -o -name pip3 \) -print)
[[ -z $pms && ! -d $mnt/var/lib/dpkg ]] || fail "package manager in the runtime image: $pms"
rc=0
bb run --isolation chroot "$ctr" -- /bin/sh -c true >/dev/null 2>&1 || rc=$?
((rc != 0)) || fail "/bin/sh -c true ran inside the runtime image"
ok "runtime image has no /bin/sh (nor any shell) and no package manager"

user=$(bb inspect --type image --format '{{.OCIv1.Config.User}}' "$tag")
[[ $user =~ ^[0-9]+:[0-9]+$ ]] || fail "image USER is '$user', not numeric UID:GID"
grep -qx 'root:x:0:0:root:/root:/nonexistent' "$mnt/etc/passwd" || fail "/etc/passwd has no numeric root entry"
grep -q '^linecap:x:65532:65532:' "$mnt/etc/passwd" || fail "/etc/passwd has no 65532 entry"
grep -q '^linecap:x:65532:' "$mnt/etc/group" || fail "/etc/group has no 65532 entry"
entry=$(bb inspect --type image --format '{{.OCIv1.Config.Entrypoint}}' "$tag")
ok "USER $user (numeric), /etc/passwd and /etc/group with 0 and 65532, entrypoint $entry"

# Every ELF file, resolved by the image's own loader inside the image (chroot): the
# binary, every library and every plugin the EAL, hwloc or ibverbs will dlopen.
nelf=0
while IFS= read -r -d '' f; do
	[[ $(head -c4 "$f" | tr -d '\0') == $'\x7fELF' ]] || continue
	[[ $f == *.o ]] && continue # libxdp's BPF programs
	p=${f#"$mnt"}
	out=$(chroot "$mnt" /usr/lib64/ld-linux-x86-64.so.2 --list "$p" 2>&1) || fail "the image's loader cannot load $p: $out"
	! grep -q 'not found' <<<"$out" || fail "$p: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
	nelf=$((nelf + 1))
done < <(find "$mnt" -type f -print0)
((nelf > 50)) || fail "only $nelf ELF files checked"
out=$(chroot "$mnt" /usr/lib64/ld-linux-x86-64.so.2 --list /usr/bin/linecap)
note "linecap needs $(grep -c '=>' <<<"$out") shared objects, all in the image"
for d in "${want_drivers[@]}"; do
	[[ -e $mnt$pmd_dir/librte_net_$d.so ]] || fail "PMD plugin librte_net_$d.so missing from $pmd_dir"
done
for d in bus_pci bus_vdev mempool_ring; do
	[[ -e $mnt$pmd_dir/librte_$d.so ]] || fail "plugin librte_$d.so missing"
done
[[ -e $mnt/usr/lib/x86_64-linux-gnu/libibverbs/libmlx5-rdmav34.so && -e $mnt/etc/libibverbs.d/mlx5.driver ]] ||
	fail "the ibverbs mlx5 provider is missing (net_mlx5 could not find a device)"
[[ -e $mnt/usr/lib/x86_64-linux-gnu/hwloc/hwloc_pci.so ]] || fail "hwloc's PCI plugin is missing"
[[ -e $mnt/usr/lib/x86_64-linux-gnu/bpf/xsk_def_xdp_prog.o ]] || fail "libxdp's BPF program is missing (net_af_xdp)"
ok "ldd inside the image: $nelf ELF files (binary, libraries, $(find "$mnt$pmd_dir" -maxdepth 1 -name '*.so' | wc -l) plugins) resolve, nothing missing"

# --- 4. run the engine from the image ----------------------------------------------------
O=$T/out
mkdir -p "$O" "$T/in"
brun() { # [buildah run options] -- linecap args: runs /usr/bin/linecap in the image
	local opts=()
	while [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	bb run --isolation chroot --volume "$O:/out" "${opts[@]}" "$ctr" -- /usr/bin/linecap "$@"
}
count() { tcpdump -r "$1" -nn 2>/dev/null | wc -l; }

brun -- --version >"$T/version" 2>&1 || fail "linecap --version in the image: $(cat "$T/version")"
brun -- list >"$T/list" 2>&1 || fail "linecap list in the image: $(cat "$T/list")"
drv=$(sed -n '/^drivers:/,$p' "$T/list")
[[ -n $drv ]] || fail "linecap list printed no drivers line: $(cat "$T/list")"
for d in "${want_drivers[@]}"; do
	grep -Eq "(^| )$d( |$)" <<<"$(sed 1d <<<"$drv")" || fail "driver $d not registered in the image: $drv"
done
note "$(head -n1 <<<"$drv")"
ok "linecap runs from the image ($(cat "$T/version")); 'linecap list' shows the ${#want_drivers[@]} drivers registered"

# invariant JSON: received == written + filtered + every drop counter, exactly (--stats-json)
invariant() {
	jq -e '.totals as $t | $t.received == $t.written + $t.filtered + $t.dropped_ring_full + $t.dropped_write_error and .invariant_ok' \
		"$1" >/dev/null || fail "accounting broken in $1: $(jq -c .totals "$1" 2>&1)"
}

# net_null, no hugepages
rc=0
brun -- capture -i net_null0,size=64 -w /out/null.pcap -c 20000 -q --eal '--no-huge -m 256' \
	--stats-json /out/null.json >"$T/null.log" 2>&1 || rc=$?
((rc == 0)) || fail "capture from net_null in the image exited $rc: $(cat "$T/null.log")"
invariant "$O/null.json"
written=$(jq -r '.totals.written' "$O/null.json")
got=$(count "$O/null.pcap")
[[ $written == 20000 && $got == 20000 ]] || fail "net_null: linecap wrote $written, tcpdump reads $got (want 20000)"
"$PCAPCHECK" valid "$O/null.pcap" --count 20000 --len 64 --nano >"$T/pcapcheck" 2>&1 ||
	fail "pcapcheck valid null.pcap: $(cat "$T/pcapcheck")"
note "pcapcheck: $(tail -n1 "$T/pcapcheck")"
ok "net_null in the image (--no-huge) -> /out/null.pcap: 20000 packets, read back on the host (tcpdump, pcapcheck)"

# net_pcap replaying a real capture of the tcpdump corpus, mounted read-only
[[ -r $corpus_file ]] || fail "corpus file $corpus_file missing (CORPUS_DIR; shared/corpus/tcpdump-tests)"
n_in=$("$PCAPCHECK" count "$corpus_file") || fail "pcapcheck cannot read $corpus_file"
rc=0
brun --volume "$(dirname "$corpus_file"):/in:ro" -- capture -i "net_pcap0,rx_pcap=/in/$(basename "$corpus_file")" \
	-w /out/replay.pcap -c "$n_in" --duration 30 -q --eal '--no-huge -m 256' \
	--stats-json /out/replay.json >"$T/pcap.log" 2>&1 || rc=$?
((rc == 0)) || fail "capture from net_pcap in the image exited $rc: $(cat "$T/pcap.log")"
invariant "$O/replay.json"
"$PCAPCHECK" same "$corpus_file" "$O/replay.pcap" >"$T/same" 2>&1 ||
	fail "net_pcap: the capture differs from $corpus_file: $(cat "$T/same")"
note "pcapcheck same: $(tail -n1 "$T/same")"
got=$(count "$O/replay.pcap")
[[ $got == "$n_in" ]] || fail "net_pcap: tcpdump reads $got packets of $n_in"
ok "net_pcap in the image replaying $(basename "$corpus_file") ($n_in packets) -> the same packets, byte for byte"

# Filters with names, inside the image, against tcpdump -r on the host (issue 12: without
# /etc/protocols libpcap turns `proto gre` into protocol 0 and keeps nothing; without
# /etc/services `port domain` is an "unknown port"). Each row must keep some packets but
# not all, and exactly tcpdump's.
for f in /etc/protocols /etc/services; do
	cmp -s "$f" "$mnt$f" || fail "$f in the image is missing or differs from the host's (netbase)"
done
for f in various_gre.pcap dns_tcp.pcap dns_tcp_8053.pcap; do
	[[ -r $(dirname "$corpus_file")/$f ]] || fail "corpus file $f missing"
done
cp "$(dirname "$corpus_file")/various_gre.pcap" "$T/in/gre.pcap"
# DNS on port 53 and on 8053: 'port domain' keeps half
mergecap -F pcap -a -w "$T/in/dns.pcap" "$(dirname "$corpus_file")/dns_tcp.pcap" \
	"$(dirname "$corpus_file")/dns_tcp_8053.pcap" || fail "mergecap could not build dns.pcap"
for row in "gre.pcap|vlan and proto gre" "dns.pcap|port domain"; do
	in=${row%%|*} expr=${row#*|}
	n_all=$("$PCAPCHECK" count "$T/in/$in")
	tcpdump -r "$T/in/$in" -w "$T/want-$in" "$expr" 2>/dev/null || fail "tcpdump -r $in '$expr' failed on the host"
	want=$("$PCAPCHECK" count "$T/want-$in")
	((want > 0 && want < n_all)) || fail "'$expr' keeps $want of $n_all packets of $in on the host: it tests nothing"
	rc=0
	brun --volume "$T/in:/in:ro" -- capture -i "net_pcap0,rx_pcap=/in/$in" -w "/out/f-$in" -c "$want" \
		--duration 30 -q --eal '--no-huge -m 256' --stats-json "/out/f-$in.json" -f "$expr" \
		>"$T/f.log" 2>&1 || rc=$?
	((rc == 0)) || fail "capture with filter '$expr' in the image exited $rc: $(cat "$T/f.log")"
	invariant "$O/f-$in.json"
	"$PCAPCHECK" same "$T/want-$in" "$O/f-$in" >"$T/same" 2>&1 ||
		fail "filter '$expr' in the image differs from tcpdump -r on the host: $(cat "$T/same")"
	note "'$expr' on $in: $want of $n_all packets, as tcpdump -r on the host"
done
ok "named filters in the image ('vlan and proto gre', 'port domain') keep what tcpdump -r keeps on the host"

# the host's hugepages
hmnt=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
free_hp=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[[ -n $hmnt ]] || fail "no hugetlbfs mounted on the host (scripts/hugepages 1024)"
((free_hp >= 64)) || fail "only $free_hp free 2M hugepages on the host; need 64 (scripts/hugepages 1024)"
rc=0
brun --volume "$hmnt:$hmnt" -- capture -i net_null0,size=128 -w /out/huge.pcap -c 5000 -q \
	--stats-json /out/huge.json >"$T/huge.log" 2>&1 || rc=$?
((rc == 0)) || fail "capture on hugepages in the image exited $rc: $(cat "$T/huge.log")"
invariant "$O/huge.json"
got=$(count "$O/huge.pcap")
[[ $got == 5000 ]] || fail "hugepage run: tcpdump reads $got packets, want 5000"
"$PCAPCHECK" valid "$O/huge.pcap" --count 5000 --len 128 --nano >"$T/pcapcheck" 2>&1 ||
	fail "pcapcheck valid huge.pcap: $(cat "$T/pcapcheck")"
ok "net_null in the image on the host's hugepages ($hmnt, $free_hp free) -> 5000 packets read back"

# as the unprivileged UID of /etc/passwd
mkdir -p "$O/u"
chown 65532:65532 "$O/u"
rc=0
brun --user 65532:65532 -- capture -i net_null0 -w /out/u/user.pcap -c 1000 -q \
	--eal '--no-huge -m 256' >"$T/user.log" 2>&1 || rc=$?
((rc == 0)) || fail "capture as 65532 in the image exited $rc: $(cat "$T/user.log")"
[[ $(stat -c %u:%g "$O/u/user.pcap") == 65532:65532 && $(count "$O/u/user.pcap") == 1000 ]] ||
	fail "the capture as 65532 is not a 1000-packet file owned by 65532"
ok "runs as UID/GID 65532 (--user 65532:65532): 1000 packets in a file it owns"

# --- 5. the tools image ------------------------------------------------------------------
tctr=$(bb from --pull=never "$tools_tag")
ctrs+=("$tctr")
trun() { bb run --isolation chroot "$tctr" -- "$@"; }
trun python3 --version >"$T/t" 2>&1 || fail "python3 in the tools image: $(cat "$T/t")"
pyv=$(cat "$T/t")
for c in "dpdk-devbind.py --help" "dpdk-hugepages.py --help" "bind --help" "hugepages --help" "launch --help" "lspci --version" "ip -V" "modprobe --version"; do
	# shellcheck disable=SC2086 # word splitting wanted
	trun $c >"$T/t" 2>&1 || fail "'$c' fails in the tools image: $(cat "$T/t")"
done
trun dpkg -S /usr/bin/dpdk-devbind.py >"$T/t" 2>&1 || fail "dpdk-devbind.py is not from Debian's package"
grep -q '^dpdk: ' "$T/t" || fail "dpdk-devbind.py owner: $(cat "$T/t")"
trun launch --dry-run --engine podman capture -i net_null0 -w x.pcap >"$T/t" 2>&1 || fail "launch --dry-run in the tools image: $(cat "$T/t")"
tsize=$(podman "${S[@]}" image inspect --format '{{.Size}}' "$tools_tag" 2>/dev/null || echo '?')
ok "tools image ($tsize bytes): $pyv, dpdk-devbind.py and dpdk-hugepages.py (Debian's dpdk), bind, hugepages, launch"

echo "measured: runtime image $size bytes, gzip ~$gz bytes; build runtime ${t_runtime}s, tools ${t_tools}s"
echo "container-image: $passed checks passed"
