#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a machine profile under QEMU, run one command in the guest, and exit
# with that command's exit status.
#
# Usage: vm-run.sh -p PROFILE [-t TIER] [-s STAGE] [-T SECONDS] [-c]
#                  [-o LOGPREFIX] [--show] [--] COMMAND...
#
#   -p PROFILE   a profile of configs/profiles/ (intel-strict, virtio, ...),
#                or the path of a profile file
#   -t TIER      distro: the build root's Debian kernel (default); lts:
#                its Debian 6.12; debug: the kernel of 'make debug-kernel';
#                own: the kernel of KERNEL= (see tier_kernel in lib.sh)
#   -s STAGE     a directory copied to /dmactl in the guest (its bin/ is on
#                PATH): the built module, tool and selftests
#   -T SECONDS   wall-clock limit for the whole VM run (default 600)
#   -c           cost mode: one vCPU, and QEMU's -icount with
#                shift=$DMACTL_ICOUNT_SHIFT (default 0), align=off,
#                sleep=off, so the guest's clock counts the instructions it
#                executed (2^shift ns each) and repeats across boots; the
#                kernel command line says so (dmactl_icount=SHIFT), for
#                "dmactl bench" to label its unit.  TCG only.
#   -o PREFIX    write PREFIX.console.log (the whole serial console),
#                PREFIX.out.log (the command's own output) and
#                PREFIX.verdict (one line); default $DMACTL_OUT/vm/PROFILE-TIER
#   --show       copy the console to standard output while it runs
#
# The run fails (exit 125, reason in the verdict) when the guest never
# reports a status (panic, reboot; a guest locked down, whose init cannot
# reach isa-debug-exit, reports it on the console and powers off), the profile's boot self-check fails,
# the time limit passes, or the console shows a kernel report: WARNING:,
# BUG:, KASAN:, UBSAN:, a kmemleak suspected leak, lockdep's possible
# circular or recursive locking, an oops or panic, or an IOMMU fault
# (DMAR, AMD-Vi, virtio-iommu, Arm SMMUv3).  An IOMMU fault that a test declares in
# advance, by writing DMACTL-EXPECT-FAULT-BEGIN and DMACTL-EXPECT-FAULT-END
# to /dev/kmsg around it, is allowed and counted.
#
# DMACTL_ACCEL=tcg|kvm|auto chooses the accelerator; auto (the default)
# uses KVM only when a probe boot has shown that it works on this host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

RUNNER_FAIL=125

profile= tier=distro stage= limit=600 prefix= show=0 cost=0
while [ $# -gt 0 ]; do
	case "$1" in
	-p) profile=$2; shift 2 ;;
	-t) tier=$2; shift 2 ;;
	-s) stage=$(cd "$2" && pwd); shift 2 ;;
	-T) limit=$2; shift 2 ;;
	-o) prefix=$2; shift 2 ;;
	-c) cost=1; shift ;;
	--show) show=1; shift ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see the head of this script)" ;;
	*) break ;;
	esac
done
[ -n "$profile" ] && [ $# -gt 0 ] || die "usage: vm-run.sh -p PROFILE [-t TIER] [-s STAGE] [-T SECONDS] [-o PREFIX] [--show] COMMAND..."
# A profile is named (configs/profiles/NAME.conf) or given as a file.
case "$profile" in
*/*) pfile=$profile; profile=$(basename "$profile" .conf) ;;
*) pfile=$DMACTL_TOP/configs/profiles/$profile.conf ;;
esac
[ -f "$pfile" ] || die "no profile $pfile"
prefix=${prefix:-$DMACTL_OUT/vm/$profile-$tier}
mkdir -p "$(dirname "$prefix")"

DESC= MACHINE= CPU= IOMMU= CMDLINE= TOPOLOGY= NVME_COUNT= EXPECT_DOMAIN=
KERNEL_FLAVOUR= ACPI_TABLES= EXPECT_IOMMU= EXPECT_UNTRUSTED= PAGE_SIZE= MEMORY=2G
. "$pfile"

# The kernel and the base initramfs of the tier (of the profile's
# architecture: its KERNEL_FLAVOUR).
target=$(profile_target "$pfile" "$tier")
tier_kernel "$target"
kernel=$TIER_IMAGE kver=$TIER_KVER modules=$TIER_MODULES tier_cmdline=$TIER_CMDLINE
# And what the staged module needs of a modular kernel's (6.12's crc32c
# is libcrc32c's).
if [ -n "$modules" ] && [ -f "$stage/dmactl.ko" ]; then
	modules="$modules $(modinfo -F depends "$stage/dmactl.ko" | tr , ' ')"
fi
[ -f "$kernel" ] || die "no kernel at $kernel"

key=$( { echo "$modules"; cat "$DMACTL_TOP/scripts/initramfs.sh"; } | sha256sum | cut -c1-12)
base=$DMACTL_OPT/initramfs/$tier-$kver-$key.cpio
if [ ! -f "$base" ]; then
	log "building the base initramfs for $tier $kver"
	mkdir -p "$(dirname "$base")"
	"$DMACTL_TOP/scripts/initramfs.sh" base "$base" "$target" $modules
fi

work=$(mktemp -d "/tmp/vm-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat > "$work/profile.env" <<ENV
export DMACTL_PROFILE='$profile'
export DMACTL_TIER='$tier'
export DMACTL_EXPECT_DOMAIN='$EXPECT_DOMAIN'
export DMACTL_NVME_COUNT='$NVME_COUNT'
export DMACTL_TOPOLOGY='$TOPOLOGY'
export DMACTL_CMDLINE_CHECK='$CMDLINE'
export DMACTL_EDU_DMA_BITS='${EDU_DMA_BITS:-28}'
export DMACTL_ARCH='$TIER_ARCH'
export DMACTL_EXPECT_IOMMU='$EXPECT_IOMMU'
export DMACTL_EXPECT_UNTRUSTED='$EXPECT_UNTRUSTED'
export DMACTL_PAGE_SIZE='${PAGE_SIZE:-4096}'
export DMACTL_KERNEL_P2PDMA='$(grep -q '^CONFIG_PCI_P2PDMA=y' "$TIER_CONFIG" && echo y || echo n)'
ENV
printf '%s\n' "$*" > "$work/cmd"
"$DMACTL_TOP/scripts/initramfs.sh" payload "$work/payload.cpio" \
	"$work/profile.env" "$work/cmd" "$target" $stage
# ACPI tables the profile adds (configs/acpi/NAME.asl, compiled here), in
# an archive of their own at the head of the initramfs, where the kernel
# looks for kernel/firmware/acpi/ before it unpacks anything
# (CONFIG_ACPI_TABLE_UPGRADE).
: > "$work/acpi.cpio"
if [ -n "$ACPI_TABLES" ]; then
	mkdir -p "$work/acpi/kernel/firmware/acpi"
	for t in $ACPI_TABLES; do
		iasl -we -p "$work/acpi/kernel/firmware/acpi/$t" \
			"$DMACTL_TOP/configs/acpi/$t.asl" > "$work/iasl.log" 2>&1 ||
			{ cat "$work/iasl.log" >&2; die "iasl failed on configs/acpi/$t.asl"; }
	done
	(cd "$work/acpi" && find kernel | LC_ALL=C sort | cpio -o -H newc --quiet) > "$work/acpi.cpio"
fi
cat "$work/acpi.cpio" "$base" "$work/payload.cpio" > "$work/initrd"

# Devices every profile has: NVMe with a 16 MiB CMB (published as p2pmem by
# the nvme driver), the edu DMA engine, ivshmem-plain with a 16 MiB BAR2.
# TOPOLOGY: root (on the root bus), switch (the NVMe controllers below a
# PCIe switch), rootports (each NVMe controller and the edu below a root
# port of its own, at slot 0x11 on: the ports the untrusted profile's
# SSDT names, \_SB.PCI0.S88 and on).
devs=() edu_bus=
case "$TOPOLOGY" in
switch) devs+=(
	-device pcie-root-port,id=rp1,chassis=1,slot=1
	-device x3130-upstream,id=up1,bus=rp1
	-device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=1
	-device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=2) ;;
rootports)
	for i in $(seq 1 $((NVME_COUNT + 1))); do
		devs+=(-device "pcie-root-port,id=rp$i,chassis=$i,slot=$i,addr=$(printf %#x $((0x10 + i)))")
	done
	edu_bus=",bus=rp$((NVME_COUNT + 1))" ;;
esac
for i in $(seq 1 "$NVME_COUNT"); do
	truncate -s 256M "$work/nvme$i.img"
	bus=
	[ "$TOPOLOGY" = switch ] && bus=",bus=dn$i"
	[ "$TOPOLOGY" = rootports ] && bus=",bus=rp$i"
	devs+=(-drive "file=$work/nvme$i.img,if=none,id=nvm$i,format=raw"
	       -device "nvme,serial=dmactl$i,drive=nvm$i,cmb_size_mb=16$bus")
done
devs+=(-device "edu,dma_mask=$(printf '%#x' $(( (1 << ${EDU_DMA_BITS:-28}) - 1 )))$edu_bus"
       -object memory-backend-ram,id=ivshm,size=16M
       -device ivshmem-plain,memdev=ivshm)

accel=$("$DMACTL_TOP/scripts/accel.sh")
# No KVM for another architecture's guest.
[ "$TIER_ARCH" = x86_64 ] || accel=tcg
cpu=$CPU
[ "$accel" = kvm ] && cpu=host${CPU#max}

# Cost mode (-c).  One vCPU: with icount every vCPU advances one clock, so
# a second one's background work would land inside the timed regions.
smp=2 icount=() cost_cmdline=
if [ "$cost" = 1 ]; then
	[ "$accel" = tcg ] || die "cost mode (-c) needs TCG: QEMU's icount does not run under $accel"
	shift_=${DMACTL_ICOUNT_SHIFT:-0}
	case "$shift_" in [0-9]|10) ;; *) die "DMACTL_ICOUNT_SHIFT is 0..10" ;; esac
	smp=1
	icount=(-icount "shift=$shift_,align=off,sleep=off")
	cost_cmdline="dmactl_icount=$shift_"
fi

console=$prefix.console.log
out=$prefix.out.log
verdict=$prefix.verdict
rm -f "$console" "$out" "$verdict"
# The machine's own parts: the QEMU binary, how the guest reports its exit
# status, and the serial ports' names in the guest (the command's output
# goes to the second).
case "$TIER_ARCH" in
x86_64)
	# no_timer_check: under TCG on a busy host the kernel's early check
	# that the IO-APIC delivers timer interrupts can time out and panic
	# ("IO-APIC + timer doesn't work!"), as seen here; KVM guests skip it
	# for the same reason.
	qemu_bin=qemu-system-x86_64
	exit_dev=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
	console_tty=ttyS0 arch_cmdline=no_timer_check
	;;
arm64)
	# QEMU's virt board: PL011 UARTs (a second non-secure one when two
	# -serial are given), PSCI for the power-off that carries the exit
	# status on the console (no isa-debug-exit there).  pauth-impdef:
	# TCG's architected pointer-authentication cipher (QARMA) costs more
	# than the rest of the CPU; the implementation-defined one is cheap,
	# and nothing here tests pointer authentication.
	qemu_bin=qemu-system-aarch64
	exit_dev=()
	cpu=$cpu,pauth-impdef=on
	console_tty=ttyAMA0 arch_cmdline=
	;;
*) die "no machine for architecture $TIER_ARCH" ;;
esac
# shellcheck disable=SC2086
qemu=("$qemu_bin" -M "$MACHINE" -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$MEMORY"
      "${icount[@]}"
      -nodefaults -display none -no-reboot
      $IOMMU "${devs[@]}"
      "${exit_dev[@]}"
      -serial stdio -serial "file:$out"
      -kernel "$kernel" -initrd "$work/initrd"
      -append "console=$console_tty printk.time=1 panic=-1 panic_on_warn=1 oops=panic $arch_cmdline $tier_cmdline $CMDLINE $cost_cmdline")

start=$(date +%s.%N)
set +e
if [ "$show" = 1 ]; then
	timeout -k 10 "$limit" "${qemu[@]}" < /dev/null 2>&1 | tee "$console"
	qrc=${PIPESTATUS[0]}
else
	timeout -k 10 "$limit" "${qemu[@]}" < /dev/null > "$console" 2>&1
	qrc=$?
fi
set -e
secs=$(echo "$(date +%s.%N) - $start" | bc)
sed -i 's/\r$//' "$console"
[ -f "$out" ] && sed -i 's/\r$//' "$out"

reason=
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	reason="timeout after ${limit}s"
elif grep -q '^DMACTL-SELFCHECK=FAIL' "$console"; then
	reason="profile self-check failed: $(grep '^# selfcheck: FAIL' "$console" | head -n 1)"
elif [ "$qrc" = 0 ] && ! grep -q 'Kernel panic' "$console" &&
	grep -qE '^DMACTL-RC-BY-CONSOLE=[0-9]+' "$console"; then
	# A locked-down guest cannot reach isa-debug-exit: its init said it.
	# (Only its digits: a kernel message printed late can follow them
	# on the same line, as seen once.)
	qrc=$(( $(sed -nE 's/^DMACTL-RC-BY-CONSOLE=([0-9]+).*/\1/p' "$console" | tail -n 1) * 2 + 1 ))
elif [ $((qrc & 1)) = 0 ]; then
	reason="guest gave no exit status (QEMU exit $qrc: panic, reboot or QEMU error): $(grep -E 'Kernel panic|qemu-system' "$console" | head -n 1 || :)"
fi
report=$("$DMACTL_TOP/scripts/console-scan.sh" "$console") ||
	reason=${reason:-$report}

if [ -n "$reason" ]; then
	rc=$RUNNER_FAIL
	echo "FAIL $profile $tier ${secs}s: $reason" > "$verdict"
else
	rc=$(((qrc - 1) / 2))
	echo "RC=$rc $profile $tier ${secs}s${report:+ ($report)}" > "$verdict"
fi
log "$(cat "$verdict"); console: $console"
exit "$rc"
