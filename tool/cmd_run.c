// SPDX-License-Identifier: GPL-2.0
/* dmactl run: execute a scenario file, line by line, in one process. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dmactl.h"
#include "scenario.h"
#include "util.h"

static int run_run(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	struct scenario s;
	bool json = false;
	int c, ret = 0, steps = 0, status = EXIT_OK;
	json_object *o;
	const char *file;
	FILE *in;

	c = parse_json_help(&cmd_run, argc, argv, &json);
	if (c >= 0)
		return c;
	if (optind != argc - 1)
		return usage_error(&cmd_run, "expected one scenario file, or -");
	file = argv[optind];
	in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!in) {
		perror(file);
		return EXIT_FAIL;
	}
	scenario_init(&s, strcmp(file, "-") ? file : "<stdin>");
	s.quiet = json;
	while (getline(&line, &cap, in) > 0) {
		s.lineno++;
		ret = scenario_line(&s, line);
		if (ret)
			break;
		if (line[strspn(line, " \t\r\n")] && line[strspn(line, " \t")] != '#')
			steps++;
	}
	free(line);
	if (in != stdin)
		fclose(in);

	if (ret == SCENARIO_PARSE_ERROR)
		status = EXIT_USAGE;
	else if (ret && s.unsupported)
		status = EXIT_UNSUPPORTED;
	else if (ret)
		status = EXIT_FAIL;
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "file", json_object_new_string(s.file));
		json_object_object_add(o, "steps_ok", json_object_new_int(steps));
		json_object_object_add(o, "result", json_object_new_string(
			status == EXIT_OK ? "pass" : status == EXIT_UNSUPPORTED ?
			"skip" : "fail"));
		if (status != EXIT_OK) {
			json_object_object_add(o, "line", json_object_new_int(s.lineno));
			json_object_object_add(o, "errno", s.last_errno ?
				json_object_new_string(errno_name(s.last_errno)) : NULL);
		}
		json_print(o, JSON_C_TO_STRING_PRETTY);
	} else if (status == EXIT_OK) {
		printf("%s: %d steps ok\n", s.file, steps);
	}
	scenario_fini(&s);
	return status;
}

const struct dmactl_cmd cmd_run = {
	.name = "run",
	.summary = "run a scenario file of steps (- for standard input)",
	.help =
"NAME\n"
"    dmactl run - run a scenario of DMA-mapping steps\n"
"\n"
"SYNOPSIS\n"
"    dmactl run FILE|- [--json]\n"
"\n"
"DESCRIPTION\n"
"    Executes FILE one line at a time in one process, so named objects\n"
"    live across lines, and stops at the first failing line, which it\n"
"    names with its number.  '#' starts a comment; $NAME is replaced by\n"
"    the environment variable.  Sizes take k, M and G suffixes.\n"
"\n"
"    attach DEV\n"
"    buf NAME kernel|user SIZE [order=N] [node=N] [thp]\n"
"    bfree NAME\n"
"    fill NAME [seed=N] [off=O] [len=L]\n"
"    checksum NAME [off=O] [len=L] [expect=CRC32C]\n"
"    alloc NAME SIZE [first=O] [fallback] [coherent] [path=iova|fallback]\n"
"    link IOVA BUF len=L dir=to|from|bidi [boff=O] [ioff=O] [each=E]\n"
"         [attrs=skip_cpu_sync,weak_ordering]\n"
"    sync IOVA [off=O] [len=L]\n"
"    verify IOVA [off=O] [len=L] [unmapped]\n"
"    unlink IOVA len=L dir=D [off=O] [each=E] [attrs=...]\n"
"    free IOVA\n"
"    destroy IOVA len=L dir=D [attrs=...]\n"
"    query IOVA [links=N] [path=iova|fallback]\n"
"    expect ERRNO STEP...    the step must fail with ERRNO, e.g. EEXIST\n"
"    echo TEXT...\n"
"\n"
"    each=E splits a link or unlink into pieces of E bytes (one link per\n"
"    page with each=4k).  verify fails on any page that translates\n"
"    wrongly; with 'unmapped' also on any page still mapped.\n"
"\n"
"OPTIONS\n"
"    --json    print one JSON object with the result instead\n"
"\n"
"EXIT STATUS\n"
"    0 every step passed, 1 a step failed, 2 a line does not parse,\n"
"    4 the module or the device is missing.\n",
	.run = run_run,
};
