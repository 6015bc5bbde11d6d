// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl expendable: may tests destroy data on a device?
 *
 * Some tests write raw data to an NVMe namespace, hot-remove a device or
 * unbind its driver.  On a real machine that device may hold the only
 * copy of someone's data, so they run only on a device the user declared
 * expendable -- listed in $DMACTL_EXPENDABLE -- and even then never on
 * one whose block devices are in use: mounted, partitioned, carrying a
 * filesystem, RAID, LVM or other signature (libblkid decides), used as
 * swap, held by md, LVM or dm, or open exclusively by anyone.  Tests ask
 * this command first and skip with its reason.  The emulated machines
 * declare their own devices, whose disks are blank files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <json-c/json.h>
#include <linux/dmactl.h>

#include "commands.h"
#include "sysfs.h"
#include "util.h"

#define EXPENDABLE_ENV "DMACTL_EXPENDABLE"

/* Is @dev among the names of $DMACTL_EXPENDABLE (spaces or commas)? */
static bool declared(const char *dev)
{
	const char *list = getenv(EXPENDABLE_ENV);
	char name[DMACTL_NAME_MAX], *copy, *tok, *save;
	bool found = false;

	if (!list)
		return false;
	copy = strdup(list);
	for (tok = copy ? strtok_r(copy, " ,\t\n", &save) : NULL; tok && !found;
	     tok = strtok_r(NULL, " ,\t\n", &save)) {
		device_name(tok, name, sizeof(name));
		found = !strcmp(name, dev);
	}
	free(copy);
	return found;
}

/**
 * struct verdict - why a device is in use
 * @disks: the block devices found behind it, space-separated
 * @reasons: one line per reason it is in use; empty if none
 */
struct verdict {
	char disks[512];
	char reasons[2048];
};

static void add_reason(struct verdict *v, const char *fmt, const char *a,
		       const char *b)
{
	size_t n = strlen(v->reasons);

	snprintf(v->reasons + n, sizeof(v->reasons) - n, fmt, a, b);
	n = strlen(v->reasons);
	if (n + 1 < sizeof(v->reasons))
		strcpy(v->reasons + n, "\n");
}

/* The "major:minor" of a block device by its name, or "" if none. */
static void block_devnum(const char *blk, char *out, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "class/block/%s/dev", blk);
	if (sysfs_read(path, out, len))
		out[0] = '\0';
}

/* Is a block device (by "major:minor") mounted?  Where, in @where. */
static bool mounted(const char *devnum, char *where, size_t len)
{
	char line[4096], num[32], point[PATH_MAX];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && !found && fgets(line, sizeof(line), f)) {
		/* id parent major:minor root mount-point ... */
		if (sscanf(line, "%*s %*s %31s %*s %4095s", num, point) == 2 &&
		    !strcmp(num, devnum)) {
			snprintf(where, len, "%s", point);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* Is a block device (by "major:minor") active swap? */
static bool swapping(const char *devnum)
{
	char line[4096], path[PATH_MAX], num[32];
	bool found = false;
	struct stat st;
	FILE *f = fopen("/proc/swaps", "r");

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4095s", path) != 1 || stat(path, &st) ||
		    !S_ISBLK(st.st_mode))
			continue;
		snprintf(num, sizeof(num), "%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
		found = !strcmp(num, devnum);
	}
	if (f)
		fclose(f);
	return found;
}

/* The first entry of a sysfs directory, or false if it is empty. */
static bool first_entry(const char *path, char *out, size_t len)
{
	char full[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (snprintf(full, sizeof(full), "%s/%s", sysfs_root(), path) >=
	    (int)sizeof(full))
		return false;
	d = opendir(full);
	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(out, len, "%s", e->d_name);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

/* What libblkid finds at the start of a block device: a type, or "". */
static void signature(const char *blk, char *out, size_t len)
{
	const char *type = NULL;
	char node[PATH_MAX];
	blkid_probe pr;

	out[0] = '\0';
	snprintf(node, sizeof(node), "/dev/%s", blk);
	pr = blkid_new_probe_from_filename(node);
	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	blkid_probe_enable_partitions(pr, 1);
	if (!blkid_do_safeprobe(pr) &&
	    (!blkid_probe_lookup_value(pr, "TYPE", &type, NULL) ||
	     !blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL)))
		snprintf(out, len, "%s", type);
	blkid_free_probe(pr);
}

/* Check one block device, or one partition of it; reasons go in @v. */
static void check_block(const char *blk, struct verdict *v)
{
	char num[32], what[PATH_MAX], path[PATH_MAX], node[PATH_MAX];
	int fd;

	block_devnum(blk, num, sizeof(num));
	if (num[0] && mounted(num, what, sizeof(what)))
		add_reason(v, "%s is mounted at %s", blk, what);
	if (num[0] && swapping(num))
		add_reason(v, "%s is used as swap%s", blk, "");
	snprintf(path, sizeof(path), "class/block/%s/holders", blk);
	if (first_entry(path, what, sizeof(what)))
		add_reason(v, "%s is held by %s (md, LVM or dm)", blk, what);
	signature(blk, what, sizeof(what));
	if (what[0])
		add_reason(v, "%s holds a %s signature", blk, what);
	/* Whatever else uses it (a mount, swap, a holder) opens it so. */
	snprintf(node, sizeof(node), "/dev/%s", blk);
	fd = open(node, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	else if (errno == EBUSY)
		add_reason(v, "%s is open exclusively by someone%s", blk, "");
}

/* Check a whole disk and each of its partitions. */
static void check_disk(const char *disk, struct verdict *v)
{
	char path[PATH_MAX], part[PATH_MAX];
	struct dirent *e;
	DIR *d;

	check_block(disk, v);
	snprintf(path, sizeof(path), "%s/class/block/%s", sysfs_root(), disk);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		snprintf(part, sizeof(part), "class/block/%s/%s/partition",
			 disk, e->d_name);
		if (e->d_name[0] == '.' || sysfs_read(part, path, sizeof(path)))
			continue;
		add_reason(v, "%s holds partition %s", disk, e->d_name);
		check_block(e->d_name, v);
	}
	if (d)
		closedir(d);
}

/* Every whole disk below the device in sysfs (NVMe namespaces and others). */
static void check_device(const char *dev, struct verdict *v)
{
	char path[PATH_MAX], devdir[PATH_MAX], real[PATH_MAX], attr[PATH_MAX];
	const char *bus = device_bus(dev);
	struct dirent *e;
	size_t n;
	DIR *d;

	snprintf(path, sizeof(path), "%s/devices/%s", bus ? bus : "", dev);
	if (!bus || !realpath(path, devdir))
		return;
	n = strlen(devdir);
	snprintf(path, sizeof(path), "%s/class/block", sysfs_root());
	d = opendir(path);
	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/class/block/%s", sysfs_root(),
			 e->d_name);
		snprintf(attr, sizeof(attr), "class/block/%s/partition", e->d_name);
		if (e->d_name[0] == '.' || !realpath(path, real) ||
		    strncmp(real, devdir, n) || real[n] != '/' ||
		    !sysfs_read(attr, path, sizeof(path)))
			continue;
		snprintf(v->disks + strlen(v->disks),
			 sizeof(v->disks) - strlen(v->disks), "%s%s",
			 v->disks[0] ? " " : "", e->d_name);
		check_disk(e->d_name, v);
	}
	if (d)
		closedir(d);
}

static int expendable_run(int argc, char **argv)
{
	char dev[DMACTL_NAME_MAX], *line, *save;
	struct verdict v = {};
	bool json, known;
	json_object *o, *a;
	int ret;

	ret = parse_json_dev(&cmd_expendable, argc, argv, &json, dev, sizeof(dev));
	if (ret >= 0)
		return ret;
	known = declared(dev);
	if (known)
		check_device(dev, &v);
	ret = !known ? EXIT_UNSUPPORTED : v.reasons[0] ? EXIT_FAIL : EXIT_OK;
	if (json) {
		o = json_object_new_object();
		a = json_object_new_array();
		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "declared", json_object_new_boolean(known));
		json_object_object_add(o, "expendable",
				       json_object_new_boolean(ret == EXIT_OK));
		json_object_object_add(o, "disks", json_object_new_string(v.disks));
		for (line = strtok_r(v.reasons, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			json_object_array_add(a, json_object_new_string(line));
		json_object_object_add(o, "in_use", a);
		json_print(o, JSON_C_TO_STRING_PLAIN);
		return ret;
	}
	if (!known)
		printf("%s: not declared expendable: list it in $%s to let tests write to it, remove it or unbind its driver\n",
		       dev, EXPENDABLE_ENV);
	else if (v.reasons[0])
		printf("%s: declared expendable, but in use:\n%s", dev, v.reasons);
	else
		printf("%s: expendable%s%s%s\n", dev, v.disks[0] ? " (" : "",
		       v.disks, v.disks[0] ? ")" : "");
	return ret;
}

const struct dmactl_cmd cmd_expendable = {
	.name = "expendable",
	.summary = "may tests destroy data on a device?",
	.help =
"NAME\n"
"    dmactl expendable - may tests destroy data on a device?\n"
"\n"
"SYNOPSIS\n"
"    dmactl expendable DEV [--json]\n"
"\n"
"DESCRIPTION\n"
"    Says whether tests may destroy data on DEV (a PCI address or sysfs\n"
"    path): write raw data to its block devices, hot-remove it, unbind\n"
"    its driver.  Only a device listed in $DMACTL_EXPENDABLE (names\n"
"    separated by spaces or commas) may be, and then only while none of\n"
"    its block devices -- NVMe namespaces, disks -- is in use: mounted,\n"
"    partitioned, carrying a filesystem, RAID, LVM or other signature\n"
"    (libblkid), used as swap, held by md, LVM or dm, or open\n"
"    exclusively by anyone.  The tests that destroy data ask this first\n"
"    and skip with its reason.\n"
"\n"
"    --json   one object: device, declared, expendable, disks, in_use\n"
"             (the reasons)\n"
"\n"
"EXIT STATUS\n"
"    0 expendable, 1 declared but in use (the reasons are printed),\n"
"    2 usage error, 4 not declared.\n",
	.run = expendable_run,
};
