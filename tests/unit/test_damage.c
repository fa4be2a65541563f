/*
 * test_damage.c - damage (issue 15 #6): what could not be read completely
 * is recorded with a kind, kept past the warnings cap, listed once per
 * path after the analysis (cb_analysis.damaged, report.json's
 * summary.damaged); and files recognised but unreadable (issue 15 #5) get
 * one warning that says why.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define MEMBER(n, d, l)                                                        \
    {                                                                          \
        (n), (d), (l), 0                                                       \
    }

static struct cb_analysis *an;

static void teardown(void)
{
    cb_analysis_destroy(&an);
}

TestSuite(damage, .fini = teardown);

static void new_analysis(void)
{
    cb_analysis_destroy(&an);
    an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
}

static const struct cb_damage *damaged(const char *path)
{
    for (size_t i = 0; i < an->ndamaged; i++)
        if (strcmp(an->damaged[i].source, path) == 0)
            return &an->damaged[i];
    return NULL;
}

static size_t damage_warnings(void)
{
    size_t n = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        n += w->damage != CB_DAMAGE_NONE;
    for (size_t i = 0; i < an->nsources; i++)
        n += an->sources[i]->ndamage;
    return n;
}

/* Three cluster.logs in a zip, the second long enough that a cut at half
 * the archive falls inside it. */
static unsigned char *three_logs(size_t *len, char **a, char **b)
{
    size_t la, lb;
    *a = clusterlog_lines(1, 50, &la);
    *b = clusterlog_lines(2, 30000, &lb);
    struct member m[] = {MEMBER("HV-A_cluster.log", *a, la),
                         MEMBER("HV-B_cluster.log", *b, lb),
                         MEMBER("HV-C_cluster.log", *a, la)};
    unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 3, len);
    cr_assert_not_null(zip);
    return zip;
}

Test(damage, zip_cut_short_lists_the_archive_and_the_cut_member_once_each)
{
    char *a, *b;
    size_t len;
    unsigned char *zip = three_logs(&len, &a, &b);
    new_analysis();
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, len / 2, NULL), CB_OK);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);

    cr_assert_eq(an->ndamaged, 2u, "%zu damaged", an->ndamaged);
    const struct cb_damage *d = &an->damaged[0];
    cr_expect_str_eq(d->source, "case.zip", "the archive first (path order)");
    cr_expect_eq(d->kind, CB_DAMAGE_ARCHIVE);
    cr_expect_str_eq(cb_damage_kind_name(d->kind), "archive");
    cr_expect(strncmp(d->detail, "offset ", 7) == 0, "%s", d->detail);
    cr_expect_not_null(strstr(d->detail, "archive damaged, rest of it "
                                         "skipped"),
                       "%s", d->detail);
    d = &an->damaged[1];
    cr_expect_str_eq(d->source, "case.zip!HV-B_cluster.log");
    cr_expect_eq(d->kind, CB_DAMAGE_MEMBER);
    cr_expect_str_eq(cb_damage_kind_name(d->kind), "member");
    cr_expect_not_null(strstr(d->detail, "read stopped after"), "%s",
                       d->detail);
    cr_expect_null(damaged("case.zip!HV-A_cluster.log"), "read whole");

    free(zip);
    free(a);
    free(b);
}

Test(damage, the_same_archive_whole_is_complete)
{
    char *a, *b;
    size_t len;
    unsigned char *zip = three_logs(&len, &a, &b);
    new_analysis();
    cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, len, NULL), CB_OK);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_expect_eq(an->nsources, 3u);
    cr_expect_eq(an->ndamaged, 0u);
    cr_expect_null(an->damaged);
    cr_expect_eq(damage_warnings(), 0u);
    free(zip);
    free(a);
    free(b);
}

Test(damage, member_whose_bytes_fail_their_crc_is_damage_lines_kept)
{
    size_t la, len;
    char *a = clusterlog_lines(1, 50, &la);
    struct member m[] = {MEMBER("HV-A_cluster.log", a, la)};
    unsigned char *zip =
        make_archive("zip", NULL, "zip:compression=store", NULL, m, 1, &len);
    cr_assert_not_null(zip);
    /* the member's bytes follow its local header: change a digit of the
     * first line's time, so every line still parses but the CRC fails */
    unsigned char *hit = memmem(zip, len, "::", 2);
    cr_assert_not_null(hit);
    cr_assert(hit[3] >= '0' && hit[3] <= '8');
    hit[3]++;
    new_analysis();
    cr_assert_eq(cb_ingest_memory(an, "crc.zip", zip, len, NULL), CB_OK);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    const struct cb_source *s = find_source(an, "crc.zip!HV-A_cluster.log");
    cr_assert_not_null(s);
    cr_expect_eq(s->nevents, 50u, "the bytes were read");
    const struct cb_damage *d = damaged("crc.zip!HV-A_cluster.log");
    cr_assert_not_null(d, "a bad CRC is damage");
    cr_expect_eq(d->kind, CB_DAMAGE_MEMBER);
    /* libarchive finds a stored member's end by its CRC: it reports the
     * data as truncated (with a CRC warning of its own it would be
     * "member data damaged") */
    cr_expect(strstr(d->detail, "Truncated ZIP file data") ||
                  strstr(d->detail, "member data damaged"),
              "%s", d->detail);
    free(zip);
    free(a);
}

Test(damage, a_source_keeps_its_first_damage_of_highest_rank_past_the_cap)
{
    new_analysis();
    struct cb_source src = {.path = "x.evtx"};
    struct cb_parse p = {.src = &src, .arena = an->arena};
    for (unsigned i = 0; i < CB_LIMIT_WARNINGS_PER_SOURCE; i++)
        cb_parse_warn(&p, CB_WHERE_LINE, i + 1, "routine %u", i);
    cb_parse_damage(&p, CB_DAMAGE_LOG, CB_WHERE_OFFSET, 4096,
                    "chunk 0: broken");
    cr_expect_eq(src.nwarnings, CB_LIMIT_WARNINGS_PER_SOURCE + 1);
    cr_expect_eq(src.ndamage, 1u);
    cr_assert_not_null(src.damage, "kept although the warning was not");
    cr_expect_str_eq(src.damage->msg, "chunk 0: broken");
    cr_expect_eq(src.damage->where, 4096u);
    for (const struct cb_warning *w = src.warnings; w; w = w->next)
        cr_expect_eq(w->damage, CB_DAMAGE_NONE, "%s", w->msg);
    /* a later one of the same rank does not replace it; a higher does */
    cb_parse_damage(&p, CB_DAMAGE_LOG, CB_WHERE_OFFSET, 8192, "chunk 1");
    cr_expect_str_eq(src.damage->msg, "chunk 0: broken");
    cb_parse_damage(&p, CB_DAMAGE_MEMBER, CB_WHERE_NONE, 0, "cut");
    cr_expect_str_eq(src.damage->msg, "cut");
    cr_expect_eq(src.ndamage, 3u);
    /* damage 0 is a plain warning */
    cb_parse_damage(&p, CB_DAMAGE_NONE, CB_WHERE_NONE, 0, "fine");
    cr_expect_eq(src.ndamage, 3u);
    /* counted on a worker's source: more problems, first when none */
    struct cb_warning first = {.msg = "w", .damage = CB_DAMAGE_LOG};
    cb_parse_damage_count(&p, 2, &first);
    cr_expect_eq(src.ndamage, 5u);
    cr_expect_str_eq(src.damage->msg, "cut", "a member's damage outranks");
}

Test(damage, one_entry_a_path_in_path_order_with_its_highest_rank)
{
    new_analysis();
    cb_analysis_damage(an, CB_DAMAGE_LOG, "b.zip!x.evtx", CB_WHERE_OFFSET, 7,
                       "record broken");
    cb_analysis_damage(an, CB_DAMAGE_MEMBER, "b.zip!x.evtx", CB_WHERE_NONE, 0,
                       "member could not be read to its end");
    cb_analysis_warn(an, "a.zip", CB_WHERE_NONE, 0, "only a warning");
    cb_analysis_damage(an, CB_DAMAGE_ARCHIVE, "b.zip", CB_WHERE_OFFSET, 30000,
                       "archive damaged");
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(an->ndamaged, 2u);
    cr_expect_str_eq(an->damaged[0].source, "b.zip");
    cr_expect_str_eq(an->damaged[0].detail, "offset 30000: archive damaged");
    cr_expect_eq(an->damaged[0].count, 1u);
    cr_expect_str_eq(an->damaged[1].source, "b.zip!x.evtx");
    cr_expect_eq(an->damaged[1].kind, CB_DAMAGE_MEMBER);
    cr_expect_str_eq(an->damaged[1].detail,
                     "member could not be read to its end");
    cr_expect_eq(an->damaged[1].count, 2u);
}

/* ---- recognised but unreadable (issue 15 #5) --------------------------- */

/* count lines pasted from a chat: the message without the prefix */
static char *pasted_lines(unsigned count, size_t *len)
{
    char *s = malloc(count * 80 + 1), *p = s;
    cr_assert_not_null(s);
    for (unsigned i = 1; i <= count; i++)
        p += sprintf(p, "2024-11-15 01:58:%02u ERR [QUORUM] lost quorum %u\n",
                     10 + i % 50, i);
    *len = (size_t)(p - s);
    return s;
}

static size_t bundle_warnings(void)
{
    size_t n = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        n++;
    return n;
}

Test(damage, lines_all_rejected_alike_become_one_warning_that_says_why)
{
    size_t len;
    char *text = pasted_lines(17, &len);
    new_analysis();
    cb_ingest_memory(an, "HV-NODE1_cluster.log", text, len, NULL);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    const struct cb_source *s = an->sources[0];
    cr_expect_str_eq(s->format, "clusterlog", "recognised by its name");
    cr_expect_eq(s->nevents, 0u);
    cr_expect_eq(s->nwarnings, 1u, "one warning, not one a line");
    const char *why = "no event read: 17 lines rejected (lines 1 to 17): not "
                      "a cluster.log line (expected "
                      "pid.tid::YYYY/MM/DD-HH:MM:SS.mmm)";
    cr_expect_str_eq(s->warnings->msg, why);
    cr_expect_eq(bundle_warnings(), 1u);
    cr_expect_str_eq(an->warnings->msg, why);
    cr_expect_eq(an->ndamaged, 0u, "unreadable is not damaged");
    cr_expect_eq(cb_analysis_read_sources(an), 0u);
    free(text);
}

Test(damage, past_the_cap_the_warning_says_how_many_and_the_first_lines)
{
    size_t len;
    char *text = pasted_lines(120, &len);
    new_analysis();
    cb_ingest_memory(an, "HV-NODE1_cluster.log", text, len, NULL);
    const struct cb_source *s = an->sources[0];
    cr_expect_eq(s->nwarnings, 1u);
    cr_expect_str_eq(s->warnings->msg,
                     "no event read: 120 warnings, the first 50 (lines 1 to "
                     "50) each: not a cluster.log line (expected "
                     "pid.tid::YYYY/MM/DD-HH:MM:SS.mmm)");
    free(text);
}

Test(damage, a_partly_readable_file_keeps_its_line_warnings)
{
    size_t la, lp;
    char *good = clusterlog_lines(1, 5, &la);
    char *bad = pasted_lines(2, &lp);
    char *text = malloc(la + lp);
    memcpy(text, good, la);
    memcpy(text + la, bad, lp);
    new_analysis();
    cb_ingest_memory(an, "HV-NODE1_cluster.log", text, la + lp, NULL);
    const struct cb_source *s = an->sources[0];
    cr_expect_eq(s->nevents, 5u);
    cr_expect_eq(s->nwarnings, 2u, "a warning a line, as before");
    cr_expect_eq(s->warnings->where_kind, CB_WHERE_LINE);
    cr_expect_eq(bundle_warnings(), 0u);
    cr_expect_eq(cb_analysis_read_sources(an), 1u);
    free(text);
    free(good);
    free(bad);
}

Test(damage, an_empty_log_is_unreadable_without_a_warning)
{
    new_analysis();
    cb_ingest_memory(an, "HV-NODE1_cluster.log", "\n\n", 2, NULL);
    cr_expect_str_eq(an->sources[0]->format, "clusterlog");
    cr_expect_eq(an->sources[0]->nwarnings, 0u);
    cr_expect_eq(bundle_warnings(), 0u, "nothing to say about it");
    cr_expect_eq(cb_analysis_read_sources(an), 0u, "but nothing was read");
}
