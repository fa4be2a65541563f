/*
 * test_report_timeline.c - the timeline writer (reports/timeline.c): the
 * JSONL lines keep their times and strings right while the writer reuses
 * what it formatted for the line before (same second, same day, same
 * host/channel/component pointers, values escaped once).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "casebrief/casebrief.h"

#define N 4000

static struct cb_source src;
static struct cb_event evs[N];
static struct cb_event *ptrs[N];

static char *write_jsonl(size_t n, size_t *len)
{
    struct cb_timeline tl = {.events = ptrs, .count = n};
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    cr_assert_eq(cb_timeline_write(f, &tl, CB_TL_JSONL), CB_OK);
    fclose(f);
    return buf;
}

/* The value of "key":"..." in line (no escapes expected in it). */
static void value(const char *line, const char *key, char *out, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    cr_assert_not_null(p, "no %s in %.200s", key, line);
    p += strlen(pat);
    size_t k = 0;
    if (*p == '"') {
        p++;
        while (*p && !(*p == '"' && p[-1] != '\\') && k + 1 < size)
            out[k++] = *p++;
    } else {
        while (*p && *p != ',' && *p != '}' && k + 1 < size)
            out[k++] = *p++;
    }
    out[k] = '\0';
}

Test(report_timeline, jsonl_times_and_repeated_strings_stay_exact)
{
    src.path = "case.zip!N1_cluster.log";
    src.data_type = "windows:cluster:log";
    src.origin_is_line = 1;
    static const char *const hosts[] = {"HV-NODE1", "HV-NODE2", "N\"3"};
    static const char *const comps[] = {"RCM", "RES", "NM", NULL, "a\\b"};
    /* times: same second repeated, day and year boundaries, before 1970
     * and near 1601, fractions down to 100 ns */
    uint64_t rng = 42;
    cb_time t = 116444736000000000LL - 10000000LL * 86400 * 3; /* 1969 */
    for (size_t i = 0; i < N; i++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(rng >> 33);
        if (i == N / 2)
            t = 5000000LL; /* 1601-01-01T00:00:00.5 */
        else if (r % 4 == 0)
            t += 0;
        else if (r % 4 == 1)
            t += (cb_time)(r % 10000000);
        else if (r % 4 == 2)
            t += (cb_time)(r % 1000) * 10000000LL * 3600;
        else
            t += 1;
        struct cb_event *e = &evs[i];
        e->ts = t;
        e->host = hosts[r % 3];
        e->channel = "cluster.log";
        e->component = comps[r % 5];
        e->message = r % 7 ? "text" : "tab\there \"q\"";
        e->source = &src;
        e->origin = i + 1;
        ptrs[i] = e;
    }
    size_t len;
    char *out = write_jsonl(N, &len);
    char *save = NULL, *line = strtok_r(out, "\n", &save);
    for (size_t i = 0; i < N; i++) {
        cr_assert_not_null(line, "line %zu missing", i);
        const struct cb_event *e = &evs[i];
        char want[40], got[64];
        cb_time_format_iso(e->ts, want, sizeof want);
        value(line, "datetime", got, sizeof got);
        cr_assert_str_eq(got, want, "line %zu", i);
        value(line, "timestamp", got, sizeof got);
        cr_assert_eq(strtoll(got, NULL, 10), cb_time_to_unix_us(e->ts));
        value(line, "host", got, sizeof got);
        if (strcmp(e->host, "N\"3") == 0)
            cr_assert_str_eq(got, "N\\\"3");
        else
            cr_assert_str_eq(got, e->host);
        value(line, "component", got, sizeof got);
        if (!e->component)
            cr_assert_str_eq(got, "null");
        else if (strcmp(e->component, "a\\b") == 0)
            cr_assert_str_eq(got, "a\\\\b");
        else
            cr_assert_str_eq(got, e->component);
        value(line, "source", got, sizeof got);
        cr_assert_str_eq(got, "case.zip!N1_cluster.log");
        value(line, "line", got, sizeof got);
        cr_assert_eq(strtoull(got, NULL, 10), i + 1);
        line = strtok_r(NULL, "\n", &save);
    }
    cr_assert_null(line);
    free(out);
}

Test(report_timeline, jsonl_hand_checked_times)
{
    src.path = "x";
    src.data_type = "t";
    /* 2024-11-15T01:52:07.1234567Z: Unix 1731635527 */
    evs[0] = (struct cb_event){.ts = 1731635527LL * 10000000 + 1234567 +
                                     116444736000000000LL,
                               .host = "",
                               .channel = "c",
                               .message = "",
                               .source = &src};
    /* the same second again, then the next day */
    evs[1] = evs[0];
    evs[2] = evs[0];
    evs[2].ts += 86400LL * 10000000;
    for (int i = 0; i < 3; i++)
        ptrs[i] = &evs[i];
    size_t len;
    char *out = write_jsonl(3, &len);
    cr_assert(strstr(out, "{\"datetime\":\"2024-11-15T01:52:07.123456+00:00"
                          "\",\"timestamp\":1731635527123456,"));
    cr_assert(strstr(out, "\n{\"datetime\":\"2024-11-15T01:52:07.123456"));
    cr_assert(strstr(out, "{\"datetime\":\"2024-11-16T01:52:07.123456"));
    free(out);
}

/* The JSON escaping of a message, written here byte by byte: printable
 * ASCII as is, '"' '\\' \n \r \t as two-character escapes, other control
 * bytes as \u00XX, valid UTF-8 kept, any other byte as U+FFFD. */
static void reference_escape(const unsigned char *s, char *out)
{
    size_t k = 0;
    for (size_t i = 0; s[i];) {
        unsigned c = s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        int ok = len > 0;
        uint32_t cp = len == 1   ? c
                      : len == 2 ? c & 0x1F
                      : len == 3 ? c & 0x0F
                                 : c & 0x07;
        for (size_t j = 1; ok && j < len; j++) {
            ok = (s[i + j] & 0xC0) == 0x80;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (ok && len > 1) {
            static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
            ok = cp >= min[len] && cp <= 0x10FFFF &&
                 !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (ok && len > 1) {
            memcpy(out + k, s + i, len);
            k += len;
            i += len;
            continue;
        }
        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out[k++] = '\\';
            out[k++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20) {
            k += (size_t)sprintf(out + k, "\\u%04x", c);
        } else if (c >= 0x80) {
            memcpy(out + k, "\xEF\xBF\xBD", 3);
            k += 3;
        } else {
            out[k++] = (char)c;
        }
        i++;
    }
    out[k] = '\0';
}

Test(report_timeline, jsonl_message_escaping_at_every_alignment)
{
    src.path = "x";
    src.data_type = "t";
    static const char *const pieces[] = {"plain text ",
                                         "\"",
                                         "\\",
                                         "\n",
                                         "\r\n",
                                         "\t",
                                         "\x01",
                                         "\x1f",
                                         "\x7f",
                                         "\xC3\xA4",
                                         "\xE2\x80\x9E",
                                         "\xF0\x9F\x98\x80",
                                         "\xC3",
                                         "\xE2\x80",
                                         "\xFF",
                                         "\xED\xA0\x80",
                                         "\xC0\xAF",
                                         "abcdefgh",
                                         "12345678901234567"};
    static char msgs[64][200];
    uint64_t rng = 7;
    for (int m = 0; m < 64; m++) {
        size_t k = (size_t)m % 9; /* start at every alignment */
        memset(msgs[m], 'a', k);
        while (k < 150) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *p = pieces[(rng >> 33) % 19];
            memcpy(msgs[m] + k, p, strlen(p));
            k += strlen(p);
        }
        msgs[m][k] = '\0';
        evs[m] = (struct cb_event){.ts = 116444736000000000LL,
                                   .host = "",
                                   .channel = "c",
                                   .message = msgs[m],
                                   .source = &src};
        ptrs[m] = &evs[m];
    }
    size_t len;
    char *out = write_jsonl(64, &len);
    char *line = out;
    for (int m = 0; m < 64; m++) {
        char want[1400], pat[1440];
        reference_escape((const unsigned char *)msgs[m], want);
        snprintf(pat, sizeof pat, "\"message\":\"%s\",\"data_type\"", want);
        char *nl = strchr(line, '\n');
        cr_assert_not_null(nl);
        *nl = '\0';
        cr_assert(strstr(line, pat), "message %d:\n%s\nwant %s", m, line, want);
        line = nl + 1;
    }
    free(out);
}

/* ---- cb_timeline_write_jobs --------------------------------------------
 * Formatting on several threads must give the bytes of one thread, in
 * every format, whatever the number of threads and however the blocks
 * fall; a write error ends it without hanging. */

#define NBIG 50001 /* a partial last block */

static char *write_with(const struct cb_timeline *tl,
                        enum cb_timeline_format fmt, unsigned jobs,
                        size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    enum cb_status rc = jobs ? cb_timeline_write_jobs(f, tl, fmt, jobs)
                             : cb_timeline_write(f, tl, fmt);
    cr_assert_eq(rc, CB_OK);
    fclose(f);
    return buf;
}

static struct cb_timeline big_timeline(void)
{
    static struct cb_source bsrc[2];
    static struct cb_field fields[3] = {{"VmName", "VM-\"7\""},
                                        {"Error", "0x80070020"},
                                        {"Text", "line\nbreak"}};
    static struct cb_also also = {.origin = 99};
    bsrc[0] = (struct cb_source){.path = "a.evtx", .data_type = "windows:evtx"};
    bsrc[1] = (struct cb_source){.path = "N1_cluster.log",
                                 .data_type = "windows:cluster:log",
                                 .origin_is_line = 1};
    also.source = &bsrc[0];
    struct cb_event *ev = calloc(NBIG, sizeof *ev);
    struct cb_event **pp = calloc(NBIG, sizeof *pp);
    cr_assert(ev && pp);
    cb_time t = 133700000000000000LL;
    for (size_t i = 0; i < NBIG; i++) {
        struct cb_event *e = &ev[i];
        t += (cb_time)(i % 7) * 1234567;
        e->ts = t;
        e->source = &bsrc[i % 2];
        e->host = i % 3 ? "HV-NODE1" : "HV-NODE2";
        e->channel = i % 2 ? "cluster.log" : "System";
        e->provider = i % 2 ? NULL : "Microsoft-Windows-Hyper-V-VMMS";
        e->component = i % 2 ? (i % 4 == 1 ? "RCM" : "NM") : NULL;
        e->message = i % 5 ? "a message" : "tab\there \"q\" \xff";
        e->level = (uint8_t)(i % 5);
        e->event_id = (uint32_t)(i % 40000);
        e->record_id = i + 1;
        e->flags = CB_EV_HAS_EVENT_ID | CB_EV_HAS_RECORD_ID |
                   (i % 11 ? 0 : CB_EV_RECOVERED);
        e->origin = i * 10;
        e->fields = fields;
        e->nfields = (uint32_t)(i % 4);
        e->also = i % 13 ? NULL : &also;
        pp[i] = e;
    }
    return (struct cb_timeline){.events = pp, .count = NBIG};
}

Test(report_timeline, jobs_give_the_bytes_of_one_thread)
{
    struct cb_timeline tl = big_timeline();
    const enum cb_timeline_format fmts[] = {CB_TL_JSONL, CB_TL_CSV,
                                            CB_TL_TEXT};
    for (size_t k = 0; k < 3; k++) {
        size_t n1, lines = 0;
        char *one = write_with(&tl, fmts[k], 0, &n1);
        for (size_t i = 0; i < n1; i++)
            lines += one[i] == '\n';
        /* every event on its own line (CSV adds its header) */
        cr_assert_eq(lines, NBIG + (fmts[k] == CB_TL_CSV), "format %zu", k);
        const unsigned jobs[] = {1, 2, 3, 7};
        for (size_t j = 0; j < 4; j++) {
            size_t nj;
            char *par = write_with(&tl, fmts[k], jobs[j], &nj);
            cr_assert_eq(nj, n1, "format %zu, %u jobs: %zu bytes, want %zu",
                         k, jobs[j], nj, n1);
            cr_assert(memcmp(par, one, n1) == 0, "format %zu, %u jobs", k,
                      jobs[j]);
            free(par);
        }
        free(one);
    }
    free(tl.events[0]);
    free(tl.events);
}

Test(report_timeline, jobs_stop_on_a_write_error)
{
    struct cb_timeline tl = big_timeline();
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        cr_skip_test("no /dev/full");
    setvbuf(f, NULL, _IONBF, 0);
    cr_assert_eq(cb_timeline_write_jobs(f, &tl, CB_TL_JSONL, 2), CB_E_IO);
    fclose(f);
    free(tl.events[0]);
    free(tl.events);
}

/* issue 19 #5: a customer string that a spreadsheet would run as a formula
 * (OWASP's CSV injection list: = + - @ tab CR) starts its cell with an
 * apostrophe; the same strings in JSONL are unchanged. The payloads are
 * the issue's. */
Test(report_timeline, csv_cells_that_start_a_formula_are_guarded)
{
    static struct cb_source s2, s3;
    s2 = (struct cb_source){.path = "@SUM(1+1).log", .data_type = "t"};
    s3 = (struct cb_source){.path = "-x.evtx", .data_type = "t"};
    static struct cb_field f[1] = {{.name = "=1+2", .value = "v"}};
    static struct cb_also also = {.source = &s3, .origin = 7};
    evs[0] = (struct cb_event){.ts = 116444736000000000LL,
                               .host = "+HOST",
                               .channel = "\tTab",
                               .provider = "=cmd|' /C calc'!A0",
                               .message = "=HYPERLINK(\"http://x\",\"y\")",
                               .fields = f,
                               .nfields = 1,
                               .also = &also,
                               .source = &s2};
    ptrs[0] = &evs[0];
    struct cb_timeline tl = {.events = ptrs, .count = 1};
    size_t len;
    char *csv = write_with(&tl, CB_TL_CSV, 0, &len);
    const char *row = strchr(csv, '\n') + 1;
    cr_expect(strstr(row, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","),
              "%s", row);
    cr_expect(strstr(row, ",'+HOST,"), "%s", row);
    cr_expect(strstr(row, ",' Tab,"), "%s", row); /* the tab blanked too */
    cr_expect(strstr(row, ",'=cmd|' /C calc'!A0,"), "%s", row);
    cr_expect(strstr(row, ",'@SUM(1+1).log,"), "%s", row);
    cr_expect(strstr(row, ",\"'=1+2=v\","), "%s", row);
    cr_expect(strstr(row, ",\"'-x.evtx (offset 7)\""), "%s", row);
    /* no cell of the row starts with a bare formula character */
    for (const char *p = row; *p && *p != '\n'; p++)
        if (p == row || p[-1] == ',')
            cr_expect(!strchr("=+-@", *p), "cell at %td: %.20s", p - row, p);
    free(csv);
    char *jsonl = write_with(&tl, CB_TL_JSONL, 0, &len);
    cr_expect(strstr(jsonl, "\"host\":\"+HOST\""), "%s", jsonl);
    cr_expect(!strstr(jsonl, "'="), "%s", jsonl);
    free(jsonl);
}
