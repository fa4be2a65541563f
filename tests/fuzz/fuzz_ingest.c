/*
 * fuzz_ingest.c - whole-bundle ingestion on arbitrary bytes: archive
 * detection, every libarchive format, nesting, limits, then the parsers.
 * Limits are lowered so that a bomb costs milliseconds, not minutes.
 * Inputs whose last byte is odd run with -j 2: members read ahead on a
 * thread of their own, .evtx members on workers kept across members.
 */
#include <stdint.h>
#include <stdio.h>

#include "registry.h"
#include "casebrief/casebrief.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_limits lim;
    cb_limits_default(&lim);
    lim.total_bytes = 64u << 20;
    lim.member_bytes = 16u << 20;
    lim.members = 1000;
    lim.depth = 4;
    lim.ratio_min_bytes = 1u << 20;
    struct cb_analysis *an = cb_analysis_create_all(&lim);
    if (!an)
        return 0;
    if (size && (data[size - 1] & 1))
        an->opts.jobs = 2;
    cb_ingest_memory(an, "fuzz.bin", data, size, NULL);
    struct cb_timeline tl;
    if (cb_analysis_finish(an) == CB_OK && cb_timeline_build(an, &tl) == CB_OK) {
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            cb_report_json(null, an, &tl, NULL, NULL);
            fclose(null);
        }
        cb_timeline_fini(&tl);
    }
    cb_analysis_destroy(&an);
    return 0;
}
