// SPDX-License-Identifier: GPL-2.0
/* dmactl run: execute a scenario file, line by line, in one process. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "scenario.h"
#include "util.h"

/*
 * Run @in's lines until one fails; count the steps that passed in *steps
 * and keep the last line's result in @res.  Returns an exit status.
 */
static int run_lines(struct scenario *s, FILE *in, int *steps,
		     struct scenario_result *res)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	*steps = 0;
	while (getline(&line, &cap, in) > 0) {
		s->lineno++;
		ret = scenario_line(s, line, res);
		if (ret)
			break;
		if (line[strspn(line, " \t\r\n")] && line[strspn(line, " \t")] != '#')
			(*steps)++;
	}
	free(line);
	if (ret == SCENARIO_PARSE_ERROR)
		return EXIT_USAGE;
	if (ret)
		return res->unsupported ? EXIT_UNSUPPORTED : EXIT_FAIL;
	return EXIT_OK;
}

static void run_json(const struct scenario *s, int status, int steps,
		     const struct scenario_result *res)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(s->file));
	json_object_object_add(o, "steps_ok", json_object_new_int(steps));
	json_object_object_add(o, "result", json_object_new_string(
		status == EXIT_OK ? "pass" : status == EXIT_UNSUPPORTED ?
		"skip" : "fail"));
	if (status != EXIT_OK) {
		json_object_object_add(o, "line", json_object_new_int(s->lineno));
		json_object_object_add(o, "errno", res->err ?
			json_object_new_string(errno_name(res->err)) : NULL);
	}
	json_print(o, JSON_C_TO_STRING_PRETTY);
}

static int run_run(int argc, char **argv)
{
	struct scenario_result res = { 0 };
	struct scenario s;
	int status, steps;
	bool json;
	FILE *in;

	status = parse_json_help(&cmd_run, argc, argv, &json);
	if (status >= 0)
		return status;
	if (optind != argc - 1)
		return usage_error(&cmd_run, "expected one scenario file, or -");
	in = strcmp(argv[optind], "-") ? fopen(argv[optind], "r") : stdin;
	if (!in) {
		perror(argv[optind]);
		return EXIT_FAIL;
	}
	scenario_init(&s, in != stdin ? argv[optind] : "<stdin>");
	s.quiet = json;
	status = run_lines(&s, in, &steps, &res);
	if (in != stdin)
		fclose(in);
	if (json)
		run_json(&s, status, steps, &res);
	else if (status == EXIT_OK)
		printf("%s: %d steps ok\n", s.file, steps);
	scenario_fini(&s);
	return status;
}

static const char run_help_head[] =
"NAME\n"
"    dmactl run - run a scenario of DMA-mapping steps\n"
"\n"
"SYNOPSIS\n"
"    dmactl run FILE|- [--json]\n"
"\n"
"DESCRIPTION\n"
"    Executes FILE one line at a time in one process, so named objects\n"
"    live across lines, and stops at the first failing line, which it\n"
"    names with its number.  The language, dmactl-scenario(5):\n"
"\n";

static const char run_help_tail[] =
"\n"
"OPTIONS\n"
"    --json    print one JSON object with the result instead\n"
"\n"
"EXIT STATUS\n"
"    0 every step passed, 1 a step failed, 2 a line does not parse,\n"
"    4 the module or the device is missing.\n";

/* The help: the language's rules and grammar come from the scenario engine. */
static void run_help(FILE *out)
{
	fputs(run_help_head, out);
	fputs(scenario_help_rules, out);
	fputs("\n", out);
	scenario_help(out);
	fputs("\n", out);
	fputs(scenario_help_notes, out);
	fputs(run_help_tail, out);
}

const struct dmactl_cmd cmd_run = {
	.name = "run",
	.summary = "run a scenario file of steps (- for standard input)",
	.help = run_help_head,
	.show_help = run_help,
	.run = run_run,
};
