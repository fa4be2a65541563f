/*
 * main.c - the casebrief command line: a thin shell over the library.
 *
 *   casebrief [analyze] INPUT... [-o DIR] [--format json]
 *   casebrief timeline INPUT... [--format jsonl|csv|text]
 *   casebrief formats
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "casebrief/casebrief.h"
#include "cli.h"
#include "registry.h"

enum exit_code {
    EXIT_NOTHING_FOUND = 0,
    EXIT_FINDINGS = 1,
    EXIT_USAGE = 2,
    EXIT_NO_INPUT = 3
};

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
"  casebrief rules list | check [DIR]\n"
"  casebrief batch CASE... -o OUT [-j N]    (see 'casebrief batch --help')\n"
"  casebrief batch --merge OUTDIR... -o OUT\n"
"\n"
"INPUT is a file, a directory or an archive (zip, 7z, tar with gz/xz/zst/\n"
"bz2, cab, rar), nested archives included. Members are read in memory and\n"
"never extracted; every file is named by its nested path, for example\n"
"  case.zip!logs/NODE1.zip!NODE1_cluster.log\n"
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
"              a near-miss case in TESTS (default DIR/../tests/rules).\n"
"\n"
"Options:\n"
"  -o, --output DIR        report directory (analyze)\n"
"  -f, --format LIST       analyze: report formats, comma-separated, of\n"
"                          html,md,json (default: all three); timeline:\n"
"                          jsonl (default),\n"
"                          csv or text\n"
"      --window FROM,TO    timeline: only events in [FROM, TO], UTC times\n"
"                          like 2024-11-15T01:50:00 (either side may be\n"
"                          empty)\n"
"      --host NAME         timeline: only events of this host (repeatable)\n"
"  -F, --input-format NAME parse every non-archive file as NAME (see\n"
"                          'casebrief formats') instead of detecting it\n"
"  -j, --jobs N            worker threads for parsing and for writing the\n"
"                          timeline (default: the number of cores; 1:\n"
"                          strictly single-threaded)\n"
"      --date-order ORDER  numeric dates in text exports are dmy, mdy or\n"
"                          ymd (default auto: decided from the data; a file\n"
"                          that never decides is reported as assumed)\n"
"      --tz [HOST=]OFFSET  local time of HOST (of every host without HOST=)\n"
"                          is UTC+OFFSET, e.g. --tz HV-NODE1=+01:00; beats\n"
"                          what the bundle states (repeatable)\n"
"  -q, --quiet             no progress or summary on stderr\n"
"      --rules DIR         also load DIR/*.xml; a rule with the id of a\n"
"                          shipped one replaces it\n"
"      --no-default-rules  only the rules of --rules\n"
"      --keep-all          analyze: keep every cluster.log line for the\n"
"                          report; by default routine lines (info and\n"
"                          below, in no event channel, that no rule reads,\n"
"                          more than 5 lines from one a rule takes) are\n"
"                          counted, not kept ('timeline' lists all)\n"
"  -h, --help              this text\n"
"  -V, --version           version\n"
"\n"
"Limits (a member that trips one is skipped or cut with a warning naming\n"
"it; the rest of the bundle is still analyzed). Sizes take K, M, G, T:\n"
"  --max-total BYTES        uncompressed bytes over the whole run (64G)\n"
"  --max-members N          files and archive members (%llu)\n"
"  --max-depth N            archives inside archives (%u)\n"
"  --max-member-size BYTES  one file or member, uncompressed (16G)\n"
"  --max-ratio N            uncompressed:compressed of one member (%u)\n"
"\n"
"Exit status:\n"
"  0  analysis done, no findings      2  usage error\n"
"  1  analysis done, findings         3  no readable input (nothing could\n"
"                                        be opened or recognised)\n"
"\n"
"Examples:\n"
"  casebrief TSSv2_NODE1_241115-101530_.zip\n"
"  casebrief timeline --format csv case.zip > timeline.csv\n"
"  casebrief timeline --host HV-NODE1 --window 2024-11-15T01:50,\\\n"
"      2024-11-15T02:10 case.zip > incident.jsonl   (Timesketch import)\n"
"  casebrief analyze -o out/ NODE1_cluster.log NODE2_cluster.log\n",
        CASEBRIEF_VERSION, (unsigned long long)CB_LIMIT_MEMBERS,
        CB_LIMIT_DEPTH, CB_LIMIT_RATIO);
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
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: return -1;
    }
    if ((*end == 'b' || *end == 'B') && shift)
        end++;
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* "YYYY-MM-DD[THH:MM[:SS[.f...]]][Z]" (a space may replace the T), UTC. */
static int parse_utc(const char *s, size_t n, cb_time *t)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, k = 0;
    char buf[40];
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (n && buf[n - 1] == 'Z')
        buf[--n] = '\0';
    if (sscanf(buf, "%4d-%2d-%2d%n", &y, &mo, &d, &k) != 3)
        return -1;
    const char *p = buf + k;
    if (*p == 'T' || *p == ' ') {
        int used = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &used) != 2)
            return -1;
        p += 1 + used;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &used) != 1)
                return -1;
            p += 1 + used;
            if (*p == '.') {
                int digits = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                    if (digits < 7)
                        frac = frac * 10 + (*p - '0');
                for (; digits < 7; digits++)
                    frac *= 10;
            }
        }
    }
    if (*p)
        return -1;
    *t = cb_time_from_civil(y, mo, d, h, mi, sec, frac);
    return *t == CB_TIME_NONE ? -1 : 0;
}

static int parse_window(const char *arg, cb_time *from, cb_time *to)
{
    const char *comma = strchr(arg, ',');
    if (!comma)
        return -1;
    *from = *to = CB_TIME_NONE;
    size_t a = (size_t)(comma - arg), b = strlen(comma + 1);
    if (a && parse_utc(arg, a, from) != 0)
        return -1;
    if (b && parse_utc(comma + 1, b, to) != 0)
        return -1;
    return *from != CB_TIME_NONE && *to != CB_TIME_NONE && *to < *from ? -1
                                                                         : 0;
}

enum {
    OPT_MAX_TOTAL = 256,
    OPT_MAX_MEMBERS,
    OPT_MAX_DEPTH,
    OPT_MAX_MEMBER_SIZE,
    OPT_MAX_RATIO,
    OPT_RULES,
    OPT_TESTS,
    OPT_WINDOW,
    OPT_HOST,
    OPT_DATE_ORDER,
    OPT_TZ,
    OPT_NO_DEFAULT_RULES,
    OPT_KEEP_ALL
};

struct options {
    const char *outdir;
    const char *format;
    int quiet;
    struct cb_limits limits;
    const struct cb_parser_ops *forced;
    const char *rules_dir; /* --rules: added to (or replacing) the shipped */
    const char *tests_dir; /* --tests: rule test cases for 'rules check' */
    cb_time win_from, win_to; /* timeline --window, CB_TIME_NONE: open */
    const char *hosts[32];    /* timeline --host (any of them) */
    int nhosts;
    int no_rules;
    int keep_all; /* --keep-all */
    unsigned jobs;                      /* -j; 0: number of cores */
    enum cb_date_order date_order;      /* --date-order */
    struct cb_tz_override tz[CB_MAX_TZ_OVERRIDES]; /* --tz */
    unsigned ntz;
};

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
        if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') ||
            s[2])
            return -1;
        m = (s[0] - '0') * 10 + (s[1] - '0');
    }
    if (h > 14 || m > 59)
        return -1;
    *east = sign * (h * 60 + m);
    return 0;
}

/* --tz [HOST=]OFFSET */
static int parse_tz(char *arg, struct options *opt)
{
    if (opt->ntz == CB_MAX_TZ_OVERRIDES)
        return -1;
    struct cb_tz_override *t = &opt->tz[opt->ntz];
    char *eq = strchr(arg, '=');
    const char *off = arg;
    t->host = NULL;
    if (eq) {
        *eq = '\0';
        if (!arg[0])
            return -1;
        for (char *c = arg; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        t->host = arg;
        off = eq + 1;
    }
    if (parse_offset(off, &t->east_min) != 0)
        return -1;
    opt->ntz++;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"input-format", required_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"max-total", required_argument, NULL, OPT_MAX_TOTAL},
        {"max-members", required_argument, NULL, OPT_MAX_MEMBERS},
        {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
        {"max-member-size", required_argument, NULL, OPT_MAX_MEMBER_SIZE},
        {"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
        {"rules", required_argument, NULL, OPT_RULES},
        {"tests", required_argument, NULL, OPT_TESTS},
        {"window", required_argument, NULL, OPT_WINDOW},
        {"host", required_argument, NULL, OPT_HOST},
        {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES},
        {"keep-all", no_argument, NULL, OPT_KEEP_ALL},
        {"jobs", required_argument, NULL, 'j'},
        {"date-order", required_argument, NULL, OPT_DATE_ORDER},
        {"tz", required_argument, NULL, OPT_TZ},
        {0, 0, 0, 0}};
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, "+o:f:F:j:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': opt->outdir = optarg; break;
        case 'f': opt->format = optarg; break;
        case 'F':
            opt->forced = cb_parser_find(optarg);
            if (!opt->forced) {
                fprintf(stderr, "%s: unknown input format '%s' (see '%s "
                        "formats')\n", prog, optarg, prog);
                return -1;
            }
            break;
        case 'q': opt->quiet = 1; break;
        case OPT_RULES: opt->rules_dir = optarg; break;
        case OPT_TESTS: opt->tests_dir = optarg; break;
        case OPT_WINDOW:
            if (parse_window(optarg, &opt->win_from, &opt->win_to) != 0) {
                fprintf(stderr, "%s: bad window '%s' (FROM,TO in UTC, e.g. "
                        "2024-11-15T01:50:00,2024-11-15T02:10; either side "
                        "may be empty)\n", prog, optarg);
                return -1;
            }
            break;
        case OPT_HOST:
            if (opt->nhosts == 32) {
                fprintf(stderr, "%s: at most 32 --host\n", prog);
                return -1;
            }
            opt->hosts[opt->nhosts++] = optarg;
            break;
        case OPT_NO_DEFAULT_RULES: opt->no_rules = 1; break;
        case OPT_KEEP_ALL: opt->keep_all = 1; break;
        case 'j':
            if (parse_size(optarg, &v) != 0 || v == 0 || v > 256) {
                fprintf(stderr, "%s: bad job count '%s' (1 to 256)\n", prog,
                        optarg);
                return -1;
            }
            opt->jobs = (unsigned)v;
            break;
        case OPT_DATE_ORDER:
            if (strcmp(optarg, "dmy") == 0)
                opt->date_order = CB_DATE_DMY;
            else if (strcmp(optarg, "mdy") == 0)
                opt->date_order = CB_DATE_MDY;
            else if (strcmp(optarg, "ymd") == 0)
                opt->date_order = CB_DATE_YMD;
            else if (strcmp(optarg, "auto") == 0)
                opt->date_order = CB_DATE_AUTO;
            else {
                fprintf(stderr, "%s: bad date order '%s' (dmy, mdy, ymd or "
                        "auto)\n", prog, optarg);
                return -1;
            }
            break;
        case OPT_TZ:
            if (parse_tz(optarg, opt) != 0) {
                fprintf(stderr, "%s: bad --tz '%s' (e.g. HV-NODE1=+01:00, "
                        "-05:00 or UTC; at most %d)\n", prog, optarg,
                        CB_MAX_TZ_OVERRIDES);
                return -1;
            }
            break;
        case 'h': help(); exit(0);
        case 'V': printf("casebrief %s\n", CASEBRIEF_VERSION); exit(0);
        case OPT_MAX_TOTAL:
        case OPT_MAX_MEMBER_SIZE:
            if (parse_size(optarg, &v) != 0 || v == 0) {
                fprintf(stderr, "%s: bad size '%s' (e.g. 500M, 4G)\n", prog,
                        optarg);
                return -1;
            }
            if (c == OPT_MAX_TOTAL)
                opt->limits.total_bytes = v;
            else
                opt->limits.member_bytes = v;
            break;
        case OPT_MAX_MEMBERS:
        case OPT_MAX_DEPTH:
        case OPT_MAX_RATIO:
            if (parse_size(optarg, &v) != 0 || v == 0 || v > UINT_MAX) {
                fprintf(stderr, "%s: bad number '%s'\n", prog, optarg);
                return -1;
            }
            if (c == OPT_MAX_MEMBERS)
                opt->limits.members = v;
            else if (c == OPT_MAX_DEPTH)
                opt->limits.depth = (unsigned)v;
            else
                opt->limits.ratio = (unsigned)v;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* Read every input; returns the analysis or NULL (message printed). */
static struct cb_analysis *ingest_all(char **inputs, int n,
                                      const struct options *opt,
                                      int *opened, struct cb_keeper *keeper)
{
    struct cb_analysis *an = cb_analysis_create_all(&opt->limits);
    if (!an) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return NULL;
    }
    if (keeper) {
        an->keep = cb_keeper_wants;
        an->keep_ctx = keeper;
    }
    an->forced = opt->forced;
    an->opts.jobs = opt->jobs;
    an->opts.date_order = opt->date_order;
    memcpy(an->tz, opt->tz, sizeof an->tz);
    an->ntz = opt->ntz;
    an->progress = !opt->quiet && isatty(STDERR_FILENO);
    *opened = 0;
    for (int i = 0; i < n; i++) {
        struct cb_error err = {0};
        enum cb_status st = cb_ingest_path(an, inputs[i], &err);
        if (st == CB_E_NOMEM) {
            fprintf(stderr, "%s: out of memory reading %s\n", prog, inputs[i]);
            cb_analysis_destroy(&an);
            return NULL;
        }
        if (st != CB_OK) {
            char msg[1200];
            cb_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "%s: %s\n", prog, msg);
            continue;
        }
        (*opened)++;
    }
    return an;
}

static size_t parsed_sources(const struct cb_analysis *an)
{
    size_t n = 0;
    for (size_t i = 0; i < an->nsources; i++) {
        const char *f = an->sources[i]->format;
        if (strcmp(f, "unknown") && strcmp(f, "skipped") &&
            strcmp(f, "ambiguous"))
            n++;
    }
    return n;
}

/* The shipped knowledge base: $CASEBRIEF_RULES, else the source tree's
 * rules/ (set at build time), else ../rules or ../share/casebrief/rules
 * next to the executable. */
const char *default_rules_dir(void)
{
    static char buf[PATH_MAX];
    const char *env = getenv("CASEBRIEF_RULES");
    if (env && *env)
        return env;
    struct stat sb;
#ifdef CB_RULES_DIR
    if (stat(CB_RULES_DIR, &sb) == 0 && S_ISDIR(sb.st_mode))
        return CB_RULES_DIR;
#endif
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        const char *rel[] = {"../rules", "../share/casebrief/rules"};
        for (int i = 0; i < 2; i++) {
            snprintf(buf, sizeof buf, "%.3000s/%s", exe, rel[i]);
            if (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode))
                return buf;
        }
    }
    return NULL;
}

static int print_rule_errors(struct cb_rule_error *errs)
{
    int n = 0;
    for (const struct cb_rule_error *e = errs; e; e = e->next, n++)
        fprintf(stderr, "%s: %s\n", e->where, e->msg);
    return n;
}

/* The rules in force: the shipped set, then --rules DIR over it. NULL
 * with *failed set when a rule file is broken (message printed). */
static struct cb_rules *load_rules(const struct options *opt, int *failed)
{
    struct cb_rules *rs = NULL;
    struct cb_rule_error *errs = NULL;
    *failed = 0;
    const char *def = opt->no_rules ? NULL : default_rules_dir();
    if (!opt->no_rules && !def && !opt->quiet)
        fprintf(stderr, "%s: warning: knowledge base not found (set "
                "CASEBRIEF_RULES or use --rules DIR): no findings\n", prog);
    const char *dirs[2] = {def, opt->rules_dir};
    for (int i = 0; i < 2; i++) {
        if (!dirs[i])
            continue;
        enum cb_status st = cb_rules_load_dir(&rs, dirs[i], &errs);
        if (st == CB_E_IO) {
            fprintf(stderr, "%s: cannot read rules directory %s\n", prog,
                    dirs[i]);
            *failed = 1;
        } else if (st != CB_OK) {
            fprintf(stderr, "%s: out of memory loading rules\n", prog);
            *failed = 1;
        }
    }
    if (print_rule_errors(errs))
        *failed = 1;
    cb_rule_errors_free(&errs);
    if (*failed)
        cb_rules_free(&rs);
    return rs;
}

/* Text of a file, NUL-terminated, or NULL. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/*
 * Every rule needs a case where it fires and one where it must not: in
 * TESTS/<case>/expected.json, its id under "findings" and under "absent"
 * (the format tests/rules/make_cases.py writes). Returns the number of
 * rules lacking one, each named on stderr; -1 when TESTS is unreadable.
 */
static int check_rule_tests(const struct cb_rules *rs, const char *tests)
{
    DIR *d = opendir(tests);
    if (!d)
        return -1;
    char **texts = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%.3000s/%.200s/expected.json", tests,
                 de->d_name);
        char *t = read_text(path);
        if (!t)
            continue;
        char **nt = realloc(texts, (n + 1) * sizeof *nt);
        if (!nt) {
            free(t);
            break;
        }
        texts = nt;
        texts[n++] = t;
    }
    closedir(d);
    int missing = 0;
    for (size_t i = 0; i < cb_rules_count(rs); i++) {
        const char *id = cb_rule_id(cb_rules_at(rs, i));
        char quoted[300], field[320];
        snprintf(quoted, sizeof quoted, "\"%.280s\"", id);
        snprintf(field, sizeof field, "\"id\": %s", quoted);
        int pos = 0, neg = 0;
        for (size_t k = 0; k < n; k++) {
            const char *absent = strstr(texts[k], "\"absent\"");
            const char *hit = strstr(texts[k], field);
            pos |= hit && (!absent || hit < absent);
            const char *q = absent ? strstr(absent, quoted) : NULL;
            const char *end = absent ? strchr(absent, ']') : NULL;
            neg |= q && end && q < end;
        }
        if (!pos || !neg) {
            fprintf(stderr, "%s: rule %s has no %s test case in %s\n", prog,
                    id, !pos ? "positive" : "near-miss (absent)", tests);
            missing++;
        }
    }
    for (size_t k = 0; k < n; k++)
        free(texts[k]);
    free(texts);
    return missing;
}

static int cmd_rules(int argc, char **argv, struct options *opt)
{
    if (argc < 1 || (strcmp(argv[0], "list") && strcmp(argv[0], "check"))) {
        fprintf(stderr, "%s rules: list or check [DIR]\n", prog);
        return EXIT_USAGE;
    }
    if (strcmp(argv[0], "check") == 0) {
        const char *dir = argc > 1 ? argv[1] : default_rules_dir();
        if (!dir) {
            fprintf(stderr, "%s: no rules directory found\n", prog);
            return EXIT_USAGE;
        }
        struct cb_rules *rs = NULL;
        struct cb_rule_error *errs = NULL;
        enum cb_status st = cb_rules_load_dir(&rs, dir, &errs);
        int nerr = print_rule_errors(errs);
        cb_rule_errors_free(&errs);
        if (st == CB_E_IO)
            fprintf(stderr, "%s: cannot read %s\n", prog, dir);
        /* the rules' tests: --tests DIR, else DIR/../tests/rules */
        char tests[PATH_MAX];
        if (opt->tests_dir)
            snprintf(tests, sizeof tests, "%s", opt->tests_dir);
        else
            snprintf(tests, sizeof tests, "%.3000s/../tests/rules", dir);
        int untested = 0;
        if (st == CB_OK && !nerr) {
            untested = check_rule_tests(rs, tests);
            if (untested < 0) {
                fprintf(stderr, "%s: no rule tests at %s (use --tests DIR)"
                        "\n", prog, tests);
                untested = (int)cb_rules_count(rs);
            }
        }
        printf("%s: %zu rules, %d errors, %d without tests\n", dir,
               cb_rules_count(rs), nerr, untested);
        cb_rules_free(&rs);
        return st != CB_OK || nerr || untested ? 1 : 0;
    }
    int failed;
    struct cb_rules *rs = load_rules(opt, &failed);
    if (failed)
        return 1;
    for (size_t i = 0; i < cb_rules_count(rs); i++) {
        const struct cb_rule *r = cb_rules_at(rs, i);
        printf("%-36s %s  %-8s  %s\n", cb_rule_id(r), cb_rule_pattern(r),
               cb_severity_name(cb_rule_severity(r)), cb_rule_title(r));
    }
    cb_rules_free(&rs);
    return 0;
}

/* With CASEBRIEF_PHASES set in the environment, each phase's wall time
 * on stderr (for profiling a bundle; not part of the interface). */
static void phase(const char *name)
{
    static int on = -1;
    static struct timespec last;
    if (on < 0) {
        on = getenv("CASEBRIEF_PHASES") != NULL;
        clock_gettime(CLOCK_MONOTONIC, &last);
    }
    if (!on || !name)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s = (double)(now.tv_sec - last.tv_sec) +
               (double)(now.tv_nsec - last.tv_nsec) / 1e9;
    fprintf(stderr, "%s: phase %-10s %8.3f s\n", prog, name, s);
    last = now;
}

static int cmd_timeline(int argc, char **argv, struct options *opt)
{
    enum cb_timeline_format fmt = CB_TL_JSONL;
    if (opt->format) {
        if (strcmp(opt->format, "jsonl") == 0)
            fmt = CB_TL_JSONL;
        else if (strcmp(opt->format, "csv") == 0)
            fmt = CB_TL_CSV;
        else if (strcmp(opt->format, "text") == 0)
            fmt = CB_TL_TEXT;
        else {
            fprintf(stderr, "%s: timeline format is jsonl, csv or text, not "
                    "'%s'\n", prog, opt->format);
            return EXIT_USAGE;
        }
    }
    if (argc < 1) {
        fprintf(stderr, "%s timeline: no INPUT given\n", prog);
        usage_short();
        return EXIT_USAGE;
    }
    int opened;
    phase(NULL);
    struct cb_analysis *an = ingest_all(argv, argc, opt, &opened, NULL);
    if (!an)
        return EXIT_NO_INPUT;
    phase("ingest");
    struct cb_timeline tl;
    if (cb_analysis_finish(an) != CB_OK || cb_timeline_build(an, &tl) != CB_OK) {
        fprintf(stderr, "%s: out of memory building the timeline\n", prog);
        cb_analysis_destroy(&an);
        return EXIT_NO_INPUT;
    }
    int rc = parsed_sources(an) ? EXIT_NOTHING_FOUND : EXIT_NO_INPUT;
    /* --window and --host: keep the matching events, in order */
    if (opt->win_from != CB_TIME_NONE || opt->win_to != CB_TIME_NONE ||
        opt->nhosts) {
        size_t k = 0;
        for (size_t i = 0; i < tl.count; i++) {
            const struct cb_event *e = tl.events[i];
            if (opt->win_from != CB_TIME_NONE && e->ts < opt->win_from)
                continue;
            if (opt->win_to != CB_TIME_NONE && e->ts > opt->win_to)
                continue;
            int host_ok = !opt->nhosts;
            for (int h = 0; h < opt->nhosts && !host_ok; h++)
                host_ok = strcasecmp(e->host, opt->hosts[h]) == 0;
            if (host_ok)
                tl.events[k++] = tl.events[i];
        }
        tl.count = k;
    }
    phase("timeline");
    if (cb_timeline_write_jobs(stdout, &tl, fmt, opt->jobs) != CB_OK) {
        fprintf(stderr, "%s: writing the timeline failed: %s\n", prog,
                strerror(errno));
        rc = EXIT_NO_INPUT;
    }
    phase("write");
    for (const struct cb_warning *w = an->warnings; w && !opt->quiet;
         w = w->next)
        fprintf(stderr, "%s: warning: %s: %s\n", prog,
                w->source ? w->source : "", w->msg);
    if (rc == EXIT_NO_INPUT && !opt->quiet)
        fprintf(stderr, "%s: no event source recognised in the input\n",
                prog);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
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
    struct stat sb;
    char *dot = strrchr(name, '.');
    if (dot && dot != name && stat(input, &sb) == 0 && !S_ISDIR(sb.st_mode))
        *dot = '\0';
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        snprintf(name, sizeof name, "bundle");
    if ((size_t)snprintf(out, size, "%.200s.casebrief", name) >= size)
        snprintf(out, size, "bundle.casebrief");
}

static int cmd_analyze(int argc, char **argv, struct options *opt)
{
    if (argc < 1) {
        fprintf(stderr, "%s: no INPUT given\n", prog);
        usage_short();
        return EXIT_USAGE;
    }
    int want_json = 1, want_md = 1, want_html = 1;
    if (opt->format) {
        want_json = want_md = want_html = 0;
        char list[256];
        snprintf(list, sizeof list, "%s", opt->format);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            if (strcmp(tok, "json") == 0) {
                want_json = 1;
            } else if (strcmp(tok, "md") == 0 ||
                       strcmp(tok, "markdown") == 0) {
                want_md = 1;
            } else if (strcmp(tok, "html") == 0) {
                want_html = 1;
            } else {
                fprintf(stderr, "%s: report formats are html, md and json, "
                        "not '%s'\n", prog, tok);
                return EXIT_USAGE;
            }
        }
    }
    char outdir[PATH_MAX];
    if (opt->outdir)
        snprintf(outdir, sizeof outdir, "%s", opt->outdir);
    else
        default_outdir(argv[0], outdir, sizeof outdir);
    int opened;
    phase(NULL);
    /* the rules first: they say which routine lines need not be kept */
    int rules_failed;
    struct cb_rules *rules = load_rules(opt, &rules_failed);
    if (rules_failed)
        return EXIT_USAGE;
    struct cb_keeper *keeper = NULL;
    if (!opt->keep_all && rules && !(keeper = cb_keeper_create(rules))) {
        fprintf(stderr, "%s: out of memory\n", prog);
        cb_rules_free(&rules);
        return EXIT_NO_INPUT;
    }
    struct cb_analysis *an = ingest_all(argv, argc, opt, &opened, keeper);
    cb_keeper_free(&keeper);
    if (!an) {
        cb_rules_free(&rules);
        return EXIT_NO_INPUT;
    }
    an->keep = NULL;
    an->keep_ctx = NULL;
    phase("ingest");
    struct cb_timeline tl;
    if (cb_analysis_finish(an) != CB_OK || cb_timeline_build(an, &tl) != CB_OK) {
        fprintf(stderr, "%s: out of memory building the timeline\n", prog);
        cb_rules_free(&rules);
        cb_analysis_destroy(&an);
        return EXIT_NO_INPUT;
    }
    phase("timeline");
    struct cb_findings findings;
    if (cb_correlate(rules, &tl, &findings) != CB_OK) {
        fprintf(stderr, "%s: out of memory correlating\n", prog);
        cb_rules_free(&rules);
        cb_timeline_fini(&tl);
        cb_analysis_destroy(&an);
        return EXIT_NO_INPUT;
    }
    phase("correlate");
    struct cb_gaps gaps;
    if (cb_gaps_find(rules, an, &tl, &gaps) != CB_OK) {
        fprintf(stderr, "%s: out of memory finding gaps\n", prog);
        cb_findings_fini(&findings);
        cb_rules_free(&rules);
        cb_timeline_fini(&tl);
        cb_analysis_destroy(&an);
        return EXIT_NO_INPUT;
    }
    phase("gaps");
    int rc = findings.count ? EXIT_FINDINGS : EXIT_NOTHING_FOUND;
    if (opened == 0 || parsed_sources(an) == 0)
        rc = EXIT_NO_INPUT;
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", prog, outdir,
                strerror(errno));
        cb_gaps_fini(&gaps);
        cb_findings_fini(&findings);
        cb_rules_free(&rules);
        cb_timeline_fini(&tl);
        cb_analysis_destroy(&an);
        return EXIT_NO_INPUT;
    }
    char rules_version[64];
    snprintf(rules_version, sizeof rules_version, "%zu rules",
             cb_rules_count(rules));
    struct cb_report_input rin = {
        .case_name = case_name(argv[0]), .an = an, .tl = &tl,
        .findings = &findings, .gaps = &gaps,
        .rules_version = rules_version};
    char path[PATH_MAX + 32], first_path[PATH_MAX + 32] = "";
    /* json, md, html; the path printed is the one a person opens */
    static const char *const ext[3] = {"json", "md", "html"};
    const int want[3] = {want_json, want_md, want_html};
    for (int kind = 0; kind < 3; kind++) {
        if (!want[kind])
            continue;
        snprintf(path, sizeof path, "%s/report.%s", outdir, ext[kind]);
        snprintf(first_path, sizeof first_path, "%s", path);
        FILE *f = fopen(path, "w");
        enum cb_status wst = CB_E_IO;
        if (f)
            wst = kind == 0   ? cb_report_json(f, an, &tl, &findings, &gaps)
                  : kind == 1 ? cb_report_markdown(f, &rin)
                              : cb_report_html(f, &rin);
        if (!f || wst != CB_OK || fclose(f) != 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", prog, path,
                    strerror(errno));
            rc = EXIT_NO_INPUT;
        }
        phase(ext[kind]);
    }
    snprintf(path, sizeof path, "%s", first_path);
    if (!opt->quiet) {
        size_t nsw = 0;
        for (size_t i = 0; i < an->nsources; i++)
            nsw += an->sources[i]->nwarnings;
        fprintf(stderr,
                "%s: %zu files (%zu parsed), %zu events, %llu duplicates, "
                "%zu bundle warnings, %zu file warnings, %zu findings\n",
                prog, an->nsources, parsed_sources(an), tl.count,
                (unsigned long long)tl.duplicates, an->nwarnings, nsw,
                findings.count);
        for (size_t i = 0; i < findings.count && i < 10; i++)
            fprintf(stderr, "  [%s] %s\n",
                    cb_severity_name(findings.items[i].severity),
                    findings.items[i].summary);
        if (rc == EXIT_NO_INPUT)
            fprintf(stderr, "%s: no event source recognised in the input\n",
                    prog);
    }
    printf("%s\n", path);
    cb_gaps_fini(&gaps);
    cb_findings_fini(&findings);
    cb_rules_free(&rules);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
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

int main(int argc, char **argv)
{
    struct options opt = {0};
    opt.win_from = opt.win_to = CB_TIME_NONE;
    cb_limits_default(&opt.limits);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    opt.jobs = ncpu > 0 && ncpu <= 256 ? (unsigned)ncpu : 1;
    if (argc < 2) {
        fprintf(stderr, "%s: no INPUT given\n", prog);
        usage_short();
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "batch") == 0)
        return cmd_batch(argc - 1, argv + 1);
    const char *cmd = "analyze";
    int shift = 0;
    if (strcmp(argv[1], "analyze") == 0 || strcmp(argv[1], "timeline") == 0 ||
        strcmp(argv[1], "formats") == 0 || strcmp(argv[1], "rules") == 0) {
        cmd = argv[1];
        shift = 1;
    }
    /* options may come before or after the inputs */
    char **args = calloc((size_t)argc + 1, sizeof *args);
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    if (!args || !inputs) {
        free(args);
        free(inputs);
        return EXIT_NO_INPUT;
    }
    int nargs = 0, ninputs = 0;
    args[nargs++] = argv[0];
    for (int i = 1 + shift; i < argc; i++)
        args[nargs++] = argv[i];
    int rc;
    /* GNU getopt permutes non-options to the end; collect them after */
    optind = 0;
    while (1) {
        if (parse_options(nargs, args, &opt) != 0) {
            usage_short();
            free(args);
            free(inputs);
            return EXIT_USAGE;
        }
        if (optind >= nargs)
            break;
        if (strcmp(args[optind - 1], "--") == 0) {
            while (optind < nargs)
                inputs[ninputs++] = args[optind++];
            break;
        }
        inputs[ninputs++] = args[optind++];
        /* continue option parsing after this input */
        int rest = nargs - optind;
        memmove(args + 1, args + optind, (size_t)rest * sizeof *args);
        nargs = rest + 1;
        optind = 0; /* glibc: full re-initialisation of getopt */
    }
    if (strcmp(cmd, "formats") == 0)
        rc = cmd_formats();
    else if (strcmp(cmd, "rules") == 0)
        rc = cmd_rules(ninputs, inputs, &opt);
    else if (strcmp(cmd, "timeline") == 0)
        rc = cmd_timeline(ninputs, inputs, &opt);
    else
        rc = cmd_analyze(ninputs, inputs, &opt);
    free(args);
    free(inputs);
    return rc;
}
