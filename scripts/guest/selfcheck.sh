#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot self-check: the guest must be the machine its profile promises, so a
# profile whose IOMMU silently did not come up fails instead of passing.
# Reads DMACTL_EXPECT_DOMAIN, DMACTL_EXPECT_IOMMU, DMACTL_EXPECT_UNTRUSTED,
# DMACTL_PAGE_SIZE, DMACTL_NVME_COUNT, DMACTL_TOPOLOGY, DMACTL_CMDLINE_CHECK
# and DMACTL_KERNEL_P2PDMA from the environment (profile.env).

. /dmactl/guest/pci.sh

fail=0
check() {
	# check WHAT OK: print the verdict, remember a failure
	if [ "$2" = 1 ]; then
		echo "# selfcheck: ok: $1"
	else
		echo "# selfcheck: FAIL: $1"
		fail=1
	fi
}

# The shell's own read and globs, not a process per file: under the debug
# kernel each process costs a tenth of a second of an emulated CPU.
# val FILE: the first line of FILE in $val, empty if it cannot be read.
val() {
	val=
	read -r val < "$1" 2>/dev/null || :
}

# has_namespace DEV_DIR: the controller has its first namespace.
has_namespace() {
	set -- "$1"/nvme/nvme*/nvme*n1
	[ -e "$1" ]
}

# The kernel's page size: the shell's own mappings say it.
page_kb=
while read -r key v _; do
	[ "$key" = KernelPageSize: ] && page_kb=$v && break
done < /proc/self/smaps
check "page size $((page_kb * 1024)) bytes, profile has $DMACTL_PAGE_SIZE" \
	"$([ "$((page_kb * 1024))" = "$DMACTL_PAGE_SIZE" ] && echo 1)"

# (pci.sh's pci_untrusted; the module's attach reply reports the kernel's
# mark itself: untrusted.untrusted_device_is_reported.)
nvmes=$(nvme_devices)
# shellcheck disable=SC2086 # one word per device
set -- $nvmes
check "$# NVMe controller(s), profile has $DMACTL_NVME_COUNT" \
	"$([ "$#" = "$DMACTL_NVME_COUNT" ] && echo 1)"

for bdf in $nvmes; do
	d=/sys/bus/pci/devices/$bdf
	# nvme probes asynchronously, and waits for virtio-iommu to bind.
	i=0
	while [ $i -lt 300 ] && ! has_namespace "$d"; do
		sleep 0.1
		i=$((i + 1))
	done
	drv=
	[ -e "$d/driver" ] && drv=$(readlink "$d/driver") && drv=${drv##*/}
	ok=; [ "$drv" = nvme ] && has_namespace "$d" && ok=1
	check "$bdf bound to nvme with a namespace (driver: ${drv:-none})" "$ok"
	dom=none
	[ -e "$d/iommu_group" ] && val "$d/iommu_group/type" && dom=$val
	ok=; [ "$dom" = "$DMACTL_EXPECT_DOMAIN" ] && ok=1
	check "$bdf IOMMU domain $dom, profile expects $DMACTL_EXPECT_DOMAIN" "$ok"
	if [ -n "$DMACTL_EXPECT_IOMMU" ]; then
		iommu=$(readlink "$d/iommu" 2>/dev/null)
		iommu=${iommu##*/}
		ok=; case "$iommu" in *"$DMACTL_EXPECT_IOMMU"*) ok=1 ;; esac
		check "$bdf translated by ${iommu:-no IOMMU}, profile expects $DMACTL_EXPECT_IOMMU" "$ok"
	fi
	is=no want=no
	pci_untrusted "$bdf" && is=yes
	[ -z "$DMACTL_EXPECT_UNTRUSTED" ] || want=yes
	check "$bdf untrusted: $is, profile expects $want" \
		"$([ "$is" = "$want" ] && echo 1)"
	if [ "$DMACTL_KERNEL_P2PDMA" = y ]; then
		val "$d/p2pmem/published"; published=$val
		val "$d/p2pmem/size"
		ok=; [ "$published" = 1 ] && [ "$val" = 16777216 ] && ok=1
		check "$bdf CMB published as p2pmem ($val bytes)" "$ok"
	else
		echo "# selfcheck: skip: $bdf CMB as p2pmem: the kernel has no CONFIG_PCI_P2PDMA"
	fi
	if [ "$DMACTL_TOPOLOGY" = switch ]; then
		# parent: downstream port, its parent: the switch's upstream port
		up=$(readlink -f "$d")
		up=${up%/*}
		up=${up%/*}
		up=${up##*/}
		val "/sys/bus/pci/devices/$up/device"
		ok=; [ "$val" = 0x8232 ] && ok=1
		check "$bdf behind switch upstream port $up" "$ok"
	fi
done

edu=$(edu_devices)
ivshmem=$(ivshmem_devices)
check "edu DMA engine present: $edu" "$([ -n "$edu" ] && echo 1)"
if [ -n "$DMACTL_EXPECT_UNTRUSTED" ] && [ -n "$edu" ]; then
	check "edu $edu untrusted (below an external-facing port)" \
		"$(pci_untrusted "$edu" && echo 1)"
fi
check "ivshmem-plain present: $ivshmem" "$([ -n "$ivshmem" ] && echo 1)"

for word in $DMACTL_CMDLINE_CHECK; do
	check "kernel command line has $word" \
		"$(grep -qw -- "$word" /proc/cmdline && echo 1)"
done
case " $DMACTL_CMDLINE_CHECK " in
*" swiotlb=force "*)
	check "swiotlb is set up ($(cat /sys/kernel/debug/swiotlb/io_tlb_nslabs 2>/dev/null) slabs)" \
		"$([ "$(cat /sys/kernel/debug/swiotlb/io_tlb_nslabs 2>/dev/null || echo 0)" -gt 0 ] && echo 1)"
	;;
esac
exit $fail
