#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The uapi header compiles on its own, without libc, for 32-bit and 64-bit
# x86 with no implicit padding (-Wpadded), to the sizes of
# uapi/dmactl_abi_sizes.h in both.  Runs in the build root (gcc-14).
# Output: "ok N - what" lines and a closing "N passed, N failed" line.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

in_root || exec "$DMACTL_TOP/scripts/in-root.sh" "$0" "$@"

passed=0 failed=0 n=0
for bits in 64 32; do
	n=$((n + 1))
	if gcc-14 -m$bits -std=c11 -fsyntax-only -nostdinc -Wall -Wpadded -Werror \
		-isystem /usr/include -isystem /usr/include/x86_64-linux-gnu \
		-I "$DMACTL_TOP/uapi" "$DMACTL_TOP/scripts/tests/uapi_layout.c"; then
		echo "ok $n - uapi/linux/dmactl.h stands alone, unpadded, listed sizes at -m$bits"
		passed=$((passed + 1))
	else
		echo "not ok $n - uapi/linux/dmactl.h at -m$bits"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
