// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bind / unbind: hand a device to dmactl's own driver through
 * driver_override, and give it back to the driver it had.
 *
 * bind remembers the original driver and driver_override in
 * /run/dmactl/<device>, so unbind can restore both.  Every sysfs write is
 * echoed, as the kernel's VFIO selftest scripts do.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dmactl.h>

#include <json-c/json.h>

#include "commands.h"
#include "sysfs.h"
#include "util.h"

#define STATE_DIR "/run/dmactl"

/* With --json, the sysfs writes are collected instead of printed. */
static json_object *writes;

static int write_echo(const char *cmd, const char *path, const char *value)
{
	char line[PATH_MAX + 200];
	int ret;

	snprintf(line, sizeof(line), "echo %s > %s",
		 strcmp(value, "\n") ? value : "", path);
	if (writes)
		json_object_array_add(writes, json_object_new_string(line));
	else
		puts(line);
	ret = sysfs_write(path, value);
	if (ret)
		fprintf(stderr, "dmactl %s: writing %s: %s (%s)\n", cmd, path,
			strerror(-ret), errno_name(-ret));
	return ret;
}

static void current_driver(const char *bus, const char *dev, char *out,
			   size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/devices/%s/driver", bus, dev);
	if (sysfs_link_name(path, out, len))
		out[0] = '\0';
}

/* The --json result of bind or unbind: the device, its driver now. */
static int json_result(const char *dev, const char *bus, int status)
{
	json_object *o;
	char drv[160] = "";

	if (!writes)
		return status;
	if (bus)
		current_driver(bus, dev, drv, sizeof(drv));
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(dev));
	json_object_object_add(o, "driver", drv[0] ? json_object_new_string(drv) : NULL);
	json_object_object_add(o, "sysfs_writes", writes);
	json_object_object_add(o, "result", json_object_new_string(
		status == EXIT_OK ? "ok" : "fail"));
	json_print(o, JSON_C_TO_STRING_PRETTY);
	writes = NULL;
	return status;
}

/* bind and unbind: parse, act on the device, report (--json). */
static int bind_common(const struct dmactl_cmd *cmd, int argc, char **argv,
		       int (*act)(const char *dev, const char *bus))
{
	char dev[DMACTL_NAME_MAX];
	const char *bus;
	bool json;
	int ret;

	ret = parse_json_dev(cmd, argc, argv, &json, dev, sizeof(dev));
	if (ret >= 0)
		return ret;
	if (json)
		writes = json_object_new_array();
	bus = device_bus(dev);
	return json_result(dev, bus, act(dev, bus));
}

static int bind_dev(const char *dev, const char *bus)
{
	char drv[160], override[160], path[PATH_MAX];
	FILE *state;

	if (!bus) {
		fprintf(stderr, "dmactl bind: %s: no such PCI or platform device\n", dev);
		return EXIT_UNSUPPORTED;
	}
	current_driver(bus, dev, drv, sizeof(drv));
	if (!strcmp(drv, "dmactl")) {
		if (!writes)
			printf("%s is already bound to dmactl\n", dev);
		return EXIT_OK;
	}
	snprintf(path, sizeof(path), "%s/drivers/dmactl", bus);
	if (access(path, F_OK)) {
		fprintf(stderr, "dmactl bind: %s: no dmactl driver: is dmactl.ko loaded?\n", dev);
		return EXIT_UNSUPPORTED;
	}
	snprintf(path, sizeof(path), "%s/devices/%s/driver_override", bus, dev);
	if (sysfs_read(path, override, sizeof(override)) || !strcmp(override, "(null)"))
		override[0] = '\0';

	mkdir(STATE_DIR, 0700);
	snprintf(path, sizeof(path), STATE_DIR "/%s", dev);
	state = fopen(path, "w");
	if (state) {
		fprintf(state, "driver=%s\noverride=%s\n", drv, override);
		fclose(state);
	}

	snprintf(path, sizeof(path), "%s/devices/%s/driver_override", bus, dev);
	if (write_echo("bind", path, "dmactl"))
		return EXIT_FAIL;
	if (drv[0]) {
		snprintf(path, sizeof(path), "%s/devices/%s/driver/unbind", bus, dev);
		if (write_echo("bind", path, dev))
			return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/drivers/dmactl/bind", bus);
	if (write_echo("bind", path, dev))
		return EXIT_FAIL;
	current_driver(bus, dev, drv, sizeof(drv));
	if (strcmp(drv, "dmactl")) {
		fprintf(stderr, "dmactl bind: %s: still not bound to dmactl\n", dev);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int unbind_dev(const char *dev, const char *bus)
{
	char drv[160] = "", override[160] = "";
	char path[PATH_MAX], line[160];
	FILE *state;

	if (!bus) {
		fprintf(stderr, "dmactl unbind: %s: no such PCI or platform device\n", dev);
		return EXIT_UNSUPPORTED;
	}
	current_driver(bus, dev, drv, sizeof(drv));
	if (strcmp(drv, "dmactl")) {
		fprintf(stderr, "dmactl unbind: %s: not bound to dmactl\n", dev);
		return EXIT_FAIL;
	}
	drv[0] = '\0';
	snprintf(path, sizeof(path), STATE_DIR "/%s", dev);
	state = fopen(path, "r");
	if (state) {
		while (fgets(line, sizeof(line), state)) {
			line[strcspn(line, "\n")] = '\0';
			if (!strncmp(line, "driver=", 7))
				snprintf(drv, sizeof(drv), "%s", line + 7);
			else if (!strncmp(line, "override=", 9))
				snprintf(override, sizeof(override), "%s", line + 9);
		}
		fclose(state);
		unlink(path);
	}

	snprintf(path, sizeof(path), "%s/drivers/dmactl/unbind", bus);
	if (write_echo("unbind", path, dev))
		return EXIT_FAIL;
	/* An empty write clears driver_override. */
	snprintf(path, sizeof(path), "%s/devices/%s/driver_override", bus, dev);
	if (write_echo("unbind", path, override[0] ? override : "\n"))
		return EXIT_FAIL;
	if (drv[0]) {
		snprintf(path, sizeof(path), "%s/drivers/%s/bind", bus, drv);
		if (write_echo("unbind", path, dev))
			return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int bind_run(int argc, char **argv)
{
	return bind_common(&cmd_bind, argc, argv, bind_dev);
}

static int unbind_run(int argc, char **argv)
{
	return bind_common(&cmd_unbind, argc, argv, unbind_dev);
}

const struct dmactl_cmd cmd_bind = {
	.name = "bind",
	.summary = "bind a device to dmactl (exclusive mode)",
	.help =
"NAME\n"
"    dmactl bind - bind a device to dmactl's own driver\n"
"\n"
"SYNOPSIS\n"
"    dmactl bind DEV [--json]\n"
"\n"
"DESCRIPTION\n"
"    Sets DEV's driver_override to dmactl, unbinds its current driver and\n"
"    binds dmactl, which then drives the device itself (exclusive mode:\n"
"    DMA engines such as QEMU's edu, a BAR to publish as p2pmem).  The\n"
"    original driver and driver_override are kept in /run/dmactl/DEV for\n"
"    'dmactl unbind'.  Each sysfs write is printed; with --json, one\n"
"    object gives the device, its driver now and the writes made.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure, 2 usage error, 4 no such device or module.\n",
	.run = bind_run,
};

const struct dmactl_cmd cmd_unbind = {
	.name = "unbind",
	.summary = "give a device back to its original driver",
	.help =
"NAME\n"
"    dmactl unbind - give a device back to the driver it had\n"
"\n"
"SYNOPSIS\n"
"    dmactl unbind DEV [--json]\n"
"\n"
"DESCRIPTION\n"
"    Unbinds DEV from dmactl (which first tears down every mapping on\n"
"    it: open files then get ENODEV), restores driver_override and binds\n"
"    the driver recorded by 'dmactl bind'.  Each sysfs write is printed;\n"
"    with --json, one object as for bind.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure, 2 usage error, 4 no such device.\n",
	.run = unbind_run,
};
