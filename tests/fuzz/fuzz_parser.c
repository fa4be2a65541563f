/*
 * fuzz_parser.c - one parser on arbitrary bytes, then the timeline and its
 * renderers over whatever it produced. Compiled once per parser, with
 * CB_FUZZ_PARSER (its registry name) and CB_FUZZ_NAME (the file name the
 * input is given, which bidders may look at) defined by the build.
 *
 * A parser that uses worker threads (evtx with -j N) parses the input a
 * second time with 2 jobs: it must give as many events and warnings as
 * with one, or the harness aborts (a crash for libFuzzer).
 *
 * A parser whose events may be rewound (cluster.log) parses it again with
 * a keep filter that declines every other event: kept plus counted must
 * be what the first parse kept, then gaps and reports run over it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"

static int every_other(void *ctx, const struct cb_event *ev)
{
    (void)ev;
    return (int)((*(unsigned *)ctx)++ & 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    if (!an)
        return 0;
    cb_ingest_leaf_memory(an, CB_FUZZ_NAME, data, size,
                          cb_parser_find(CB_FUZZ_PARSER));
    struct cb_timeline tl;
    if (cb_analysis_finish(an) == CB_OK && cb_timeline_build(an, &tl) == CB_OK) {
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            cb_timeline_write(null, &tl, CB_TL_JSONL);
            cb_timeline_write(null, &tl, CB_TL_CSV);
            cb_report_json(null, an, &tl, NULL, NULL);
            fclose(null);
        }
        cb_timeline_fini(&tl);
    }
    if (strcmp(CB_FUZZ_PARSER, "evtx") == 0) {
        struct cb_analysis *par = cb_analysis_create_all(NULL);
        if (par) {
            par->opts.jobs = 2;
            cb_ingest_leaf_memory(par, CB_FUZZ_NAME, data, size,
                                  cb_parser_find(CB_FUZZ_PARSER));
            if (an->nsources != par->nsources ||
                (an->nsources &&
                 (an->sources[0]->nevents != par->sources[0]->nevents ||
                  an->sources[0]->nwarnings != par->sources[0]->nwarnings)))
                abort();
            cb_analysis_destroy(&par);
        }
    }
    const struct cb_parser_ops *ops = cb_parser_find(CB_FUZZ_PARSER);
    if (ops && ops->events_rewindable) {
        struct cb_analysis *kept = cb_analysis_create_all(NULL);
        unsigned n = 0;
        if (kept) {
            kept->keep = every_other;
            kept->keep_ctx = &n;
            cb_ingest_leaf_memory(kept, CB_FUZZ_NAME, data, size, ops);
            if (an->nsources != kept->nsources ||
                (an->nsources &&
                 an->sources[0]->nevents !=
                     kept->sources[0]->nevents + kept->sources[0]->not_kept))
                abort();
            struct cb_timeline ktl;
            if (cb_analysis_finish(kept) == CB_OK && cb_timeline_build(kept, &ktl) == CB_OK) {
                struct cb_gaps gaps;
                if (cb_gaps_find(NULL, kept, &ktl, &gaps) == CB_OK) {
                    FILE *null = fopen("/dev/null", "w");
                    if (null) {
                        cb_report_json(null, kept, &ktl, NULL, &gaps);
                        fclose(null);
                    }
                    cb_gaps_fini(&gaps);
                }
                cb_timeline_fini(&ktl);
            }
            cb_analysis_destroy(&kept);
        }
    }
    cb_analysis_destroy(&an);
    return 0;
}
