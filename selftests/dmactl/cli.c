// SPDX-License-Identifier: GPL-2.0
/*
 * The dmactl tool's contract: every command's --json prints one JSON value
 * that json-c parses and that says what happened, and the exit statuses
 * are 0 success, 1 failure, 2 usage error, 4 cannot run here.
 */
#include <stdarg.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "dmactl_test.h"

/* Run "dmactl ARGS", return its exit status and (if @out) its stdout. */
static int tool(char **out, const char *fmt, ...)
{
	const char *bin = dmactl_tool();
	char cmd[1024], args[768], chunk[4096];
	size_t len = 0, n;
	char *buf = NULL;
	va_list ap;
	int status;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", bin, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	status = pclose(p);
	if (buf)
		buf[len] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run a --json command and parse its output; NULL if it is not JSON. */
static json_object *tool_json(int *status, const char *args)
{
	json_object *o = NULL;
	char *out = NULL;

	*status = tool(&out, "%s --json", args);
	if (out)
		o = json_tokener_parse(out);
	free(out);
	return o;
}

static const char *field(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ?
	       json_object_get_string(v) : NULL;
}

/* Run a --json command that must fail (exit 1) and still print JSON saying so. */
static json_object *tool_json_failed(struct __test_metadata *_metadata,
				     const char *args)
{
	json_object *o;
	int status;

	o = tool_json(&status, args);
	EXPECT_EQ(1, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("fail", field(o, "result"));
	return o;
}

FIXTURE(cli) {
	const char *dev;
	unsigned long taint;
};

FIXTURE_SETUP(cli)
{
	self->dev = dmactl_test_dev();
	self->taint = dmactl_taint();
	if (tool(NULL, "--help") != 0)
		SKIP(return, "no dmactl tool on PATH (or DMACTL_TOOL)");
}

FIXTURE_TEARDOWN(cli)
{
	dmactl_teardown_check(self->taint);
}

TEST_F(cli, every_command_has_help)
{
	static const char *const cmds[] = {
		"list", "info", "bind", "unbind", "allow", "disallow", "map", "run",
		"p2p", "bench", "bench scale", "bench report", "bench ab", "stats",
		"monitor",
		"expendable", "qualify",
	};
	char *out;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(0, tool(&out, "%s --help", cmds[i]));
		ASSERT_NE(NULL, out);
		EXPECT_NE(NULL, strstr(out, "SYNOPSIS")) {
			TH_LOG("dmactl %s --help has no SYNOPSIS", cmds[i]);
		}
		free(out);
	}
}

TEST_F(cli, usage_errors_exit_2)
{
	EXPECT_EQ(2, tool(NULL, ""));
	EXPECT_EQ(2, tool(NULL, "no-such-command"));
	EXPECT_EQ(2, tool(NULL, "info"));
	EXPECT_EQ(2, tool(NULL, "map %s --size nonsense", self->dev));
	EXPECT_EQ(2, tool(NULL, "list --no-such-option"));
}

TEST_F(cli, missing_device_exits_4_and_refusal_exits_1)
{
	EXPECT_EQ(4, tool(NULL, "info 0000:ff:1f.7"));
	EXPECT_EQ(1, tool(NULL, "info 0000:00:00.0"));	/* EPERM */
}

TEST_F(cli, stats_and_monitor)
{
	json_object *o, *ops;
	int status, fd;
	char cmd[128];

	/* The device's counters: with a file attached it has a target. */
	fd = open(DMACTL_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	test_cmd_attach(fd, self->dev, NULL);
	snprintf(cmd, sizeof(cmd), "stats %s", self->dev);
	o = tool_json(&status, cmd);
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ(self->dev, field(o, "dev"));
	EXPECT_NE(NULL, field(o, "live_links"));
	EXPECT_TRUE(json_object_object_get_ex(o, "ops", &ops));
	json_object_put(o);
	close(fd);
	o = tool_json(&status, "stats");
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(json_object_object_get_ex(o, "total", &ops));
	json_object_put(o);
	/* No such device: the kernel's ENODEV, exit 1. */
	EXPECT_EQ(1, tool(NULL, "stats 0000:ff:1f.7"));
	EXPECT_EQ(1, tool(NULL, "disallow 0000:ff:1f.7"));
	EXPECT_EQ(2, tool(NULL, "stats a b"));
	EXPECT_EQ(2, tool(NULL, "monitor --count 0"));
	EXPECT_EQ(2, tool(NULL, "monitor extra"));
}

/*
 * dmactl --version: the tool's version and ABI, and the loaded module's --
 * its MODULE_VERSION as sysfs shows it and the ABI GET_VERSION answers;
 * built from one VERSION file, the two agree.
 */
TEST_F(cli, version_names_tool_and_module)
{
	char line[128], modver[64] = "", *out;
	json_object *o, *m, *v;
	int status;
	FILE *f;

	f = fopen("/sys/module/dmactl/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(modver, sizeof(modver), f));
	fclose(f);
	modver[strcspn(modver, "\n")] = '\0';
	ASSERT_NE(0, strlen(modver));

	ASSERT_EQ(0, tool(&out, "--version"));
	ASSERT_NE(NULL, out);
	snprintf(line, sizeof(line), "dmactl %s (ABI %d)\n", modver, DMACTL_ABI_VERSION);
	EXPECT_EQ(0, strncmp(out, line, strlen(line))) {
		TH_LOG("expected \"%s\" first, got \"%s\"", line, out);
	}
	snprintf(line, sizeof(line), "dmactl.ko %s (ABI %d)\n", modver, DMACTL_ABI_VERSION);
	EXPECT_NE(NULL, strstr(out, line)) {
		TH_LOG("no \"%s\" in \"%s\"", line, out);
	}
	free(out);

	o = tool_json(&status, "--version");
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ(modver, field(o, "version"));
	ASSERT_TRUE(json_object_object_get_ex(o, "module", &m));
	ASSERT_NE(NULL, m);
	EXPECT_STREQ(modver, field(m, "version"));
	ASSERT_TRUE(json_object_object_get_ex(m, "abi", &v));
	EXPECT_EQ(DMACTL_ABI_VERSION, json_object_get_int(v));
	json_object_put(o);

	EXPECT_EQ(2, tool(NULL, "--version --bogus"));
}

/* The first key under @o spelled with a dash, or NULL: keys use '_'. */
static const char *dashed_key(json_object *o)
{
	const char *bad;
	size_t i;

	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++) {
			bad = dashed_key(json_object_array_get_idx(o, i));
			if (bad)
				return bad;
		}
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	json_object_object_foreach(o, key, val) {
		if (strchr(key, '-'))
			return key;
		bad = dashed_key(val);
		if (bad)
			return bad;
	}
	return NULL;
}

/* Every key of every command's JSON is spelled one way: with underscores. */
TEST_F(cli, json_keys_use_underscores)
{
	const char *const cmds[] = { "list", "info %s", "stats %s", "stats",
				     "--version", "map %s", "expendable %s",
				     "bench %s --mode phys --ios 10", "p2p %s %s" };
	char args[128];
	json_object *o;
	int status;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(args, sizeof(args), cmds[i], self->dev, self->dev);
		o = tool_json(&status, args);
		ASSERT_NE(NULL, o) {
			TH_LOG("dmactl %s --json printed no JSON", args);
		}
		EXPECT_EQ(NULL, dashed_key(o)) {
			TH_LOG("dmactl %s --json: key \"%s\"", args, dashed_key(o));
		}
		json_object_put(o);
	}
}

TEST_F(cli, info_json)
{
	json_object *o;
	int status;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "info %s", self->dev);
	o = tool_json(&status, cmd);
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ(self->dev, field(o, "device"));
	EXPECT_NE(NULL, field(o, "domain"));
	EXPECT_NE(NULL, field(o, "granule"));
	json_object_put(o);
}

/*
 * dmactl bench labels its unit: guest instructions under QEMU icount
 * (--clock icount:SHIFT, or dmactl_icount=SHIFT on the kernel command
 * line), each cost the guest ns over 2^SHIFT; ns otherwise, with where.
 */
TEST_F(cli, bench_labels_its_clock)
{
	json_object *o, *clk, *res, *r, *cost, *map;
	double mean_ns;
	int status;
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "bench %s --mode phys --ios 20 --clock icount:3", self->dev);
	o = tool_json(&status, cmd);
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, o);
	ASSERT_TRUE(json_object_object_get_ex(o, "clock", &clk));
	EXPECT_STREQ("guest instructions", field(clk, "unit"));
	EXPECT_STREQ("3", field(clk, "icount_shift"));
	ASSERT_TRUE(json_object_object_get_ex(o, "results", &res));
	r = json_object_array_get_idx(res, 0);
	ASSERT_NE(NULL, r);
	ASSERT_TRUE(json_object_object_get_ex(r, "cost", &cost));
	ASSERT_TRUE(json_object_object_get_ex(r, "map", &map));
	mean_ns = atof(field(map, "mean_ns"));
	/* The mean is rounded down to a whole ns; the cost is not. */
	EXPECT_GE(atof(field(cost, "map")), mean_ns / 8);
	EXPECT_LT(atof(field(cost, "map")), (mean_ns + 1) / 8);
	json_object_put(o);

	snprintf(cmd, sizeof(cmd), "bench %s --mode phys --ios 20 --clock ns", self->dev);
	o = tool_json(&status, cmd);
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, o);
	ASSERT_TRUE(json_object_object_get_ex(o, "clock", &clk));
	EXPECT_STREQ("ns", field(clk, "unit"));
	EXPECT_EQ(NULL, field(clk, "icount_shift"));
	/* Where it was measured (on the test bed: QEMU TCG or KVM). */
	EXPECT_NE(NULL, field(clk, "source"));
	json_object_put(o);
}

TEST_F(cli, map_json_passes)
{
	json_object *o;
	int status;
	char cmd[128];

	/* 64 pages, the kernel's: 256k at 4 KiB, 1M at 16 KiB. */
	snprintf(cmd, sizeof(cmd), "map %s --size %lluk --pages-per-link 4 --dir from",
		 self->dev, 64 * PAGE_SZ >> 10);
	o = tool_json(&status, cmd);
	ASSERT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("pass", field(o, "result"));
	EXPECT_STREQ("16", field(o, "links"));
	/* 64 pages, each either translated in place or bounced. */
	EXPECT_EQ(64, atol(field(o, "pages_mapped_ok") ?: "0") +
		      atol(field(o, "pages_bounced") ?: "0"));
	json_object_put(o);
}

TEST_F(cli, run_json_names_the_failing_line)
{
	/*
	 * A page, kiB: the last link starts on a granule the first one holds
	 * (EEXIST), never off the granule (which would be EINVAL).
	 */
	const unsigned long long k = PAGE_SZ >> 10;
	char path[] = "/tmp/dmactl-cli-XXXXXX";
	json_object *o;
	char cmd[128];
	int fd, status;
	FILE *f;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	fprintf(f, "attach %s\nbuf b kernel %lluk\nalloc io %lluk fallback\n"
		"link io b len=%lluk dir=to\n# a comment\n"
		"link io b ioff=%lluk len=%lluk dir=to\n", self->dev,
		4 * k, 4 * k, 2 * k, k, k);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "run %s", path);
	o = tool_json(&status, cmd);
	unlink(path);
	EXPECT_EQ(1, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("fail", field(o, "result"));
	EXPECT_STREQ("6", field(o, "line"));
	EXPECT_STREQ("EEXIST", field(o, "errno"));
	json_object_put(o);
}

TEST_F(cli, allow_and_bind_json)
{
	const char *excl = dmactl_test_excl_dev();
	json_object *o;
	char cmd[128];
	int status;

	snprintf(cmd, sizeof(cmd), "allow %s", self->dev);
	o = tool_json(&status, cmd);
	EXPECT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("true", field(o, "allowed"));
	json_object_put(o);

	if (!excl)
		SKIP(return, "no DMACTL_SELFTESTS_EXCL_DEV to bind");
	snprintf(cmd, sizeof(cmd), "bind %s", excl);
	o = tool_json(&status, cmd);
	EXPECT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("dmactl", field(o, "driver"));
	json_object_put(o);
	snprintf(cmd, sizeof(cmd), "unbind %s", excl);
	o = tool_json(&status, cmd);
	EXPECT_EQ(0, status);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(NULL, field(o, "driver"));
	json_object_put(o);
}

/* Successful calls of an ioctl so far, in total ("buf-alloc"); -1 on error. */
static long op_count(const char *op)
{
	struct dmactl_nl_stats *s = dmactl_stats_fetch(NULL);
	long val = -1;
	int i;

	for (i = 0; s && i < s->nr_ops; i++)
		if (!strcmp(s->ops[i].name, op))
			val = s->ops[i].value;
	free(s);
	return val;
}

/*
 * Command lines a parser could get wrong: each exits with the documented
 * status and no signal.  Once, the first was SIGFPE (a page count times
 * the page size wrapped to 0, then divided by), NaN seconds were
 * undefined behaviour and exit 1, a size with a sign or a suffix past
 * 2^64 was taken (wrapped), and a name too long was refused only after
 * the kernel made the buffer.
 */
TEST_F(cli, malformed_command_lines_exit_as_documented)
{
	/*
	 * In pages of this kernel: a count whose bytes wrap to exactly 0
	 * (2^52 at 4 KiB), one page more than --size has, and a page given
	 * with a blank before it.
	 */
	const struct {
		const char *args;
		unsigned long long n;
		int status;
	} paged[] = {
		{ "map %s --pages-per-link %llu --json", ~0ULL / PAGE_SZ + 1, 2 },
		{ "map %s --pages-per-link %llu --size 2M", SZ_2M / PAGE_SZ + 1, 2 },
		{ "map %s --size ' %lluk'", PAGE_SZ >> 10, 0 },
	};
	static const struct { const char *args; int status; } cases[] = {
		{ "map %s --size -4k", 2 },
		{ "map %s --size 0x40000000000004k", 2 },
		{ "map %s --size 18446744073709551615", 2 },
		{ "bench %s --seconds nan", 2 },
		{ "bench %s --seconds inf", 2 },
		{ "bench %s --seconds -1", 2 },
		{ "bench %s --seconds ''", 2 },
		{ "bench %s --threads 0x", 2 },
		{ "bench scale", 2 },
		{ "bench scale %s", 2 },
		{ "bench scale %s 4097", 2 },
		{ "bench scale %s 1G extra", 2 },
		{ "bench %s --scale 1G", 2 },
		{ "bench report", 2 },
		{ "bench report --no-such-option", 2 },
		{ "bench --report /dev/null", 2 },
		{ "bench %s --clock", 2 },
		{ "bench %s --clock icount:11", 2 },
		{ "bench %s --clock icount:", 2 },
		{ "bench %s --clock ticks", 2 },
		{ "bench ab", 2 },
		{ "bench ab /dev/null", 2 },
		{ "bench ab /dev/null /dev/null", 1 },
		{ "bench ab --floor nan a b", 2 },
		{ "bench ab --floor -1 a b", 2 },
		{ "bench ab --floor 101 a b", 2 },
		{ "expendable", 2 },
		{ "expendable a b", 2 },
	};
	char args[256];
	size_t i;

	for (i = 0; i < sizeof(paged) / sizeof(paged[0]); i++) {
		snprintf(args, sizeof(args), paged[i].args, self->dev, paged[i].n);
		EXPECT_EQ(paged[i].status, tool(NULL, "%s", args)) {
			TH_LOG("dmactl %s", args);
		}
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(args, sizeof(args), cases[i].args, self->dev);
		EXPECT_EQ(cases[i].status, tool(NULL, "%s", args)) {
			TH_LOG("dmactl %s", args);
		}
	}
}

static int run_script(const char *script, char **out)
{
	char path[] = "/tmp/dmactl-cli-XXXXXX";
	int fd = mkstemp(path), status;
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	fputs(script, f);
	fclose(f);
	status = tool(out, "run --json %s", path);
	unlink(path);
	return status;
}

/* A name the scenario cannot keep is refused before the kernel is asked. */
TEST_F(cli, run_refuses_a_bad_name_before_the_kernel_call)
{
	const unsigned long long k = PAGE_SZ >> 10;	/* a page, kiB */
	char script[512], *out = NULL;
	long before = op_count("buf-alloc");

	ASSERT_LE(0, before);
	snprintf(script, sizeof(script), "attach %s\n"
		 "buf a234567890123456789012345678901234567890 kernel %lluk\n",
		 self->dev, k);
	EXPECT_EQ(2, run_script(script, &out));
	free(out);
	snprintf(script, sizeof(script),
		 "attach %s\nbuf b kernel %lluk\nbuf b kernel %lluk\n",
		 self->dev, k, k);
	EXPECT_EQ(2, run_script(script, &out));
	free(out);
	/* Only the first "buf b" reached the kernel. */
	EXPECT_EQ(before + 1, op_count("buf-alloc"));
}

/* map frees all it made: its file closes with nothing left (no event). */
TEST_F(cli, map_leaves_nothing_to_release)
{
	struct dmactl_nl_event ev;
	struct dmactl_nl *mon;
	long frees = op_count("buf-free");

	ASSERT_EQ(0, dmactl_nl_open(&mon));
	ASSERT_EQ(0, dmactl_nl_subscribe(mon));
	EXPECT_EQ(0, tool(NULL, "map %s --size 64k", self->dev));
	EXPECT_EQ(frees + 1, op_count("buf-free"));
	EXPECT_EQ(-ETIMEDOUT, dmactl_nl_event_wait(mon, 500, &ev)) {
		TH_LOG("event type %llu on %s",
		       (unsigned long long)ev.val[DMACTL_A_EVENT_TYPE], ev.dev);
	}
	dmactl_nl_close(mon);
}

/* A failed step: map says where, claims no path or address. */
TEST_F(cli, map_failure_claims_no_mapping)
{
	json_object *o = tool_json_failed(_metadata, "map 0000:00:00.0");

	EXPECT_STREQ("none", field(o, "path"));
	EXPECT_EQ(NULL, field(o, "dma_addr"));
	json_object_put(o);
}

/* --json prints JSON on failure too. */
TEST_F(cli, stats_json_on_failure)
{
	json_object *o = tool_json_failed(_metadata, "stats 0000:ff:1f.7");

	EXPECT_STREQ("ENODEV", field(o, "errno"));
	json_object_put(o);
}

DMACTL_TEST_MAIN
