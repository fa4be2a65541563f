/*
 * fuzz_parser.c - one parser on arbitrary bytes, then the timeline and its
 * renderers over whatever it produced. Compiled once per parser, with
 * CB_FUZZ_PARSER (its registry name) and CB_FUZZ_NAME (the file name the
 * input is given, which bidders may look at) defined by the build.
 */
#include <stdint.h>
#include <stdio.h>

#include "casebrief/casebrief.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_analysis *an = cb_analysis_create(NULL);
    if (!an)
        return 0;
    cb_ingest_leaf_memory(an, CB_FUZZ_NAME, data, size,
                          cb_parser_find(CB_FUZZ_PARSER));
    struct cb_timeline tl;
    if (cb_timeline_build(an, &tl) == CB_OK) {
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            cb_timeline_write(null, &tl, CB_TL_JSONL);
            cb_timeline_write(null, &tl, CB_TL_CSV);
            cb_report_json(null, an, &tl, NULL, NULL);
            fclose(null);
        }
        cb_timeline_fini(&tl);
    }
    cb_analysis_destroy(&an);
    return 0;
}
