#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: load dmactl.ko, run the installed kselftests (KTAP on
# stdout), and unload the module, which fails if anything still holds it.
# Arguments go to run_kselftest.sh (e.g. -t dmactl:devnode).
insmod /dmactl/dmactl.ko || {
	echo "# insmod /dmactl/dmactl.ko failed"
	exit 1
}
cd /dmactl/ksft || exit 1
./run_kselftest.sh "$@"
rc=$?
if ! rmmod dmactl; then
	echo "# rmmod dmactl failed: something still holds the module"
	rc=1
fi
exit $rc
