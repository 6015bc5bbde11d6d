// SPDX-License-Identifier: GPL-2.0
/* Small helpers the commands share: sizes, errno names, device names. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "sysfs.h"
#include "util.h"

uint64_t page_size(void)
{
	static uint64_t page;

	if (!page) {
		long v = sysconf(_SC_PAGESIZE);

		page = v > 0 ? (uint64_t)v : 4096;
	}
	return page;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	/* strtoull() takes "-1" as 2^64 - 1: a size is never negative. */
	s += strspn(s, " \t");
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	}
	if (shift)
		end++;
	if (*end || v > UINT64_MAX >> shift)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

const char *errno_name(int err)
{
	static char num[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(num, sizeof(num), "%d", err);
	return num;
}

int errno_from_name(const char *name)
{
	char *end;
	long v;
	int e;

	for (e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	v = strtol(name, &end, 0);
	return (*name && !*end && v > 0) ? (int)v : -1;
}

void device_name(const char *arg, char *out, size_t len)
{
	char real[PATH_MAX];
	const char *base;

	if (!strchr(arg, '/')) {
		snprintf(out, len, "%s", arg);
		return;
	}
	if (!realpath(arg, real))
		snprintf(real, sizeof(real), "%s", arg);
	base = strrchr(real, '/');
	snprintf(out, len, "%s", base && base[1] ? base + 1 : real);
}

const char *device_bus(const char *name)
{
	static const char *const buses[] = { "bus/pci", "bus/platform" };
	static char dir[PATH_MAX];
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/devices/%s", sysfs_root(),
			 buses[i], name);
		if (!stat(path, &st)) {
			snprintf(dir, sizeof(dir), "%s/%s", sysfs_root(), buses[i]);
			return dir;
		}
	}
	return NULL;
}

const char *json_key(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
	return buf;
}

void json_print(json_object *o, int flags)
{
	puts(json_object_to_json_string_ext(o, flags));
	json_object_put(o);
}

int sysfs_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}
