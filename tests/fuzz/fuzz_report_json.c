/*
 * fuzz_report_json.c - report.json and the JSONL timeline over events any
 * parser makes of arbitrary bytes (first byte picks the parser), with
 * findings and gaps from rules that copy the data into summaries and
 * entities. Checked: the output is valid UTF-8 and parses as JSON
 * (report.json one document, the timeline one document per line, one
 * line per event) with no lone surrogate escaped. Any breach aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "fuzz_check.h"

static void check_json(const char *s, size_t len)
{
    check_utf8((const unsigned char *)s, len, 0);
    if (strlen(s) != len || !json_valid(s, len))
        abort();
}

static void check_jsonl(const char *s, size_t len, size_t events)
{
    check_utf8((const unsigned char *)s, len, 0);
    if (strlen(s) != len)
        abort();
    size_t lines = 0;
    for (const char *p = s; p < s + len;) {
        const char *nl = memchr(p, '\n', (size_t)(s + len - p));
        if (!nl || !json_valid(p, (size_t)(nl - p)))
            abort();
        lines++;
        p = nl + 1;
    }
    if (lines != events)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_rules *rules = fuzz_rules();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    if (!an)
        return 0;
    fuzz_bundle(an, "a\"b\\c\x01\xff/N1_cluster.log", data, size);
    cb_analysis_warn(an, "x\"\n\xc3", CB_WHERE_NONE, 0, "%s", "\x7f\xed\xa0\x80");
    struct cb_timeline tl;
    if (cb_analysis_finish(an) == CB_OK && cb_timeline_build(an, &tl) == CB_OK) {
        struct cb_findings fs = {0};
        struct cb_gaps gaps = {0};
        int have_fs = cb_correlate(rules, &tl, &fs) == CB_OK;
        int have_gaps = cb_gaps_find(rules, an, &tl, &gaps) == CB_OK;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (f) {
            enum cb_status rc = cb_report_json(f, an, &tl,
                                               have_fs ? &fs : NULL,
                                               have_gaps ? &gaps : NULL);
            if (fclose(f) == 0 && rc == CB_OK)
                check_json(buf, len);
            free(buf);
        }
        buf = NULL;
        len = 0;
        f = open_memstream(&buf, &len);
        if (f) {
            enum cb_status rc = cb_timeline_write(f, &tl, CB_TL_JSONL);
            if (fclose(f) == 0 && rc == CB_OK)
                check_jsonl(buf, len, tl.count);
            free(buf);
        }
        if (have_gaps)
            cb_gaps_fini(&gaps);
        if (have_fs)
            cb_findings_fini(&fs);
        cb_timeline_fini(&tl);
    }
    cb_analysis_destroy(&an);
    return 0;
}
