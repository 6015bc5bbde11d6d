// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled, not run, by uapi-layout.sh for -m32 and -m64 with -Wpadded:
 * the uapi header stands alone (only kernel uapi headers, no libc), has no
 * implicit padding, and every struct has the listed size in both.
 */
#include <linux/dmactl.h>

#define DMACTL_ABI_SIZE(name, bytes) _Static_assert(sizeof(struct name) == (bytes), #name)
#include "dmactl_abi_sizes.h"
