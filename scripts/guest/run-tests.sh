#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: load dmactl.ko, run the installed kselftests (KTAP on
# stdout), and unload the module, which fails if anything still holds it.
# Arguments go to run_kselftest.sh (e.g. -t dmactl:devnode).
insmod /dmactl/dmactl.ko || {
	echo "# insmod /dmactl/dmactl.ko failed"
	exit 1
}
# The tests' device: the first NVMe controller, shared with its driver.
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/class")" = 0x010802 ]; then
		DMACTL_SELFTESTS_DEV=$(basename "$d")
		break
	fi
done
# A driverless device the revocation test binds to dmactl: QEMU's edu.
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x11e8 ]; then
		export DMACTL_SELFTESTS_EXCL_DEV="$(basename "$d")"
	fi
done
if [ -n "${DMACTL_SELFTESTS_DEV:-}" ]; then
	echo "$DMACTL_SELFTESTS_DEV" > /sys/class/misc/dmactl/allow
	export DMACTL_SELFTESTS_DEV
fi
cd /dmactl/ksft || exit 1
./run_kselftest.sh "$@"
rc=$?
if ! rmmod dmactl; then
	echo "# rmmod dmactl failed: something still holds the module"
	rc=1
fi
exit $rc
