#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the QEMU accelerator to use: tcg or kvm.
#
# DMACTL_ACCEL=tcg or kvm forces one.  With auto (the default), KVM is used
# only when a probe has shown that the build root's kernel boots under it:
# on some hosts /dev/kvm opens and simple guests run, but the kernel's
# decompressor stops with "KVM internal error ... emulation failure".  The
# probe's answer is kept per host kernel.  Runs inside the build root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

case "${DMACTL_ACCEL:-auto}" in
tcg|kvm) echo "$DMACTL_ACCEL"; exit 0 ;;
auto) ;;
*) die "DMACTL_ACCEL must be tcg, kvm or auto" ;;
esac
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo tcg
	exit 0
fi
memo=$DMACTL_OPT/kvm-probe-$(uname -r)
if [ ! -f "$memo" ]; then
	probe=$(mktemp -d)
	trap 'rm -rf "$probe"' EXIT
	mkdir -p "$probe/tree/bin" "$probe/tree/dev"
	cp /bin/busybox "$probe/tree/bin/"
	printf '#!/bin/busybox sh\n/bin/busybox printf "\\001" | /bin/busybox dd of=/dev/port bs=1 seek=244\n' \
		> "$probe/tree/init"
	chmod +x "$probe/tree/init"
	(cd "$probe/tree" && find . | cpio -o -H newc --quiet) > "$probe/initrd"
	# The guest's init exits QEMU with status 3; watch the log so that a
	# KVM internal error (QEMU pauses instead of exiting) costs little.
	: > "$probe/log"
	qemu-system-x86_64 -accel kvm -cpu host -M q35 -m 512M -nodefaults \
		-display none -no-reboot -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "/boot/vmlinuz-$(root_kver)" -initrd "$probe/initrd" \
		-append "console=ttyS0 panic=-1" > "$probe/log" 2>&1 < /dev/null &
	pid=$!
	result=tcg
	for _ in $(seq 1 120); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" && rc=0 || rc=$?
			[ "$rc" = 3 ] && result=kvm
			break
		fi
		grep -q 'KVM internal error' "$probe/log" && break
		sleep 0.25
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	mkdir -p "$(dirname "$memo")"
	echo "$result" > "$memo"
fi
cat "$memo"
