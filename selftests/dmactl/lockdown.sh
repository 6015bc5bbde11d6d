#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A kernel locked down for integrity refuses /dev/dmactl: dmactl lets
# userspace program DMA by PCI devices (LOCKDOWN_PCI_ACCESS).
#
# Raising the lockdown level cannot be undone before a reboot, so this
# runs only where DMACTL_LOCKDOWN_TEST=1 says the machine is a throwaway
# (the emulated machines set it, last of their tests); it skips anywhere
# else, and where the kernel has no lockdown LSM.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/../kselftest/ktap_helpers.sh"

LOCKDOWN=/sys/kernel/security/lockdown
ktap_print_header
if [ "${DMACTL_LOCKDOWN_TEST:-0}" != 1 ]; then
	ktap_skip_all "raising lockdown lasts until reboot: set DMACTL_LOCKDOWN_TEST=1 on a machine that may be locked down"
	exit "$KSFT_SKIP"
fi
[ -e "$LOCKDOWN" ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
if [ ! -w "$LOCKDOWN" ]; then
	ktap_skip_all "no lockdown LSM in this kernel"
	exit "$KSFT_SKIP"
fi
DEV=${DMACTL_SELFTESTS_DEV:-}
ktap_set_plan 3
if exec 3<>/dev/dmactl; then
	exec 3<&-
	ktap_test_pass "/dev/dmactl opens before lockdown"
else
	ktap_test_fail "/dev/dmactl opens before lockdown"
fi
# A file open before the lockdown is of no use after it.
if [ -n "$DEV" ] && printf '%s\n' "attach $DEV" "buf a kernel 1p" \
	"shell echo integrity > $LOCKDOWN" "expect EPERM buf b kernel 1p" |
	"${DMACTL:-dmactl}" run - | sed 's/^/# /'; then
	ktap_test_pass "a file opened before lockdown=integrity: its calls give EPERM after"
elif [ -z "$DEV" ]; then
	echo integrity > "$LOCKDOWN"
	ktap_test_skip "no DMACTL_SELFTESTS_DEV to attach to"
else
	ktap_test_fail "a file opened before lockdown=integrity: its calls give EPERM after"
fi
echo "# lockdown: $(cat "$LOCKDOWN")"
err=$( (exec 3<>/dev/dmactl) 2>&1 )
case "$err" in
*"not permitted"*) ktap_test_pass "/dev/dmactl refused under lockdown=integrity (EPERM)" ;;
*) echo "# open gave: ${err:-success}"
   ktap_test_fail "/dev/dmactl refused under lockdown=integrity" ;;
esac
ktap_finished
