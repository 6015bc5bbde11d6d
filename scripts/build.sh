#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build dmactl (module, tool, selftests) inside the build root for a kernel
# tier, with the compiler that kernel was built with, and stage the result
# for the guests in out/build/TIER/stage.  The module builds with W=1 and
# -Werror here: a warning is a failure on the test bed.
#
# Usage: build.sh TIER [MAKE TARGET...]    (default target: stage)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

tier=${1:-distro}
shift || true
tier_kernel "$tier"
exec make -C "$DMACTL_TOP" --no-print-directory "${@:-stage}" \
	KDIR="$TIER_KDIR" CC=gcc-14 TIER="$tier" KCFLAGS=-Werror WERROR=-Werror \
	KSFT_DIR="$(root_ksrc)/tools/testing/selftests"
