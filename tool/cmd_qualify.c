// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl qualify: a vendor's qualification run in one command.  Checks
 * what the machine must have, takes the devices under test (recording
 * their driver and allow-list state), runs per device the installed
 * kselftests through the kernel's runner, a short benchmark and the P2P
 * verdict of every pair, gives every device back as it was -- also after
 * Ctrl-C or a failing step -- and writes report.json (its schema:
 * doc/qualify-report.schema.json), report.md and junit.xml.
 *
 * The report is built as JSON while the run goes; report.md and
 * junit.xml are made from it, so the three cannot disagree.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "commands.h"
#include "device.h"
#include "dmactl_nl.h"
#include "pci.h"
#include "sysfs.h"
#include "util.h"

#define MAX_DEVS	16
#define NVME_CLASS	0x010802
#define DEFAULT_KSFT	"/usr/lib/dmactl/kselftest"

/**
 * struct qdev - a device under test
 * @bdf: its PCI address
 * @driver: the driver bound to it when the run began, "" if none
 * @allowed: it was on dmactl's allow list when the run began
 * @json: its part of the report: identity, checks, numbers
 * @checks: @json's "checks" array
 */
struct qdev {
	char bdf[32];
	char driver[64];
	bool allowed;
	json_object *json;
	json_object *checks;
};

/**
 * struct qualify - one run
 * @devs: the devices under test, @ndevs of them
 * @out: the directory the report goes to
 * @ksft: the installed kselftest collection (run_kselftest.sh there)
 * @tests: kselftest programs to run (-t dmactl:NAME each), NULL for all
 * @duration: seconds of fio stress (DMACTL_STRESS_SECONDS)
 * @bench_ios: I/Os per benchmark cell, 0 for no benchmark
 * @expect_domain: the IOMMU domain type every device must be in, or NULL
 * @report: the report; @prereq its prerequisites' checks, @p2p the pairs'
 * @t0: when the run began (CLOCK_MONOTONIC)
 * @step: steps done, of @nsteps
 */
struct qualify {
	struct qdev devs[MAX_DEVS];
	int ndevs;
	const char *out;
	const char *ksft;
	const char *tests;
	int duration;
	int bench_ios;
	const char *expect_domain;
	json_object *report, *prereq, *p2p;
	struct timespec t0;
	int step, nsteps;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Progress on stderr: which step, which device, elapsed, steps to go. */
static void progress(struct qualify *q, const char *dev, const char *what)
{
	int secs = (int)since(&q->t0);

	q->step++;
	fprintf(stderr, "qualify: [%d/%d, %d:%02d elapsed] %s%s%s\n", q->step,
		q->nsteps, secs / 60, secs % 60, dev ? dev : "", dev ? ": " : "",
		what);
}

/* Append a check to @arr: name, result (pass, fail, skip), reason, seconds. */
static json_object *add_check(json_object *arr, const char *name,
			      const char *result, double secs,
			      const char *fmt, ...)
{
	json_object *c = json_object_new_object();
	char reason[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "result", json_object_new_string(result));
	json_object_object_add(c, "reason", json_object_new_string(reason));
	json_object_object_add(c, "seconds", json_object_new_double(secs));
	json_object_array_add(arr, c);
	return c;
}

/*
 * Run @argv with @env added to the environment in @cwd (or here): its
 * stdout into @log (appended) and, if @out, into a malloc'ed string; its
 * stderr into @log only.  It runs in a process group of its own, so a
 * signal that stops the run reaches it from here, once.  Returns its exit
 * status, 128 + signal if killed, -errno.
 */
static int run_cmd(char *const argv[], char *const env[], const char *cwd,
		   const char *log, char **out)
{
	size_t len = 0, cap = 0;
	int pipefd[2], status, logfd, nullfd;
	bool forwarded = false;
	char buf[4096], *grown;
	ssize_t n;
	pid_t pid;

	if (out)
		*out = NULL;
	if (pipe(pipefd))
		return -errno;
	logfd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
	pid = fork();
	if (pid < 0) {
		status = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		if (logfd >= 0)
			close(logfd);
		return status;
	}
	if (!pid) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* Its own group, off the terminal: nothing of it reads a tty. */
		setpgid(0, 0);
		nullfd = open("/dev/null", O_RDONLY);
		if (nullfd >= 0)
			dup2(nullfd, 0);
		dup2(pipefd[1], 1);
		dup2(logfd >= 0 ? logfd : pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		for (; env && *env; env++)
			putenv(*env);
		if (cwd && chdir(cwd))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		if (interrupted && !forwarded) {
			kill(-pid, interrupted);
			forwarded = true;
		}
		n = read(pipefd[0], buf, sizeof(buf));
		if (!n)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* A log that cannot be written loses lines, not the run. */
		if (logfd >= 0 && write(logfd, buf, n) != n) {
			close(logfd);
			logfd = -1;
		}
		if (out && len + n + 1 > cap) {
			grown = realloc(*out, (len + n + 1) * 2);
			if (grown) {
				*out = grown;
				cap = (len + n + 1) * 2;
			}
		}
		if (out && len + n + 1 <= cap) {
			memcpy(*out + len, buf, n);
			len += n;
			(*out)[len] = '\0';
		}
	}
	close(pipefd[0]);
	if (logfd >= 0)
		close(logfd);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
		if (interrupted && !forwarded) {
			kill(-pid, interrupted);
			forwarded = true;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* This program, for running its own commands. */
static const char *self_exe(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n <= 0)
		return "dmactl";
	path[n] = '\0';
	return path;
}

/* The running kernel's configuration, as text (NULL if none is found). */
static char *kernel_config(char *where, size_t len)
{
	char *argv[] = { "zcat", "/proc/config.gz", NULL }, *text = NULL;
	char path[300];
	struct utsname u;
	FILE *f;
	long size;

	if (!access("/proc/config.gz", R_OK) && !run_cmd(argv, NULL, NULL, NULL, &text)) {
		snprintf(where, len, "/proc/config.gz");
		return text;
	}
	free(text);
	uname(&u);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, size + 1);
	if (text && fread(text, 1, size, f) != (size_t)size) {
		free(text);
		text = NULL;
	}
	fclose(f);
	snprintf(where, len, "%s", path);
	return text;
}

/*
 * The collection's config fragment against the running kernel's: each
 * CONFIG_X=y must be y there, each =m y or m.
 */
static void check_config(struct qualify *q)
{
	char frag[512], where[300], line[256], missing[1024] = "", want[256];
	char *config;
	FILE *f;

	snprintf(frag, sizeof(frag), "%s/dmactl/config", q->ksft);
	f = fopen(frag, "r");
	if (!f) {
		add_check(q->prereq, "kernel config has the collection's fragment", "skip",
			  0, "no %s", frag);
		return;
	}
	config = kernel_config(where, sizeof(where));
	if (!config) {
		fclose(f);
		add_check(q->prereq, "kernel config has the collection's fragment", "skip",
			  0, "neither /proc/config.gz nor /boot/config-RELEASE");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		if (strncmp(line, "CONFIG_", 7) || !eq)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(want, sizeof(want), "\n%.*s=y\n", (int)(eq - line), line);
		if (strstr(config, want))
			continue;
		if (eq[1] == 'm') {
			snprintf(want, sizeof(want), "\n%.*s=m\n", (int)(eq - line), line);
			if (strstr(config, want))
				continue;
		}
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
			 "%s%s", missing[0] ? ", " : "", line);
	}
	fclose(f);
	free(config);
	if (missing[0])
		add_check(q->prereq, "kernel config has the collection's fragment", "fail",
			  0, "%s lacks %s", where, missing);
	else
		add_check(q->prereq, "kernel config has the collection's fragment", "pass",
			  0, "%s", where);
}

/* The module is loaded and speaks this tool's ABI; 4 if it is not there. */
static int check_module(struct qualify *q)
{
	struct dmactl_get_version gv = { .size = sizeof(gv) };
	char version[64] = "";
	json_object *m;
	int fd;

	fd = open(DMACTL_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		add_check(q->prereq, "dmactl.ko loaded", "fail", 0,
			  "%s: %s: load dmactl.ko (modprobe dmactl)", DMACTL_DEVICE,
			  strerror(errno));
		return EXIT_UNSUPPORTED;
	}
	if (dmactl_ioctl(fd, DMACTL_GET_VERSION, &gv))
		gv.out_abi_version = 0;
	close(fd);
	if (sysfs_read("module/dmactl/version", version, sizeof(version)))
		snprintf(version, sizeof(version), "unknown");
	m = json_object_new_object();
	json_object_object_add(m, "version", json_object_new_string(version));
	json_object_object_add(m, "abi", json_object_new_int(gv.out_abi_version));
	json_object_object_add(q->report, "module", m);
	if (gv.out_abi_version != DMACTL_ABI_VERSION) {
		add_check(q->prereq, "dmactl.ko loaded, its ABI this tool's", "fail", 0,
			  "module %s speaks ABI %u, this tool %d", version,
			  gv.out_abi_version, DMACTL_ABI_VERSION);
		return EXIT_UNSUPPORTED;
	}
	add_check(q->prereq, "dmactl.ko loaded, its ABI this tool's", "pass", 0,
		  "version %s, ABI %u", version, gv.out_abi_version);
	return EXIT_OK;
}

/* The devices under test: named, or every NVMe and every device dmactl owns. */
static int pick_devices(struct qualify *q, char **named, int nnamed)
{
	struct pci_info *all;
	int n, i;

	for (i = 0; i < nnamed && q->ndevs < MAX_DEVS; i++) {
		char bdf[sizeof(q->devs[0].bdf)];
		int j;

		device_name(named[i], bdf, sizeof(bdf));
		for (j = 0; j < q->ndevs && strcmp(q->devs[j].bdf, bdf); j++)
			;
		if (j == q->ndevs)	/* named twice: once */
			memcpy(q->devs[q->ndevs++].bdf, bdf, sizeof(bdf));
	}
	if (nnamed)
		return 0;
	n = pci_list(&all);
	if (n < 0)
		return n;
	for (i = 0; i < n && q->ndevs < MAX_DEVS; i++)
		if (all[i].class == NVME_CLASS || !strcmp(all[i].driver, "dmactl"))
			snprintf(q->devs[q->ndevs++].bdf, sizeof(q->devs[0].bdf), "%s",
				 all[i].bdf);
	free(all);
	return 0;
}

/* Record how each device is bound and allowed; allow it for the run. */
static int take_devices(struct qualify *q, struct dmactl_nl *nl)
{
	struct dmactl_nl_dev d;
	struct pci_info info;
	int i, ret;

	for (i = 0; i < q->ndevs; i++) {
		struct qdev *qd = &q->devs[i];

		if (pci_read(qd->bdf, &info)) {
			add_check(q->prereq, "devices under test", "fail", 0,
				  "%s: no such PCI device", qd->bdf);
			return EXIT_UNSUPPORTED;
		}
		snprintf(qd->driver, sizeof(qd->driver), "%s", info.driver);
		qd->allowed = !dmactl_nl_dev_get(nl, qd->bdf, &d) && d.allowed;
		qd->json = json_object_new_object();
		qd->checks = json_object_new_array();
		json_object_object_add(qd->json, "dev", json_object_new_string(qd->bdf));
		json_object_object_add(qd->json, "vendor", json_object_new_int(info.vendor));
		json_object_object_add(qd->json, "device", json_object_new_int(info.device));
		json_object_object_add(qd->json, "class", json_object_new_int(info.class));
		json_object_object_add(qd->json, "driver", json_object_new_string(qd->driver));
		json_object_object_add(qd->json, "iommu_domain",
				       json_object_new_string(info.domain));
		json_object_object_add(qd->json, "checks", qd->checks);
		if (strcmp(qd->driver, "dmactl") && !qd->allowed) {
			ret = dmactl_nl_allow(nl, qd->bdf, true);
			if (ret)
				add_check(qd->checks, "allowed for the run", "fail", 0,
					  "dmactl allow: %s", strerror(-ret));
		}
	}
	return EXIT_OK;
}

/* Give each device back: its driver as it was, off the allow list if it was. */
static bool restore_devices(struct qualify *q, struct dmactl_nl *nl)
{
	struct dmactl_nl_dev d;
	struct pci_info info;
	char path[512];
	bool ok = true;
	int i;

	for (i = 0; i < q->ndevs; i++) {
		struct qdev *qd = &q->devs[i];

		if (!qd->json)
			continue;
		if (!pci_read(qd->bdf, &info) && strcmp(info.driver, qd->driver)) {
			if (info.driver[0]) {
				snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/unbind",
					 sysfs_root(), info.driver);
				sysfs_write(path, qd->bdf);
			}
			/* A driver_override left behind would refuse the bind. */
			snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override",
				 sysfs_root(), qd->bdf);
			sysfs_write(path, "\n");
			if (qd->driver[0]) {
				snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/bind",
					 sysfs_root(), qd->driver);
				sysfs_write(path, qd->bdf);
			}
		}
		if (strcmp(qd->driver, "dmactl") && !qd->allowed)
			dmactl_nl_allow(nl, qd->bdf, false);
		if (pci_read(qd->bdf, &info) || strcmp(info.driver, qd->driver) ||
		    (!dmactl_nl_dev_get(nl, qd->bdf, &d) && d.allowed != qd->allowed &&
		     strcmp(qd->driver, "dmactl"))) {
			add_check(qd->checks, "given back as it was", "fail", 0,
				  "driver %s (was %s)", info.driver[0] ? info.driver : "none",
				  qd->driver[0] ? qd->driver : "none");
			ok = false;
		} else {
			add_check(qd->checks, "given back as it was", "pass", 0,
				  "driver %s, %s", qd->driver[0] ? qd->driver : "none",
				  qd->allowed ? "allowed" : "not on the allow list");
		}
	}
	return ok;
}

/* Attach: what the DMA layer offers the device, and its domain. */
static void check_device(struct qualify *q, struct qdev *qd)
{
	struct dmactl_attach a;
	const char *domain;
	int fd;

	if (dmactl_open_attach("qualify", qd->bdf, &a, &fd)) {
		add_check(qd->checks, "attach", "fail", 0, "see the log");
		return;
	}
	close(fd);
	json_object_object_add(qd->json, "info", attach_json(qd->bdf, &a));
	/* What the kernel offers, once: the first device attached tells. */
	if (qd == &q->devs[0]) {
		add_check(q->prereq, "kernel has the two-step IOVA API",
			  a.out_flags & DMACTL_ATTACH_OUT_IOVA_API ? "pass" : "skip", 0,
			  a.out_flags & DMACTL_ATTACH_OUT_IOVA_API ? "dma_iova_try_alloc and the rest" :
			  "classic mode only: the kernel predates dma_iova_try_alloc (6.16)");
		add_check(q->prereq, "kernel has P2PDMA",
			  a.out_flags & DMACTL_ATTACH_OUT_P2PDMA ? "pass" : "skip", 0,
			  a.out_flags & DMACTL_ATTACH_OUT_P2PDMA ? "CONFIG_PCI_P2PDMA" :
			  "no CONFIG_PCI_P2PDMA: P2P checks skip");
	}
	domain = domain_name(a.out_domain);
	if (q->expect_domain && strcmp(domain, q->expect_domain))
		add_check(qd->checks, "IOMMU domain", "fail", 0, "%s, expected %s",
			  domain, q->expect_domain);
	else
		add_check(qd->checks, "IOMMU domain", "pass", 0, "%s", domain);
}

/*
 * The installed kselftests with the device in the environment, through the
 * kernel's runner: one check per program, its cases counted.
 */
static void run_kselftests(struct qualify *q, struct qdev *qd)
{
	char log[512], devenv[64], secs[64], path[4200], *out = NULL, *line, *save;
	char *argv[64] = { "sh", "./run_kselftest.sh" }, *tests, *t;
	char *env[] = { devenv, secs, path, NULL };
	int argc = 2, pass = 0, fail = 0, skip = 0, programs = 0;
	struct timespec t0;
	const char *dir;
	double took;

	snprintf(log, sizeof(log), "%s/%s.kselftest.log", q->out, qd->bdf);
	snprintf(devenv, sizeof(devenv), "DMACTL_SELFTESTS_DEV=%s", qd->bdf);
	snprintf(secs, sizeof(secs), "DMACTL_STRESS_SECONDS=%d", q->duration);
	/* The tests run "dmactl": this one. */
	dir = self_exe();
	snprintf(path, sizeof(path), "PATH=%.*s:%s",
		 (int)(strrchr(dir, '/') ? strrchr(dir, '/') - dir : 0), dir,
		 getenv("PATH") ?: "/usr/sbin:/usr/bin:/sbin:/bin");
	tests = q->tests ? strdup(q->tests) : NULL;
	for (t = tests ? strtok(tests, ",") : NULL; t && argc < 60; t = strtok(NULL, ",")) {
		argv[argc++] = "-t";
		argv[argc] = malloc(strlen(t) + 8);
		sprintf(argv[argc++], "dmactl:%s", t);
	}
	argv[argc] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_cmd(argv, env, q->ksft, log, &out);
	took = since(&t0);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (!strncmp(line, "# ok ", 5)) {
			strstr(line, "# SKIP") ? skip++ : pass++;
		} else if (!strncmp(line, "# not ok ", 9)) {
			fail++;
		} else if (sscanf(line, "ok %*d selftests: dmactl: %127s", name) == 1) {
			add_check(qd->checks, name, strstr(line, "# SKIP") ? "skip" : "pass",
				  0, "%d cases passed, %d skipped", pass, skip);
			pass = skip = fail = 0;
			programs++;
		} else if (sscanf(line, "not ok %*d selftests: dmactl: %127s", name) == 1) {
			add_check(qd->checks, name, "fail", 0,
				  "%d cases failed, %d passed, %d skipped (%s)", fail, pass,
				  skip, log);
			pass = skip = fail = 0;
			programs++;
		}
	}
	if (!programs)
		add_check(qd->checks, "kselftests", "fail", took,
			  "no result from %s/run_kselftest.sh (%s)", q->ksft, log);
	free(out);
	free(tests);
	for (argc = 3; argv[argc]; argc += 2)
		free(argv[argc]);
}

/* A short benchmark: every mode the domain allows, one page and 64. */
static void run_bench(struct qualify *q, struct qdev *qd)
{
	char ios[32], log[512], *out = NULL;
	char *argv[] = { (char *)self_exe(), "bench", qd->bdf, "--pages", "1,64",
			 "--ios", ios, "--no-progress", "--json", NULL };
	struct timespec t0;
	json_object *res;
	int rc;

	snprintf(ios, sizeof(ios), "%d", q->bench_ios);
	snprintf(log, sizeof(log), "%s/%s.bench.log", q->out, qd->bdf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = run_cmd(argv, NULL, NULL, log, &out);
	res = out ? json_tokener_parse(out) : NULL;
	if (res)
		json_object_object_add(qd->json, "bench", res);
	add_check(qd->checks, "bench", rc == 0 ? "pass" : rc == 4 ? "skip" : "fail",
		  since(&t0), rc == 0 ? "%d I/Os per cell, 1 and 64 pages" :
		  "exit %d (%s)", rc == 0 ? q->bench_ios : rc, log);
	free(out);
}

/* The kernel's P2P verdict for every ordered pair, mixed scatterlist checked. */
static void run_p2p(struct qualify *q)
{
	char log[512], name[160], *out = NULL;
	json_object *res, *v;
	struct timespec t0;
	int i, j, rc;

	snprintf(log, sizeof(log), "%s/p2p.log", q->out);
	for (i = 0; i < q->ndevs && !interrupted; i++)
		for (j = 0; j < q->ndevs && !interrupted; j++) {
			char *argv[] = { (char *)self_exe(), "p2p", q->devs[i].bdf,
					 q->devs[j].bdf, "--json", NULL };

			if (i == j)
				continue;
			snprintf(name, sizeof(name), "p2p %s -> %s", q->devs[i].bdf,
				 q->devs[j].bdf);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			rc = run_cmd(argv, NULL, NULL, log, &out);
			res = out ? json_tokener_parse(out) : NULL;
			add_check(q->p2p, name, rc == 0 ? "pass" : rc == 4 ? "skip" : "fail",
				  since(&t0), "%s",
				  res && json_object_object_get_ex(res, "map_type", &v) ?
				  json_object_get_string(v) : "no verdict");
			json_object_put(res);
			free(out);
			out = NULL;
		}
}

/* Count the results of every check in @arr into @counts. */
static void count_checks(json_object *arr, int counts[3])
{
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *r;
		const char *s;

		json_object_object_get_ex(json_object_array_get_idx(arr, i), "result", &r);
		s = json_object_get_string(r);
		counts[!strcmp(s, "pass") ? 0 : !strcmp(s, "fail") ? 1 : 2]++;
	}
}

static void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

static const char *field_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* One <testsuite> of junit.xml per group of checks. */
static void junit_suite(FILE *f, const char *name, json_object *arr)
{
	int counts[3] = { 0 };
	size_t i;

	count_checks(arr, counts);
	fputs("  <testsuite name=\"", f);
	xml_escape(f, name);
	fprintf(f, "\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\">\n",
		json_object_array_length(arr), counts[1], counts[2]);
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *c = json_object_array_get_idx(arr, i), *s;
		const char *res = field_of(c, "result");

		json_object_object_get_ex(c, "seconds", &s);
		fputs("    <testcase classname=\"dmactl.qualify.", f);
		xml_escape(f, name);
		fputs("\" name=\"", f);
		xml_escape(f, field_of(c, "name"));
		fprintf(f, "\" time=\"%.3f\"", json_object_get_double(s));
		if (!strcmp(res, "pass")) {
			fputs("/>\n", f);
			continue;
		}
		fprintf(f, ">\n      <%s message=\"", strcmp(res, "fail") ? "skipped" : "failure");
		xml_escape(f, field_of(c, "reason"));
		fputs("\"/>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n", f);
}

/* A table cell: '|' escaped, a line break a space. */
static void md_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputs(" ", f);
}

static void md_checks(FILE *f, json_object *arr)
{
	size_t i;

	fputs("| check | result | reason |\n|---|---|---|\n", f);
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *c = json_object_array_get_idx(arr, i);

		md_cell(f, field_of(c, "name"));
		md_cell(f, field_of(c, "result"));
		md_cell(f, field_of(c, "reason"));
		fputs("|\n", f);
	}
	fputs("\n", f);
}

/* The benchmark's numbers: mean map and unmap per mode and size, and its unit. */
static void md_bench(FILE *f, json_object *bench)
{
	json_object *results, *clock, *m, *u, *mean;
	size_t i;

	if (!json_object_object_get_ex(bench, "results", &results))
		return;
	json_object_object_get_ex(bench, "clock", &clock);
	fprintf(f, "Benchmark (%s):\n\n| mode | pages | I/Os per s | map mean | unmap mean | vs phys |\n"
		"|---|--:|--:|--:|--:|--:|\n", clock ? field_of(clock, "label") : "ns");
	for (i = 0; i < json_object_array_length(results); i++) {
		json_object *r = json_object_array_get_idx(results, i), *ratio;
		long long map = -1, unmap = -1;
		double vs = 0;

		if (json_object_object_get_ex(r, "map", &m) &&
		    json_object_object_get_ex(m, "mean_ns", &mean))
			map = json_object_get_int64(mean);
		if (json_object_object_get_ex(r, "unmap", &u) &&
		    json_object_object_get_ex(u, "mean_ns", &mean))
			unmap = json_object_get_int64(mean);
		if (json_object_object_get_ex(r, "ratio_to_phys", &ratio))
			vs = json_object_get_double(ratio);
		fprintf(f, "| %s | %s | %s | %lld | %lld | %.2f |\n", field_of(r, "mode"),
			field_of(r, "pages"), field_of(r, "ios_per_sec"), map, unmap, vs);
	}
	fputs("\n", f);
}

static FILE *out_file(struct qualify *q, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", q->out, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "dmactl qualify: %s: %s\n", path, strerror(errno));
	return f;
}

/* report.json, report.md and junit.xml, all from the report: all written? */
static bool write_reports(struct qualify *q)
{
	json_object *machine, *tool;
	bool ok = true;
	FILE *f;
	int i;

	f = out_file(q, "report.json");
	ok &= !!f;
	if (f) {
		fputs(json_object_to_json_string_ext(q->report, JSON_C_TO_STRING_PRETTY), f);
		fputs("\n", f);
		fclose(f);
	}
	json_object_object_get_ex(q->report, "machine", &machine);
	json_object_object_get_ex(q->report, "dmactl", &tool);
	f = out_file(q, "report.md");
	ok &= !!f;
	if (f) {
		fprintf(f, "# dmactl qualification: %s\n\n", field_of(q->report, "result"));
		fprintf(f, "- machine: %s, kernel %s (%s)\n", field_of(machine, "hostname"),
			field_of(machine, "kernel"), field_of(machine, "arch"));
		fprintf(f, "- dmactl %s\n- started %s, %s s\n\n", field_of(tool, "version"),
			field_of(q->report, "started"), field_of(q->report, "seconds"));
		fputs("## Prerequisites\n\n", f);
		md_checks(f, q->prereq);
		for (i = 0; i < q->ndevs; i++) {
			json_object *info;

			if (!q->devs[i].json)
				continue;
			fprintf(f, "## %s (%s, IOMMU domain %s)\n\n", q->devs[i].bdf,
				q->devs[i].driver[0] ? q->devs[i].driver : "no driver",
				field_of(q->devs[i].json, "iommu_domain"));
			if (json_object_object_get_ex(q->devs[i].json, "info", &info))
				fprintf(f, "IOVA API usable: %s; granule %s bytes; DMA mask %s bits\n\n",
					field_of(info, "iova_usable"), field_of(info, "granule"),
					field_of(info, "dma_mask_bits"));
			md_checks(f, q->devs[i].checks);
			if (json_object_object_get_ex(q->devs[i].json, "bench", &info))
				md_bench(f, info);
		}
		fputs("## P2P\n\n", f);
		md_checks(f, q->p2p);
		fclose(f);
	}
	f = out_file(q, "junit.xml");
	ok &= !!f;
	if (f) {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dmactl qualify\">\n", f);
		junit_suite(f, "prerequisites", q->prereq);
		for (i = 0; i < q->ndevs; i++)
			if (q->devs[i].json)
				junit_suite(f, q->devs[i].bdf, q->devs[i].checks);
		junit_suite(f, "p2p", q->p2p);
		fputs("</testsuites>\n", f);
		ok &= !fclose(f);
	}
	return ok;
}

static void iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);

	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

static int qualify_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "ksft", required_argument, NULL, 'k' },
		{ "tests", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'D' },
		{ "bench-ios", required_argument, NULL, 'b' },
		{ "expect-domain", required_argument, NULL, 'e' },
		OPT_HELP,
		{}
	};
	struct qualify q = { .out = "dmactl-qualify", .duration = 10, .bench_ios = 1000 };
	struct sigaction sa = { .sa_handler = on_signal };
	char *named[MAX_DEVS], when[32], path[4200];
	int nnamed = 0, c, i, status, counts[3] = { 0 };
	struct dmactl_nl *nl = NULL;
	json_object *machine, *tool, *devs;
	struct utsname u;
	char *end;
	long num;

	q.ksft = DEFAULT_KSFT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (nnamed == MAX_DEVS)
				return usage_error(&cmd_qualify, "at most %d devices", MAX_DEVS);
			named[nnamed++] = optarg;
			break;
		case 'o':
			q.out = optarg;
			break;
		case 'k':
			q.ksft = optarg;
			break;
		case 't':
			q.tests = optarg;
			break;
		case 'D':
		case 'b':
			errno = 0;
			num = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || num < 0 || num > 1000000)
				return usage_error(&cmd_qualify, "--%s takes 0..1000000",
						   c == 'D' ? "duration" : "bench-ios");
			*(c == 'D' ? &q.duration : &q.bench_ios) = (int)num;
			break;
		case 'e':
			q.expect_domain = optarg;
			break;
		default:
			status = opt_common(&cmd_qualify, c, NULL);
			if (status >= 0)
				return status;
		}
	}
	if (optind != argc)
		return usage_error(&cmd_qualify, "devices go with --dev");
	if (mkdir(q.out, 0755) && errno != EEXIST) {
		fprintf(stderr, "dmactl qualify: %s: %s\n", q.out, strerror(errno));
		return EXIT_UNSUPPORTED;
	}
	/* Every way a run is stopped still gives the devices back. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &q.t0);

	q.report = json_object_new_object();
	tool = json_object_new_object();
	json_object_object_add(tool, "version", json_object_new_string(DMACTL_VERSION));
	json_object_object_add(tool, "abi", json_object_new_int(DMACTL_ABI_VERSION));
	json_object_object_add(q.report, "dmactl", tool);
	uname(&u);
	machine = json_object_new_object();
	json_object_object_add(machine, "hostname", json_object_new_string(u.nodename));
	json_object_object_add(machine, "kernel", json_object_new_string(u.release));
	json_object_object_add(machine, "arch", json_object_new_string(u.machine));
	json_object_object_add(q.report, "machine", machine);
	iso_now(when, sizeof(when));
	json_object_object_add(q.report, "started", json_object_new_string(when));
	q.prereq = json_object_new_array();
	q.p2p = json_object_new_array();
	json_object_object_add(q.report, "prerequisites", q.prereq);
	devs = json_object_new_array();
	json_object_object_add(q.report, "devices", devs);
	json_object_object_add(q.report, "p2p", q.p2p);

	/* What the machine must have; without the module nothing can run. */
	status = check_module(&q);
	snprintf(path, sizeof(path), "%s/run_kselftest.sh", q.ksft);
	if (access(path, R_OK)) {
		add_check(q.prereq, "kselftest collection installed", "fail", 0,
			  "no %s: give --ksft DIR", path);
		q.ksft = NULL;
	} else {
		add_check(q.prereq, "kselftest collection installed", "pass", 0, "%s", q.ksft);
		check_config(&q);
	}
	if (!status && (dmactl_nl_open(&nl) || pick_devices(&q, named, nnamed) ||
			!q.ndevs)) {
		add_check(q.prereq, "devices under test", "fail", 0,
			  "none: name them with --dev BDF");
		status = EXIT_UNSUPPORTED;
	}
	if (!status)
		status = take_devices(&q, nl);
	for (i = 0; i < q.ndevs; i++)
		if (q.devs[i].json)
			json_object_array_add(devs, json_object_get(q.devs[i].json));

	if (!status) {
		q.nsteps = q.ndevs * (1 + !!q.ksft + !!q.bench_ios) + 1;
		for (i = 0; i < q.ndevs && !interrupted; i++) {
			struct qdev *qd = &q.devs[i];

			progress(&q, qd->bdf, "what the DMA layer offers");
			check_device(&q, qd);
			if (q.ksft && !interrupted) {
				progress(&q, qd->bdf, "kselftests");
				run_kselftests(&q, qd);
			}
			if (q.bench_ios && !interrupted) {
				progress(&q, qd->bdf, "benchmark");
				run_bench(&q, qd);
			}
		}
		if (!interrupted) {
			progress(&q, NULL, "P2P verdicts of every pair");
			run_p2p(&q);
		}
	}
	if (nl) {
		json_object_object_add(q.report, "bindings_restored",
				       json_object_new_boolean(restore_devices(&q, nl)));
		dmactl_nl_close(nl);
	}
	if (interrupted)
		add_check(q.prereq, "ran to the end", "fail", 0, "interrupted by signal %d",
			  (int)interrupted);

	count_checks(q.prereq, counts);
	count_checks(q.p2p, counts);
	for (i = 0; i < q.ndevs; i++)
		if (q.devs[i].json)
			count_checks(q.devs[i].checks, counts);
	json_object_object_add(q.report, "result", json_object_new_string(
		status == EXIT_UNSUPPORTED ? "cannot-run" : counts[1] ? "fail" : "pass"));
	json_object_object_add(q.report, "passed", json_object_new_int(counts[0]));
	json_object_object_add(q.report, "failed", json_object_new_int(counts[1]));
	json_object_object_add(q.report, "skipped", json_object_new_int(counts[2]));
	iso_now(when, sizeof(when));
	json_object_object_add(q.report, "finished", json_object_new_string(when));
	json_object_object_add(q.report, "seconds",
			       json_object_new_int((int)since(&q.t0)));
	if (!write_reports(&q) && !status)
		status = EXIT_FAIL;
	fprintf(stderr, "qualify: %s: %d passed, %d failed, %d skipped; %s/report.md\n",
		field_of(q.report, "result"), counts[0], counts[1], counts[2], q.out);
	json_object_put(q.report);
	for (i = 0; i < q.ndevs; i++)
		json_object_put(q.devs[i].json);
	if (status)
		return status;
	return counts[1] ? EXIT_FAIL : EXIT_OK;
}

const struct dmactl_cmd cmd_qualify = {
	.name = "qualify",
	.summary = "a qualification run: checks, kselftests, bench, P2P; a report",
	.help =
"NAME\n"
"    dmactl qualify - qualify a machine's devices, with a report to file\n"
"\n"
"SYNOPSIS\n"
"    dmactl qualify [--dev BDF]... [--out DIR] [--ksft DIR] [--tests T,...]\n"
"                   [--duration S] [--bench-ios N] [--expect-domain TYPE]\n"
"\n"
"DESCRIPTION\n"
"    Checks what the machine must have -- dmactl.ko loaded and speaking\n"
"    this tool's ABI, the installed kselftest collection, the running\n"
"    kernel's config against the collection's fragment -- and then, for\n"
"    each device under test (--dev, repeatable; by default every NVMe\n"
"    controller and every device bound to dmactl): what the DMA layer\n"
"    offers it (its IOMMU domain, which must be TYPE with\n"
"    --expect-domain), the installed kselftests through the kernel's\n"
"    run_kselftest.sh with the device in DMACTL_SELFTESTS_DEV (--tests:\n"
"    these programs only; fio stress for --duration seconds, default 10,\n"
"    on devices declared in DMACTL_EXPENDABLE), a benchmark of --bench-ios\n"
"    I/Os per cell (default 1000; 0 for none), and the P2P verdict of\n"
"    every pair of devices under test.\n"
"\n"
"    Devices neither bound to dmactl nor allowed are allowed for the run;\n"
"    each is given back as it was at the end -- its driver and its place\n"
"    on the allow list -- also after Ctrl-C or a failing step, which the\n"
"    report checks.  Progress goes to standard error.\n"
"\n"
"    DIR (default ./dmactl-qualify) receives report.json (its schema is\n"
"    doc/qualify-report.schema.json), report.md, junit.xml and the log\n"
"    of each step.  --ksft defaults to " DEFAULT_KSFT ".\n"
"\n"
"EXIT STATUS\n"
"    0 every check passed or skipped, 1 a check failed (or the run was\n"
"    interrupted), 2 usage error, 4 cannot run here (no module, no\n"
"    device).\n",
	.run = qualify_run,
};
