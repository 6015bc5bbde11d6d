// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to WARN when loaded, so the VM runner's
 * self-test can prove that a real kernel WARN fails a run (the guest
 * panics under panic_on_warn=1 and never reports an exit status).
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_on_load_init(void)
{
	WARN(1, "dmactl runner self-test: deliberate WARN\n");
	return 0;
}
module_init(warn_on_load_init);

static void __exit warn_on_load_exit(void)
{
}
module_exit(warn_on_load_exit);

MODULE_DESCRIPTION("WARNs on load: a test of the dmactl VM runner");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
