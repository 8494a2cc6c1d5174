#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/bind, scripts/launch and scripts/hugepages through their dry-run modes and
# fake /sys and /proc trees (run as root; a few seconds).
#
# Never touches a real NIC nor the host's hugepages: the interfaces are veth pairs and a
# bridge in a network namespace of this test's own (ip netns), PCI devices exist only in a
# fake sysfs tree (LINECAP_SYSFS), and hugepages only in a fake sysfs/procfs tree
# (LINECAP_SYSFS, LINECAP_PROCFS). Every binding or container command is --dry-run.
set -euo pipefail

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIND=$SRCDIR/scripts/bind
LAUNCH=$SRCDIR/scripts/launch
HUGEPAGES=$SRCDIR/scripts/hugepages

passed=0
fail() { echo "FAIL: scripts: $*" >&2; exit 1; }
ok() { echo "ok: $*"; passed=$((passed + 1)); }

((EUID == 0)) || fail "needs root (ip netns add; run through scripts/test or sudo)"
command -v ip >/dev/null || fail "ip (iproute2) is not installed"

T=$(mktemp -d /tmp/linecap-scripts.XXXXXX)
ns=linecap-scripts-$$
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# r NAME CMD...: run CMD, stdout/stderr in $T/NAME.out/.err, exit status in $rc.
r() {
	local name=$1
	shift
	rc=0
	"$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	out=$(cat "$T/$name.out")
	err=$(cat "$T/$name.err")
}
show() { printf '  rc=%s\n  stdout: %s\n  stderr: %s\n' "$rc" "$out" "$err" >&2; }
expect_rc() { [[ $rc == "$1" ]] || { show; fail "$2: exit status $rc, expected $1"; }; }
expect_in() { # TEXT PATTERN WHAT
	grep -Eq -- "$2" <<<"$1" || { show; fail "$3: no match for /$2/"; }
}
expect_not_in() {
	! grep -Eq -- "$2" <<<"$1" || { show; fail "$3: unexpected match for /$2/"; }
}
in_ns() { ip netns exec "$ns" env "$@"; }

# --- a network namespace: vaddr0 carries an address, vA a route, vB nothing, vC is a
#     bridge port (veth pairs: this kernel may have no dummy driver) ------------------------
ip netns add "$ns"
ip -n "$ns" link add vaddr0 type veth peer name vpeer0
ip -n "$ns" addr add 192.0.2.10/24 dev vaddr0
ip -n "$ns" link set vaddr0 up
ip -n "$ns" link add vA type veth peer name vB
ip -n "$ns" link set vA up
ip -n "$ns" link set vB up
ip -n "$ns" route add 198.51.100.0/24 dev vA
ip -n "$ns" link add vC type veth peer name vD
ip -n "$ns" link add br0 type bridge
ip -n "$ns" link set vC master br0

# --- a fake sysfs: PCI devices 0000:00:09.0 (e1000e, interface vaddr0, IOMMU group 7),
#     0000:00:0a.0 (mlx5_core) and 0000:00:0b.0 (vfio-pci, group 11) --------------------
S=$T/sys
mkdir -p "$S"/bus/pci/drivers/{e1000e,vfio-pci,mlx5_core,igb_uio} "$S"/kernel/iommu_groups/{7,11,12} \
	"$S"/class/net "$S"/devices/system/node/node0
fake_pci() { # ADDR DRIVER GROUP [IFACE]
	local d=$S/bus/pci/devices/$1
	mkdir -p "$d"
	echo 0x020000 >"$d/class"
	echo -1 >"$d/numa_node"
	echo "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00" >"$d/modalias"
	ln -sfn "$S/bus/pci/drivers/$2" "$d/driver"
	[[ -z $3 ]] || ln -sfn "$S/kernel/iommu_groups/$3" "$d/iommu_group"
	if [[ -n ${4:-} ]]; then
		mkdir -p "$d/net/$4" "$S/class/net/$4"
		ln -sfn "$d" "$S/class/net/$4/device"
	fi
}
fake_pci 0000:00:09.0 e1000e 7 vaddr0
fake_pci 0000:00:0a.0 mlx5_core 12
fake_pci 0000:00:0b.0 vfio-pci 11
STATE=$T/state
BENV=(LINECAP_SYSFS="$S" LINECAP_BIND_STATE="$STATE")

# ===================================== bind ===========================================
r bind_dummy in_ns "$BIND" --dry-run vaddr0
expect_rc 3 "bind vaddr0 (192.0.2.10/24)"
expect_in "$err" 'refusing to bind vaddr0' "bind vaddr0"
expect_in "$err" '192\.0\.2\.10/24' "bind vaddr0 names the address"
expect_in "$err" '--force' "bind vaddr0 says how to override"
ok "bind refuses an interface that carries an address, names it and says why"

r bind_route in_ns "$BIND" --dry-run vA
expect_rc 3 "bind vA (route, no address)"
expect_in "$err" 'routes use it: 198\.51\.100\.0/24' "bind vA names the route"
ok "bind refuses an interface that carries a route"

r bind_veth in_ns "$BIND" --dry-run vB
expect_rc 1 "bind vB (no address, no route, not PCI)"
expect_not_in "$err" 'refusing' "bind vB: an IPv6 link-local address alone is no reason to refuse"
expect_in "$err" 'not a PCI device' "bind vB"
ok "bind ignores IPv6 link-local addresses and says a virtual interface has nothing to bind"

r bind_port in_ns "$BIND" --dry-run vC
expect_rc 3 "bind vC (bridge port)"
expect_in "$err" 'it is a port of br0' "bind vC names the bridge"
ok "bind refuses a bridge port"

r bind_pci_refused in_ns "${BENV[@]}" "$BIND" --dry-run 0000:00:09.0
expect_rc 3 "bind 0000:00:09.0 (interface vaddr0 has an address)"
expect_in "$err" 'refusing to bind 0000:00:09\.0 \(vaddr0\): it carries the IP address\(es\) 192\.0\.2\.10/24' "bind by PCI address"
r bind_pci_short in_ns "${BENV[@]}" "$BIND" --dry-run 00:09.0
expect_rc 3 "bind 00:09.0"
ok "bind refuses by PCI address too (full and short form), through the device's interface"

r bind_force in_ns "${BENV[@]}" "$BIND" --dry-run --force 0000:00:09.0
expect_rc 0 "bind --force --dry-run 0000:00:09.0"
expect_in "$out" 'dry-run: would run: ip link set dev vaddr0 down' "bind --force takes the interface down"
expect_in "$out" "dry-run: would record kernel driver e1000e in $STATE/0000:00:09.0" "bind records the kernel driver"
expect_in "$out" 'dry-run: would run: [^ ]*dpdk-devbind(\.py)? --bind=vfio-pci --force 0000:00:09\.0$' "bind runs dpdk-devbind for vfio-pci"
expect_not_in "$out" 'modprobe' "vfio-pci is loaded (fake driver directory): no modprobe"
[[ ! -e $STATE ]] || fail "bind --dry-run created $STATE"
ip -n "$ns" -o addr show dev vaddr0 | grep -q '192\.0\.2\.10/24' || fail "bind --dry-run changed vaddr0"
ip -n "$ns" -o link show dev vaddr0 | grep -q 'UP' || fail "bind --dry-run took vaddr0 down"
ok "bind --force --dry-run prints ip link down + dpdk-devbind --bind=vfio-pci and changes nothing"

ip -n "$ns" addr flush dev vaddr0
r bind_free in_ns "${BENV[@]}" "$BIND" --dry-run 0000:00:09.0
expect_rc 0 "bind --dry-run 0000:00:09.0 once vaddr0 has no address"
expect_in "$out" '--bind=vfio-pci 0000:00:09\.0$' "bind without --force"
r bind_uio in_ns "${BENV[@]}" "$BIND" --dry-run --driver uio_pci_generic vaddr0
expect_rc 0 "bind --driver uio_pci_generic vaddr0"
expect_in "$out" 'would run: modprobe uio_pci_generic' "bind loads a driver that is not there"
expect_in "$out" '--bind=uio_pci_generic 0000:00:09\.0$' "bind by interface name binds its PCI device"
ok "bind takes a device with no address or route without --force, by address or interface name"

r bind_mlx5 env "${BENV[@]}" "$BIND" --dry-run 0000:00:0a.0
expect_rc 3 "bind an mlx5 NIC"
expect_in "$err" 'mlx5' "bind mlx5 says why"
r bind_already env "${BENV[@]}" "$BIND" --dry-run 0000:00:0b.0
expect_rc 0 "bind a device already on vfio-pci"
expect_in "$out" 'already bound to vfio-pci' "bind a bound device"
r bind_none env "${BENV[@]}" "$BIND" --dry-run 0000:00:1f.0
expect_rc 1 "bind a device that does not exist"
expect_in "$err" 'no such PCI device' "bind 0000:00:1f.0"
ok "bind refuses mlx5 (bifurcated), leaves a bound device alone, rejects unknown devices"

mkdir -p "$STATE"
echo e1000e >"$STATE/0000:00:0b.0"
r restore_state env "${BENV[@]}" "$BIND" --restore --dry-run 0000:00:0b.0
expect_rc 0 "bind --restore (recorded driver)"
expect_in "$out" '--bind=e1000e 0000:00:0b\.0$' "restore binds the recorded kernel driver"
expect_in "$out" "would run: rm -f $STATE/0000:00:0b.0" "restore forgets the record"
[[ -e $STATE/0000:00:0b.0 ]] || fail "bind --restore --dry-run removed the record"
r restore_driver env "${BENV[@]}" "$BIND" --restore --driver ixgbe --dry-run 0000:00:0b.0
expect_rc 0 "bind --restore --driver ixgbe"
expect_in "$out" 'would run: modprobe ixgbe' "restore loads the kernel driver"
expect_in "$out" '--bind=ixgbe 0000:00:0b\.0$' "restore --driver wins over the record"
r restore_noarg env "${BENV[@]}" "$BIND" --restore
expect_rc 2 "bind --restore without a device"
ok "bind --restore --dry-run gives the device back to the recorded (or given) kernel driver"

r status env "${BENV[@]}" "$BIND" --status
expect_rc 0 "bind --status"
expect_in "$out" '0000:00:09\.0 +e1000e +vaddr0 +7 ' "status shows driver, interface and IOMMU group"
expect_in "$out" '0000:00:0b\.0 +vfio-pci .*DPDK-bound' "status shows DPDK-bound devices"
expect_in "$out" '0000:00:0a\.0 +mlx5_core .*do not bind' "status shows mlx5 as bifurcated"
ok "bind --status shows every network device's state"

# ===================================== launch =========================================
P=$T/proc
mkdir -p "$P"
printf 'nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\nnodev /mnt/huge-1G hugetlbfs rw,relatime,pagesize=1024M 0 0\n' >"$P/mounts"
LENV=(LINECAP_SYSFS="$S" LINECAP_PROCFS="$P")

# argv_of: the printed command without comments, parsed as the shell would run it.
argv=()
argv_of() {
	local cmd
	cmd=$(grep -v '^#' <<<"$1" | sed 's/ \\$//' | tr '\n' ' ')
	eval "argv=($cmd)"
}

r launch_vfio env "${LENV[@]}" "$LAUNCH" --dry-run --engine podman --image localhost/linecap:t \
	--out "$T/out" capture -i 0000:00:0b.0 -w 'cap %q.pcap' --duration 5
expect_rc 0 "launch --dry-run (vfio-pci NIC)"
argv_of "$out"
[[ ${argv[0]} == podman && ${argv[1]} == run ]] || fail "launch: command does not start with 'podman run': ${argv[*]}"
joined=" ${argv[*]} "
for want in '--cap-drop ALL' '--cap-add IPC_LOCK' '--device /dev/vfio/vfio' '--device /dev/vfio/11' \
	'--volume /dev/hugepages:/dev/hugepages' '--volume /mnt/huge-1G:/mnt/huge-1G' \
	'--volume /var/run/dpdk:/var/run/dpdk' "--volume $T/out:/out" '--network host' \
	'--stop-timeout 30' 'localhost/linecap:t capture -i 0000:00:0b.0 -w cap %q.pcap --duration 5 $'; do
	[[ $joined == *" $want "* || ($want == *'$' && $joined == *" ${want% \$} ") ]] ||
		{ show; fail "launch: '$want' missing from: ${argv[*]}"; }
done
expect_not_in "$joined" 'NET_RAW|NET_ADMIN|SYS_ADMIN|--privileged' "launch: a vfio-pci NIC needs only IPC_LOCK"
expect_in "$out" '^#   IPC_LOCK: .*RLIMIT_MEMLOCK' "launch explains IPC_LOCK"
[[ ! -e $T/out ]] || fail "launch --dry-run created the output directory"
ok "launch --dry-run: vfio group devices, hugepage mounts, /var/run/dpdk, /out, only IPC_LOCK (explained)"

r launch_afp env "${LENV[@]}" "$LAUNCH" --dry-run capture -i net_af_packet0,iface=eth9 -w x.pcap
expect_rc 0 "launch --dry-run (af_packet)"
argv_of "$out"
joined=" ${argv[*]} "
[[ $joined == *' --cap-add NET_RAW '* && $joined == *' --cap-add NET_ADMIN '* ]] || { show; fail "launch: af_packet needs NET_RAW and NET_ADMIN"; }
expect_not_in "$joined" '/dev/vfio' "launch: no vfio device for a vdev"
expect_in "$out" '^#   NET_RAW: ' "launch explains NET_RAW"
expect_in "$out" '^#   NET_ADMIN: ' "launch explains NET_ADMIN"
expect_in "$out" 'because net_af_packet0: AF_PACKET' "launch says which device needs them"
r launch_null env "${LENV[@]}" "$LAUNCH" --dry-run capture -i net_null0 -w x.pcap
expect_not_in "$out" 'NET_RAW' "launch: net_null needs no network capability"
ok "launch adds NET_RAW + NET_ADMIN (explained) only for devices that use the kernel's network stack"

r launch_priv env "${LENV[@]}" "$LAUNCH" --dry-run --privileged capture -i 0000:00:0b.0 -w x.pcap
expect_rc 0 "launch --privileged --dry-run"
expect_in "$out" '--privileged' "launch --privileged"
expect_not_in "$out" 'cap-add|cap-drop|--device' "launch --privileged has no capability list"
mkdir -p "$S/bus/pci/devices/0000:00:0c.0"
ln -sfn "$S/bus/pci/drivers/igb_uio" "$S/bus/pci/devices/0000:00:0c.0/driver"
r launch_uio env "${LENV[@]}" "$LAUNCH" --dry-run capture -i 0000:00:0c.0 -w x.pcap
expect_rc 1 "launch with a UIO-bound device, without --privileged"
expect_in "$err" 'privileged' "launch says UIO needs --privileged"
r launch_kernel env "${LENV[@]}" "$LAUNCH" --engine podman --out "$T/out" capture -i 0000:00:09.0 -w x.pcap
expect_rc 1 "launch (for real) with a device still on its kernel driver"
expect_in "$err" 'scripts/bind 0000:00:09.0' "launch says to bind first"
[[ ! -e $T/out ]] || fail "launch created the output directory before failing"
r launch_mlx5 env "${LENV[@]}" "$LAUNCH" --dry-run capture -i 0000:00:0a.0 -w x.pcap
expect_in "$out" '--device /dev/infiniband' "launch: mlx5 gets /dev/infiniband"
expect_in "$out" '--cap-add NET_RAW' "launch: mlx5 gets NET_RAW"
ok "launch: --privileged, UIO refused without it, unbound NIC refused, mlx5 devices"

r launch_xdp env "${LENV[@]}" "$LAUNCH" --dry-run capture -i net_af_xdp0,iface=eth9 -w x.pcap
expect_rc 0 "launch --dry-run (af_xdp)"
expect_in "$out" '--cap-add BPF' "launch: af_xdp gets BPF"
expect_in "$out" '^#   BPF: net_af_xdp loads an XDP program' "launch explains BPF"
expect_not_in "$out" '/dev/net/tun' "launch: af_xdp needs no tun device"
r launch_tap env "${LENV[@]}" "$LAUNCH" --dry-run capture -i net_tap0,iface=lc0 -w x.pcap
expect_in "$out" '--device /dev/net/tun' "launch: net_tap gets /dev/net/tun"
expect_not_in "$out" 'cap-add BPF' "launch: net_tap needs no BPF"
# a VM without a vIOMMU: vfio's no-IOMMU mode, group device /dev/vfio/noiommu-11
mkdir -p "$S/module/vfio/parameters" "$T/dev/vfio"
echo Y >"$S/module/vfio/parameters/enable_unsafe_noiommu_mode"
: >"$T/dev/vfio/noiommu-11"
r launch_noiommu env "${LENV[@]}" LINECAP_DEVFS="$T/dev" "$LAUNCH" --dry-run capture -i 0000:00:0b.0 -w x.pcap
expect_rc 0 "launch --dry-run (no-IOMMU vfio)"
expect_in "$out" '--device /dev/vfio/noiommu-11' "launch: the no-IOMMU group device"
expect_in "$out" '--cap-add SYS_RAWIO' "launch: no-IOMMU gets SYS_RAWIO"
expect_in "$out" '--cap-add SYS_ADMIN' "launch: no-IOMMU gets SYS_ADMIN"
expect_in "$out" '^#   SYS_RAWIO: 0000:00:0b.0 uses VFIO.s no-IOMMU mode' "launch explains SYS_RAWIO"
rm -rf "${S:?}/module" "${T:?}/dev"
ok "launch: af_xdp adds BPF, net_tap /dev/net/tun, a no-IOMMU VFIO group SYS_RAWIO + SYS_ADMIN (each explained)"

mkdir -p "$S/devices/system/node/node1"
r launch_numa env "${LENV[@]}" "$LAUNCH" --dry-run capture -i 0000:00:0b.0 -w x.pcap
expect_in "$out" '--cap-add SYS_NICE' "launch: SYS_NICE on a two-node host"
expect_in "$out" '^#   SYS_NICE: this host has 2 NUMA nodes' "launch explains SYS_NICE"
rmdir "$S/devices/system/node/node1"
: >"$P/mounts"
r launch_nohuge_dry env "${LENV[@]}" "$LAUNCH" --dry-run capture -i net_null0 -w x.pcap
expect_in "$err" 'no hugetlbfs' "launch --dry-run warns without hugetlbfs"
r launch_nohuge env "${LENV[@]}" "$LAUNCH" --engine podman --out "$T/out" capture -i net_null0 -w x.pcap
expect_rc 1 "launch without hugetlbfs"
expect_in "$err" 'scripts/hugepages' "launch says how to get hugepages"
r launch_nohuge_ok env "${LENV[@]}" "$LAUNCH" --dry-run capture -i net_null0 -w x.pcap --eal '--no-huge -m 512'
expect_rc 0 "launch --no-huge"
expect_not_in "$err" 'hugetlbfs' "launch: --eal --no-huge needs no hugetlbfs"
r launch_stop "$LAUNCH" --dry-run --engine podman --name cap1 --stop
expect_in "$out" '^podman stop --time 30 cap1$' "launch --stop"
ok "launch: SYS_NICE on NUMA hosts, hugetlbfs required unless --no-huge, --stop"

# =================================== hugepages ========================================
H=$T/hp
hp2=$H/sys/kernel/mm/hugepages/hugepages-2048kB
hp1g=$H/sys/kernel/mm/hugepages/hugepages-1048576kB
for d in "$hp2" "$hp1g" "$H"/sys/devices/system/node/node{0,1}/hugepages/hugepages-{2048,1048576}kB; do
	mkdir -p "$d"
	for f in nr_hugepages free_hugepages resv_hugepages; do echo 0 >"$d/$f"; done
done
mkdir -p "$H/proc"
printf 'MemTotal:       16384000 kB\nHugepagesize:       2048 kB\n' >"$H/proc/meminfo"
printf 'nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\nnodev /dev/hugepages-1G hugetlbfs rw,relatime,pagesize=1024M 0 0\n' >"$H/proc/mounts"
HENV=(LINECAP_SYSFS="$H/sys" LINECAP_PROCFS="$H/proc" LINECAP_HUGE_MNT="$T/never-mounted")
node_nr() { cat "$H/sys/devices/system/node/$1/hugepages/hugepages-$2kB/nr_hugepages"; }

r hp_reserve env "${HENV[@]}" "$HUGEPAGES" 64
expect_rc 0 "hugepages 64"
expect_in "$out" 'reserved 64 2M pages on node0 \(was 0\)' "hugepages reserves on node0"
expect_in "$out" 'reserved 64 2M pages on node1 \(was 0\)' "hugepages reserves on node1"
[[ $(node_nr node0 2048) == 64 && $(node_nr node1 2048) == 64 ]] || fail "hugepages 64 did not write 64 per node"
# what the kernel would show now
echo 128 >"$hp2/nr_hugepages"
echo 128 >"$hp2/free_hugepages"
for n in node0 node1; do echo 64 >"$H/sys/devices/system/node/$n/hugepages/hugepages-2048kB/free_hugepages"; done
r hp_again env "${HENV[@]}" "$HUGEPAGES" 64
expect_rc 0 "hugepages 64 again"
expect_in "$out" 'already reserved, nothing to do' "hugepages never reserves twice"
r hp_status env "${HENV[@]}" "$HUGEPAGES" --status
expect_in "$out" '2M pages: 128 total, 128 free, 0 in use \(256 MiB\)' "hugepages --status"
r hp_1g env "${HENV[@]}" "$HUGEPAGES" --size 1G 2
expect_rc 0 "hugepages --size 1G 2"
[[ $(node_nr node0 1048576) == 2 && $(node_nr node1 1048576) == 2 ]] || fail "hugepages --size 1G 2 did not write 2 per node"
[[ ! -e $T/never-mounted ]] || fail "hugepages tried to mount although hugetlbfs is mounted"
ok "hugepages reserves N pages per NUMA node (2M and 1G), never twice, and reports what is free"

echo 100 >"$hp2/free_hugepages"
r hp_busy env "${HENV[@]}" "$HUGEPAGES" --release
expect_rc 1 "hugepages --release while 28 pages are in use"
expect_in "$err" 'refusing to release: 28 of 128 2M pages in use' "hugepages --release in use"
[[ $(cat "$hp2/nr_hugepages") == 128 ]] || fail "hugepages --release changed pages in use"
echo 128 >"$hp2/free_hugepages"
r hp_release env "${HENV[@]}" "$HUGEPAGES" --release
expect_rc 0 "hugepages --release"
expect_in "$out" 'released 128 2M pages' "hugepages --release"
[[ $(cat "$hp2/nr_hugepages") == 0 ]] || fail "hugepages --release did not write 0"
r hp_toomuch env "${HENV[@]}" "$HUGEPAGES" 100000
expect_rc 1 "hugepages 100000 (more than memory)"
expect_in "$err" "more than the machine's" "hugepages refuses more than memory"
ok "hugepages --release gives the pages back, refuses while in use, and refuses more than memory"

# partial release: N pages per node, only from free ones, all-or-nothing
for n in node0 node1; do
	for f in nr_hugepages free_hugepages; do echo 32 >"$H/sys/devices/system/node/$n/hugepages/hugepages-2048kB/$f"; done
done
echo 20 >"$H/sys/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages"
r hp_some_busy env "${HENV[@]}" "$HUGEPAGES" --release 24
expect_rc 1 "hugepages --release 24 with 20 free on node1"
expect_in "$err" 'refusing to release 24 2M pages on node1: only 20 of 32 are free' "hugepages --release N in use"
[[ $(node_nr node0 2048) == 32 && $(node_nr node1 2048) == 32 ]] || fail "a refused --release N changed a node"
r hp_some env "${HENV[@]}" "$HUGEPAGES" --release 16
expect_rc 0 "hugepages --release 16"
expect_in "$out" 'released 16 2M pages on node0 \(32 -> 16\)' "hugepages --release 16 on node0"
expect_in "$out" 'released 16 2M pages on node1 \(32 -> 16\)' "hugepages --release 16 on node1"
[[ $(node_nr node0 2048) == 16 && $(node_nr node1 2048) == 16 ]] || fail "hugepages --release 16 did not leave 16 per node"
r hp_status_n env "${HENV[@]}" "$HUGEPAGES" --status 3
expect_rc 2 "hugepages --status 3"
ok "hugepages --release N gives N pages back per node, only free ones, changing nothing when it refuses"

# ------------------------- hugepages, for real on this host -----------------------------
# A few 2M pages more than the host has, then given back: the kernel's own counters must
# follow. Other tests only use --no-huge, and the image test runs alone (suite container),
# so nobody is short of pages meanwhile; the lock keeps two runs of this test apart, and
# the trap puts the host's counts back whatever happens.
real=/sys/kernel/mm/hugepages/hugepages-2048kB
[[ -w $real/nr_hugepages ]] || fail "$real/nr_hugepages is not writable: this test needs a host (or VM) with 2M hugepages"
exec {lock}>/run/lock/linecap-hugepages-test.lock
flock -w 120 "$lock" || fail "another run of this test holds /run/lock/linecap-hugepages-test.lock"
mapfile -t real_nodes < <(compgen -G "/sys/devices/system/node/node[0-9]*/hugepages/hugepages-2048kB" || true)
if ((${#real_nodes[@]} > 1)); then real_targets=("${real_nodes[@]}"); else real_targets=("$real"); fi
declare -A saved=()
for t in "${real_targets[@]}"; do saved[$t]=$(cat "$t/nr_hugepages"); done
restore_hugepages() {
	local t
	for t in "${!saved[@]}"; do
		[[ $(cat "$t/nr_hugepages") == "${saved[$t]}" ]] || echo "${saved[$t]}" >"$t/nr_hugepages" || true
	done
}
cleanup() {
	restore_hugepages
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$T"
}
max=0
for t in "${real_targets[@]}"; do ((saved[$t] > max)) && max=${saved[$t]}; done
want=$((max + 4))
r real_reserve "$HUGEPAGES" "$want"
expect_rc 0 "hugepages $want (real)"
for t in "${real_targets[@]}"; do
	[[ $(cat "$t/nr_hugepages") == "$want" ]] || { show; fail "hugepages $want: the kernel has $(cat "$t/nr_hugepages") in $t"; }
done
expect_in "$out" "reserved $want 2M pages" "hugepages $want says what it reserved"
expect_in "$out" "^2M pages: [0-9]+ total, [0-9]+ free" "hugepages reports what is free"
expect_in "$out" "^hugetlbfs: .*\(pagesize=2M\)" "hugepages shows the mount"
r real_release "$HUGEPAGES" --release 4
expect_rc 0 "hugepages --release 4 (real)"
for t in "${real_targets[@]}"; do
	[[ $(cat "$t/nr_hugepages") == $((want - 4)) ]] || { show; fail "hugepages --release 4: the kernel has $(cat "$t/nr_hugepages") in $t, want $((want - 4))"; }
done
expect_in "$out" "released 4 2M pages" "hugepages --release 4 says so"
restore_hugepages
# The mount, for real, in a private mount namespace whose hugetlbfs mounts are gone.
mkdir -p "$T/hmnt"
keep=$((max > 0 ? max : 1))
r real_mount unshare -m --propagation private bash -c '
	awk "\$3 == \"hugetlbfs\" { print \$2 }" /proc/mounts | xargs -r -n1 umount -l
	LINECAP_HUGE_MNT=$1 "$2" "$3" || exit
	echo "mounts: $(awk "\$3 == \"hugetlbfs\" { print \$2, \$4 }" /proc/mounts)"' _ "$T/hmnt" "$HUGEPAGES" "$keep"
expect_rc 0 "hugepages $keep in a namespace without hugetlbfs"
expect_in "$out" "mounted hugetlbfs \(pagesize=2M\) at $T/hmnt" "hugepages mounts hugetlbfs"
expect_in "$out" "^mounts: $T/hmnt rw,.*pagesize=2M" "the kernel shows the hugetlbfs mount"
restore_hugepages
ok "hugepages on this host: $want pages reserved then 4 given back (the kernel's counters follow), hugetlbfs mounted; counts restored"

echo "scripts: $passed checks passed"
