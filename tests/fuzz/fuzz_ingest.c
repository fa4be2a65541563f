/*
 * fuzz_ingest.c - whole-bundle ingestion on arbitrary bytes: archive
 * detection, every libarchive format, nesting, limits, then the parsers
 * and the timeline, through cb_analyze as the command runs it.
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
    /* data NULL would mean a path */
    struct cb_analyze_input in = {"fuzz.bin", data ? (const void *)data : "",
                                  size};
    struct cb_analyze_opts o = {.inputs = &in, .ninputs = 1,
                                .limits = &lim, .timeline_only = 1};
    o.parsers = cb_parsers(&o.nparsers);
    o.jobs = size && (data[size - 1] & 1) ? 2 : 1;
    struct cb_analyze_result res;
    if (cb_analyze(&o, &res, NULL) == CB_OK) {
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            cb_report_json(null, res.an, &res.timeline, NULL, NULL);
            fclose(null);
        }
    }
    cb_analyze_result_fini(&res);
    return 0;
}
