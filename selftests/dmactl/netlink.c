// SPDX-License-Identifier: GPL-2.0
/*
 * The dmactl generic netlink family: the loaded module's family is the
 * spec's (version, every command with its capabilities and admin flag,
 * the events group); counters per device and in total follow the objects
 * and operations of a file; every error carries its extack message; the
 * allow list needs CAP_NET_ADMIN; the events group reports a file
 * released with objects and a shared device revoked with what it held.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "dmactl_test.h"

#define BUF_PAGES 4

/* ---- the family as the controller describes it ---- */

struct family_desc {
	uint32_t version;
	uint32_t op_flags[DMACTL_NL_CMD_MAX + 1];
	bool has_op[DMACTL_NL_CMD_MAX + 1];
	bool has_events;
};

static int family_parse(struct nl_msg *msg, void *arg)
{
	struct family_desc *d = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *a, *b[CTRL_ATTR_OP_MAX + 1];
	struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int rem;
	uint32_t id;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[CTRL_ATTR_VERSION])
		d->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_OPS]) {
		nla_for_each_nested(a, tb[CTRL_ATTR_OPS], rem) {
			if (nla_parse_nested(b, CTRL_ATTR_OP_MAX, a, NULL) ||
			    !b[CTRL_ATTR_OP_ID])
				continue;
			id = nla_get_u32(b[CTRL_ATTR_OP_ID]);
			if (id > DMACTL_NL_CMD_MAX)
				continue;
			d->has_op[id] = true;
			if (b[CTRL_ATTR_OP_FLAGS])
				d->op_flags[id] = nla_get_u32(b[CTRL_ATTR_OP_FLAGS]);
		}
	}
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		nla_for_each_nested(a, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
			if (!nla_parse_nested(g, CTRL_ATTR_MCAST_GRP_MAX, a, NULL) &&
			    g[CTRL_ATTR_MCAST_GRP_NAME] &&
			    !strcmp(nla_get_string(g[CTRL_ATTR_MCAST_GRP_NAME]),
				    DMACTL_MCGRP_EVENTS))
				d->has_events = true;
		}
	}
	return NL_OK;
}

static int family_describe(struct family_desc *d)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = nlmsg_alloc();
	int ret = -1;

	memset(d, 0, sizeof(*d));
	if (!sk || !msg || genl_connect(sk))
		goto out;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
		    CTRL_CMD_GETFAMILY, 1);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, DMACTL_FAMILY_NAME);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, family_parse, d);
	if (nl_send_auto(sk, msg) >= 0 && nl_recvmsgs_default(sk) >= 0)
		ret = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

TEST(family_is_the_spec)
{
	struct family_desc d;
	const uint32_t dodump = GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP;
	const uint32_t mask = dodump | GENL_ADMIN_PERM;

	ASSERT_EQ(0, family_describe(&d));
	EXPECT_EQ(DMACTL_FAMILY_VERSION, d.version);
	EXPECT_TRUE(d.has_events);
	ASSERT_TRUE(d.has_op[DMACTL_NL_CMD_DEV_GET]);
	ASSERT_TRUE(d.has_op[DMACTL_NL_CMD_STATS_GET]);
	ASSERT_TRUE(d.has_op[DMACTL_NL_CMD_ALLOW]);
	ASSERT_TRUE(d.has_op[DMACTL_NL_CMD_DISALLOW]);
	/* The event is sent, never served. */
	EXPECT_FALSE(d.has_op[DMACTL_NL_CMD_EVENT]);
	EXPECT_EQ(dodump, d.op_flags[DMACTL_NL_CMD_DEV_GET] & mask);
	EXPECT_EQ(dodump, d.op_flags[DMACTL_NL_CMD_STATS_GET] & mask);
	EXPECT_EQ(GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
		  d.op_flags[DMACTL_NL_CMD_ALLOW] & mask);
	EXPECT_EQ(GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
		  d.op_flags[DMACTL_NL_CMD_DISALLOW] & mask);
}

/* ---- counters ---- */

FIXTURE(nl)
{
	int fd;
	struct dmactl_nl *nl;
	struct dmactl_nl_stats *s;
	unsigned long taint;
};

FIXTURE_SETUP(nl)
{
	self->taint = dmactl_taint();
	self->s = malloc(sizeof(*self->s));
	ASSERT_NE(NULL, self->s);
	ASSERT_EQ(0, dmactl_nl_open(&self->nl));
	self->fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);
	test_cmd_attach(self->fd, dmactl_test_dev(), NULL);
}

FIXTURE_TEARDOWN(nl)
{
	if (self->fd >= 0)
		close(self->fd);
	dmactl_nl_close(self->nl);
	free(self->s);
	dmactl_expect_no_leaks();
	EXPECT_EQ(self->taint, dmactl_taint());
}

/* A counter of the test device; the named op or rule with @op/@rule. */
static uint64_t dev_stat(struct __test_metadata *_metadata,
			 FIXTURE_DATA(nl) *self, const char *dev, int attr,
			 const char *op, const char *rule)
{
	struct dmactl_nl_stats *s = self->s;

	EXPECT_EQ(0, dmactl_nl_stats_get(self->nl, dev, s));
	if (op)
		return dmactl_nl_count_find(s->ops, s->nr_ops, op);
	if (rule)
		return dmactl_nl_count_find(s->rejections, s->nr_rejections,
					    rule);
	EXPECT_TRUE(s->has[attr]);
	return s->val[attr];
}

#define DEV_STAT(attr)	dev_stat(_metadata, self, dmactl_test_dev(), attr, NULL, NULL)
#define TOTAL_STAT(attr) dev_stat(_metadata, self, NULL, attr, NULL, NULL)
#define DEV_OP(name)	dev_stat(_metadata, self, dmactl_test_dev(), 0, name, NULL)
#define TOTAL_OP(name)	dev_stat(_metadata, self, NULL, 0, name, NULL)
#define DEV_REJECTED(r)	dev_stat(_metadata, self, dmactl_test_dev(), 0, NULL, r)

TEST_F(nl, device_counters_follow_objects)
{
	struct dmactl_iova_alloc ia;
	uint64_t links = DEV_OP("iova-link"), all_links = TOTAL_OP("iova-link");
	uint64_t m12 = DEV_REJECTED("M12");
	const __u64 pg = PAGE_SZ;
	__u32 buf;

	EXPECT_EQ(0, DEV_STAT(DMACTL_A_STATS_LIVE_BUFS));
	EXPECT_EQ(0, DEV_STAT(DMACTL_A_STATS_LIVE_IOVAS));
	/* live-targets is in the total only. */
	EXPECT_FALSE(self->s->has[DMACTL_A_STATS_LIVE_TARGETS]);
	EXPECT_STREQ(dmactl_test_dev(), self->s->dev);
	EXPECT_LE(1, TOTAL_STAT(DMACTL_A_STATS_LIVE_TARGETS));
	EXPECT_STREQ("", self->s->dev);

	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, BUF_PAGES * pg, 0,
			   &buf);
	EXPECT_EQ(1, DEV_STAT(DMACTL_A_STATS_LIVE_BUFS));
	/* Counted in the kernel's pages, whatever their size. */
	EXPECT_EQ(BUF_PAGES, DEV_STAT(DMACTL_A_STATS_KERNEL_PAGES));
	test_cmd_iova_alloc(self->fd, BUF_PAGES * pg, 0,
			    DMACTL_IOVA_ALLOW_FALLBACK, &ia);
	test_cmd_iova_link(self->fd, ia.out_id, buf, 0, 0, pg, DMACTL_DIR_BIDIRECTIONAL, 0);
	test_cmd_iova_link(self->fd, ia.out_id, buf, pg, pg, pg,
			   DMACTL_DIR_BIDIRECTIONAL, 0);
	EXPECT_EQ(1, DEV_STAT(DMACTL_A_STATS_LIVE_IOVAS));
	EXPECT_LE(1, DEV_STAT(DMACTL_A_STATS_LIVE_LINKS));
	EXPECT_EQ(links + 2, DEV_OP("iova-link"));
	EXPECT_LE(all_links + 2, TOTAL_OP("iova-link"));
	/* A zero-size link is refused under M12, and counted on the device. */
	test_err_iova_link(EINVAL, self->fd, ia.out_id, buf, 0,
			   2 * pg, 0, DMACTL_DIR_BIDIRECTIONAL, 0);
	EXPECT_EQ(m12 + 1, DEV_REJECTED("M12"));
	EXPECT_EQ(links + 2, DEV_OP("iova-link"));

	test_cmd_iova_destroy(self->fd, ia.out_id, 2 * pg, DMACTL_DIR_BIDIRECTIONAL, 0);
	EXPECT_EQ(0, DEV_STAT(DMACTL_A_STATS_LIVE_IOVAS));
	EXPECT_EQ(0, DEV_STAT(DMACTL_A_STATS_LIVE_LINKS));
	test_cmd_buf_free(self->fd, buf);
	EXPECT_EQ(0, DEV_STAT(DMACTL_A_STATS_LIVE_BUFS));
	EXPECT_EQ(0, DEV_STAT(DMACTL_A_STATS_KERNEL_PAGES));
}

static int find_dev(const struct dmactl_nl_stats *s, void *arg)
{
	if (!strcmp(s->dev, dmactl_test_dev()))
		(*(int *)arg)++;
	return 0;
}

static int find_dev_entry(const struct dmactl_nl_dev *d, void *arg)
{
	if (!strcmp(d->name, dmactl_test_dev()))
		*(struct dmactl_nl_dev *)arg = *d;
	return 0;
}

TEST_F(nl, dumps_list_the_device)
{
	struct dmactl_nl_dev d = {}, one;
	int seen = 0;

	ASSERT_EQ(0, dmactl_nl_stats_dump(self->nl, find_dev, &seen));
	EXPECT_EQ(1, seen);
	ASSERT_EQ(0, dmactl_nl_dev_dump(self->nl, find_dev_entry, &d));
	EXPECT_STREQ(dmactl_test_dev(), d.name);
	EXPECT_TRUE(d.bound || d.allowed);
	EXPECT_LE(1, d.files);
	ASSERT_EQ(0, dmactl_nl_dev_get(self->nl, dmactl_test_dev(), &one));
	EXPECT_EQ(0, memcmp(&d, &one, sizeof(d)));
}

TEST_F(nl, errors_carry_extack)
{
	char longname[DMACTL_NAME_MAX + 8];

	/* No such device: ENODEV, and the kernel says why. */
	EXPECT_EQ(-ENODEV, dmactl_nl_stats_get(self->nl, "0000:ff:1f.7",
					       self->s));
	EXPECT_STRNE("", dmactl_nl_errmsg(self->nl));
	EXPECT_EQ(-ENODEV, dmactl_nl_dev_get(self->nl, "0000:ff:1f.7", NULL));
	EXPECT_STRNE("", dmactl_nl_errmsg(self->nl));
	EXPECT_EQ(-ENOENT, dmactl_nl_allow(self->nl, "0000:ff:1f.7", false));
	EXPECT_STREQ("not on the allow list", dmactl_nl_errmsg(self->nl));
	EXPECT_EQ(-EINVAL, dmactl_nl_allow(self->nl, "", true));
	EXPECT_STREQ("empty device name", dmactl_nl_errmsg(self->nl));
	/* The name attribute is required. */
	EXPECT_EQ(-EINVAL, dmactl_nl_dev_get(self->nl, NULL, NULL));
	/* Longer than a device name can be: the policy refuses it. */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_GT(0, dmactl_nl_allow(self->nl, longname, true));
	EXPECT_STRNE("", dmactl_nl_errmsg(self->nl));
}

/* In a forked child: become nobody and open the family, or exit 10 or 11. */
static struct dmactl_nl *nobody_nl_open(void)
{
	struct dmactl_nl *nl;

	if (setgid(65534) || setuid(65534))
		_exit(10);
	if (dmactl_nl_open(&nl))
		_exit(11);
	return nl;
}

TEST(allow_list_needs_cap_net_admin)
{
	struct dmactl_nl *nl;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* nobody: no capability at all. */
		nl = nobody_nl_open();
		if (dmactl_nl_allow(nl, "0000:ff:1f.7", true) != -EPERM)
			_exit(12);
		if (dmactl_nl_allow(nl, "0000:ff:1f.7", false) != -EPERM)
			_exit(13);
		/* Reading is for anyone. */
		if (dmactl_nl_dev_dump(nl, find_dev_entry, &(struct dmactl_nl_dev){}))
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* As root it works, and undoes. */
	ASSERT_EQ(0, dmactl_nl_open(&nl));
	EXPECT_EQ(0, dmactl_nl_allow(nl, "0000:ff:1f.7", true));
	EXPECT_EQ(0, dmactl_nl_allow(nl, "0000:ff:1f.7", true));
	EXPECT_EQ(0, dmactl_nl_allow(nl, "0000:ff:1f.7", false));
	EXPECT_EQ(-ENOENT, dmactl_nl_allow(nl, "0000:ff:1f.7", false));
	dmactl_nl_close(nl);
}

/*
 * The allow list hands devices to whoever may open /dev/dmactl, which
 * takes CAP_SYS_ADMIN: so does changing it (once, CAP_NET_ADMIN was
 * enough).  Events name other users' processes: listening takes
 * CAP_NET_ADMIN (once, anyone could).
 */
TEST(allow_list_needs_cap_sys_admin_and_events_cap_net_admin)
{
	struct dmactl_nl *nl;
	int status, ret;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Root with CAP_NET_ADMIN, without CAP_SYS_ADMIN. */
		if (drop_sys_admin())
			_exit(10);
		if (dmactl_nl_open(&nl))
			_exit(11);
		ret = dmactl_nl_allow(nl, "0000:ff:1f.7", true);
		if (ret != -EPERM)
			_exit(100 + (-ret & 63));
		ret = dmactl_nl_allow(nl, dmactl_test_dev(), false);
		if (ret != -EPERM)
			_exit(164 + (-ret & 63));
		if (dmactl_nl_subscribe(nl))
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* nobody: may read, may not listen to events. */
		nl = nobody_nl_open();
		if (dmactl_nl_subscribe(nl) != -EPERM)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* ---- events ---- */

/* The next event on @mon, within 5 s, skipping others of other devices. */
static int next_event(struct dmactl_nl *mon, struct dmactl_nl_event *ev)
{
	int ret;

	do {
		ret = dmactl_nl_event_wait(mon, 5000, ev);
	} while (!ret && strcmp(ev->dev, dmactl_test_dev()));
	return ret;
}

TEST_F(nl, release_with_objects_is_an_event)
{
	struct dmactl_nl_event ev;
	struct dmactl_nl *mon;
	__u32 buf;
	int fd2;

	ASSERT_EQ(0, dmactl_nl_open(&mon));
	ASSERT_EQ(0, dmactl_nl_subscribe(mon));
	/* A clean close says nothing. */
	fd2 = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd2);
	test_cmd_attach(fd2, dmactl_test_dev(), NULL);
	close(fd2);
	EXPECT_EQ(-ETIMEDOUT, dmactl_nl_event_wait(mon, 200, &ev));

	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, 0, &buf);
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, PAGE_SZ, 0, &buf);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, next_event(mon, &ev));
	EXPECT_EQ(DMACTL_EVENT_TYPE_FILE_RELEASED, ev.val[DMACTL_A_EVENT_TYPE]);
	EXPECT_EQ(getpid(), ev.val[DMACTL_A_EVENT_PID]);
	EXPECT_STRNE("", ev.comm);
	EXPECT_EQ(2, ev.val[DMACTL_A_EVENT_BUFS]);
	EXPECT_EQ(0, ev.val[DMACTL_A_EVENT_IOVAS]);
	dmactl_nl_close(mon);
}

TEST_F(nl, shared_device_revoked_is_an_event)
{
	struct dmactl_nl_dev d;
	struct dmactl_nl_event ev;
	struct dmactl_iova_alloc ia;
	struct dmactl_nl *mon;
	__u32 buf;

	ASSERT_EQ(0, dmactl_nl_dev_get(self->nl, dmactl_test_dev(), &d));
	if (d.bound)
		SKIP(return, "the device is bound to dmactl, not shared");
	ASSERT_EQ(0, dmactl_nl_open(&mon));
	ASSERT_EQ(0, dmactl_nl_subscribe(mon));
	test_cmd_buf_alloc(self->fd, DMACTL_BUF_KERNEL, 0, 2 * PAGE_SZ, 0, &buf);
	test_cmd_iova_alloc(self->fd, 2 * PAGE_SZ, 0, DMACTL_IOVA_ALLOW_FALLBACK,
			    &ia);
	test_cmd_iova_link(self->fd, ia.out_id, buf, 0, 0, PAGE_SZ,
			   DMACTL_DIR_BIDIRECTIONAL, 0);
	/* Off the allow list: everything on it goes, and the monitor hears. */
	ASSERT_EQ(0, dmactl_nl_allow(self->nl, dmactl_test_dev(), false));
	ASSERT_EQ(0, dmactl_nl_allow(self->nl, dmactl_test_dev(), true));
	ASSERT_EQ(0, next_event(mon, &ev));
	EXPECT_EQ(DMACTL_EVENT_TYPE_DEV_REVOKED, ev.val[DMACTL_A_EVENT_TYPE]);
	EXPECT_LE(1, ev.val[DMACTL_A_EVENT_FILES]);
	EXPECT_EQ(1, ev.val[DMACTL_A_EVENT_BUFS]);
	EXPECT_EQ(1, ev.val[DMACTL_A_EVENT_IOVAS]);
	EXPECT_EQ(1, ev.val[DMACTL_A_EVENT_LINKS]);
	EXPECT_EQ(-ENODEV, _test_cmd_buf_free(self->fd, buf));
	/* The revoked file's close has nothing left: no release event. */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-ETIMEDOUT, dmactl_nl_event_wait(mon, 200, &ev));
	dmactl_nl_close(mon);
}

DMACTL_TEST_MAIN
