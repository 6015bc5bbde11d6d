#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's initramfs in two parts, joined by the runner (the kernel
# unpacks concatenated cpio archives one after the other):
#
#   base    OUT KVER [MODULE...]   busybox, fio, coreutils' timeout, their
#                                  libraries, and the named kernel modules of
#                                  KVER (decompressed, with a load order);
#                                  slow to make, cached by the caller
#   payload OUT ENV CMD [STAGE]    /init and the guest scripts, the
#                                  profile's environment, the command to
#                                  run, and the staged dmactl artifacts
#                                  under /dmactl with the libraries their
#                                  programs need
#
# Runs inside the build root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

# Copy into tree $1 every library the ELF files $2... load.
copy_libs() {
	local tree=$1 f lib
	shift
	for f in "$@"; do
		for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+'); do
			[ -e "$tree$lib" ] || cp -L --parents "$lib" "$tree"
		done
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
	local out=$1 kv=$2 tree m path name
	shift 2
	tree=$(mktemp -d)
	mkdir -p "$tree"/{bin,sbin,etc,proc,sys,dev,tmp,root,lib/modules,usr/bin}
	mknod -m 600 "$tree/dev/console" c 5 1
	cp /bin/busybox "$tree/bin/busybox"
	copy_with_libs "$tree" /usr/bin/fio /usr/bin/timeout
	: > "$tree/etc/modules.load"
	for m in "$@"; do
		modprobe -S "$kv" --show-depends "$m" | while read -r what path _; do
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
	local out=$1 env=$2 cmd=$3 stage=${4:-} tree f elves=()
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
*) die "usage: initramfs.sh base OUT KVER [MODULE...] | payload OUT ENV CMD [STAGE]" ;;
esac
