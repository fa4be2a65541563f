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
