#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: load dmactl.ko, run 'dmactl qualify' with the arguments
# given on the installed collection (/dmactl/ksft), every NVMe controller
# declared expendable (a throwaway machine), and print what the host test
# checks: its exit status, report.json, report.md and junit.xml between
# markers, and whether every NVMe controller's driver and the allow list
# are as they were before.
insmod /dmactl/dmactl.ko edu_dma_bits="${DMACTL_EDU_DMA_BITS:-28}" || exit 1
. /dmactl/guest/pci.sh
DMACTL_EXPENDABLE=$(nvme_devices | tr "\n" " ")
export DMACTL_EXPENDABLE
bindings() {
	for d in $(nvme_devices); do
		echo "$d $(readlink /sys/bus/pci/devices/$d/driver)"
	done
	cat /sys/class/misc/dmactl/allowed
}
before=$(bindings)
# QUALIFY_TAMPER=S: after S seconds, move the first NVMe controller from
# its driver to dmactl (driver_override) behind qualify's back: qualify
# must give it back to nvme all the same.
if [ -n "${QUALIFY_TAMPER:-}" ]; then
	(
		sleep "$QUALIFY_TAMPER"
		d=$(nvme_devices | head -n 1)
		echo "$d" > /sys/bus/pci/drivers/nvme/unbind
		echo dmactl > "/sys/bus/pci/devices/$d/driver_override"
		echo "$d" > /sys/bus/pci/drivers/dmactl/bind
		echo "QUALIFY-TAMPERED=$(basename "$(readlink "/sys/bus/pci/devices/$d/driver")")"
	) &
fi
# QUALIFY_INTERRUPT=S: SIGINT after S seconds, as a Ctrl-C (busybox's timeout:
# its exit status is the command's).
${QUALIFY_INTERRUPT:+timeout -s INT "$QUALIFY_INTERRUPT"} \
	dmactl qualify --ksft /dmactl/ksft --out /tmp/qualify "$@"
echo "QUALIFY-RC=$?"
wait
for f in report.json report.md junit.xml; do
	echo "QUALIFY-BEGIN $f"
	cat "/tmp/qualify/$f"
	echo "QUALIFY-END $f"
done
[ "$(bindings)" = "$before" ] && echo "QUALIFY-BINDINGS=same" ||
	echo "QUALIFY-BINDINGS=changed"
rmmod dmactl
