/*
 * core_only.c - the core works, and links, with no shipped parser and no
 * renderer: this program is linked against cb_core alone. It hands an
 * analysis a parser table of its own (a toy line format, "TOY <seconds>
 * <host> <message>"), ingests two memory buffers, finishes, builds the
 * timeline and checks the events. Exit 0 when all is well.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "stream.h"

static int toy_bid(const unsigned char *head, size_t len, const char *name)
{
    (void)name;
    return len >= 4 && memcmp(head, "TOY ", 4) == 0 ? 32 : 0;
}

static enum cb_status toy_open(struct cb_parse *p, void **state)
{
    *state = NULL;
    p->src->time_kind = CB_TK_UTC;
    p->src->origin_is_line = 1;
    return CB_OK;
}

/* Seconds after 2024-11-15 00:00 UTC (times before 1990 are implausible:
 * left out of spans, with a warning). */
#define TOY_BASE (CB_TIME_UNIX_EPOCH + 1731628800LL * 10000000LL)

/* One event per line; its origin is the offset after it. */
static enum cb_next toy_next(struct cb_parse *p, void *state,
                             struct cb_event *ev)
{
    (void)state;
    size_t len;
    int cut;
    const char *line;
    while ((line = cb_stream_line(p->in, &len, &cut)) != NULL) {
        char buf[256], host[64];
        long long secs;
        int off = 0;
        snprintf(buf, sizeof buf, "%.*s", (int)len, line);
        if (sscanf(buf, "TOY %lld %63s %n", &secs, host, &off) < 2 || !off) {
            cb_parse_warn(p, CB_WHERE_OFFSET, cb_stream_tell(p->in),
                          "not a toy line");
            continue;
        }
        memset(ev, 0, sizeof *ev);
        ev->ts = TOY_BASE + secs * 10000000LL;
        ev->level = CB_LEVEL_INFO;
        ev->host = cb_intern_cstr(p->strings, host);
        ev->channel = cb_intern_cstr(p->strings, "toy");
        ev->message = cb_arena_strdup(p->arena, buf + off);
        ev->origin = cb_stream_tell(p->in);
        if (!ev->host || !ev->channel || !ev->message) {
            p->err.code = CB_E_NOMEM;
            return CB_NEXT_FAIL;
        }
        return CB_NEXT_EVENT;
    }
    return CB_NEXT_END;
}

static const struct cb_parser_ops toy = {
    .name = "toy",
    .description = "a test format",
    .data_type = "test:toy",
    .bid = toy_bid,
    .open = toy_open,
    .next = toy_next,
};

static const struct cb_parser_ops *const table[] = {&toy};

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "core_only: FAIL %s\n", what);
        failures++;
    }
}

int main(void)
{
    struct cb_analysis *an = cb_analysis_create(NULL);
    if (!an)
        return 1;
    cb_analysis_use_parsers(an, table, 1);
    const char *b = "TOY 20 NODE2 second\nTOY 40 NODE2 fourth\n";
    const char *a = "TOY 10 NODE1 first\nnoise\nTOY 30 NODE1 third\n";
    struct cb_error err = {0};
    check(cb_ingest_memory(an, "b.toy", b, strlen(b), &err) == CB_OK,
          "ingest b");
    check(cb_ingest_memory(an, "a.toy", a, strlen(a), &err) == CB_OK,
          "ingest a");
    check(cb_analysis_finish(an) == CB_OK, "finish");
    check(an->nsources == 2, "two sources");
    if (an->nsources == 2) {
        check(strcmp(an->sources[0]->path, "a.toy") == 0, "path order");
        check(strcmp(an->sources[0]->format, "toy") == 0, "format");
        check(an->sources[0]->nwarnings == 1, "the noise line warned");
    }
    struct cb_timeline tl;
    check(cb_timeline_build(an, &tl) == CB_OK, "timeline");
    static const char *want[] = {"first", "second", "third", "fourth"};
    check(tl.count == 4, "four events");
    for (size_t i = 0; i < tl.count && i < 4; i++) {
        check(strcmp(tl.events[i]->message, want[i]) == 0, "time order");
        check(tl.events[i]->ts ==
                  TOY_BASE + (cb_time)(i + 1) * 100000000LL,
              "times");
    }
    check(tl.count == 4 && strcmp(tl.events[0]->host, "NODE1") == 0, "host");
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
    if (!failures)
        printf("core_only: ok\n");
    return failures ? 1 : 0;
}
