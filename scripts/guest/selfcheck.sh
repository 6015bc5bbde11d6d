#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot self-check: the guest must be the machine its profile promises, so a
# profile whose IOMMU silently did not come up fails instead of passing.
# Reads DMACTL_EXPECT_DOMAIN, DMACTL_NVME_COUNT, DMACTL_TOPOLOGY and
# DMACTL_CMDLINE_CHECK and DMACTL_KERNEL_P2PDMA from the environment
# (profile.env).

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

domain_of() {
	if [ -e "/sys/bus/pci/devices/$1/iommu_group" ]; then
		cat "/sys/bus/pci/devices/$1/iommu_group/type"
	else
		echo none
	fi
}

nvmes=$(nvme_devices)
n=$(echo $nvmes | wc -w)
check "$n NVMe controller(s), profile has $DMACTL_NVME_COUNT" \
	"$([ "$n" = "$DMACTL_NVME_COUNT" ] && echo 1)"

for bdf in $nvmes; do
	d=/sys/bus/pci/devices/$bdf
	# nvme probes asynchronously, and waits for virtio-iommu to bind.
	i=0
	while [ $i -lt 300 ] && ! ls "$d"/nvme/nvme*/nvme*n1 >/dev/null 2>&1; do
		sleep 0.1
		i=$((i + 1))
	done
	drv=$(basename "$(readlink "$d/driver")" 2>/dev/null)
	check "$bdf bound to nvme with a namespace (driver: ${drv:-none})" \
		"$([ "$drv" = nvme ] && ls "$d"/nvme/nvme*/nvme*n1 >/dev/null 2>&1 && echo 1)"
	dom=$(domain_of "$bdf")
	check "$bdf IOMMU domain $dom, profile expects $DMACTL_EXPECT_DOMAIN" \
		"$([ "$dom" = "$DMACTL_EXPECT_DOMAIN" ] && echo 1)"
	if [ "$DMACTL_KERNEL_P2PDMA" = y ]; then
		check "$bdf CMB published as p2pmem ($(cat "$d/p2pmem/size" 2>/dev/null) bytes)" \
			"$([ "$(cat "$d/p2pmem/published" 2>/dev/null)" = 1 ] &&
			   [ "$(cat "$d/p2pmem/size")" = 16777216 ] && echo 1)"
	else
		echo "# selfcheck: skip: $bdf CMB as p2pmem: the kernel has no CONFIG_PCI_P2PDMA"
	fi
	if [ "$DMACTL_TOPOLOGY" = switch ]; then
		# parent: downstream port, its parent: the switch's upstream port
		up=$(basename "$(dirname "$(dirname "$(readlink -f "$d")")")")
		check "$bdf behind switch upstream port $up" \
			"$([ "$(cat "/sys/bus/pci/devices/$up/device" 2>/dev/null)" = 0x8232 ] && echo 1)"
	fi
done

edu=$(edu_devices)
ivshmem=$(ivshmem_devices)
check "edu DMA engine present: $edu" "$([ -n "$edu" ] && echo 1)"
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
