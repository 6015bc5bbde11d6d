/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs and the devices it shows: reading and writing attributes, PCI
 * devices and their drivers, and binding a device to dmactl's own driver.
 *
 * The binder is the dmactl tool's ("dmactl bind DEV", "dmactl unbind
 * DEV"), the one the scripts use too: it sets driver_override, unbinds the
 * driver the device had, binds dmactl and checks that it took, and
 * unbind gives the device back with the driver_override and driver it
 * had.  Tests that are about the binding itself write the sysfs files
 * themselves, step by step.
 */
#ifndef DMACTL_LIB_SYSFS_H
#define DMACTL_LIB_SYSFS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "device.h"

#define PCI "/sys/bus/pci"

static inline int sysfs_put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The first line of a file, without its newline, in @buf; 0 or -errno. */
static inline int sysfs_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A file's number (decimal, or hex with 0x); -1 when it cannot be read. */
static inline long long sysfs_read_ll(const char *path)
{
	char buf[32];

	if (sysfs_read(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	return strtoll(buf, NULL, 0);
}

/* Is @name a PCI device's (a BDF in /sys/bus/pci/devices)? */
static inline bool pci_device_exists(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI "/devices/%s", name);
	return !strchr(name, '/') && !access(path, F_OK);
}

/* The name of the driver @bdf is bound to, in @drv; "" when none. */
static inline void pci_driver(const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PCI "/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		n = 0;
	target[n] = '\0';
	snprintf(drv, len, "%s", n ? strrchr(target, '/') + 1 : "");
}

static inline bool driver_is(const char *bdf, const char *drv)
{
	char cur[64];

	pci_driver(bdf, cur, sizeof(cur));
	return cur[0] && !strcmp(cur, drv);
}

/* A PCI device's dma_mask_bits, or -1. */
static inline int pci_dma_mask_bits(const char *bdf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI "/devices/%s/dma_mask_bits", bdf);
	return sysfs_read_ll(path);
}

/* Wait up to 30 s for a device to be bound to @drv. */
static inline bool wait_driver(const char *bdf, const char *drv)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (driver_is(bdf, drv))
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * The first PCI device with this vendor and device ID (hex, as sysfs
 * writes them without 0x) and no driver: its name in @bdf.  0 or -ENODEV.
 */
static inline int pci_find_driverless(const char *vendor, const char *device,
				      char *bdf, size_t len)
{
	char path[PATH_MAX], v[16], d[16], drv[PATH_MAX];
	struct dirent *e;
	int ret = -ENODEV;
	DIR *dir = opendir(PCI "/devices");

	while (dir && ret && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI "/devices/%s/vendor", e->d_name);
		sysfs_read(path, v, sizeof(v));
		snprintf(path, sizeof(path), PCI "/devices/%s/device", e->d_name);
		sysfs_read(path, d, sizeof(d));
		snprintf(path, sizeof(path), PCI "/devices/%s/driver", e->d_name);
		if (strncmp(v, "0x", 2) || strncmp(v + 2, vendor, 4) ||
		    strncmp(d, "0x", 2) || strncmp(d + 2, device, 4) ||
		    readlink(path, drv, sizeof(drv)) >= 0)
			continue;
		if (strlen(e->d_name) >= len)
			continue;
		memcpy(bdf, e->d_name, strlen(e->d_name) + 1);
		ret = 0;
	}
	if (dir)
		closedir(dir);
	return ret;
}

/* ---- the dmactl tool ---- */

/*
 * Run "dmactl ARGS" (@args quoted by the caller) with its standard output
 * and error in @out (the end of each line kept; NULL: printed as "# "
 * lines).  Its exit status, or -1 when it could not run.
 */
static inline int dmactl_tool_run(const char *args, char *out, size_t len)
{
	char cmd[2 * PATH_MAX], line[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", dmactl_tool(), args);
	p = popen(cmd, "r");
	if (out)
		out[0] = '\0';
	if (!p) {
		if (out)
			snprintf(out, len, "cannot run %s", dmactl_tool());
		return -1;
	}
	while (fgets(line, sizeof(line), p)) {
		if (!out)
			printf("# %s", line);
		else if (n < len - 1)
			n += snprintf(out + n, len - n, "%s", line);
	}
	/* snprintf() counts what did not fit: @n stops at the buffer's end. */
	if (out && n > len - 1)
		n = len - 1;
	st = pclose(p);
	while (out && n && out[n - 1] == '\n')
		out[--n] = '\0';
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * May the tests destroy data on @dev -- write to its namespaces, remove
 * it, unbind its driver?  Only if "dmactl expendable" says so: declared
 * in $DMACTL_EXPENDABLE and not in use.  If not, why in @why.
 */
static inline bool dmactl_expendable(const char *dev, char *why, size_t len)
{
	char args[256];

	snprintf(args, sizeof(args), "expendable '%s'", dev);
	return dmactl_tool_run(args, why, len) == 0;
}

/*
 * The first driverless PCI device with these IDs that the tests may
 * take (dmactl_expendable()), in @bdf: 0, or -ENODEV.
 */
static inline int pci_find_expendable(const char *vendor, const char *device,
				      char *bdf, size_t len)
{
	char why[512];

	if (pci_find_driverless(vendor, device, bdf, len) ||
	    !dmactl_expendable(bdf, why, sizeof(why))) {
		bdf[0] = '\0';
		return -ENODEV;
	}
	return 0;
}

/*
 * Bind a driverless PCI device to dmactl with "dmactl bind" (which echoes
 * its sysfs writes, here as "# " lines): 0 when it is bound to dmactl;
 * -EBUSY when another driver has it -- a test never takes a device from
 * its driver, whatever $DMACTL_SELFTESTS_EXCL_DEV names; -ENOENT when the
 * tool is not there (127 from the shell); -EIO when it failed.
 */
static inline int dmactl_bind_exclusive(const char *bdf)
{
	char args[256], drv[64];
	int st;

	pci_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, "dmactl"))
		return 0;
	if (drv[0])
		return -EBUSY;
	snprintf(args, sizeof(args), "bind '%s'", bdf);
	st = dmactl_tool_run(args, NULL, 0);
	if (st == 127)
		return -ENOENT;
	return st || !driver_is(bdf, "dmactl") ? -EIO : 0;
}

/*
 * Hand a device back as dmactl_bind_exclusive() found it: if it was not
 * bound to dmactl then (@was_bound false), "dmactl unbind" it, or unbind
 * it through sysfs when the tool cannot; and clear any driver_override
 * left (by the tool's failure, or a test that unbound it already).
 */
static inline void dmactl_unbind_exclusive(const char *bdf, bool was_bound)
{
	char path[PATH_MAX], args[256];

	if (was_bound)
		return;
	if (driver_is(bdf, "dmactl")) {
		snprintf(args, sizeof(args), "unbind '%s'", bdf);
		if (!dmactl_tool_run(args, NULL, 0) && !driver_is(bdf, "dmactl"))
			return;
		if (driver_is(bdf, "dmactl"))
			sysfs_put(PCI "/drivers/dmactl/unbind", bdf);
	}
	snprintf(path, sizeof(path), PCI "/devices/%s/driver_override", bdf);
	sysfs_put(path, "\n");
}

/*
 * Remove a PCI device and rescan the bus: it is probed again as at boot,
 * its DMA setup (iommu_setup_dma_ops()) included, and its driver binds
 * again.  Only for a device dmactl_expendable() allows.  0 or -errno.
 */
static inline int pci_reprobe(const char *bdf)
{
	char path[PATH_MAX], drv[64];
	int ret;

	pci_driver(bdf, drv, sizeof(drv));
	snprintf(path, sizeof(path), PCI "/devices/%s/remove", bdf);
	ret = sysfs_put(path, "1");
	if (!ret)
		ret = sysfs_put(PCI "/rescan", "1");
	if (!ret && drv[0] && !wait_driver(bdf, drv))
		ret = -ETIMEDOUT;
	return ret;
}

#endif /* DMACTL_LIB_SYSFS_H */
