// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl's generic netlink family over libnl-genl-3.  One socket per
 * struct dmactl_nl; requests are synchronous (send, then read until the
 * ACK, the error or the end of the dump); the error's extack message is
 * kept for the caller.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "dmactl_nl.h"
#include "dmactl_nl_names.h"

struct dmactl_nl {
	struct nl_sock *sk;
	int family;
	char errmsg[256];
};

/* What one request's callbacks share. */
struct nl_req {
	struct dmactl_nl *nl;
	int (*parse)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int err;
	bool done;
};

/* Names by attribute number, from the spec's lists. */
#define NAME_BY_ATTR(set, suffix, name) [DMACTL_A_##set##_##suffix] = name,
#define STATS_NAME(suffix, name) NAME_BY_ATTR(STATS, suffix, name)
#define EVENT_NAME(suffix, name) NAME_BY_ATTR(EVENT, suffix, name)
static const char *const stats_names[DMACTL_A_STATS_MAX + 1] = {
	DMACTL_NL_STATS_ATTRS(STATS_NAME)
};

static const char *const event_attr_names[DMACTL_A_EVENT_MAX + 1] = {
	DMACTL_NL_EVENT_ATTRS(EVENT_NAME)
};

const char *dmactl_nl_stats_name(int attr)
{
	return attr > 0 && attr <= DMACTL_A_STATS_MAX ? stats_names[attr] : NULL;
}

const char *dmactl_nl_event_attr_name(int attr)
{
	return attr > 0 && attr <= DMACTL_A_EVENT_MAX ?
	       event_attr_names[attr] : NULL;
}

const char *dmactl_nl_event_type_name(uint32_t type)
{
#define EVENT_TYPE_CASE(suffix, name) \
	case DMACTL_EVENT_TYPE_##suffix: return name;
	switch (type) {
	DMACTL_NL_EVENT_TYPES(EVENT_TYPE_CASE)
	}
	return "unknown";
}

uint64_t dmactl_nl_count_find(const struct dmactl_nl_count *c, int n,
			      const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return c[i].value;
	return 0;
}

/* A "uint" attribute: the kernel sends 4 bytes when the value fits. */
static uint64_t get_uint(struct nlattr *a)
{
	return nla_len(a) == 4 ? nla_get_u32(a) : nla_get_u64(a);
}

static void copy_string(char *dst, size_t len, struct nlattr *a)
{
	dst[0] = '\0';
	if (a)
		snprintf(dst, len, "%s", nla_get_string(a));
}

int dmactl_nl_open(struct dmactl_nl **out)
{
	struct dmactl_nl *nl = calloc(1, sizeof(*nl));
	int ret, one = 1;

	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (!ret) {
		/* Ask for extack messages with errors. */
		setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK,
			   NETLINK_EXT_ACK, &one, sizeof(one));
		nl->family = genl_ctrl_resolve(nl->sk, DMACTL_FAMILY_NAME);
		ret = nl->family < 0 ? -ENOENT : 0;
	} else {
		ret = -ECONNREFUSED;
	}
	if (ret) {
		nl_socket_free(nl->sk);
		free(nl);
		return ret;
	}
	*out = nl;
	return 0;
}

void dmactl_nl_close(struct dmactl_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *dmactl_nl_errmsg(struct dmactl_nl *nl)
{
	return nl->errmsg;
}

int dmactl_nl_fd(struct dmactl_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nl_req *req = arg;

	if (req->parse && !req->err)
		req->err = req->parse(nlmsg_hdr(msg), req->arg);
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	((struct nl_req *)arg)->done = true;
	return NL_STOP;
}

/* The error, and the extack message after it when the kernel sent one. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nl_req *req = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*err);
	int len;

	req->err = err->error;
	req->done = true;
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	len = hdr->nlmsg_len - NLMSG_HDRLEN - off;
	if (len > 0 && !nla_parse(tb, NLMSGERR_ATTR_MAX,
				  (struct nlattr *)((char *)err + off), len,
				  NULL) && tb[NLMSGERR_ATTR_MSG])
		snprintf(req->nl->errmsg, sizeof(req->nl->errmsg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

/*
 * Send @cmd (a dump with @dump) with the device name @dev in attribute
 * @dev_attr if not NULL; call @parse on each reply.
 */
static int request(struct dmactl_nl *nl, uint8_t cmd, bool dump, int dev_attr,
		   const char *dev,
		   int (*parse)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	struct nl_req req = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	nl->errmsg[0] = '\0';
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		nlmsg_free(msg);
		nl_cb_put(cb);
		return -ENOMEM;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd,
			 DMACTL_FAMILY_VERSION) ||
	    (dev && nla_put_string(msg, dev_attr, dev))) {
		ret = -EMSGSIZE;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = -EIO;
		goto out;
	}
	while (!req.done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !req.done) {
			ret = -EIO;
			goto out;
		}
	}
	ret = req.err;
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	return ret;
}

static int parse_count(struct nlattr *nest, struct dmactl_nl_count *c, int *n)
{
	struct nlattr *tb[DMACTL_A_COUNT_MAX + 1];

	if (*n >= DMACTL_NL_MAX_COUNTS ||
	    nla_parse_nested(tb, DMACTL_A_COUNT_MAX, nest, NULL) ||
	    !tb[DMACTL_A_COUNT_NAME] || !tb[DMACTL_A_COUNT_VALUE])
		return -EPROTO;
	copy_string(c[*n].name, sizeof(c[*n].name), tb[DMACTL_A_COUNT_NAME]);
	c[*n].value = get_uint(tb[DMACTL_A_COUNT_VALUE]);
	(*n)++;
	return 0;
}

/* One stats reply; op and rejection come many times, so walk them all. */
static int stats_parse(struct nlmsghdr *nlh, struct dmactl_nl_stats *s)
{
	struct nlattr *a;
	int rem, type, ret = 0;

	memset(s, 0, sizeof(*s));
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		type = nla_type(a);
		if (type == DMACTL_A_STATS_DEV)
			copy_string(s->dev, sizeof(s->dev), a);
		else if (type == DMACTL_A_STATS_OP)
			ret = parse_count(a, s->ops, &s->nr_ops);
		else if (type == DMACTL_A_STATS_REJECTION)
			ret = parse_count(a, s->rejections, &s->nr_rejections);
		else if (type > 0 && type <= DMACTL_A_STATS_MAX) {
			s->has[type] = true;
			s->val[type] = get_uint(a);
		}
		if (ret)
			return ret;
	}
	return 0;
}

struct stats_req {
	struct dmactl_nl_stats *out;
	int (*fn)(const struct dmactl_nl_stats *s, void *arg);
	void *arg;
};

static int stats_one(struct nlmsghdr *nlh, void *arg)
{
	struct stats_req *r = arg;
	int ret;

	ret = stats_parse(nlh, r->out);
	if (!ret && r->fn)
		ret = r->fn(r->out, r->arg);
	return ret;
}

int dmactl_nl_stats_get(struct dmactl_nl *nl, const char *dev,
			struct dmactl_nl_stats *out)
{
	struct stats_req r = { .out = out };

	return request(nl, DMACTL_NL_CMD_STATS_GET, false, DMACTL_A_STATS_DEV,
		       dev, stats_one, &r);
}

int dmactl_nl_stats_dump(struct dmactl_nl *nl,
			 int (*fn)(const struct dmactl_nl_stats *s, void *arg),
			 void *arg)
{
	struct dmactl_nl_stats *one = malloc(sizeof(*one));
	struct stats_req r = { .out = one, .fn = fn, .arg = arg };
	int ret;

	if (!one)
		return -ENOMEM;
	ret = request(nl, DMACTL_NL_CMD_STATS_GET, true, 0, NULL, stats_one,
		      &r);
	free(one);
	return ret;
}

struct dev_req {
	struct dmactl_nl_dev *out;
	int (*fn)(const struct dmactl_nl_dev *d, void *arg);
	void *arg;
};

static int dev_one(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[DMACTL_A_DEV_MAX + 1];
	struct dev_req *r = arg;
	struct dmactl_nl_dev *d = r->out;

	if (genlmsg_parse(nlh, 0, tb, DMACTL_A_DEV_MAX, NULL) < 0)
		return -EPROTO;
	memset(d, 0, sizeof(*d));
	copy_string(d->name, sizeof(d->name), tb[DMACTL_A_DEV_NAME]);
	copy_string(d->driver, sizeof(d->driver), tb[DMACTL_A_DEV_DRIVER]);
	d->bound = tb[DMACTL_A_DEV_BOUND];
	d->allowed = tb[DMACTL_A_DEV_ALLOWED];
	if (tb[DMACTL_A_DEV_FILES])
		d->files = nla_get_u32(tb[DMACTL_A_DEV_FILES]);
	return r->fn ? r->fn(d, r->arg) : 0;
}

int dmactl_nl_dev_get(struct dmactl_nl *nl, const char *dev,
		      struct dmactl_nl_dev *out)
{
	struct dmactl_nl_dev unused;
	struct dev_req r = { .out = out ? out : &unused };

	return request(nl, DMACTL_NL_CMD_DEV_GET, false, DMACTL_A_DEV_NAME,
		       dev, dev_one, &r);
}

int dmactl_nl_dev_dump(struct dmactl_nl *nl,
		       int (*fn)(const struct dmactl_nl_dev *d, void *arg),
		       void *arg)
{
	struct dmactl_nl_dev one;
	struct dev_req r = { .out = &one, .fn = fn, .arg = arg };

	return request(nl, DMACTL_NL_CMD_DEV_GET, true, 0, NULL, dev_one, &r);
}

int dmactl_nl_allow(struct dmactl_nl *nl, const char *dev, bool allow)
{
	return request(nl, allow ? DMACTL_NL_CMD_ALLOW : DMACTL_NL_CMD_DISALLOW,
		       false, DMACTL_A_DEV_NAME, dev, NULL, NULL);
}

int dmactl_nl_subscribe(struct dmactl_nl *nl)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, DMACTL_FAMILY_NAME,
					DMACTL_MCGRP_EVENTS);
	int ret;

	if (grp < 0)
		return -ENOENT;
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret == -NLE_PERM)
		return -EPERM;	/* the group needs CAP_NET_ADMIN */
	return ret ? -EIO : 0;
}

struct event_req {
	struct dmactl_nl_event *ev;
	bool got;
};

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int event_one(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[DMACTL_A_EVENT_MAX + 1];
	struct event_req *r = arg;
	struct dmactl_nl_event *ev = r->ev;
	int i;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, DMACTL_A_EVENT_MAX, NULL) < 0)
		return NL_SKIP;
	memset(ev, 0, sizeof(*ev));
	copy_string(ev->dev, sizeof(ev->dev), tb[DMACTL_A_EVENT_DEV]);
	copy_string(ev->comm, sizeof(ev->comm), tb[DMACTL_A_EVENT_COMM]);
	for (i = 1; i <= DMACTL_A_EVENT_MAX; i++) {
		if (!tb[i] || i == DMACTL_A_EVENT_DEV || i == DMACTL_A_EVENT_COMM)
			continue;
		ev->has[i] = true;
		ev->val[i] = i == DMACTL_A_EVENT_ERROR ?
			     (int32_t)nla_get_u32(tb[i]) : (int64_t)get_uint(tb[i]);
	}
	r->got = true;
	return NL_STOP;
}

/*
 * Wait up to @timeout_ms (-1: for ever) for the next event.  Returns 0
 * with @ev filled, -ETIMEDOUT, -EINTR, or -EIO.
 */
int dmactl_nl_event_wait(struct dmactl_nl *nl, int timeout_ms,
			 struct dmactl_nl_event *ev)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct event_req r = { .ev = ev };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_one, &r);
	/* Events come unasked: no sequence numbers to check. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	while (!r.got) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0) {
			ret = -errno;
			break;
		}
		if (!ret) {
			ret = -ETIMEDOUT;
			break;
		}
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r.got) {
			ret = -EIO;
			break;
		}
		ret = 0;
	}
	nl_cb_put(cb);
	return r.got ? 0 : ret;
}
