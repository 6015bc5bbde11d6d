// SPDX-License-Identifier: GPL-2.0
/*
 * A module that leaks allocations when loaded, so the VM runner's
 * self-test can prove that a leak kmemleak finds at the end of a debug
 * run fails it.  Many of them: kmemleak scans whole task stacks, where a
 * stale copy of the last pointers may linger and keep those few alive.
 * And kmemleak takes an object whose bytes changed since its last scan
 * for one in use, so a fresh leak shows only on the second scan after it.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#define LEAK_COUNT 64

static int __init leak_on_load_init(void)
{
	int i;

	for (i = 0; i < LEAK_COUNT; i++) {
		void *p = kmalloc(128, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		/* The pointer dies here: nothing refers to the allocation. */
		memset(p, 0x5a, 128);
	}
	return 0;
}
module_init(leak_on_load_init);

static void __exit leak_on_load_exit(void)
{
}
module_exit(leak_on_load_exit);

MODULE_DESCRIPTION("Leaks on load: a test of the dmactl VM runner");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
