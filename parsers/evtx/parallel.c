/*
 * parallel.c - EVTX chunks decoded on worker threads (-j N).
 *
 * Format: see evtx.c and chunk.c; chunks are independent of each other
 * except for what tells live from stale, which is why this works.
 *
 * The first PAR_AFTER_CHUNKS chunk slots are read as with -j 1; a longer
 * file goes on with workers from the next slot (the state carried from
 * chunk to chunk is the consumer's either way).
 * The consumer (the thread calling next()) still reads the stream chunk by
 * chunk, into a ring of WINDOW_PER_JOB * jobs slots: memory is bounded by
 * the ring, not the file. Workers take the slots in ring order and decode
 * each chunk with a decoder of their own (cb_evtx_chunk_sane, _setup and
 * _next, as with -j 1): events, their strings in the worker's events
 * arena, names interned in the worker's own table, warnings on a private
 * source. Only what depends on the chunks before is left to the consumer,
 * which takes the slots in file order: whether the chunk is live, stale or
 * held back (cb_evtx_chunk_classify, using the previous chunk's decoded
 * record ids), dropping stale copies of live records (cb_evtx_admit), and
 * the warnings, which it replays onto the real source in the order -j 1
 * gives them. It hands each event on where the worker wrote it and maps
 * the worker's interned strings to p->strings. Output, order and warnings
 * are those of -j 1.
 */
#include <pthread.h>
#include <string.h>

#include "stream.h"
#include "evtx_internal.h"

#define WINDOW_PER_JOB 3u
#define MAX_JOBS 64u

enum job_state { J_FREE, J_QUEUED, J_RUNNING, J_DONE };

struct jev {
    struct cb_event *ev; /* in the worker's events arena */
    char *blk;           /* its fields and their text (cb_evtx_record) */
    size_t size;
};

struct job {
    int state; /* enum job_state, under par.mu */
    unsigned char *data;
    size_t len;
    uint64_t slot;
    int deferred;
    /* results, written by the worker */
    unsigned worker;
    int sane;
    struct cb_source src; /* its warnings (in the worker's events arena) */
    struct jev *evs;
    size_t nev, evcap, emit;
    uint64_t max_rid, hdr_last_rid;
    int fail;
    struct cb_error err;
};

/* A worker's interned pointer -> the analysis' one. */
struct pmap {
    const char **k, **v;
    size_t cap, n;
};

struct worker {
    struct par *par;
    unsigned idx;
    pthread_t thread;
    struct cb_arena *arena; /* its interned strings */
    struct cb_intern *strings;
    /* the decoded events, which the consumer keeps where the worker wrote
     * them: adopted by the analysis' arena when the workers stop after
     * one file, kept with the pool over every file otherwise */
    struct cb_arena *events;
    struct state *st;
    struct pmap map; /* the consumer's */
};

struct par {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int stop;
    struct job *ring;
    unsigned window;
    unsigned head, tail, disp; /* consume, fill, dispatch */
    unsigned nout;             /* slots queued, running or done */
    struct worker *wk;
    unsigned nwk;
    struct job *cur; /* the slot whose events next() hands out */
    int feeding_defer;
    int read_failed;
    struct cb_error read_err;
    int pooled; /* kept in a cb_parse.pool between files */
};

static void job_reset(struct job *j)
{
    memset(&j->src, 0, sizeof j->src);
    j->nev = 0;
    j->emit = 0;
    j->fail = 0;
    j->sane = 0;
    memset(&j->err, 0, sizeof j->err);
}

static void job_fail(struct job *j, const struct cb_error *err)
{
    j->fail = 1;
    if (err && err->code)
        j->err = *err;
    else
        cb_error_set(&j->err, CB_E_NOMEM, CB_WHERE_NONE, 0, "out of memory");
}

/* Decode the chunk of j on worker w. */
static void job_decode(struct worker *w, struct job *j)
{
    struct state *st = w->st;
    struct cb_parse wp = {.in = NULL,
                          .src = &j->src,
                          .arena = w->events,
                          .strings = w->strings,
                          .opts = NULL};
    uint64_t coff = st->base + j->slot * CHUNK;
    j->sane = cb_evtx_chunk_sane(&wp, j->data, j->len, j->slot, coff);
    if (!j->sane)
        return;
    cb_evtx_chunk_setup(&wp, st, j->data, j->len, j->slot, coff, 0);
    for (;;) {
        if (j->nev == j->evcap) {
            size_t ncap = j->evcap ? j->evcap * 2 : 256;
            struct jev *ne = cb_realloc(j->evs, ncap * sizeof *ne);
            if (!ne) {
                job_fail(j, NULL);
                break;
            }
            j->evs = ne;
            j->evcap = ncap;
        }
        struct jev *e = &j->evs[j->nev];
        /* the consumer hands the event on where it is: the page faults
         * and the copy of its memory stay on this thread (a slot left
         * unused at the chunk's end is the only waste) */
        if (!(e->ev = cb_arena_alloc(w->events, sizeof *e->ev))) {
            job_fail(j, NULL);
            break;
        }
        int r = cb_evtx_chunk_next(&wp, st, e->ev);
        if (r == 0)
            break;
        if (r < 0) {
            job_fail(j, &wp.err);
            break;
        }
        e->blk = st->blk;
        e->size = st->blk_size;
        j->nev++;
    }
    cb_evtx_chunk_end_warn(&wp, st);
    j->max_rid = st->max_rid;
    j->hdr_last_rid = st->hdr_last_rid;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct par *pp = w->par;
    pthread_mutex_lock(&pp->mu);
    for (;;) {
        while (!pp->stop && pp->ring[pp->disp].state != J_QUEUED)
            pthread_cond_wait(&pp->work, &pp->mu);
        if (pp->stop)
            break;
        struct job *j = &pp->ring[pp->disp];
        pp->disp = (pp->disp + 1) % pp->window;
        j->state = J_RUNNING;
        pthread_mutex_unlock(&pp->mu);
        j->worker = w->idx;
        job_decode(w, j);
        pthread_mutex_lock(&pp->mu);
        j->state = J_DONE;
        pthread_cond_signal(&pp->done);
    }
    pthread_mutex_unlock(&pp->mu);
    return NULL;
}

/* Stop the workers and free what they used; the events they decoded
 * move into keep (NULL: freed). */
static void par_free(struct par *pp, struct cb_arena *keep)
{
    if (!pp)
        return;
    pthread_mutex_lock(&pp->mu);
    pp->stop = 1;
    pthread_cond_broadcast(&pp->work);
    pthread_mutex_unlock(&pp->mu);
    for (unsigned i = 0; i < pp->nwk; i++)
        pthread_join(pp->wk[i].thread, NULL);
    for (unsigned i = 0; i < pp->window; i++) {
        job_reset(&pp->ring[i]);
        cb_free(pp->ring[i].data);
        cb_free(pp->ring[i].evs);
    }
    for (unsigned i = 0; i < pp->nwk; i++) {
        struct worker *w = &pp->wk[i];
        if (w->st)
            cb_evtx_state_free(w->st);
        cb_intern_destroy(&w->strings);
        cb_arena_destroy(&w->arena);
        if (keep)
            cb_arena_adopt(keep, &w->events);
        cb_arena_destroy(&w->events);
        cb_free(w->map.k);
        cb_free(w->map.v);
    }
    pthread_cond_destroy(&pp->work);
    pthread_cond_destroy(&pp->done);
    pthread_mutex_destroy(&pp->mu);
    cb_free(pp->ring);
    cb_free(pp->wk);
    cb_free(pp);
}

void cb_evtx_pool_free(void *pool)
{
    par_free(pool, NULL);
}

/* The end of a file on pooled workers: jobs not started are dropped,
 * running ones awaited, and the ring emptied for the next file. The
 * decoded events stay in the workers' events arenas, which live as long
 * as the pool, that is as long as the analysis (cb_analysis_destroy frees
 * it): one arena over every file keeps its large, huge-page blocks, where
 * a fresh one per file started again from 64 KiB malloc'd blocks (on a
 * bundle of 225 small logs, most of the run's page faults). */
static void par_file_done(struct par *pp)
{
    pthread_mutex_lock(&pp->mu);
    for (unsigned i = 0; i < pp->window; i++)
        if (pp->ring[i].state == J_QUEUED)
            pp->ring[i].state = J_FREE;
    for (;;) {
        int running = 0;
        for (unsigned i = 0; i < pp->window; i++)
            running |= pp->ring[i].state == J_RUNNING;
        if (!running)
            break;
        pthread_cond_wait(&pp->done, &pp->mu);
    }
    for (unsigned i = 0; i < pp->window; i++) {
        job_reset(&pp->ring[i]);
        pp->ring[i].state = J_FREE;
    }
    pp->head = pp->tail = pp->disp = pp->nout = 0;
    pp->cur = NULL;
    pp->feeding_defer = pp->read_failed = 0;
    pthread_mutex_unlock(&pp->mu);
}

struct par *cb_evtx_par_new(struct cb_parse *p, const struct state *st)
{
    unsigned jobs = p->opts ? p->opts->jobs : 1;
    if (jobs <= 1)
        return NULL;
    if (p->pool && *p->pool) { /* the workers of an earlier file */
        struct par *pp = *p->pool;
        for (unsigned i = 0; i < pp->nwk; i++) {
            pp->wk[i].st->base = st->base;
            pp->wk[i].st->no_crc = st->no_crc;
        }
        return pp;
    }
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    struct par *pp = cb_calloc(1, sizeof *pp);
    if (!pp)
        return NULL;
    if (pthread_mutex_init(&pp->mu, NULL) != 0) {
        cb_free(pp);
        return NULL;
    }
    pthread_cond_init(&pp->work, NULL);
    pthread_cond_init(&pp->done, NULL);
    pp->window = WINDOW_PER_JOB * jobs;
    pp->ring = cb_calloc(pp->window, sizeof *pp->ring);
    pp->wk = cb_calloc(jobs, sizeof *pp->wk);
    if (!pp->ring || !pp->wk)
        goto fail;
    for (unsigned i = 0; i < pp->window; i++)
        if (!(pp->ring[i].data = cb_malloc(CHUNK)))
            goto fail;
    for (unsigned i = 0; i < jobs; i++) {
        struct worker *w = &pp->wk[i];
        w->par = pp;
        w->idx = i;
        w->arena = cb_arena_create();
        w->strings = w->arena ? cb_intern_create(w->arena) : NULL;
        w->events = cb_arena_create();
        if (!w->strings || !w->events)
            goto fail;
        struct cb_parse wp = {.strings = w->strings, .arena = w->arena};
        w->st = cb_evtx_state_new(&wp);
        if (!w->st)
            goto fail;
        w->st->worker = 1;
        w->st->base = st->base;
        w->st->no_crc = st->no_crc;
    }
    for (unsigned i = 0; i < jobs; i++) {
        if (pthread_create(&pp->wk[i].thread, NULL, worker_main, &pp->wk[i]) !=
            0)
            goto fail;
        pp->nwk++;
    }
    if (p->pool) {
        pp->pooled = 1;
        *p->pool = pp;
    }
    return pp;
fail:
    /* par_free frees the workers of every slot, joins the started ones */
    if (pp->wk)
        for (unsigned i = pp->nwk; i < jobs; i++) {
            struct worker *w = &pp->wk[i];
            if (w->st)
                cb_evtx_state_free(w->st);
            w->st = NULL;
            cb_intern_destroy(&w->strings);
            cb_arena_destroy(&w->arena);
            cb_arena_destroy(&w->events);
        }
    par_free(pp, p->arena);
    return NULL;
}

/* The analysis' interned copy of a worker's interned string s. */
static const char *remap(struct cb_parse *p, struct pmap *m, const char *s)
{
    if (!s)
        return NULL;
    if (m->n * 2 >= m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 256;
        const char **nk = cb_calloc(ncap, sizeof *nk);
        const char **nv = cb_calloc(ncap, sizeof *nv);
        if (!nk || !nv) {
            cb_free(nk);
            cb_free(nv);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->k[i])
                continue;
            size_t h =
                (size_t)(((uintptr_t)m->k[i] >> 3) * 0x9E3779B97F4A7C15ULL) &
                (ncap - 1);
            while (nk[h])
                h = (h + 1) & (ncap - 1);
            nk[h] = m->k[i];
            nv[h] = m->v[i];
        }
        cb_free(m->k);
        cb_free(m->v);
        m->k = nk;
        m->v = nv;
        m->cap = ncap;
    }
    size_t h =
        (size_t)(((uintptr_t)s >> 3) * 0x9E3779B97F4A7C15ULL) & (m->cap - 1);
    while (m->k[h]) {
        if (m->k[h] == s)
            return m->v[h];
        h = (h + 1) & (m->cap - 1);
    }
    const char *g = cb_intern(p->strings, s, strlen(s));
    if (!g)
        return NULL;
    m->k[h] = s;
    m->v[h] = g;
    m->n++;
    return g;
}

/* Fill free slots from the stream, then from the held-back chunks. */
static void par_fill(struct cb_parse *p, struct state *st, struct par *pp)
{
    while (pp->nout < pp->window) {
        struct job *j = &pp->ring[pp->tail];
        if (!st->eof) {
            size_t n = cb_stream_read(p->in, j->data, CHUNK);
            if (n == 0) {
                st->eof = 1;
                if (p->in->failed) {
                    pp->read_failed = 1;
                    pp->read_err = p->in->err;
                }
                continue;
            }
            if (n < CHUNK)
                st->eof = 1;
            j->len = n;
            j->slot = st->next_slot++;
            j->deferred = 0;
        } else if (!pp->read_failed && st->defer_done < st->ndefer &&
                   (pp->feeding_defer || pp->nout == 0)) {
            /* every chunk of the stream is classified: all held back */
            pp->feeding_defer = 1;
            struct deferred *d = &st->defer[st->defer_done++];
            memcpy(j->data, d->data, d->len);
            j->len = d->len;
            j->slot = d->slot;
            j->deferred = 1;
        } else {
            break;
        }
        pthread_mutex_lock(&pp->mu);
        j->state = J_QUEUED;
        pthread_cond_signal(&pp->work);
        pthread_mutex_unlock(&pp->mu);
        pp->tail = (pp->tail + 1) % pp->window;
        pp->nout++;
    }
}

static void par_release(struct par *pp, struct job *j)
{
    job_reset(j);
    pthread_mutex_lock(&pp->mu);
    j->state = J_FREE;
    pthread_mutex_unlock(&pp->mu);
    pp->head = (pp->head + 1) % pp->window;
    pp->nout--;
}

static enum cb_next par_nomem(struct cb_parse *p)
{
    cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_NONE, 0, "out of memory");
    return CB_NEXT_FAIL;
}

/* A decoded event with the analysis' strings, handed over where the
 * worker wrote it (its events arena: see struct worker); the worker is
 * done with it. */
static int par_emit(struct cb_parse *p, struct pmap *m, const struct jev *e,
                    int stale)
{
    struct cb_event *ev = e->ev;
    if (stale)
        ev->flags |= CB_EV_RECOVERED;
    const char *lo = e->blk, *hi = e->blk + e->size;
    struct cb_field *f = (struct cb_field *)(void *)e->blk;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        f[i].name = remap(p, m, f[i].name);
        if (f[i].value < lo || f[i].value >= hi)
            f[i].value = remap(p, m, f[i].value);
        if (!f[i].name || !f[i].value)
            return -1;
    }
    const char *host = ev->host, *channel = ev->channel,
               *provider = ev->provider;
    ev->host = remap(p, m, host);
    ev->channel = remap(p, m, channel);
    ev->provider = remap(p, m, provider);
    if ((host && !ev->host) || (channel && !ev->channel) ||
        (provider && !ev->provider))
        return -1;
    p->ev_own = ev;
    return 0;
}

/* Warnings a worker put on its private source, onto the real one. */
static void replay_warnings(struct cb_parse *p, const struct job *j)
{
    unsigned kept = 0;
    for (const struct cb_warning *w = j->src.warnings; w; w = w->next) {
        cb_parse_warn(p, (enum cb_where_kind)w->where_kind, w->where, "%s",
                      w->msg);
        kept++;
    }
    /* beyond the per-source cap: counted, not kept (as with -j 1) */
    p->src->nwarnings += j->src.nwarnings - kept;
}

enum cb_next cb_evtx_par_next(struct cb_parse *p, struct state *st,
                              struct par *pp)
{
    for (;;) {
        struct job *j = pp->cur;
        if (j) {
            while (j->emit < j->nev) {
                const struct jev *e = &j->evs[j->emit++];
                st->rec_off = e->ev->origin;
                int a = cb_evtx_admit(st, e->ev->record_id, e->ev->ts,
                                      (e->ev->flags & CB_EV_RECOVERED) != 0);
                if (a < 0)
                    return par_nomem(p);
                if (a == 0)
                    continue;
                if (par_emit(p, &pp->wk[j->worker].map, e, st->stale) != 0)
                    return par_nomem(p);
                return CB_NEXT_EVENT;
            }
            if (j->fail) {
                p->err = j->err;
                return CB_NEXT_FAIL;
            }
            st->prev_live = !st->stale;
            st->prev_last_rid = j->hdr_last_rid;
            st->prev_max_rid = j->max_rid;
            pp->cur = NULL;
            par_release(pp, j);
        }
        par_fill(p, st, pp);
        if (pp->nout == 0) {
            if (pp->read_failed) {
                p->err = pp->read_err;
                return CB_NEXT_FAIL;
            }
            return CB_NEXT_END;
        }
        j = &pp->ring[pp->head];
        pthread_mutex_lock(&pp->mu);
        while (j->state != J_DONE)
            pthread_cond_wait(&pp->done, &pp->mu);
        pthread_mutex_unlock(&pp->mu);
        /* as chunk_begin does it, in file order */
        int prev_live = st->prev_live;
        st->prev_live = 0;
        if (!j->sane) {
            replay_warnings(p, j);
            int fail = j->fail;
            if (fail)
                p->err = j->err;
            par_release(pp, j);
            if (fail)
                return CB_NEXT_FAIL;
            continue;
        }
        int live = cb_evtx_chunk_classify(st, j->data, j->len, j->slot,
                                          j->deferred, prev_live);
        if (live < 0)
            return par_nomem(p);
        if (live == 2) { /* decoded again when its turn comes */
            par_release(pp, j);
            continue;
        }
        st->stale = !live;
        replay_warnings(p, j);
        pp->cur = j;
    }
}

void cb_evtx_par_close(struct cb_parse *p, struct par **pp)
{
    if (*pp && (*pp)->pooled)
        par_file_done(*pp);
    else
        par_free(*pp, p->arena);
    *pp = NULL;
}
