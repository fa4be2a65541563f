/*
 * test_corpus_mta.c - the real LocaleMetaData pair of the shared corpus:
 * evtx/omer__test.evtx with evtx/LocaleMetaData/omer__test_1033.MTA, and
 * csv/omer__test.csv, Event Viewer's CSV export of the same log, whose
 * sixth column is the message Event Viewer rendered from that metadata.
 * Every record's message must equal the CSV's. Skips when the corpus is
 * absent.
 *
 * Rows are matched by event id and time: the CSV has local wall-clock
 * time to the second (Pacific here, two offsets across DST), so an event
 * matches a row whose time is its UTC second moved by a whole number of
 * hours; the test checks that at most two adjacent offsets were used. Two
 * rows may share id and second (CbsTask writes several per second), so
 * each row is used once and the message decides among them. The only
 * normalisation: the CSV's CRLF line end is not part of the message.
 * Messages are compared byte for byte otherwise (no trimming).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define EVTX_REL "evtx/omer__test.evtx"
#define MTA_REL "evtx/LocaleMetaData/omer__test_1033.MTA"
#define CSV_REL "csv/omer__test.csv"
#define RECORDS 239u

struct row {
    uint32_t event_id;
    cb_time local; /* wall clock as written, to the second */
    char *msg;
    int used;
};

static unsigned char *slurp(const char *dir, const char *rel, size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    cr_assert_not_null(b);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

static const char *corpus_or_skip(void)
{
    const char *dir = corpus_dir();
    if (!dir)
        cr_skip_test("corpus not found (set CASEBRIEF_CORPUS): skipped");
    const char *need[] = {EVTX_REL, MTA_REL, CSV_REL};
    for (int i = 0; i < 3; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, need[i]);
        if (access(path, R_OK) != 0)
            cr_skip_test("%s not in the corpus: skipped", need[i]);
    }
    return dir;
}

/* "Level,Date and Time,Source,Event ID,Task Category" then one row per
 * record: Information,12/9/2025 5:37:32 PM,Provider,2,(1),message... (the
 * message is the rest of the line, unquoted, commas and all). */
static struct row *read_csv(const char *dir, size_t *n)
{
    size_t len;
    char *t = (char *)slurp(dir, CSV_REL, &len);
    cr_assert_not_null(t);
    struct row *rows = calloc(1024, sizeof *rows);
    size_t k = 0;
    char *line = t;
    if (memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3;
    line = strstr(line, "\r\n"); /* header */
    cr_assert_not_null(line);
    line += 2;
    while (*line) {
        char *end = strstr(line, "\r\n");
        cr_assert_not_null(end, "CRLF line ends");
        *end = '\0';
        char *f[6];
        f[0] = line;
        for (int c = 1; c < 6; c++) {
            char *comma = strchr(f[c - 1], ',');
            cr_assert_not_null(comma, "row %zu has 6 columns", k);
            *comma = '\0';
            f[c] = comma + 1;
        }
        int mo, d, y, h, mi, s;
        char ampm[3];
        cr_assert_eq(sscanf(f[1], "%d/%d/%d %d:%d:%d %2s", &mo, &d, &y, &h, &mi,
                            &s, ampm),
                     7, "%s", f[1]);
        if (strcmp(ampm, "PM") == 0 && h != 12)
            h += 12;
        else if (strcmp(ampm, "AM") == 0 && h == 12)
            h = 0;
        cr_assert_lt(k, 1024u);
        rows[k].local = cb_time_from_civil(y, mo, d, h, mi, s, 0);
        rows[k].event_id = (uint32_t)strtoul(f[3], NULL, 10);
        rows[k].msg = strdup(f[5]);
        k++;
        line = end + 2;
    }
    free(t);
    *n = k;
    return rows;
}

/* Every event of tl against the CSV rows; returns exact matches. */
static size_t match_csv(const struct cb_timeline *tl, struct row *rows,
                        size_t nrows)
{
    const cb_time hour = 3600LL * 10000000LL;
    int used_off[29] = {0};
    size_t exact = 0;
    for (size_t i = 0; i < tl->count; i++) {
        const struct cb_event *e = tl->events[i];
        cb_time sec = e->ts - e->ts % 10000000;
        struct row *hit = NULL;
        int hit_off = 0, candidates = 0;
        for (size_t r = 0; r < nrows && !hit; r++) {
            if (rows[r].used || rows[r].event_id != e->event_id)
                continue;
            cb_time d = rows[r].local - sec;
            if (d % hour != 0 || d / hour < -14 || d / hour > 14)
                continue;
            candidates++;
            if (strcmp(rows[r].msg, msg_of(e)) == 0) {
                hit = &rows[r];
                hit_off = (int)(d / hour);
            }
        }
        if (!hit) {
            cr_log_error("record %llu (event %u): no CSV row with message "
                         "'%s' (%d rows of that id and second)",
                         (unsigned long long)e->record_id, e->event_id,
                         msg_of(e), candidates);
            continue;
        }
        hit->used = 1;
        used_off[hit_off + 14] = 1;
        exact++;
    }
    int lo = -1, hi = -1;
    for (int o = 0; o < 29; o++) {
        if (used_off[o]) {
            if (lo < 0)
                lo = o;
            hi = o;
        }
    }
    cr_expect(lo < 0 || hi - lo <= 1, "offsets used: %d..%d h", lo - 14,
              hi - 14);
    return exact;
}

static void expect_all_rendered(struct cb_analysis *an, const char *dir,
                                const char *label)
{
    struct cb_timeline tl;
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_eq(tl.count, RECORDS, "%s: %zu events", label, tl.count);
    size_t synth = 0;
    for (size_t i = 0; i < tl.count; i++)
        synth += (tl.events[i]->flags & CB_EV_MESSAGE_SYNTH) != 0;
    cr_expect_eq(synth, 0u, "%s: every record has its message", label);
    size_t nrows;
    struct row *rows = read_csv(dir, &nrows);
    cr_assert_eq(nrows, RECORDS);
    size_t exact = match_csv(&tl, rows, nrows);
    cr_expect_eq(exact, RECORDS, "%s: %zu of %u messages equal the CSV's",
                 label, exact, RECORDS);
    for (size_t r = 0; r < nrows; r++)
        free(rows[r].msg);
    free(rows);
    cb_timeline_fini(&tl);
}

Test(corpus_mta, an_evtx_given_alone_reads_its_localemetadata)
{
    const char *dir = corpus_or_skip();
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, EVTX_REL);
    struct cb_analysis *an = analysis(NULL);
    struct cb_error err = {0};
    cr_assert_eq(cb_ingest_path(an, path, &err), CB_OK, "%s", err.msg);
    cr_assert_eq(an->nsources, 2u);
    const struct cb_source *log = an->sources[0], *mta = an->sources[1];
    cr_expect_str_eq(log->format, "evtx");
    cr_expect_str_eq(mta->format, "mta");
    cr_expect(strstr(mta->path, "LocaleMetaData/omer__test_1033.MTA"));
    expect_all_rendered(an, dir, "file");
    cr_assert_not_null(mta->note);
    cr_expect(strstr(mta->note, "omer__test.evtx: 239 of 239 events"), "%s",
              mta->note);
    cr_expect_eq(mta->nwarnings, 0u);
    cr_expect_eq(an->nwarnings, 0u);
    cb_analysis_destroy(&an);
}

/* The pair inside an archive, the MTA before and after its log. */
Test(corpus_mta, in_an_archive_either_order_pairs)
{
    const char *dir = corpus_or_skip();
    size_t elen, mlen;
    unsigned char *evtx = slurp(dir, EVTX_REL, &elen);
    unsigned char *meta = slurp(dir, MTA_REL, &mlen);
    cr_assert(evtx && meta);
    for (int order = 0; order < 2; order++) {
        struct member m[2] = {
            {"Logs/omer__test.evtx", evtx, elen, 0},
            {"Logs/localemetadata/OMER__TEST_1033.mta", meta, mlen, 0}};
        if (order) {
            struct member t = m[0];
            m[0] = m[1];
            m[1] = t;
        }
        size_t zlen;
        unsigned char *zip = make_archive("zip", NULL, NULL, NULL, m, 2, &zlen);
        struct cb_analysis *an = analysis(NULL);
        cr_assert_eq(cb_ingest_memory(an, "case.zip", zip, zlen, NULL), CB_OK);
        cr_assert_eq(an->nsources, 2u);
        expect_all_rendered(an, dir, order ? "mta first" : "evtx first");
        cb_analysis_destroy(&an);
        free(zip);
    }
    free(evtx);
    free(meta);
}

/* A folder as Event Viewer leaves it (copied to a temporary one). */
Test(corpus_mta, a_folder_pairs)
{
    const char *dir = corpus_or_skip();
    size_t elen, mlen;
    unsigned char *evtx = slurp(dir, EVTX_REL, &elen);
    unsigned char *meta = slurp(dir, MTA_REL, &mlen);
    char tmp[] = "/tmp/cb_mta_XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    char p1[256], p2[256], p3[256];
    snprintf(p1, sizeof p1, "%s/LocaleMetaData", tmp);
    snprintf(p2, sizeof p2, "%s/omer__test.evtx", tmp);
    snprintf(p3, sizeof p3, "%s/LocaleMetaData/omer__test_1033.MTA", tmp);
    cr_assert_eq(mkdir(p1, 0700), 0);
    FILE *f = fopen(p2, "wb");
    fwrite(evtx, 1, elen, f);
    fclose(f);
    f = fopen(p3, "wb");
    fwrite(meta, 1, mlen, f);
    fclose(f);
    struct cb_analysis *an = analysis(NULL);
    cr_assert_eq(cb_ingest_path(an, tmp, NULL), CB_OK);
    cr_assert_eq(an->nsources, 2u);
    expect_all_rendered(an, dir, "folder");
    cb_analysis_destroy(&an);
    unlink(p3);
    unlink(p2);
    rmdir(p1);
    rmdir(tmp);
    free(evtx);
    free(meta);
}
