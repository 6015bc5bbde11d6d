/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the commands share: sizes, errno names, device names. */
#ifndef DMACTL_UTIL_H
#define DMACTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parse a size: a number in any base strtoull takes, with an optional
 * k, M or G suffix (powers of 1024).  Returns 0, or -1 for anything else:
 * a sign, trailing text, a value past 2^64 - 1 with or without its
 * suffix.
 */
int parse_size(const char *s, uint64_t *out);
/* The kernel's page size, bytes: the unit the module pins and links in. */
uint64_t page_size(void);

/* "EEXIST" for EEXIST; the number as text if it has no name. */
const char *errno_name(int err);

/* The errno named "EEXIST" (or a number), or -1. */
int errno_from_name(const char *name);

/*
 * The device's name on its bus from what the user typed: a name as it is
 * ("0000:00:04.0"), or the last component of a sysfs path.
 */
void device_name(const char *arg, char *out, size_t len);

/* The bus directory of a device ("/sys/bus/pci"), or NULL if none has it. */
const char *device_bus(const char *name);

/*
 * Print a JSON value on stdout with json-c's @flags (JSON_C_TO_STRING_*)
 * and a newline, then drop the reference to it.
 */
struct json_object;
void json_print(struct json_object *o, int flags);

/*
 * A name of the netlink family ("live-links", "iova-alloc") as a JSON key
 * ("live_links"): every key the tool prints is spelled with underscores.
 * Returns @buf.
 */
const char *json_key(const char *name, char *buf, size_t len);

/* Write a string to a sysfs file; returns 0 or -errno. */
int sysfs_write(const char *path, const char *value);

#endif
