#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's initramfs in two parts, joined by the runner (the kernel
# unpacks concatenated cpio archives one after the other):
#
#   base    OUT TARGET [MODULE...] busybox, fio, coreutils' timeout, their
#                                  libraries, and the named kernel modules of
#                                  the target's kernel (build.sh's TARGET:
#                                  a tier, or TIER-FLAVOUR for another
#                                  architecture), decompressed, with a load
#                                  order; slow to make, cached by the caller
#   payload OUT ENV CMD TARGET [STAGE]
#                                  /init and the guest scripts, the
#                                  profile's environment, the command to
#                                  run, and the staged dmactl artifacts
#                                  under /dmactl with the libraries their
#                                  programs need
#
# Runs inside the build root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

FOREIGN_TRIPLET=

# Copy into tree $1 every library the ELF files $2... load.
copy_libs() {
	local tree=$1 f lib
	shift
	for f in "$@"; do
		if [ -n "$FOREIGN_TRIPLET" ]; then
			copy_foreign_libs "$tree" "$f"
			continue
		fi
		for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+'); do
			[ -e "$tree$lib" ] || cp -L --parents "$lib" "$tree"
		done
	done
}

# The same for a program of another architecture, which ldd cannot run:
# its interpreter and, recursively, its NEEDED libraries, from the build
# root's multiarch directory of that architecture (the :arm64 packages
# buildroot.sh installs), where the guest's loader looks for them too.
copy_foreign_libs() {
	local tree=$1 f=$2 dir=/usr/lib/$FOREIGN_TRIPLET interp lib
	interp=$(readelf -l "$f" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
	[ -z "$interp" ] || [ -e "$tree$interp" ] || cp -L --parents "$interp" "$tree"
	for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		[ ! -e "$tree$dir/$lib" ] || continue
		[ -e "$dir/$lib" ] || die "$f needs $lib, which is not in $dir"
		cp -L --parents "$dir/$lib" "$tree"
		copy_foreign_libs "$tree" "$dir/$lib"
	done
}

# Copy ELF programs into tree $1, with every library they load.
copy_with_libs() {
	local tree=$1 f
	shift
	for f in "$@"; do
		cp -L --parents "$f" "$tree"
	done
	copy_libs "$tree" "$@"
}

mkcpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$2"
}

base() {
	local out=$1 target=$2 kv tree m path name sysroot
	tier_kernel "$target"
	kv=$TIER_KVER
	shift 2
	tree=$(mktemp -d)
	mkdir -p "$tree"/{bin,sbin,etc,proc,sys,dev,tmp,root,lib/modules,usr/bin}
	mknod -m 600 "$tree/dev/console" c 5 1
	if [ "$TIER_ARCH" = x86_64 ]; then
		cp /bin/busybox "$tree/bin/busybox"
		copy_with_libs "$tree" /usr/bin/fio /usr/bin/timeout
	else
		# Another architecture's programs: Debian's packages unpacked
		# by buildroot.sh (busybox-static, coreutils).  No fio: Debian's
		# links Ceph, GlusterFS, NFS, NBD, RDMA and PMDK libraries (49
		# packages that cannot sit beside the build root's own), and
		# the mirror has no sources to build a small one; the fio
		# tests skip there.
		foreign_flavour "${target#*-}"
		sysroot=$DMACTL_OPT/foreign/$FOREIGN_ARCH/root
		cp "$sysroot/usr/bin/busybox" "$tree/bin/busybox"
		cp "$sysroot/usr/bin/timeout" "$tree/usr/bin/timeout"
		copy_libs "$tree" "$sysroot/usr/bin/timeout"
	fi
	: > "$tree/etc/modules.load"
	for m in "$@"; do
		modprobe -d "$TIER_MODROOT" -S "$kv" --show-depends "$m" | while read -r what path _; do
			[ "$what" = insmod ] || continue
			name=$(basename "$path")
			name=${name%.xz}
			name=${name%.zst}
			grep -qx "$name" "$tree/etc/modules.load" && continue
			case "$path" in
			*.xz) xz -dc "$path" > "$tree/lib/modules/$name" ;;
			*.zst) zstd -qdc "$path" > "$tree/lib/modules/$name" ;;
			*) cp "$path" "$tree/lib/modules/$name" ;;
			esac
			echo "$name" >> "$tree/etc/modules.load"
		done
	done
	mkcpio "$tree" "$out.tmp.$$"
	mv "$out.tmp.$$" "$out"
	rm -rf "$tree"
}

payload() {
	local out=$1 env=$2 cmd=$3 target=$4 stage=${5:-} tree f elves=()
	tier_kernel "$target"
	[ "$TIER_ARCH" = x86_64 ] || foreign_flavour "${target#*-}"
	tree=$(mktemp -d)
	mkdir -p "$tree/etc/dmactl" "$tree/dmactl/guest"
	install -m 755 "$DMACTL_TOP/scripts/guest/init" "$tree/init"
	install -m 755 "$DMACTL_TOP"/scripts/guest/*.sh "$tree/dmactl/guest/"
	cp "$env" "$tree/etc/dmactl/profile.env"
	cp "$cmd" "$tree/etc/dmactl/cmd"
	if [ -n "$stage" ]; then
		cp -a "$stage/." "$tree/dmactl/"
		while IFS= read -r -d '' f; do
			head -c 4 "$f" | grep -q ELF && elves+=("$f")
		done < <(find "$tree/dmactl" -type f -perm -u+x -print0)
		copy_libs "$tree" "${elves[@]}"
	fi
	mkcpio "$tree" "$out"
	rm -rf "$tree"
}

case "${1:-}" in
base) shift; base "$@" ;;
payload) shift; payload "$@" ;;
*) die "usage: initramfs.sh base OUT TARGET [MODULE...] | payload OUT ENV CMD TARGET [STAGE]" ;;
esac
