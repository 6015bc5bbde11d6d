// SPDX-License-Identifier: GPL-2.0
/*
 * dm_hold: make a block device held by a device-mapper device, and let
 * it go, for expendable.sh -- the raw DM ioctls, as dmsetup would send
 * them, since the test machines have no dmsetup.
 *
 *   dm_hold create NAME DISK    a linear dm device NAME over all of DISK
 *                               (e.g. nvme0n1)
 *   dm_hold remove NAME
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>

/* One request: the header, a target spec, its parameters. */
struct dm_req {
	struct dm_ioctl io;
	struct dm_target_spec spec;
	char params[64];
};

static void dm_init(struct dm_req *r, const char *name, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->io.version[0] = DM_VERSION_MAJOR;
	r->io.data_size = size;
	r->io.data_start = sizeof(r->io);
	snprintf(r->io.name, sizeof(r->io.name), "%s", name);
}

static int dm_call(int fd, unsigned long cmd, struct dm_req *r, const char *what)
{
	if (!ioctl(fd, cmd, &r->io))
		return 0;
	perror(what);
	return 1;
}

/* "major:minor" and size in sectors of a block device, from sysfs. */
static int disk_info(const char *disk, char *dev, size_t len,
		     unsigned long long *sectors)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/block/%s/dev", disk);
	f = fopen(path, "r");
	ok = f && fgets(dev, len, f);
	if (f)
		fclose(f);
	dev[strcspn(dev, "\n")] = '\0';
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", disk);
	f = fopen(path, "r");
	ok = ok && f && fscanf(f, "%llu", sectors) == 1;
	if (f)
		fclose(f);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned long long sectors;
	struct dm_req r;
	char dev[32];
	int fd, ret;

	if (argc < 3 || ((strcmp(argv[1], "create") || argc != 4) &&
			 (strcmp(argv[1], "remove") || argc != 3))) {
		fprintf(stderr, "usage: dm_hold create NAME DISK | remove NAME\n");
		return 2;
	}
	fd = open("/dev/mapper/control", O_RDWR);
	if (fd < 0) {
		perror("/dev/mapper/control");
		return 4;
	}
	if (!strcmp(argv[1], "remove")) {
		dm_init(&r, argv[2], sizeof(r.io));
		ret = dm_call(fd, DM_DEV_REMOVE, &r, "DM_DEV_REMOVE");
		close(fd);
		return ret;
	}
	if (disk_info(argv[3], dev, sizeof(dev), &sectors)) {
		fprintf(stderr, "dm_hold: no block device %s\n", argv[3]);
		close(fd);
		return 1;
	}
	dm_init(&r, argv[2], sizeof(r.io));
	ret = dm_call(fd, DM_DEV_CREATE, &r, "DM_DEV_CREATE");
	if (!ret) {
		dm_init(&r, argv[2], sizeof(r));
		r.io.target_count = 1;
		r.spec.length = sectors;
		snprintf(r.spec.target_type, sizeof(r.spec.target_type), "linear");
		snprintf(r.params, sizeof(r.params), "%s 0", dev);
		ret = dm_call(fd, DM_TABLE_LOAD, &r, "DM_TABLE_LOAD");
	}
	if (!ret) {
		/* Resume: the loaded table goes live. */
		dm_init(&r, argv[2], sizeof(r.io));
		ret = dm_call(fd, DM_DEV_SUSPEND, &r, "DM_DEV_SUSPEND");
	}
	close(fd);
	return ret;
}
