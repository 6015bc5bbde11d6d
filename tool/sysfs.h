/* SPDX-License-Identifier: GPL-2.0 */
/* Small readers of sysfs attributes. */
#ifndef DMACTL_SYSFS_H
#define DMACTL_SYSFS_H

#include <stddef.h>

/* The sysfs mount point; $DMACTL_SYSFS overrides it (for tests). */
const char *sysfs_root(void);

/*
 * Read the attribute at path (relative to sysfs_root() unless absolute)
 * into buf, without the trailing newline.  Returns 0 or -errno.
 */
int sysfs_read(const char *path, char *buf, size_t len);

/* Read an attribute holding an integer (any base strtoll accepts). */
int sysfs_read_ll(const char *path, long long *val);

/* The last component of the link at path, or -errno. */
int sysfs_link_name(const char *path, char *buf, size_t len);

#endif
