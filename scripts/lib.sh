# SPDX-License-Identifier: GPL-2.0
# Shared definitions for dmactl's helper scripts.  Sourced, never run.
#
# Everything the test bed builds lives in one cache directory outside the
# checkout, so a fresh clone reuses the work of the previous one:
#
#   $DMACTL_CACHE/root/                 Debian trixie build root (debootstrap)
#   $DMACTL_CACHE/root/opt/dmactl/      what is built inside it:
#       versions                        package versions recorded at install
#       src/linux-<kver>/               the kernel source of the test kernel
#       debug/<key>/                    debug-tier kernel build trees
#       initramfs/                      base initramfs images per kernel

DMACTL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DMACTL_CACHE=${DMACTL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmactl}
DMACTL_ROOT=$DMACTL_CACHE/root
# Paths as seen from inside the build root, where every script after
# buildroot.sh runs; the host path is "$DMACTL_ROOT$path".
DMACTL_OPT=/opt/dmactl
DMACTL_OUT=${DMACTL_OUT:-$DMACTL_TOP/out}

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "${0##*/}: $*" >&2
}

# True when running inside the build root (in-root.sh sets this).
in_root() {
	[ "${DMACTL_IN_ROOT:-}" = 1 ]
}

# The version of the newest kernel installed in the build root, e.g.
# "7.3.4+deb13-amd64".  Works inside and outside the build root.
root_kver() {
	local base=/lib/modules
	in_root || base=$DMACTL_ROOT/lib/modules
	ls "$base" 2>/dev/null | sort -V | tail -n 1
}

# The matching "X.Y" series, the suffix of the linux-source package.
kver_series() {
	echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'
}

# The kernel source of the build root's kernel, as seen inside the root.
root_ksrc() {
	echo "$DMACTL_OPT/src/linux-$(root_kver)"
}

# The build root's LTS kernel, Debian trixie's own (e.g.
# "6.12.117+deb13-amd64"), as buildroot.sh recorded it.
root_lts_kver() {
	local base=
	in_root || base=$DMACTL_ROOT
	cat "$base$DMACTL_OPT/lts-kver" 2>/dev/null
}

# The kernel tiers, one place for what each is.  tier_kernel TIER sets:
#   TIER_KDIR     what the module builds against
#   TIER_IMAGE    the kernel the guests boot
#   TIER_KVER     its release
#   TIER_MODULES  modules of TIER_KVER the guest loads (Debian's kernels
#                 have as modules what the others build in)
#   TIER_CMDLINE  the tier's own kernel parameters
#   TIER_CONFIG   its .config
# TIER_KVER of a built kernel is known inside the build root only.
# Tiers: distro (the build root's newest kernel, trixie-backports), lts
# (trixie's 6.12), debug (scripts/kernel.sh debug), bench (the same
# source without the checkers, with CONFIG_DMA_MAP_BENCHMARK: kernel.sh
# bench), patched (the bench kernel with the patch $DMACTL_PATCH:
# kernel.sh patched), own (the kernel in $DMACTL_KERNEL: a build
# directory, or a source tree built by scripts/kernel.sh tree).  Runs
# inside the build root.
tier_kernel() {
	local kv
	TIER_CMDLINE=
	# dm_mod and ext4: the expendable test holds a namespace with a dm
	# device, and mounts a filesystem on it.
	TIER_MODULES="virtio_iommu nvme dm_mod ext4"
	case "$1" in
	distro|lts)
		kv=$(root_kver)
		[ "$1" = distro ] || kv=$(root_lts_kver)
		[ -n "$kv" ] || die "no $1 kernel in the build root: run 'make buildroot'"
		TIER_KVER=$kv
		TIER_KDIR=/usr/src/linux-headers-$kv
		TIER_IMAGE=/boot/vmlinuz-$kv
		TIER_CONFIG=/boot/config-$kv
		return
		;;
	debug|bench)
		TIER_KDIR=$("$DMACTL_TOP/scripts/kernel.sh" "$1" --path) ||
			die "no $1 kernel built: run 'make $1-kernel'"
		;;
	patched)
		TIER_KDIR=$("$DMACTL_TOP/scripts/kernel.sh" patched "${DMACTL_PATCH:?tier patched: set DMACTL_PATCH}" --path) ||
			die "the bench kernel with $DMACTL_PATCH is not built: run 'scripts/kernel.sh patched $DMACTL_PATCH'"
		;;
	own)
		[ -n "${DMACTL_KERNEL:-}" ] || die "tier own: set KERNEL=<kernel build directory or source tree>"
		if [ -f "$DMACTL_KERNEL/arch/x86/boot/bzImage" ]; then
			TIER_KDIR=$DMACTL_KERNEL
		else
			TIER_KDIR=$("$DMACTL_TOP/scripts/kernel.sh" tree "$DMACTL_KERNEL" --path) ||
				die "$DMACTL_KERNEL is not built: run 'make own-kernel KERNEL=$DMACTL_KERNEL'"
		fi
		;;
	*) die "unknown tier $1 (distro, lts, debug, bench, patched or own)" ;;
	esac
	# A kernel built here has everything built in (configs/kernel/).
	TIER_MODULES=
	TIER_IMAGE=$TIER_KDIR/arch/x86/boot/bzImage
	TIER_CONFIG=$TIER_KDIR/.config
	# Its paths are the build root's: read there (vm-run.sh), empty outside.
	TIER_KVER=
	! in_root || TIER_KVER=$(cat "$TIER_KDIR/include/config/kernel.release")
	# no5lvl: with TCG's -cpu max the kernel runs 5-level paging, and
	# KASAN then reports a wild access in the first interrupt at boot
	# (handle_edge_irq from identify_cpu, 7.3.4).  4-level paging avoids
	# it; nothing dmactl tests depends on the paging depth.
	TIER_CMDLINE=no5lvl
	case "$1" in
	bench|patched) ;;
	*) TIER_CMDLINE="iommu.debug_pagealloc=1 $TIER_CMDLINE" ;;
	esac
}

# The tier to boot: own when the user named a kernel (KERNEL=, which sets
# DMACTL_KERNEL), else $1.  A source tree is built first (incrementally,
# its log on standard error).
user_tier() {
	if [ -z "${DMACTL_KERNEL:-}" ]; then
		echo "$1"
		return
	fi
	[ -f "$DMACTL_KERNEL/arch/x86/boot/bzImage" ] ||
		"$DMACTL_TOP/scripts/kernel.sh" tree "$DMACTL_KERNEL" >&2 || return 1
	echo own
}

# The KTAP lines of a host test (scripts/tests/): result WHAT STATUS
# [LOG] prints "ok N - WHAT" for status 0, else "not ok N - WHAT" and the
# tail of LOG as comments; skipped WHAT REASON prints an "ok N ... # SKIP";
# results_end prints "N passed, N failed" and fails if any did.
test_n=0 test_passed=0 test_failed=0
result() {
	test_n=$((test_n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $test_n - $1"
		test_passed=$((test_passed + 1))
	else
		echo "not ok $test_n - $1"
		[ -z "${3:-}" ] || tail -n 20 "$3" | sed 's/^/# /'
		test_failed=$((test_failed + 1))
	fi
}
skipped() {
	test_n=$((test_n + 1))
	echo "ok $test_n - $1 # SKIP $2"
}
results_end() {
	echo "$test_passed passed, $test_failed failed"
	[ "$test_failed" = 0 ]
}
