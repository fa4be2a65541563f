/*
 * timeline.c - merge every source's events into one order and drop the
 * records seen twice.
 *
 * Sources are nearly sorted already (logs are written in time order), so
 * each source is cut into its natural ascending runs and the runs are
 * merged with a binary heap: O(n log k) with k small, instead of a global
 * sort. Ties go to the run that comes first, which keeps the merge stable.
 */
#include <stdint.h>
#include <string.h>

#include "casebrief/alloc.h"
#include "casebrief/timeline.h"

struct run {
    struct cb_event **ev;
    size_t len, pos;
    size_t order;
    unsigned char mark; /* copied to mark[] beside each event merged */
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

/* mark (may be NULL) gets each output event's run mark, so that a later
 * pass can tell events apart without touching them. */
static void merge(struct run *runs, size_t nruns, struct cb_event **out,
                  unsigned char *mark, struct run **heap)
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
            if (mark)
                memset(mark + k, r->mark, r->len - r->pos);
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
        size_t k0 = k;
        do {
            /* logs of several nodes interleave event by event: ask for
             * this run's later events before their timestamps are read */
            if (r->pos + 8 < r->len)
                __builtin_prefetch(r->ev[r->pos + 8]);
            out[k++] = r->ev[r->pos++];
        } while (r->pos < r->len &&
                 (r->ev[r->pos]->ts < limit ||
                  (r->ev[r->pos]->ts == limit && r->order < limit_order)));
        if (mark)
            memset(mark + k0, r->mark, k - k0);
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
    merge(runs, nruns, out, NULL, heap);
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

/* The final step of a 64-bit hash: spreads sequential record ids, which
 * would otherwise fill neighbouring slots and make long probe chains. */
static uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* Which (host, channel) pairs occur in two sources or more: a record can
 * repeat only there, so every other event skips the hash table (in a
 * bundle of several nodes, most events: each node's cluster.log has a
 * host of its own). */
struct pair_slot {
    const char *host, *channel;
    size_t first; /* an->sources[first]: the first source with the pair */
    int used, shared;
};

struct pairs {
    struct pair_slot *slot;
    size_t cap; /* a power of two */
    size_t n;   /* pairs in use */
};

static struct pair_slot *pair_find(struct pairs *p, const struct cb_event *e)
{
    size_t j = fmix(mix((uintptr_t)e->host, (uintptr_t)e->channel)) &
               (p->cap - 1);
    while (p->slot[j].used &&
           (p->slot[j].host != e->host || p->slot[j].channel != e->channel))
        j = (j + 1) & (p->cap - 1);
    return &p->slot[j];
}

/* Add the pair of e, an event of an->sources[src]; a pair met again in
 * another source marks both sources in src_shared. */
static int pairs_add(struct pairs *p, const struct cb_event *e, size_t src,
                     unsigned char *src_shared)
{
    struct pair_slot *s = pair_find(p, e);
    if (s->used) {
        if (s->first != src) {
            s->shared = 1;
            src_shared[s->first] = src_shared[src] = 1;
        }
        return 0;
    }
    *s = (struct pair_slot){e->host, e->channel, src, 1, 0};
    if (++p->n * 2 <= p->cap)
        return 0;
    struct pairs q = {cb_calloc(p->cap * 2, sizeof *q.slot), p->cap * 2,
                      p->n};
    if (!q.slot)
        return -1;
    for (size_t k = 0; k < p->cap; k++)
        if (p->slot[k].used) {
            struct cb_event probe = {.host = p->slot[k].host,
                                     .channel = p->slot[k].channel};
            *pair_find(&q, &probe) = p->slot[k];
        }
    cb_free(p->slot);
    *p = q;
    return 0;
}

/* Fill p, source by source (each source's events lie together in
 * memory), and mark in src_shared[i] the sources with a shared pair.
 * Returns the events of those sources (at least the events that may be
 * duplicates), or SIZE_MAX when out of memory. */
static size_t pairs_build(struct pairs *p, const struct cb_analysis *an,
                          unsigned char *src_shared)
{
    p->n = 0;
    p->cap = 64;
    p->slot = cb_calloc(p->cap, sizeof *p->slot);
    if (!p->slot)
        return SIZE_MAX;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *src = an->sources[i];
        const char *host = NULL, *channel = NULL;
        /* events with the pair of the one before (most of a log) need no
         * lookup */
        for (size_t k = 0; k < src->nevents; k++) {
            const struct cb_event *e = src->events[k];
            if (k && e->host == host && e->channel == channel)
                continue;
            if (pairs_add(p, e, i, src_shared) != 0) {
                cb_free(p->slot);
                p->slot = NULL;
                return SIZE_MAX;
            }
            host = e->host;
            channel = e->channel;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < an->nsources; i++)
        n += src_shared[i] ? an->sources[i]->nevents : 0;
    return n;
}

struct slot {
    uint64_t hash; /* compared first: most probes end without a deref */
    struct cb_event *e;
};

/* Keep the first of each record in merged order; a record repeats only
 * when a different source holds it (two lines alike inside one file are
 * two events). mark[i] says tl->events[i] comes from a source with a
 * shared pair; the others are kept without being looked at. */
static enum cb_status dedup(struct cb_timeline *tl, struct pairs *pairs,
                            const unsigned char *mark, size_t candidates)
{
    size_t cap = 16;
    while (cap < candidates * 2)
        cap *= 2;
    struct slot *slots = cb_calloc(cap, sizeof *slots);
    if (!slots)
        return CB_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < tl->count; i++) {
        struct cb_event *e = tl->events[i];
        if (!mark[i] || !pair_find(pairs, e)->shared) {
            tl->events[k++] = e;
            continue;
        }
        uint64_t h = fmix(key_hash(e));
        size_t j = h & (cap - 1);
        int dup = 0;
        while (slots[j].e) {
            if (slots[j].hash == h && slots[j].e->source != e->source &&
                same_record(slots[j].e, e)) {
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
        slots[j].hash = h;
        slots[j].e = e;
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
    size_t total = 0, nruns = 0, with_events = 0;
    for (size_t s = 0; s < an->nsources; s++) {
        total += an->sources[s]->nevents;
        nruns += an->sources[s]->runs; /* counted as events arrived */
        an->sources[s]->duplicates = 0;
        with_events += an->sources[s]->nevents > 0;
    }
    /* a record can repeat only across two sources, and only where both
     * hold its (host, channel) */
    struct pairs pairs = {0};
    size_t candidates = 0;
    unsigned char *src_shared = NULL, *mark = NULL;
    if (with_events > 1) {
        src_shared = cb_calloc(an->nsources, 1);
        candidates = src_shared ? pairs_build(&pairs, an, src_shared)
                                : SIZE_MAX;
        if (candidates && candidates != SIZE_MAX)
            mark = cb_malloc(total);
    }
    tl->events = cb_malloc((total ? total : 1) * sizeof *tl->events);
    struct run *runs = cb_calloc(nruns ? nruns : 1, sizeof *runs);
    struct run **heap = cb_calloc(nruns ? nruns : 1, sizeof *heap);
    if (!tl->events || !runs || !heap || candidates == SIZE_MAX ||
        (candidates && !mark)) {
        cb_free(runs);
        cb_free(heap);
        cb_free(pairs.slot);
        cb_free(src_shared);
        cb_free(mark);
        cb_timeline_fini(tl);
        return CB_E_NOMEM;
    }
    size_t r = 0;
    for (size_t s = 0; s < an->nsources; s++) {
        const struct cb_source *src = an->sources[s];
        unsigned char m = src_shared ? src_shared[s] : 0;
        if (src->runs == 1) { /* the common case: a sorted log */
            runs[r].ev = src->events;
            runs[r].len = src->nevents;
            runs[r].order = r;
            runs[r].mark = m;
            r++;
            continue;
        }
        for (size_t i = 0; i < src->nevents; i++) {
            if (i == 0 || src->events[i]->ts < src->events[i - 1]->ts) {
                runs[r].ev = src->events + i;
                runs[r].order = r;
                runs[r].mark = m;
                r++;
            }
            runs[r - 1].len++;
        }
    }
    merge(runs, nruns, tl->events, mark, heap);
    cb_free(runs);
    cb_free(heap);
    tl->count = total;
    tl->runs = nruns;
    enum cb_status st =
        candidates ? dedup(tl, &pairs, mark, candidates) : CB_OK;
    cb_free(pairs.slot);
    cb_free(src_shared);
    cb_free(mark);
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
