/*
 * test_hostile.c - hostile input, generated here: archive attacks (bombs
 * by ratio, by nesting and by fan-out, traversal, absolute, symlink and
 * hard-link members, absurd declared sizes, truncation at every 10th
 * byte, encryption), EVTX with fields pointing everywhere, template loops
 * and deep nesting, XML entity bombs, a 100 MB CSV field, a cluster.log
 * line of 64 MB (1 GB with CB_HOSTILE_BIG=1) streamed through a FIFO,
 * UTF-16 lone surrogates, a FIFO and a symlink loop in a directory.
 *
 * Every case: ends within its Criterion timeout, stays under a peak-RSS
 * cap (getrusage; Criterion runs each test in its own process), leaves a
 * warning naming what was skipped or cut, and a known-good member next to
 * the hostile one still yields all its events. Each test prints its time
 * and peak RSS ("hostile NAME: ...") on stderr.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

/* ---- bounds ------------------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__)
#define CB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CB_ASAN 1
#endif
#endif

/* Peak RSS allowed for one case, in MB, on top of the test's own data.
 * ASan keeps freed memory in quarantine (256 MB) and shadows the rest. */
#ifdef CB_ASAN
#define RSS_CAP_MB 900L
#else
#define RSS_CAP_MB 200L
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* Report and assert the bounds of a case that started at t0. */
static void bounds(const char *name, double t0, double max_s, long extra_mb)
{
    double dt = now_s() - t0;
    long rss = peak_rss_mb();
    fprintf(stderr, "hostile %s: %.2f s, peak RSS %ld MB\n", name, dt, rss);
    cr_expect_lt(dt, max_s, "%s took %.1f s", name, dt);
    cr_expect_lt(rss, RSS_CAP_MB + extra_mb, "%s: peak RSS %ld MB", name, rss);
}

/* ---- bundles ----------------------------------------------------------- */

#define MEMBER(n, d, l) {(n), (d), (l), 0}
#define GOOD_EVENTS 5

static void dump(const struct cb_analysis *an)
{
    if (!getenv("CB_TEST_VERBOSE"))
        return;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        fprintf(stderr, "source %s format=%s events=%llu warnings=%u\n",
                s->path, s->format, (unsigned long long)s->nevents,
                s->nwarnings);
        for (const struct cb_warning *w = s->warnings; w; w = w->next)
            fprintf(stderr, "  [%llu] %s\n", (unsigned long long)w->where,
                    w->msg);
    }
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        fprintf(stderr, "warning [%s] %s\n", w->source ? w->source : "-",
                w->msg);
}

/* A good cluster.log of GOOD_EVENTS lines. */
static char *good_log(size_t *len)
{
    return clusterlog_lines(9, GOOD_EVENTS, len);
}

/* The known-good member at path: parsed, all its events there. */
static void expect_good(const struct cb_analysis *an, const char *path)
{
    const struct cb_source *s = find_source(an, path);
    if (!s)
        dump(an);
    cr_assert_not_null(s, "good member '%s' missing", path);
    cr_expect_str_eq(s->format, "clusterlog", "%s", path);
    cr_expect_eq(s->nevents, GOOD_EVENTS, "%s: %llu events", path,
                 (unsigned long long)s->nevents);
    cr_expect_eq(s->nwarnings, 0u, "%s has warnings", path);
}

/* A warning about path: bundle level with that source and needle in its
 * message (needle may be NULL), or on the source itself. */
static int warned(const struct cb_analysis *an, const char *path,
                  const char *needle)
{
    for (const struct cb_warning *w = an->warnings; w; w = w->next) {
        if (w->source && strcmp(w->source, path) == 0 &&
            (!needle || strstr(w->msg, needle)))
            return 1;
    }
    const struct cb_source *s = find_source(an, path);
    for (const struct cb_warning *w = s ? s->warnings : NULL; w; w = w->next) {
        if (!needle || strstr(w->msg, needle))
            return 1;
    }
    return 0;
}

static void expect_warned(const struct cb_analysis *an, const char *path,
                          const char *needle)
{
    int ok = warned(an, path, needle);
    if (!ok)
        dump(an);
    cr_expect(ok, "no warning naming '%s'%s%s", path, needle ? " with " : "",
              needle ? needle : "");
}

static int utf8_valid(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len, cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (i + len > n)
            return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/* Every string of every event is valid UTF-8. */
static void expect_all_utf8(const struct cb_analysis *an)
{
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        for (size_t k = 0; k < s->nevents; k++) {
            const struct cb_event *e = s->events[k];
            cr_expect(utf8_valid(msg_of(e)), "%s event %zu message", s->path,
                      k);
            cr_expect(utf8_valid(e->host) && utf8_valid(e->channel));
            for (uint32_t f = 0; f < e->nfields; f++)
                cr_expect(utf8_valid(e->fields[f].name) &&
                              utf8_valid(e->fields[f].value),
                          "%s event %zu field %u", s->path, k, f);
        }
    }
}

static char *scratch_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *d = malloc(4096);
    snprintf(d, 4096, "%s/cb-hostile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null(mkdtemp(d), "mkdtemp: %s", strerror(errno));
    return d;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* ---- archives ---------------------------------------------------------- */

Test(hostile, zip_bomb_by_ratio, .timeout = 60)
{
    const size_t bomb_len = (size_t)64 << 20;
    unsigned char *zeros = calloc(1, bomb_len);
    cr_assert_not_null(zeros);
    size_t l, zip_len;
    char *log = good_log(&l);
    struct member m[] = {MEMBER("HV-BOMB_cluster.log", zeros, bomb_len),
                         MEMBER("HV-GOOD_cluster.log", log, l)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 2, &zip_len);
    cr_assert_not_null(zip);
    free(zeros);

    double t0 = now_s();
    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.ratio = 100; /* --max-ratio 100; the judging threshold stays 16 MB */
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    expect_warned(an, "case.zip!HV-BOMB_cluster.log", "--max-ratio");
    const struct cb_source *b = find_source(an, "case.zip!HV-BOMB_cluster.log");
    cr_assert_not_null(b);
    cr_expect_lt(b->bytes, bomb_len / 2, "the bomb was inflated");
    expect_good(an, "case.zip!HV-GOOD_cluster.log");
    bounds("zip_bomb_by_ratio", t0, 30, 0);
    cb_analysis_destroy(&an);
    free(zip);
    free(log);
}

Test(hostile, nested_bomb_beyond_max_depth, .timeout = 60)
{
    /* zip in zip x12, a good log at every level; default --max-depth 6 */
    enum { LEVELS = 12 };
    size_t l;
    char *log = good_log(&l);
    unsigned char *cur = NULL;
    size_t cur_len = 0;
    for (int lvl = LEVELS; lvl >= 1; lvl--) {
        char name[32];
        snprintf(name, sizeof name, "HV-L%02d_cluster.log", lvl);
        struct member m[2] = {MEMBER(name, log, l),
                              MEMBER("next.zip", cur, cur_len)};
        size_t n = cur ? 2 : 1, len;
        unsigned char *z = make_archive("zip", NULL, NULL, NULL, m, n, &len);
        cr_assert_not_null(z);
        free(cur);
        cur = z;
        cur_len = len;
    }
    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", cur, cur_len, NULL), CB_OK);
    char path[1024] = "case.zip";
    for (int lvl = 1; lvl <= LEVELS; lvl++) {
        char good[1100];
        snprintf(good, sizeof good, "%s!HV-L%02d_cluster.log", path, lvl);
        if (lvl <= (int)CB_LIMIT_DEPTH)
            expect_good(an, good);
        else
            cr_expect_null(find_source(an, good), "%s read", good);
        strcat(path, "!next.zip");
        if (lvl == (int)CB_LIMIT_DEPTH)
            expect_warned(an, path, "--max-depth");
    }
    cr_expect_eq(cb_analysis_event_count(an),
                 (uint64_t)CB_LIMIT_DEPTH * GOOD_EVENTS);
    bounds("nested_bomb_beyond_max_depth", t0, 20, 0);
    cb_analysis_destroy(&an);
    free(cur);
    free(log);
}

Test(hostile, self_similar_fan_out_stops_at_max_members, .timeout = 120)
{
    /* 42.zip-like: each level is a tar.gz of 8 copies of the level below
     * (they compress into one another), 6 levels: 262144 leaves in a few
     * kilobytes. --max-members 3000 must stop it early. */
    enum { FAN = 8, LEVELS = 6 };
    size_t l;
    char *log = good_log(&l);
    unsigned char *cur = (unsigned char *)strdup(log);
    size_t cur_len = l;
    const char *leaf = "HV-LEAF_cluster.log";
    for (int lvl = 0; lvl < LEVELS; lvl++) {
        struct member m[FAN];
        char names[FAN][32];
        for (int k = 0; k < FAN; k++) {
            snprintf(names[k], sizeof names[k], lvl ? "c%d.tgz" : "%d_%s", k,
                     leaf);
            m[k] = (struct member)MEMBER(names[k], cur, cur_len);
        }
        size_t len;
        unsigned char *t = make_archive("paxr", "gzip", NULL, NULL, m, FAN,
                                        &len);
        cr_assert_not_null(t);
        free(cur);
        cur = t;
        cur_len = len;
    }
    struct member top[] = {MEMBER("HV-GOOD_cluster.log", log, l),
                           MEMBER("bomb.tgz", cur, cur_len)};
    size_t zip_len;
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, top, 2,
                                      &zip_len);
    cr_assert_not_null(zip);
    fprintf(stderr, "fan-out bomb: %zu bytes for %d leaves\n", cur_len,
            8 * 8 * 8 * 8 * 8 * 8);

    double t0 = now_s();
    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.members = 3000;
    lim.depth = LEVELS + 2; /* the fan-out, not the depth, must stop it */
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    expect_good(an, "case.zip!HV-GOOD_cluster.log");
    int any = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        any |= strstr(w->msg, "--max-members") != NULL &&
               strncmp(w->source, "case.zip!bomb.tgz", 17) == 0;
    cr_expect(any, "no --max-members warning inside bomb.tgz");
    cr_expect_leq(an->nsources, 3100u, "%zu sources", an->nsources);
    cr_expect_leq(an->nwarnings, 3100u, "%zu warnings", an->nwarnings);
    bounds("self_similar_fan_out", t0, 60, 0);
    cb_analysis_destroy(&an);
    free(zip);
    free(cur);
    free(log);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

Test(hostile, traversal_absolute_symlink_and_hardlink_members, .timeout = 60)
{
    size_t l;
    char *log = good_log(&l);
    char abs_name[256];
    snprintf(abs_name, sizeof abs_name, "/tmp/cb-hostile-abs-%d_cluster.log",
             (int)getpid());
    const char *rel = "../../cb-hostile-rel_cluster.log";
    cr_assert_not(exists(abs_name));
    cr_assert_not(exists("../../cb-hostile-rel_cluster.log"));

    /* tar: the only format that carries hard links as such */
    struct archive *a = archive_write_new();
    size_t cap = 1 << 20, used = 0;
    unsigned char *buf = malloc(cap);
    cr_assert_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
    cr_assert_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    struct {
        const char *name;
        int type; /* 0 file, 1 symlink, 2 hardlink */
        const char *target;
    } ms[] = {
        {"HV-GOOD_cluster.log", 0, NULL},
        {rel, 0, NULL},
        {abs_name, 0, NULL},
        {"link_cluster.log", 1, "/etc/passwd"},
        {"up_cluster.log", 1, "../../../../../../etc/shadow"},
        {"hard_cluster.log", 2, "HV-GOOD_cluster.log"},
        {"hard2_cluster.log", 2, "/etc/passwd"},
        {"HV-AFTER_cluster.log", 0, NULL},
    };
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, ms[i].name);
        archive_entry_set_mtime(e, 1731628800, 0);
        archive_entry_set_perm(e, 0644);
        if (ms[i].type == 1) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, ms[i].target);
            archive_entry_set_size(e, 0);
        } else if (ms[i].type == 2) {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_hardlink(e, ms[i].target);
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)l);
        }
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s",
                     archive_error_string(a));
        if (ms[i].type == 0)
            cr_assert_eq(archive_write_data(a, log, l), (la_ssize_t)l);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);

    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tar", buf, used, NULL), CB_OK);
    expect_good(an, "case.tar!HV-GOOD_cluster.log");
    expect_good(an, "case.tar!HV-AFTER_cluster.log");
    char p[600];
    snprintf(p, sizeof p, "case.tar!%s", rel);
    expect_warned(an, p, "never extracted");
    snprintf(p, sizeof p, "case.tar!%s", abs_name);
    expect_warned(an, p, "never extracted");
    expect_warned(an, "case.tar!link_cluster.log", "not followed");
    expect_warned(an, "case.tar!up_cluster.log", "not followed");
    expect_warned(an, "case.tar!hard_cluster.log", "not followed");
    expect_warned(an, "case.tar!hard2_cluster.log", "not followed");
    /* read in memory: nothing appeared on disk */
    cr_expect_not(exists(abs_name), "%s was written", abs_name);
    cr_expect_not(exists("../../cb-hostile-rel_cluster.log"));
    cr_expect_not(exists("link_cluster.log"));
    bounds("traversal_absolute_symlink_hardlink", t0, 10, 0);
    cb_analysis_destroy(&an);
    free(buf);
    free(log);
}

/* Overwrite the tar header of the member named name: size field to
 * size (octal), checksum recomputed. */
static void tar_set_size(unsigned char *tar, size_t len, const char *name,
                         unsigned long long size)
{
    for (size_t off = 0; off + 512 <= len; off += 512) {
        if (strcmp((const char *)tar + off, name) != 0)
            continue;
        unsigned char *h = tar + off;
        snprintf((char *)h + 124, 12, "%011llo", size);
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
            sum += h[i];
        snprintf((char *)h + 148, 8, "%06o", sum);
        h[155] = ' ';
        return;
    }
    cr_assert_fail("no tar header for %s", name);
}

/* Set compressed and uncompressed sizes of every zip header (local and
 * central) of the member named name. */
static void zip_set_sizes(unsigned char *z, size_t len, const char *name,
                          uint32_t size)
{
    size_t nl = strlen(name);
    int hits = 0;
    for (size_t i = 0; i + 46 + nl <= len; i++) {
        unsigned char *h = z + i;
        int local = memcmp(h, "PK\3\4", 4) == 0;
        int central = memcmp(h, "PK\1\2", 4) == 0;
        if (!local && !central)
            continue;
        size_t name_at = local ? 30 : 46;
        size_t nlen = (size_t)(h[local ? 26 : 28] | h[local ? 27 : 29] << 8);
        if (nlen != nl || memcmp(h + name_at, name, nl) != 0)
            continue;
        unsigned char *c = h + (local ? 18 : 20);
        for (int k = 0; k < 2; k++) {
            c[4 * k] = (unsigned char)size;
            c[4 * k + 1] = (unsigned char)(size >> 8);
            c[4 * k + 2] = (unsigned char)(size >> 16);
            c[4 * k + 3] = (unsigned char)(size >> 24);
        }
        hits++;
    }
    cr_assert_geq(hits, 1, "no zip header for %s", name);
}

Test(hostile, four_gigabyte_declared_sizes_with_tiny_data, .timeout = 60)
{
    size_t l;
    char *log = good_log(&l);
    const char *tiny = "00000a1c.00001f04::2024/11/15-09:00:00.000 INFO  "
                       "[RCM] tiny\r\n";
    struct member tm[] = {MEMBER("HV-T1_cluster.log", log, l),
                          MEMBER("HV-BIGT_cluster.log", tiny, strlen(tiny))};
    size_t tar_len, zip_len;
    unsigned char *tar = make_archive("ustar", NULL, NULL, NULL, tm, 2,
                                      &tar_len);
    cr_assert_not_null(tar);
    tar_set_size(tar, tar_len, "HV-BIGT_cluster.log", 4ULL << 30);
    struct member zm[] = {MEMBER("HV-Z1_cluster.log", log, l),
                          MEMBER("HV-BIGZ_cluster.log", tiny, strlen(tiny))};
    unsigned char *zip = make_archive("zip", NULL, "zip:compression=store",
                                      NULL, zm, 2, &zip_len);
    cr_assert_not_null(zip);
    zip_set_sizes(zip, zip_len, "HV-BIGZ_cluster.log", 0xFFFFFFF0u);
    struct member top[] = {MEMBER("HV-GOOD_cluster.log", log, l),
                           MEMBER("decl.tar", tar, tar_len),
                           MEMBER("decl.zip", zip, zip_len),
                           MEMBER("HV-AFTER_cluster.log", log, l)};
    size_t outer_len;
    unsigned char *outer = make_archive("paxr", NULL, NULL, NULL, top, 4,
                                        &outer_len);
    cr_assert_not_null(outer);

    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tar", outer, outer_len, NULL),
                 CB_OK);
    expect_good(an, "case.tar!HV-GOOD_cluster.log");
    expect_good(an, "case.tar!HV-AFTER_cluster.log");
    expect_good(an, "case.tar!decl.tar!HV-T1_cluster.log");
    expect_good(an, "case.tar!decl.zip!HV-Z1_cluster.log");
    int t_warned = warned(an, "case.tar!decl.tar!HV-BIGT_cluster.log", NULL) ||
                   warned(an, "case.tar!decl.tar", NULL);
    int z_warned = warned(an, "case.tar!decl.zip!HV-BIGZ_cluster.log", NULL) ||
                   warned(an, "case.tar!decl.zip", NULL);
    if (!t_warned || !z_warned)
        dump(an);
    cr_expect(t_warned, "no warning for the 4 GB tar member");
    /* read as a stream, a zip with data descriptors ignores the sizes in
     * its headers: then the member must simply have been read whole */
    const struct cb_source *bz =
        find_source(an, "case.tar!decl.zip!HV-BIGZ_cluster.log");
    cr_expect(z_warned || (bz && bz->nevents == 1),
              "4 GB zip member neither warned nor read");
    cr_expect_lt(an->total_bytes, 1u << 20, "%llu bytes read",
                 (unsigned long long)an->total_bytes);
    /* the same without the outer tar, straight from memory (seekable) */
    struct cb_analysis *an2 = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an2, "decl.zip", zip, zip_len, NULL), CB_OK);
    expect_good(an2, "decl.zip!HV-Z1_cluster.log");
    cb_analysis_destroy(&an2);
    bounds("four_gigabyte_declared_sizes", t0, 10, 0);
    cb_analysis_destroy(&an);
    free(outer);
    free(zip);
    free(tar);
    free(log);
}

Test(hostile, archives_truncated_at_every_10th_byte, .timeout = 120)
{
    size_t l, il;
    char *log = good_log(&l);
    struct member inner_m[] = {MEMBER("HV-IN_cluster.log", log, l)};
    unsigned char *inner = make_archive("paxr", "gzip", NULL, NULL, inner_m,
                                        1, &il);
    struct member m[] = {MEMBER("HV-A_cluster.log", log, l),
                         MEMBER("inner.tgz", inner, il),
                         MEMBER("HV-B_cluster.log", log, l)};
    struct {
        const char *name, *format, *filter;
    } kinds[] = {{"case.zip", "zip", NULL},
                 {"case.tgz", "paxr", "gzip"},
                 {"case.7z", "7zip", NULL},
                 {"case.tar.xz", "paxr", "xz"}};
    double t0 = now_s();
    size_t cuts = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t len;
        unsigned char *a = make_archive(kinds[k].format, kinds[k].filter,
                                        NULL, NULL, m, 3, &len);
        cr_assert_not_null(a);
        for (size_t cut = 10; cut < len; cut += 10, cuts++) {
            struct cb_analysis *an = cb_analysis_create_all(NULL);
            cr_assert_eq(cb_ingest_memory(an, kinds[k].name, a, cut, NULL),
                         CB_OK, "%s cut at %zu", kinds[k].name, cut);
            uint64_t n = cb_analysis_event_count(an);
            cr_expect_leq(n, 3u * GOOD_EVENTS, "%s cut at %zu", kinds[k].name,
                          cut);
            /* a cut archive says so, naming it or one of its members */
            int any = an->nwarnings > 0;
            for (size_t i = 0; i < an->nsources && !any; i++)
                any = an->sources[i]->nwarnings > 0;
            if (!any)
                dump(an);
            cr_expect(any || n == 3u * GOOD_EVENTS,
                      "%s cut at %zu of %zu: no warning", kinds[k].name, cut,
                      len);
            cb_analysis_destroy(&an);
        }
        free(a);
    }
    fprintf(stderr, "truncated archives: %zu cuts\n", cuts);
    bounds("archives_truncated_at_every_10th_byte", t0, 60, 0);
    free(inner);
    free(log);
}

Test(hostile, encrypted_members, .timeout = 60)
{
    size_t l;
    char *log = good_log(&l);
    struct member em[] = {MEMBER("HV-SECRET_cluster.log", log, l),
                          MEMBER("HV-SECRET2_cluster.log", log, l)};
    size_t zc_len, aes_len = 0, outer_len;
    unsigned char *zc = make_archive("zip", NULL, "zip:encryption=zipcrypt",
                                     "pw", em, 2, &zc_len);
    cr_assert_not_null(zc);
    unsigned char *aes = make_archive("zip", NULL, "zip:encryption=aes256",
                                      "pw", em, 2, &aes_len);
    /* aes256 needs libarchive built with a crypto library */
    struct member top[] = {MEMBER("HV-GOOD_cluster.log", log, l),
                           MEMBER("zipcrypt.zip", zc, zc_len),
                           MEMBER("aes.zip", aes ? aes : zc,
                                  aes ? aes_len : zc_len),
                           MEMBER("HV-AFTER_cluster.log", log, l)};
    unsigned char *outer = make_archive("paxr", "gzip", NULL, NULL, top, 4,
                                        &outer_len);
    cr_assert_not_null(outer);

    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tgz", outer, outer_len, NULL),
                 CB_OK);
    expect_good(an, "case.tgz!HV-GOOD_cluster.log");
    expect_good(an, "case.tgz!HV-AFTER_cluster.log");
    const char *names[] = {"case.tgz!zipcrypt.zip", "case.tgz!aes.zip"};
    for (int k = 0; k < 2; k++) {
        char p[200];
        snprintf(p, sizeof p, "%s!HV-SECRET_cluster.log", names[k]);
        int ok = warned(an, p, "encrypt") || warned(an, names[k], "encrypt");
        if (!ok)
            dump(an);
        cr_expect(ok, "no warning naming %s as encrypted", names[k]);
    }
    for (size_t i = 0; i < an->nsources; i++)
        cr_expect_null(strstr(an->sources[i]->path, "SECRET") &&
                               an->sources[i]->nevents
                           ? an->sources[i]
                           : NULL,
                       "events from an encrypted member");
    bounds("encrypted_members", t0, 10, 0);
    cb_analysis_destroy(&an);
    free(outer);
    free(aes);
    free(zc);
    free(log);
}

/* ---- EVTX -------------------------------------------------------------- */

#define CHUNK 65536u

static uint32_t crc32_of(const unsigned char *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = crc >> 1 ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void w16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void w32(unsigned char *p, uint32_t v)
{
    w16(p, v & 0xFFFF);
    w16(p + 2, v >> 16);
}

static void w64(unsigned char *p, uint64_t v)
{
    w32(p, (uint32_t)v);
    w32(p + 4, (uint32_t)(v >> 32));
}

/* A chunk being written: records from offset 512. */
struct cw {
    unsigned char c[CHUNK];
    uint32_t pos, last_rec;
    unsigned nrec;
};

static void cw_init(struct cw *w)
{
    memset(w, 0, sizeof *w);
    w->pos = 512;
}

static void u8_(struct cw *w, unsigned v) { w->c[w->pos++] = (unsigned char)v; }
static void u16_(struct cw *w, unsigned v)
{
    w16(w->c + w->pos, v);
    w->pos += 2;
}
static void u32_(struct cw *w, uint32_t v)
{
    w32(w->c + w->pos, v);
    w->pos += 4;
}
static void u64_(struct cw *w, uint64_t v)
{
    w64(w->c + w->pos, v);
    w->pos += 8;
}

static void name_(struct cw *w, const char *name)
{
    u32_(w, w->pos + 4);
    u32_(w, 0);
    u16_(w, 0);
    u16_(w, (unsigned)strlen(name));
    for (const char *s = name; *s; s++)
        u16_(w, (unsigned char)*s);
    u16_(w, 0);
}

static void frag_(struct cw *w)
{
    u8_(w, 0x0f);
    u8_(w, 1);
    u8_(w, 1);
    u8_(w, 0);
}

static void open_(struct cw *w, const char *name, int dep)
{
    u8_(w, 0x01);
    if (dep)
        u16_(w, 0xFFFF);
    u32_(w, 0);
    name_(w, name);
    u8_(w, 0x02); /* content */
}

static void end_(struct cw *w) { u8_(w, 0x04); }
static void eof_(struct cw *w) { u8_(w, 0x00); }

/* Template instance with the definition inline; returns its offset. */
static uint32_t tpl_begin(struct cw *w)
{
    u8_(w, 0x0c);
    u8_(w, 0x01);
    u32_(w, 0x1234);
    uint32_t def = w->pos + 4;
    u32_(w, def);
    u32_(w, 0);
    for (int i = 0; i < 16; i++)
        u8_(w, (unsigned)(0xA0 + i));
    u32_(w, 0);
    return def;
}

static void tpl_end(struct cw *w, uint32_t def)
{
    w32(w->c + def + 20, w->pos - (def + 24));
}

/* Instance of a definition stored elsewhere; returns where the offset
 * field is, for patching. */
static uint32_t tpl_ref(struct cw *w, uint32_t def)
{
    u8_(w, 0x0c);
    u8_(w, 0x01);
    u32_(w, 0x1234);
    u32_(w, def);
    return w->pos - 4;
}

static uint32_t rec_begin(struct cw *w, uint64_t id)
{
    uint32_t start = w->pos;
    memcpy(w->c + w->pos, "**\0\0", 4);
    w->pos += 4;
    u32_(w, 0);
    u64_(w, id);
    u64_(w, 133761024000000000ULL + id * 10000000ULL);
    return start;
}

static void rec_end(struct cw *w, uint32_t start)
{
    uint32_t size = w->pos + 4 - start;
    u32_(w, size);
    w32(w->c + start + 4, size);
    w->nrec++;
    w->last_rec = start;
}

/* Header + one chunk holding records 1..nrec, checksums right. */
static unsigned char *evtx_file(struct cw *w, size_t *len)
{
    memcpy(w->c, "ElfChnk\0", 8);
    w64(w->c + 8, 1);
    w64(w->c + 16, w->nrec);
    w64(w->c + 24, 1);
    w64(w->c + 32, w->nrec);
    w32(w->c + 40, 128);
    w32(w->c + 44, w->last_rec);
    w32(w->c + 48, w->pos);
    w32(w->c + 52, crc32_of(w->c + 512, w->pos - 512, 0));
    w32(w->c + 124, crc32_of(w->c + 128, 384, crc32_of(w->c, 120, 0)));
    *len = 4096 + CHUNK;
    unsigned char *f = calloc(1, *len);
    memcpy(f, "ElfFile\0", 8);
    w64(f + 16, 0);
    w64(f + 24, w->nrec + 1);
    w32(f + 32, 128);
    w16(f + 36, 1);
    w16(f + 38, 3);
    w16(f + 40, 4096);
    w16(f + 42, 1);
    w32(f + 124, crc32_of(f, 120, 0));
    memcpy(f + 4096, w->c, CHUNK);
    return f;
}

/* One EVTX next to a good cluster.log: both parsed, the EVTX by whatever
 * parser bids. Returns the analysis (caller destroys). */
static struct cb_analysis *evtx_bundle(const unsigned char *f, size_t len)
{
    size_t l;
    char *log = good_log(&l);
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    cr_assert_eq(cb_ingest_leaf_memory(an, "bundle/hostile.evtx", f, len, NULL),
                 CB_OK);
    cr_assert_eq(cb_ingest_leaf_memory(an, "bundle/HV-GOOD_cluster.log", log,
                                       l, NULL),
                 CB_OK);
    free(log);
    return an;
}

static unsigned char *read_seed(const char *rel, size_t *len)
{
    const char *data = getenv("CB_TEST_DATA");
    cr_assert_not_null(data, "CB_TEST_DATA not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/../fuzz/corpus/%s", data, rel);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s: %s", path, strerror(errno));
    unsigned char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    return buf;
}

Test(hostile, evtx_counts_offsets_and_sizes_pointing_everywhere, .timeout = 180)
{
    size_t len;
    unsigned char *good = read_seed("evtx/one_chunk_three_records.evtx", &len);
    cr_assert_gt(len, 4096u + 512u);
    unsigned char *f = malloc(len);
    const uint32_t values[] = {0, 1, 0x7F, 0x1FF, 0x200, 0x1000, 0xFFFF,
                               0x10000, 0x7FFFFFFF, 0xFFFFFFFF,
                               (uint32_t)len, (uint32_t)len - 1};
    /* (offset, width): file header, chunk header, string and template
     * tables, first record header, and every 4th byte of its Binary XML */
    struct {
        uint32_t off, width;
    } fields[512];
    size_t nf = 0;
    const uint32_t hdr[][2] = {{8, 8},  {16, 8}, {24, 8}, {32, 4}, {36, 2},
                               {38, 2}, {40, 2}, {42, 2}, {120, 4}};
    for (size_t i = 0; i < sizeof hdr / sizeof *hdr; i++)
        fields[nf].off = hdr[i][0], fields[nf++].width = hdr[i][1];
    const uint32_t chk[][2] = {{8, 8},  {16, 8}, {24, 8}, {32, 8},
                               {40, 4}, {44, 4}, {48, 4}, {52, 4}};
    for (size_t i = 0; i < sizeof chk / sizeof *chk; i++)
        fields[nf].off = 4096 + chk[i][0], fields[nf++].width = chk[i][1];
    for (uint32_t o = 128; o < 512; o += 16)
        fields[nf].off = 4096 + o, fields[nf++].width = 4;
    fields[nf].off = 4096 + 512 + 4, fields[nf++].width = 4;
    fields[nf].off = 4096 + 512 + 8, fields[nf++].width = 8;
    for (uint32_t o = 24; o < 24 + 1200 && 4096 + 512 + o + 4 <= len; o += 4)
        fields[nf].off = 4096 + 512 + o, fields[nf++].width = 4;

    double t0 = now_s();
    size_t runs = 0;
    for (size_t i = 0; i < nf; i++) {
        for (size_t v = 0; v < sizeof values / sizeof *values; v++, runs++) {
            memcpy(f, good, len);
            unsigned char *p = f + fields[i].off;
            if (fields[i].width == 2)
                w16(p, values[v] & 0xFFFF);
            else if (fields[i].width == 4)
                w32(p, values[v]);
            else
                w64(p, values[v] == 0xFFFFFFFF ? UINT64_MAX : values[v]);
            struct cb_analysis *an = evtx_bundle(f, len);
            const struct cb_source *s = find_source(an, "bundle/hostile.evtx");
            cr_assert_not_null(s);
            cr_expect_leq(s->nevents, 6u, "field %u value %x",
                          fields[i].off, values[v]);
            const struct cb_source *g =
                find_source(an, "bundle/HV-GOOD_cluster.log");
            cr_assert(g && g->nevents == GOOD_EVENTS,
                      "good log lost at field %u value %x", fields[i].off,
                      values[v]);
            cb_analysis_destroy(&an);
        }
    }
    fprintf(stderr, "evtx mutations: %zu\n", runs);
    bounds("evtx_fields_pointing_everywhere", t0, 120, 0);
    free(f);
    free(good);
}

/* Does the source have a warning containing needle? */
static int src_warned(const struct cb_source *s, const char *needle)
{
    for (const struct cb_warning *w = s->warnings; w; w = w->next)
        if (strstr(w->msg, needle))
            return 1;
    return 0;
}

static void expect_evtx_case(const char *name, unsigned char *f, size_t len,
                             unsigned max_events, int need_warning, double t0)
{
    struct cb_analysis *an = evtx_bundle(f, len);
    const struct cb_source *s = find_source(an, "bundle/hostile.evtx");
    cr_assert_not_null(s);
    dump(an);
    cr_expect_str_eq(s->format, "evtx", "%s", name);
    cr_expect_leq(s->nevents, max_events, "%s", name);
    if (need_warning)
        cr_expect(src_warned(s, "skipped") || src_warned(s, "deeper") ||
                      src_warned(s, "template"),
                  "%s: no warning naming the skipped record", name);
    expect_good(an, "bundle/HV-GOOD_cluster.log");
    expect_all_utf8(an);
    bounds(name, t0, 10, 0);
    cb_analysis_destroy(&an);
    free(f);
}

Test(hostile, evtx_template_loops, .timeout = 60)
{
    static struct cw w;
    size_t len;
    /* A -> B -> A: each definition instantiates the other */
    double t0 = now_s();
    cw_init(&w);
    uint32_t r = rec_begin(&w, 1);
    frag_(&w);
    uint32_t a = tpl_begin(&w);
    frag_(&w);
    open_(&w, "Event", 1);
    uint32_t patch = tpl_ref(&w, 0);
    u32_(&w, 0); /* no values */
    end_(&w);
    eof_(&w);
    tpl_end(&w, a);
    u32_(&w, 0);
    eof_(&w);
    rec_end(&w, r);
    r = rec_begin(&w, 2);
    frag_(&w);
    uint32_t b = tpl_begin(&w);
    frag_(&w);
    open_(&w, "Event", 1);
    tpl_ref(&w, a);
    u32_(&w, 0);
    end_(&w);
    eof_(&w);
    tpl_end(&w, b);
    u32_(&w, 0);
    eof_(&w);
    rec_end(&w, r);
    w32(w.c + patch, b);
    {
        unsigned char *f = evtx_file(&w, &len);
        expect_evtx_case("evtx_mutual_template_loop", f, len, 0, 1, t0);
    }

    /* a template whose definition offset is the instance itself */
    t0 = now_s();
    cw_init(&w);
    r = rec_begin(&w, 1);
    frag_(&w);
    uint32_t at = w.pos;
    tpl_ref(&w, at);
    u32_(&w, 0);
    eof_(&w);
    rec_end(&w, r);
    {
        unsigned char *f = evtx_file(&w, &len);
        /* the instance's own bytes read as a definition: garbage, but
         * bounded; at most the one record comes out */
        expect_evtx_case("evtx_template_at_its_instance", f, len, 1, 0, t0);
    }
}

/* Level k of a value chain: an instance of template def whose one value
 * (type 0x21, Binary XML) holds level k - 1. */
static void value_chain(struct cw *w, uint32_t def, int k)
{
    frag_(w);
    tpl_ref(w, def);
    u32_(w, 1);
    uint32_t desc = w->pos;
    u16_(w, 0);
    u8_(w, 0x21);
    u8_(w, 0);
    uint32_t start = w->pos;
    if (k > 0)
        value_chain(w, def, k - 1);
    else {
        open_(w, "Leaf", 0);
        end_(w);
    }
    eof_(w);
    w16(w->c + desc, w->pos - start);
}

Test(hostile, evtx_substitution_recursion_and_deep_nesting, .timeout = 60)
{
    static struct cw w;
    size_t len;
    /* template T = <Event>%0</Event>, %0 Binary XML holding an instance
     * of T again, 600 levels (each level's value holds the next) */
    double t0 = now_s();
    cw_init(&w);
    uint32_t r = rec_begin(&w, 1);
    frag_(&w);
    uint32_t t = tpl_begin(&w);
    frag_(&w);
    open_(&w, "Event", 1);
    u8_(&w, 0x0d);
    u16_(&w, 0);
    u8_(&w, 0x21);
    end_(&w);
    eof_(&w);
    tpl_end(&w, t);
    u32_(&w, 1);
    uint32_t desc = w.pos;
    u16_(&w, 0);
    u8_(&w, 0x21);
    u8_(&w, 0);
    uint32_t start = w.pos;
    value_chain(&w, t, 600);
    w16(w.c + desc, w.pos - start);
    eof_(&w);
    rec_end(&w, r);
    cr_assert_lt(w.pos, CHUNK);
    {
        unsigned char *f = evtx_file(&w, &len);
        expect_evtx_case("evtx_substitution_recursion", f, len, 0, 1, t0);
    }

    /* 2500 nested elements in one record */
    t0 = now_s();
    cw_init(&w);
    r = rec_begin(&w, 1);
    frag_(&w);
    for (int i = 0; i < 2500; i++)
        open_(&w, i ? "D" : "Event", 1);
    for (int i = 0; i < 2500; i++)
        end_(&w);
    eof_(&w);
    rec_end(&w, r);
    cr_assert_lt(w.pos, CHUNK);
    {
        unsigned char *f = evtx_file(&w, &len);
        expect_evtx_case("evtx_deep_nesting", f, len, 0, 1, t0);
    }
}

/* ---- XML --------------------------------------------------------------- */

static const char xml_event[] =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
    "<System><Provider Name='P'/><EventID>7</EventID><Level>2</Level>"
    "<TimeCreated SystemTime='2024-11-15T01:58:12.9051234Z'/>"
    "<EventRecordID>1</EventRecordID><Channel>System</Channel>"
    "<Computer>N1</Computer></System><EventData><Data Name='x'>%s</Data>"
    "</EventData></Event>";

Test(hostile, xml_entity_bombs_and_external_entities, .timeout = 60)
{
    const char *bombs[] = {
        /* billion laughs: 10^9 'lol' */
        "<?xml version='1.0'?><!DOCTYPE Events ["
        "<!ENTITY a 'lol'>"
        "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
        "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
        "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>"
        "<!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
        "<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>"
        "<!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
        "<!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'>"
        "<!ENTITY i '&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;'>]><Events>",
        /* external entity and external DTD */
        "<?xml version='1.0'?><!DOCTYPE Events SYSTEM 'file:///etc/passwd' ["
        "<!ENTITY i SYSTEM 'file:///etc/passwd'>]><Events>",
        /* parameter entities */
        "<?xml version='1.0'?><!DOCTYPE Events ["
        "<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;"
        "<!ENTITY i 'x'>]><Events>",
        /* quadratic blowup: one big entity used many times */
        NULL,
    };
    char *quad = malloc(300000);
    int n = snprintf(quad, 300000, "<?xml version='1.0'?><!DOCTYPE Events ["
                                   "<!ENTITY i '");
    memset(quad + n, 'x', 100000);
    snprintf(quad + n + 100000, 300000 - (size_t)n - 100000,
             "'>]><Events>");
    bombs[3] = quad;
    for (size_t k = 0; k < sizeof bombs / sizeof *bombs; k++) {
        double t0 = now_s();
        size_t cap = strlen(bombs[k]) + 4 * sizeof xml_event + 200 * 8;
        char *doc = malloc(cap);
        size_t len = (size_t)snprintf(doc, cap, "%s", bombs[k]);
        len += (size_t)snprintf(doc + len, cap - len, xml_event,
                                k == 3 ? "&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;"
                                       : "&i;");
        len += (size_t)snprintf(doc + len, cap - len, xml_event, "plain");
        len += (size_t)snprintf(doc + len, cap - len, "</Events>");
        size_t l;
        char *log = good_log(&l);
        struct cb_analysis *an = cb_analysis_create_all(NULL);
        /* forced (-F evtx-xml): the bidder would not take a DOCTYPE */
        cr_assert_eq(cb_ingest_leaf_memory(an, "bundle/bomb.xml", doc, len,
                                           cb_parser_find("evtx-xml")),
                     CB_OK);
        cr_assert_eq(cb_ingest_leaf_memory(an, "bundle/HV-GOOD_cluster.log",
                                           log, l, NULL),
                     CB_OK);
        expect_good(an, "bundle/HV-GOOD_cluster.log");
        const struct cb_source *s = find_source(an, "bundle/bomb.xml");
        cr_assert_not_null(s);
        dump(an);
        cr_expect_gt(s->nwarnings, 0u, "bomb %zu: no warning", k);
        /* the record using the entity is dropped, the plain one kept */
        cr_expect_eq(s->nevents, 1u, "bomb %zu: %llu events", k,
                     (unsigned long long)s->nevents);
        for (size_t i = 0; i < s->nevents; i++) {
            const struct cb_event *e = s->events[i];
            cr_expect_null(strstr(msg_of(e), "root:"), "bomb %zu: XXE", k);
            cr_expect_lt(strlen(msg_of(e)), 1u << 20, "bomb %zu expanded", k);
            for (uint32_t f = 0; f < e->nfields; f++)
                cr_expect_null(strstr(e->fields[f].value, "root:"));
        }
        char name[40];
        snprintf(name, sizeof name, "xml_entity_bomb_%zu", k);
        bounds(name, t0, 10, 0);
        cb_analysis_destroy(&an);
        free(log);
        free(doc);
    }
    /* rules are input too (--rules DIR) */
    struct cb_rules *rules = NULL;
    struct cb_rule_error *errs = NULL;
    char rx[2048];
    snprintf(rx, sizeof rx, "%s<rule id='X'><title>&i;</title></rule></rules>",
             bombs[0]);
    char *ev = strstr(rx, "<Events>");
    memcpy(ev, "<rules> ", 8);
    cr_assert_eq(cb_rules_load_memory(&rules, "bomb.xml", rx, strlen(rx),
                                      &errs),
                 CB_OK);
    cr_expect_not_null(errs, "a rule file with an entity bomb loads");
    cr_expect(!rules || cb_rules_count(rules) == 0);
    cb_rule_errors_free(&errs);
    cb_rules_free(&rules);
    free(quad);
}

/* ---- big text ---------------------------------------------------------- */

static void write_fill(int fd, char c, size_t n)
{
    static char buf[1 << 16];
    memset(buf, c, sizeof buf);
    while (n > 0) {
        size_t k = n < sizeof buf ? n : sizeof buf;
        ssize_t w = write(fd, buf, k);
        if (w <= 0)
            return;
        n -= (size_t)w;
    }
}

static void write_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

Test(hostile, csv_with_a_100_mb_field, .timeout = 120)
{
    char *dir = scratch_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0);
    write_str(fd, "\"Level\",\"Date and Time\",\"Source\",\"Event ID\","
                  "\"Task Category\",\"Message\"\r\n"
                  "Error,11/15/2024 1:58:12 AM,Microsoft-Windows-"
                  "FailoverClustering,1135,None,\"");
    write_fill(fd, 'A', (size_t)100 << 20);
    write_str(fd, "\"\r\nInformation,11/15/2024 1:58:13 AM,P,1,None,ok\r\n");
    cr_assert_eq(close(fd), 0);
    size_t l;
    char *log = good_log(&l);
    snprintf(path, sizeof path, "%s/HV-GOOD_cluster.log", dir);
    write_file(path, log, l);

    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_path(an, dir, NULL), CB_OK);
    char src[4200];
    snprintf(src, sizeof src, "%s/HV-GOOD_cluster.log", dir);
    expect_good(an, src);
    snprintf(src, sizeof src, "%s/big.csv", dir);
    const struct cb_source *big = find_source(an, src);
    cr_assert_not_null(big);
    /* without a CSV parser the file is listed as unknown, only sniffed;
     * a parser that reads it must say the field was cut */
    if (strcmp(big->format, "unknown") == 0)
        cr_expect_lt(big->bytes, 1u << 20, "unknown file read whole");
    else
        expect_warned(an, src, NULL);
    for (size_t i = 0; i < an->nsources; i++)
        for (size_t k = 0; k < an->sources[i]->nevents; k++)
            cr_expect_leq(strlen(msg_of(an->sources[i]->events[k])),
                          (size_t)CB_LIMIT_LINE_BYTES * 4);
    bounds("csv_with_a_100_mb_field", t0, 60, 0);
    cb_analysis_destroy(&an);
    rm_rf(dir);
    free(dir);
    free(log);
}

/* A cluster.log with one line of line_mb MB ('A's), written by a child
 * into a FIFO that is the input: nothing of that size exists anywhere. */
Test(hostile, cluster_log_with_a_giant_line_through_a_fifo, .timeout = 300)
{
    size_t line_mb = getenv("CB_HOSTILE_BIG") ? 1024 : 64;
    char *dir = scratch_dir();
    char fifo[4200];
    snprintf(fifo, sizeof fifo, "%s/HV-LONG_cluster.log", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo: %s", strerror(errno));
    size_t l;
    char *log = good_log(&l);
    /* casebrief opens a FIFO without waiting for a writer (and reads it
     * as empty if none is there yet): hold a reader open so that the
     * writer connects first, and start reading once it has */
    int hold = open(fifo, O_RDONLY | O_NONBLOCK);
    cr_assert_geq(hold, 0);
    int sync[2];
    cr_assert_eq(pipe(sync), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        alarm(280); /* never outlive the test */
        int fd = open(fifo, O_WRONLY);
        if (fd < 0)
            _exit(1);
        if (write(sync[1], "k", 1) != 1)
            _exit(1);
        /* the reader may stop early: a closed pipe ends the writer */
        signal(SIGPIPE, SIG_DFL);
        write_str(fd, "00000a1c.00001f04::2024/11/15-08:00:00.000 INFO  "
                      "[RCM] before\r\n"
                      "00000a1c.00001f04::2024/11/15-08:00:01.000 INFO  "
                      "[RCM] giant ");
        write_fill(fd, 'A', line_mb << 20);
        write_str(fd, "\r\n");
        ssize_t w = write(fd, log, l);
        (void)w;
        close(fd);
        _exit(0);
    }
    char ready;
    cr_assert_eq(read(sync[0], &ready, 1), 1, "the writer did not connect");
    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_path(an, fifo, NULL), CB_OK);
    close(hold);
    close(sync[0]);
    close(sync[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    const struct cb_source *s = find_source(an, fifo);
    if (!s)
        dump(an);
    cr_assert_not_null(s);
    cr_expect_str_eq(s->format, "clusterlog");
    /* before, the giant (cut), then the good lines */
    cr_expect_eq(s->nevents, 2u + GOOD_EVENTS, "%llu events",
                 (unsigned long long)s->nevents);
    expect_warned(an, fifo, "longer than");
    for (size_t k = 0; k < s->nevents; k++)
        cr_expect_leq(strlen(msg_of(s->events[k])),
                      (size_t)CB_LIMIT_LINE_BYTES);
    cr_expect_geq(s->bytes, (uint64_t)line_mb << 20);
    char name[64];
    snprintf(name, sizeof name, "cluster_log_%zu_mb_line_fifo", line_mb);
    bounds(name, t0, line_mb > 64 ? 240 : 30, 0);
    cb_analysis_destroy(&an);
    unlink(fifo);
    rm_rf(dir);
    free(dir);
    free(log);
}

/* ASCII to UTF-16LE, with \x01 standing for a lone high surrogate and
 * \x02 for a lone low one. */
static size_t to_utf16(const char *s, unsigned char *out)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned v = (unsigned char)*s;
        if (v == 1)
            v = 0xD83D;
        else if (v == 2)
            v = 0xDE00;
        w16(out + n, v);
        n += 2;
    }
    return n;
}

Test(hostile, utf16_with_lone_surrogates, .timeout = 60)
{
    double t0 = now_s();
    const char *texts[][2] = {
        {"HV-S_cluster.log",
         "00000a1c.00001f04::2024/11/15-08:00:00.000 INFO  [RCM] hi \x01 x\r\n"
         "00000a1c.00001f04::2024/11/15-08:00:01.000 INFO  [RCM] lo \x02 x\r\n"
         "00000a1c.00001f04::2024/11/15-08:00:02.000 INFO  [RCM] \x02\x01 "
         "swapped\r\n"
         "00000a1c.00001f04::2024/11/15-08:00:03.000 INFO  [RCM] end \x01"},
        {"events.xml",
         "<?xml version='1.0' encoding='UTF-16'?><Events>"
         "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/"
         "event'><System><Provider Name='P\x01'/><EventID>7</EventID>"
         "<TimeCreated SystemTime='2024-11-15T01:58:12.9051234Z'/>"
         "<Channel>System</Channel><Computer>N\x02</Computer></System>"
         "<EventData><Data Name='a\x01'>\x02v</Data></EventData></Event>"
         "</Events>"},
    };
    size_t l;
    char *log = good_log(&l);
    for (size_t k = 0; k < 2; k++) {
        size_t n = strlen(texts[k][1]);
        unsigned char *u = malloc(2 * n + 2);
        u[0] = 0xFF;
        u[1] = 0xFE;
        size_t len = 2 + to_utf16(texts[k][1], u + 2);
        struct cb_analysis *an = cb_analysis_create_all(NULL);
        char path[64];
        snprintf(path, sizeof path, "bundle/%s", texts[k][0]);
        cr_assert_eq(cb_ingest_leaf_memory(an, path, u, len, NULL), CB_OK);
        cr_assert_eq(cb_ingest_leaf_memory(an, "bundle/HV-GOOD_cluster.log",
                                           log, l, NULL),
                     CB_OK);
        dump(an);
        expect_good(an, "bundle/HV-GOOD_cluster.log");
        const struct cb_source *s = find_source(an, path);
        cr_assert_not_null(s);
        cr_expect_gt(s->nevents, 0u, "%s: nothing parsed", path);
        expect_all_utf8(an);
        /* lone surrogates show as U+FFFD */
        int fffd = 0;
        for (size_t i = 0; i < s->nevents; i++) {
            const struct cb_event *e = s->events[i];
            fffd |= strstr(msg_of(e), "\xEF\xBF\xBD") != NULL;
            for (uint32_t f = 0; f < e->nfields; f++)
                fffd |= strstr(e->fields[f].value, "\xEF\xBF\xBD") != NULL;
        }
        cr_expect(fffd, "%s: no U+FFFD for a lone surrogate", path);
        cb_analysis_destroy(&an);
        free(u);
    }
    bounds("utf16_with_lone_surrogates", t0, 10, 0);
    free(log);
}

/* ---- the file system --------------------------------------------------- */

Test(hostile, fifo_and_symlink_loops_in_a_directory, .timeout = 60)
{
    char *dir = scratch_dir();
    char p[4200], q[4200];
    size_t l;
    char *log = good_log(&l);
    snprintf(p, sizeof p, "%s/HV-GOOD_cluster.log", dir);
    write_file(p, log, l);
    snprintf(p, sizeof p, "%s/fifo_cluster.log", dir); /* no writer */
    cr_assert_eq(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/self", dir);
    cr_assert_eq(symlink(".", p), 0);
    snprintf(p, sizeof p, "%s/sub", dir);
    cr_assert_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/sub/up", dir);
    cr_assert_eq(symlink("..", p), 0);
    snprintf(p, sizeof p, "%s/sub/HV-SUB_cluster.log", dir);
    write_file(p, log, l);
    snprintf(p, sizeof p, "%s/ping", dir);
    snprintf(q, sizeof q, "%s/pong", dir);
    cr_assert_eq(symlink(q, p), 0);
    cr_assert_eq(symlink(p, q), 0);

    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_path(an, dir, NULL), CB_OK);
    snprintf(p, sizeof p, "%s/HV-GOOD_cluster.log", dir);
    expect_good(an, p);
    snprintf(p, sizeof p, "%s/sub/HV-SUB_cluster.log", dir);
    expect_good(an, p);
    snprintf(p, sizeof p, "%s/fifo_cluster.log", dir);
    expect_warned(an, p, "not a regular file");
    const char *links[] = {"self", "sub/up", "ping", "pong"};
    for (int k = 0; k < 4; k++) {
        snprintf(p, sizeof p, "%s/%s", dir, links[k]);
        expect_warned(an, p, "symbolic link");
    }
    cr_expect_eq(cb_analysis_event_count(an), 2u * GOOD_EVENTS);
    /* a symlink loop given as the input itself: an error, no hang */
    struct cb_error err = {0};
    snprintf(p, sizeof p, "%s/ping", dir);
    cr_expect_eq(cb_ingest_path(an, p, &err), CB_E_IO);
    bounds("fifo_and_symlink_loops", t0, 10, 0);
    cb_analysis_destroy(&an);
    rm_rf(dir);
    free(dir);
    free(log);
}

/* ---- one corrupt member among good ones -------------------------------- */

Test(hostile, one_corrupt_member_among_good_ones, .timeout = 60)
{
    size_t l, evl;
    char *log = good_log(&l);
    unsigned char *ev = read_seed("evtx/one_chunk_three_records.evtx", &evl);
    /* the EVTX with its chunk magic and every record signature broken */
    memcpy(ev + 4096, "XXXXXXXX", 8);
    for (size_t i = 4096; i + 4 <= evl; i++)
        if (memcmp(ev + i, "**\0\0", 4) == 0)
            ev[i] = 'X';
    struct member m[] = {MEMBER("logs/HV-N1_cluster.log", log, l),
                         MEMBER("logs/HV-N2_cluster.log", log, l),
                         MEMBER("evtx/System.evtx", ev, evl),
                         MEMBER("logs/HV-N3_cluster.log", log, l)};
    size_t zip_len;
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 4, &zip_len);
    cr_assert_not_null(zip);
    double t0 = now_s();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    dump(an);
    expect_good(an, "case.zip!logs/HV-N1_cluster.log");
    expect_good(an, "case.zip!logs/HV-N2_cluster.log");
    expect_good(an, "case.zip!logs/HV-N3_cluster.log");
    cr_expect_eq(cb_analysis_event_count(an), 3u * GOOD_EVENTS);
    const struct cb_source *bad = find_source(an, "case.zip!evtx/System.evtx");
    cr_assert_not_null(bad);
    cr_expect_eq(bad->nevents, 0u);
    cr_expect_gt(bad->nwarnings, 0u, "the corrupt member has no warning");
    /* the warnings name it, and only it (the good members have none:
     * expect_good) */
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        cr_expect_str_eq(w->source, "case.zip!evtx/System.evtx",
                         "warning about %s: %s", w->source, w->msg);
    size_t warned_sources = 0;
    for (size_t i = 0; i < an->nsources; i++)
        warned_sources += an->sources[i]->nwarnings > 0;
    cr_expect_eq(warned_sources, 1u);
    bounds("one_corrupt_member_among_good_ones", t0, 10, 0);
    cb_analysis_destroy(&an);
    free(zip);
    free(ev);
    free(log);
}

/* issue 19 #1: member names are printed on the progress line and carried
 * into findings and errors; an ESC, OSC or 8-bit CSI in one reached the
 * engineer's terminal raw (only bytes below 0x20, DEL and '!' were
 * replaced). Every such byte of the label is now '?'. */
Test(hostile, member_names_carry_no_terminal_control, .timeout = 60)
{
    size_t loglen, zlen;
    char *log = clusterlog_lines(9, 3, &loglen);
    const struct member m[] = {
        {"N1\x1b[31m\x1b]0;pwned\x07\x9b" "2J\xc2\x9b\xe2\x80\xae_cluster.log",
         log, loglen, 0}};
    unsigned char *zip = make_archive("ustar", NULL, NULL, NULL, m, 1, &zlen);
    struct cb_analysis *an = analysis(NULL);
    cr_assert_eq(cb_ingest_memory(an, "up.tar", zip, zlen, NULL), CB_OK);
    cr_assert_eq(an->nsources, 1u);
    const char *label = an->sources[0]->path;
    cr_expect_str_eq(label, "up.tar!N1?[31m?]0;pwned??2J??_cluster.log");
    for (const unsigned char *p = (const unsigned char *)label; *p; p++)
        cr_expect(*p >= 0x20 && *p != 0x7f && *p < 0x80, "byte %02x", *p);
    cb_analysis_destroy(&an);
    free(zip);
    free(log);
}

/* issue 19 #7: names longer than 1,023 bytes were cut without a word, so
 * two members could share one label. They are skipped with a warning,
 * as README says, and the members beside them are read. */
Test(hostile, overlong_member_names_are_skipped_with_a_warning, .timeout = 60)
{
    char a[1201], b[1201];
    memset(a, 'x', 1200);
    a[1200] = '\0';
    memcpy(b, a, sizeof a);
    memcpy(a + 1200 - 12, "_cluster.log", 12); /* same first 1188 bytes */
    memcpy(b + 1200 - 12, "_CLUSTER.LOG", 12);
    char edge[CB_LIMIT_MEMBER_NAME_BYTES + 1]; /* exactly at the cap: kept */
    memset(edge, 'y', sizeof edge - 1);
    memcpy(edge + sizeof edge - 1 - 12, "_cluster.log", 13);
    size_t loglen, zlen;
    char *log = clusterlog_lines(9, 3, &loglen);
    const struct member m[] = {{a, log, loglen, 0},
                               {b, log, loglen, 0},
                               {edge, log, loglen, 0},
                               {"N1_cluster.log", log, loglen, 0}};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 4, &zlen);
    struct cb_analysis *an = analysis(NULL);
    cr_assert_eq(cb_ingest_memory(an, "long.zip", zip, zlen, NULL), CB_OK);
    cr_expect_eq(an->nsources, 2u, "the two overlong members are skipped");
    size_t warned = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        warned += strstr(w->msg, "member name of 1200 bytes (over 1023) "
                                 "skipped: xxx") != NULL;
    cr_expect_eq(warned, 2u);
    cr_expect_not_null(find_source(an, "long.zip!N1_cluster.log"));
    char want[CB_LIMIT_MEMBER_NAME_BYTES + 16];
    snprintf(want, sizeof want, "long.zip!%s", edge);
    cr_expect_not_null(find_source(an, want));
    cb_analysis_destroy(&an);
    free(zip);
    free(log);
}

/* issue 19, also seen: a .gz of zeros inside a zip was missing from the
 * sources (it reads as an empty tar). An archive that yields no member is
 * listed with a warning saying so, beside the members that were read. */
Test(hostile, an_archive_holding_no_member_is_listed, .timeout = 60)
{
    static unsigned char zeros[20000];
    size_t gzlen, loglen, zlen;
    const struct member z[] = {{"zeros", zeros, sizeof zeros, 0}};
    unsigned char *gz = make_archive("raw", "gzip", NULL, NULL, z, 1, &gzlen);
    char *log = clusterlog_lines(9, 3, &loglen);
    const struct member m[] = {{"zeros.gz", gz, gzlen, 0},
                               {"N1_cluster.log", log, loglen, 0}};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 2, &zlen);
    struct cb_analysis *an = analysis(NULL);
    cr_assert_eq(cb_ingest_memory(an, "up.zip", zip, zlen, NULL), CB_OK);
    const struct cb_source *s = find_source(an, "up.zip!zeros.gz");
    cr_assert_not_null(s, "the empty archive is among the sources");
    cr_expect_str_eq(s->format, "skipped");
    cr_expect(has_warning(an, "archive holds no member"));
    cr_expect_not_null(find_source(an, "up.zip!N1_cluster.log"));
    cb_analysis_destroy(&an);
    free(zip);
    free(gz);
    free(log);
}
