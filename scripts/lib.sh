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
# "7.3.4+deb13-amd64" (the headers of other architectures' kernels,
# for cross builds, live beside it).  Works inside and outside the build
# root.
root_kver() {
	local base=/lib/modules
	in_root || base=$DMACTL_ROOT/lib/modules
	ls "$base" 2>/dev/null | grep -- '-amd64$' | sort -V | tail -n 1
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

# The kernel tiers, one place for what each is.  tier_kernel TARGET sets,
# for TARGET = TIER (an x86_64 kernel) or TIER-FLAVOUR (Debian's kernel
# flavour of another architecture: distro-arm64, distro-arm64-16k):
#   TIER_KDIR     what the module builds against
#   TIER_IMAGE    the kernel the guests boot
#   TIER_KVER     its release
#   TIER_MODULES  modules of TIER_KVER the guest loads (Debian's kernels
#                 have as modules what the others build in)
#   TIER_MODROOT  the directory whose lib/modules/TIER_KVER holds them
#                 (modprobe -d): / for the build root's own kernels
#   TIER_CMDLINE  the tier's own kernel parameters
#   TIER_CONFIG   its .config
#   TIER_ARCH     the guest's architecture: x86_64 or arm64
#   TIER_MAKE     make variables that build dmactl for it (a cross
#                 compiler for arm64)
# TIER_KVER of a built kernel is known inside the build root only.
# Tiers: distro (the build root's newest kernel, trixie-backports), lts
# (trixie's 6.12), debug (scripts/kernel.sh debug), bench (the same
# source without the checkers, with CONFIG_DMA_MAP_BENCHMARK: kernel.sh
# bench), patched (the bench kernel with the patch $DMACTL_PATCH:
# kernel.sh patched), own (the kernel in $DMACTL_KERNEL: a build
# directory, or a source tree built by scripts/kernel.sh tree).  Another
# architecture has the distro tier only: Debian's kernel of the same
# version, unpacked by buildroot.sh (foreign_kernels).  Runs inside the
# build root.
tier_kernel() {
	local kv tier=${1%%-*} flavour=
	[ "$tier" = "$1" ] || flavour=${1#*-}
	TIER_CMDLINE= TIER_MODROOT=/ TIER_ARCH=x86_64
	TIER_MAKE="CC=gcc-14"
	# dm_mod and ext4: the expendable test holds a namespace with a dm
	# device, and mounts a filesystem on it.
	TIER_MODULES="virtio_iommu nvme dm_mod ext4"
	if [ -n "$flavour" ]; then
		[ "$tier" = distro ] ||
			die "$1: a kernel of another architecture has the distro tier only"
		foreign_flavour "$flavour" || die "unknown kernel flavour $flavour (arm64, arm64-16k)"
		kv=$(root_kver)
		TIER_KVER=${kv%-amd64}-$flavour
		TIER_ARCH=$FOREIGN_ARCH
		TIER_KDIR=/usr/src/linux-headers-$TIER_KVER
		TIER_MODROOT=$DMACTL_OPT/foreign/$FOREIGN_ARCH/root/usr
		TIER_IMAGE=$TIER_MODROOT/lib/modules/$TIER_KVER/vmlinuz
		TIER_CONFIG=$TIER_KDIR/.config
		TIER_MAKE="ARCH=$FOREIGN_ARCH CROSS_COMPILE=$FOREIGN_TRIPLET- CC=$FOREIGN_TRIPLET-gcc-14"
		TIER_MAKE="$TIER_MAKE PKG_CONFIG=$DMACTL_TOP/scripts/cross-pkg-config.sh"
		return
	fi
	case "$tier" in
	distro|lts)
		kv=$(root_kver)
		[ "$tier" = distro ] || kv=$(root_lts_kver)
		[ -n "$kv" ] || die "no $tier kernel in the build root: run 'make buildroot'"
		TIER_KVER=$kv
		TIER_KDIR=/usr/src/linux-headers-$kv
		TIER_IMAGE=/boot/vmlinuz-$kv
		TIER_CONFIG=/boot/config-$kv
		return
		;;
	debug|bench)
		TIER_KDIR=$("$DMACTL_TOP/scripts/kernel.sh" "$tier" --path) ||
			die "no $tier kernel built: run 'make $tier-kernel'"
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
	*) die "unknown tier $tier (distro, lts, debug, bench, patched or own)" ;;
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
	case "$tier" in
	bench|patched) ;;
	*) TIER_CMDLINE="iommu.debug_pagealloc=1 $TIER_CMDLINE" ;;
	esac
}

# The kernel flavours of other architectures the test bed boots, Debian's
# names (one list: buildroot.sh installs what they need).  foreign_flavour
# FLAVOUR sets FOREIGN_ARCH (Debian's and the kernel's name, arm64) and
# FOREIGN_TRIPLET (the GNU one, of the cross compiler and the multiarch
# library directories); false for a flavour not in the list.
FOREIGN_FLAVOURS="arm64 arm64-16k"
foreign_flavour() {
	case " $FOREIGN_FLAVOURS " in *" $1 "*) ;; *) return 1 ;; esac
	FOREIGN_ARCH=arm64 FOREIGN_TRIPLET=aarch64-linux-gnu
}

# The build target of a profile on a tier: the tier, with the profile's
# kernel flavour when it is another architecture's (configs/profiles/:
# KERNEL_FLAVOUR).  profile_target PROFILE_FILE TIER.
profile_target() {
	local flavour
	flavour=$(sed -n 's/^KERNEL_FLAVOUR=//p' "$1" | tr -d '"')
	echo "$2${flavour:+-$flavour}"
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
