/*
 * options.c - the command line's options, declared once: each row says
 * its names, argument, help text, which subcommands take it and whether
 * batch passes it to each case's analyze. getopt_long's arrays, the
 * option lines of --help and batch's pass-through are built from it, and
 * the values are parsed here for every subcommand (batch checks what it
 * passes through with the same code analyze will run).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "term.h"
#include "registry.h"

#define MAIN (CMD_ANALYZE | CMD_TIMELINE | CMD_RULES | CMD_FORMATS)
#define READS (CMD_ANALYZE | CMD_TIMELINE) /* the commands that parse */

const struct cli_option cli_options[] = {
    {"output", 'o', "DIR", CMD_ANALYZE, 0, GROUP_OPTIONS,
     "report directory (analyze)"},
    {"output", 'o', "OUT", CMD_BATCH, 0, GROUP_OPTIONS,
     "output directory (required)"},
    {"format", 'f', "LIST", READS, 0, GROUP_OPTIONS,
     "analyze: report formats, comma-separated, of\n"
     "html,md,json (default: all three); timeline:\n"
     "jsonl (default), csv or text"},
    {"window", OPT_WINDOW, "FROM..TO", READS, 0, GROUP_OPTIONS,
     "only events from FROM to TO, UTC, ISO 8601:\n"
     "2026-11-14T19:00Z..2026-11-14T23:00Z, or with a\n"
     "space, '2026-11-14 19:00..23:00' (TO on FROM's\n"
     "day); FROM.. and ..TO are open; a date-only TO\n"
     "runs to the end of that day. analyze: the rest\n"
     "is left out before correlation, and the report\n"
     "says how much"},
    {"host", OPT_HOST, "NAME", READS, 0, GROUP_OPTIONS,
     "only events of host NAME (a comma list, or\n"
     "repeated; NAME matches its FQDN too)"},
    {"input-format", 'F', "NAME", READS, 1, GROUP_OPTIONS,
     "parse every non-archive file as NAME (see\n"
     "'casebrief formats') instead of detecting it"},
    {"jobs", 'j', "N", READS, 0, GROUP_OPTIONS,
     "worker threads for parsing and for writing the\n"
     "timeline (default: the number of cores; 1:\n"
     "strictly single-threaded)"},
    {"jobs", 'j', "N", CMD_BATCH, 0, GROUP_OPTIONS,
     "cases analyzed in parallel (default: the number\n"
     "of cores); each gets cores/N parse threads"},
    {"date-order", OPT_DATE_ORDER, "ORDER", READS, 1, GROUP_OPTIONS,
     "numeric dates in text exports are dmy, mdy or\n"
     "ymd (default auto: decided from the data; a file\n"
     "that never decides is reported as assumed)"},
    {"tz", OPT_TZ, "[HOST=]OFFSET", READS, 1, GROUP_OPTIONS,
     "local time of HOST (of every host without HOST=)\n"
     "is UTC+OFFSET, e.g. --tz HV-NODE1=+01:00; beats\n"
     "what the bundle states (repeatable)"},
    {"quiet", 'q', NULL, MAIN | CMD_BATCH, 0, GROUP_OPTIONS,
     "no progress or summary on stderr"},
    {"rules", OPT_RULES, "DIR", CMD_ANALYZE | CMD_RULES, 1, GROUP_OPTIONS,
     "also load DIR/*.xml; a rule with the id of a\n"
     "shipped one replaces it"},
    {"no-default-rules", OPT_NO_DEFAULT_RULES, NULL, CMD_ANALYZE | CMD_RULES, 1,
     GROUP_OPTIONS, "only the rules of --rules"},
    {"keep-all", OPT_KEEP_ALL, NULL, CMD_ANALYZE, 1, GROUP_OPTIONS,
     "analyze: keep every cluster.log line for the\n"
     "report; by default routine lines (info and\n"
     "below, in no event channel, that no rule reads,\n"
     "more than 5 lines from one a rule takes) are\n"
     "counted, not kept ('timeline' lists all)"},
    {"tests", OPT_TESTS, "DIR", CMD_RULES, 0, GROUP_OPTIONS,
     "rules check, coverage: the rules' test cases\n"
     "(default DIR/../tests/rules)"},
    {"case-timeout", OPT_CASE_TIMEOUT, "SECS", CMD_BATCH, 0, GROUP_OPTIONS,
     "kill a case (its whole process group) after\n"
     "SECS seconds of wall time (default: none)"},
    {"case-memory", OPT_CASE_MEMORY, "BYTES", CMD_BATCH, 0, GROUP_OPTIONS,
     "address-space cap of each case's process\n"
     "(setrlimit RLIMIT_AS; K, M, G; default: none)"},
    {"cases-dir", OPT_CASES_DIR, "DIR", CMD_BATCH, 0, GROUP_OPTIONS,
     "every entry of DIR (archive or folder, hidden\n"
     "ones left out) is a case; repeatable"},
    {"force", OPT_FORCE, NULL, CMD_BATCH, 0, GROUP_OPTIONS,
     "redo cases whose outputs are up to date"},
    {"no-index", OPT_NO_INDEX, NULL, CMD_BATCH, 0, GROUP_OPTIONS,
     "only the case directories, no index (for one job\n"
     "of many writing into a shared OUT; then run\n"
     "'casebrief batch --merge OUT -o OUT')"},
    {"merge", OPT_MERGE, NULL, CMD_BATCH, 0, GROUP_OPTIONS,
     "the arguments are OUT directories written by\n"
     "earlier runs (other machines, array jobs): copy\n"
     "their cases into OUT and rebuild the index\n"
     "(OUT itself may be one of them: its index is\n"
     "then rebuilt in place)"},
    {"help", 'h', NULL, MAIN | CMD_BATCH, 0, GROUP_OPTIONS, "this text"},
    {"version", 'V', NULL, MAIN, 0, GROUP_OPTIONS, "version"},
    {"max-total", OPT_MAX_TOTAL, "BYTES", READS, 1, GROUP_LIMITS,
     "uncompressed bytes over the whole run"},
    {"max-members", OPT_MAX_MEMBERS, "N", READS, 1, GROUP_LIMITS,
     "files and archive members"},
    {"max-depth", OPT_MAX_DEPTH, "N", READS, 1, GROUP_LIMITS,
     "archives inside archives"},
    {"max-member-size", OPT_MAX_MEMBER_SIZE, "BYTES", READS, 1, GROUP_LIMITS,
     "one file or member, uncompressed"},
    {"max-ratio", OPT_MAX_RATIO, "N", READS, 1, GROUP_LIMITS,
     "uncompressed:compressed of one member"},
    {"max-memory", OPT_MAX_MEMORY, "BYTES", READS, 1, GROUP_LIMITS,
     "memory for kept events; past 3/4 of it, lines\n"
     "no rule reads are counted, not kept (the report\n"
     "says how many); past all of it, every line is,\n"
     "and the report names the rules affected; 0: none;\n"
     "default: a quarter of RAM"},
    {NULL, 0, NULL, 0, 0, GROUP_OPTIONS, NULL}};

const struct cli_option *cli_option_find(int id, unsigned cmd)
{
    for (const struct cli_option *o = cli_options; o->name; o++)
        if (o->id == id && (o->cmds & cmd))
            return o;
    return NULL;
}

const struct cli_option *cli_option_passed(int id)
{
    for (const struct cli_option *o = cli_options; o->name; o++)
        if (o->id == id && o->pass)
            return o;
    return NULL;
}

void cli_getopt_build(struct cli_getopt *g, unsigned cmd, int with_pass,
                      const char *prefix)
{
    size_t ns = (size_t)snprintf(g->shorts, sizeof g->shorts, "%s", prefix);
    size_t nl = 0;
    for (const struct cli_option *o = cli_options; o->name; o++) {
        if (!(o->cmds & cmd) && !(with_pass && o->pass))
            continue;
        /* the table outgrew the arrays: a bug, caught by any run */
        if (nl + 2 > sizeof g->longs / sizeof g->longs[0] ||
            ns + 3 > sizeof g->shorts)
            abort();
        g->longs[nl++] = (struct option){
            o->name, o->arg ? required_argument : no_argument, NULL, o->id};
        if (o->id < 256) {
            g->shorts[ns++] = (char)o->id;
            if (o->arg)
                g->shorts[ns++] = ':';
        }
    }
    g->shorts[ns] = '\0';
    g->longs[nl] = (struct option){0, 0, 0, 0};
}

/* "64G", "16M", "1000": a byte count as a person would write it. */
static void size_text(uint64_t v, char *buf, size_t size)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && v && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    if (u < 0)
        snprintf(buf, size, "%llu", (unsigned long long)v);
    else
        snprintf(buf, size, "%llu%c", (unsigned long long)v, units[u]);
}

/* --max-memory's default: a quarter of the machine's RAM, at least
 * 256 MiB; 4 GiB when the RAM cannot be read. */
uint64_t cli_default_memory(void)
{
    uint64_t phys = cb_physical_memory();
    if (!phys)
        return 4ULL << 30;
    uint64_t share = phys / CB_LIMIT_MEMORY_SHARE;
    share &= ~((64ULL << 20) - 1); /* whole 64 MiB, for --help */
    return share < (256ULL << 20) ? 256ULL << 20 : share;
}

/* The default of a limit, for --help; "" for other options. */
static void default_text(int id, char *buf, size_t size)
{
    struct cb_limits d;
    cb_limits_default(&d);
    buf[0] = '\0';
    switch (id) {
    case OPT_MAX_TOTAL:
        size_text(d.total_bytes, buf, size);
        break;
    case OPT_MAX_MEMBER_SIZE:
        size_text(d.member_bytes, buf, size);
        break;
    case OPT_MAX_MEMBERS:
        snprintf(buf, size, "%llu", (unsigned long long)d.members);
        break;
    case OPT_MAX_DEPTH:
        snprintf(buf, size, "%u", d.depth);
        break;
    case OPT_MAX_RATIO:
        snprintf(buf, size, "%u", d.ratio);
        break;
    case OPT_MAX_MEMORY:
        size_text(cli_default_memory(), buf, size);
        snprintf(buf + strlen(buf), size - strlen(buf), " here");
        break;
    default:
        break;
    }
}

void cli_help_options(FILE *out, unsigned cmd, enum cli_group group)
{
    /* limits are listed without a short-letter column */
    const int col = group == GROUP_LIMITS ? 27 : 26;
    for (const struct cli_option *o = cli_options; o->name; o++) {
        if (!(o->cmds & cmd) || o->group != group)
            continue;
        char spec[64], dflt[32];
        if (group == GROUP_LIMITS)
            snprintf(spec, sizeof spec, "  --%s", o->name);
        else if (o->id < 256)
            snprintf(spec, sizeof spec, "  -%c, --%s", o->id, o->name);
        else
            snprintf(spec, sizeof spec, "      --%s", o->name);
        if (o->arg)
            snprintf(spec + strlen(spec), sizeof spec - strlen(spec), " %s",
                     o->arg);
        int n = fprintf(out, "%s", spec);
        fprintf(out, "%*s", n < col ? col - n : 1, "");
        for (const char *p = o->help; *p; p++) {
            fputc(*p, out);
            if (*p == '\n')
                fprintf(out, "%*s", col, "");
        }
        default_text(o->id, dflt, sizeof dflt);
        fprintf(out, dflt[0] ? " (%s)\n" : "\n", dflt);
    }
}

void cli_help_pass(FILE *out, int indent)
{
    int col = indent;
    fprintf(out, "%*s", indent, "");
    const struct cli_option *last = NULL;
    for (const struct cli_option *o = cli_options; o->name; o++)
        if (o->pass)
            last = o;
    for (const struct cli_option *o = cli_options; o->name; o++) {
        if (!o->pass)
            continue;
        char word[64];
        if (o->id < 256)
            snprintf(word, sizeof word, "-%c/--%s%s", o->id, o->name,
                     o == last ? "" : ",");
        else
            snprintf(word, sizeof word, "--%s%s", o->name,
                     o == last ? "" : ",");
        int len = (int)strlen(word);
        if (col > indent && col + 1 + len > 78) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        }
        col += fprintf(out, "%s%s", col > indent ? " " : "", word);
    }
    fputc('\n', out);
}

int parse_jobs(const char *prog, const char *arg, unsigned *jobs)
{
    uint64_t v;
    if (parse_size(arg, &v) != 0 || v == 0 || v > 256) {
        fprintf(stderr, "%s: bad job count '%s' (1 to 256)\n", prog, arg);
        return -1;
    }
    *jobs = (unsigned)v;
    return 0;
}

int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    case 't':
    case 'T':
        shift = 40;
        end++;
        break;
    default:
        return -1;
    }
    if ((*end == 'b' || *end == 'B') && shift)
        end++;
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* "+01:00", "-0530", "+1", "UTC" into minutes east of UTC. */
static int parse_offset(const char *s, int32_t *east)
{
    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0) {
        *east = 0;
        return 0;
    }
    if (*s != '+' && *s != '-')
        return -1;
    int sign = *s++ == '-' ? -1 : 1;
    int h = 0, m = 0, nd = 0;
    while (*s >= '0' && *s <= '9' && nd < 2) {
        h = h * 10 + (*s++ - '0');
        nd++;
    }
    if (!nd)
        return -1;
    if (*s == ':')
        s++;
    if (*s) {
        if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') || s[2])
            return -1;
        m = (s[0] - '0') * 10 + (s[1] - '0');
    }
    if (h > 14 || m > 59)
        return -1;
    *east = sign * (h * 60 + m);
    return 0;
}

/* --tz [HOST=]OFFSET; once it parses, HOST is cut off at the '=' and
 * upper-cased in place (a bad one is left as given, for the message). */
static int parse_tz(char *arg, struct options *opt)
{
    if (opt->ntz == CB_LIMIT_TZ_OVERRIDES)
        return -1;
    struct cb_tz_override *t = &opt->tz[opt->ntz];
    char *eq = strchr(arg, '=');
    if (eq == arg || parse_offset(eq ? eq + 1 : arg, &t->east_min) != 0)
        return -1;
    t->host = NULL;
    if (eq) {
        *eq = '\0';
        for (char *c = arg; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        t->host = arg;
    }
    opt->ntz++;
    return 0;
}

void cli_options_init(struct options *opt)
{
    memset(opt, 0, sizeof *opt);
    cb_scope_init(&opt->scope);
    cb_limits_default(&opt->limits);
    opt->limits.memory_bytes = cli_default_memory();
    unsigned ncpu = cb_cpu_count();
    opt->jobs = ncpu <= 256 ? ncpu : 1;
}

static int apply_limit(const char *prog, struct options *opt, int id,
                       const char *arg)
{
    uint64_t v;
    if (id == OPT_MAX_MEMORY) { /* 0: no budget */
        if (parse_size(arg, &v) != 0 || (v && v < (16ULL << 20))) {
            fprintf(stderr, "%s: bad --max-memory '%s' (e.g. 256M, 4G; "
                            "at least 16M, or 0 for none)\n", prog, arg);
            return -1;
        }
        opt->limits.memory_bytes = v;
        return 0;
    }
    if (id == OPT_MAX_TOTAL || id == OPT_MAX_MEMBER_SIZE) {
        if (parse_size(arg, &v) != 0 || v == 0) {
            fprintf(stderr, "%s: bad size '%s' (e.g. 500M, 4G)\n", prog, arg);
            return -1;
        }
        if (id == OPT_MAX_TOTAL)
            opt->limits.total_bytes = v;
        else
            opt->limits.member_bytes = v;
        return 0;
    }
    if (parse_size(arg, &v) != 0 || v == 0 || v > UINT_MAX) {
        fprintf(stderr, "%s: bad number '%s'\n", prog, arg);
        return -1;
    }
    if (id == OPT_MAX_MEMBERS)
        opt->limits.members = v;
    else if (id == OPT_MAX_DEPTH)
        opt->limits.depth = (unsigned)v;
    else
        opt->limits.ratio = (unsigned)v;
    return 0;
}

static int apply_date_order(const char *prog, struct options *opt,
                            const char *arg)
{
    static const struct {
        const char *name;
        enum cb_date_order order;
    } orders[] = {{"dmy", CB_DATE_DMY},
                  {"mdy", CB_DATE_MDY},
                  {"ymd", CB_DATE_YMD},
                  {"auto", CB_DATE_AUTO}};
    for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++)
        if (strcmp(arg, orders[i].name) == 0) {
            opt->date_order = orders[i].order;
            return 0;
        }
    fprintf(stderr, "%s: bad date order '%s' (dmy, mdy, ymd or auto)\n", prog,
            arg);
    return -1;
}

int cli_option_apply(const char *prog, struct options *opt, int id, char *arg)
{
    switch (id) {
    case 'o':
        opt->outdir = arg;
        return 0;
    case 'f':
        opt->format = arg;
        return 0;
    case 'q':
        opt->quiet = 1;
        return 0;
    case OPT_RULES:
        opt->rules_dir = arg;
        return 0;
    case OPT_TESTS:
        opt->tests_dir = arg;
        return 0;
    case OPT_NO_DEFAULT_RULES:
        opt->no_rules = 1;
        return 0;
    case OPT_KEEP_ALL:
        opt->keep_all = 1;
        return 0;
    case 'F':
        opt->forced = cb_parser_find(arg);
        if (opt->forced)
            return 0;
        fprintf(stderr,
                "%s: unknown input format '%s' (see 'casebrief "
                "formats')\n",
                prog, arg);
        return -1;
    case OPT_WINDOW: {
        char why[256];
        if (cb_scope_parse_window(arg, &opt->scope.from, &opt->scope.to, why,
                                  sizeof why) == 0)
            return 0;
        cli_say("%s: bad --window: %s", prog, why);
        return -1;
    }
    case OPT_HOST: {
        char why[256];
        if (cb_scope_add_hosts(&opt->scope, arg, why, sizeof why) == 0)
            return 0;
        cli_say("%s: bad --host: %s", prog, why);
        return -1;
    }
    case 'j':
        return parse_jobs(prog, arg, &opt->jobs);
    case OPT_DATE_ORDER:
        return apply_date_order(prog, opt, arg);
    case OPT_TZ:
        if (parse_tz(arg, opt) == 0)
            return 0;
        fprintf(stderr,
                "%s: bad --tz '%s' (e.g. HV-NODE1=+01:00, -05:00 "
                "or UTC; at most %d)\n",
                prog, arg, CB_LIMIT_TZ_OVERRIDES);
        return -1;
    case OPT_MAX_TOTAL:
    case OPT_MAX_MEMBER_SIZE:
    case OPT_MAX_MEMBERS:
    case OPT_MAX_DEPTH:
    case OPT_MAX_RATIO:
    case OPT_MAX_MEMORY:
        return apply_limit(prog, opt, id, arg);
    default:
        return -1;
    }
}

/* A directory that exists. */
static int is_dir(const char *path)
{
    struct cb_stat sb;
    return cb_stat(path, &sb) == 0 && sb.kind == CB_KIND_DIR;
}

#ifndef CB_RULES_REL
#define CB_RULES_REL "../share/casebrief/rules"
#endif

/*
 * The shipped knowledge base: $CASEBRIEF_RULES; else CB_RULES_REL from
 * the executable's directory (../share/casebrief/rules: an installed
 * binary, wherever its prefix was moved, and never a source tree that
 * happens to still exist); else the source tree's rules/ baked in at
 * build time (a binary run from its build directory).
 */
const char *default_rules_dir(void)
{
    static char buf[PATH_MAX];
    const char *env = getenv("CASEBRIEF_RULES");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    if (cb_self_exe(exe, sizeof exe) == 0) {
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, sizeof buf, "%.3000s/%s", exe, CB_RULES_REL);
            if (is_dir(buf))
                return buf;
        }
    }
#ifdef CB_RULES_DIR
    if (is_dir(CB_RULES_DIR))
        return CB_RULES_DIR;
#endif
    return NULL;
}

size_t rules_dirs(const char *prog, const struct options *opt,
                  const char *dirs[2])
{
    size_t n = 0;
    const char *def = opt->no_rules ? NULL : default_rules_dir();
    if (!opt->no_rules && !def && !opt->quiet)
        fprintf(stderr,
                "%s: warning: knowledge base not found (set "
                "CASEBRIEF_RULES or use --rules DIR): no findings\n",
                prog);
    if (def)
        dirs[n++] = def;
    if (opt->rules_dir)
        dirs[n++] = opt->rules_dir;
    return n;
}

int print_rule_errors(const struct cb_rule_error *errs)
{
    int n = 0;
    for (const struct cb_rule_error *e = errs; e; e = e->next, n++)
        cli_say("%s: %s", e->where, e->msg);
    return n;
}

struct cb_rules *load_rules(const char *prog, const struct options *opt,
                            int *failed)
{
    const char *dirs[2];
    size_t n = rules_dirs(prog, opt, dirs);
    struct cb_rules *rs = NULL;
    struct cb_rule_error *errs = NULL;
    struct cb_error err = {0};
    enum cb_status st = cb_rules_load_dirs(&rs, dirs, n, &errs, &err);
    if (st == CB_E_CORRUPT)
        print_rule_errors(errs);
    else if (st != CB_OK)
        cli_say("%s: %s", prog, err.msg);
    cb_rule_errors_free(&errs);
    *failed = st != CB_OK;
    if (*failed)
        cb_rules_free(&rs);
    return rs;
}

void cli_say(const char *fmt, ...)
{
    char raw[4096], clean[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    cb_term_clean(raw, clean, sizeof clean);
    fprintf(stderr, "%s\n", clean);
}

int cli_create_fd(const char *path)
{
    return cb_open_create(path);
}

FILE *cli_create(const char *path)
{
    int fd = cli_create_fd(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        cb_close(fd);
        errno = e;
    }
    return f;
}

const char *cli_create_error(int err)
{
    return err == ELOOP ? "a symbolic link is in its place (not followed)"
                        : strerror(err);
}
