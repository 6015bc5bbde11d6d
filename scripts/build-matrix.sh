#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module built against every kernel the build root has headers for
# (the distro kernel, the 6.12 LTS, the newest 7.2 of backports), W=1 with
# -Werror, each twice: with CONFIG_PCI_P2PDMA as Debian configured it, and
# flipped (on where Debian has it off, and off where on) in a copy of the
# headers' generated configuration, which is how compat.h's other branch
# gets compiled.  A flipped build links against symbols the kernel does
# not export (P2PDMA turned on): modpost only warns of those.
#
# Output: an "ok N - ..." / "not ok N - ..." line per build; exit 0 when
# every one built.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

work=$DMACTL_OUT/build-matrix
rm -rf "$work"
mkdir -p "$work"
n=0 failed=0

# flip DIR: CONFIG_PCI_P2PDMA the other way in a header tree's copy of its
# configuration.
flip() {
	local h=$1/include/generated/autoconf.h c=$1/include/config/auto.conf
	if grep -q '^#define CONFIG_PCI_P2PDMA 1' "$h"; then
		sed -i '/^#define CONFIG_PCI_P2PDMA 1$/d' "$h"
		sed -i '/^CONFIG_PCI_P2PDMA=y$/d' "$c" "$1/.config"
		echo off
	else
		echo '#define CONFIG_PCI_P2PDMA 1' >> "$h"
		echo 'CONFIG_PCI_P2PDMA=y' | tee -a "$c" >> "$1/.config"
		echo on
	fi
}

p2p_of() {
	grep -q '^CONFIG_PCI_P2PDMA=y' "$1/.config" && echo on || echo off
}

for kdir in /usr/src/linux-headers-*-amd64; do
	kv=${kdir#/usr/src/linux-headers-}
	for variant in debian flipped; do
		dir=$kdir
		if [ "$variant" = flipped ]; then
			dir=$work/headers-$kv
			cp -a "$kdir" "$dir"
			# Debian's links into linux-kbuild are relative.
			find "$dir" -type l | while IFS= read -r l; do
				ln -sfn "$(readlink -f "$kdir${l#"$dir"}")" "$l"
			done
			p2p=$(flip "$dir")
		else
			p2p=$(p2p_of "$dir")
		fi
		n=$((n + 1))
		what="module builds against $kv, P2PDMA $p2p ($variant config)"
		if make -C "$DMACTL_TOP" --no-print-directory module KDIR="$dir" \
			CC=gcc-14 KCFLAGS=-Werror KBUILD_MODPOST_WARN=1 \
			BUILD="$work/$kv-$variant" > "$work/$kv-$variant.log" 2>&1; then
			echo "ok $n - $what"
		else
			echo "not ok $n - $what"
			sed 's/^/# /' "$work/$kv-$variant.log" | grep -E 'error|warning' | head -n 20
			failed=$((failed + 1))
		fi
	done
done
echo "# $((n - failed)) of $n built"
[ "$failed" = 0 ]
