/*
 * main.c - the casebrief command line: a thin shell over the library.
 * It turns arguments into cb_analyze options (the options table is in
 * options.c), and the result into files, lines and an exit status.
 *
 *   casebrief [analyze] INPUT... [-o DIR] [--format json]
 *   casebrief timeline INPUT... [--format jsonl|csv|text]
 *   casebrief formats
 *   casebrief rules list | check [DIR] | coverage [DIR]   (rules.c)
 *   casebrief batch ...                     (batch.c)
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "casebrief/casebrief.h"
#include "cli.h"
#include "registry.h"

static const char *prog = "casebrief";

static void usage_short(void)
{
    fprintf(stderr, "Try '%s --help' for more information.\n", prog);
}

static void help(void)
{
    printf(
"casebrief %s - offline analyzer for Windows support bundles\n"
"\n"
"Usage:\n"
"  casebrief [analyze] INPUT... [-o DIR] [--format json]\n"
"  casebrief timeline INPUT... [--format jsonl|csv|text]\n"
"  casebrief formats\n"
"  casebrief rules list | check [DIR] | coverage [DIR]\n"
"  casebrief batch CASE... -o OUT [-j N]    (see 'casebrief batch --help')\n"
"  casebrief batch --merge OUTDIR... -o OUT\n"
"\n"
"INPUT is a file, a directory or an archive (zip, 7z, tar with gz/xz/zst/\n"
"bz2, cab, rar), nested archives included. Members are read in memory and\n"
"never extracted; every file is named by its nested path, for example\n"
"  case.zip!logs/NODE1.zip!NODE1_cluster.log\n"
"A FIFO named as INPUT is read as a stream: casebrief waits for its\n"
"writer. Links, FIFOs and devices inside a directory are skipped.\n"
"\n"
"Commands:\n"
"  analyze     read everything, build the merged timeline, correlate it\n"
"              with the knowledge base and write report.html, report.md\n"
"              and report.json into DIR (default: ./<first input's\n"
"              name>.casebrief/); prints the HTML report's path.\n"
"              A bare 'casebrief INPUT...' means the same.\n"
"  timeline    print the merged, de-duplicated timeline (UTC) to stdout.\n"
"              jsonl imports into Timesketch as is.\n"
"  formats     list the input formats casebrief reads.\n"
"  batch       analyze many cases, each in its own process, into\n"
"              OUT/<case>/ and an index (OUT/index.html, summary.json,\n"
"              findings.jsonl); --merge joins outputs of several machines.\n"
"  rules       'list' the knowledge base (id, pattern, severity, title);\n"
"              'check [DIR] [--tests TESTS]' validates rule files (errors\n"
"              as file:line) and requires each rule to have a positive and\n"
"              a near-miss case in TESTS (default DIR/../tests/rules);\n"
"              'coverage [DIR]' runs those cases and lists, per rule, the\n"
"              input shapes and languages they and TESTS/wordings.tsv test.\n"
"\n"
"Options (each taken only by the commands it names, if it names any):\n",
        CASEBRIEF_VERSION);
    cli_help_options(stdout, CMD_ANALYZE | CMD_TIMELINE | CMD_RULES,
                     GROUP_OPTIONS);
    printf(
"\n"
"Limits (analyze and timeline; a member that trips one is skipped or cut\n"
"with a warning naming it; the rest of the bundle is still analyzed).\n"
"Sizes take K, M, G, T:\n");
    cli_help_options(stdout, CMD_ANALYZE, GROUP_LIMITS);
    printf(
"\n"
"Exit status:\n"
"  0  analysis done, no findings\n"
"  1  analysis done, findings\n"
"     (a damaged upload is still analyzed, 0 or 1: the reports say so\n"
"     first, report.json summary.complete is false)\n"
"  2  usage error (bad option, broken rule file)\n"
"  3  no readable input: nothing could be opened or recognised, or no\n"
"     recognised file yielded an event (each file's reason last on\n"
"     stderr; the reports say \"nothing readable\")\n"
"  4  internal or output failure: out of memory, or DIR or a report\n"
"     (the timeline on stdout) could not be created or written; wins\n"
"     over 0, 1 and 3\n"
"\n"
"Environment: CASEBRIEF_RULES names the shipped knowledge base's\n"
"directory (default: ../share/casebrief/rules next to the executable).\n"
"\n"
"Examples:\n"
"  casebrief TSSv2_NODE1_241115-101530_.zip\n"
"  casebrief timeline --format csv case.zip > timeline.csv\n"
"  casebrief timeline --host HV-NODE1 --window 2024-11-15T01:50,\\\n"
"      2024-11-15T02:10 case.zip > incident.jsonl   (Timesketch import)\n"
"  casebrief analyze -o out/ NODE1_cluster.log NODE2_cluster.log\n");
}

/* The options of one getopt pass; -1 on a usage error (message printed),
 * exits on --help and --version. */
static int parse_options(unsigned cmd, int argc, char **argv,
                         struct options *opt)
{
    struct cli_getopt g;
    cli_getopt_build(&g, cmd, 0, "+");
    int c;
    while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
        if (c == 'h') {
            help();
            exit(EXIT_NOTHING_FOUND);
        }
        if (c == 'V') {
            printf("casebrief %s\n", CASEBRIEF_VERSION);
            exit(EXIT_NOTHING_FOUND);
        }
        if (c == '?' || cli_option_apply(prog, opt, c, optarg) != 0)
            return -1;
    }
    return 0;
}

/* Options may come before or after the inputs: GNU getopt permutes
 * non-options to the end, so parse, take one input, parse the rest.
 * The arguments start at argv[first]; args (argc + 1 slots) is scratch;
 * the inputs go to inputs. */
static int split_args(unsigned cmd, int argc, char **argv, int first,
                      char **args, char **inputs, int *ninputs,
                      struct options *opt)
{
    int nargs = 0;
    args[nargs++] = argv[0];
    for (int i = first; i < argc; i++)
        args[nargs++] = argv[i];
    *ninputs = 0;
    optind = 0;
    while (1) {
        if (parse_options(cmd, nargs, args, opt) != 0)
            return -1;
        if (optind >= nargs)
            return 0;
        if (strcmp(args[optind - 1], "--") == 0) {
            while (optind < nargs)
                inputs[(*ninputs)++] = args[optind++];
            return 0;
        }
        inputs[(*ninputs)++] = args[optind++];
        /* continue option parsing after this input */
        int rest = nargs - optind;
        memmove(args + 1, args + optind, (size_t)rest * sizeof *args);
        nargs = rest + 1;
        optind = 0; /* glibc: full re-initialisation of getopt */
    }
}

/* With CASEBRIEF_PHASES set in the environment, each phase's wall time
 * on stderr (for profiling a bundle; not part of the interface). */
static void phase(void *ctx, const char *name)
{
    (void)ctx;
    static int on = -1;
    static uint64_t last;
    if (on < 0) {
        on = getenv("CASEBRIEF_PHASES") != NULL;
        last = cb_monotonic_ns();
    }
    if (!on || !name)
        return;
    uint64_t now = cb_monotonic_ns();
    double s = (double)(now - last) / 1e9;
    fprintf(stderr, "%s: phase %-10s %8.3f s\n", prog, name, s);
    last = now;
}

static void input_failed(void *ctx, const char *name,
                         const struct cb_error *err)
{
    (void)ctx;
    (void)name; /* cb_error_format names it */
    char msg[1200];
    cb_error_format(err, msg, sizeof msg);
    cli_say("%s: %s", prog, msg);
}

/*
 * cb_analyze over the inputs with the command line's options. 0, or the
 * exit status of a failure (message printed). res is to be finished by
 * cb_analyze_result_fini in every case.
 */
static int run_analysis(char **inputs, int n, const struct options *opt,
                        int timeline_only, struct cb_analyze_result *res)
{
    memset(res, 0, sizeof *res);
    struct cb_analyze_input *in = calloc((size_t)n + 1, sizeof *in);
    if (!in) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_INTERNAL;
    }
    for (int i = 0; i < n; i++)
        in[i].name = inputs[i];
    const char *dirs[2];
    struct cb_analyze_opts o = {
        .inputs = in, .ninputs = (size_t)n, .forced = opt->forced,
        .limits = &opt->limits, .rules_dirs = dirs,
        .timeline_only = timeline_only, .keep_all = opt->keep_all,
        .jobs = opt->jobs, .date_order = opt->date_order, .tz = opt->tz,
        .ntz = opt->ntz, .progress = !opt->quiet && cb_stderr_is_terminal(),
        .scope = &opt->scope, .input_failed = input_failed, .phase = phase};
    o.parsers = cb_parsers(&o.nparsers);
    if (!timeline_only)
        o.nrules_dirs = rules_dirs(prog, opt, dirs);
    phase(NULL, NULL);
    struct cb_error err = {0};
    enum cb_status st = cb_analyze(&o, res, &err);
    free(in);
    if (st == CB_OK)
        return 0;
    if (st == CB_E_CORRUPT) { /* a broken rule file */
        print_rule_errors(res->rule_errors);
        return EXIT_USAGE;
    }
    cli_say("%s: %s", prog, err.msg);
    return st == CB_E_IO ? EXIT_USAGE : EXIT_INTERNAL;
}

/* EXIT_NO_INPUT when nothing was read: no input opened, no file
 * recognised, or no recognised file yielded an event (or a configuration
 * table); else ok. */
static int readable(const struct cb_analyze_result *res, int ok)
{
    if (res->inputs_opened == 0 || res->sources_parsed == 0 ||
        cb_analysis_read_sources(res->an) == 0)
        return EXIT_NO_INPUT;
    return ok;
}

/* Why nothing was read, last on stderr (batch takes the last line as the
 * case's reason): each recognised file's own reason, at most five. */
static void say_unreadable(const struct cb_analyze_result *res)
{
    const struct cb_analysis *an = res->an;
    if (res->sources_parsed == 0) {
        fprintf(stderr, "%s: no event source recognised in the input\n",
                prog);
        return;
    }
    size_t shown = 0;
    for (size_t i = 0; i < an->nsources && shown < 5; i++) {
        const struct cb_source *s = an->sources[i];
        const char *f = s->format;
        if (!strcmp(f, "unknown") || !strcmp(f, "skipped") ||
            !strcmp(f, "ambiguous"))
            continue;
        shown++;
        cli_say("%s: nothing readable: %s (%s): %s", prog, s->path, f,
                s->warnings ? s->warnings->msg : "holds no event");
    }
    if (res->sources_parsed > shown)
        fprintf(stderr,
                "%s: nothing readable: none of the %zu recognised files "
                "yielded an event\n",
                prog, res->sources_parsed);
}

static void print_warnings(const struct cb_analysis *an)
{
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        cli_say("%s: warning: %s: %s", prog, w->source ? w->source : "",
                w->msg);
}

static int timeline_format(const char *name, enum cb_timeline_format *fmt)
{
    static const struct {
        const char *name;
        enum cb_timeline_format fmt;
    } formats[] = {
        {"jsonl", CB_TL_JSONL}, {"csv", CB_TL_CSV}, {"text", CB_TL_TEXT}};
    *fmt = CB_TL_JSONL;
    for (size_t i = 0; name && i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(name, formats[i].name) == 0) {
            *fmt = formats[i].fmt;
            return 0;
        }
    if (!name)
        return 0;
    fprintf(stderr, "%s: timeline format is jsonl, csv or text, not '%s'\n",
            prog, name);
    return -1;
}

static int cmd_timeline(int argc, char **argv, const struct options *opt)
{
    enum cb_timeline_format fmt;
    if (timeline_format(opt->format, &fmt) != 0)
        return EXIT_USAGE;
    if (argc < 1) {
        fprintf(stderr, "%s timeline: no INPUT given\n", prog);
        usage_short();
        return EXIT_USAGE;
    }
    struct cb_analyze_result res;
    int rc = run_analysis(argv, argc, opt, 1, &res);
    if (rc == 0) {
        rc = readable(&res, EXIT_NOTHING_FOUND);
        if (cb_timeline_write_jobs(stdout, &res.timeline, fmt, opt->jobs) !=
            CB_OK) {
            fprintf(stderr, "%s: writing the timeline failed: %s\n", prog,
                    strerror(errno));
            rc = EXIT_INTERNAL;
        }
        phase(NULL, "write");
        if (!opt->quiet)
            print_warnings(res.an);
        if (rc == EXIT_NO_INPUT && !opt->quiet)
            say_unreadable(&res);
    }
    cb_analyze_result_fini(&res);
    return rc;
}

/* The case's name for report headers: the first input's base name. */
static const char *case_name(const char *input)
{
    static char name[256];
    snprintf(name, sizeof name, "%s", input);
    size_t n = strlen(name);
    while (n > 1 && name[n - 1] == '/')
        name[--n] = '\0';
    const char *b = strrchr(name, '/');
    return b ? b + 1 : name;
}

static void default_outdir(const char *input, char *out, size_t size)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", input);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    const char *base = strrchr(tmp, '/');
    base = base ? base + 1 : tmp;
    char name[PATH_MAX];
    snprintf(name, sizeof name, "%s", base);
    struct cb_stat sb;
    char *dot = strrchr(name, '.');
    if (dot && dot != name && cb_stat(input, &sb) == 0 &&
        sb.kind != CB_KIND_DIR)
        *dot = '\0';
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        snprintf(name, sizeof name, "bundle");
    if ((size_t)snprintf(out, size, "%.200s.casebrief", name) >= size)
        snprintf(out, size, "bundle.casebrief");
}

/* ---- report dispatch: the one place that names the renderers ---------- */


/* Report formats chosen by --format: want[i] for renderer i of
 * cb_renderers(); every one without --format. */
#define MAX_RENDERERS 16

/* --format LIST into want[]; -1 (message printed) on an unknown name. */
static int report_formats(const char *list, int want[MAX_RENDERERS])
{
    size_t n;
    const struct cb_renderer *const *r = cb_renderers(&n);
    for (size_t k = 0; k < MAX_RENDERERS; k++)
        want[k] = !list && k < n;
    if (!list)
        return 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        const struct cb_renderer *f = cb_renderer_find(tok);
        size_t k = 0;
        while (f && k < n && r[k] != f)
            k++;
        if (!f || k >= MAX_RENDERERS) {
            fprintf(stderr, "%s: report formats are ", prog);
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s%s", i ? (i + 1 < n ? ", " : " and ") : "",
                        r[i]->name);
            fprintf(stderr, ", not '%s'\n", tok);
            return -1;
        }
        want[k] = 1;
    }
    return 0;
}

/* Each wanted report into outdir/<its file>, in table order; the last one
 * written (the one a person opens: html when wanted) into path. 0, or -1
 * when one could not be written (message printed; the others are still
 * tried). */
static int write_reports(const char *outdir, const int want[MAX_RENDERERS],
                         const struct cb_report_input *in, char *path,
                         size_t size)
{
    size_t n;
    const struct cb_renderer *const *r = cb_renderers(&n);
    int rc = 0;
    path[0] = '\0';
    for (size_t k = 0; k < n && k < MAX_RENDERERS; k++) {
        if (!want[k])
            continue;
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/%s", outdir, r[k]->file);
        FILE *f = cli_create(p);
        enum cb_status st = f ? r[k]->write(f, in) : CB_E_IO;
        if (f && fclose(f) != 0 && st == CB_OK)
            st = CB_E_IO;
        if (st != CB_OK) {
            cli_say("%s: cannot write %s: %s", prog, p,
                    st == CB_E_NOMEM ? "out of memory"
                                     : cli_create_error(errno));
            rc = -1;
        } else {
            snprintf(path, size, "%s", p); /* the last one written */
        }
        phase(NULL, r[k]->name);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */

static void print_summary(const struct cb_analyze_result *res, int rc)
{
    const struct cb_analysis *an = res->an;
    size_t nsw = 0;
    for (size_t i = 0; i < an->nsources; i++)
        nsw += an->sources[i]->nwarnings;
    fprintf(stderr,
            "%s: %zu files (%zu parsed), %zu events, %llu duplicates, "
            "%zu bundle warnings, %zu file warnings, %zu findings\n",
            prog, an->nsources, res->sources_parsed, res->timeline.count,
            (unsigned long long)res->timeline.duplicates, an->nwarnings, nsw,
            res->findings.count);
    for (size_t i = 0; i < res->findings.count && i < 10; i++)
        cli_say("  [%s] %s",
                cb_severity_name(res->findings.items[i].severity),
                res->findings.items[i].summary);
    if (rc == EXIT_NO_INPUT)
        say_unreadable(res);
}

/* The analysis done: the reports into outdir, the summary, the path. */
static int report(const char *first_input, const char *outdir,
                  const int want[MAX_RENDERERS], const struct options *opt,
                  const struct cb_analyze_result *res)
{
    int rc = readable(res, res->findings.count ? EXIT_FINDINGS
                                               : EXIT_NOTHING_FOUND);
    if (cb_mkdir(outdir) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", prog, outdir,
                strerror(errno));
        return EXIT_INTERNAL;
    }
    char rules_version[64];
    snprintf(rules_version, sizeof rules_version, "%zu rules",
             cb_rules_count(res->rules));
    struct cb_report_input rin = {
        .case_name = case_name(first_input), .an = res->an,
        .tl = &res->timeline, .findings = &res->findings, .gaps = &res->gaps,
        .rules_version = rules_version};
    char path[PATH_MAX + 32];
    if (write_reports(outdir, want, &rin, path, sizeof path) != 0)
        rc = EXIT_INTERNAL;
    if (!opt->quiet)
        print_summary(res, rc);
    if (path[0])
        printf("%s\n", path);
    return rc;
}

static int cmd_analyze(int argc, char **argv, const struct options *opt)
{
    if (argc < 1) {
        fprintf(stderr, "%s: no INPUT given\n", prog);
        usage_short();
        return EXIT_USAGE;
    }
    int want[MAX_RENDERERS];
    if (report_formats(opt->format, want) != 0)
        return EXIT_USAGE;
    char outdir[PATH_MAX];
    if (opt->outdir)
        snprintf(outdir, sizeof outdir, "%s", opt->outdir);
    else
        default_outdir(argv[0], outdir, sizeof outdir);
    struct cb_analyze_result res;
    int rc = run_analysis(argv, argc, opt, 0, &res);
    if (rc == 0)
        rc = report(argv[0], outdir, want, opt, &res);
    cb_analyze_result_fini(&res);
    return rc;
}

static int cmd_formats(void)
{
    size_t n;
    const struct cb_parser_ops *const *p = cb_parsers(&n);
    for (size_t i = 0; i < n; i++)
        printf("%-12s %s\n", p[i]->name, p[i]->description);
    return 0;
}

static const struct {
    const char *name;
    unsigned cmd;
} commands[] = {{"analyze", CMD_ANALYZE},
                {"timeline", CMD_TIMELINE},
                {"formats", CMD_FORMATS},
                {"rules", CMD_RULES}};

int main(int argc, char **argv)
{
    cb_platform_init(&argc, &argv);
    if (argc < 2) {
        fprintf(stderr, "%s: no INPUT given\n", prog);
        usage_short();
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "batch") == 0)
        return cmd_batch(argc - 1, argv + 1);
    unsigned cmd = CMD_ANALYZE; /* a bare 'casebrief INPUT...' */
    int shift = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            cmd = commands[i].cmd;
            shift = 1;
        }
    struct options opt;
    cli_options_init(&opt);
    char **args = calloc((size_t)argc + 1, sizeof *args);
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int ninputs, rc;
    if (!args || !inputs) {
        fprintf(stderr, "%s: out of memory\n", prog);
        rc = EXIT_INTERNAL;
    } else if (split_args(cmd, argc, argv, 1 + shift, args, inputs,
                          &ninputs, &opt) != 0) {
        usage_short();
        rc = EXIT_USAGE;
    } else if (cmd == CMD_FORMATS) {
        rc = cmd_formats();
    } else if (cmd == CMD_RULES) {
        rc = cmd_rules(ninputs, inputs, &opt);
    } else if (cmd == CMD_TIMELINE) {
        rc = cmd_timeline(ninputs, inputs, &opt);
    } else {
        rc = cmd_analyze(ninputs, inputs, &opt);
    }
    free(args);
    free(inputs);
    return rc;
}
