// SPDX-License-Identifier: GPL-2.0
/* dmactl monitor: follow the events group of the netlink family. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "dmactl_nl.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* An attribute's name; one the spec has added since, by its number. */
static const char *attr_name(int a, char *buf, size_t len)
{
	const char *name = dmactl_nl_event_attr_name(a);

	if (name)
		return name;
	snprintf(buf, len, "attr-%d", a);
	return buf;
}

/*
 * One event: its type, device and process, then every number it carries
 * (the IDs of the objects it names among them, iova-id), in attribute
 * order.
 */
static void print_event(const struct dmactl_nl_event *ev, bool json)
{
	const char *type = dmactl_nl_event_type_name(ev->val[DMACTL_A_EVENT_TYPE]);
	json_object *o = NULL;
	char buf[16], key[64];
	int a;

	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string(type));
		json_object_object_add(o, "dev", json_object_new_string(ev->dev));
		if (ev->comm[0])
			json_object_object_add(o, "comm",
					       json_object_new_string(ev->comm));
	} else {
		printf("%s dev=%s", type, ev->dev);
		if (ev->comm[0])
			printf(" comm=%s", ev->comm);
	}
	for (a = 1; a <= DMACTL_A_EVENT_MAX; a++) {
		if (!ev->has[a] || a == DMACTL_A_EVENT_TYPE)
			continue;
		if (json)
			json_object_object_add(o, json_key(attr_name(a, buf, sizeof(buf)),
							   key, sizeof(key)),
					       json_object_new_int64(ev->val[a]));
		else
			printf(" %s=%" PRId64, attr_name(a, buf, sizeof(buf)),
			       ev->val[a]);
	}
	if (json)
		json_print(o, JSON_C_TO_STRING_PLAIN);
	else
		putchar('\n');
	fflush(stdout);
}

/* The command line: --json, --count N (-1: until interrupted). */
struct monitor_opts {
	bool json;
	long count;
};

/* Returns -1 to go on, or the exit status to return at once. */
static int monitor_parse(int argc, char **argv, struct monitor_opts *o)
{
	static const struct option opts[] = {
		OPT_JSON,
		{ "count", required_argument, NULL, 'c' },
		OPT_HELP,
		{}
	};
	char *end;
	int c, ret;

	*o = (struct monitor_opts){ .count = -1 };
	while ((c = getopt_long(argc, argv, "jc:h", opts, NULL)) != -1) {
		if (c == 'c') {
			o->count = strtol(optarg, &end, 0);
			if (*end || o->count < 1)
				return usage_error(&cmd_monitor,
						   "bad --count %s", optarg);
		} else if ((ret = opt_common(&cmd_monitor, c, &o->json)) >= 0) {
			return ret;
		}
	}
	if (optind != argc)
		return usage_error(&cmd_monitor, "no operands expected");
	return -1;
}

/* Open the family and join the events group; returns an exit status. */
static int monitor_subscribe(struct dmactl_nl **nl)
{
	int ret = nl_open_or_say("monitor", nl);

	if (ret)
		return ret;
	ret = dmactl_nl_subscribe(*nl);
	if (ret) {
		ret = nl_say_error("monitor", NULL, *nl, ret);
		dmactl_nl_close(*nl);
	}
	return ret;
}

/* Print events until a signal or the count; returns 0 or -errno. */
static int monitor_follow(struct dmactl_nl *nl, const struct monitor_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct dmactl_nl_event ev;
	long seen = 0;
	int ret = 0;

	/* No SA_RESTART: the signal ends the wait with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* On stderr, so a script knows the subscription is live. */
	fprintf(stderr, "dmactl monitor: following \"%s\" events; Ctrl-C ends\n",
		DMACTL_MCGRP_EVENTS);
	while (!stop && (o->count < 0 || seen < o->count)) {
		ret = dmactl_nl_event_wait(nl, -1, &ev);
		if (ret == -EINTR) {
			ret = 0;
			continue;
		}
		if (ret)
			break;
		print_event(&ev, o->json);
		seen++;
	}
	return ret;
}

static int monitor_run(int argc, char **argv)
{
	struct monitor_opts o;
	struct dmactl_nl *nl;
	int ret;

	ret = monitor_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = monitor_subscribe(&nl);
	if (ret)
		return ret;
	ret = monitor_follow(nl, &o);
	dmactl_nl_close(nl);
	if (ret) {
		fprintf(stderr, "dmactl monitor: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

const struct dmactl_cmd cmd_monitor = {
	.name = "monitor",
	.summary = "follow events: revocations, releases, DMA faults",
	.help =
"NAME\n"
"    dmactl monitor - follow the events of the dmactl netlink family\n"
"\n"
"SYNOPSIS\n"
"    dmactl monitor [--json] [--count N]\n"
"\n"
"DESCRIPTION\n"
"    Joins the \"events\" multicast group and prints each event as it\n"
"    comes, one line each (one JSON object per line with --json), until\n"
"    interrupted (SIGINT, SIGTERM) or after N events.  A line on stderr\n"
"    says when the subscription is live.\n"
"      dev-revoked     a device went away (driver unbound, removed, taken\n"
"                      off the allow list): files, bufs, iovas, links,\n"
"                      benches torn down\n"
"      file-released   a file closed with objects left: pid and comm of\n"
"                      its opener, bufs, iovas, links, benches torn down\n"
"      fault-injected  a copy aimed at IOVA with no link behind it\n"
"                      (DMACTL_COPY_DST_UNLINKED): pid, comm, iova-id (the\n"
"                      destination IOVA object's ID in its file), offset,\n"
"                      length\n"
"      dma-fault       a copy saw the engine fail or time out, or found\n"
"                      mismatches or guard damage: pid, comm, iova-id,\n"
"                      offset, length, error, mismatches, guard-damage\n"
"    Every number an event carries is printed as NAME=VALUE (a JSON\n"
"    member), the object IDs among them.\n"
"\n"
"EXIT STATUS\n"
"    0 when interrupted or after N events, 1 failure, 2 usage error,\n"
"    4 module not loaded.\n",
	.run = monitor_run,
};
