/*
 * gaps.c - evidence gaps: what the bundle lacks for the knowledge base to
 * judge (channels its rules read that no source provides) and where a
 * clock had to be assumed. Cleared logs and unexpected shutdowns are
 * findings of the P6 rules; this is the part no single event shows.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casebrief/alloc.h"
#include "rules_internal.h"

#define MAX_CHANNELS 512

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push(struct cb_gaps *g, size_t *cap, struct cb_gap gap)
{
    if (g->count == *cap) {
        size_t n = *cap ? *cap * 2 : 16;
        struct cb_gap *ni = cb_realloc(g->items, n * sizeof *ni);
        if (!ni)
            return -1;
        g->items = ni;
        *cap = n;
    }
    g->items[g->count++] = gap;
    return 0;
}

static int cmp_time(const void *a, const void *b)
{
    cb_time x = *(const cb_time *)a, y = *(const cb_time *)b;
    return x < y ? -1 : x > y;
}

#define SILENT_MIN_EVENTS 200
#define SILENT_MIN_TICKS (3600LL * 10000000) /* an hour */
#define SILENT_FACTOR 200                    /* times the median interval */
#define SILENT_PER_SOURCE 3

/*
 * Stretches without events much longer than the source's usual rhythm
 * (over an hour, and over 200 times its median interval): a node down, a
 * service stopped, a log that wrapped. In a cluster.log such gaps usually
 * come from merging trace files, and the detail says so.
 */
static int silent_periods(const struct cb_analysis *an, struct cb_gaps *out,
                          size_t *cap)
{
    cb_time *d = NULL;
    size_t dcap = 0;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        if (s->nevents < SILENT_MIN_EVENTS || s->runs != 1)
            continue; /* too few to judge, or not in time order */
        size_t n = s->nevents - 1;
        if (n > dcap) {
            cb_time *nd = cb_realloc(d, n * sizeof *nd);
            if (!nd) {
                cb_free(d);
                return -1;
            }
            d = nd;
            dcap = n;
        }
        for (size_t k = 0; k < n; k++)
            d[k] = s->events[k + 1]->ts - s->events[k]->ts;
        qsort(d, n, sizeof *d, cmp_time);
        cb_time median = d[n / 2];
        cb_time limit = median * SILENT_FACTOR;
        if (limit < SILENT_MIN_TICKS)
            limit = SILENT_MIN_TICKS;
        /* the longest few above the limit, reported in time order */
        cb_time top = n ? d[n - 1] : 0;
        size_t shown = 0;
        cb_time floor_gap = n >= SILENT_PER_SOURCE ? d[n - SILENT_PER_SOURCE]
                                                   : 0;
        if (top <= limit)
            continue;
        int clusterlog = strcmp(s->format, "clusterlog") == 0;
        for (size_t k = 0; k + 1 < s->nevents && shown < SILENT_PER_SOURCE;
             k++) {
            cb_time gap = s->events[k + 1]->ts - s->events[k]->ts;
            if (gap <= limit || gap < floor_gap)
                continue;
            struct cb_gap g = {
                .kind = CB_GAP_SILENT,
                .subject = s->path,
                .host = s->host,
                .from = s->events[k]->ts,
                .to = s->events[k + 1]->ts,
                .detail = clusterlog
                              ? "no lines for this long inside the cluster "
                                "log: usually trace files merged by "
                                "Get-ClusterLog, not lost data"
                              : "no events for this long, far beyond this "
                                "log's usual rhythm: was the node or its "
                                "service down, or did the log wrap?"};
            if (push(out, cap, g) != 0) {
                cb_free(d);
                return -1;
            }
            shown++;
        }
    }
    cb_free(d);
    return 0;
}

enum cb_status cb_gaps_find(const struct cb_rules *rs,
                            const struct cb_analysis *an,
                            const struct cb_timeline *tl,
                            struct cb_gaps *out)
{
    memset(out, 0, sizeof *out);
    out->arena = cb_arena_create();
    if (!out->arena)
        return CB_E_NOMEM;
    size_t cap = 0;
    if (tl->count && rs) {
        /* channels present: few distinct interned pointers */
        const char *present[MAX_CHANNELS];
        size_t np = 0;
        const char *last = NULL;
        for (size_t i = 0; i < tl->count && np < MAX_CHANNELS; i++) {
            const char *c = tl->events[i]->channel;
            if (c == last)
                continue;
            last = c;
            size_t k = 0;
            while (k < np && present[k] != c)
                k++;
            if (k == np)
                present[np++] = c;
        }
        /* channels needed, each with the rules needing it */
        const char *needed[MAX_CHANNELS];
        size_t nn = 0;
        for (size_t r = 0; r < rs->count; r++) {
            const struct cb_rule *rule = rs->rules[r];
            for (unsigned c = 0; c < rule->nchannels && nn < MAX_CHANNELS;
                 c++) {
                size_t k = 0;
                while (k < nn && strcasecmp(needed[k], rule->channels[c]))
                    k++;
                if (k == nn)
                    needed[nn++] = rule->channels[c];
            }
        }
        qsort(needed, nn, sizeof *needed, cmp_str);
        for (size_t k = 0; k < nn; k++) {
            int have = 0;
            for (size_t i = 0; i < np && !have; i++)
                have = strcasecmp(present[i], needed[k]) == 0;
            if (have)
                continue;
            const char **ids =
                cb_arena_calloc(out->arena, rs->count, sizeof *ids);
            if (!ids)
                goto nomem;
            size_t nids = 0;
            for (size_t r = 0; r < rs->count; r++) {
                const struct cb_rule *rule = rs->rules[r];
                for (unsigned c = 0; c < rule->nchannels; c++) {
                    if (strcasecmp(rule->channels[c], needed[k]) == 0) {
                        ids[nids++] = rule->id;
                        break;
                    }
                }
            }
            /* a file name without '/' and with the usual prefix removed */
            const char *base = needed[k];
            if (strncmp(base, "Microsoft-Windows-", 18) == 0)
                base += 18;
            char *file = cb_arena_strdup(out->arena, base);
            if (!file)
                goto nomem;
            for (char *p = file; *p; p++)
                if (*p == '/' || *p == ' ')
                    *p = '-';
            struct cb_gap gap = {
                .kind = CB_GAP_MISSING_CHANNEL,
                .subject = needed[k],
                .detail = "no source in the bundle holds this channel, so "
                          "the rules that read it could not judge",
                .collect = cb_arena_printf(
                    out->arena,
                    "On every node: wevtutil epl \"%s\" "
                    "C:\\Temp\\%%COMPUTERNAME%%-%s.evtx",
                    needed[k], file),
                .rules = ids,
                .nrules = nids};
            if (!gap.collect || push(out, &cap, gap) != 0)
                goto nomem;
        }
    }
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        int assumed = 0;
        for (size_t k = 0; k < s->nevents && !assumed; k++)
            assumed = (s->events[k]->flags & CB_EV_TIME_ASSUMED) != 0;
        if (!assumed)
            continue;
        struct cb_gap gap = {
            .kind = CB_GAP_TIME_ASSUMED,
            .subject = s->path,
            .detail = s->time_basis,
            .collect = "A copy of the same events from an .evtx of that "
                       "node gives the exact offset"};
        if (push(out, &cap, gap) != 0)
            goto nomem;
    }
    if (silent_periods(an, out, &cap) != 0)
        goto nomem;
    return CB_OK;
nomem:
    cb_gaps_fini(out);
    return CB_E_NOMEM;
}

void cb_gaps_fini(struct cb_gaps *g)
{
    cb_free(g->items);
    g->items = NULL;
    g->count = 0;
    cb_arena_destroy(&g->arena);
}
