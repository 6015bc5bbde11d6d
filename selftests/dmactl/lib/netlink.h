/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmactl's generic netlink family, through the family's client library (netlink/dmactl_nl.c,
 * linked into the binaries that include this): the module's counters, in
 * total and per device, and what a test holds that it should not (the
 * leak oracle's reading).
 */
#ifndef DMACTL_LIB_NETLINK_H
#define DMACTL_LIB_NETLINK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmactl_nl.h"

/*
 * Counters come from the module's generic netlink family (netlink/dmactl_nl.c),
 * read on one socket: [0] the total, [1] @dev's when @dev is not NULL.
 * A device with no target (no file attached, not bound) holds nothing:
 * it reads as all 0.  NULL when the family cannot be read; free() it.
 */
static inline struct dmactl_nl_stats *dmactl_stats_fetch(const char *dev)
{
	struct dmactl_nl_stats *s = calloc(2, sizeof(*s));
	struct dmactl_nl *nl;
	int ret;

	if (!s || dmactl_nl_open(&nl)) {
		free(s);
		return NULL;
	}
	ret = dmactl_nl_stats_get(nl, NULL, &s[0]);
	if (!ret && dev) {
		ret = dmactl_nl_stats_get(nl, dev, &s[1]);
		if (ret == -ENODEV) {
			memset(&s[1], 0, sizeof(s[1]));
			ret = 0;
		}
	}
	dmactl_nl_close(nl);
	if (ret) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * A counter by its name in the spec ("live-links"): in total when @dev
 * is NULL, else the device's; -1 when unreadable or @name is unknown.
 */
static inline long dmactl_stat(const char *dev, const char *name)
{
	struct dmactl_nl_stats *s = dmactl_stats_fetch(dev);
	long val = -1;
	int a;

	for (a = 1; s && a <= DMACTL_A_STATS_MAX; a++)
		if (dmactl_nl_stats_name(a) && !strcmp(dmactl_nl_stats_name(a), name))
			val = s[dev ? 1 : 0].val[a];
	free(s);
	return val;
}

/* A counter in total, by its name in the spec ("live-links"). */
static inline long dmactl_counter(const char *name)
{
	return dmactl_stat(NULL, name);
}

/* The value of the counter named @name of @c, -1 when it is not there. */
static inline long dmactl_count_lookup(const struct dmactl_nl_count *c, int n,
				       const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return c[i].value;
	return -1;
}

/* Requests refused under a misuse rule ("M11"), in total; -1 on error. */
static inline long dmactl_rejections(const char *rule)
{
	struct dmactl_nl_stats *s = dmactl_stats_fetch(NULL);
	long val = s ? dmactl_count_lookup(s->rejections, s->nr_rejections, rule) : -1;

	free(s);
	return val;
}

/* Successful calls of an ioctl so far, in total ("buf-alloc"); -1 on error. */
static inline long dmactl_op_count(const char *op)
{
	struct dmactl_nl_stats *s = dmactl_stats_fetch(NULL);
	long val = s ? dmactl_count_lookup(s->ops, s->nr_ops, op) : -1;

	free(s);
	return val;
}

/* The counters that must be 0 once nothing is held. */
#define DMACTL_LIVE_ATTRS {                                                   \
	DMACTL_A_STATS_LIVE_BUFS, DMACTL_A_STATS_PINNED_PAGES,                \
	DMACTL_A_STATS_KERNEL_PAGES, DMACTL_A_STATS_LIVE_IOVAS,               \
	DMACTL_A_STATS_LIVE_LINKS, DMACTL_A_STATS_INFLIGHT,                   \
	DMACTL_A_STATS_LIVE_BENCHES, DMACTL_A_STATS_BENCH_THREADS }

/*
 * What is still held on @dev and in total, as "name=value on DEV" text in
 * @what; returns how many live counters are not 0 (-1 when the family
 * cannot be read).  Two requests on one socket.
 */
static inline int dmactl_leaks(const char *dev, char *what, size_t len)
{
	static const int live[] = DMACTL_LIVE_ATTRS;
	struct dmactl_nl_stats *s = dmactl_stats_fetch(dev);
	int leaks = 0, set;
	size_t i, n = 0;

	what[0] = '\0';
	if (!s)
		return -1;
	for (set = 0; set < (dev ? 2 : 1); set++) {
		for (i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
			if (!s[set].val[live[i]])
				continue;
			leaks++;
			n += snprintf(what + n, n < len ? len - n : 0,
				      "%s=%llu on %s ",
				      dmactl_nl_stats_name(live[i]),
				      (unsigned long long)s[set].val[live[i]],
				      set ? dev : "all");
		}
	}
	free(s);
	return leaks;
}

#endif /* DMACTL_LIB_NETLINK_H */
