#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug-tier kernel: the build root's linux-source (the same
# version as the distro kernel) configured from x86_64_defconfig +
# kvm_guest.config + the fragments in configs/kernel/, built with the
# build root's gcc-14.  The build is cached by source version, fragment
# contents, compiler and this script, so it is made once per change.
#
# Usage: debug-kernel.sh          build if needed, print the build directory
#        debug-kernel.sh --path   print the build directory, or fail if it
#                                 is not built
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

CC=gcc-14
src=$(root_ksrc)
[ -d "$src" ] || die "no kernel source at $src: run 'make buildroot'"
frags=("$DMACTL_TOP"/configs/kernel/*.config)

key=$( {
	echo "$src"
	"$CC" --version | head -n 1
	cat "${frags[@]}" "$0"
} | sha256sum | cut -c1-16)
dir=$DMACTL_OPT/debug/$key

if [ "${1:-}" = --path ]; then
	[ -f "$dir/.dmactl-built" ] || exit 1
	echo "$dir"
	exit 0
fi
if [ -f "$dir/.dmactl-built" ]; then
	echo "$dir"
	exit 0
fi

kmake() {
	make -C "$src" O="$dir" CC="$CC" HOSTCC="$CC" LOCALVERSION=-dmactl-debug "$@"
}

log "building the debug kernel in $dir (about 15 minutes on 2 cores)"
rm -rf "$dir"
mkdir -p "$dir"
kmake -s x86_64_defconfig
(cd "$dir" && "$src/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" \
	"$src/kernel/configs/kvm_guest.config" "${frags[@]}" > "$dir/merge.log")
kmake -s olddefconfig

# A fragment option that Kconfig dropped (an unmet dependency) would leave
# a checker silently missing: refuse to build such a kernel.
missing=$(cat "${frags[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=' | while IFS= read -r want; do
	grep -qx "$want" "$dir/.config" || echo "$want"
done)
[ -z "$missing" ] || die "options lost to unmet dependencies: $(echo $missing)"

kmake -j"$(($(nproc) + 1))" bzImage modules > "$dir/build.log" 2>&1 ||
	{ tail -n 40 "$dir/build.log" >&2; die "kernel build failed, see $dir/build.log"; }
touch "$dir/.dmactl-built"
# Keep only the newest build: each takes about 3 GiB.
find "$DMACTL_OPT/debug" -mindepth 1 -maxdepth 1 -type d ! -name "$key" \
	-exec rm -rf {} +
echo "$dir"
