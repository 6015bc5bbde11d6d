/* SPDX-License-Identifier: GPL-2.0 */
/* /dev/dmactl from the tool's side: open, attach, describe. */
#ifndef DMACTL_DEVICE_H
#define DMACTL_DEVICE_H

#include <linux/dmactl.h>

#include <json-c/json.h>

/*
 * Open /dev/dmactl, saying why not on stderr.  Returns an exit status:
 * EXIT_OK, EXIT_UNSUPPORTED (no module) or EXIT_FAIL.
 */
int dmactl_open(const char *cmd, int *fd);

/*
 * Open /dev/dmactl and attach to a device, printing a one-line error that
 * names the command, the device and the errno on failure.  Returns an
 * exit status: EXIT_OK with *fd set, EXIT_UNSUPPORTED when the module is
 * not loaded or the device does not exist, EXIT_FAIL otherwise.
 */
int dmactl_open_attach(const char *cmd, const char *dev,
		       struct dmactl_attach *out, int *fd);

/* "DMA-FQ" for DMACTL_DOMAIN_DMA_FQ, and so on. */
const char *domain_name(unsigned int domain);

/* "to", "from", "bidi" for enum dmactl_dir; parse the same back. */
const char *dir_name(unsigned int dir);
int dir_from_name(const char *name);

/* The attach reply as JSON, and as "key: value" lines. */
json_object *attach_json(const char *dev, const struct dmactl_attach *a);
void attach_print(const char *dev, const struct dmactl_attach *a);

/* ioctl(), returning 0 or -errno. */
int dmactl_ioctl(int fd, unsigned long req, void *arg);

#endif
