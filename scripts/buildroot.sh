#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Create or refresh the Debian trixie build root that holds everything the
# test bed runs: gcc-14 (the compiler Debian's kernels are built with), the
# trixie-backports kernel with its headers and source, trixie's 6.12 LTS
# kernel with its headers, QEMU 11, fio, busybox, the libraries the tool
# links against, and Debian's packaging tools (dkms, debhelper, lintian)
# that scripts/tests/packaging.sh proves the packages with.  For the arm64
# machines (lib.sh's FOREIGN_FLAVOURS): the cross compiler, the :arm64
# libraries the tool and selftests link against, the kernels' headers, and
# Debian's arm64 kernels, modules, busybox and coreutils unpacked under
# /opt/dmactl/foreign/arm64/root (their packages cannot be installed
# beside the build root's own).
#
# Idempotent: when the root exists and holds every package of the list
# below, it only prints the recorded versions.  DMACTL_REFRESH=1 forces an
# apt-get update and upgrade, which is how a newer backports kernel arrives.
#
# Usage: scripts/buildroot.sh [--print-versions]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Installed from trixie.
PKGS_MAIN="gcc-14 make libc6-dev pkg-config kmod busybox-static fio cpio
xz-utils perl rsync coreutils bc bison flex libelf-dev libssl-dev libnl-genl-3-dev
libjson-c-dev ca-certificates python3-yaml python3-jsonschema libblkid-dev
clang libclang-rt-dev gcovr patch dkms dh-dkms debhelper lintian build-essential
acpica-tools gcc-14-aarch64-linux-gnu libc6-dev:arm64 libnl-genl-3-dev:arm64
libjson-c-dev:arm64 libblkid-dev:arm64"
# Installed from trixie-backports: the kernel users run, and QEMU >= 11
# (the amd profile needs amd-iommu's dma-remap property).
PKGS_BPO="linux-image-amd64 linux-headers-amd64 qemu-system-x86 qemu-system-arm"
# And trixie's own kernel, the 6.12 LTS tier (lts_kernel below).
PKGS_LTS="linux-image linux-headers of trixie's linux-image-amd64"
# Of another architecture's, unpacked (foreign_kernels).
FOREIGN_DEBS="busybox-static coreutils"
# Headers only, for the build matrix (scripts/build-matrix.sh): the newest
# of each of these series in trixie-backports.
MATRIX_SERIES="7.2"

# Which mirror to use: $DMACTL_MIRROR, or the one the host's own apt
# configuration uses for Debian, so that the project names no host.
host_mirror() {
	local uri
	if [ -n "${DMACTL_MIRROR:-}" ]; then
		echo "$DMACTL_MIRROR"
		return
	fi
	uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources |
	      awk '{print $2}' | grep -E '/debian/?$' | head -n 1 || true)
	if [ -z "$uri" ]; then
		uri=$(grep -hsE '^deb ' /etc/apt/sources.list \
		      /etc/apt/sources.list.d/*.list |
		      awk '{print $2}' | grep -E '/debian/?$' | head -n 1 || true)
	fi
	[ -n "$uri" ] || die "no Debian mirror in the host's apt sources; set DMACTL_MIRROR"
	echo "$uri"
}

# Host packages: debootstrap is the only one the test bed needs outside the
# build root.  Installed here so a fresh Debian 12 machine needs no step.
host_deps() {
	command -v debootstrap >/dev/null && command -v unshare >/dev/null && return
	[ "$(id -u)" = 0 ] || die "needs root to install debootstrap: run as root, or 'apt-get install debootstrap' first"
	command -v apt-get >/dev/null || die "debootstrap is missing and this is not a Debian host: install debootstrap"
	log "installing debootstrap on the host"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
}

chroot_apt() {
	# apt and dpkg chatter (dracut complaining about the chroot among it)
	# goes to a log that is shown when a step fails.
	if ! "$DMACTL_TOP/scripts/in-root.sh" env DEBIAN_FRONTEND=noninteractive \
		apt-get -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@" \
		>> "$DMACTL_CACHE/apt.log" 2>&1; then
		tail -n 30 "$DMACTL_CACHE/apt.log" >&2
		die "apt-get $* failed in the build root, see $DMACTL_CACHE/apt.log"
	fi
}

# Install trixie's own kernel and its headers beside the backports one: the
# version its linux-image-amd64 depends on.  Records its release for
# root_lts_kver.
lts_kernel() {
	local ver image
	ver=$("$DMACTL_TOP/scripts/in-root.sh" apt-cache madison linux-image-amd64 |
		awk -F' *[|] *' '$3 ~ / trixie\/main / {print $2; exit}')
	[ -n "$ver" ] || die "no linux-image-amd64 in trixie/main"
	image=$("$DMACTL_TOP/scripts/in-root.sh" apt-cache show "linux-image-amd64=$ver" |
		sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | head -n 1)
	[ -n "$image" ] || die "linux-image-amd64 $ver depends on no kernel image"
	chroot_apt -y -qq --no-install-recommends install "$image" \
		"linux-headers-${image#linux-image-}"
	echo "${image#linux-image-}" > "$DMACTL_ROOT$DMACTL_OPT/lts-kver"
}

# Headers of the newest kernel of each MATRIX_SERIES.
matrix_headers() {
	local series pkg
	for series in $MATRIX_SERIES; do
		pkg=$("$DMACTL_TOP/scripts/in-root.sh" apt-cache search --names-only \
			"^linux-headers-${series//./\\.}\\.[0-9.]*\\+deb13-amd64\$" |
			cut -d' ' -f1 | sort -V | tail -n 1)
		[ -n "$pkg" ] || die "no linux-headers of $series in the archive"
		chroot_apt -y -qq --no-install-recommends install "$pkg"
	done
}

# Each of lib.sh's FOREIGN_FLAVOURS: Debian's kernel of the build root's
# kernel version, its headers installed (the cross build's KDIR), its image
# and modules unpacked with FOREIGN_DEBS under
# $DMACTL_OPT/foreign/ARCH/root, where lib.sh's tier_kernel finds them.
foreign_kernels() {
	local kv ver flavour root debs arch pkgs= p
	kv=$(root_kver)
	ver=$("$DMACTL_TOP/scripts/in-root.sh" dpkg-query -W -f '${Version}' "linux-image-$kv")
	for flavour in $FOREIGN_FLAVOURS; do
		foreign_flavour "$flavour"
		arch=$FOREIGN_ARCH
		pkgs="$pkgs linux-headers-${kv%-amd64}-$flavour:$arch=$ver"
	done
	chroot_apt -y -qq --no-install-recommends -t trixie-backports install $pkgs
	root=$DMACTL_OPT/foreign/$arch/root debs=$DMACTL_OPT/foreign/$arch/debs
	pkgs=
	for flavour in $FOREIGN_FLAVOURS; do
		pkgs="$pkgs linux-binary-${kv%-amd64}-$flavour:$arch=$ver"
		pkgs="$pkgs linux-modules-${kv%-amd64}-$flavour:$arch=$ver"
	done
	for p in $FOREIGN_DEBS; do
		pkgs="$pkgs $p:$arch"
	done
	# Into a new tree, which replaces the old one only when complete.
	rm -rf "$DMACTL_ROOT$root.new" "$DMACTL_ROOT$debs"
	mkdir -p "$DMACTL_ROOT$debs"
	# shellcheck disable=SC2016 # expanded by the inner shell
	"$DMACTL_TOP/scripts/in-root.sh" sh -c 'cd "$1" && shift && apt-get -qq download "$@"' \
		sh "$debs" $pkgs >> "$DMACTL_CACHE/apt.log" 2>&1 ||
		die "could not download $pkgs, see $DMACTL_CACHE/apt.log"
	# shellcheck disable=SC2016
	"$DMACTL_TOP/scripts/in-root.sh" sh -c 'for d in "$1"/*.deb; do dpkg-deb -x "$d" "$2"; done' \
		sh "$debs" "$root.new" || die "could not unpack $debs"
	for flavour in $FOREIGN_FLAVOURS; do
		"$DMACTL_TOP/scripts/in-root.sh" depmod -b "$root.new/usr" "${kv%-amd64}-$flavour" 2>/dev/null ||
			die "depmod failed on the $flavour modules"
	done
	rm -rf "$DMACTL_ROOT$debs" "$DMACTL_ROOT$root"
	mv "$DMACTL_ROOT$root.new" "$DMACTL_ROOT$root"
}

record_versions() {
	local kv series
	kv=$(root_kver)
	series=$(kver_series "$kv")
	"$DMACTL_TOP/scripts/in-root.sh" dpkg-query -W -f '${Package} ${Version}\n' \
		gcc-14 "linux-image-$kv" "linux-headers-$kv" "linux-source-$series" \
		qemu-system-x86 qemu-system-arm gcc-14-aarch64-linux-gnu \
		fio busybox-static libnl-genl-3-dev libjson-c-dev \
		"linux-image-$(root_lts_kver)" \
		> "$DMACTL_ROOT$DMACTL_OPT/versions"
	echo "kernel $kv" >> "$DMACTL_ROOT$DMACTL_OPT/versions"
	echo "lts kernel $(root_lts_kver)" >> "$DMACTL_ROOT$DMACTL_OPT/versions"
}

# True when the root holds every package of the lists above (as they were
# when it was last completed) and the kernel source.
root_complete() {
	local kv flavour
	[ -f "$DMACTL_ROOT$DMACTL_OPT/versions" ] || return 1
	[ "$(cat "$DMACTL_ROOT$DMACTL_OPT/packages" 2>/dev/null)" = "$(echo $PKGS_MAIN / $PKGS_BPO / $PKGS_LTS / $MATRIX_SERIES / $FOREIGN_FLAVOURS $FOREIGN_DEBS)" ] ||
		return 1
	kv=$(root_kver)
	[ -n "$kv" ] || return 1
	[ -d "$DMACTL_ROOT$(root_ksrc)/tools" ] || return 1
	# Each other architecture's kernel of the same version.
	for flavour in $FOREIGN_FLAVOURS; do
		foreign_flavour "$flavour"
		[ -f "$DMACTL_ROOT$DMACTL_OPT/foreign/$FOREIGN_ARCH/root/usr/lib/modules/${kv%-amd64}-$flavour/vmlinuz" ] ||
			return 1
	done
}

main() {
	local mirror kv series ver src

	if [ "${1:-}" = --print-versions ]; then
		cat "$DMACTL_ROOT$DMACTL_OPT/versions"
		return
	fi
	[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot and mounts): run as root"
	host_deps

	if root_complete && [ "${DMACTL_REFRESH:-0}" != 1 ]; then
		cat "$DMACTL_ROOT$DMACTL_OPT/versions"
		return
	fi

	mirror=$(host_mirror)
	mkdir -p "$DMACTL_CACHE"
	if [ ! -x "$DMACTL_ROOT/usr/bin/apt-get" ]; then
		log "debootstrap trixie into $DMACTL_ROOT (about a minute)"
		rm -rf "$DMACTL_ROOT.tmp"
		debootstrap --variant=minbase trixie "$DMACTL_ROOT.tmp" "$mirror" \
			> "$DMACTL_CACHE/debootstrap.log" 2>&1 ||
			die "debootstrap failed, see $DMACTL_CACHE/debootstrap.log"
		mv "$DMACTL_ROOT.tmp" "$DMACTL_ROOT"
	fi

	cat > "$DMACTL_ROOT/etc/apt/sources.list.d/debian.sources" <<-SRC
	Types: deb
	URIs: $mirror
	Suites: trixie trixie-updates trixie-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	SRC
	rm -f "$DMACTL_ROOT/etc/apt/sources.list"
	cp -L /etc/resolv.conf "$DMACTL_ROOT/etc/resolv.conf" 2>/dev/null || true
	# Nothing is ever started inside the root.
	printf '#!/bin/sh\nexit 101\n' > "$DMACTL_ROOT/usr/sbin/policy-rc.d"
	chmod +x "$DMACTL_ROOT/usr/sbin/policy-rc.d"
	# The kernel's postinst would build an initramfs we never use.
	mkdir -p "$DMACTL_ROOT/etc/kernel/postinst.d"

	log "installing packages into the build root"
	# The arm64 machines' libraries and kernels (foreign_kernels).
	"$DMACTL_TOP/scripts/in-root.sh" dpkg --add-architecture arm64
	chroot_apt -qq update
	chroot_apt -y -qq --no-install-recommends install $PKGS_MAIN
	chroot_apt -y -qq --no-install-recommends -t trixie-backports \
		install $PKGS_BPO
	[ "${DMACTL_REFRESH:-0}" = 1 ] &&
		chroot_apt -y -qq --no-install-recommends upgrade

	# linux-source-X.Y of exactly the installed kernel's version.
	kv=$(root_kver)
	[ -n "$kv" ] || die "no kernel in the build root after install"
	series=$(kver_series "$kv")
	ver=$("$DMACTL_TOP/scripts/in-root.sh" dpkg-query -W -f '${Version}' "linux-image-$kv")
	chroot_apt -y -qq --no-install-recommends -t trixie-backports \
		install "linux-source-$series=$ver"

	src=$DMACTL_ROOT$(root_ksrc)
	if [ ! -d "$src/tools" ]; then
		log "unpacking linux-source-$series into $src"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		tar -C "$src.tmp" -xf "$DMACTL_ROOT/usr/src/linux-source-$series.tar.xz"
		mv "$src.tmp/linux-source-$series" "$src"
		rmdir "$src.tmp"
	fi
	lts_kernel
	matrix_headers
	foreign_kernels
	chroot_apt -qq clean
	record_versions
	echo $PKGS_MAIN / $PKGS_BPO / $PKGS_LTS / $MATRIX_SERIES / $FOREIGN_FLAVOURS $FOREIGN_DEBS > "$DMACTL_ROOT$DMACTL_OPT/packages"
	cat "$DMACTL_ROOT$DMACTL_OPT/versions"
}

main "$@"
