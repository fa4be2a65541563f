/*
 * timeline.c - merge every source's events into one order and drop the
 * records seen twice.
 *
 * Sources are nearly sorted already (logs are written in time order), so
 * each source is cut into its natural ascending runs and the runs are
 * merged with a binary heap: O(n log k) with k small, instead of a global
 * sort. Ties go to the run that comes first, which keeps the merge stable.
 */
#include <string.h>

#include "casebrief/alloc.h"
#include "casebrief/timeline.h"

struct run {
    struct cb_event **ev;
    size_t len, pos;
    size_t order;
};

/* heap of run indices, keyed by (head ts, run order) */
static int run_less(const struct run *a, const struct run *b)
{
    cb_time ta = a->ev[a->pos]->ts, tb = b->ev[b->pos]->ts;
    if (ta != tb)
        return ta < tb;
    return a->order < b->order;
}

static void sift_down(struct run **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && run_less(h[l], h[m]))
            m = l;
        if (r < n && run_less(h[r], h[m]))
            m = r;
        if (m == i)
            return;
        struct run *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void merge(struct run *runs, size_t nruns, struct cb_event **out,
                  struct run **heap)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < nruns; i++) {
        if (runs[i].len)
            heap[n++] = &runs[i];
    }
    for (size_t i = n; i-- > 0;)
        sift_down(heap, n, i);
    while (n > 0) {
        struct run *r = heap[0];
        if (n == 1) { /* the last run: the rest of it in one copy */
            memcpy(out + k, r->ev + r->pos, (r->len - r->pos) * sizeof *out);
            return;
        }
        /* Copy the stretch of this run that stays ahead of the next best
         * run in one go: with few, long runs that is most of the work. */
        cb_time limit = INT64_MAX;
        size_t limit_order = SIZE_MAX;
        if (n > 1) {
            struct run *c = heap[1];
            if (n > 2 && run_less(heap[2], c))
                c = heap[2];
            limit = c->ev[c->pos]->ts;
            limit_order = c->order;
        }
        do {
            out[k++] = r->ev[r->pos++];
        } while (r->pos < r->len &&
                 (r->ev[r->pos]->ts < limit ||
                  (r->ev[r->pos]->ts == limit && r->order < limit_order)));
        if (r->pos == r->len)
            heap[0] = heap[--n];
        sift_down(heap, n, 0);
    }
}

enum cb_status cb_merge_runs(struct cb_event **const *evs, const size_t *lens,
                             size_t nruns, struct cb_event **out)
{
    struct run *runs = cb_calloc(nruns ? nruns : 1, sizeof *runs);
    struct run **heap = cb_calloc(nruns ? nruns : 1, sizeof *heap);
    if (!runs || !heap) {
        cb_free(runs);
        cb_free(heap);
        return CB_E_NOMEM;
    }
    for (size_t i = 0; i < nruns; i++) {
        runs[i].ev = (struct cb_event **)evs[i];
        runs[i].len = lens[i];
        runs[i].order = i;
    }
    merge(runs, nruns, out, heap);
    cb_free(runs);
    cb_free(heap);
    return CB_OK;
}

/* ---- de-duplication ---------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t key_hash(const struct cb_event *e)
{
    uint64_t h = mix((uint64_t)(uintptr_t)e->host, (uintptr_t)e->channel);
    if (e->flags & CB_EV_HAS_RECORD_ID)
        return mix(h, e->record_id);
    h = mix(h, (uint64_t)e->ts);
    h = mix(h, e->flags & CB_EV_HAS_EVENT_ID ? e->event_id : UINT64_MAX);
    h = mix(h, (uintptr_t)e->provider);
    return mix(h, cb_hash_bytes(e->message, strlen(e->message), 0));
}

static int same_record(const struct cb_event *a, const struct cb_event *b)
{
    if (a->host != b->host || a->channel != b->channel)
        return 0;
    int ra = (a->flags & CB_EV_HAS_RECORD_ID) != 0;
    int rb = (b->flags & CB_EV_HAS_RECORD_ID) != 0;
    if (ra != rb)
        return 0;
    if (ra)
        return a->record_id == b->record_id;
    return a->ts == b->ts && a->provider == b->provider &&
           ((a->flags ^ b->flags) & CB_EV_HAS_EVENT_ID) == 0 &&
           a->event_id == b->event_id && strcmp(a->message, b->message) == 0;
}

/* Keep the first of each record in merged order; a record repeats only
 * when a different source holds it (two lines alike inside one file are
 * two events). */
static enum cb_status dedup(struct cb_timeline *tl)
{
    size_t cap = 16;
    while (cap < tl->count * 2)
        cap *= 2;
    struct cb_event **slots = cb_calloc(cap, sizeof *slots);
    if (!slots)
        return CB_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < tl->count; i++) {
        struct cb_event *e = tl->events[i];
        size_t j = key_hash(e) & (cap - 1);
        int dup = 0;
        while (slots[j]) {
            if (slots[j]->source != e->source && same_record(slots[j], e)) {
                dup = 1;
                break;
            }
            j = (j + 1) & (cap - 1);
        }
        if (dup) {
            ((struct cb_source *)e->source)->duplicates++;
            tl->duplicates++;
            continue;
        }
        slots[j] = e;
        tl->events[k++] = e;
    }
    tl->count = k;
    cb_free(slots);
    return CB_OK;
}

enum cb_status cb_timeline_build(struct cb_analysis *an,
                                 struct cb_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    tl->jobs = an->opts.jobs;
    size_t total = 0, nruns = 0;
    for (size_t s = 0; s < an->nsources; s++) {
        total += an->sources[s]->nevents;
        nruns += an->sources[s]->runs; /* counted as events arrived */
    }
    tl->events = cb_malloc((total ? total : 1) * sizeof *tl->events);
    struct run *runs = cb_calloc(nruns ? nruns : 1, sizeof *runs);
    struct run **heap = cb_calloc(nruns ? nruns : 1, sizeof *heap);
    if (!tl->events || !runs || !heap) {
        cb_free(runs);
        cb_free(heap);
        cb_timeline_fini(tl);
        return CB_E_NOMEM;
    }
    size_t r = 0;
    for (size_t s = 0; s < an->nsources; s++) {
        const struct cb_source *src = an->sources[s];
        if (src->runs == 1) { /* the common case: a sorted log */
            runs[r].ev = src->events;
            runs[r].len = src->nevents;
            runs[r].order = r;
            r++;
            continue;
        }
        for (size_t i = 0; i < src->nevents; i++) {
            if (i == 0 || src->events[i]->ts < src->events[i - 1]->ts) {
                runs[r].ev = src->events + i;
                runs[r].order = r;
                r++;
            }
            runs[r - 1].len++;
        }
    }
    merge(runs, nruns, tl->events, heap);
    cb_free(runs);
    cb_free(heap);
    tl->count = total;
    tl->runs = nruns;
    size_t with_events = 0;
    for (size_t s = 0; s < an->nsources; s++) {
        an->sources[s]->duplicates = 0;
        with_events += an->sources[s]->nevents > 0;
    }
    /* a record can repeat only across two sources */
    enum cb_status st = with_events > 1 ? dedup(tl) : CB_OK;
    if (st != CB_OK) {
        cb_timeline_fini(tl);
        return st;
    }
    return CB_OK;
}

void cb_timeline_fini(struct cb_timeline *tl)
{
    cb_free(tl->events);
    tl->events = NULL;
    tl->count = 0;
}
