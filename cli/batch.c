/*
 * batch.c - casebrief batch: many cases, each analyzed by this same binary
 * in its own process (so a crash, a hang or a memory blow-up costs one
 * case, not the batch), N at a time, into OUT/<case>/; then the index.
 *
 *   casebrief batch CASE... [--cases-dir DIR]... -o OUT [-j N]
 *   casebrief batch --merge OUTDIR... -o OUT
 *
 * A case's directory is built under OUT/.tmp-<case>-<pid>/ and renamed
 * into place, so OUT/<case>/ is always a whole result or the previous one.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "casebrief/casebrief.h"
#include "jsonv.h"
#include "cli.h"

#define MAX_PASS 256 /* passed-through analyze arguments */

static const char *prog = "casebrief batch";

static void batch_help(void)
{
    printf(
"Usage:\n"
"  casebrief batch CASE... [--cases-dir DIR]... -o OUT [options]\n"
"  casebrief batch --merge OUTDIR... -o OUT\n"
"\n"
"Analyzes every case into OUT/<case>/report.{html,md,json}, each in its\n"
"own process (this binary's 'analyze'), N at a time, then writes\n"
"OUT/index.html (cases x findings, failed cases with reasons),\n"
"OUT/summary.json and OUT/findings.jsonl (one finding per line with its\n"
"case). A case that crashes, runs past --case-timeout, exceeds\n"
"--case-memory or has no readable input is recorded as failed with its\n"
"reason; the others go on. A case analyzed from damaged input (a cut or\n"
"corrupt archive, member or log: report.json summary.complete false) is\n"
"recorded as partial with what was damaged, counted apart from ok and\n"
"failed.\n"
"\n"
"What a case is: one archive or one folder (a folder is read whole, like\n"
"'casebrief analyze FOLDER'). For a folder holding one upload per entry,\n"
"write 'batch cases/*' or --cases-dir DIR.\n"
"OUT/<case> is the case's base name (bytes outside [A-Za-z0-9._+~-]\n"
"become '_'); two cases with the same name get ~2, ~3, ... in the order\n"
"CASE arguments first, then --cases-dir entries (sorted by name).\n"
"\n"
"Options:\n");
    cli_help_options(stdout, CMD_BATCH, GROUP_OPTIONS);
    printf("  Passed to every 'analyze' (see 'casebrief --help'):\n");
    cli_help_pass(stdout, 2);
    printf(
"\n"
"Up to date: OUT/<case>/stamp records the input (names, sizes and\n"
"modification times, a folder recursively), the casebrief version, a hash\n"
"of the rules in force and of the passed-through options; a case whose\n"
"stamp matches and that succeeded (ok or partial) is skipped. Failed\n"
"cases are retried.\n"
"\n"
"The index is rebuilt from the case directories in name order, so\n"
"summary.json and findings.jsonl hold no wall-clock figure and a --merge\n"
"of partial outputs gives the same bytes as one run over every case\n"
"(timings are in OUT/<case>/case.json and index.html only).\n"
"\n"
"Progress goes to stderr: [3/120] case-17.zip: 2 findings (4.1 s).\n"
"Prints OUT/index.html on stdout.\n"
"\n"
"Exit status:\n"
"  0  every case analyzed (ok or partial), no findings\n"
"  1  every case analyzed (ok or partial), findings\n"
"  2  usage error (bad option, broken --rules)\n"
"  3  one or more cases failed (see the index), or a --merge OUTDIR\n"
"     is not a directory\n"
"  4  internal or output failure: out of memory, OUT, a case's directory\n"
"     or the index could not be created or written\n"
"  130  interrupted (SIGINT, SIGTERM)\n"
"\n"
"Scale-out (one case per job, a shared OUT, then --merge): deploy/README.md.\n");
}

struct bcase {
    const char *input; /* as given or DIR/entry (owned when from a dir) */
    char name[160];
    char stamp[512];
    int skipped, ok, done, nfindings;
    int partial; /* ok, from damaged input (report.json summary.complete) */
};

struct running {
    struct cb_child *child; /* NULL: a free slot */
    size_t idx;
    uint64_t start; /* cb_monotonic_ns */
    int timed_out;
    char tmp[PATH_MAX];
};

struct batch {
    const char *out;
    unsigned jobs, threads;
    double timeout;   /* seconds, 0: none */
    uint64_t memory;  /* bytes, 0: none */
    int force, quiet, no_index;
    int write_failed; /* a case's directory could not be written */
    char host[64]; /* in temporary names: OUT may be shared by hosts */
    const char *pass[MAX_PASS];
    int npass;
    char exe[PATH_MAX];
    struct bcase *cases;
    size_t ncases, cap;
    char **owned;
    size_t nowned;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static double since(uint64_t t0)
{
    return (double)(cb_monotonic_ns() - t0) / 1e9;
}

static int rm_rf(const char *path)
{
    return cb_remove_tree(path);
}

/* Put the finished directory tmp at OUT/name: swap it with what is there
 * (RENAME_EXCHANGE, one atomic step) and remove the old one. */
static int install(const char *tmp, const char *out, const char *name)
{
    char dst[PATH_MAX];
    if ((size_t)snprintf(dst, sizeof dst, "%s/%s", out, name) >= sizeof dst)
        return -1;
    if (cb_rename(tmp, dst) == 0)
        return 0;
    if (errno != EEXIST && errno != ENOTEMPTY)
        return -1;
    if (cb_rename_exchange(tmp, dst) == 0)
        return rm_rf(tmp);
    /* no RENAME_EXCHANGE (old kernel, some file systems, Windows): two
     * steps */
    char old[PATH_MAX];
    snprintf(old, sizeof old, "%s/.old-%.200s-%ld-%ld", out, name,
             cb_host_id(), cb_pid());
    if (cb_rename(dst, old) != 0 || cb_rename(tmp, dst) != 0)
        return -1;
    return rm_rf(old);
}

static int add_case(struct batch *b, const char *input)
{
    if (b->ncases == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        struct bcase *nc = realloc(b->cases, ncap * sizeof *nc);
        if (!nc)
            return -1;
        b->cases = nc;
        b->cap = ncap;
    }
    struct bcase *c = &b->cases[b->ncases++];
    memset(c, 0, sizeof *c);
    c->input = input;
    return 0;
}

/* Every entry of dir is a case (OUT itself left out when it is there). */
static int add_cases_dir(struct batch *b, const char *dir,
                         const struct cb_stat *outsb)
{
    struct cb_dirent *list;
    size_t n;
    if (cb_dir_scan(dir, &list, &n) != 0) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, dir,
                strerror(errno));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *p = NULL;
        struct cb_stat sb;
        if (list[i].name[0] == '.')
            continue;
        if (rc == 0 && asprintf(&p, "%s/%s", dir, list[i].name) < 0)
            rc = -1;
        else if (rc == 0 && cb_stat(p, &sb) == 0 &&
                 (sb.kind == CB_KIND_FILE || sb.kind == CB_KIND_DIR) &&
                 !cb_same_file(&sb, outsb)) {
            char **no = realloc(b->owned, (b->nowned + 1) * sizeof *no);
            if (!no || add_case(b, p) != 0) {
                if (no)
                    b->owned = no;
                free(p);
                rc = -1;
            } else {
                b->owned = no;
                b->owned[b->nowned++] = p;
            }
            p = NULL;
        }
        free(p);
    }
    cb_dir_scan_free(&list, n);
    return rc;
}

/* Case names: the base name; ~2, ~3 ... for a repeat or a name that the
 * index files use. */
static void name_cases(struct batch *b)
{
    static const char *const reserved[] = {"index.html", "summary.json",
                                           "findings.jsonl", NULL};
    for (size_t i = 0; i < b->ncases; i++) {
        char base[140];
        cb_batch_case_name(b->cases[i].input, base, sizeof base);
        snprintf(b->cases[i].name, sizeof b->cases[i].name, "%s", base);
        for (unsigned k = 2;; k++) {
            int clash = 0;
            for (int r = 0; reserved[r]; r++)
                clash |= strcmp(b->cases[i].name, reserved[r]) == 0;
            for (size_t j = 0; j < i && !clash; j++)
                clash = strcmp(b->cases[j].name, b->cases[i].name) == 0;
            if (!clash)
                break;
            snprintf(b->cases[i].name, sizeof b->cases[i].name, "%s~%u",
                     base, k);
        }
    }
}

static uint64_t rules_hash(const struct batch *b)
{
    uint64_t h = 0x72756c6573ull; /* "rules" */
    int no_default = 0;
    for (int i = 0; i < b->npass; i++)
        no_default |= strcmp(b->pass[i], "--no-default-rules") == 0;
    const char *def = no_default ? NULL : default_rules_dir();
    if (def && cb_stamp_rules(def, &h) != 0)
        h ^= 1;
    for (int i = 0; i + 1 < b->npass; i++)
        if (strcmp(b->pass[i], "--rules") == 0 &&
            cb_stamp_rules(b->pass[i + 1], &h) != 0)
            h ^= 2;
    return h;
}

static uint64_t args_hash(const struct batch *b)
{
    uint64_t h = 0x61726773ull; /* "args" */
    for (int i = 0; i < b->npass; i++)
        h = cb_hash_bytes(b->pass[i], strlen(b->pass[i]) + 1, h);
    return h;
}

/* The stamp of each case; -1 when an input cannot be read (the case is
 * then run, and fails with the analyzer's own message). */
static void make_stamps(struct batch *b)
{
    uint64_t rh = rules_hash(b), ah = args_hash(b);
    for (size_t i = 0; i < b->ncases; i++) {
        uint64_t h = 0, files = 0, bytes = 0;
        int bad = cb_stamp_tree(b->cases[i].input, &h, &files, &bytes);
        snprintf(b->cases[i].stamp, sizeof b->cases[i].stamp,
                 "casebrief-batch-stamp 1\nversion %s\nrules %016llx\n"
                 "options %016llx\ninput %016llx %llu files %llu bytes%s\n",
                 CASEBRIEF_VERSION, (unsigned long long)rh,
                 (unsigned long long)ah, (unsigned long long)h,
                 (unsigned long long)files, (unsigned long long)bytes,
                 bad ? " unreadable" : "");
    }
}

static char *slurp(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* "damaged: 2 files could not be read completely, the first: SOURCE:
 * DETAIL" from report.json's summary.damaged into why (size bytes). */
static void damage_reason(const struct cb_jv *damaged, char *why, size_t size)
{
    const struct cb_jv *d = damaged->child;
    snprintf(why, size,
             "damaged input: %zu file%s could not be read completely, the "
             "first: %.200s: %.250s",
             damaged->len, damaged->len == 1 ? "" : "s",
             d ? cb_json_str(d, "source") : "?",
             d ? cb_json_str(d, "detail") : "?");
}

/* Findings in DIR/report.json; -1 when it is missing or unreadable.
 * *partial: its summary says the input was not read completely (why
 * then says what; why may be NULL). */
static int read_report(const char *dir, int *partial, char *why, size_t size)
{
    char path[PATH_MAX];
    *partial = 0;
    if (snprintf(path, sizeof path, "%s/report.json", dir) >= (int)sizeof path)
        return -1;
    struct cb_jdoc *d = cb_json_load(path, (size_t)256 << 20);
    const struct cb_jv *f = cb_json_get(cb_json_root(d), "findings");
    int n = f && f->type == CB_JARR ? (int)f->len : -1;
    const struct cb_jv *sum = cb_json_get(cb_json_root(d), "summary");
    const struct cb_jv *complete = cb_json_get(sum, "complete");
    const struct cb_jv *damaged = cb_json_get(sum, "damaged");
    if (n >= 0 && complete && complete->type == CB_JFALSE) {
        *partial = 1;
        if (why && damaged && damaged->type == CB_JARR)
            damage_reason(damaged, why, size);
        else if (why)
            snprintf(why, size, "damaged input");
    }
    cb_json_free(&d);
    return n;
}


/* OUT/name holds a successful result with this stamp. */
static int up_to_date(const struct batch *b, const struct bcase *c)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/stamp", b->out, c->name);
    char *s = slurp(path, 4096);
    int same = s && strcmp(s, c->stamp) == 0;
    free(s);
    if (!same)
        return 0;
    snprintf(path, sizeof path, "%s/%s/case.json", b->out, c->name);
    struct cb_jdoc *d = cb_json_load(path, 1 << 20);
    int ok = cb_batch_status_done(cb_json_str(cb_json_root(d), "status"));
    cb_json_free(&d);
    return ok;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = cli_create(path);
    if (!f)
        return -1;
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

/* Run this binary's 'analyze' on the case, its stderr into
 * tmp/analyze.log; -1 (errno set) when it cannot be started. */
static int start_case(struct batch *b, struct running *r,
                      const struct bcase *c)
{
    char log[PATH_MAX + 16], threads[16];
    snprintf(log, sizeof log, "%s/analyze.log", r->tmp);
    snprintf(threads, sizeof threads, "%u", b->threads);
    const char *argv[MAX_PASS + 16];
    int n = 0;
    argv[n++] = b->exe;
    argv[n++] = "analyze";
    argv[n++] = "-o";
    argv[n++] = r->tmp;
    argv[n++] = "--format";
    argv[n++] = "html,md,json";
    argv[n++] = "-j";
    argv[n++] = threads;
    for (int i = 0; i < b->npass; i++)
        argv[n++] = b->pass[i];
    argv[n++] = "--";
    argv[n++] = c->input;
    argv[n] = NULL;
    int fd = cli_create_fd(log);
    int rc = cb_child_start(&r->child, b->exe, argv, fd, b->memory);
    int e = errno;
    if (fd >= 0)
        cb_close(fd);
    errno = e;
    return rc;
}

/* The last non-empty line of the case's log, for a failure reason. */
static void last_log_line(const char *tmp, char *out, size_t size)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/analyze.log", tmp);
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char buf[4096];
    long size_f = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : 0;
    long from = size_f > (long)sizeof buf - 1 ? size_f - (long)sizeof buf + 1
                                              : 0;
    fseek(f, from, SEEK_SET);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
                 buf[n - 1] == ' '))
        buf[--n] = '\0';
    char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    const char *pfx = "casebrief: ";
    if (strncmp(line, pfx, strlen(pfx)) == 0)
        line += strlen(pfx);
    snprintf(out, size, "%.300s", line);
}

static int log_mentions(const char *tmp, const char *what)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/analyze.log", tmp);
    char *s = slurp(path, 1 << 20);
    int yes = s && strstr(s, what) != NULL;
    free(s);
    return yes;
}

/* A child has ended: record it, install its directory, print progress. */
static void finish_case(struct batch *b, struct running *r,
                        const struct cb_child_end *end, size_t done)
{
    struct bcase *c = &b->cases[r->idx];
    double secs = since(r->start);
    char reason[600] = "", line[320];
    char mem[32];
    snprintf(mem, sizeof mem, "%lluM",
             (unsigned long long)(b->memory >> 20));
    last_log_line(r->tmp, line, sizeof line);
    struct cb_case_result res = {.name = c->name, .seconds = secs,
                                 .exit_code = -1,
                                 .peak_rss_kb = end->peak_kb};
    const char *slash = strrchr(c->input, '/');
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s", c->input);
    size_t bl = strlen(base);
    while (bl > 1 && base[bl - 1] == '/')
        base[--bl] = '\0';
    slash = strrchr(base, '/');
    res.input = slash ? slash + 1 : base;
    int oom = b->memory && log_mentions(r->tmp, "out of memory");
    if (r->timed_out) {
        snprintf(reason, sizeof reason,
                 "timed out after %g s (--case-timeout)", b->timeout);
    } else if (end->code < 0) {
        res.signal = end->signal;
        if (b->memory && end->crash_oomish)
            snprintf(reason, sizeof reason,
                     "crashed: %s under the %s memory cap "
                     "(--case-memory): likely out of memory",
                     end->why, mem);
        else
            snprintf(reason, sizeof reason, "crashed: %s", end->why);
    } else {
        int code = end->code;
        res.exit_code = code;
        if (code == 0 || code == 1) {
            c->nfindings = read_report(r->tmp, &res.partial, reason,
                                       sizeof reason);
            if (c->nfindings < 0)
                snprintf(reason, sizeof reason, "no report.json written");
            else
                res.ok = 1;
        } else if (oom) {
            snprintf(reason, sizeof reason,
                     "memory limit exceeded (--case-memory %s): %s", mem,
                     line);
        } else if (code == 3) {
            /* analyze's "nothing readable: FILE (format): why" */
            const char *why = line;
            if (strncmp(why, "nothing readable: ", 18) == 0)
                why += 18;
            snprintf(reason, sizeof reason, "no readable input: %s", why);
        } else if (code == 2) {
            snprintf(reason, sizeof reason, "usage error: %s", line);
        } else if (code == 4) {
            snprintf(reason, sizeof reason, "internal or output failure: %s",
                     line);
        } else if (code == 127 && b->memory) {
            snprintf(reason, sizeof reason, "could not start under the %s "
                     "memory cap (--case-memory): %s", mem, line);
        } else if (code == 127) {
            snprintf(reason, sizeof reason, "could not start: %s", line);
        } else {
            snprintf(reason, sizeof reason, "exit status %d: %s", code, line);
        }
    }
    res.reason = reason;
    c->ok = res.ok;
    c->partial = res.ok && res.partial;
    c->done = 1;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/stamp", r->tmp);
    int bad = cb_batch_write_case(r->tmp, &res) != CB_OK ||
              write_file(path, c->stamp) != 0 ||
              install(r->tmp, b->out, c->name) != 0;
    if (bad) {
        fprintf(stderr, "%s: cannot write %s/%s: %s\n", prog, b->out,
                c->name, strerror(errno));
        c->ok = 0;
        b->write_failed = 1;
        rm_rf(r->tmp);
    }
    if (!b->quiet) {
        if (c->partial)
            cli_say("[%zu/%zu] %s: %d finding%s, PARTIAL: %s (%.1f s)", done,
                    b->ncases, c->name, c->nfindings,
                    c->nfindings == 1 ? "" : "s", reason, secs);
        else if (c->ok)
            cli_say("[%zu/%zu] %s: %d finding%s (%.1f s)", done,
                    b->ncases, c->name, c->nfindings,
                    c->nfindings == 1 ? "" : "s", secs);
        else
            cli_say("[%zu/%zu] %s: FAILED, %s (%.1f s)", done,
                    b->ncases, c->name, reason, secs);
    }
}

static int run_cases(struct batch *b)
{
    struct running *run = calloc(b->jobs, sizeof *run);
    if (!run)
        return -1;
    size_t next = 0, done = 0;
    unsigned active = 0;
    for (size_t i = 0; i < b->ncases; i++) {
        struct bcase *c = &b->cases[i];
        if (b->force || !up_to_date(b, c))
            continue;
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s", b->out, c->name);
        c->skipped = c->done = c->ok = 1;
        c->nfindings = read_report(dir, &c->partial, NULL, 0);
        done++;
        if (!b->quiet)
            cli_say("[%zu/%zu] %s: up to date, %d finding%s%s", done,
                    b->ncases, c->name, c->nfindings,
                    c->nfindings == 1 ? "" : "s",
                    c->partial ? ", partial" : "");
    }
    while (!interrupted) {
        while (active < b->jobs && next < b->ncases && !interrupted) {
            struct bcase *c = &b->cases[next];
            if (c->skipped) {
                next++;
                continue;
            }
            struct running *r = NULL;
            for (unsigned k = 0; k < b->jobs && !r; k++)
                if (!run[k].child)
                    r = &run[k];
            snprintf(r->tmp, sizeof r->tmp, "%s/.tmp-%.150s-%s-%ld",
                     b->out, c->name, b->host, cb_pid());
            rm_rf(r->tmp);
            if (cb_mkdir(r->tmp) != 0) {
                fprintf(stderr, "%s: cannot create %s: %s\n", prog, r->tmp,
                        strerror(errno));
                free(run);
                return -1;
            }
            r->idx = next++;
            r->timed_out = 0;
            r->start = cb_monotonic_ns();
            if (start_case(b, r, c) != 0) {
                fprintf(stderr, "%s: cannot start a case: %s\n", prog,
                        strerror(errno));
                rm_rf(r->tmp);
                free(run);
                return -1;
            }
            active++;
        }
        if (!active)
            break;
        int ended = 0;
        for (unsigned k = 0; k < b->jobs; k++) {
            struct cb_child_end end;
            if (run[k].child && cb_child_poll(run[k].child, &end) == 1) {
                finish_case(b, &run[k], &end, ++done);
                cb_child_free(&run[k].child);
                active--;
                ended = 1;
            }
        }
        if (ended)
            continue;
        for (unsigned k = 0; k < b->jobs; k++)
            if (run[k].child && b->timeout > 0 && !run[k].timed_out &&
                since(run[k].start) > b->timeout) {
                run[k].timed_out = 1;
                cb_child_kill(run[k].child);
            }
        cb_sleep_ms(20);
    }
    if (interrupted) {
        for (unsigned k = 0; k < b->jobs; k++)
            if (run[k].child) {
                cb_child_kill(run[k].child);
                cb_child_free(&run[k].child);
                rm_rf(run[k].tmp);
            }
    }
    free(run);
    return interrupted ? -1 : 0;
}

/* ---- merge ------------------------------------------------------------- */

static int copy_file(const char *from, const char *to)
{
    int in = cb_open_read(from);
    if (in < 0)
        return -1;
    int outfd = cli_create_fd(to);
    if (outfd < 0) {
        cb_close(in);
        return -1;
    }
    char buf[65536];
    long n;
    int bad = 0;
    while ((n = cb_read(in, buf, sizeof buf)) > 0)
        if (cb_write(outfd, buf, (size_t)n) != n)
            bad = 1;
    bad |= n < 0;
    bad |= cb_close(outfd) != 0;
    cb_close(in);
    return bad ? -1 : 0;
}

static int case_ok(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/case.json", dir) >= (int)sizeof path)
        return 0;
    struct cb_jdoc *d = cb_json_load(path, 1 << 20);
    int ok = cb_batch_status_done(cb_json_str(cb_json_root(d), "status"));
    cb_json_free(&d);
    return ok;
}

/* Copy the case directory src (plain files only) to OUT/name. */
static int copy_case(const char *src, const char *out, const char *name)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.tmp-merge-%.150s-%ld-%ld", out, name,
             cb_host_id(), cb_pid());
    rm_rf(tmp);
    if (cb_mkdir(tmp) != 0)
        return -1;
    struct cb_dirent *list;
    size_t n;
    int rc = cb_dir_scan(src, &list, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char from[PATH_MAX], to[PATH_MAX + 256];
        struct cb_stat sb;
        if (list[i].name[0] == '.')
            continue;
        snprintf(from, sizeof from, "%s/%s", src, list[i].name);
        snprintf(to, sizeof to, "%s/%s", tmp, list[i].name);
        if (cb_lstat(from, &sb) == 0 && sb.kind == CB_KIND_FILE)
            rc = copy_file(from, to);
    }
    if (list)
        cb_dir_scan_free(&list, n);
    if (rc == 0)
        rc = install(tmp, out, name);
    if (rc != 0)
        rm_rf(tmp);
    return rc;
}

/* Same stamp and same input name: the same case run twice. */
static int same_case(const char *a, const char *b)
{
    char pa[PATH_MAX + 16], pb[PATH_MAX + 16];
    snprintf(pa, sizeof pa, "%s/stamp", a);
    snprintf(pb, sizeof pb, "%s/stamp", b);
    char *sa = slurp(pa, 4096), *sb = slurp(pb, 4096);
    int same = sa && sb && strcmp(sa, sb) == 0;
    free(sa);
    free(sb);
    return same;
}

/* 0; -1 when dir is not a readable directory (an input problem); -2 when
 * a case could not be copied into OUT (an output failure). */
static int merge_dir(struct batch *b, const char *dir,
                     const struct cb_stat *outsb)
{
    struct cb_stat sb;
    if (cb_stat(dir, &sb) != 0 || sb.kind != CB_KIND_DIR) {
        fprintf(stderr, "%s: %s is not a directory\n", prog, dir);
        return -1;
    }
    if (cb_same_file(&sb, outsb))
        return 0; /* OUT itself: its cases are there already */
    struct cb_dirent *list;
    size_t n;
    if (cb_dir_scan(dir, &list, &n) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char src[PATH_MAX], probe[PATH_MAX + 16];
        struct cb_stat psb;
        snprintf(src, sizeof src, "%s/%s", dir, list[i].name);
        snprintf(probe, sizeof probe, "%s/case.json", src);
        if (rc != 0 || list[i].name[0] == '.' || cb_stat(probe, &psb) != 0)
            continue;
        /* a name another run wrote is made safe again (it goes into
         * index.html's links) */
        char base[160], name[200];
        cb_batch_case_name(list[i].name, base, sizeof base);
        snprintf(name, sizeof name, "%s", base);
        for (unsigned k = 2;; k++) {
            char dst[PATH_MAX];
            snprintf(dst, sizeof dst, "%s/%s", b->out, name);
            struct cb_stat dsb;
            if (cb_stat(dst, &dsb) != 0) {
                rc = copy_case(src, b->out, name);
                break;
            }
            if (same_case(src, dst)) {
                /* keep a success over a failure */
                if (case_ok(src) && !case_ok(dst))
                    rc = copy_case(src, b->out, name);
                break;
            }
            snprintf(name, sizeof name, "%s~%u", base, k);
        }
        if (rc != 0) {
            fprintf(stderr, "%s: cannot copy %s into %s: %s\n", prog, src,
                    b->out, strerror(errno));
            rc = -2;
        }
    }
    cb_dir_scan_free(&list, n);
    return rc;
}

/* ---- the command --------------------------------------------------------- */

static int finish_index(struct batch *b)
{
    const char *err;
    size_t n;
    if (cb_batch_index(b->out, &n, &err) != CB_OK) {
        fprintf(stderr, "%s: %s in %s: %s\n", prog, err, b->out,
                strerror(errno));
        return -1;
    }
    printf("%s/index.html\n", b->out);
    return 0;
}

/* What the command line asked for besides the batch itself. */
struct batch_args {
    const char *cases_dirs[64];
    int ncases_dirs, merge;
    struct options analyze; /* the passed-through options, checked */
};

/* A passed-through option: checked here with the code analyze runs, so a
 * bad value fails the batch once rather than every case, then recorded
 * for each case's command line. */
static int pass_option(struct batch *b, struct batch_args *a,
                       const struct cli_option *o, const char *arg)
{
    if (b->npass + 2 > MAX_PASS) {
        fprintf(stderr, "%s: too many options\n", prog);
        return -1;
    }
    /* parsing may edit its argument (--tz upper-cases the host) */
    char *copy = arg ? strdup(arg) : NULL;
    if (arg && !copy) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return -1;
    }
    int rc = cli_option_apply(prog, &a->analyze, o->id, copy);
    if (o->id == OPT_RULES)
        a->analyze.rules_dir = arg; /* kept: the rules are loaded below */
    free(copy);
    a->analyze.ntz = 0; /* their hosts pointed into copy */
    if (rc != 0)
        return -1;
    static char names[MAX_PASS][24];
    snprintf(names[b->npass], sizeof names[0], "--%s", o->name);
    b->pass[b->npass] = names[b->npass];
    b->npass++;
    if (arg)
        b->pass[b->npass++] = arg;
    return 0;
}

/* One batch-only option; -1 on a usage error (message printed). */
static int batch_option(struct batch *b, struct batch_args *a, int c,
                        const char *arg)
{
    uint64_t v;
    char *end;
    switch (c) {
    case 'o': b->out = arg; return 0;
    case 'q': b->quiet = 1; return 0;
    case OPT_FORCE: b->force = 1; return 0;
    case OPT_MERGE: a->merge = 1; return 0;
    case OPT_NO_INDEX: b->no_index = 1; return 0;
    case 'j': return parse_jobs(prog, arg, &b->jobs);
    case OPT_CASE_TIMEOUT:
        errno = 0;
        b->timeout = strtod(arg, &end);
        if (errno || *end || !(b->timeout > 0)) {
            fprintf(stderr, "%s: bad timeout '%s' (seconds)\n", prog, arg);
            return -1;
        }
        return 0;
    case OPT_CASE_MEMORY:
        if (parse_size(arg, &v) != 0 || v < ((uint64_t)1 << 20)) {
            fprintf(stderr, "%s: bad memory cap '%s' (e.g. 2G; at least "
                    "1M)\n", prog, arg);
            return -1;
        }
        b->memory = v;
        return 0;
    case OPT_CASES_DIR:
        if (a->ncases_dirs == 64) {
            fprintf(stderr, "%s: at most 64 --cases-dir\n", prog);
            return -1;
        }
        a->cases_dirs[a->ncases_dirs++] = arg;
        return 0;
    default: return -1;
    }
}

/* The command line into b and a; 0, 1 for --help, -1 on a usage error. */
static int parse_batch_args(int argc, char **argv, struct batch *b,
                            struct batch_args *a)
{
    struct cli_getopt g;
    cli_getopt_build(&g, CMD_BATCH, 1, "");
    cli_options_init(&a->analyze);
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
        const struct cli_option *o = cli_option_find(c, CMD_BATCH);
        const struct cli_option *p = o ? NULL : cli_option_passed(c);
        if (c == 'h') {
            batch_help();
            return 1;
        }
        if (p ? pass_option(b, a, p, optarg) != 0
              : !o || batch_option(b, a, c, optarg) != 0) {
            fprintf(stderr, "Try 'casebrief batch --help'.\n");
            return -1;
        }
    }
    if (!b->out) {
        fprintf(stderr, "%s: -o OUT is required\n", prog);
        return -1;
    }
    if (optind >= argc && !a->ncases_dirs) {
        fprintf(stderr, "%s: no %s given\n", prog,
                a->merge ? "OUTDIR" : "CASE");
        return -1;
    }
    return 0;
}

/* OUT, created when missing; its identity into outsb. An exit status on
 * failure, else 0. */
static int make_out(const struct batch *b, struct cb_stat *outsb)
{
    if (cb_mkdir(b->out) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", prog, b->out,
                strerror(errno));
        return EXIT_INTERNAL;
    }
    if (cb_stat(b->out, outsb) != 0 || outsb->kind != CB_KIND_DIR) {
        fprintf(stderr, "%s: %s is not a directory\n", prog, b->out);
        return EXIT_USAGE;
    }
    return 0;
}

static int merge(struct batch *b, int argc, char **argv,
                 const struct cb_stat *outsb)
{
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        int r = merge_dir(b, argv[i], outsb);
        if (r == -2)
            rc = EXIT_INTERNAL;
        else if (r != 0 && rc == 0)
            rc = EXIT_NO_INPUT;
    }
    if (finish_index(b) != 0)
        rc = EXIT_INTERNAL;
    return rc;
}

/* This binary, the host name for temporary names, the cases, their names
 * and stamps, jobs and threads. An exit status on failure, else 0. */
static int prepare(struct batch *b, const struct batch_args *a, int argc,
                   char **argv, const struct cb_stat *outsb)
{
    if (cb_self_exe(b->exe, sizeof b->exe) != 0) {
        fprintf(stderr, "%s: cannot find this program (/proc/self/exe)\n",
                prog);
        return EXIT_INTERNAL;
    }
    cb_host_name(b->host, sizeof b->host);
    for (char *h = b->host; *h; h++)
        if (*h == '/' || *h == '.')
            *h = '_';
    int rc = 0;
    for (int i = optind; i < argc && rc == 0; i++)
        rc = add_case(b, argv[i]);
    for (int i = 0; i < a->ncases_dirs && rc == 0; i++)
        rc = add_cases_dir(b, a->cases_dirs[i], outsb);
    if (rc != 0)
        return EXIT_NO_INPUT; /* a --cases-dir unreadable (or no memory) */
    unsigned ncpu = cb_cpu_count();
    if (ncpu > 256)
        ncpu = 1;
    if (!b->jobs)
        b->jobs = (unsigned)ncpu;
    if (b->jobs > b->ncases && b->ncases)
        b->jobs = (unsigned)b->ncases;
    b->threads = ncpu / (b->jobs ? b->jobs : 1);
    if (!b->threads)
        b->threads = 1;
    name_cases(b);
    make_stamps(b);
    return 0;
}

/* Every case run (or found up to date), then the index and the summary. */
static int run_all(struct batch *b)
{
    cb_on_interrupt(on_signal);
    if (b->ncases && run_cases(b) != 0) {
        fprintf(stderr, "%s: stopped%s\n", prog,
                interrupted ? " (interrupted)" : "");
        return interrupted ? 130 : EXIT_INTERNAL;
    }
    int failed = 0, found = 0;
    for (size_t i = 0; i < b->ncases; i++) {
        failed |= !b->cases[i].ok;
        found |= b->cases[i].nfindings > 0;
    }
    int rc = failed ? EXIT_NO_INPUT : found ? EXIT_FINDINGS
                                            : EXIT_NOTHING_FOUND;
    if (b->write_failed || (!b->no_index && finish_index(b) != 0))
        rc = EXIT_INTERNAL;
    if (!b->quiet) {
        size_t nf = 0, ns = 0, np = 0;
        for (size_t i = 0; i < b->ncases; i++) {
            nf += !b->cases[i].ok;
            ns += b->cases[i].skipped;
            np += b->cases[i].partial;
        }
        fprintf(stderr, "%s: %zu cases, %zu up to date, %zu partial, %zu "
                "failed\n", prog, b->ncases, ns, np, nf);
    }
    return rc;
}

int cmd_batch(int argc, char **argv)
{
    struct batch b = {.jobs = 0};
    struct batch_args a = {.merge = 0};
    int rc = parse_batch_args(argc, argv, &b, &a);
    if (rc != 0)
        return rc > 0 ? EXIT_NOTHING_FOUND : EXIT_USAGE;
    /* the rules of --rules, once, rather than failing every case */
    if (a.analyze.rules_dir) {
        int failed;
        a.analyze.quiet = 1; /* each case's log says it again */
        struct cb_rules *rs = load_rules(prog, &a.analyze, &failed);
        cb_rules_free(&rs);
        if (failed)
            return EXIT_USAGE;
    }
    struct cb_stat outsb;
    if ((rc = make_out(&b, &outsb)) != 0)
        return rc;
    if (a.merge)
        return merge(&b, argc, argv, &outsb);
    rc = prepare(&b, &a, argc, argv, &outsb);
    if (rc == 0)
        rc = run_all(&b);
    for (size_t i = 0; i < b.nowned; i++)
        free(b.owned[i]);
    free(b.owned);
    free(b.cases);
    return rc;
}
