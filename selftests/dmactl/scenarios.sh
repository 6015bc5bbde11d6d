#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every scenario file in scenarios/ through "dmactl run", one KTAP
# test each.  The device is $DMACTL_SELFTESTS_DEV; the path each must take
# (iova or fallback) is what the device's attach reply says.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/../kselftest/ktap_helpers.sh"

DMACTL=${DMACTL:-dmactl}
ktap_print_header
if [ -z "${DMACTL_SELFTESTS_DEV:-}" ]; then
	ktap_skip_all "no device: set DMACTL_SELFTESTS_DEV to a device bound to dmactl or allowed"
	exit "$KSFT_SKIP"
fi
if ! command -v "$DMACTL" >/dev/null; then
	ktap_skip_all "no dmactl tool on PATH"
	exit "$KSFT_SKIP"
fi
if "$DMACTL" info "$DMACTL_SELFTESTS_DEV" | grep -q '^IOVA API usable: *yes'; then
	DMACTL_PATH=iova
else
	DMACTL_PATH=fallback
fi
export DMACTL_PATH

set -- "$DIR"/scenarios/*.scn
ktap_set_plan $#
for scn in "$@"; do
	name=$(basename "$scn" .scn)
	out=$("$DMACTL" run "$scn" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	if [ "$rc" = 0 ]; then
		ktap_test_pass "$name ($DMACTL_PATH path)"
	else
		ktap_test_fail "$name ($DMACTL_PATH path)"
	fi
done
ktap_finished
