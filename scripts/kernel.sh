#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernels the test bed boots from source, with the build root's
# gcc-14: x86_64_defconfig + kvm_guest.config + the fragments of
# configs/kernel/ (the "debug" flavour), and for the "fast" flavour
# configs/kernel/flavours/fast.config after them, which turns the slowest
# checkers off again; the "bench" flavour adds flavours/bench.config after
# fast, which turns the rest off too.  Prints the build directory.
#
# Usage: kernel.sh debug [--path]      the debug tier: the build root's
#                                      kernel source, debug flavour; built
#                                      once per source, compiler and
#                                      fragments, then cached
#        kernel.sh bench [--path]      the bench tier: the same source,
#                                      bench flavour, cached alike
#        kernel.sh patched PATCH [--path]
#                                      the bench tier's source with PATCH
#                                      applied (make bench-ab B=PATCH), in
#                                      a hard-linked copy per patch, built
#                                      incrementally, bench flavour
#        kernel.sh tree SRC [--path]   a kernel source tree of the user's
#                                      (make check KERNEL=SRC), built
#                                      incrementally in a directory of its
#                                      own per tree and flavour: debug, or
#                                      $DMACTL_KERNEL_CONFIG (KERNEL_CONFIG=)
#        kernel.sh mutant SRC DIR      SRC built incrementally in DIR,
#                                      fast flavour (make mutants)
#
# --path prints the directory of a finished build, or fails.  A build is
# configured again only when its fragments, compiler or flavour change;
# otherwise make decides what to rebuild.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

CC=gcc-14

# The fragments of a flavour, in the order they apply.
fragments() {
	ls "$DMACTL_TOP"/configs/kernel/*.config
	case "$1" in
	debug) ;;
	fast) echo "$DMACTL_TOP/configs/kernel/flavours/fast.config" ;;
	bench) echo "$DMACTL_TOP/configs/kernel/flavours/fast.config"
		echo "$DMACTL_TOP/configs/kernel/flavours/bench.config" ;;
	*) die "unknown kernel flavour $1 (debug, fast or bench)" ;;
	esac
}

# What decides a build's configuration: bump "recipe" when the steps of
# configure() change.
config_key() {
	local flavour=$1
	{
		echo "recipe 2 $flavour"
		"$CC" --version | head -n 1
		cat $(fragments "$flavour")
	} | sha256sum | cut -c1-16
}

# configure SRC DIR FLAVOUR: a fresh .config in DIR.
configure() {
	local src=$1 dir=$2 flavour=$3 frags want missing
	mapfile -t frags < <(fragments "$flavour")
	make -C "$src" O="$dir" CC="$CC" HOSTCC="$CC" -s x86_64_defconfig
	(cd "$dir" && "$src/scripts/kconfig/merge_config.sh" -m -O "$dir" \
		"$dir/.config" "$src/kernel/configs/kvm_guest.config" \
		"${frags[@]}" > "$dir/merge.log")
	make -C "$src" O="$dir" CC="$CC" HOSTCC="$CC" -s olddefconfig
	# A fragment option that Kconfig dropped (an unmet dependency, or a
	# kernel that predates it) would leave a checker or a driver silently
	# missing: refuse such a kernel.  An option's last fragment decides.
	missing=$(cat "${frags[@]}" |
		sed -nE 's/^(CONFIG_[A-Z0-9_]+)=(.*)/\1 \1=\2/p; s/^# (CONFIG_[A-Z0-9_]+) is not set/\1 -/p' |
		awk '{ want[$1] = $2 } END { for (o in want) if (want[o] != "-") print want[o] }' |
		while IFS= read -r want; do
			grep -qx "$want" "$dir/.config" || echo "$want"
		done)
	[ -z "$missing" ] || die "options lost to unmet dependencies: $(echo $missing)"
}

# build SRC DIR FLAVOUR LOCALVERSION: configure if needed, then make.
build() {
	local src=$1 dir=$2 flavour=$3 lv=$4 key
	key=$(config_key "$flavour")
	mkdir -p "$dir"
	if [ "$(cat "$dir/.dmactl-config" 2>/dev/null)" != "$key" ]; then
		rm -f "$dir/.dmactl-config" "$dir/.dmactl-built"
		configure "$src" "$dir" "$flavour"
		echo "$key" > "$dir/.dmactl-config"
	fi
	rm -f "$dir/.dmactl-built"
	make -C "$src" O="$dir" CC="$CC" HOSTCC="$CC" LOCALVERSION="$lv" \
		-j"$(($(nproc) + 1))" bzImage modules > "$dir/build.log" 2>&1 ||
		{ tail -n 40 "$dir/build.log" >&2; die "kernel build failed, see $dir/build.log"; }
	touch "$dir/.dmactl-built"
}

# finished DIR [--path]: with --path, print DIR if it is built or fail.
path_only() {
	[ -f "$1/.dmactl-built" ] || exit 1
	echo "$1"
	exit 0
}

# root_flavour FLAVOUR [--path]: the build root's kernel source in
# FLAVOUR (the debug and bench tiers).
root_flavour() {
	local flavour=$1 src dir
	src=$(root_ksrc)
	[ -d "$src" ] || die "no kernel source at $src: run 'make buildroot'"
	dir=$DMACTL_OPT/$flavour/$( { echo "$src"; config_key "$flavour"; } | sha256sum | cut -c1-16)
	[ "${2:-}" != --path ] || path_only "$dir"
	if [ ! -f "$dir/.dmactl-built" ]; then
		log "building the $flavour kernel in $dir (about 15 minutes on 2 cores)"
		rm -rf "$dir"
		build "$src" "$dir" "$flavour" "-dmactl-$flavour"
		# Keep only the newest build: each takes about 3 GiB.
		find "$DMACTL_OPT/$flavour" -mindepth 1 -maxdepth 1 -type d \
			! -name "${dir##*/}" -exec rm -rf {} +
	fi
	echo "$dir"
}

# patched PATCH [--path]: the build root's source with PATCH, bench
# flavour.  The copy's files are hard links of the source's; patch(1)
# writes a file anew rather than through its link, so the source stays
# untouched.  The first build of a patch starts from a copy of the bench
# tier's build, so only what the patch touches is compiled.
patched() {
	local patch src key dir bench
	patch=$(realpath "${1:?kernel.sh patched PATCH}")
	[ -f "$patch" ] || die "no patch $1"
	src=$(root_ksrc)
	key=$( { echo "$src"; cat "$patch"; } | sha256sum | cut -c1-16)
	dir=$DMACTL_OPT/patched/$key
	[ "${2:-}" != --path ] || path_only "$dir/build"
	if [ ! -d "$dir/src" ]; then
		bench=$(root_flavour bench)
		rm -rf "$dir"
		mkdir -p "$dir"
		cp -al "$src" "$dir/src.tmp"
		patch -d "$dir/src.tmp" -p1 --quiet --no-backup-if-mismatch < "$patch" ||
			die "$patch does not apply to $src"
		mv "$dir/src.tmp" "$dir/src"
		cp -a "$bench" "$dir/build"
		# The build directory names its source tree (Makefile, the
		# "source" link, and every object's dependencies: a patched
		# header must rebuild what includes it).
		sed -i "s|$src|$dir/src|g" "$dir/build/Makefile"
		ln -sfn "$dir/src" "$dir/build/source"
		find "$dir/build" -name '*.cmd' -print0 |
			xargs -0 sed -i "s|$src/|$dir/src/|g"
	fi
	log "building $src with $(basename "$patch") in $dir (incremental)"
	build "$dir/src" "$dir/build" bench -dmactl-patched
	echo "$dir/build"
}

tree() {
	local src dir flavour=${DMACTL_KERNEL_CONFIG:-debug}
	src=$(cd "${1:?kernel.sh tree SRC}" && pwd)
	[ -f "$src/Makefile" ] && [ -d "$src/drivers/iommu" ] ||
		die "$src is not a kernel source tree"
	fragments "$flavour" > /dev/null
	dir=$DMACTL_OPT/trees/$(echo "$src" | sha256sum | cut -c1-16)-$flavour
	[ "${2:-}" != --path ] || path_only "$dir"
	log "building $src ($flavour) in $dir (incremental; the first build takes about 15 minutes on 2 cores)"
	build "$src" "$dir" "$flavour" "-dmactl-$flavour"
	echo "$dir"
}

case "${1:-}" in
debug|bench) root_flavour "$@" ;;
patched) shift; patched "$@" ;;
tree) shift; tree "$@" ;;
mutant) build "${2:?kernel.sh mutant SRC DIR}" "${3:?kernel.sh mutant SRC DIR}" fast -dmactl-mutant
	echo "$3" ;;
*) die "usage: kernel.sh debug|bench [--path] | patched PATCH [--path] | tree SRC [--path] | mutant SRC DIR" ;;
esac
