/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmactl's generic netlink family, from userspace (libnl-genl-3): the
 * client the tool's stats, monitor, allow and disallow use, and the
 * selftests' leak oracle.
 */
#ifndef DMACTL_NL_CLIENT_H
#define DMACTL_NL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/dmactl.h>
#include <linux/dmactl_netlink.h>

struct dmactl_nl;

/* A named counter: an operation, or a rejection under a misuse rule. */
struct dmactl_nl_count {
	char name[32];
	uint64_t value;
};

#define DMACTL_NL_MAX_COUNTS	64

/**
 * struct dmactl_nl_stats - one DMACTL_NL_CMD_STATS_GET reply
 * @dev: the device, "" for the total
 * @has: @val[attr] was in the reply
 * @val: counter values by DMACTL_A_STATS_* attribute
 * @nr_ops: entries in @ops
 * @ops: successful operations by ioctl name
 * @nr_rejections: entries in @rejections
 * @rejections: refused requests by rule name
 */
struct dmactl_nl_stats {
	char dev[DMACTL_NAME_MAX];
	bool has[DMACTL_A_STATS_MAX + 1];
	uint64_t val[DMACTL_A_STATS_MAX + 1];
	int nr_ops;
	struct dmactl_nl_count ops[DMACTL_NL_MAX_COUNTS];
	int nr_rejections;
	struct dmactl_nl_count rejections[DMACTL_NL_MAX_COUNTS];
};

/**
 * struct dmactl_nl_dev - one DMACTL_NL_CMD_DEV_GET reply
 * @name: the device
 * @driver: its driver, or ""
 * @bound: bound to dmactl
 * @allowed: on the allow list
 * @files: files attached
 */
struct dmactl_nl_dev {
	char name[DMACTL_NAME_MAX];
	char driver[DMACTL_NAME_MAX];
	bool bound;
	bool allowed;
	uint32_t files;
};

/**
 * struct dmactl_nl_event - one message of the events group
 * @has: @val[attr] (numbers) was in it
 * @val: numeric attributes by DMACTL_A_EVENT_* (error as its s32 value)
 * @dev: DMACTL_A_EVENT_DEV
 * @comm: DMACTL_A_EVENT_COMM, or ""
 */
struct dmactl_nl_event {
	bool has[DMACTL_A_EVENT_MAX + 1];
	int64_t val[DMACTL_A_EVENT_MAX + 1];
	char dev[DMACTL_NAME_MAX];
	char comm[32];
};

/*
 * Every function returns 0 or a negative errno; the kernel's extack
 * message, when it sent one, is in dmactl_nl_errmsg().
 */
int dmactl_nl_open(struct dmactl_nl **out);
void dmactl_nl_close(struct dmactl_nl *nl);
const char *dmactl_nl_errmsg(struct dmactl_nl *nl);

int dmactl_nl_stats_get(struct dmactl_nl *nl, const char *dev,
			struct dmactl_nl_stats *out);
int dmactl_nl_stats_dump(struct dmactl_nl *nl,
			 int (*fn)(const struct dmactl_nl_stats *s, void *arg),
			 void *arg);
int dmactl_nl_dev_get(struct dmactl_nl *nl, const char *dev,
		      struct dmactl_nl_dev *out);
int dmactl_nl_dev_dump(struct dmactl_nl *nl,
		       int (*fn)(const struct dmactl_nl_dev *d, void *arg),
		       void *arg);
int dmactl_nl_allow(struct dmactl_nl *nl, const char *dev, bool allow);

/* Join the events group; then wait for events one at a time. */
int dmactl_nl_subscribe(struct dmactl_nl *nl);
int dmactl_nl_event_wait(struct dmactl_nl *nl, int timeout_ms,
			 struct dmactl_nl_event *ev);
int dmactl_nl_fd(struct dmactl_nl *nl);

/* Counter and event names as the spec spells them. */
const char *dmactl_nl_stats_name(int attr);
const char *dmactl_nl_event_type_name(uint32_t type);
const char *dmactl_nl_event_attr_name(int attr);
uint64_t dmactl_nl_count_find(const struct dmactl_nl_count *c, int n,
			      const char *name);

#endif
