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
#include <strings.h>

#include "alloc.h"
#include "timebasis.h"
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
            /* logs of several nodes interleave event by event: ask for
             * this run's later events before their timestamps are read */
            if (r->pos + 8 < r->len)
                __builtin_prefetch(r->ev[r->pos + 8]);
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

/* Which (host, channel) pairs occur in two sources or more: an exact copy
 * can exist only there, so every other event skips the duplicate table
 * (in a bundle of several nodes, most events). */
struct pair_slot {
    const char *host, *channel;
    const struct cb_source *first; /* the first source with the pair */
    int used, shared;
};

struct pairs {
    struct pair_slot *slot;
    size_t cap; /* a power of two */
    size_t n;   /* pairs in use */
    int loose;  /* some event has no host or no known channel */
};

static struct pair_slot *pair_find(const struct pairs *p, const char *host,
                                   const char *channel)
{
    size_t j = fmix(mix((uintptr_t)host, (uintptr_t)channel)) & (p->cap - 1);
    while (p->slot[j].used &&
           (p->slot[j].host != host || p->slot[j].channel != channel))
        j = (j + 1) & (p->cap - 1);
    return &p->slot[j];
}

static int pairs_add(struct pairs *p, const struct cb_event *e)
{
    struct pair_slot *s = pair_find(p, e->host, e->channel);
    if (s->used) {
        if (s->first != e->source)
            s->shared = 1;
        return 0;
    }
    *s = (struct pair_slot){e->host, e->channel, e->source, 1, 0};
    if (++p->n * 2 <= p->cap)
        return 0;
    struct pairs q = {cb_calloc(p->cap * 2, sizeof *q.slot), p->cap * 2,
                      p->n, p->loose};
    if (!q.slot)
        return -1;
    for (size_t k = 0; k < p->cap; k++)
        if (p->slot[k].used)
            *pair_find(&q, p->slot[k].host, p->slot[k].channel) =
                p->slot[k];
    cb_free(p->slot);
    *p = q;
    return 0;
}

static int pairs_build(struct pairs *p, const struct cb_analysis *an)
{
    p->n = 0;
    p->cap = 64;
    p->loose = 0;
    p->slot = cb_calloc(p->cap, sizeof *p->slot);
    if (!p->slot)
        return -1;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *src = an->sources[i];
        const char *host = NULL, *channel = NULL;
        for (size_t k = 0; k < src->nevents; k++) {
            const struct cb_event *e = src->events[k];
            if (e->host == host && e->channel == channel)
                continue; /* the common case: a run of one pair */
            host = e->host;
            channel = e->channel;
            if (!e->host[0] || e->channel == src->format)
                p->loose = 1;
            if (pairs_add(p, e) != 0) {
                cb_free(p->slot);
                p->slot = NULL;
                return -1;
            }
        }
    }
    return 0;
}

static int pair_shared(const struct pairs *p, const struct cb_event *e)
{
    return pair_find(p, e->host, e->channel)->shared;
}

static uint64_t key_hash(const struct cb_event *e)
{
    uint64_t h = mix((uint64_t)(uintptr_t)e->host, (uintptr_t)e->channel);
    if (e->flags & CB_EV_HAS_RECORD_ID)
        return mix(h, e->record_id);
    h = mix(h, (uint64_t)e->ts);
    h = mix(h, e->flags & CB_EV_HAS_EVENT_ID ? e->event_id : UINT64_MAX);
    h = mix(h, (uintptr_t)e->provider);
    struct cb_msgbuf mb;
    const char *m = cb_event_message(e, &mb);
    return mix(h, cb_hash_bytes(m, strlen(m), 0));
}

static int host_ok(const struct cb_event *a, const struct cb_event *b)
{
    return a->host == b->host || !a->host[0] || !b->host[0];
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
    if (a->ts != b->ts || a->provider != b->provider ||
        ((a->flags ^ b->flags) & CB_EV_HAS_EVENT_ID) != 0 ||
        a->event_id != b->event_id)
        return 0;
    struct cb_msgbuf ma, mb;
    return strcmp(cb_event_message(a, &ma), cb_event_message(b, &mb)) == 0;
}

/* ---- one record, several shapes ------------------------------------------
 * The same record reaches a bundle as .evtx, XML, CSV, text and the
 * cluster.log's embedded channel sections. Kept is the richest copy (an
 * .evtx or XML record: exact UTC time, record id, named data), completed
 * from the others (a rendered message from an export), and every other
 * source is listed on it (cb_event.also). */

static int ci_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return m <= n && strcasecmp(s + n - m, suf) == 0;
}

static int provider_compatible(const char *a, const char *b)
{
    if (!a || !b || a == b)
        return 1;
    return ci_suffix(a, b) || ci_suffix(b, a); /* FailoverClustering */
}

/* A parser that did not know the channel left its own name there. */
static int channel_known(const struct cb_event *e)
{
    return e->channel != e->source->format;
}

static int channel_compatible(const struct cb_event *a,
                              const struct cb_event *b)
{
    return a->channel == b->channel || !channel_known(a) ||
           !channel_known(b);
}

/* The message came from a renderer (an export), not from casebrief's
 * compact rendering of an .evtx record's data. */
static int message_rendered(const struct cb_event *e)
{
    return !(e->flags & CB_EV_MESSAGE_SYNTH) && e->message && e->message[0];
}

static int richness(const struct cb_event *e)
{
    return (e->source->time_kind == CB_TK_UTC) * 8 +
           ((e->flags & CB_EV_HAS_RECORD_ID) != 0) * 4 +
           (e->nfields > 0) * 2 + (e->provider != NULL);
}

static int seen_in(const struct cb_event *e, const struct cb_source *s)
{
    if (e->source == s)
        return 1;
    for (const struct cb_also *a = e->also; a; a = a->next)
        if (a->source == s)
            return 1;
    return 0;
}

/* Fold drop into keep: keep lists drop's sources and takes what it lacks. */
static enum cb_status fold(struct cb_arena *arena, struct cb_event *keep,
                           struct cb_event *drop)
{
    struct cb_also *a = cb_arena_alloc(arena, sizeof *a);
    if (!a)
        return CB_E_NOMEM;
    *a = (struct cb_also){drop->source, drop->origin, keep->also};
    const struct cb_also *tail = drop->also;
    keep->also = a;
    while (tail) { /* drop's own list moves over */
        const struct cb_also *next = tail->next;
        if (!seen_in(keep, tail->source)) {
            struct cb_also *c = cb_arena_alloc(arena, sizeof *c);
            if (!c)
                return CB_E_NOMEM;
            *c = (struct cb_also){tail->source, tail->origin, keep->also};
            keep->also = c;
        }
        tail = next;
    }
    if (message_rendered(drop) && !message_rendered(keep)) {
        keep->message = drop->message;
        keep->flags &=
            ~(uint32_t)(CB_EV_MESSAGE_SYNTH | CB_EV_MESSAGE_LAZY);
    }
    if (!keep->nfields && drop->nfields) {
        keep->fields = drop->fields;
        keep->nfields = drop->nfields;
    }
    if (!keep->provider)
        keep->provider = drop->provider;
    if (!keep->level)
        keep->level = drop->level;
    if (!(keep->flags & CB_EV_HAS_RECORD_ID) &&
        (drop->flags & CB_EV_HAS_RECORD_ID)) {
        keep->record_id = drop->record_id;
        keep->flags |= CB_EV_HAS_RECORD_ID;
    }
    if (!channel_known(keep) && channel_known(drop))
        keep->channel = drop->channel;
    if (!keep->host[0])
        keep->host = drop->host;
    return CB_OK;
}

/* Fold drop into kept[*idx]; when drop is the richer copy it takes the
 * slot and the other is folded into it. */
static enum cb_status merge_into(struct cb_arena *arena, struct cb_event **kept,
                                 size_t idx, struct cb_event *drop)
{
    struct cb_event *keep = kept[idx];
    if (richness(drop) > richness(keep)) {
        kept[idx] = drop;
        drop = keep;
        keep = kept[idx];
    }
    ((struct cb_source *)drop->source)->duplicates++;
    return fold(arena, keep, drop);
}

static uint64_t second_of(cb_time t)
{
    return (uint64_t)(t >= 0 ? t / 10000000 : (t - 9999999) / 10000000);
}

/* How much two copies' data agree: values of one found in the other's
 * message or fields (tells apart five 5120s of the same second). */
static unsigned agreement(const struct cb_event *a, const struct cb_event *b)
{
    struct cb_msgbuf ma, mb;
    const char *am = cb_event_message(a, &ma), *bm = cb_event_message(b, &mb);
    unsigned n = 0;
    for (uint32_t i = 0; i < a->nfields && i < 32; i++) {
        const char *v = a->fields[i].value;
        if (!v || strlen(v) < 2)
            continue;
        if (strstr(bm, v))
            n++;
        for (uint32_t j = 0; j < b->nfields && j < 32; j++)
            if (b->fields[j].value && strcmp(b->fields[j].value, v) == 0) {
                n++;
                break;
            }
    }
    if (am[0] && strcmp(am, bm) == 0)
        n += 4;
    return n;
}

static int shapes_same(const struct cb_event *a, const struct cb_event *b)
{
    if (seen_in(a, b->source) || seen_in(b, a->source))
        return 0;
    if (!host_ok(a, b) || !channel_compatible(a, b) ||
        !provider_compatible(a->provider, b->provider))
        return 0;
    if ((a->flags & b->flags & CB_EV_HAS_RECORD_ID) &&
        a->record_id != b->record_id)
        return 0;
    return 1;
}

struct node {
    uint64_t key;
    size_t idx;  /* in the kept array */
    size_t next; /* chain, SIZE_MAX ends */
};

/* Records with an event id, by (second, event id): every shape but the
 * cluster.log's channel sections has one. */
static enum cb_status dedup_shapes(const struct cb_analysis *an,
                                   struct cb_timeline *tl,
                                   const struct pairs *pairs)
{
    size_t cap = 16, n = 0;
    while (cap < tl->count * 2)
        cap *= 2;
    size_t *head = cb_malloc(cap * sizeof *head);
    struct node *nodes = cb_malloc((tl->count ? tl->count : 1) * sizeof *nodes);
    if (!head || !nodes) {
        cb_free(head);
        cb_free(nodes);
        return CB_E_NOMEM;
    }
    for (size_t i = 0; i < cap; i++)
        head[i] = SIZE_MAX;
    enum cb_status st = CB_OK;
    size_t k = 0;
    for (size_t i = 0; i < tl->count && st == CB_OK; i++) {
        struct cb_event *e = tl->events[i];
        if (!(e->flags & CB_EV_HAS_EVENT_ID) ||
            (!pairs->loose && !pair_shared(pairs, e))) {
            tl->events[k++] = e; /* no other shape can hold it */
            continue;
        }
        uint64_t key = mix(second_of(e->ts), e->event_id);
        size_t b = key & (cap - 1), best = SIZE_MAX;
        unsigned best_score = 0;
        for (size_t j = head[b]; j != SIZE_MAX; j = nodes[j].next) {
            const struct cb_event *r = tl->events[nodes[j].idx];
            if (nodes[j].key != key || r->event_id != e->event_id ||
                second_of(r->ts) != second_of(e->ts) || !shapes_same(r, e))
                continue;
            unsigned sc = agreement(r, e) + agreement(e, r) + 1;
            if (sc > best_score) {
                best_score = sc;
                best = nodes[j].idx;
            }
        }
        if (best != SIZE_MAX) {
            st = merge_into(an->arena, tl->events, best, e);
            tl->duplicates++;
            continue;
        }
        nodes[n] = (struct node){key, k, head[b]};
        head[b] = n++;
        tl->events[k++] = e;
    }
    tl->count = k;
    cb_free(head);
    cb_free(nodes);
    return st;
}

/* cluster.log channel-section lines (no id, no provider) against the
 * records of the same host, channel and second: the one whose rendered
 * message (from an export) reads the same; else, from an .evtx with no
 * rendered text, the only such record, or the one whose data values the
 * line's text holds. */
static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Exports break and pad lines differently: messages compare with every
 * run of white space as one blank, none at the ends. */
static const char *next_word(const char *s, size_t *n)
{
    while (is_ws(*s))
        s++;
    *n = 0;
    while (s[*n] && !is_ws(s[*n]))
        (*n)++;
    return s;
}

static int norm_equal(const char *a, const char *b)
{
    size_t na, nb;
    a = next_word(a, &na);
    b = next_word(b, &nb);
    while (na && nb) {
        if (na != nb || memcmp(a, b, na) != 0)
            return 0;
        a = next_word(a + na, &na);
        b = next_word(b + nb, &nb);
    }
    return na == nb;
}

static uint64_t line_key(const struct cb_event *e)
{
    return mix(mix(second_of(e->ts), (uintptr_t)e->host),
               (uintptr_t)e->channel);
}

static int channel_line(const struct cb_event *e)
{
    return !(e->flags & CB_EV_HAS_EVENT_ID) && !e->component &&
           e->message && e->message[0] && channel_known(e) &&
           strcmp(e->source->format, "clusterlog") == 0;
}

#define LINE_PAIRS 64

struct line_pairs {
    const char *host[LINE_PAIRS], *channel[LINE_PAIRS];
    size_t n;
    int all; /* too many pairs: index every record */
};

static int in_pairs(const struct line_pairs *lp, const struct cb_event *e)
{
    if (lp->all)
        return 1;
    for (size_t k = 0; k < lp->n; k++)
        if (lp->host[k] == e->host && lp->channel[k] == e->channel)
            return 1;
    return 0;
}

static size_t line_match(struct cb_timeline *tl, const size_t *head,
                         size_t cap, const struct node *nodes,
                         const struct cb_event *e)
{
    uint64_t key = line_key(e);
    size_t only = SIZE_MAX, cands = 0, best = SIZE_MAX;
    unsigned best_score = 0;
    int best_tie = 0;
    for (size_t j = head[key & (cap - 1)]; j != SIZE_MAX; j = nodes[j].next) {
        const struct cb_event *r = tl->events[nodes[j].idx];
        if (nodes[j].key != key || r->host != e->host ||
            r->channel != e->channel || seen_in(r, e->source) ||
            second_of(r->ts) != second_of(e->ts) ||
            (r->level && e->level && r->level != e->level))
            continue;
        if (message_rendered(r)) {
            struct cb_msgbuf mb;
            if (norm_equal(r->message, cb_event_message(e, &mb)))
                return nodes[j].idx;
            continue; /* its text says it is another record */
        }
        cands++;
        only = nodes[j].idx;
        unsigned sc = agreement(r, e);
        if (sc > best_score) {
            best_score = sc;
            best = nodes[j].idx;
            best_tie = 0;
        } else if (sc == best_score) {
            best_tie = 1;
        }
    }
    if (cands == 1)
        return only;
    if (best_score && !best_tie)
        return best;
    return SIZE_MAX;
}

static enum cb_status dedup_channel_lines(const struct cb_analysis *an,
                                          struct cb_timeline *tl)
{
    struct line_pairs lp = {0};
    size_t lines = 0;
    for (size_t i = 0; i < tl->count; i++) {
        const struct cb_event *e = tl->events[i];
        if (!channel_line(e))
            continue;
        lines++;
        if (lp.all || in_pairs(&lp, e))
            continue;
        if (lp.n == LINE_PAIRS) {
            lp.all = 1;
            continue;
        }
        lp.host[lp.n] = e->host;
        lp.channel[lp.n++] = e->channel;
    }
    if (!lines)
        return CB_OK;
    size_t nrec = 0;
    for (size_t i = 0; i < tl->count; i++)
        nrec += (tl->events[i]->flags & CB_EV_HAS_EVENT_ID) &&
                in_pairs(&lp, tl->events[i]);
    if (!nrec)
        return CB_OK;
    size_t cap = 16, n = 0;
    while (cap < nrec * 2)
        cap *= 2;
    size_t *head = cb_malloc(cap * sizeof *head);
    struct node *nodes = cb_malloc(nrec * sizeof *nodes);
    if (!head || !nodes) {
        cb_free(head);
        cb_free(nodes);
        return CB_E_NOMEM;
    }
    for (size_t i = 0; i < cap; i++)
        head[i] = SIZE_MAX;
    for (size_t i = 0; i < tl->count; i++) {
        const struct cb_event *e = tl->events[i];
        if (!(e->flags & CB_EV_HAS_EVENT_ID) || !in_pairs(&lp, e))
            continue;
        uint64_t key = line_key(e);
        nodes[n] = (struct node){key, i, head[key & (cap - 1)]};
        head[key & (cap - 1)] = n++;
    }
    enum cb_status st = CB_OK;
    for (size_t i = 0; i < tl->count && st == CB_OK; i++) {
        struct cb_event *e = tl->events[i];
        if (!channel_line(e))
            continue;
        size_t hit = line_match(tl, head, cap, nodes, e);
        if (hit == SIZE_MAX)
            continue;
        /* the record with the id stays, wherever it is */
        ((struct cb_source *)e->source)->duplicates++;
        tl->duplicates++;
        st = fold(an->arena, tl->events[hit], e);
        tl->events[i] = NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < tl->count; i++)
        if (tl->events[i])
            tl->events[k++] = tl->events[i];
    tl->count = k;
    cb_free(head);
    cb_free(nodes);
    return st;
}

/* A richer copy that took an earlier copy's slot may be a fraction of a
 * second off: restore time order (nearly sorted: insertion sort). */
static void resort(struct cb_timeline *tl)
{
    for (size_t i = 1; i < tl->count; i++) {
        struct cb_event *e = tl->events[i];
        size_t j = i;
        while (j > 0 && tl->events[j - 1]->ts > e->ts) {
            tl->events[j] = tl->events[j - 1];
            j--;
        }
        tl->events[j] = e;
    }
}

/* how many events ahead dedup asks the memory for */
#define PREFETCH_AHEAD 12

/* Exact copies first: same host, channel and record id (or, without ids,
 * same time, id, provider and message) in a different source. A record
 * repeats only when a different source holds it (two lines alike inside
 * one file are two events). */
static enum cb_status dedup(const struct cb_analysis *an, struct cb_timeline *tl)
{
    struct pairs pairs;
    if (pairs_build(&pairs, an) != 0)
        return CB_E_NOMEM;
    size_t shared = 0;
    for (size_t i = 0; i < tl->count; i++)
        shared += pairs.loose || pair_shared(&pairs, tl->events[i]);
    size_t cap = 16;
    while (cap < shared * 2)
        cap *= 2;
    struct slot {
        uint64_t hash; /* compared first: most probes end without a deref */
        size_t idx;
    } *slots = shared ? cb_malloc(cap * sizeof *slots) : NULL;
    if (shared && !slots) {
        cb_free(pairs.slot);
        return CB_E_NOMEM;
    }
    for (size_t i = 0; shared && i < cap; i++)
        slots[i].idx = SIZE_MAX;
    enum cb_status st = CB_OK;
    size_t k = 0;
    for (size_t i = 0; i < tl->count && st == CB_OK; i++) {
        struct cb_event *e = tl->events[i];
        /* events are visited in time order, scattered in memory by
         * source: ask for the ones a few steps on while this one waits */
        if (i + PREFETCH_AHEAD < tl->count)
            __builtin_prefetch(tl->events[i + PREFETCH_AHEAD]);
        if (!shared || (!pairs.loose && !pair_shared(&pairs, e))) {
            tl->events[k++] = e; /* nobody else holds its host and channel */
            continue;
        }
        uint64_t h = fmix(key_hash(e));
        size_t j = h & (cap - 1);
        int dup = 0;
        while (slots[j].idx != SIZE_MAX) {
            const struct cb_event *r = tl->events[slots[j].idx];
            if (slots[j].hash == h && !seen_in(r, e->source) &&
                same_record(r, e)) {
                dup = 1;
                break;
            }
            j = (j + 1) & (cap - 1);
        }
        if (dup) {
            tl->duplicates++;
            st = merge_into(an->arena, tl->events, slots[j].idx, e);
            continue;
        }
        tl->events[k] = e;
        slots[j].hash = h;
        slots[j].idx = k++;
    }
    tl->count = k;
    cb_free(slots);
    if (st != CB_OK) {
        cb_free(pairs.slot);
        return st;
    }
    /* shapes differ only when formats differ */
    const char *fmt = NULL;
    int shapes = 0;
    for (size_t s = 0; s < an->nsources && !shapes; s++) {
        const struct cb_source *src = an->sources[s];
        if (!src->nevents)
            continue;
        if (fmt && strcmp(fmt, src->format) != 0)
            shapes = 1;
        fmt = src->format;
    }
    if (shapes)
        st = dedup_shapes(an, tl, &pairs);
    cb_free(pairs.slot);
    if (shapes && st == CB_OK)
        st = dedup_channel_lines(an, tl);
    if (shapes && st == CB_OK)
        resort(tl);
    return st;
}

/* Events only counted that the scope leaves out: all of a source of a
 * host --host does not name; else those whose time (times[], every event
 * read, kept or not) is outside the window, less the kept ones already
 * left out - or, without times[], all of them when their span is. */
static uint64_t scope_not_kept(const struct cb_scope *sc,
                               const struct cb_source *s)
{
    cb_time f = s->nk_first, l = s->nk_last;
    int named = !sc->nhosts || s->mixed_hosts || !s->host[0];
    for (size_t i = 0; i < sc->nhosts && !named; i++)
        named = cb_scope_host_matches(sc->hosts[i], s->host);
    if (!named)
        return s->not_kept;
    if (!cb_scope_bound(sc->from) && !cb_scope_bound(sc->to))
        return 0;
    if (!s->times) {
        int out = (cb_scope_bound(sc->from) && l < sc->from) ||
                  (cb_scope_bound(sc->to) && f > sc->to);
        return out ? s->not_kept : 0;
    }
    uint64_t outside = 0;
    for (size_t i = 0; i < s->ntimes; i++)
        outside += (cb_scope_bound(sc->from) && s->times[i] < sc->from) ||
                   (cb_scope_bound(sc->to) && s->times[i] > sc->to);
    uint64_t n = outside > s->scope_out ? outside - s->scope_out : 0;
    return n < s->not_kept ? n : s->not_kept;
}

/* --window, --host (cb_analysis.scope): the events outside leave the
 * timeline; their sources count them. After de-duplication, so that a
 * record seen twice is counted once. */
static void scope_filter(const struct cb_analysis *an, struct cb_timeline *tl)
{
    const struct cb_scope *sc = &an->scope;
    for (size_t s = 0; s < an->nsources; s++)
        an->sources[s]->scope_out = an->sources[s]->scope_out_nk = 0;
    tl->left_out = 0;
    if (!cb_scope_active(sc))
        return;
    size_t k = 0;
    for (size_t i = 0; i < tl->count; i++) {
        struct cb_event *e = tl->events[i];
        if (cb_scope_keeps(sc, e->host, e->ts)) {
            tl->events[k++] = e;
            continue;
        }
        if (e->source)
            ((struct cb_source *)e->source)->scope_out++;
        tl->left_out++;
    }
    tl->count = k;
    for (size_t s = 0; s < an->nsources; s++) {
        struct cb_source *src = an->sources[s];
        if (!src->not_kept)
            continue;
        src->scope_out_nk = scope_not_kept(sc, src);
        tl->left_out_nk += src->scope_out_nk;
    }
}

enum cb_status cb_timeline_build(const struct cb_analysis *an,
                                 struct cb_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    /* sidecar messages and time bases first: de-duplication prefers
     * events with a real message and a known clock */
    if (!an->finished)
        return CB_E_USAGE;
    /* newest-first exports (Event Viewer CSV, the cluster script's .Log):
     * one descending run, turned around, instead of one run per event */
    for (size_t s = 0; s < an->nsources; s++) {
        struct cb_source *src = an->sources[s];
        if (src->runs < 2 || src->runs <= src->nevents / 2)
            continue;
        size_t i = 1;
        while (i < src->nevents && src->events[i]->ts <= src->events[i - 1]->ts)
            i++;
        if (i < src->nevents)
            continue; /* not newest-first throughout */
        for (size_t lo = 0, hi = src->nevents - 1; lo < hi; lo++, hi--) {
            struct cb_event *t = src->events[lo];
            src->events[lo] = src->events[hi];
            src->events[hi] = t;
        }
        src->runs = 1;
    }
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
    tl->an = an;
    size_t with_events = 0, folded = 0;
    for (size_t s = 0; s < an->nsources; s++)
        folded += an->sources[s]->duplicates;
    for (size_t s = 0; s < an->nsources && folded; s++) /* a rebuild */
        for (size_t i = 0; i < an->sources[s]->nevents; i++)
            an->sources[s]->events[i]->also = NULL;
    for (size_t s = 0; s < an->nsources; s++) {
        an->sources[s]->duplicates = 0;
        with_events += an->sources[s]->nevents > 0;
    }
    /* a record can repeat only across two sources */
    enum cb_status st = with_events > 1 ? dedup(an, tl) : CB_OK;
    if (st != CB_OK) {
        cb_timeline_fini(tl);
        return st;
    }
    scope_filter(an, tl);
    return CB_OK;
}

void cb_timeline_fini(struct cb_timeline *tl)
{
    cb_free(tl->events);
    tl->events = NULL;
    tl->count = 0;
}

uint64_t cb_timeline_not_kept(const struct cb_timeline *tl)
{
    uint64_t n = 0;
    for (size_t i = 0; tl->an && i < tl->an->nsources; i++)
        n += tl->an->sources[i]->not_kept;
    return n;
}

uint64_t cb_timeline_left_out(const struct cb_timeline *tl)
{
    return tl->left_out + tl->left_out_nk;
}

uint64_t cb_timeline_events_read(const struct cb_timeline *tl)
{
    return tl->count + tl->left_out + cb_timeline_not_kept(tl);
}

void cb_timeline_plausible(const struct cb_timeline *tl, size_t *lo,
                           size_t *hi)
{
    *lo = 0;
    *hi = tl->count;
    while (*lo < *hi && (tl->events[*lo]->flags & CB_EV_TIME_IMPLAUSIBLE))
        (*lo)++;
    while (*hi > *lo && (tl->events[*hi - 1]->flags & CB_EV_TIME_IMPLAUSIBLE))
        (*hi)--;
}

void cb_timeline_span(const struct cb_timeline *tl, cb_time *first,
                      cb_time *last)
{
    size_t lo, hi;
    cb_timeline_plausible(tl, &lo, &hi);
    *first = lo < hi ? tl->events[lo]->ts : CB_TIME_NONE;
    *last = lo < hi ? tl->events[hi - 1]->ts : CB_TIME_NONE;
    for (size_t i = 0; tl->an && i < tl->an->nsources; i++) {
        const struct cb_source *s = tl->an->sources[i];
        /* the span of what is not in the timeline, within the scope */
        if (!s->not_kept || s->scope_out_nk == s->not_kept)
            continue;
        cb_time f = s->nk_first, l = s->nk_last;
        cb_scope_clamp(&tl->an->scope, &f, &l);
        if (*first == CB_TIME_NONE || f < *first)
            *first = f;
        if (*last == CB_TIME_NONE || l > *last)
            *last = l;
    }
}
