/*
 * test_ingest.c - the ingestion layer (analyzer/ingest.c): archives built
 * in memory with libarchive's writer, nested, damaged, hostile; every
 * limit of limits.h tripping while the rest of the bundle is still read;
 * directories on disk.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

/* ---- small helpers ----------------------------------------------------- */

/* A regular member. */
#define MEMBER(n, d, l) {(n), (d), (l), 0}

/* Print sources and warnings (CB_TEST_VERBOSE=1) to debug a failure. */
static void dump(const struct cb_analysis *an)
{
    if (!getenv("CB_TEST_VERBOSE"))
        return;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        fprintf(stderr, "source %s format=%s host=%s events=%llu\n", s->path,
                s->format, s->host, (unsigned long long)s->nevents);
    }
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        fprintf(stderr, "warning [%s] %s\n", w->source ? w->source : "-",
                w->msg);
}

/* A warning whose source is exactly source and whose message contains
 * needle. */
static int warned(const struct cb_analysis *an, const char *source,
                  const char *needle)
{
    for (const struct cb_warning *w = an->warnings; w; w = w->next) {
        if (w->source && strcmp(w->source, source) == 0 &&
            strstr(w->msg, needle))
            return 1;
    }
    return 0;
}

/* The source at path, which must exist. */
static const struct cb_source *source(const struct cb_analysis *an,
                                      const char *path)
{
    const struct cb_source *s = find_source(an, path);
    if (!s)
        dump(an);
    cr_assert_not_null(s, "no source '%s' (of %zu)", path, an->nsources);
    return s;
}

/* The source at path must be a parsed cluster.log with n events. */
static void expect_clusterlog(const struct cb_analysis *an, const char *path,
                              uint64_t n)
{
    const struct cb_source *s = source(an, path);
    cr_expect_str_eq(s->format, "clusterlog", "%s", path);
    cr_expect_eq(s->nevents, n, "%s: %llu events, expected %llu", path,
                 (unsigned long long)s->nevents, (unsigned long long)n);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

/* ---- nesting and naming ------------------------------------------------ */

Test(ingest, nested_zip_in_zip_in_tar_gz_keeps_full_member_path)
{
    size_t l1, l2, l3, inner_len, mid_len, top_len;
    char *n1 = clusterlog_lines(10, 7, &l1);
    char *n2 = clusterlog_lines(11, 3, &l2);
    char *n3 = clusterlog_lines(12, 5, &l3);
    struct member inner_m[] = {MEMBER("HV-NODE1_cluster.log", n1, l1)};
    unsigned char *inner =
        make_archive("zip", NULL, NULL, NULL, inner_m, 1, &inner_len);
    cr_assert_not_null(inner);
    struct member mid_m[] = {MEMBER("deep/inner.zip", inner, inner_len),
                             MEMBER("HV-NODE2_cluster.log", n2, l2)};
    unsigned char *mid =
        make_archive("zip", NULL, NULL, NULL, mid_m, 2, &mid_len);
    cr_assert_not_null(mid);
    struct member top_m[] = {MEMBER("logs/N1.zip", mid, mid_len),
                             MEMBER("HV-NODE3_cluster.log", n3, l3),
                             MEMBER("readme.txt", "not a log\n", 10)};
    unsigned char *top =
        make_archive("paxr", "gzip", NULL, NULL, top_m, 3, &top_len);
    cr_assert_not_null(top);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    cr_assert_eq(cb_ingest_memory(an, "case.tar.gz", top, top_len, NULL),
                 CB_OK);
    dump(an);

    expect_clusterlog(
        an, "case.tar.gz!logs/N1.zip!deep/inner.zip!HV-NODE1_cluster.log", 7);
    expect_clusterlog(an, "case.tar.gz!logs/N1.zip!HV-NODE2_cluster.log", 3);
    expect_clusterlog(an, "case.tar.gz!HV-NODE3_cluster.log", 5);
    cr_expect_str_eq(source(an, "case.tar.gz!readme.txt")->format, "unknown");
    /* the archives themselves are containers, not sources */
    cr_expect_null(find_source(an, "case.tar.gz!logs/N1.zip"));
    cr_expect_eq(an->nsources, 4);
    cr_expect_eq(cb_analysis_event_count(an), 15);
    cr_expect_str_eq(
        source(an,
               "case.tar.gz!logs/N1.zip!deep/inner.zip!HV-NODE1_cluster.log")
            ->host,
        "HV-NODE1");
    /* an event points back at its nested source */
    const struct cb_source *s =
        source(an, "case.tar.gz!logs/N1.zip!HV-NODE2_cluster.log");
    cr_assert_eq(s->nevents, 3);
    cr_expect_eq(s->events[0]->source, s);
    cr_expect_str_eq(s->events[0]->host, "HV-NODE2");
    cr_expect_null(an->warnings, "clean bundle, no warning expected");

    cb_analysis_destroy(&an);
    cr_expect_null(an);
    free(top);
    free(mid);
    free(inner);
    free(n1);
    free(n2);
    free(n3);
}

Test(ingest, gzip_compressed_cluster_log_is_named_without_gz)
{
    size_t l, gz_len;
    char *log = clusterlog_lines(9, 12, &l);
    struct member m[] = {MEMBER("HV-NODE3_cluster.log", log, l)};
    unsigned char *gz = make_archive("raw", "gzip", NULL, NULL, m, 1, &gz_len);
    cr_assert_not_null(gz, "libarchive cannot write raw gzip");
    cr_assert(gz_len >= 2 && gz[0] == 0x1f && gz[1] == 0x8b);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "HV-NODE3_cluster.log.gz", gz, gz_len,
                                  NULL),
                 CB_OK);
    dump(an);
    expect_clusterlog(an, "HV-NODE3_cluster.log.gz!HV-NODE3_cluster.log", 12);
    cr_expect_eq(an->nsources, 1);
    cr_expect_str_eq(an->sources[0]->host, "HV-NODE3");
    cr_expect_eq(an->sources[0]->bytes, l, "all %zu bytes inflated", l);
    cb_analysis_destroy(&an);
    free(gz);
    free(log);
}

Test(ingest, seven_zip_nested_in_zip_is_read_in_memory)
{
    size_t l1, l2, sz_len, zip_len;
    char *a = clusterlog_lines(3, 9, &l1);
    char *b = clusterlog_lines(4, 4, &l2);
    struct member sz_m[] = {MEMBER("HV-NODE4_cluster.log", a, l1),
                            MEMBER("sub/HV-NODE5_cluster.log", b, l2)};
    unsigned char *sz =
        make_archive("7zip", NULL, NULL, NULL, sz_m, 2, &sz_len);
    cr_assert_not_null(sz);
    cr_assert(memcmp(sz, "7z\274\257\047\034", 6) == 0);
    struct member zip_m[] = {MEMBER("collect/logs.7z", sz, sz_len),
                             MEMBER("after_cluster.log", b, l2)};
    unsigned char *zip =
        make_archive("zip", NULL, NULL, NULL, zip_m, 2, &zip_len);
    cr_assert_not_null(zip);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    dump(an);
    expect_clusterlog(an, "case.zip!collect/logs.7z!HV-NODE4_cluster.log", 9);
    expect_clusterlog(an, "case.zip!collect/logs.7z!sub/HV-NODE5_cluster.log",
                      4);
    expect_clusterlog(an, "case.zip!after_cluster.log", 4);
    cr_expect_eq(an->nsources, 3);
    cr_expect_null(an->warnings);

    /* and a 7z given directly as bytes */
    struct cb_analysis *an2 = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an2, "top.7z", sz, sz_len, NULL), CB_OK);
    expect_clusterlog(an2, "top.7z!HV-NODE4_cluster.log", 9);
    expect_clusterlog(an2, "top.7z!sub/HV-NODE5_cluster.log", 4);
    cb_analysis_destroy(&an2);

    cb_analysis_destroy(&an);
    free(zip);
    free(sz);
    free(a);
    free(b);
}

/* ---- limits ------------------------------------------------------------ */

Test(ingest, zip_bomb_by_ratio_is_cut_and_sibling_member_still_parsed)
{
    const size_t bomb_len = (size_t)32 << 20;
    unsigned char *zeros = calloc(1, bomb_len);
    cr_assert_not_null(zeros);
    size_t l, zip_len;
    char *log = clusterlog_lines(8, 6, &l);
    /* named like a cluster.log so that it is read, not just sniffed */
    struct member m[] = {MEMBER("bomb/HV-BOMB_cluster.log", zeros, bomb_len),
                         MEMBER("HV-NODE2_cluster.log", log, l)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 2, &zip_len);
    cr_assert_not_null(zip);
    cr_assert_lt(zip_len, bomb_len / 100, "a bomb compresses well");
    free(zeros);

    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.ratio = 50;
    lim.ratio_min_bytes = 1 << 20;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    dump(an);

    const char *bomb = "case.zip!bomb/HV-BOMB_cluster.log";
    const struct cb_source *b = source(an, bomb);
    cr_expect_eq(b->nevents, 0);
    cr_expect_lt(b->bytes, bomb_len, "the bomb was not inflated whole");
    cr_expect(warned(an, bomb, "compression ratio above --max-ratio 50"),
              "no ratio warning naming %s", bomb);
    cr_expect(warned(an, bomb, "possible archive bomb"));
    expect_clusterlog(an, "case.zip!HV-NODE2_cluster.log", 6);
    /* zip members are separately compressed: nothing else skipped */
    cr_expect_not(has_warning(an, "rest of this compressed archive"));
    cr_expect_lt(an->total_bytes, (uint64_t)bomb_len);

    cb_analysis_destroy(&an);
    free(zip);
    free(log);
}

Test(ingest, ratio_trip_in_tar_gz_keeps_earlier_members_and_stops_stream)
{
    const size_t bomb_len = (size_t)16 << 20;
    unsigned char *zeros = calloc(1, bomb_len);
    cr_assert_not_null(zeros);
    size_t l, tgz_len;
    char *log = clusterlog_lines(8, 6, &l);
    struct member m[] = {MEMBER("HV-NODE1_cluster.log", log, l),
                         MEMBER("HV-BOMB_cluster.log", zeros, bomb_len),
                         MEMBER("HV-NODE2_cluster.log", log, l)};
    unsigned char *tgz =
        make_archive("paxr", "gzip", NULL, NULL, m, 3, &tgz_len);
    cr_assert_not_null(tgz);
    free(zeros);

    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.ratio = 50;
    lim.ratio_min_bytes = 1 << 20;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.tgz", tgz, tgz_len, NULL), CB_OK);
    dump(an);

    expect_clusterlog(an, "case.tgz!HV-NODE1_cluster.log", 6);
    cr_expect(warned(an, "case.tgz!HV-BOMB_cluster.log", "compression ratio"));
    /* one gzip stream: going on would mean inflating the bomb anyway */
    cr_expect(warned(an, "case.tgz", "rest of this compressed archive "
                                     "skipped"));
    cr_expect_null(find_source(an, "case.tgz!HV-NODE2_cluster.log"));
    cr_expect_lt(an->total_bytes, (uint64_t)bomb_len);

    cb_analysis_destroy(&an);
    free(tgz);
    free(log);
}

Test(ingest, archive_deeper_than_depth_limit_is_skipped_siblings_read)
{
    size_t la, lb, lc, inner_len, mid_len, top_len;
    char *a = clusterlog_lines(1, 2, &la);
    char *b = clusterlog_lines(2, 3, &lb);
    char *c = clusterlog_lines(3, 4, &lc);
    struct member inner_m[] = {MEMBER("HV-C_cluster.log", c, lc)};
    unsigned char *inner =
        make_archive("zip", NULL, NULL, NULL, inner_m, 1, &inner_len);
    /* the too-deep archive first: members after it must still be read */
    struct member mid_m[] = {MEMBER("inner.zip", inner, inner_len),
                             MEMBER("HV-B_cluster.log", b, lb)};
    unsigned char *mid =
        make_archive("zip", NULL, NULL, NULL, mid_m, 2, &mid_len);
    struct member top_m[] = {MEMBER("mid.zip", mid, mid_len),
                             MEMBER("HV-A_cluster.log", a, la)};
    unsigned char *top =
        make_archive("zip", NULL, NULL, NULL, top_m, 2, &top_len);
    cr_assert(inner && mid && top);

    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.depth = 2;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", top, top_len, NULL), CB_OK);
    dump(an);

    const struct cb_source *s = source(an, "case.zip!mid.zip!inner.zip");
    cr_expect_str_eq(s->format, "skipped");
    cr_expect(warned(an, "case.zip!mid.zip!inner.zip",
                     "nested deeper than --max-depth 2"));
    cr_expect_null(find_source(an, "case.zip!mid.zip!inner.zip!HV-C_cluster.log"));
    expect_clusterlog(an, "case.zip!mid.zip!HV-B_cluster.log", 3);
    expect_clusterlog(an, "case.zip!HV-A_cluster.log", 2);
    cr_expect_eq(cb_analysis_event_count(an), 5);

    /* with the default depth the same bundle is read whole */
    struct cb_analysis *an2 = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an2, "case.zip", top, top_len, NULL), CB_OK);
    expect_clusterlog(an2, "case.zip!mid.zip!inner.zip!HV-C_cluster.log", 4);
    cr_expect_eq(cb_analysis_event_count(an2), 9);
    cb_analysis_destroy(&an2);

    cb_analysis_destroy(&an);
    free(top);
    free(mid);
    free(inner);
    free(a);
    free(b);
    free(c);
}

Test(ingest, members_beyond_member_limit_are_skipped_with_warning)
{
    size_t l, zip_len;
    char *log = clusterlog_lines(5, 4, &l);
    struct member m[] = {MEMBER("HV-M1_cluster.log", log, l),
                         MEMBER("HV-M2_cluster.log", log, l),
                         MEMBER("HV-M3_cluster.log", log, l),
                         MEMBER("HV-M4_cluster.log", log, l)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 4, &zip_len);
    cr_assert_not_null(zip);

    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.members = 3; /* the input itself and two members */
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    dump(an);

    expect_clusterlog(an, "case.zip!HV-M1_cluster.log", 4);
    expect_clusterlog(an, "case.zip!HV-M2_cluster.log", 4);
    cr_expect(warned(an, "case.zip!HV-M3_cluster.log",
                     "member count above --max-members (3)"));
    cr_expect_null(find_source(an, "case.zip!HV-M3_cluster.log"));
    cr_expect_null(find_source(an, "case.zip!HV-M4_cluster.log"));
    cr_expect_eq(an->nwarnings, 1, "one warning for the rest, got %zu",
                 an->nwarnings);
    cr_expect_eq(cb_analysis_event_count(an), 8);

    cb_analysis_destroy(&an);
    free(zip);
    free(log);
}

Test(ingest, member_with_declared_size_above_limit_is_skipped)
{
    size_t lbig, lsmall, tar_len;
    char *big = clusterlog_lines(6, 100, &lbig);
    char *small = clusterlog_lines(7, 5, &lsmall);
    cr_assert_gt(lbig, 1000);
    cr_assert_lt(lsmall, 1000);
    struct member m[] = {MEMBER("HV-BIG_cluster.log", big, lbig),
                         MEMBER("HV-SMALL_cluster.log", small, lsmall)};
    unsigned char *tar = make_archive("paxr", NULL, NULL, NULL, m, 2, &tar_len);
    cr_assert_not_null(tar);

    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.member_bytes = 1000;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.tar", tar, tar_len, NULL), CB_OK);
    dump(an);

    const struct cb_source *s = source(an, "case.tar!HV-BIG_cluster.log");
    cr_expect_str_eq(s->format, "skipped");
    cr_expect_eq(s->nevents, 0);
    char want[128];
    snprintf(want, sizeof want, "declared size %zu above --max-member-size "
                                "(1000)", lbig);
    cr_expect(warned(an, "case.tar!HV-BIG_cluster.log", want),
              "no warning '%s'", want);
    expect_clusterlog(an, "case.tar!HV-SMALL_cluster.log", 5);
    /* skipped on the header alone: its bytes were never read */
    cr_expect_eq(an->total_bytes, tar_len + lsmall);

    cb_analysis_destroy(&an);
    free(tar);
    free(big);
    free(small);
}

Test(ingest, member_growing_past_size_limit_is_cut_siblings_read)
{
    size_t lbig, lsmall, gz_len, zip_len;
    /* big enough to need several reads of the member */
    char *big = clusterlog_lines(6, 20000, &lbig);
    char *small = clusterlog_lines(7, 5, &lsmall);
    /* a raw .gz declares no uncompressed size: the cut happens while
     * reading, not on the header */
    struct member gm[] = {MEMBER("HV-BIG_cluster.log", big, lbig)};
    unsigned char *gz = make_archive("raw", "gzip", NULL, NULL, gm, 1, &gz_len);
    cr_assert_not_null(gz);
    struct member m[] = {MEMBER("HV-BIG_cluster.log.gz", gz, gz_len),
                         MEMBER("HV-SMALL_cluster.log", small, lsmall)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 2, &zip_len);
    cr_assert_not_null(zip);

    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.member_bytes = lbig / 2;
    cr_assert_lt(gz_len, lim.member_bytes, "the .gz itself is within limits");
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    dump(an);

    const char *bigp = "case.zip!HV-BIG_cluster.log.gz!HV-BIG_cluster.log";
    const struct cb_source *s = source(an, bigp);
    cr_expect_lt(s->nevents, 20000);
    cr_expect_leq(s->bytes, lim.member_bytes);
    char want[128];
    snprintf(want, sizeof want,
             "member cut: member larger than --max-member-size (%zu bytes)",
             lim.member_bytes);
    cr_expect(warned(an, bigp, want), "no warning '%s' naming %s", want,
              bigp);
    expect_clusterlog(an, "case.zip!HV-SMALL_cluster.log", 5);

    cb_analysis_destroy(&an);
    free(zip);
    free(gz);
    free(big);
    free(small);
}

Test(ingest, total_byte_budget_cuts_a_member_and_skips_the_rest)
{
    size_t l, zip_len;
    char *log = clusterlog_lines(6, 100, &l);
    struct member m[] = {MEMBER("HV-T1_cluster.log", log, l),
                         MEMBER("HV-T2_cluster.log", log, l),
                         MEMBER("HV-T3_cluster.log", log, l),
                         MEMBER("HV-T4_cluster.log", log, l)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 4, &zip_len);
    cr_assert_not_null(zip);

    struct cb_limits lim;
    cb_limits_default(&lim);
    /* the input's own bytes count, then two and a half members */
    lim.total_bytes = zip_len + 2 * l + l / 2;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    dump(an);

    expect_clusterlog(an, "case.zip!HV-T1_cluster.log", 100);
    expect_clusterlog(an, "case.zip!HV-T2_cluster.log", 100);
    cr_expect_lt(source(an, "case.zip!HV-T3_cluster.log")->nevents, 100);
    cr_expect(warned(an, "case.zip!HV-T3_cluster.log", "--max-total"));
    cr_expect(an->total_exhausted);
    const struct cb_source *s4 = source(an, "case.zip!HV-T4_cluster.log");
    cr_expect_str_eq(s4->format, "skipped");
    cr_expect(warned(an, "case.zip!HV-T4_cluster.log", "--max-total"));

    cb_analysis_destroy(&an);
    free(zip);
    free(log);
}

/* ---- hostile member names and types ------------------------------------ */

Test(ingest, path_traversal_names_warned_read_in_memory_never_written)
{
    char rel[128], abs_dir[128], abs_file[160];
    int pid = (int)getpid();
    snprintf(rel, sizeof rel, "../../cb-test-%d-evil_cluster.log", pid);
    snprintf(abs_dir, sizeof abs_dir, "/tmp/cb-test-%d-abs", pid);
    snprintf(abs_file, sizeof abs_file, "%s/HV-N2_cluster.log", abs_dir);
    const char *fixed_rel = "../../etc/evil_cluster.log";
    const char *fixed_abs = "/abs/HV-N1_cluster.log";
    cr_assert_not(exists(rel));
    cr_assert_not(exists(abs_dir));
    cr_assert_not(exists(fixed_rel), "%s exists before the test", fixed_rel);
    cr_assert_not(exists(fixed_abs), "%s exists before the test", fixed_abs);

    size_t l, tar_len, zip_len;
    char *log = clusterlog_lines(14, 3, &l);
    struct member m[] = {MEMBER(fixed_rel, log, l), MEMBER(fixed_abs, log, l),
                         MEMBER(rel, log, l), MEMBER(abs_file, log, l),
                         MEMBER("ok/HV-OK_cluster.log", log, l)};
    unsigned char *tar = make_archive("paxr", NULL, NULL, NULL, m, 5, &tar_len);
    cr_assert_not_null(tar);
    struct member zm[] = {MEMBER("C:/evil/HV-N3_cluster.log", log, l),
                          MEMBER("a/../../HV-N4_cluster.log", log, l)};
    unsigned char *zip =
        make_archive("zip", NULL, NULL, NULL, zm, 2, &zip_len);
    cr_assert_not_null(zip);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tar", tar, tar_len, NULL), CB_OK);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len, NULL), CB_OK);
    dump(an);

    char p[256];
    const char *dotdot[] = {fixed_rel, rel};
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "case.tar!%s", dotdot[i]);
        expect_clusterlog(an, p, 3);
        cr_expect(warned(an, p, "'..' component"), "no warning for %s", p);
        cr_expect(warned(an, p, "never extracted"));
    }
    const char *absolute[] = {fixed_abs, abs_file};
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "case.tar!%s", absolute[i]);
        expect_clusterlog(an, p, 3);
        cr_expect(warned(an, p, "absolute path"), "no warning for %s", p);
    }
    cr_expect_str_eq(source(an, "case.tar!/abs/HV-N1_cluster.log")->host,
                     "HV-N1");
    expect_clusterlog(an, "case.tar!ok/HV-OK_cluster.log", 3);
    cr_expect_not(has_warning(an, "HV-OK"));
    expect_clusterlog(an, "case.zip!C:/evil/HV-N3_cluster.log", 3);
    cr_expect(warned(an, "case.zip!C:/evil/HV-N3_cluster.log",
                     "drive-letter path"));
    expect_clusterlog(an, "case.zip!a/../../HV-N4_cluster.log", 3);
    cr_expect(warned(an, "case.zip!a/../../HV-N4_cluster.log",
                     "'..' component"));

    /* nothing was written anywhere */
    cr_expect_not(exists(rel), "%s was created", rel);
    cr_expect_not(exists(abs_dir), "%s was created", abs_dir);
    cr_expect_not(exists(abs_file));
    cr_expect_not(exists(fixed_rel), "%s was created", fixed_rel);
    cr_expect_not(exists(fixed_abs), "%s was created", fixed_abs);
    cr_expect_not(exists("../../HV-N4_cluster.log"));

    cb_analysis_destroy(&an);
    free(tar);
    free(zip);
    free(log);
}

Test(ingest, symlink_member_is_skipped_with_warning)
{
    size_t l, tar_len;
    char *log = clusterlog_lines(15, 4, &l);
    struct member m[] = {
        {"HV-LINK_cluster.log", "/etc/passwd", 11, 1},
        MEMBER("HV-REAL_cluster.log", log, l),
    };
    unsigned char *tar = make_archive("paxr", NULL, NULL, NULL, m, 2, &tar_len);
    cr_assert_not_null(tar);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tar", tar, tar_len, NULL), CB_OK);
    dump(an);

    const struct cb_source *s = source(an, "case.tar!HV-LINK_cluster.log");
    cr_expect_str_eq(s->format, "skipped");
    cr_expect_eq(s->nevents, 0);
    cr_expect(warned(an, "case.tar!HV-LINK_cluster.log",
                     "symbolic link to '/etc/passwd' not followed"));
    expect_clusterlog(an, "case.tar!HV-REAL_cluster.log", 4);
    cr_expect_eq(an->nwarnings, 1);

    cb_analysis_destroy(&an);
    free(tar);
    free(log);
}

Test(ingest, encrypted_member_is_skipped_and_plain_sibling_parsed)
{
    size_t l, enc_len, tgz_len;
    char *log = clusterlog_lines(16, 5, &l);
    struct member em[] = {MEMBER("HV-ENC_cluster.log", log, l)};
    unsigned char *enc = make_archive("zip", NULL, "zip:encryption=zipcrypt",
                                      "secret", em, 1, &enc_len);
    cr_assert_not_null(enc);
    /* an encrypted zip among plain members of the bundle */
    struct member m[] = {MEMBER("HV-P1_cluster.log", log, l),
                         MEMBER("enc.zip", enc, enc_len),
                         MEMBER("HV-P2_cluster.log", log, l)};
    unsigned char *tgz =
        make_archive("paxr", "gzip", NULL, NULL, m, 3, &tgz_len);
    cr_assert_not_null(tgz);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tgz", tgz, tgz_len, NULL), CB_OK);
    dump(an);

    const char *encp = "case.tgz!enc.zip!HV-ENC_cluster.log";
    const struct cb_source *s = source(an, encp);
    cr_expect_str_eq(s->format, "skipped");
    cr_expect_eq(s->nevents, 0);
    cr_expect(warned(an, encp, "encrypted"), "no 'encrypted' warning on %s",
              encp);
    expect_clusterlog(an, "case.tgz!HV-P1_cluster.log", 5);
    expect_clusterlog(an, "case.tgz!HV-P2_cluster.log", 5);

    cb_analysis_destroy(&an);
    free(tgz);
    free(enc);
    free(log);
}

Test(ingest, encrypted_zip_with_several_members_names_each_or_stops_cleanly)
{
    size_t l, enc_len;
    char *log = clusterlog_lines(16, 5, &l);
    struct member em[] = {MEMBER("HV-E1_cluster.log", log, l),
                          MEMBER("HV-E2_cluster.log", log, l)};
    unsigned char *enc = make_archive("zip", NULL, "zip:encryption=zipcrypt",
                                      "secret", em, 2, &enc_len);
    cr_assert_not_null(enc);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "enc.zip", enc, enc_len, NULL), CB_OK);
    dump(an);
    /* the first member is always named; nothing is parsed */
    cr_expect(warned(an, "enc.zip!HV-E1_cluster.log", "encrypted"));
    cr_expect_str_eq(source(an, "enc.zip!HV-E1_cluster.log")->format,
                     "skipped");
    cr_expect_eq(cb_analysis_event_count(an), 0);
    /* libarchive cannot skip an encrypted entry of unknown length without
     * the passphrase: the next member is then reported unreadable, by
     * name, or the archive damaged; never parsed */
    const struct cb_source *e2 = find_source(an, "enc.zip!HV-E2_cluster.log");
    if (e2) {
        cr_expect_str_eq(e2->format, "skipped");
        cr_expect(warned(an, "enc.zip!HV-E2_cluster.log", "encrypted") ||
                  warned(an, "enc.zip!HV-E2_cluster.log", "Passphrase"));
    } else {
        cr_expect(warned(an, "enc.zip", "archive damaged"));
    }

    cb_analysis_destroy(&an);
    free(enc);
    free(log);
}

/* ---- damage ------------------------------------------------------------ */

/* Lines of the member cut in the middle: some MiB, so that several reads
 * of it succeed before the damage is reached. */
#define B_LINES 30000

/* The member cut by the damage kept the events read before it, in order,
 * and says where it stopped. */
static void expect_prefix_kept(const struct cb_analysis *an,
                               const struct cb_source *s)
{
    cr_expect_str_eq(s->format, "clusterlog");
    cr_expect_gt(s->nevents, 0, "events before the cut are kept");
    cr_expect_lt(s->nevents, B_LINES);
    for (size_t i = 0; i < s->nevents; i++) {
        if (s->events[i]->origin != i + 1) {
            cr_expect_fail("event %zu has line %llu", i,
                           (unsigned long long)s->events[i]->origin);
            break;
        }
    }
    char want[96];
    snprintf(want, sizeof want, "read stopped after %llu events",
             (unsigned long long)s->nevents);
    cr_expect(warned(an, s->path, want), "no warning '%s' on %s", want,
              s->path);
}

Test(ingest, truncated_tar_gz_keeps_members_read_before_the_cut)
{
    size_t la, lb, tgz_len;
    char *a = clusterlog_lines(1, 50, &la);
    char *b = clusterlog_lines(2, B_LINES, &lb);
    struct member m[] = {MEMBER("HV-A_cluster.log", a, la),
                         MEMBER("HV-B_cluster.log", b, lb),
                         MEMBER("HV-C_cluster.log", a, la)};
    unsigned char *tgz =
        make_archive("paxr", "gzip", NULL, NULL, m, 3, &tgz_len);
    cr_assert_not_null(tgz);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tar.gz", tgz, tgz_len / 2, NULL),
                 CB_OK);
    dump(an);

    expect_clusterlog(an, "case.tar.gz!HV-A_cluster.log", 50);
    const struct cb_source *s = source(an, "case.tar.gz!HV-B_cluster.log");
    expect_prefix_kept(an, s);
    cr_expect(warned(an, "case.tar.gz", "archive damaged, rest of it skipped"));
    cr_expect_null(find_source(an, "case.tar.gz!HV-C_cluster.log"));

    cb_analysis_destroy(&an);
    free(tgz);
    free(a);
    free(b);
}

Test(ingest, truncated_zip_keeps_members_read_before_the_cut)
{
    size_t la, lb, zip_len;
    char *a = clusterlog_lines(1, 50, &la);
    char *b = clusterlog_lines(2, B_LINES, &lb);
    struct member m[] = {MEMBER("HV-A_cluster.log", a, la),
                         MEMBER("HV-B_cluster.log", b, lb),
                         MEMBER("HV-C_cluster.log", a, la)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 3, &zip_len);
    cr_assert_not_null(zip);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zip_len / 2, NULL),
                 CB_OK);
    dump(an);

    expect_clusterlog(an, "case.zip!HV-A_cluster.log", 50);
    const struct cb_source *s = source(an, "case.zip!HV-B_cluster.log");
    expect_prefix_kept(an, s);
    cr_expect(warned(an, "case.zip", "archive damaged, rest of it skipped"));
    cr_expect_null(find_source(an, "case.zip!HV-C_cluster.log"));

    cb_analysis_destroy(&an);
    free(zip);
    free(a);
    free(b);
}

Test(ingest, garbage_after_archive_magic_is_skipped_with_warning)
{
    unsigned char junk[600];
    memset(junk, 'x', sizeof junk);
    memcpy(junk, "PK\003\004", 4);
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "junk.zip", junk, sizeof junk, NULL),
                 CB_OK);
    dump(an);
    cr_expect_eq(an->nsources, 0);
    cr_expect(warned(an, "junk.zip", "archive damaged"), "damage is named");
    cb_analysis_destroy(&an);
}

/* ---- directories on disk ----------------------------------------------- */

Test(ingest, directory_ingest_infers_hosts_and_skips_symlinks)
{
    char dir[] = "/tmp/cb-ingest-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char p[512], q[512];
    size_t l1, l2, l3, zip_len;
    char *a = clusterlog_lines(1, 3, &l1);
    char *b = clusterlog_lines(2, 4, &l2);
    char *c = clusterlog_lines(3, 6, &l3);

    snprintf(p, sizeof p, "%s/HV-NODE1_cluster.log", dir);
    write_file(p, a, l1);
    snprintf(p, sizeof p, "%s/TSSv2_HV-NODE6_241115-101500", dir);
    cr_assert_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/TSSv2_HV-NODE6_241115-101500/cluster.log", dir);
    write_file(p, b, l2);
    struct member m[] = {MEMBER("HV-NODE7_cluster.log", c, l3)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 1, &zip_len);
    cr_assert_not_null(zip);
    snprintf(p, sizeof p, "%s/node7.zip", dir);
    write_file(p, zip, zip_len);
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    write_file(p, "hello\n", 6);
    snprintf(p, sizeof p, "%s/HV-NODE1_cluster.log", dir);
    snprintf(q, sizeof q, "%s/HV-LINK_cluster.log", dir);
    cr_assert_eq(symlink(p, q), 0);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    struct cb_error err = {0};
    cr_assert_eq(cb_ingest_path(an, dir, &err), CB_OK);
    dump(an);

    snprintf(p, sizeof p, "%s/HV-NODE1_cluster.log", dir);
    expect_clusterlog(an, p, 3);
    cr_expect_str_eq(source(an, p)->host, "HV-NODE1");
    cr_expect_str_eq(source(an, p)->host_rule,
                     "Get-ClusterLog <NODE>_cluster.log");

    snprintf(p, sizeof p, "%s/TSSv2_HV-NODE6_241115-101500/cluster.log", dir);
    expect_clusterlog(an, p, 4);
    cr_expect_str_eq(source(an, p)->host, "HV-NODE6");
    cr_expect_str_eq(source(an, p)->host_rule,
                     "TSS folder TSSv2_<COMPUTER>_<stamp>");

    snprintf(p, sizeof p, "%s/node7.zip!HV-NODE7_cluster.log", dir);
    expect_clusterlog(an, p, 6);
    cr_expect_str_eq(source(an, p)->host, "HV-NODE7");

    snprintf(p, sizeof p, "%s/notes.txt", dir);
    cr_expect_str_eq(source(an, p)->format, "unknown");
    cr_expect_str_eq(source(an, p)->host, "");

    snprintf(q, sizeof q, "%s/HV-LINK_cluster.log", dir);
    cr_expect_str_eq(source(an, q)->format, "skipped");
    cr_expect_eq(source(an, q)->nevents, 0);
    cr_expect(warned(an, q, "symbolic link not followed"));
    cr_expect_eq(an->nwarnings, 1);
    cr_expect_eq(an->nsources, 5);
    cr_expect_eq(cb_analysis_event_count(an), 13);

    /* a trailing slash does not change the labels */
    struct cb_analysis *an2 = cb_analysis_create_all(NULL);
    snprintf(q, sizeof q, "%s/", dir);
    cr_assert_eq(cb_ingest_path(an2, q, &err), CB_OK);
    snprintf(p, sizeof p, "%s/HV-NODE1_cluster.log", dir);
    expect_clusterlog(an2, p, 3);
    cb_analysis_destroy(&an2);

    /* a single file given directly is labelled with its path */
    struct cb_analysis *an3 = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_path(an3, p, &err), CB_OK);
    expect_clusterlog(an3, p, 3);
    cr_expect_eq(an3->nsources, 1);
    cb_analysis_destroy(&an3);

    cb_analysis_destroy(&an);
    const char *names[] = {"HV-LINK_cluster.log", "HV-NODE1_cluster.log",
                           "TSSv2_HV-NODE6_241115-101500/cluster.log",
                           "node7.zip", "notes.txt"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        cr_expect_eq(unlink(p), 0, "unlink %s", p);
    }
    snprintf(p, sizeof p, "%s/TSSv2_HV-NODE6_241115-101500", dir);
    cr_expect_eq(rmdir(p), 0);
    cr_expect_eq(rmdir(dir), 0);
    free(zip);
    free(a);
    free(b);
    free(c);
}

Test(ingest, missing_path_is_an_io_error)
{
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    struct cb_error err = {0};
    char p[128];
    snprintf(p, sizeof p, "/tmp/cb-ingest-missing-%d", (int)getpid());
    cr_expect_eq(cb_ingest_path(an, p, &err), CB_E_IO);
    cr_expect_eq(err.sys_errno, ENOENT);
    cr_expect_eq(an->nsources, 0);
    cb_analysis_destroy(&an);
}

Test(ingest, member_names_cannot_fake_nesting_or_hold_control_chars)
{
    size_t l, tar_len;
    char *log = clusterlog_lines(17, 2, &l);
    struct member m[] = {MEMBER("fake.zip!HV-FAKE_cluster.log", log, l),
                         MEMBER("odd\nname\x7f_cluster.log", log, l)};
    unsigned char *tar = make_archive("paxr", NULL, NULL, NULL, m, 2, &tar_len);
    cr_assert_not_null(tar);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "case.tar", tar, tar_len, NULL), CB_OK);
    dump(an);
    /* '!' separates nesting levels: a member may not forge one */
    cr_expect_null(find_source(an, "case.tar!fake.zip!HV-FAKE_cluster.log"));
    const struct cb_source *s =
        source(an, "case.tar!fake.zip?HV-FAKE_cluster.log");
    cr_expect_str_eq(s->format, "clusterlog");
    cr_expect_eq(s->nevents, 2);
    /* so the host is not taken from the forged last component */
    cr_expect_str_neq(s->host, "HV-FAKE");
    expect_clusterlog(an, "case.tar!odd?name?_cluster.log", 2);

    cb_analysis_destroy(&an);
    free(tar);
    free(log);
}

Test(ingest, seven_zip_larger_than_member_limit_is_not_buffered)
{
    /* 7z needs random access, so a nested or in-memory one is buffered
     * whole: only up to --max-member-size */
    const size_t big = (size_t)3 << 19; /* 1.5 MiB */
    unsigned char *data = malloc(big);
    cr_assert_not_null(data);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big; i++) { /* incompressible */
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        data[i] = (unsigned char)x;
    }
    size_t l, sz_len;
    char *log = clusterlog_lines(18, 3, &l);
    struct member m[] = {MEMBER("blob.bin", data, big),
                         MEMBER("HV-S_cluster.log", log, l)};
    unsigned char *sz = make_archive("7zip", NULL, "7zip:compression=store",
                                     NULL, m, 2, &sz_len);
    cr_assert_not_null(sz);
    cr_assert_gt(sz_len, big);

    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.member_bytes = 1 << 20;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    cr_assert_eq(cb_ingest_memory(an, "big.7z", sz, sz_len, NULL), CB_OK);
    dump(an);
    const struct cb_source *s = source(an, "big.7z");
    cr_expect_str_eq(s->format, "skipped");
    /* the limit that applied is named, not the 1 GiB buffer cap */
    cr_expect(warned(an, "big.7z",
                     "needing random access larger than 1048576 bytes"));
    cr_expect_null(find_source(an, "big.7z!HV-S_cluster.log"));
    cb_analysis_destroy(&an);

    /* within the limit it is read */
    an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "big.7z", sz, sz_len, NULL), CB_OK);
    expect_clusterlog(an, "big.7z!HV-S_cluster.log", 3);
    cr_expect_str_eq(source(an, "big.7z!blob.bin")->format, "unknown");
    cb_analysis_destroy(&an);

    free(sz);
    free(data);
    free(log);
}

/* A member cut short by damage keeps every line decoded before the damage:
 * libarchive decodes the data block by block, and a block handed out is
 * never thrown away when a later one fails. 3000 lines of ~60 bytes in a
 * tar.gz cut at 60% of its compressed length: well over a third of the
 * lines were decodable before the cut, and all of them must be kept. */
Test(ingest, small_member_damaged_midway_keeps_lines_before_the_damage)
{
    size_t len, tgz_len;
    char *text = clusterlog_lines(3, 3000, &len);
    struct member m[] = {MEMBER("HV-D_cluster.log", text, len)};
    unsigned char *tgz =
        make_archive("paxr", "gzip", NULL, NULL, m, 1, &tgz_len);
    cr_assert_not_null(tgz);
    cr_assert_lt(len, (size_t)256 << 10, "member must be below one read");

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cb_ingest_memory(an, "cut.tar.gz", tgz, tgz_len * 6 / 10, NULL);
    const struct cb_source *s = find_source(an, "cut.tar.gz!HV-D_cluster.log");
    cr_assert_not_null(s, "the damaged member is still listed");
    cr_expect_str_eq(s->format, "clusterlog");
    cr_expect_gt(s->nevents, 1000, "lines before the damage were dropped: "
                 "%zu kept", (size_t)s->nevents);
    cr_expect_lt(s->nevents, 3000);
    for (size_t i = 0; i < s->nevents; i++)
        cr_assert_eq(s->events[i]->origin, i + 1, "lines kept in order");
    cr_expect(has_warning(an, "read stopped after"));

    cb_analysis_destroy(&an);
    free(tgz);
    free(text);
}

/* ---- a keep filter (analyze) ----------------------------------------------
 * Lines the filter declines are counted and their times kept, their
 * memory given back, except the five lines either side of a kept one
 * (its context in the report); the source's span, the run count and the
 * silent periods still see every line. */

/* "KEEP": as a line a rule takes (2, kept with its context); "PLAIN":
 * as a warning (1, kept alone). */
static int keep_marked(void *ctx, const struct cb_event *ev)
{
    (*(int *)ctx)++;
    if (strstr(ev->message, "KEEP"))
        return 2;
    return strstr(ev->message, "PLAIN") != NULL;
}

Test(ingest, lines_the_filter_declines_are_counted_not_kept)
{
    /* a header-carrying cluster.log (times are UTC): 300 lines a minute
     * apart, every 20th marked KEEP (10, 30, ...), some PLAIN (6, 48,
     * 132, ...: 6 and 48 among the lines before a KEEP, 174 among those
     * after one), and five silent hours between lines 160 and 161,
     * neither of them kept nor near a KEEP */
    size_t cap = 1 << 16, n = 0;
    char *log = malloc(cap);
    cr_assert_not_null(log);
    n += (size_t)snprintf(log + n, cap - n, "[=== Cluster Logs ===]\n");
    cb_time times[300];
    int kind[300];
    for (int i = 0; i < 300; i++) {
        int m = i + (i > 160 ? 300 : 0); /* minutes after 10:00 */
        times[i] = cb_time_from_civil(2024, 11, 15, 10 + m / 60, m % 60, 0, 0);
        kind[i] = i % 20 == 10 ? 2 : i % 42 == 6 ? 1 : 0;
        n += (size_t)snprintf(log + n, cap - n,
                              "00000e4c.00001d2c::2024/11/15-%02d:%02d:00.000 "
                              "INFO  [NM] line %d%s\n",
                              10 + m / 60, m % 60, i,
                              kind[i] == 2   ? " KEEP"
                              : kind[i] == 1 ? " PLAIN"
                                             : "");
        cr_assert_lt(n, cap);
    }
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    int asked = 0;
    an->keep = keep_marked;
    an->keep_ctx = &asked;
    cr_assert_eq(cb_ingest_memory(an, "HV-NODE1_cluster.log", log, n, NULL),
                 CB_OK);
    cr_assert_eq(an->nsources, 1);
    const struct cb_source *s = an->sources[0];
    /* the first line always stays, and every marked one; with a KEEP,
     * the five lines after it, and those of the five before it that no
     * other kept line separates from it */
    int want[300] = {0};
    size_t nwant = 0;
    for (int i = 0; i < 300; i++) {
        want[i] = i == 0 || kind[i];
        for (int k = i - 5; k < i && !want[i]; k++)
            want[i] = k >= 0 && kind[k] == 2;
        for (int k = i + 1; k <= i + 5 && k < 300 && !want[i]; k++) {
            if (k == 0 || kind[k] == 1)
                break;
            want[i] = kind[k] == 2;
        }
    }
    for (int i = 0; i < 300; i++)
        nwant += (size_t)want[i];
    cr_assert(!want[5] && want[7] && !want[47] && want[49] && want[174] &&
                  !want[160] && !want[161] && !want[299],
              "the model keeps what the comment above says");
    cr_assert_eq(s->nevents, nwant, "kept %llu",
                 (unsigned long long)s->nevents);
    cr_assert_eq(s->not_kept, 300 - nwant);
    size_t k = 0;
    for (int i = 0; i < 300; i++) {
        if (!want[i])
            continue;
        char line[32];
        snprintf(line, sizeof line, "line %d", i);
        const char *msg = s->events[k]->message;
        cr_assert(strncmp(msg, line, strlen(line)) == 0 &&
                      (msg[strlen(line)] == '\0' || msg[strlen(line)] == ' '),
                  "event %zu is '%s', want '%s'", k, msg, line);
        cr_assert_eq(s->events[k]->ts, times[i]);
        cr_assert_eq(s->events[k]->source, s);
        k++;
    }
    cr_assert_eq(asked, 299, "the first line is kept without asking");
    cr_assert_eq(s->ntimes, 300);
    for (int i = 0; i < 300; i++)
        cr_assert_eq(s->times[i], times[i], "time of line %d", i);
    cr_assert_eq(s->first, times[0]);
    cr_assert_eq(s->last, times[299], "the last line is not kept");
    cr_assert_eq(s->runs, 1);
    /* the declined lines' memory was given back */
    cr_assert_leq(cb_arena_used(an->ev_arena),
                  nwant * (sizeof(struct cb_event) + 64));

    struct cb_timeline tl;
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_eq(tl.count, nwant);
    cr_assert_eq(cb_timeline_not_kept(&tl), 300 - nwant);
    cr_assert_eq(cb_timeline_events_read(&tl), 300);
    cb_time first, last;
    cb_timeline_span(&tl, &first, &last);
    cr_assert_eq(first, times[0]);
    cr_assert_eq(last, times[299]);
    struct cb_gaps gaps;
    cr_assert_eq(cb_gaps_find(NULL, an, &tl, &gaps), CB_OK);
    size_t silent = 0;
    for (size_t i = 0; i < gaps.count; i++) {
        if (gaps.items[i].kind != CB_GAP_SILENT)
            continue;
        silent++;
        cr_assert_eq(gaps.items[i].from, times[160]);
        cr_assert_eq(gaps.items[i].to, times[161]);
    }
    cr_assert_eq(silent, 1, "the silent hours between two counted lines");
    /* the reports count every line, say how many were not kept, and span
     * the whole log */
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    cr_assert_eq(cb_report_json(f, an, &tl, NULL, &gaps), CB_OK);
    fclose(f);
    cr_assert(strstr(buf, "\"events\": 300,"), "%.600s", buf);
    char want_kept[64], want_nk[64];
    snprintf(want_kept, sizeof want_kept, "\"events_kept\": %zu,", nwant);
    snprintf(want_nk, sizeof want_nk, "\"not_kept\": %zu,", 300 - nwant);
    cr_assert(strstr(buf, want_kept), "want %s", want_kept);
    cr_assert(strstr(buf, want_nk));
    cr_assert(strstr(buf, "\"last\": \"2024-11-15T19:59:00.000000+00:00\""));
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &blen);
    struct cb_report_input in = {.case_name = "c", .an = an, .tl = &tl,
                                 .gaps = &gaps};
    cr_assert_eq(cb_report_markdown(f, &in), CB_OK);
    fclose(f);
    cr_assert(strstr(buf, "**Events:** 300 from 1 files"), "%.900s", buf);
    snprintf(want_nk, sizeof want_nk,
             "%zu routine cluster.log lines counted, not kept", 300 - nwant);
    cr_assert(strstr(buf, want_nk), "want %s", want_nk);
    free(buf);
    cb_gaps_fini(&gaps);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
    free(log);
}

/* ---- the memory budget (issue 19 #2) ---------------------------------------
 * Past 3/4 of --max-memory, lines no rule reads (the filter says 1) are
 * counted, not kept; lines a rule reads (2) are still kept, alone; past
 * the whole budget those are counted too, and the rule they feed is
 * named. Times stay exact where they matter: the span, the runs and a
 * silent stretch inside the part only counted. */

static const char *rule_of_marked(void *ctx, const struct cb_event *ev)
{
    (void)ctx;
    return strstr(ev->message, "KEEP") ? "R.keep" : NULL;
}

Test(ingest, memory_budget_drops_plain_lines_first_and_names_rules_last)
{
    /* 60,000 PLAIN lines (each a warning: kept without a budget), then
     * 60,000 KEEP lines, 10 ms apart, with five silent hours after line
     * 100,000; 120 bytes of message each */
    enum { NPLAIN = 60000, NLINES = 120000, GAP_AFTER = 100000 };
    size_t cap = (size_t)NLINES * 200, n = 0;
    char *log = malloc(cap);
    cr_assert_not_null(log);
    n += (size_t)snprintf(log + n, cap - n, "[=== Cluster Logs ===]\n");
    cb_time t0 = cb_time_from_civil(2024, 11, 15, 1, 0, 0, 0);
    cb_time gap = 5 * 3600 * CB_TICKS_PER_SEC, step = CB_TICKS_PER_SEC / 100;
    for (int i = 0; i < NLINES; i++) {
        cb_time t = t0 + i * step + (i > GAP_AFTER ? gap : 0);
        int64_t cs = (t - t0) / step; /* centiseconds after 01:00 */
        n += (size_t)snprintf(
            log + n, cap - n,
            "00000e4c.00001d2c::2024/11/15-%02d:%02d:%02d.%03d WARN  [NM] "
            "line %d %s %090d\n",
            (int)(1 + cs / 360000), (int)(cs / 6000 % 60), (int)(cs / 100 % 60),
            (int)(cs % 100 * 10), i, i < NPLAIN ? "PLAIN" : "KEEP", 0);
        cr_assert_lt(n, cap);
    }
    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.memory_bytes = 8u << 20;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    int asked = 0;
    an->keep = keep_marked;
    an->keep_rule = rule_of_marked;
    an->keep_ctx = &asked;
    cr_assert_eq(cb_ingest_memory(an, "HV-NODE1_cluster.log", log, n, NULL),
                 CB_OK);
    const struct cb_source *s = an->sources[0];
    const struct cb_budget *b = &an->budget;
    cr_assert_str_eq(b->reached, "HV-NODE1_cluster.log");
    /* every line kept or counted; what the budget dropped is all counted */
    cr_assert_eq(s->nevents + s->not_kept, NLINES);
    cr_assert_eq(s->budget_not_kept, b->lines + b->evidence);
    cr_assert_gt(b->lines, NPLAIN / 2, "lines: %llu",
                 (unsigned long long)b->lines);
    cr_assert_gt(b->evidence, 0);
    cr_assert_eq(b->nrules, 1);
    cr_assert_str_eq(b->rules[0], "R.keep");
    /* the kept lines: a prefix of the PLAIN lines and a prefix of the KEEP
     * lines (the first of each past its level is not kept, nor any after
     * it), the KEEP lines all while under the whole budget */
    size_t plain = 0, keep = 0;
    for (size_t i = 0; i < s->nevents; i++) {
        int line = atoi(s->events[i]->message + 5);
        if (line < NPLAIN)
            cr_assert_eq(line, (int)plain++, "PLAIN lines kept in order");
        else
            cr_assert_eq(line, NPLAIN + (int)keep++, "KEEP lines in order");
    }
    cr_assert_eq(plain + b->lines, NPLAIN);
    cr_assert_eq(keep + b->evidence, NLINES - NPLAIN);
    cr_assert_gt(keep, 0, "KEEP lines are kept past 3/4 of the budget");
    /* within the budget, and the peak seen says so */
    cr_assert_leq(b->peak, lim.memory_bytes + (64u << 10), "peak %llu",
                  (unsigned long long)b->peak);
    /* times: coalesced past the budget, but the span, the runs and the
     * silent stretch stay exact */
    cr_assert_lt(s->ntimes, NLINES / 3, "times kept: %zu", s->ntimes);
    cr_assert_eq(s->first, t0);
    cr_assert_eq(s->last, t0 + (NLINES - 1) * step + gap);
    struct cb_timeline tl;
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(s->runs, 1);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    struct cb_gaps gaps;
    cr_assert_eq(cb_gaps_find(NULL, an, &tl, &gaps), CB_OK);
    size_t silent = 0;
    for (size_t i = 0; i < gaps.count; i++) {
        if (gaps.items[i].kind != CB_GAP_SILENT)
            continue;
        silent++;
        cr_assert_eq(gaps.items[i].from, t0 + GAP_AFTER * step);
        cr_assert_eq(gaps.items[i].to, t0 + (GAP_AFTER + 1) * step + gap);
    }
    cr_assert_eq(silent, 1);
    /* two bundle warnings: the lines, then the rules affected */
    size_t said = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next) {
        if (strstr(w->msg, "memory budget 8 MiB (--max-memory): "))
            said |= 1;
        if (strstr(w->msg, "findings of R.keep may be missing"))
            said |= 2;
    }
    cr_assert_eq(said, 3);
    cb_gaps_fini(&gaps);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
    free(log);
}

/* ---- implausible times (issue 19, also seen) --------------------------------
 * One record with a zeroed (1601) or absurd (9999) timestamp stretched the
 * report's span to 8,000 years. Such events are kept and flagged, left out
 * of the source's, the timeline's and the report's span, and one warning
 * per source counts them, naming the first. */
Test(ingest, implausible_times_are_kept_flagged_and_left_out_of_spans)
{
    static const char log[] =
        "00000a1c.00001f04::2024/11/15-09:00:00.000 ERR   [RCM] one\r\n"
        "00000a1c.00001f04::1601/01/01-00:00:00.000 ERR   [RCM] zeroed\r\n"
        "00000a1c.00001f04::2024/11/15-09:00:05.000 ERR   [RCM] two\r\n"
        "00000a1c.00001f04::9999/12/31-23:59:59.000 ERR   [RCM] absurd\r\n"
        "00000a1c.00001f04::1989/12/31-23:59:59.000 ERR   [RCM] early\r\n"
        "00000a1c.00001f04::2099/12/31-23:59:59.000 ERR   [RCM] late\r\n"
        "00000a1c.00001f04::2024/11/15-09:00:09.000 ERR   [RCM] three\r\n";
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(an, "HV-N1_cluster.log", log,
                                  sizeof log - 1, NULL),
                 CB_OK);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    const struct cb_source *s = an->sources[0];
    cr_assert_eq(s->nevents, 7, "every event is kept");
    cr_assert_eq(s->implausible, 3);
    static const int flagged[7] = {0, 1, 0, 1, 1, 0, 0};
    for (size_t i = 0; i < 7; i++)
        cr_assert_eq(!!(s->events[i]->flags & CB_EV_TIME_IMPLAUSIBLE),
                     flagged[i], "event %zu", i);
    cr_assert_eq(s->first, cb_time_from_civil(2024, 11, 15, 9, 0, 0, 0));
    cr_assert_eq(s->last, cb_time_from_civil(2099, 12, 31, 23, 59, 59, 0),
                 "2099 is still plausible");
    cr_assert_not_null(s->warnings);
    cr_assert_eq(s->nwarnings, 1);
    cr_assert(strstr(s->warnings->msg,
                     "3 events with an implausible time (before 1990 or "
                     "after 2099; the first: 1601-01-01 00:00:00.000 UTC)"),
              "%s", s->warnings->msg);
    cr_assert_eq(s->warnings->where, 2, "the line of the first");
    struct cb_timeline tl;
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_eq(tl.count, 7);
    cb_time first, last;
    cb_timeline_span(&tl, &first, &last);
    cr_assert_eq(first, s->first);
    cr_assert_eq(last, s->last);
    size_t lo, hi;
    cb_timeline_plausible(&tl, &lo, &hi);
    cr_assert_eq(lo, 2, "1601 and 1989 sort first");
    cr_assert_eq(hi, 6, "9999 sorts last");
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
}
