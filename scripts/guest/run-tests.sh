#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: load dmactl.ko, run the installed kselftests (KTAP on
# stdout), and unload the module, which fails if anything still holds it.
# Arguments go to run_kselftest.sh (e.g. -t dmactl:devnode).
# The edu's DMA mask is the profile's (QEMU's dma_mask property).
insmod /dmactl/dmactl.ko edu_dma_bits="${DMACTL_EDU_DMA_BITS:-28}" || {
	echo "# insmod /dmactl/dmactl.ko failed"
	exit 1
}
. /dmactl/guest/pci.sh
# The tests' device: the first NVMe controller, shared with its driver;
# and a driverless device the revocation test binds to dmactl: edu.
DMACTL_SELFTESTS_DEV=$(nvme_devices | head -n 1)
DMACTL_SELFTESTS_EXCL_DEV=$(edu_devices | head -n 1)
export DMACTL_SELFTESTS_EXCL_DEV
# Every device of a throwaway machine is expendable: tests may write raw
# data to its namespaces (blank files on the host), hot-remove it, unbind
# its driver (dmactl expendable).
DMACTL_EXPENDABLE=$(echo $(nvme_devices) $(edu_devices) $(ivshmem_devices))
export DMACTL_EXPENDABLE
# 2 MiB pages for the hugetlb cases of the copy test: by their size, since
# the default huge page is 32 MiB with 16 KiB pages (512 MiB with 64 KiB).
echo 4 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null ||
	echo "# no 2 MiB huge pages on this kernel: the hugetlb cases skip"
if [ -n "${DMACTL_SELFTESTS_DEV:-}" ]; then
	echo "$DMACTL_SELFTESTS_DEV" > /sys/class/misc/dmactl/allow
	export DMACTL_SELFTESTS_DEV
fi
# A throwaway machine: the last test may lock the kernel down for good.
# Not under the debug kernel, where the run ends with a kmemleak scan
# through debugfs, which lockdown closes.
[ "${DMACTL_TIER:-}" = debug ] || export DMACTL_LOCKDOWN_TEST=1
# The fio stress runs twice per profile: short here, hours on hardware.
# Under the debug kernel (KASAN, lockdep) shorter still.
if [ "${DMACTL_TIER:-}" = debug ]; then
	export DMACTL_STRESS_SECONDS=${DMACTL_STRESS_SECONDS:-4}
fi
# The settings file's per-program timeout (300 s) is for real machines
# and the distro kernel; the debug kernel under TCG runs several times
# slower, and slower still beside another guest.  The VM runner's limit
# still ends a run that hangs.
timeout=
[ "${DMACTL_TIER:-}" != debug ] || timeout="-o 900"
cd /dmactl/ksft || exit 1
# shellcheck disable=SC2086 # two words or none
./run_kselftest.sh $timeout "$@"
rc=$?
if ! rmmod dmactl; then
	echo "# rmmod dmactl failed: something still holds the module"
	rc=1
fi
exit $rc
